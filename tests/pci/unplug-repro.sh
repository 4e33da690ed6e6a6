#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hot removal of a vfio-user device from QEMU with no guest at all: QEMU
# (the trixie chroot's, qtest accelerator) gets one vfio-user-pci device
# served by SERVER, then device_del and the ACPI eject (qtest-unplug.py).
# Prints what QEMU said, its vfio trace and, when it dumped core and gdb is
# here, the backtrace and the memory regions on the failing frame
# (unplug-core.gdb.py).  tests/pci/README.md ("Hot removal") has the result.
#
#   unplug-repro.sh [--brief] WORK_DIR SERVER ARGS...    ({sock} in ARGS: the socket)
#
# Exit 0: QEMU removed the device (DEVICE_DELETED); 1: it did not (died or
# hung); 2: the setup failed.  --brief: the verdict line only (run-pci.sh).
# ROOT (the chroot) from the environment, else from vm-setup.sh.
set -uo pipefail

brief=0
[ "${1:-}" = --brief ] && { brief=1; shift; }
[ $# -ge 2 ] || { echo "usage: $0 [--brief] WORK_DIR SERVER ARGS..." >&2; exit 2; }
here=$(dirname "$(realpath "$0")")
mkdir -p "$1" || exit 2
work=$(realpath "$1")
shift
if [ -z "${ROOT:-}" ]; then
        eval "$("$here/vm-setup.sh" 2>/dev/null)" || { echo "unplug-repro: vm-setup.sh failed" >&2; exit 2; }
fi
sock=$work/fn.sock
rm -f "$sock" "$work"/qmp.sock "$work"/qtest.sock "$work"/core "$work"/core.*
args=()
for a in "$@"; do args+=("${a//\{sock\}/$sock}"); done

"${args[@]}" >"$work/server.out" 2>&1 &
server=$!
qemu=
cleanup() {
        [ -n "$qemu" ] && kill "$qemu" 2>/dev/null
        kill "$server" 2>/dev/null
        wait 2>/dev/null
}
trap cleanup EXIT
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || { cat "$work/server.out" >&2; echo "unplug-repro: ${args[0]} made no socket" >&2; exit 2; }

# A core of QEMU without its guest RAM (coredump_filter: private memory and ELF headers
# only); none for --brief.
(
        if [ "$brief" = 0 ]; then
                ulimit -c unlimited
                echo 0x31 >/proc/self/coredump_filter
        else
                ulimit -c 0
        fi
        timeout -k 5 60 "$here/qemu-in-root.sh" "$ROOT" "/host$work" qemu-system-x86_64 \
                -accel qtest -machine pc -m 128 -nodefaults -display none \
                -device "{\"driver\":\"vfio-user-pci\",\"id\":\"fn\",\"addr\":\"0x5\",\"socket\":{\"type\":\"unix\",\"path\":\"/host$sock\"}}" \
                -qmp "unix:/host$work/qmp.sock,server=on,wait=off" \
                -qtest "unix:/host$work/qtest.sock,server=on,wait=off" \
                -trace vfio_msix_early_setup -trace vfio_region_exit -trace vfio_region_finalize
        exit  # with QEMU's status, not its signal: no job notice from this shell
) >"$work/qemu.out" 2>&1 &
qemu=$!
python3 "$here/qtest-unplug.py" "$work/qmp.sock" "$work/qtest.sock" fn 5 >"$work/unplug.out" 2>&1
removed=$?
wait "$qemu" 2>/dev/null
qemu_status=$?
qemu=

said=$(grep -m1 -E 'Assertion|Segmentation|Abort|error' "$work/qemu.out" || true)
if [ "$removed" = 0 ]; then
        verdict="QEMU removed the device (DEVICE_DELETED)"
else
        verdict="QEMU did not remove the device (exit status $qemu_status): ${said:-no message}"
fi
echo "unplug-repro: ${args[0]##*/}: $verdict"
[ "$brief" = 1 ] && exit $((removed != 0))

echo "---- QMP and qtest ----"
cat "$work/unplug.out"
echo "---- QEMU (trace: vfio_msix_early_setup, vfio_region_exit, vfio_region_finalize) ----"
grep -v '^\[' "$work/qemu.out"
core=
for f in "$work"/core "$work"/core.*; do [ -f "$f" ] && { core=$f; break; }; done
if [ -n "$core" ] && command -v gdb >/dev/null; then
        echo "---- gdb: $core ----"
        gdb -batch -ex "set sysroot $ROOT" -ex bt -x "$here/unplug-core.gdb.py" \
                "$ROOT/usr/bin/qemu-system-x86_64" "$core" 2>/dev/null | grep -E '^#[0-9]|^frame' | awk '!seen[$0]++'
fi
exit $((removed != 0))
