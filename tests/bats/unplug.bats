#!/usr/bin/env bats
# A function that goes away without udev saying so (its node answers
# ENODEV, as an orphaned file does): the simulator's unplug=INDEX@MS.

bats_require_minimum_version 1.5.0
load helpers

GONE=0000:08:00.1
STAYS=0000:08:00.0

setup_file() {
        mount_suite "devices=2,seed=5,unplug=1@4000"
}

# wait_gone: reads of $GONE fail from the unplug on, then it leaves the root within 1 s.
wait_gone() {
        local i
        for i in $(seq 150); do
                cat "$MNT/$GONE/info" >/dev/null 2>&1 || break
                sleep 0.1
        done
        [ "$i" -lt 150 ] || { echo "$GONE still reads after 15 s"; return 1; }
        for i in $(seq 10); do
                [ -e "$MNT/$GONE" ] || return 0
                sleep 0.1
        done
        echo "$GONE failed to read but is still listed 1 s later"
        return 1
}

@test "an unplugged function disappears; a file open across it reads and stats ENODEV" {
        [ -d "$MNT/$GONE" ]
        exec 7<"$MNT/$GONE/caps/current/general"
        run -0 wait_gone
        run -1 cat <&7
        assert_output --partial "No such device"
        run -1 stat -L /dev/fd/7
        assert_output --partial "No such device"
        exec 7<&-
        run -0 ls "$MNT"
        assert_output "$(printf '%s\n' "$STAYS" by-name metrics)"
}

@test "the daemon says why, once" {
        run -0 grep -c "$GONE: removed (sim (embedded simulator) answers ENODEV)" "$BATS_FILE_TMPDIR/daemon.log"
        assert_output 1
}

@test "paths into it are ENOENT now" {
        run -1 cat "$MNT/$GONE/info"
        assert_output --partial "No such file or directory"
}

@test "the other function still serves, whole" {
        run -0 tar -C "$MNT" -cf "$BATS_TEST_TMPDIR/stays.tar" "$STAYS"
        assert_output ""
        kill -0 "$(daemon_pid)"
}

@test "SIGTERM unmounts cleanly with status 0" {
        kill -TERM "$(daemon_pid)"
        run -0 wait_daemon
}
