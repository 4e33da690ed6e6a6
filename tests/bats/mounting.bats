#!/usr/bin/env bats
# Where and how the daemon mounts: mount point checks (a file, a non-empty
# directory, an mlx5dbgfs mount, a dead FUSE mount), -o rw, and where its
# messages go (stderr in the foreground, the journal under systemd or
# daemonized, libfuse's own included).

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
        FUSE_UNUSABLE=$(fuse_unusable_reason)
        export FUSE_UNUSABLE
}

setup() {
        skip_without_fuse
        MNT=$BATS_TEST_TMPDIR/mnt
        mkdir -p "$MNT"
}

teardown() {
        local pid
        # A test that failed half way leaves nothing mounted, and no daemon
        # (one would hold bats' output open and keep the suite waiting).
        [ -z "${MNT:-}" ] || ! mountpoint -q "$MNT" || fusermount3 -u -z "$MNT"
        pid=$(cat "$BATS_FILE_TMPDIR/pid" 2>/dev/null) || return 0
        if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "^$MLX5DBGFS "; then
                kill "$pid"
        fi
        rm -f "$BATS_FILE_TMPDIR/pid"
}

teardown_file() {
        :
}

@test "a regular file as mount point is refused with a message" {
        file=$BATS_TEST_TMPDIR/file
        touch "$file"
        run -1 "$MLX5DBGFS" --sim -f "$file"
        assert_output --partial "mount point $file is not a directory"
        run ! mountpoint -q "$file"
        run -1 "$MLX5DBGFS" --sim -f "$BATS_TEST_TMPDIR/missing"
        assert_output --partial "mount point $BATS_TEST_TMPDIR/missing: No such file or directory"
}

@test "a non-empty directory is refused; -o nonempty mounts over it" {
        echo keep >"$MNT/mine"
        run -1 "$MLX5DBGFS" --sim -f "$MNT"
        assert_output --partial "mount point $MNT is not empty"
        assert_output --partial "-o nonempty"
        run ! mountpoint -q "$MNT"
        run -0 "$MLX5DBGFS" --sim -o nonempty "$MNT"
        mountpoint -q "$MNT"
        [ ! -e "$MNT/mine" ]
        ls "$MNT" | grep -q '^0000:'
        fusermount3 -u "$MNT"
        [ "$(cat "$MNT/mine")" = keep ]
}

@test "a mount point that is already an mlx5dbgfs mount is refused; the first keeps serving" {
        start_mount "seed=2"
        run -1 "$MLX5DBGFS" --sim -f "$MNT"
        assert_output --partial "$MNT is already an mlx5dbgfs mount"
        # Even when told to mount over a non-empty directory.
        run -1 "$MLX5DBGFS" --sim -o nonempty -f "$MNT"
        assert_output --partial "already an mlx5dbgfs mount"
        [ "$(grep -c " $MNT " /proc/self/mountinfo)" = 1 ]
        ls "$MNT" | grep -q '^0000:'
        kill -0 "$(daemon_pid)"
        run -0 stop_mount
}

@test "a dead mount (ENOTCONN) gets a message telling to run fusermount3 -u" {
        start_mount "seed=2"
        kill -KILL "$(daemon_pid)"
        wait_daemon || true
        run ! ls "$MNT"
        assert_output --partial "Transport endpoint is not connected"
        run -1 "$MLX5DBGFS" --sim -f "$MNT"
        assert_output --partial "Transport endpoint is not connected"
        assert_output --partial "run 'fusermount3 -u $MNT'"
        fusermount3 -u "$MNT"
        start_mount "seed=2"
        ls "$MNT" | grep -q '^0000:'
        run -0 stop_mount
}

@test "-o rw and -o dev,suid are taken: the mount stays ro,nosuid,nodev,noexec" {
        start_mount "seed=2" -o rw,dev,suid,exec
        run -0 grep " $MNT " /proc/self/mountinfo
        assert_output --regexp " $MNT ro,nosuid,nodev,noexec[, ]"
        run ! touch "$MNT/new"
        assert_output --partial "Read-only file system"
        run -0 stop_mount
}

@test "a SOURCE operand before the mount point, as mount.fuse3 passes it" {
        run -0 "$MLX5DBGFS" --sim=seed=2 none "$MNT" 3>&-
        mountpoint -q "$MNT"
        pid=$(pgrep -f -- "--sim=seed=2 none $MNT")
        fusermount3 -u "$MNT"
        # Daemonized, it ends with its mount: it forked before any thread, so none is missing at exit.
        for _ in $(seq 100); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
        done
        run ! kill -0 "$pid"
        run -0 "$MLX5DBGFS" --sim=seed=2 mlx5dbgfs "$MNT" 3>&-
        fusermount3 -u "$MNT"
}

@test "in the foreground, libfuse's messages go to stderr through the daemon's log" {
        run -1 "$MLX5DBGFS" --sim -f -o no_such_fuse_option "$MNT"
        assert_output --partial "mlx5dbgfs: libfuse: "
        assert_output --partial "no_such_fuse_option"
        run ! mountpoint -q "$MNT"
}

# journal_ns SCRIPT: runs SCRIPT in a private mount namespace with a
# journald of its own (volatile, not reading the kernel's log); prints what
# it got from mlx5dbgfs as JSON lines.
journal_ns() {
        command -v journalctl >/dev/null || fail "no journalctl"
        printf '[Journal]\nStorage=volatile\nReadKMSG=no\nForwardToSyslog=no\nRateLimitBurst=0\n' \
                >"$BATS_TEST_TMPDIR/journald.conf"
        unshare -m --propagation private bash -c '
                set -e
                # A /run of its own: the host may have no /run/systemd at all.
                mount -t tmpfs tmpfs /run
                mkdir -p /run/systemd/journal /run/log /run/mount
                mount --bind "$1" /etc/systemd/journald.conf
                /lib/systemd/systemd-journald &
                journald=$!
                for _ in $(seq 50); do [ -S /run/systemd/journal/socket ] && break; sleep 0.1; done
                status=0
                bash -c "$2" || status=$?
                sleep 0.5
                journalctl --directory=/run/log/journal --no-pager -o json --output-fields=MESSAGE,PRIORITY SYSLOG_IDENTIFIER=mlx5dbgfs || true
                kill $journald
                exit $status' ns "$BATS_TEST_TMPDIR/journald.conf" "$1"
}

@test "daemonized, messages go to the journal" {
        run -0 journal_ns "
                '$MLX5DBGFS' --sim=seed=3,fail=QUERY_CQ '$MNT' 2>'$BATS_TEST_TMPDIR/stderr'
                dev=\$(ls '$MNT' | grep '^0000:' | head -1)
                ! cat '$MNT'/\$dev/cq/\$(ls '$MNT/'\$dev/cq | head -1)
                fusermount3 -u '$MNT'"
        assert_output --regexp '"MESSAGE":"[^"]*QUERY_CQ 0x[0-9a-f]+ failed: firmware status BAD_SYS_STATE'
        assert_output --partial '"PRIORITY":"4"'
        # Before it daemonized (the simulator's start-up probe fails too), stderr.
        run -0 cat "$BATS_TEST_TMPDIR/stderr"
        refute_output --regexp 'QUERY_CQ 0x[1-9a-f][0-9a-f]* failed'
}

@test "under systemd (stderr is the journal stream), libfuse's messages reach the journal" {
        # systemd-cat connects stderr to the journal; systemd would also set JOURNAL_STREAM.
        run -0 journal_ns "
                ! systemd-cat -t wrapper bash -c 'export JOURNAL_STREAM=\$(stat -L -c %d:%i /proc/self/fd/2);
                        exec \"$MLX5DBGFS\" --sim -f -o no_such_fuse_option \"$MNT\"'"
        assert_output --regexp '"MESSAGE":"libfuse: [^"]*no_such_fuse_option'
        assert_output --partial '"PRIORITY":"3"'
}
