#!/usr/bin/env bats
# by-name/: the function's RDMA and net device names, as sysfs shows them.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
        # A sysfs tree where the first simulated function has an RDMA and two net devices.
        sys=$BATS_FILE_TMPDIR/sys
        mkdir -p "$sys/bus/pci/devices/0000:08:00.0/infiniband/mlx5_0" \
                 "$sys/bus/pci/devices/0000:08:00.0/net/enp8s0f0np0" \
                 "$sys/bus/pci/devices/0000:08:00.0/net/enp8s0f0v0" \
                 "$sys/bus/pci/devices/0000:08:00.1"
        MLX5DBGFS_SYSFS_ROOT=$sys mount_suite "devices=2"
}

@test "by-name lists exactly the names sysfs shows" {
        run -0 ls "$MNT/by-name"
        assert_output "$(printf '%s\n' enp8s0f0np0 enp8s0f0v0 mlx5_0)"
}

@test "each name links to its device directory" {
        for name in mlx5_0 enp8s0f0np0 enp8s0f0v0; do
                run -0 readlink "$MNT/by-name/$name"
                assert_output "../0000:08:00.0"
                [ -L "$MNT/by-name/$name" ]
        done
        run -0 cat "$MNT/by-name/mlx5_0/info"
        assert_line "pci_address: 0000:08:00.0"
        [ "$(stat -c %i "$MNT/by-name/mlx5_0/")" = "$(stat -c %i "$MNT/0000:08:00.0")" ]
}

@test "a name sysfs does not show is ENOENT" {
        run -1 readlink "$MNT/by-name/mlx5_1"
}
