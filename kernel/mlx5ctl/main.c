// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mlx5ctl: one misc node per ConnectX function, through which a privileged
 * process sends firmware commands under its own firmware user context.
 * This file: device registration and removal, the module.
 */
#include <linux/build_bug.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <uapi/misc/mlx5ctl.h>

#include "mlx5ctl_core.h"

/* The V3 ABI: sizes and ioctl numbers userspace was built against. */
static_assert(sizeof(struct mlx5ctl_info) == 96);
static_assert(sizeof(struct mlx5ctl_cmdrpc) == 32);
static_assert(sizeof(struct mlx5ctl_umem_reg) == 40);
static_assert(sizeof(struct mlx5ctl_umem_unreg) == 16);

static const struct file_operations mlx5ctl_fops = {
	.owner = THIS_MODULE,
	.open = mlx5ctl_open,
	.release = mlx5ctl_release,
	.unlocked_ioctl = mlx5ctl_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static void mlx5ctl_dev_free(struct kref *kref)
{
	struct mlx5ctl_dev *mcdev = container_of(kref, struct mlx5ctl_dev, refcount);

	kfree(mcdev->miscdev.name);
	kfree(mcdev);
}

void mlx5ctl_dev_put(struct mlx5ctl_dev *mcdev)
{
	kref_put(&mcdev->refcount, mlx5ctl_dev_free);
}

int mlx5ctl_cmd_exec(struct mlx5ctl_dev *mcdev, void *in, int inlen, void *out, int outlen)
{
	int err;

	err = mcdev->ops->exec(mcdev->priv, in, inlen, out, outlen);
	if (!err && MLX5_GET(mlx5ctl_out_hdr, out, status))
		err = -EREMOTEIO;
	if (err == -EREMOTEIO)
		dev_dbg(mcdev->parent, "command 0x%x: status 0x%x syndrome 0x%x\n",
			MLX5_GET(mlx5ctl_in_hdr, in, opcode),
			MLX5_GET(mlx5ctl_out_hdr, out, status),
			MLX5_GET(mlx5ctl_out_hdr, out, syndrome));
	else if (err)
		dev_dbg(mcdev->parent, "command 0x%x not delivered: %d\n",
			MLX5_GET(mlx5ctl_in_hdr, in, opcode), err);
	return err;
}

struct mlx5ctl_dev *mlx5ctl_register(const struct mlx5ctl_backend *backend)
{
	struct mlx5ctl_dev *mcdev;
	int err;

	if (!backend->ops || !backend->ops->exec || !backend->parent ||
	    !backend->dma_dev || !backend->devname)
		return ERR_PTR(-EINVAL);

	mcdev = kzalloc(sizeof(*mcdev), GFP_KERNEL);
	if (!mcdev)
		return ERR_PTR(-ENOMEM);
	kref_init(&mcdev->refcount);
	init_rwsem(&mcdev->rw_lock);
	INIT_LIST_HEAD(&mcdev->fd_list);
	spin_lock_init(&mcdev->fd_list_lock);
	mcdev->ops = backend->ops;
	mcdev->priv = backend->priv;
	mcdev->parent = backend->parent;
	mcdev->dma_dev = backend->dma_dev;
	mcdev->dev_uctx_cap = backend->dev_uctx_cap;
	if (strscpy(mcdev->devname, backend->devname, sizeof(mcdev->devname)) < 0) {
		err = -ENAMETOOLONG;
		goto err_free;
	}

	mcdev->miscdev.minor = MISC_DYNAMIC_MINOR;
	mcdev->miscdev.name = kasprintf(GFP_KERNEL, "mlx5ctl-%s", dev_name(backend->parent));
	if (!mcdev->miscdev.name) {
		err = -ENOMEM;
		goto err_free;
	}
	mcdev->miscdev.fops = &mlx5ctl_fops;
	mcdev->miscdev.parent = backend->parent;
	mcdev->miscdev.mode = 0600;
	err = misc_register(&mcdev->miscdev);
	if (err)
		goto err_free;
	return mcdev;

err_free:
	mlx5ctl_dev_put(mcdev);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_GPL(mlx5ctl_register);

void mlx5ctl_unregister(struct mlx5ctl_dev *mcdev)
{
	struct mlx5ctl_fd *mfd;

	/* No new opens: misc_open() runs our open under the lock this takes. */
	misc_deregister(&mcdev->miscdev);

	/* Waits for running file operations; later ones see ops == NULL. */
	down_write(&mcdev->rw_lock);
	list_for_each_entry(mfd, &mcdev->fd_list, list)
		mlx5ctl_fd_release_fw(mfd);
	mcdev->ops = NULL;
	mcdev->priv = NULL;
	mcdev->parent = NULL;
	mcdev->dma_dev = NULL;
	up_write(&mcdev->rw_lock);

	/* Open files keep the rest alive until they are closed. */
	mlx5ctl_dev_put(mcdev);
}
EXPORT_SYMBOL_GPL(mlx5ctl_unregister);

static int __init mlx5ctl_init(void)
{
	BUILD_BUG_ON(MLX5CTL_IOCTL_INFO != 0x80605c00);
	BUILD_BUG_ON(MLX5CTL_IOCTL_CMDRPC != 0xc0205c01);
	BUILD_BUG_ON(MLX5CTL_IOCTL_UMEM_REG != 0xc0285c02);
	BUILD_BUG_ON(MLX5CTL_IOCTL_UMEM_UNREG != 0xc0105c03);

	return mlx5ctl_aux_driver_register();
}

static void __exit mlx5ctl_exit(void)
{
	mlx5ctl_aux_driver_unregister();
}

module_init(mlx5ctl_init);
module_exit(mlx5ctl_exit);

MODULE_DESCRIPTION("mlx5 ConnectX control misc driver");
MODULE_LICENSE("GPL");
MODULE_VERSION(MLX5CTL_VERSION);
