#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs inside the guest (started by tests/vm/guest-init.sh): the bats suite
# guest-pci.bats against the emulated ConnectX function, then the guest's
# dmesg and timing to the shared out/ directory.  Paths come from /out/env.
set -u
# shellcheck source=/dev/null
. /out/env
export KVER SERIES FWCTL_DIR DAEMON VERBS SOURCE_ROOT FW_LOG PCI_ADDR QMP_HOTPLUG_BLOCKED MLX5DBGFS_SCHEMA_DIR
start=$EPOCHREALTIME
bats --formatter tap "$(dirname "$0")/guest-pci.bats"
status=$?
dmesg >/out/dmesg
awk -v a="$start" -v b="$EPOCHREALTIME" -v u="$(cut -d' ' -f1 /proc/uptime)" \
        'BEGIN { printf "bats suite %.1f s, guest uptime at the end %s s\n", b - a, u }' >>/out/timing
exit $status
