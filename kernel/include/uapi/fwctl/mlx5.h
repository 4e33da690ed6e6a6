/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* include/uapi/fwctl/mlx5.h (Linux 6.15+), restated: FWCTL_INFO device data of mlx5. */
#ifndef MLX5DBGFS_UAPI_FWCTL_MLX5_H
#define MLX5DBGFS_UAPI_FWCTL_MLX5_H

#include <linux/types.h>

struct fwctl_info_mlx5 {
	__u32 uid;
	__u32 uctx_caps;
};

#endif
