#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The kernel suite: builds mlx5ctl.ko and the test-only mlx5ctl_emu.ko and
# fwctl_emu.ko against Debian's kernel headers, boots that Debian kernel
# under qemu and runs guest-suite.sh in it.  Prints the guest's TAP lines,
# numbered, and exits with the guest's status; 77 (skip) when something it
# needs is not installed, naming it.
#
#   run-vm.sh SOURCE_ROOT BUILD_DIR SERVER CLIENT FWCTL_CLIENT MANIFEST [DAEMON]
#
# The guest gets three qemu "edu" PCI devices (inert test devices, no
# driver binds them) for the emulated functions to hang on: fwctl devices
# are always children of a PCI function, and udev names them after it.
#
# The guest kernel is Debian's linux-image-$KVER, with $KVER the ABI of the
# installed linux-headers-amd64: installed (/boot/vmlinuz-$KVER), or
# unpacked by fetch-kernel.sh into $MLX5DBGFS_VM_CACHE.
# Environment: MLX5DBGFS_VM_CACHE (default /var/cache/mlx5dbgfs-vm),
# VM_TIMEOUT (seconds, default 540: meson gives the test 600), VM_MEM (MB, default 1024).
set -euo pipefail

source_root=$(realpath "$1")
build_dir=$(realpath "$2")
server=$(realpath "$3")
client=$(realpath "$4")
fwctl_client=$(realpath "$5")
manifest=$(realpath "$6")
daemon=${7:+$(realpath "$7")}
here=$(dirname "$(realpath "$0")")
# shellcheck source=tests/vm/guest-tap.sh
. "$here/guest-tap.sh"
cache=${MLX5DBGFS_VM_CACHE:-/var/cache/mlx5dbgfs-vm}
work=$build_dir/vm-work
started=$SECONDS

skip() {
        echo "run-vm: SKIP: $*" >&2
        echo "1..0 # SKIP $*"
        exit 77
}

need() {
        command -v "$1" >/dev/null || skip "no $1 (install $2)"
}

need qemu-system-x86_64 qemu-system-x86
need busybox busybox-static
need modprobe kmod
need depmod kmod
need make make
need xz xz-utils
case "$(qemu-system-x86_64 -device help 2>/dev/null)" in
*'name "edu"'*) ;;
*) skip "this qemu-system-x86_64 has no edu device" ;;
esac

kver=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null |
        sed -n 's/.*linux-headers-\([0-9][^ ,]*-amd64\).*/\1/p')
if [ -z "$kver" ] || [ ! -d "/usr/src/linux-headers-$kver" ]; then
        skip "no kernel headers (install linux-headers-amd64)"
fi

if [ -f "/boot/vmlinuz-$kver" ] && [ -d "/lib/modules/$kver/kernel" ]; then
        kroot=/
elif [ -f "$cache/kroot-$kver/boot/vmlinuz-$kver" ]; then
        kroot=$cache/kroot-$kver
else
        skip "no linux-image-$kver (run tests/vm/fetch-kernel.sh, or install linux-image-$kver)"
fi
[ -f "$kroot/lib/modules/$kver/modules.dep" ] || skip "no modules.dep for $kver (run depmod -b $kroot $kver)"

rm -rf "$work"
mkdir -p "$work/out"

# ---- modules: built from a copy so the source tree stays clean ----
cp -a "$source_root/kernel" "$work/kbuild"
cp "$source_root/VERSION" "$work/kbuild/VERSION"    # the DKMS tree's layout: MODULE_VERSION reads it
if ! make -C "/usr/src/linux-headers-$kver" M="$work/kbuild" W=1 modules >"$work/kbuild.log" 2>&1; then
        cat "$work/kbuild.log" >&2
        echo "not ok 1 - mlx5ctl.ko, mlx5ctl_emu.ko and fwctl_emu.ko build against $kver"
        echo "1..1"
        exit 1
fi
if grep -q 'warning:' "$work/kbuild.log"; then
        kbuild_warnings=$(grep -c 'warning:' "$work/kbuild.log")
        grep 'warning:' "$work/kbuild.log" >&2
else
        kbuild_warnings=0
fi

# ---- initramfs: busybox, and the modules that reach the 9p root ----
initrd_dir=$work/initrd
mkdir -p "$initrd_dir"/{bin,dev,proc,sys,mods}
cp "$(command -v busybox)" "$initrd_dir/bin/busybox"
ln -s busybox "$initrd_dir/bin/sh"
cp "$here/guest-init.sh" "$initrd_dir/init"
chmod 755 "$initrd_dir/init"
mknod -m 600 "$initrd_dir/dev/console" c 5 1
for m in virtio_pci 9pnet_virtio 9p overlay; do
        modprobe -d "$kroot" -S "$kver" --show-depends "$m"
done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' | while read -r ko; do
        cp "$ko" "$initrd_dir/mods/"
        basename "$ko" >>"$initrd_dir/modules.list"
done
(cd "$initrd_dir" && find . -print0 | busybox cpio -o -H newc -0 2>/dev/null) >"$work/initramfs.cpio"

# ---- kernel: the uncompressed vmlinux boots faster under TCG (PVH) ----
kernel=$kroot/boot/vmlinuz-$kver
vmlinux=$work/vmlinux
offset=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$kernel" | head -1 | cut -d: -f1 || true)
if [ -n "$offset" ]; then
        # xz complains about the bzImage's trailer: judge by the ELF magic.
        tail -c +$((offset + 1)) "$kernel" | xz -dc >"$vmlinux" 2>/dev/null || true
        [ "$(head -c 4 "$vmlinux" | od -An -c | tr -d ' ')" = '177ELF' ] && kernel=$vmlinux
fi

# ---- PCI functions for the emulated ones: slots 0x10-0x12 of bus 0 ----
edu_args=()
edu_pci=()
for slot in 10 11 12; do
        edu_args+=(-device "edu,addr=0x$slot")
        edu_pci+=("0000:00:$slot.0")
done

# ---- what the guest script needs, by path: the guest sees the host's / ----
cat >"$work/out/env" <<EOF
KBUILD=$work/kbuild
SERVER=$server
CLIENT=$client
FWCTL_CLIENT=$fwctl_client
MANIFEST=$manifest
FWCTL_PCI="${edu_pci[*]}"
DAEMON=$daemon
SOURCE_ROOT=$source_root
export MLX5DBGFS_SCHEMA_DIR=$source_root/schema
KBUILD_WARNINGS=$kbuild_warnings
EOF

if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then accel=kvm; else accel=tcg; fi
echo "run-vm: $kver, accel=$accel, kernel=$kernel, modules from $kroot" >&2
set +e
timeout -k 5 "${VM_TIMEOUT:-540}" qemu-system-x86_64 \
        -accel "$accel" -m "${VM_MEM:-1024}" -smp 2 \
        -nographic -nodefaults -no-user-config -no-reboot -serial mon:stdio \
        -kernel "$kernel" -initrd "$work/initramfs.cpio" \
        "${edu_args[@]}" \
        -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
        -virtfs local,path="$work/out",mount_tag=out,security_model=none,multidevs=remap \
        -append "console=ttyS0 panic=-1 quiet loglevel=1 mitigations=off rdinit=/init mlx5_guest=$here/guest-suite.sh mlx5_modroot=$kroot" \
        </dev/null >"$work/console.log" 2>&1
qemu_status=$?
set -e

# Diagnostics to stderr (meson's log), the numbered TAP to stdout.
tr -d '\r' <"$work/console.log" >&2
[ -f "$work/out/dmesg" ] && { echo "---- guest dmesg ----"; cat "$work/out/dmesg"; } >&2
[ -f "$work/out/timing" ] && { echo "---- guest timing ----"; cat "$work/out/timing"; } >&2
guest_tap "$work/console.log" "$work/out/exit-status" "$qemu_status"
status=$guest_status
echo "1..$guest_tap_count"
echo "run-vm: guest status $status, $((SECONDS - started)) s" >&2
exit "$status"
