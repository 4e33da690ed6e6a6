#!/usr/bin/env bats
# The command line: help, version, and clear refusals with a non-zero exit.

bats_require_minimum_version 1.5.0
load helpers

setup() {
        MNT=$BATS_TEST_TMPDIR/mnt
        mkdir -p "$MNT"
}

@test "--help describes the usage and exits 0" {
        run -0 "$MLX5DBGFS" --help
        assert_line --partial "Usage:"
        assert_output --partial "--sim"
        assert_output --partial "allow_other"
}

@test "--version prints the version" {
        run -0 "$MLX5DBGFS" --version
        assert_output --regexp '^mlx5dbgfs [0-9]+\.[0-9]+'
}

@test "an unknown option is refused by name" {
        run -1 "$MLX5DBGFS" --bogus "$MNT"
        assert_output --partial "'--bogus'"
}

@test "a bad simulator spec names the key" {
        run -1 "$MLX5DBGFS" --sim=qpp=10 -f "$MNT"
        assert_output --partial "qpp"
        run -1 "$MLX5DBGFS" --sim=qp=lots -f "$MNT"
        assert_output --partial "lots"
}

@test "bad mount options are refused" {
        run -1 "$MLX5DBGFS" --sim -o ttl=soon -f "$MNT"
        assert_output --partial "ttl"
        run ! "$MLX5DBGFS" --sim -o no_such_fuse_option -f "$MNT"
        run ! mountpoint -q "$MNT"
}

@test "numbers in options are plain decimal, finite and in range" {
        for opt in ttl=nan ttl=NaN ttl=inf ttl=-inf ttl=infinity ttl=0x10 ttl=1e3 ttl=+1 ttl=-1 ttl=1. ttl=.5 \
                "ttl= 1" "ttl=1 " ttl= ttl ttl=3601 ttl=00000000000000000000000000000000001 \
                cache_size=0 cache_size=1.5 cache_size=65537 cache_size=0x40 cache_size=99999999999999999999 \
                max_inflight=0 max_inflight=1025 max_inflight=-1 max_rate=10000001 max_rate=1e6; do
                run -1 "$MLX5DBGFS" --sim -o "$opt" -f "$MNT"
                assert_output --partial "invalid value"
                assert_output --partial "for -o ${opt%%=*} (expected a decimal"
        done
        # In range, decimal: taken (the run then stops at the mount point, a file).
        touch "$BATS_TEST_TMPDIR/file"
        for opt in ttl=0 ttl=0.5 ttl=3600 ttl=007 cache_size=1 cache_size=65536 max_inflight=1024 max_rate=0; do
                run -1 "$MLX5DBGFS" --sim -o "$opt" -f "$BATS_TEST_TMPDIR/file"
                assert_output --partial "is not a directory"
        done
}

@test "-o debugfs_root takes an absolute path to a directory; anything else is refused with why" {
        touch "$BATS_TEST_TMPDIR/file"
        for opt in debugfs_root debugfs_root= debugfs_root=relative/debug debugfs_root=./debug; do
                run -1 "$MLX5DBGFS" --sim -o "$opt" -f "$MNT"
                value=${opt#debugfs_root}
                assert_output --partial "invalid value '${value#=}'"
                assert_output --partial "for -o debugfs_root (expected an absolute path"
        done
        run -1 "$MLX5DBGFS" --sim -o debugfs_root=/nonexistent/debug -f "$MNT"
        assert_output "mlx5dbgfs: -o debugfs_root=/nonexistent/debug: No such file or directory"
        run -1 "$MLX5DBGFS" --sim -o "ttl=2,debugfs_root=$BATS_TEST_TMPDIR/file" -f "$MNT"
        assert_output "mlx5dbgfs: -o debugfs_root=$BATS_TEST_TMPDIR/file: Not a directory"
        run ! mountpoint -q "$MNT"
        # A directory: taken (which host views read it: test-inventory.c, and the mlx5ctl VM suite).
        skip_unless_fuse_usable
        start_mount "" -o "debugfs_root=$BATS_TEST_TMPDIR"
        [ -d "$MNT/0000:08:00.0/qp" ]
        stop_mount
}

@test "a SOURCE operand must be none or mlx5dbgfs; three operands are refused" {
        touch "$BATS_TEST_TMPDIR/file"
        for source in none mlx5dbgfs; do
                run -1 "$MLX5DBGFS" --sim "$source" "$BATS_TEST_TMPDIR/file"
                assert_output --partial "is not a directory"
        done
        run -1 "$MLX5DBGFS" --sim "$MNT" "$MNT"
        assert_output --partial "unknown source '$MNT'"
        run -1 "$MLX5DBGFS" --sim none "$MNT" "$MNT"
        assert_output --partial "too many operands"
}

@test "the schema comes from --schema-dir, then \$MLX5DBGFS_SCHEMA_DIR, then the installed one" {
        run -2 env MLX5DBGFS_SCHEMA_DIR=/nonexistent "$MLX5DBGFS" --check-schema
        assert_output --partial "/nonexistent"
        run -0 env MLX5DBGFS_SCHEMA_DIR=/nonexistent "$MLX5DBGFS" --schema-dir="$MLX5DBGFS_SCHEMA_DIR" --check-schema
        # Without either, never the source tree this daemon was built from.
        run env -u MLX5DBGFS_SCHEMA_DIR "$MLX5DBGFS" --check-schema
        if [ "$status" = 2 ]; then
                refute_output --partial "$MLX5DBGFS_SCHEMA_DIR"
                assert_output --regexp "schema /.*/share/mlx5dbgfs/schema: No such file"
        else
                assert_output --partial OK     # an installed copy exists on this host
        fi
}

@test "as root, a schema that another user could change is refused" {
        [ "$(id -u)" = 0 ] || skip "not root"
        top=$BATS_TEST_TMPDIR/trust
        mkdir -p "$top"
        cp -r "$MLX5DBGFS_SCHEMA_DIR" "$top/schema"
        chmod -R go-w "$top"
        run -0 "$MLX5DBGFS" --check-schema "$top/schema"
        chown nobody "$top/schema"
        run -2 "$MLX5DBGFS" --check-schema "$top/schema"
        assert_output --partial "schema directory $top/schema (owner uid $(id -u nobody), mode 0755) can be changed by a user other than root"
        chown root "$top/schema"
        chmod g+w "$top/schema/qp.schema"
        run -2 --separate-stderr "$MLX5DBGFS" --schema-dir="$top/schema" --sim -f "$MNT"
        [[ "$stderr" == *"schema file $top/schema/qp.schema (owner uid 0, mode 0664) can be changed"* ]] || fail "$stderr"
        chmod g-w "$top/schema/qp.schema"
        chmod o+w "$top"
        run -2 "$MLX5DBGFS" --check-schema "$top/schema"
        assert_output --partial "schema directory's parent $top (owner uid 0, mode 0757)"
        chmod o-w "$top"
        run -0 "$MLX5DBGFS" --check-schema "$top/schema"
}

@test "without hardware and without --sim it says how to use --sim" {
        [ -z "$(ls /dev/mlx5ctl-* /dev/fwctl/* 2>/dev/null)" ] || skip "a real device node is present"
        run -1 "$MLX5DBGFS" -f "$MNT"
        assert_output --partial "no ConnectX device found"
        assert_output --partial "--sim"
}

@test "a broken schema stops start-up with file:line and status 2" {
        schema=$BATS_TEST_TMPDIR/schema
        mkdir "$schema"
        printf 'struct broken 0x40\n  0x0 8 a\n  0x4 8 b\nend\n' >"$schema/broken.schema"
        run -2 "$MLX5DBGFS" --schema-dir="$schema" --sim -f "$MNT"
        assert_output --partial "broken.schema:3:"
        run ! mountpoint -q "$MNT"
        run -2 "$MLX5DBGFS" --check-schema "$schema"
        assert_output --partial "broken.schema:3:"
}

@test "--check-schema accepts the shipped schema" {
        run -0 "$MLX5DBGFS" --check-schema
        assert_output --partial "OK"
}
