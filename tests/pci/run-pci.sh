#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The PCI suite: Debian's newest backports kernel boots under QEMU (TCG,
# memfd-backed shared guest RAM) with one vfio-user-pci device served by
# mlx5-pci-fn (the simulated firmware); guest-pci.bats runs in the guest
# against Linux's own mlx5_core, mlx5_ib and the unmodified fwctl +
# mlx5_fwctl.  Prints the guest's TAP lines, numbered, and exits with the
# guest's status; 77 (skip) only when a download is impossible.
#
#   run-pci.sh SOURCE_ROOT BUILD_DIR [PCI_FN] [--verbs VERBS_HOLD] [--daemon DAEMON]
#
# QEMU runs inside the trixie chroot (it needs trixie's libraries), in a
# mount namespace of its own where the host's / is at /host: the guest's
# root is the host's / over 9p, read-only with a RAM overlay, so the
# daemon and test programs built here run there as they are.  The QEMU
# monitor (QMP) is driven from here on the guest's request (hotplug): the
# guest writes a request into the shared out/ directory and waits for the
# answer file.
# Environment: MLX5DBGFS_VM_CACHE, VM_TIMEOUT (seconds, default 840), VM_MEM (MB, default 2048).
set -euo pipefail

source_root=$(realpath "$1")
build_dir=$(realpath "$2")
shift 2
pci_fn= daemon= verbs=
while [ $# -gt 0 ]; do
        case "$1" in
        --verbs) verbs=$(realpath "$2"); shift 2 ;;
        --daemon) daemon=$(realpath "$2"); shift 2 ;;
        *) pci_fn=$(realpath "$1"); shift ;;
        esac
done
here=$(dirname "$(realpath "$0")")
# shellcheck source=tests/vm/guest-tap.sh
. "$here/../vm/guest-tap.sh"
work=$build_dir/pci-work
started=$SECONDS

skip() {
        echo "run-pci: SKIP: $*" >&2
        echo "1..0 # SKIP $*"
        exit 77
}

fail() {
        echo "run-pci: $*" >&2
        echo "not ok 1 - $*"
        echo "1..1"
        exit 1
}

for tool in busybox modprobe xz unshare python3; do
        command -v "$tool" >/dev/null || fail "no $tool on this host (run tools/install-deps)"
done

set +e
env_text=$("$here/vm-setup.sh" 2>"$build_dir/pci-setup.err")
setup_status=$?
set -e
cat "$build_dir/pci-setup.err" >&2
[ "$setup_status" = 77 ] && skip "a download is impossible: $(grep SKIP "$build_dir/pci-setup.err" | tail -1)"
[ "$setup_status" = 0 ] || fail "tests/pci/vm-setup.sh failed ($setup_status): $(tail -1 "$build_dir/pci-setup.err")"
[ -n "$pci_fn" ] || fail "mlx5-pci-fn was not built (libvfio-user or json-c missing at configure time: run tools/install-deps, then meson setup again)"
eval "$env_text"        # KVER SERIES VMLINUZ ROOT KROOT FWCTL_DIR LIBVFIO_USER_SRC QEMU_VERSION

rm -rf "$work"
mkdir -p "$work/out"

# ---- initramfs: busybox and the (decompressed) modules that reach the 9p root ----
initrd_dir=$work/initrd
mkdir -p "$initrd_dir"/{bin,dev,proc,sys,mods}
cp "$(command -v busybox)" "$initrd_dir/bin/busybox"
ln -s busybox "$initrd_dir/bin/sh"
cp "$source_root/tests/vm/guest-init.sh" "$initrd_dir/init"
chmod 755 "$initrd_dir/init"
mknod -m 600 "$initrd_dir/dev/console" c 5 1
: >"$initrd_dir/modules.list"
# Newer kernels build virtio_pci in: a module modprobe cannot find is built in.
for m in virtio_pci 9pnet_virtio 9p overlay; do
        modprobe -d "$KROOT" -S "$KVER" --show-depends "$m" 2>/dev/null || true
done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' | while read -r ko; do
        name=$(basename "$ko" .xz)
        case "$ko" in
        *.xz) xz -dc "$ko" >"$initrd_dir/mods/$name" ;;
        *) cp "$ko" "$initrd_dir/mods/$name" ;;
        esac
        echo "$name" >>"$initrd_dir/modules.list"
done
(cd "$initrd_dir" && find . -print0 | busybox cpio -o -H newc -0 2>/dev/null) >"$work/initramfs.cpio"

# ---- kernel: the uncompressed vmlinux boots faster under TCG (PVH), when it unpacks ----
kernel=$VMLINUZ
vmlinux=$(dirname "$FWCTL_DIR")/vmlinux-$KVER
if [ ! -s "$vmlinux" ]; then
        offset=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$VMLINUZ" | head -1 | cut -d: -f1 || true)
        if [ -n "$offset" ]; then
                tail -c +$((offset + 1)) "$VMLINUZ" | xz -dc >"$vmlinux.tmp" 2>/dev/null || true
                if [ "$(head -c 4 "$vmlinux.tmp" | od -An -c | tr -d ' ')" = '177ELF' ]; then
                        mv "$vmlinux.tmp" "$vmlinux"
                fi
                rm -f "$vmlinux.tmp"
        fi
fi
[ -s "$vmlinux" ] && kernel=$vmlinux

# ---- what the guest needs, by path (its / is this host's /) ----
cat >"$work/out/env" <<EOF
KVER=$KVER
SERIES=$SERIES
FWCTL_DIR=$FWCTL_DIR
DAEMON=$daemon
VERBS=$verbs
SOURCE_ROOT=$source_root
MLX5DBGFS_SCHEMA_DIR=$source_root/schema
FW_LOG=$work/fw.log
PCI_ADDR=0000:00:05.0
EOF

# ---- does this QEMU survive hot removal of the function?  (a few seconds, no guest) ----
# QEMU 11.1.3 aborts (tests/pci/README.md, "Hot removal"): the guest then
# runs the sysfs substitute only, and says why the monitor cycles are skipped.
set +e
unplug=$(ROOT=$ROOT "$here/unplug-repro.sh" --brief "$work/unplug" "$pci_fn" --socket '{sock}' 2>&1)
unplug_status=$?
unplug=$(echo "$unplug" | grep -m1 '^unplug-repro:' || echo "$unplug")
set -e
echo "run-pci: $unplug" >&2
case $unplug_status in
0) blocked= ;;
1) blocked=${unplug#unplug-repro: } ;;
*) fail "the hot removal probe (tests/pci/unplug-repro.sh) failed: $unplug" ;;
esac
printf 'QMP_HOTPLUG_BLOCKED=%q\n' "$blocked" >>"$work/out/env"

# ---- the function, then QEMU ----
sock=$work/fn.sock
qmp=$work/qmp.sock
"$pci_fn" --socket "$sock" --log "$work/fw.log" --counts "$work/fw-counts" >"$work/pci-fn.out" 2>&1 &
fn_pid=$!
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || { cat "$work/pci-fn.out" >&2; fail "mlx5-pci-fn did not create $sock"; }

qmp_pid=
cleanup() {
        [ -n "$qmp_pid" ] && kill "$qmp_pid" 2>/dev/null
        kill -TERM "$fn_pid" 2>/dev/null
        wait "$fn_pid" 2>/dev/null || true
}
trap cleanup EXIT

# Hotplug requests from the guest: out/qmp-request holds "device_del" or
# "device_add"; the answer goes to out/qmp-answer.
python3 "$here/qmp-relay.py" "$qmp" "$work/out" "/host$sock" >"$work/qmp-relay.log" 2>&1 &
qmp_pid=$!

echo "run-pci: kernel $KVER (series $SERIES), QEMU $QEMU_VERSION, TCG, kernel=$kernel" >&2
set +e
timeout -k 5 "${VM_TIMEOUT:-840}" "$here/qemu-in-root.sh" "$ROOT" "/host$work" qemu-system-x86_64 -accel tcg -smp 2 -m "${VM_MEM:-2048}" \
        -object "memory-backend-memfd,id=mem,size=${VM_MEM:-2048}M,share=on" -machine pc,memory-backend=mem \
        -nographic -nodefaults -no-user-config -no-reboot -serial mon:stdio \
        -kernel "/host$kernel" -initrd "/host$work/initramfs.cpio" \
        -device "{\"driver\":\"vfio-user-pci\",\"id\":\"mlx5fn\",\"addr\":\"0x5\",\"socket\":{\"type\":\"unix\",\"path\":\"/host$sock\"}}" \
        -qmp "unix:/host$qmp,server=on,wait=off" \
        -virtfs "local,path=/host,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
        -virtfs "local,path=/host$work/out,mount_tag=out,security_model=none,multidevs=remap" \
        -append "console=ttyS0 panic=-1 quiet loglevel=1 mitigations=off rdinit=/init mlx5_guest=$here/guest-pci.sh mlx5_modroot=$KROOT" \
        </dev/null >"$work/console.log" 2>&1
qemu_status=$?
set -e
cleanup
trap - EXIT

tr -d '\r' <"$work/console.log" >&2
for f in dmesg timing; do
        [ -f "$work/out/$f" ] && { echo "---- guest $f ----"; cat "$work/out/$f"; } >&2
done
# Every command the kernel sent, over every power-on of the function.
awk '$1 == "cmd" { split($3, o, "="); name = $4 ~ /^op_mod=/ ? "" : $4; n[o[2] " " name]++ }
     END { for (k in n) printf "%7d  %s\n", n[k], k }' "$work/fw.log" | sort -k2 >"$work/fw-opcodes"
echo "---- firmware: commands per opcode ($(awk '$1 == "cmd"' "$work/fw.log" | wc -l) in all) ----" >&2
cat "$work/fw-opcodes" >&2
grep 'unknown opcode' "$work/fw.log" >&2 || true
guest_tap "$work/console.log" "$work/out/exit-status" "$qemu_status"
n=$guest_tap_count status=$guest_status

# The firmware's side of every bring-up the guest made (one line each in
# out/bring-ups: probe, reload, each hotplug cycle): one ENABLE_HCA each, and
# before each but the first a TEARDOWN_HCA, a MANAGE_PAGES that took the
# pages back and a DISABLE_HCA; every one of those commands answered 0.
bring_ups=$(wc -l <"$work/out/bring-ups" 2>/dev/null || echo 0)
fw_check=$(awk '
        $1 != "cmd" { next }
        {
                delete f
                for (i = 2; i <= NF; i++) if (split($i, kv, "=") == 2) f[kv[1]] = kv[2]
        }
        f["op"] !~ /^0x10[3458]$/ { next }
        f["status"] != "0x0" { bad++ }
        f["op"] == "0x103" { torn = 1 }
        f["op"] == "0x105" { disabled = 1 }
        f["op"] == "0x108" && f["op_mod"] == "0x2" { reclaimed = 1 }
        f["op"] == "0x104" {
                if (enables++ && !(torn && reclaimed && disabled)) unclean++
                torn = reclaimed = disabled = 0
        }
        END { printf "%d %d %d\n", enables, unclean, bad }' "$work/fw.log")
read -r enables unclean bad <<<"$fw_check"
n=$((n + 1))
if [ "$enables" = "$bring_ups" ] && [ "$unclean" = 0 ] && [ "$bad" = 0 ] && [ "$bring_ups" -gt 1 ]; then
        echo "ok $n - the firmware: $enables bring-ups, each after the first on a function torn down (TEARDOWN_HCA, MANAGE_PAGES take, DISABLE_HCA), all answered 0"
else
        echo "not ok $n - the firmware: $enables ENABLE_HCA for $bring_ups bring-ups by the guest, $unclean without a full teardown before, $bad teardown or bring-up commands failed"
        [ "$status" != 0 ] || status=1
fi
echo "1..$n"
echo "run-pci: guest status $status, $((SECONDS - started)) s" >&2
exit "$status"
