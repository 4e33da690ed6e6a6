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
        run -1 "$MLX5DBGFS" --sim -o rw -f "$MNT"
        assert_output --partial "read-only"
        run ! "$MLX5DBGFS" --sim -o no_such_fuse_option -f "$MNT"
        run ! mountpoint -q "$MNT"
}

@test "two mount points are refused" {
        run -1 "$MLX5DBGFS" --sim "$MNT" "$MNT"
        assert_output --partial "more than one mount point"
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
