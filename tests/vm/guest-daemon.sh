# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Sourced by guest-suite.sh: the daemon over /dev/mlx5ctl-* nodes (no --sim),
# served by mlx5sim-server with $spec running.  Uses its t, wait_for,
# stop_server and emu_sysfs.
# shellcheck disable=SC2154

mnt=/tmp/mlx5dbgfs
sim_mnt=/tmp/mlx5dbgfs-sim
dev0=0000:08:00.0
dev1=0000:08:00.1
mkdir -p "$mnt" "$sim_mnt" /tmp/untar

# mount_daemon DIR ARGS...: starts the daemon in the foreground, pid in $daemon_pid.
mount_daemon() {
        local dir=$1 tenths=300
        shift
        "$DAEMON" -f "$@" "$dir" 2>>/tmp/daemon.log &
        daemon_pid=$!
        until mountpoint -q "$dir"; do
                if ! kill -0 "$daemon_pid" 2>/dev/null || [ $((tenths -= 1)) -le 0 ]; then
                        cat /tmp/daemon.log
                        return 1
                fi
                sleep 0.1
        done
}

unmount_daemon() {
        umount "$1" && wait "$2"
}

read_all() {
        find "$1" -type f -print0 | xargs -0 cat >/dev/null
}

info_says() {
        grep -qx "$2" "$1/info" || { cat "$1/info"; return 1; }
}

# debugfs_fixture MANIFEST SIM_PCI KERNEL_PCI: what mlx5 debugfs would show of
# the emulated function (its QPs/, CQs/, EQs/ per the simulator's host view),
# as a directory under $MLX5DBGFS_DEBUGFS_ROOT: the emulated drivers create no
# debugfs, and the daemon reads this one exactly as it reads the kernel's.
export MLX5DBGFS_DEBUGFS_ROOT=/tmp/debugfs
debugfs_fixture() {
        local manifest=$1 sim=$2 pci=$3 dir
        declare -A dirs=([qp]=QPs [cq]=CQs [eq]=EQs)
        rm -rf "${MLX5DBGFS_DEBUGFS_ROOT:?}/mlx5/$pci"
        for dir in QPs CQs EQs; do
                mkdir -p "$MLX5DBGFS_DEBUGFS_ROOT/mlx5/$pci/$dir"
        done
        awk -v s="$sim" '$1 == s && $6 ~ /debugfs/ { print $2, $3 }' "$manifest" |
                while read -r type id; do
                        mkdir "$MLX5DBGFS_DEBUGFS_ROOT/mlx5/$pci/${dirs[$type]}/$id"
                done
}

"$MANIFEST" "$spec" >/tmp/mlx5ctl.manifest
debugfs_fixture /tmp/mlx5ctl.manifest "$dev0" "$dev0"
debugfs_fixture /tmp/mlx5ctl.manifest "$dev1" "$dev1"
t "fuse is available" modprobe fuse
# Nothing below can run without it: one failure says so.
# -o debugfs_root alone says where the fixture is here (the environment's root: the fwctl suite).
unset MLX5DBGFS_DEBUGFS_ROOT
t "the daemon mounts the mlx5ctl devices" mount_daemon "$mnt" -o ttl=3600,debugfs_root=/tmp/debugfs
mounted=$?
export MLX5DBGFS_DEBUGFS_ROOT=/tmp/debugfs
[ "$mounted" = 0 ] || return 0
t "it shows both functions" test -d "$mnt/$dev0" -a -d "$mnt/$dev1"
t "their info names the mlx5ctl transport" info_says "$mnt/$dev0" "transport: mlx5ctl"
t "and the emulated node" info_says "$mnt/$dev0" "device_node: /dev/mlx5ctl-mlx5ctl_emu.ctl.0"
t "and a user context with tools resources" info_says "$mnt/$dev0" "uctx_cap: 0x4"
t "every file of both functions reads" read_all "$mnt"
t "grep finds healthy completion queues" bash -c "grep -rl 'status: OK' '$mnt/$dev0/cq' | grep -q ."
t "the embedded simulator mounts alongside" mount_daemon "$sim_mnt" --sim="$spec" -o ttl=3600
sim_pid=$daemon_pid
# The embedded simulator has RDMA netlink too, which alone shows MRs and owners: the trees are
# one but for what the host's own views add (the JSON twins, owner/, the summaries' pid and comm
# name the host's function, RDMA device and processes; MKEY dump segments list the MRs netlink
# found; views.bats and json.bats prove those against the text), and the vport's traffic
# counters, which grow with each simulator's uptime.
t "the tree over mlx5ctl equals the embedded simulator's" \
        diff -r -x info -x .stats -x 'mkey*' -x vport_counter -x json -x owner -x summary \
                -x MKEY_CONTEXT -x PRM_QUERY_MKEY "$mnt/$dev0" "$sim_mnt/$dev0"
t "tar round trip" bash -c "tar -C '$mnt' -cf /tmp/mlx5dbgfs.tar '$dev0' && tar -C /tmp/untar -xf /tmp/mlx5dbgfs.tar &&
        diff -r -x vport_counter '/tmp/untar/$dev0' '$mnt/$dev0'"
t "the simulator unmounts" unmount_daemon "$sim_mnt" "$sim_pid"
t "the daemon unmounts and exits 0" unmount_daemon "$mnt" "$daemon_pid"

# Removal under a running tar, with a short TTL so tar really reaches firmware.
t "the daemon mounts again, ttl=0.2" mount_daemon "$mnt" -o ttl=0.2
rm -f /tmp/tar.status
(tar -C "$mnt" -cf /tmp/removal.tar . 2>/tmp/tar.err; echo $? >/tmp/tar.status) &
sleep 0.5
t "a function is removed while tar reads it" bash -c "echo 1 > $emu_sysfs/remove_device"
t "tar ends" wait_for 1200 test -s /tmp/tar.status
echo "# tar exit status $(cat /tmp/tar.status 2>/dev/null), $(wc -l </tmp/tar.err 2>/dev/null) error lines"
t "the daemon is still running" kill -0 "$daemon_pid"
sleep 0.3
t "the removed function no longer reads" bash -c "! cat '$mnt/$dev1/info' 2>/dev/null"
t "the other function still reads" read_all "$mnt/$dev0"
t "the daemon unmounts and exits 0 after the removal" unmount_daemon "$mnt" "$daemon_pid"
cp /tmp/daemon.log /tmp/tar.err /out/ 2>/dev/null

stop_server
t "without firmware the daemon fails and names the cause" bash -c "! timeout 60 '$DAEMON' -f '$mnt' 2>/tmp/nofw.log;
        cat /tmp/nofw.log; grep -q 'no firmware behind it' /tmp/nofw.log"
