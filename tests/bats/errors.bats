#!/usr/bin/env bats
# Firmware errors reach the reader as EIO and never take the daemon down.

bats_require_minimum_version 1.5.0
load helpers

SPEC="seed=3,fail=QUERY_CQ"

setup_file() {
        mount_suite "$SPEC"
}

setup() {
        skip_without_fuse
        DEV=$(ls "$MNT" | head -1)
}

@test "a failing query command gives EIO" {
        cq=$(ls "$MNT/$DEV/cq" | head -1)
        [ -n "$cq" ]
        run -1 cat "$MNT/$DEV/cq/$cq"
        assert_output --partial "Input/output error"
}

@test "the failure is logged with opcode, status name and syndrome" {
        run -0 grep -E 'QUERY_CQ 0x[0-9a-f]+ failed: firmware status BAD_SYS_STATE \(0x4\), syndrome 0x[0-9a-f]{8}' \
                "$BATS_FILE_TMPDIR/daemon.log"
        refute_output --partial "syndrome 0x00000000"
}

@test "the mount keeps working after firmware errors" {
        cq=$(ls "$MNT/$DEV/cq" | head -1)
        for _ in 1 2 3; do
                run -1 cat "$MNT/$DEV/cq/$cq"
        done
        qp=$(ls "$MNT/$DEV/qp" | head -1)
        run -0 cat "$MNT/$DEV/qp/$qp"
        assert_line --regexp '^state: '
        kill -0 "$(daemon_pid)"
}

@test "the firmware saw the failed commands and counted them" {
        sleep 1.1
        run -0 grep -E "^$DEV\.failed\.QUERY_CQ: [1-9]" "$MNT/.stats"
        run -0 grep -E "^$DEV\.errors\.firmware: [1-9]" "$MNT/.stats"
}

@test "SIGTERM unmounts cleanly with status 0" {
        pid=$(daemon_pid)
        kill -TERM "$pid"
        run -0 wait_daemon
        run ! mountpoint -q "$MNT"
}
