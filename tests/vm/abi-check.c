/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mlx5ctl V3 ABI and the fwctl ABI (Linux 6.15, as restated in
 * kernel/include/uapi/fwctl) as userspace compiles them: struct sizes, field
 * offsets and ioctl numbers.  A mismatch fails the build; the program then
 * prints the numbers it checked, so a log shows them.
 */
#include <stddef.h>
#include <stdio.h>

#include "uapi/fwctl/fwctl.h"
#include "uapi/fwctl/mlx5.h"
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

CHECK_SIZE(struct fwctl_info, 24);
CHECK_OFFSET(struct fwctl_info, flags, 4);
CHECK_OFFSET(struct fwctl_info, out_device_type, 8);
CHECK_OFFSET(struct fwctl_info, device_data_len, 12);
CHECK_OFFSET(struct fwctl_info, out_device_data, 16);

CHECK_SIZE(struct fwctl_rpc, 32);
CHECK_OFFSET(struct fwctl_rpc, scope, 4);
CHECK_OFFSET(struct fwctl_rpc, in_len, 8);
CHECK_OFFSET(struct fwctl_rpc, out_len, 12);
CHECK_OFFSET(struct fwctl_rpc, in, 16);
CHECK_OFFSET(struct fwctl_rpc, out, 24);

CHECK_SIZE(struct fwctl_info_mlx5, 8);
CHECK_OFFSET(struct fwctl_info_mlx5, uctx_caps, 4);

CHECK_IOCTL(FWCTL_TYPE, 0x9a);
CHECK_IOCTL(FWCTL_INFO, 0x9a00);
CHECK_IOCTL(FWCTL_RPC, 0x9a01);
CHECK_IOCTL(FWCTL_DEVICE_TYPE_MLX5, 1);
CHECK_IOCTL(FWCTL_RPC_CONFIGURATION, 0);
CHECK_IOCTL(FWCTL_RPC_DEBUG_READ_ONLY, 1);
CHECK_IOCTL(FWCTL_RPC_DEBUG_WRITE, 2);
CHECK_IOCTL(FWCTL_RPC_DEBUG_WRITE_FULL, 3);

int main(void)
{
        printf("mlx5ctl V3 ABI: info %zu B, cmdrpc %zu B, umem_reg %zu B, umem_unreg %zu B\n",
               sizeof(struct mlx5ctl_info), sizeof(struct mlx5ctl_cmdrpc),
               sizeof(struct mlx5ctl_umem_reg), sizeof(struct mlx5ctl_umem_unreg));
        printf("ioctls: INFO %#lx CMDRPC %#lx UMEM_REG %#lx UMEM_UNREG %#lx\n",
               (unsigned long) MLX5CTL_IOCTL_INFO, (unsigned long) MLX5CTL_IOCTL_CMDRPC,
               (unsigned long) MLX5CTL_IOCTL_UMEM_REG, (unsigned long) MLX5CTL_IOCTL_UMEM_UNREG);
        printf("fwctl: info %zu B, rpc %zu B, mlx5 info %zu B; ioctls: INFO %#lx RPC %#lx\n",
               sizeof(struct fwctl_info), sizeof(struct fwctl_rpc), sizeof(struct fwctl_info_mlx5),
               (unsigned long) FWCTL_INFO, (unsigned long) FWCTL_RPC);
        return 0;
}
