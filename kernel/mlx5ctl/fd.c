// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mlx5ctl open files: each one is a firmware user context (UCTX), created
 * on open with the caps the opener's privileges allow and destroyed on
 * close, so firmware can tell the commands of one file from another's.
 */
#include <linux/capability.h>
#include <linux/slab.h>

#include "mlx5ctl_core.h"

static int mlx5ctl_uctx_create(struct mlx5ctl_fd *mfd)
{
	u32 out[MLX5_ST_SZ_DW(create_uctx_out)] = {};
	u32 in[MLX5_ST_SZ_DW(create_uctx_in)] = {};
	struct mlx5ctl_dev *mcdev = mfd->mcdev;
	int err;

	if (capable(CAP_SYS_ADMIN)) {
		mfd->ucap |= BIT(CAP_SYS_ADMIN);
		mfd->uctx_cap |= mcdev->dev_uctx_cap & MLX5CTL_UCTX_CAP_TOOLS_RESOURCES;
	}

	MLX5_SET(create_uctx_in, in, opcode, MLX5_CMD_OP_CREATE_UCTX);
	MLX5_SET(create_uctx_in, in, uctx.cap, mfd->uctx_cap);
	err = mlx5ctl_cmd_exec(mcdev, in, sizeof(in), out, sizeof(out));
	if (err)
		return err;
	mfd->uctx_uid = MLX5_GET(create_uctx_out, out, uid);
	return 0;
}

static void mlx5ctl_uctx_destroy(struct mlx5ctl_fd *mfd)
{
	u32 out[MLX5_ST_SZ_DW(destroy_uctx_out)] = {};
	u32 in[MLX5_ST_SZ_DW(destroy_uctx_in)] = {};
	struct mlx5ctl_dev *mcdev = mfd->mcdev;
	int err;

	MLX5_SET(destroy_uctx_in, in, opcode, MLX5_CMD_OP_DESTROY_UCTX);
	MLX5_SET(destroy_uctx_in, in, uid, mfd->uctx_uid);
	err = mlx5ctl_cmd_exec(mcdev, in, sizeof(in), out, sizeof(out));
	if (err)
		dev_warn(mcdev->parent, "user context %u left in firmware: %d\n",
			 mfd->uctx_uid, err);
}

void mlx5ctl_fd_release_fw(struct mlx5ctl_fd *mfd)
{
	/* UMEMs belong to the user context: they go first. */
	mlx5ctl_umem_release_all(mfd);
	mlx5ctl_uctx_destroy(mfd);
}

int mlx5ctl_open(struct inode *inode, struct file *file)
{
	struct miscdevice *misc = file->private_data;
	struct mlx5ctl_dev *mcdev = container_of(misc, struct mlx5ctl_dev, miscdev);
	struct mlx5ctl_fd *mfd;
	int err;

	mfd = kzalloc(sizeof(*mfd), GFP_KERNEL);
	if (!mfd)
		return -ENOMEM;
	mfd->mcdev = mcdev;
	mutex_init(&mfd->umem_lock);
	xa_init(&mfd->umems);

	down_read(&mcdev->rw_lock);
	if (!mcdev->ops) {
		err = -ENODEV;
		goto err_unlock;
	}
	err = mlx5ctl_uctx_create(mfd);
	if (err)
		goto err_unlock;
	kref_get(&mcdev->refcount);
	spin_lock(&mcdev->fd_list_lock);
	list_add_tail(&mfd->list, &mcdev->fd_list);
	spin_unlock(&mcdev->fd_list_lock);
	up_read(&mcdev->rw_lock);

	file->private_data = mfd;
	return 0;

err_unlock:
	up_read(&mcdev->rw_lock);
	mutex_destroy(&mfd->umem_lock);
	kfree(mfd);
	return err;
}

int mlx5ctl_release(struct inode *inode, struct file *file)
{
	struct mlx5ctl_fd *mfd = file->private_data;
	struct mlx5ctl_dev *mcdev = mfd->mcdev;

	down_read(&mcdev->rw_lock);
	/* After removal, mlx5ctl_unregister() already released them. */
	if (mcdev->ops)
		mlx5ctl_fd_release_fw(mfd);
	spin_lock(&mcdev->fd_list_lock);
	list_del(&mfd->list);
	spin_unlock(&mcdev->fd_list_lock);
	up_read(&mcdev->rw_lock);

	xa_destroy(&mfd->umems);
	mutex_destroy(&mfd->umem_lock);
	kfree(mfd);
	mlx5ctl_dev_put(mcdev);
	return 0;
}
