# Shared by the bats suites: mount a simulated device, find the simulator's truth.
# shellcheck shell=bash

: "${MLX5DBGFS:?MLX5DBGFS must name the daemon binary}"
: "${MLX5SIM_MANIFEST:?MLX5SIM_MANIFEST must name the manifest tool}"

bats_load_library bats-support
bats_load_library bats-assert

# Why FUSE cannot be used here, or nothing. (skip in setup_file fails on bats 1.8.)
fuse_unusable_reason() {
        [ -c /dev/fuse ] || { echo "no /dev/fuse"; return; }
        command -v fusermount3 >/dev/null || { echo "no fusermount3"; return; }
        [ "$(id -u)" = 0 ] || [ -u "$(command -v fusermount3)" ] || { echo "fusermount3 is not setuid"; return; }
}

# For a suite's setup_file: mount_suite SPEC [daemon options...] mounts at
# $MNT, or records why FUSE cannot be used so that every test skips.
mount_suite() {
        FUSE_UNUSABLE=$(fuse_unusable_reason)
        export FUSE_UNUSABLE
        [ -n "$FUSE_UNUSABLE" ] && return 0
        start_mount "$@"
        export MNT
}

skip_without_fuse() {
        [ -z "${FUSE_UNUSABLE:-}" ] || skip "$FUSE_UNUSABLE"
}

# For a setup() of suites whose tests each mount their own device.
skip_unless_fuse_usable() {
        FUSE_UNUSABLE=$(fuse_unusable_reason)
        skip_without_fuse
}

# Defaults for suites that mount; a suite may define its own.
setup() {
        skip_without_fuse
}

teardown_file() {
        [ -n "${FUSE_UNUSABLE:-}" ] || stop_mount
}

# start_mount SPEC [daemon options...]: mounts at $MNT, daemon pid in $BATS_FILE_TMPDIR/pid
start_mount() {
        local spec=$1
        shift
        MNT=$BATS_FILE_TMPDIR/mnt
        mkdir -p "$MNT"
        # A suite may mount more than once: never wait on the last daemon's pid.
        rm -f "$BATS_FILE_TMPDIR/exit" "$BATS_FILE_TMPDIR/pid"
        # The daemon is not a child of later test shells: a wrapper records its exit status.
        (
                "$MLX5DBGFS" --sim="$spec" -f "$@" "$MNT" 2>"$BATS_FILE_TMPDIR/daemon.log" &
                echo $! >"$BATS_FILE_TMPDIR/pid"
                wait $!
                echo $? >"$BATS_FILE_TMPDIR/exit"
        ) 3>&- &
        for _ in $(seq 50); do
                [ -s "$BATS_FILE_TMPDIR/pid" ] && break
                sleep 0.1
        done
        for _ in $(seq 150); do
                mountpoint -q "$MNT" && return 0
                kill -0 "$(cat "$BATS_FILE_TMPDIR/pid")" 2>/dev/null || break
                sleep 0.1
        done
        echo "mount failed:" >&2
        cat "$BATS_FILE_TMPDIR/daemon.log" >&2
        return 1
}

daemon_pid() {
        cat "$BATS_FILE_TMPDIR/pid"
}

# Waits (up to 10 s) for the daemon to end; returns its exit status.
wait_daemon() {
        for _ in $(seq 100); do
                [ -s "$BATS_FILE_TMPDIR/exit" ] && return "$(cat "$BATS_FILE_TMPDIR/exit")"
                sleep 0.1
        done
        return 124
}

# Unmounts and waits for the daemon; returns its exit status.
stop_mount() {
        local pid
        [ -s "$BATS_FILE_TMPDIR/pid" ] || return 0
        pid=$(daemon_pid)
        if mountpoint -q "$MNT"; then
                fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT" 2>/dev/null || true
        fi
        wait_daemon && return 0
        local status=$?
        # A daemon that outlives its unmount: where each of its threads waits, for the failure's message.
        if [ "$status" = 124 ] && command -v gdb >/dev/null; then
                echo "the daemon (pid $pid) did not exit within 10 s of the unmount; its threads:" >&2
                gdb -p "$pid" -batch -ex "thread apply all bt 16" 2>/dev/null | grep -E '^(Thread|#)' >&2
        fi
        kill -9 "$pid" 2>/dev/null
        return "$status"
}

# manifest SPEC: "<pci> <type> 0x<id> <state> <creator> <views> <refs>" per simulated object
manifest() {
        "$MLX5SIM_MANIFEST" "$1"
}

# expected_listing MANIFEST: "<pci> <type> 0x<id>" for every object a host can
# list: what its views show, its probe spaces (bounded by the caps the mount
# shows) and what those objects' contexts name (tests/tools/expected-listing).
expected_listing() {
        local caps=() dev
        for dev in $(awk '{ print $1 }' "$1" | sort -u); do
                caps+=(--caps "$dev=$MNT/$dev/caps/current/general")
        done
        "$BATS_TEST_DIRNAME/../tools/expected-listing" "$1" "$BATS_TEST_DIRNAME/../../schema" "${caps[@]}"
}

# The firmware's own count of one opcode, from .stats.
firmware_count() {
        local dev=$1 opcode=$2
        awk -F': ' -v k="$dev.firmware.received.$opcode" '$1 == k { print $2; found = 1 } END { if (!found) print 0 }' "$MNT/.stats"
}

# tar_mount_round_trip: archives the whole mount to $tarball, extracts it to
# $BATS_TEST_TMPDIR/x, and fails unless every member, files and links
# alike, equals what the mount shows (links compared as links).  Counters
# that move on by design are left out: .stats and its views, and the
# vport's traffic counters (vport_counter, its json and raw twins).
tar_mount_round_trip() {
        tarball=$BATS_TEST_TMPDIR/mount.tar
        run -0 tar -C "$MNT" -cf "$tarball" .
        assert_output ""
        mkdir "$BATS_TEST_TMPDIR/x"
        tar -C "$BATS_TEST_TMPDIR/x" -xf "$tarball"
        run -0 diff -r --no-dereference -x .stats -x .stats.json -x metrics -x vport_counter "$BATS_TEST_TMPDIR/x" "$MNT"
}
