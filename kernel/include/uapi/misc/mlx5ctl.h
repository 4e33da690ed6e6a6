/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0 WITH Linux-syscall-note */
/*
 * mlx5ctl: ConnectX control misc device, the ABI of the V3 posting
 * (2023-11-21).  One node per device, /dev/mlx5ctl-<auxiliary device>;
 * each open file holds its own firmware user context (UCTX).
 */
#ifndef __MLX5CTL_IOCTL_H__
#define __MLX5CTL_IOCTL_H__

#include <linux/ioctl.h>
#include <linux/types.h>

struct mlx5ctl_info {
	__aligned_u64 flags;	/* always 0 */
	__u32 size;		/* sizeof(struct mlx5ctl_info) */
	__u8 devname[64];	/* PCI address of the ConnectX function */
	__u16 uctx_uid;		/* firmware user context of this open file */
	__u16 reserved1;
	__u32 uctx_cap;		/* caps granted to that context */
	__u32 dev_uctx_cap;	/* caps the device supports */
	__u32 ucap;		/* caller's capabilities that granted uctx_cap */
	__u32 reserved2;
};

struct mlx5ctl_cmdrpc {
	__aligned_u64 in;	/* user pointer to the command inbox */
	__aligned_u64 out;	/* user pointer to the command outbox */
	__u32 inlen;		/* inbox length in bytes */
	__u32 outlen;		/* outbox length in bytes */
	__aligned_u64 flags;	/* must be 0 */
};

struct mlx5ctl_umem_reg {
	__aligned_u64 flags;	/* must be 0 */
	__u32 size;
	__u32 reserved1;	/* must be 0 */
	__aligned_u64 addr;	/* user virtual address of the buffer */
	__aligned_u64 len;	/* buffer length in bytes */
	__u32 umem_id;		/* out: firmware UMEM object id */
	__u32 reserved2;	/* must be 0 */
};

struct mlx5ctl_umem_unreg {
	__aligned_u64 flags;	/* must be 0 */
	__u32 size;
	__u32 umem_id;
};

#define MLX5CTL_MAX_RPC_SIZE 8192

#define MLX5CTL_IOCTL_MAGIC 0x5c

#define MLX5CTL_IOCTL_INFO \
	_IOR(MLX5CTL_IOCTL_MAGIC, 0x0, struct mlx5ctl_info)

#define MLX5CTL_IOCTL_CMDRPC \
	_IOWR(MLX5CTL_IOCTL_MAGIC, 0x1, struct mlx5ctl_cmdrpc)

#define MLX5CTL_IOCTL_UMEM_REG \
	_IOWR(MLX5CTL_IOCTL_MAGIC, 0x2, struct mlx5ctl_umem_reg)

#define MLX5CTL_IOCTL_UMEM_UNREG \
	_IOWR(MLX5CTL_IOCTL_MAGIC, 0x3, struct mlx5ctl_umem_unreg)

#endif /* __MLX5CTL_IOCTL_H__ */
