# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Sourced by guest-suite.sh: the test-only fwctl double, fwctl_emu.ko, over
# emulated functions hung on qemu's edu PCI devices ($FWCTL_PCI) and served
# by a fresh mlx5sim-server; the daemon over it (guest-fwctl-daemon.sh) when
# there is one.  Uses t, wait_for, start_server, stop_server, emu_sysfs, log,
# population.
# shellcheck disable=SC2154

fw_spec="devices=3,$population"
read -r pci_a pci_b pci_c <<<"$FWCTL_PCI"
fwctl_ko=$KBUILD/fwctl_emu/fwctl_emu.ko

# fwctl_node PCI: the /dev/fwctl node of the function on that PCI device.
fwctl_node() {
        local d
        for d in "/sys/bus/pci/devices/$1/fwctl/"fwctl*; do
                [ -e "$d" ] && echo "/dev/fwctl/${d##*/}"
        done
}

# under_pci SYSFS_DEVICE PCI: the device sits below that PCI function.
under_pci() {
        local path
        path=$(readlink -f "$1")
        echo "$path"
        [[ "$path" == "$(readlink -f "/sys/bus/pci/devices/$2")"/* ]]
}

# This part starts from no function, and a firmware of its own.
stop_server
while read -r index _; do
        echo "$index" >"$emu_sysfs/remove_device"
done <"$emu_sysfs/devices"
start_server --spec "$fw_spec"

t "qemu gave the guest PCI functions $FWCTL_PCI" \
        test -d "/sys/bus/pci/devices/$pci_a" -a -d "/sys/bus/pci/devices/$pci_b" -a -d "/sys/bus/pci/devices/$pci_c"
t "fwctl_emu.ko refuses to load without i_am_a_test=1" \
        bash -c "! insmod '$fwctl_ko' && dmesg | grep -q 'test-only fwctl double'"
t "fwctl_emu.ko loads with i_am_a_test=1" insmod "$fwctl_ko" i_am_a_test=1
t "its class fwctl exists, still without devices" test -d /sys/class/fwctl -a -z "$(ls /sys/class/fwctl 2>&1)"
t "fwctl needs a PCI function: none is named 0000:00:1f.7 (ENODEV)" \
        bash -c "! echo '0 0000:00:1f.7 fwctl' 2>/tmp/e >$emu_sysfs/add_device; grep -q 'No such device' /tmp/e"
t "an unknown interface name is refused (EINVAL)" \
        bash -c "! echo '0 $pci_a fwctl,rdma' 2>/tmp/e >$emu_sysfs/add_device; grep -q 'Invalid argument' /tmp/e"
t "a function offering fwctl only is added on $pci_a" bash -c "echo '0 $pci_a fwctl' >$emu_sysfs/add_device"
node_a=$(fwctl_node "$pci_a")
t "it has a node /dev/fwctl/fwctlN" bash -c "[[ '$node_a' == /dev/fwctl/fwctl* ]] && test -c '$node_a'"
t "its class device is the PCI function's child" under_pci "/sys/class/fwctl/${node_a##*/}" "$pci_a"
t "the node is root-only (0600)" test "$(stat -c %a "$node_a")" = 600
t "it has no mlx5ctl node" test ! -e /dev/mlx5ctl-mlx5ctl_emu.ctl.0

suite_start=$EPOCHREALTIME
"$FWCTL_CLIENT" suite "$node_a" "$pci_a" 0 "$log" || failures=$((failures + 1))
awk -v a="$suite_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%6.2f s  fwctl-abi-test suite\n", b - a }' >>/out/timing
node_a=$(fwctl_node "$pci_a")

t "a function offering mlx5ctl and fwctl is added on $pci_b" \
        bash -c "echo '1 $pci_b mlx5ctl,fwctl' >$emu_sysfs/add_device"
node_b=$(fwctl_node "$pci_b")
t "its fwctl node $node_b is the PCI function's child" under_pci "/sys/class/fwctl/${node_b##*/}" "$pci_b"
t "and so is its mlx5ctl node" under_pci /sys/class/misc/mlx5ctl-mlx5ctl_emu.ctl.1 "$pci_b"
t "the emulator lists both functions with their interfaces" bash -c "cat $emu_sysfs/devices;
        grep -qx '0 $pci_a mlx5ctl_emu.fwctl.0' $emu_sysfs/devices &&
        grep -qx '1 $pci_b mlx5ctl_emu.ctl.1 mlx5ctl_emu.fwctl.1' $emu_sysfs/devices"

if [ -n "$DAEMON" ] && [ -x "$DAEMON" ]; then
        # shellcheck source=/dev/null
        . "$(dirname "$0")/guest-fwctl-daemon.sh"
else
        echo "ok - the daemon over /dev/fwctl/* # SKIP no daemon binary given"
fi

exec 4<>"$node_b"
t "fwctl_emu.ko stays loaded while one of its files is open" bash -c '! rmmod fwctl_emu 2>/dev/null'
exec 4>&-
t "fwctl_emu.ko unloads with functions bound: their fwctl nodes go, mlx5ctl's stay" \
        bash -c "rmmod fwctl_emu && test ! -e /sys/class/fwctl && test ! -e /dev/fwctl/${node_b##*/} &&
                 test -c /dev/mlx5ctl-mlx5ctl_emu.ctl.1"
