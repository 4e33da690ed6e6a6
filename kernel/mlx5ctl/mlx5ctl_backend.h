/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The interface between the mlx5ctl core (misc node, open files, ioctls,
 * UMEM) and whatever carries commands to firmware: the mlx5_core auxiliary
 * device, or the test-only emulated device.
 */
#ifndef MLX5CTL_BACKEND_H
#define MLX5CTL_BACKEND_H

#include <linux/device.h>
#include <linux/types.h>

struct mlx5ctl_dev;

struct mlx5ctl_backend_ops {
	/*
	 * Run one command.  Returns 0 or -EREMOTEIO when out holds firmware's
	 * answer (-EREMOTEIO: its status is not OK), another -errno when the
	 * command did not reach firmware.  May sleep.
	 */
	int (*exec)(void *priv, void *in, int inlen, void *out, int outlen);
};

struct mlx5ctl_backend {
	const struct mlx5ctl_backend_ops *ops;
	void *priv;
	/* The node is /dev/mlx5ctl-<dev_name(parent)>. */
	struct device *parent;
	/* Maps registered user memory for the device's DMA. */
	struct device *dma_dev;
	/* PCI address of the function, reported by MLX5CTL_IOCTL_INFO. */
	const char *devname;
	/* MLX5_CAP_GEN(uctx_cap): the user context caps firmware supports. */
	u32 dev_uctx_cap;
};

/*
 * Creates the misc node.  The backend must stay usable until
 * mlx5ctl_unregister() returns: that call releases every open file's
 * firmware objects through it, then turns later calls into -ENODEV.
 */
struct mlx5ctl_dev *mlx5ctl_register(const struct mlx5ctl_backend *backend);
void mlx5ctl_unregister(struct mlx5ctl_dev *mcdev);

#endif /* MLX5CTL_BACKEND_H */
