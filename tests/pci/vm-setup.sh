#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs, once, what the PCI suite needs and bookworm cannot give, into
# $MLX5DBGFS_VM_CACHE (default /var/cache/mlx5dbgfs-vm), touching neither
# the host's apt setup nor /boot nor /lib/modules:
#   trixie/          a trixie chroot (debootstrap) with trixie-backports:
#                    QEMU >= 10.1 (vfio-user-pci), gcc and the kernel's kbuild
#   pci-kernel/      the newest trixie-backports kernel series that has
#                    headers and source: image + modules unpacked (kroot/),
#                    fwctl.ko and mlx5_fwctl.ko built unmodified from its
#                    linux-source out of tree, and the series in "env"
#   libvfio-user/    the source Debian ships inside trixie's QEMU source
#                    package (subprojects/libvfio-user), and build/, the
#                    static library built from it on this host
# Prints "KEY=VALUE" lines for the caller (pci-kernel/env).  Exit 77 with
# the reason when a download is impossible, 1 on any other failure.
set -euo pipefail

cache=${MLX5DBGFS_VM_CACHE:-/var/cache/mlx5dbgfs-vm}
mirror=${MLX5DBGFS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
root=$cache/trixie
kdir=$cache/pci-kernel
vdir=$cache/libvfio-user
log=$cache/pci-setup.log
mkdir -p "$cache"

say() { echo "vm-setup: $*" >&2; }
skip() { say "SKIP: $*"; exit 77; }
fail() { say "FAILED: $*"; exit 1; }
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
        LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
# The same with /proc (objtool reads it), in a mount namespace of its own.
in_root_proc() { unshare -m sh -c 'mount -t proc proc "$0/proc" && exec chroot "$0" /usr/bin/env -i \
        PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"' "$root" "$@"; }

# ---- the trixie chroot ----
if [ ! -f "$root/.mlx5dbgfs-ready" ]; then
        command -v debootstrap >/dev/null || skip "no debootstrap (install debootstrap: tools/install-deps)"
        say "debootstrap trixie into $root (about a minute)"
        rm -rf "$root"
        debootstrap --variant=minbase --include=ca-certificates trixie "$root" "$mirror" >>"$log" 2>&1 ||
                skip "debootstrap trixie from $mirror failed (see $log)"
        cat >"$root/etc/apt/sources.list" <<SRC
deb $mirror trixie main
deb $mirror trixie-backports main
deb-src $mirror trixie main
SRC
        in_root apt-get update -qq >>"$log" 2>&1 || skip "apt-get update in the trixie chroot failed (see $log)"
        in_root apt-get install -y -qq --no-install-recommends gcc make libc6-dev bc bison flex \
                libelf-dev libssl-dev xz-utils kmod dpkg-dev >>"$log" 2>&1 ||
                fail "build tools in the trixie chroot (see $log)"
        in_root apt-get install -y -qq --no-install-recommends -t trixie-backports qemu-system-x86 >>"$log" 2>&1 ||
                skip "qemu-system-x86 from trixie-backports cannot be installed (see $log)"
        touch "$root/.mlx5dbgfs-ready"
fi
qemu_version=$(in_root qemu-system-x86_64 --version | sed -n 's/^QEMU emulator version \([0-9.]*\).*/\1/p')
case "$(in_root qemu-system-x86_64 -device help 2>/dev/null)" in
*'"vfio-user-pci"'*) ;;
*) fail "QEMU $qemu_version in $root has no vfio-user-pci (needs >= 10.1 from trixie-backports)" ;;
esac

# ---- the kernel: newest backports series with headers, source and modules ----
if [ ! -f "$kdir/.ready" ]; then
        in_root apt-get update -qq >>"$log" 2>&1 || true
        # "7.3.4+deb13-amd64" for every headers package of the amd64 flavour.
        abis=$(in_root apt-cache search --names-only '^linux-headers-[0-9]+\.[0-9]+\.[0-9]+\+deb13-amd64$' |
                sed -n 's/^linux-headers-\([^ ]*-amd64\) .*/\1/p' | sort -V -r)
        abi= series= missing=
        for a in $abis; do
                s=$(echo "$a" | sed 's/^\([0-9]*\.[0-9]*\)\..*/\1/')
                have=1
                for p in "linux-source-$s" "linux-headers-$a"; do
                        in_root apt-cache show "$p" >/dev/null 2>&1 || { have=0; missing="$missing $p"; }
                done
                in_root apt-cache show "linux-modules-$a" >/dev/null 2>&1 ||
                        in_root apt-cache show "linux-image-$a" >/dev/null 2>&1 || { have=0; missing="$missing linux-modules-$a"; }
                if [ $have = 1 ]; then abi=$a series=$s; break; fi
        done
        [ -n "$abi" ] || skip "no trixie-backports kernel series has headers, source and modules (missing:${missing:- every linux-headers-*+deb13-amd64})"
        say "kernel $abi (series $series)"
        in_root apt-get install -y -qq --no-install-recommends "linux-headers-$abi" "linux-source-$series" >>"$log" 2>&1 ||
                skip "linux-headers-$abi / linux-source-$series cannot be installed (see $log)"
        # Image and modules: unpacked, not installed (no initramfs, no bootloader).
        rm -rf "$kdir" && mkdir -p "$kdir/debs" "$kdir/kroot"
        pkgs=$(in_root apt-cache show "linux-image-$abi" >/dev/null 2>&1 && echo "linux-image-$abi")
        for p in "linux-binary-$abi" "linux-modules-$abi"; do
                in_root apt-cache show "$p" >/dev/null 2>&1 && pkgs="$pkgs $p"
        done
        mkdir -p "$root/tmp/debs"
        rm -f "$root"/tmp/debs/*.deb
        # shellcheck disable=SC2086
        in_root sh -c "cd /tmp/debs && apt-get download -o APT::Sandbox::User=root $pkgs" >>"$log" 2>&1 ||
                skip "apt-get download $pkgs failed (see $log)"
        for d in "$root"/tmp/debs/*.deb; do dpkg-deb -x "$d" "$kdir/kroot"; done
        rm -rf "$root/tmp/debs"
        # trixie's packages put modules (and the image) under /usr/lib; depmod -b looks in /lib.
        [ -e "$kdir/kroot/lib" ] || ln -s usr/lib "$kdir/kroot/lib"
        depmod -b "$kdir/kroot" "$abi" 2>>"$log"
        vmlinuz=$kdir/kroot/usr/lib/modules/$abi/vmlinuz
        [ -f "$vmlinuz" ] || vmlinuz=$kdir/kroot/boot/vmlinuz-$abi
        [ -f "$vmlinuz" ] || fail "no vmlinuz for $abi in $pkgs"
        # fwctl + mlx5_fwctl, unmodified from linux-source, out of tree.
        src=$(ls "$root"/usr/src/linux-source-"$series".tar.* | head -1)
        mkdir -p "$root/tmp/fwctl"
        tar -C "$root/tmp/fwctl" -xf "$src" --strip-components=1 --wildcards '*/drivers/fwctl/*' >>"$log" 2>&1 ||
                fail "drivers/fwctl not in $src"
        b=/tmp/fwctl/drivers/fwctl
        cat >"$root$b/Kbuild.mlx5dbgfs" <<'KB'
obj-m += fwctl.o mlx5_fwctl.o
fwctl-y := main.o
mlx5_fwctl-y := mlx5/main.o
KB
        # The sources' own Makefile expects CONFIG_FWCTL; this Kbuild names the same files.
        cp "$root$b/Kbuild.mlx5dbgfs" "$root$b/Kbuild"
        in_root_proc make -C "/usr/src/linux-headers-$abi" M="$b" modules >>"$log" 2>&1 ||
                fail "building fwctl from linux-source-$series (see $log)"
        cp "$root$b/fwctl.ko" "$root$b/mlx5_fwctl.ko" "$kdir/"
        rm -rf "$root/tmp/fwctl"
        printf 'KVER=%s\nSERIES=%s\nVMLINUZ=%s\n' "$abi" "$series" "$vmlinuz" >"$kdir/env"
        touch "$kdir/.ready"
fi

# ---- libvfio-user: the source inside Debian's QEMU source package ----
if [ ! -f "$vdir/.ready" ]; then
        rm -rf "$vdir" "$root/tmp/qsrc" && mkdir -p "$root/tmp/qsrc"
        in_root sh -c 'cd /tmp/qsrc && apt-get source --download-only -o APT::Sandbox::User=root qemu/trixie' >>"$log" 2>&1 ||
                skip "apt-get source qemu (trixie) failed (see $log)"
        orig=$(ls "$root"/tmp/qsrc/qemu_*.orig.tar.* | head -1)
        mkdir -p "$vdir"
        tar -C "$vdir" -xf "$orig" --strip-components=3 --wildcards '*/subprojects/libvfio-user/*' >>"$log" 2>&1 ||
                fail "no subprojects/libvfio-user in $orig"
        [ -f "$vdir/include/libvfio-user.h" ] || fail "no include/libvfio-user.h under $vdir"
        basename "$orig" >"$vdir/.origin"
        rm -rf "$root/tmp/qsrc"
        touch "$vdir/.ready"
fi

# ---- libvfio-user: built here, on the host, for mlx5-pci-fn (a static library, not installed) ----
if [ ! -f "$vdir/build/libvfio-user.a" ]; then
        command -v pkg-config >/dev/null && pkg-config --exists json-c ||
                fail "libvfio-user needs json-c (install libjson-c-dev: tools/install-deps)"
        rm -rf "$vdir/build.tmp" && mkdir -p "$vdir/build.tmp"
        for f in dma irq libvfio-user migration pci pci_caps tran tran_sock; do
                gcc -O2 -fPIC -D_GNU_SOURCE -I"$vdir/include" -I"$vdir/lib" $(pkg-config --cflags json-c) \
                        -c "$vdir/lib/$f.c" -o "$vdir/build.tmp/$f.o" >>"$log" 2>&1 ||
                        fail "building libvfio-user's lib/$f.c (see $log)"
        done
        ar rcs "$vdir/build.tmp/libvfio-user.a" "$vdir"/build.tmp/*.o
        rm -f "$vdir"/build.tmp/*.o
        mv "$vdir/build.tmp" "$vdir/build"
fi

cat "$kdir/env"
echo "ROOT=$root"
echo "KROOT=$kdir/kroot"
echo "FWCTL_DIR=$kdir"
echo "LIBVFIO_USER_SRC=$vdir"
echo "QEMU_VERSION=$qemu_version"
