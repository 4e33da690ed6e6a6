#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Unpacks Debian's linux-image matching the installed linux-headers-amd64
# into $MLX5DBGFS_VM_CACHE (default /var/cache/mlx5dbgfs-vm), for
# run-vm.sh, without installing it: /boot and /lib/modules stay untouched.
set -euo pipefail

cache=${MLX5DBGFS_VM_CACHE:-/var/cache/mlx5dbgfs-vm}
kver=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 |
        sed -n 's/.*linux-headers-\([0-9][^ ,]*-amd64\).*/\1/p')
[ -n "$kver" ] || { echo "fetch-kernel: linux-headers-amd64 is not installed" >&2; exit 1; }
kroot=$cache/kroot-$kver
if [ -f "$kroot/boot/vmlinuz-$kver" ] && [ -f "$kroot/lib/modules/$kver/modules.dep" ]; then
        echo "$kroot"
        exit 0
fi

mkdir -p "$cache"
rm -rf "$kroot.tmp" "$cache"/linux-image-"$kver"_*.deb
(cd "$cache" && apt-get download -o APT::Sandbox::User=root "linux-image-$kver" >&2)
dpkg -x "$cache"/linux-image-"$kver"_*.deb "$kroot.tmp"
# The package's postinst makes modules.dep; we install nothing, so make it here.
depmod -b "$kroot.tmp" "$kver"
rm -rf "$kroot"
mv "$kroot.tmp" "$kroot"
rm -f "$cache"/linux-image-"$kver"_*.deb
echo "$kroot"
