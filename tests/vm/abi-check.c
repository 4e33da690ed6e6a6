/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mlx5ctl V3 ABI as userspace compiles it: struct sizes, field offsets
 * and ioctl numbers.  A mismatch fails the build; the program then prints
 * the numbers it checked, so a log shows them.
 */
#include <stddef.h>
#include <stdio.h>

#include "uapi/misc/mlx5ctl.h"

#define CHECK_SIZE(type, size) _Static_assert(sizeof(type) == (size), #type " is not " #size " bytes")
#define CHECK_OFFSET(type, field, off) \
        _Static_assert(offsetof(type, field) == (off), #type "." #field " is not at " #off)
#define CHECK_IOCTL(name, value) _Static_assert((name) == (value), #name " is not " #value)

CHECK_SIZE(struct mlx5ctl_info, 96);
CHECK_OFFSET(struct mlx5ctl_info, size, 8);
CHECK_OFFSET(struct mlx5ctl_info, devname, 12);
CHECK_OFFSET(struct mlx5ctl_info, uctx_uid, 76);
CHECK_OFFSET(struct mlx5ctl_info, uctx_cap, 80);
CHECK_OFFSET(struct mlx5ctl_info, dev_uctx_cap, 84);
CHECK_OFFSET(struct mlx5ctl_info, ucap, 88);
CHECK_OFFSET(struct mlx5ctl_info, reserved2, 92);

CHECK_SIZE(struct mlx5ctl_cmdrpc, 32);
CHECK_OFFSET(struct mlx5ctl_cmdrpc, out, 8);
CHECK_OFFSET(struct mlx5ctl_cmdrpc, inlen, 16);
CHECK_OFFSET(struct mlx5ctl_cmdrpc, outlen, 20);
CHECK_OFFSET(struct mlx5ctl_cmdrpc, flags, 24);

CHECK_SIZE(struct mlx5ctl_umem_reg, 40);
CHECK_OFFSET(struct mlx5ctl_umem_reg, size, 8);
CHECK_OFFSET(struct mlx5ctl_umem_reg, reserved1, 12);
CHECK_OFFSET(struct mlx5ctl_umem_reg, addr, 16);
CHECK_OFFSET(struct mlx5ctl_umem_reg, len, 24);
CHECK_OFFSET(struct mlx5ctl_umem_reg, umem_id, 32);
CHECK_OFFSET(struct mlx5ctl_umem_reg, reserved2, 36);

CHECK_SIZE(struct mlx5ctl_umem_unreg, 16);
CHECK_OFFSET(struct mlx5ctl_umem_unreg, size, 8);
CHECK_OFFSET(struct mlx5ctl_umem_unreg, umem_id, 12);

CHECK_IOCTL(MLX5CTL_IOCTL_MAGIC, 0x5c);
CHECK_IOCTL(MLX5CTL_MAX_RPC_SIZE, 8192);
CHECK_IOCTL(MLX5CTL_IOCTL_INFO, 0x80605c00u);
CHECK_IOCTL(MLX5CTL_IOCTL_CMDRPC, 0xc0205c01u);
CHECK_IOCTL(MLX5CTL_IOCTL_UMEM_REG, 0xc0285c02u);
CHECK_IOCTL(MLX5CTL_IOCTL_UMEM_UNREG, 0xc0105c03u);

int main(void)
{
        printf("mlx5ctl V3 ABI: info %zu B, cmdrpc %zu B, umem_reg %zu B, umem_unreg %zu B\n",
               sizeof(struct mlx5ctl_info), sizeof(struct mlx5ctl_cmdrpc),
               sizeof(struct mlx5ctl_umem_reg), sizeof(struct mlx5ctl_umem_unreg));
        printf("ioctls: INFO %#lx CMDRPC %#lx UMEM_REG %#lx UMEM_UNREG %#lx\n",
               (unsigned long) MLX5CTL_IOCTL_INFO, (unsigned long) MLX5CTL_IOCTL_CMDRPC,
               (unsigned long) MLX5CTL_IOCTL_UMEM_REG, (unsigned long) MLX5CTL_IOCTL_UMEM_UNREG);
        return 0;
}
