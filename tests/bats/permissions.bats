#!/usr/bin/env bats
# Who may read the tree: only the user who mounted, unless -o allow_other;
# then files are 0444 and directories 0555, and every write is EROFS.

bats_require_minimum_version 1.5.0
load helpers

DEV=0000:08:00.0

setup() {
        skip_unless_fuse_usable
        [ "$(id -u)" = 0 ] || skip "needs root to read as another user"
        command -v setpriv >/dev/null || skip "no setpriv"
}

teardown() {
        [ -n "${FUSE_UNUSABLE:-}" ] || stop_mount
        [ -z "${PERM_DIR:-}" ] || rm -rf "$PERM_DIR"
}

teardown_file() {
        :
}

# A mount point every user can reach, so that only the mount decides.
mount_reachable() {
        PERM_DIR=$(mktemp -d /tmp/mlx5dbgfs-perm.XXXXXX)
        chmod 0755 "$PERM_DIR"
        BATS_FILE_TMPDIR=$PERM_DIR start_mount "seed=3,qp=20" "$@"
        export BATS_FILE_TMPDIR=$PERM_DIR
}

as_nobody() {
        setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
}

@test "without allow_other another user gets EACCES" {
        mount_reachable
        run -0 ls "$MNT/$DEV"
        run ! as_nobody ls "$MNT"
        assert_output --partial "Permission denied"
        run ! as_nobody cat "$MNT/$DEV/info"
        assert_output --partial "Permission denied"
}

@test "with allow_other another user reads files 0444 in directories 0555" {
        mount_reachable -o allow_other
        run -0 as_nobody cat "$MNT/$DEV/info"
        assert_line --regexp '^pci_address: '
        qp=$(ls "$MNT/$DEV/qp" | head -1)
        run -0 as_nobody stat -c '%a %U' "$MNT/$DEV/qp/$qp" "$MNT/$DEV/info" "$MNT/.stats"
        assert_output "444 root
444 root
444 root"
        run -0 as_nobody stat -c '%a' "$MNT" "$MNT/$DEV" "$MNT/$DEV/qp" "$MNT/$DEV/caps/current"
        assert_output "555
555
555
555"
}

@test "with allow_other every write is EROFS, for root and for others" {
        mount_reachable -o allow_other
        qp=$(ls "$MNT/$DEV/qp" | head -1)
        run ! sh -c "echo x >> '$MNT/$DEV/qp/$qp'"
        assert_output --partial "Read-only file system"
        run ! touch "$MNT/$DEV/new"
        assert_output --partial "Read-only file system"
        run ! mkdir "$MNT/$DEV/d"
        assert_output --partial "Read-only file system"
        run ! chmod 0666 "$MNT/$DEV/info"
        assert_output --partial "Read-only file system"
        run ! as_nobody touch "$MNT/$DEV/new"
        assert_output --regexp "Read-only file system|Permission denied"
}
