#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs inside the qemu guest (Debian's kernel), started by guest-init.sh.
# Loads mlx5ctl.ko and the test-only mlx5ctl_emu.ko, serves the emulated
# devices with mlx5sim-server and checks the driver through them; then the
# test-only fwctl double fwctl_emu.ko the same way (guest-fwctl.sh).  Prints
# TAP lines without numbers; run-vm.sh numbers them.  Paths come from
# /out/env, written by run-vm.sh.
set -u
# shellcheck source=/dev/null
. /out/env

log=/tmp/mlx5sim.log
# Every type populated, yet small enough that reading whole trees under TCG
# on a loaded 2-core machine stays in the time budget (the scale suites run
# on the host).
population="seed=7,qp=16,cq=8,eq=4,mkey=8,sq=4,rq=4,dct=4,q_counter=4,rmp=4,rqt=4,srq=4,tir=4,tis=4,xrc_srq=4"
spec="devices=2,$population"
emu_sysfs=/sys/class/misc/mlx5ctl_emu
node0=/dev/mlx5ctl-mlx5ctl_emu.ctl.0
node1=/dev/mlx5ctl-mlx5ctl_emu.ctl.1
failures=0
server_pid=

# t DESCRIPTION COMMAND...: one TAP line; the command's output as comments when it fails.
# Returns the command's success, so a suite can stop where the rest cannot run.
t() {
        local desc=$1 start=$EPOCHREALTIME
        shift
        local status=0
        if "$@" >/tmp/t.out 2>&1; then
                echo "ok - $desc"
        else
                status=1
                echo "not ok - $desc"
                sed 's/^/# /' /tmp/t.out
                failures=$((failures + 1))
        fi
        awk -v a="$start" -v b="$EPOCHREALTIME" -v d="$desc" 'BEGIN { printf "%6.2f s  %s\n", b - a, d }' >>/out/timing
        return $status
}

# Waits up to $1 tenths of a second for the command to succeed.
wait_for() {
        local tenths=$1
        shift
        while ! "$@" 2>/dev/null; do
                tenths=$((tenths - 1))
                [ "$tenths" -gt 0 ] || return 1
                sleep 0.1
        done
}

start_server() {
        "$SERVER" --log "$log" "$@" >>/tmp/server.out 2>&1 &
        server_pid=$!
}

stop_server() {
        [ -n "$server_pid" ] || return 0
        kill -TERM "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
        server_pid=
}

# rpc_gives NODE WANT: one QUERY_HCA_CAP through NODE prints WANT (ok... or an errno name).
rpc_gives() {
        local got
        got=$("$CLIENT" rpc "$1")
        echo "got: $got"
        [[ "$got" == "$2"* ]]
}

timed_rpc_gives() {
        local start=$EPOCHREALTIME
        rpc_gives "$1" "$2" || return 1
        awk -v a="$start" -v b="$EPOCHREALTIME" -v max="$3" 'BEGIN { d = b - a; print "took " d " s"; exit !(d < max) }'
}

dmesg_clean() {
        ! dmesg | grep -E 'WARNING:|BUG:|Oops|general protection|Call Trace|UBSAN|refcount_t|list_(add|del) corruption|lockdep'
}

t "guest runs Debian's kernel ($(uname -r))" test -d "/lib/modules/$(uname -r)/kernel"
t "modules built with W=1 without warnings" test "$KBUILD_WARNINGS" = 0
t "mlx5_core loads (mlx5ctl.ko needs its mlx5_cmd_do)" modprobe mlx5_core
t "mlx5ctl.ko loads" insmod "$KBUILD/mlx5ctl/mlx5ctl.ko"
t "mlx5ctl_emu.ko refuses to load without i_am_a_test=1" \
        bash -c "! insmod '$KBUILD/mlx5ctl_emu/mlx5ctl_emu.ko' && dmesg | grep -q 'test-only emulated device'"
t "mlx5ctl_emu.ko loads with i_am_a_test=1" insmod "$KBUILD/mlx5ctl_emu/mlx5ctl_emu.ko" i_am_a_test=1
t "the kernel is tainted as having run a test module" \
        bash -c "(( \$(cat /proc/sys/kernel/tainted) & (1 << 18) ))"
t "the emulator's control node exists" test -c /dev/mlx5ctl_emu

start_server --spec "$spec" --add
t "mlx5sim-server adds two emulated devices" wait_for 300 test -c "$node0" -a -c "$node1"
t "the devices are listed" bash -c "cat $emu_sysfs/devices; test \$(wc -l < $emu_sysfs/devices) = 2"
t "the nodes are root-only (0600)" test "$(stat -c %a "$node0")" = 600
pci0=$(awk '$1 == 0 { print $2 }' "$emu_sysfs/devices")

suite_start=$EPOCHREALTIME
"$CLIENT" suite "$node0" "$pci0" 0 "$log" || failures=$((failures + 1))
awk -v a="$suite_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%6.2f s  mlx5ctl-abi-test suite\n", b - a }' >>/out/timing
t "the other device still answers" rpc_gives "$node1" ok
t "a second firmware server is refused" bash -c "! '$SERVER' --control /dev/mlx5ctl_emu"

echo 1000 >/sys/module/mlx5ctl_emu/parameters/cmd_timeout_ms
kill -STOP "$server_pid"
t "a stuck firmware times out (ETIMEDOUT) instead of hanging" timed_rpc_gives "$node0" ETIMEDOUT 10
kill -CONT "$server_pid"
t "the firmware answers again once resumed" rpc_gives "$node0" ok
echo 10000 >/sys/module/mlx5ctl_emu/parameters/cmd_timeout_ms
stop_server
t "without firmware commands fail at once (ENOTCONN)" timed_rpc_gives "$node0" ENOTCONN 2
start_server --spec "$spec"
t "a restarted firmware serves the existing devices" wait_for 100 rpc_gives "$node0" ok

# Unload and reload, with a file left open across the removal of its device.
exec 3<>"$node1"
stop_server
t "mlx5ctl_emu.ko unloads under an open file" rmmod mlx5ctl_emu
t "the open file keeps mlx5ctl.ko loaded" bash -c '! rmmod mlx5ctl'
exec 3>&-
t "mlx5ctl.ko unloads once it is closed" rmmod mlx5ctl
t "mlx5ctl.ko reloads" insmod "$KBUILD/mlx5ctl/mlx5ctl.ko"
t "mlx5ctl_emu.ko reloads" insmod "$KBUILD/mlx5ctl_emu/mlx5ctl_emu.ko" i_am_a_test=1
start_server --spec "$spec" --add
t "a reloaded device answers" wait_for 300 rpc_gives "$node1" ok

# ---- the daemon over the mlx5ctl nodes ----
if [ -n "$DAEMON" ] && [ -x "$DAEMON" ]; then
        # shellcheck source=/dev/null
        . "$(dirname "$0")/guest-daemon.sh"
else
        echo "ok - the daemon over /dev/mlx5ctl-* # SKIP no daemon binary given"
fi

# ---- fwctl: the test double, and the daemon over it ----
# shellcheck source=/dev/null
. "$(dirname "$0")/guest-fwctl.sh"

stop_server
t "both modules unload" bash -c 'rmmod mlx5ctl_emu && rmmod mlx5ctl'
t "dmesg has no warning, BUG or oops" dmesg_clean
if [ -e /sys/kernel/debug/kmemleak ]; then
        echo scan >/sys/kernel/debug/kmemleak
        t "kmemleak finds no leak" test ! -s /sys/kernel/debug/kmemleak
else
        echo "ok - kmemleak scan # SKIP this kernel has no CONFIG_DEBUG_KMEMLEAK"
fi

dmesg >/out/dmesg
echo "guest uptime at the end: $(cut -d' ' -f1 /proc/uptime) s" >>/out/timing
cp /tmp/server.out /out/server.out 2>/dev/null
[ "$failures" = 0 ]
