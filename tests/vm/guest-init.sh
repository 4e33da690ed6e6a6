#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# PID 1 of the VM suite's initramfs (busybox).  Gives the guest the host's
# / read-only over 9p with a tmpfs overlay on top (writes stay in guest
# RAM), the guest kernel's modules at /lib/modules/$(uname -r), then runs
# the script named by mlx5_guest= on the kernel command line and powers
# off.  Its exit status goes to the writable share /out (tag "out").
# mlx5_guest and mlx5_modroot come from the kernel command line.
# shellcheck disable=SC2154
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
while read -r m; do
        insmod "/mods/$m" || echo "guest-init: insmod $m failed"
done </modules.list
mkdir -p /lower /rw /newroot /out
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose hostroot /lower ||
        { echo "guest-init: cannot mount the host root"; poweroff -f; }
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out /out ||
        { echo "guest-init: cannot mount the out share"; poweroff -f; }
mount -t tmpfs -o mode=755 tmpfs /rw
mkdir -p /rw/upper /rw/work
R=/newroot
mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work $R ||
        { echo "guest-init: overlay failed"; poweroff -f; }
mount -t proc proc $R/proc
mount -t sysfs sys $R/sys
mount -t devtmpfs dev $R/dev
mkdir -p $R/dev/pts $R/dev/shm $R/sys/kernel/debug
mount -t devpts devpts $R/dev/pts
mount -t tmpfs tmpfs $R/dev/shm
mount -t debugfs debugfs $R/sys/kernel/debug 2>/dev/null
# devtmpfs has none of the links udev makes; bash needs /dev/fd.
ln -sf /proc/self/fd $R/dev/fd
ln -sf /proc/self/fd/0 $R/dev/stdin
ln -sf /proc/self/fd/1 $R/dev/stdout
ln -sf /proc/self/fd/2 $R/dev/stderr
kver=$(uname -r)
if [ -n "$mlx5_modroot" ] && [ "$mlx5_modroot" != / ]; then
        mkdir -p "$R/lib/modules/$kver"
        mount --bind "$R$mlx5_modroot/lib/modules/$kver" "$R/lib/modules/$kver"
fi
mkdir -p $R/out
mount --bind /out $R/out
# The firmware's last words have no newline: start the script's output on a line of its own.
echo
chroot $R /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root TERM=dumb LANG=C.UTF-8 /bin/bash "$mlx5_guest" </dev/console >/dev/console 2>&1
rc=$?
echo "$rc" > /out/exit-status
sync
umount $R/out /out 2>/dev/null
echo "guest-init: exit status $rc"
poweroff -f
