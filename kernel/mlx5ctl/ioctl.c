// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mlx5ctl ioctls: INFO and CMDRPC here, UMEM_REG/UNREG in umem.c.
 * The driver filters no opcode: firmware decides what a user context may
 * do, through the caps it was created with.
 */
#include <linux/capability.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <uapi/misc/mlx5ctl.h>

#include "mlx5ctl_core.h"

static int mlx5ctl_info(struct mlx5ctl_fd *mfd, void __user *arg)
{
	struct mlx5ctl_dev *mcdev = mfd->mcdev;
	struct mlx5ctl_info info = {};

	info.size = sizeof(info);
	strscpy((char *)info.devname, mcdev->devname, sizeof(info.devname));
	info.uctx_uid = mfd->uctx_uid;
	info.uctx_cap = mfd->uctx_cap;
	info.dev_uctx_cap = mcdev->dev_uctx_cap;
	info.ucap = mfd->ucap;

	if (copy_to_user(arg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static int mlx5ctl_cmdrpc(struct mlx5ctl_fd *mfd, void __user *arg)
{
	struct mlx5ctl_dev *mcdev = mfd->mcdev;
	struct mlx5ctl_cmdrpc rpc;
	void *in, *out;
	int err;

	if (copy_from_user(&rpc, arg, sizeof(rpc)))
		return -EFAULT;
	if (rpc.inlen < MLX5_ST_SZ_BYTES(mlx5ctl_in_hdr) ||
	    rpc.outlen < MLX5_ST_SZ_BYTES(mlx5ctl_out_hdr) ||
	    rpc.inlen > MLX5CTL_MAX_RPC_SIZE || rpc.outlen > MLX5CTL_MAX_RPC_SIZE)
		return -EINVAL;
	if (rpc.flags)
		return -EOPNOTSUPP;

	in = memdup_user(u64_to_user_ptr(rpc.in), rpc.inlen);
	if (IS_ERR(in))
		return PTR_ERR(in);
	out = kvzalloc(rpc.outlen, GFP_KERNEL);
	if (!out) {
		err = -ENOMEM;
		goto out_free_in;
	}

	/* Every command runs as this file's user context, whatever was asked. */
	MLX5_SET(mlx5ctl_in_hdr, in, uid, mfd->uctx_uid);

	err = mcdev->ops->exec(mcdev->priv, in, rpc.inlen, out, rpc.outlen);
	/* A firmware error is an answer: its status is in the outbox. */
	if (err && err != -EREMOTEIO)
		goto out_free_out;
	err = copy_to_user(u64_to_user_ptr(rpc.out), out, rpc.outlen) ? -EFAULT : 0;

out_free_out:
	kvfree(out);
out_free_in:
	kfree(in);
	return err;
}

long mlx5ctl_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct mlx5ctl_fd *mfd = file->private_data;
	struct mlx5ctl_dev *mcdev = mfd->mcdev;
	void __user *argp = (void __user *)arg;
	long err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;

	down_read(&mcdev->rw_lock);
	if (!mcdev->ops) {
		err = -ENODEV;
		goto out_unlock;
	}

	switch (cmd) {
	case MLX5CTL_IOCTL_INFO:
		err = mlx5ctl_info(mfd, argp);
		break;
	case MLX5CTL_IOCTL_CMDRPC:
		err = mlx5ctl_cmdrpc(mfd, argp);
		break;
	case MLX5CTL_IOCTL_UMEM_REG:
		err = mlx5ctl_umem_reg(mfd, argp);
		break;
	case MLX5CTL_IOCTL_UMEM_UNREG:
		err = mlx5ctl_umem_unreg(mfd, argp);
		break;
	default:
		/* As V3; the VFS turns it into -ENOTTY for userspace. */
		err = -ENOIOCTLCMD;
		break;
	}

out_unlock:
	up_read(&mcdev->rw_lock);
	return err;
}
