// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fwctl_emu core (TEST ONLY): the fwctl character device of Linux 6.15 on
 * a kernel that has no fwctl subsystem (Debian's 6.1).  The class name,
 * node names, ioctl numbers, struct layouts and errno contract are those of
 * include/uapi/fwctl/fwctl.h and drivers/fwctl/main.c, so a program written
 * for fwctl runs against it unchanged.
 */
#include <linux/bitops.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/kdev_t.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/uaccess.h>

#include "fwctl_emu.h"

#define FWCTL_EMU_MAX_DEVICES 4096
/* The largest inbox or outbox of an RPC. */
#define FWCTL_EMU_MAX_RPC_LEN SZ_2M

static dev_t fwctl_emu_devt;
static DEFINE_IDA(fwctl_emu_ida);
/* Bit 0: the write scopes' warning was logged. */
static unsigned long fwctl_emu_write_warned;

static char *fwctl_emu_devnode(struct device *dev, umode_t *mode)
{
	return kasprintf(GFP_KERNEL, "fwctl/%s", dev_name(dev));
}

/* Ours: Debian's 6.1 has no fwctl class, and a kernel that has one will not load us. */
static struct class fwctl_emu_class = {
	.name = "fwctl",
	.owner = THIS_MODULE,
	.devnode = fwctl_emu_devnode,
};

union fwctl_emu_ucmd {
	struct fwctl_info info;
	struct fwctl_rpc rpc;
};

static int fwctl_emu_cmd_info(struct fwctl_emu_uctx *uctx, union fwctl_emu_ucmd *ucmd)
{
	const struct fwctl_emu_ops *ops = uctx->fwctl->ops;
	struct fwctl_info *cmd = &ucmd->info;
	void __user *data = u64_to_user_ptr(cmd->out_device_data);
	size_t len, copied;
	void *info;
	int err = 0;

	if (cmd->flags)
		return -EOPNOTSUPP;
	info = ops->info(uctx, &len);
	if (IS_ERR(info))
		return PTR_ERR(info);
	/* All of the caller's buffer is written: the driver's data, then zeroes. */
	copied = min_t(size_t, cmd->device_data_len, len);
	if (copy_to_user(data, info, copied) ||
	    clear_user(data + copied, cmd->device_data_len - copied))
		err = -EFAULT;
	kfree(info);
	cmd->out_device_type = ops->device_type;
	cmd->device_data_len = len;
	return err;
}

static int fwctl_emu_cmd_rpc(struct fwctl_emu_uctx *uctx, union fwctl_emu_ucmd *ucmd)
{
	struct fwctl_emu_device *fwctl = uctx->fwctl;
	struct fwctl_rpc *cmd = &ucmd->rpc;
	size_t out_len = cmd->out_len;
	void *in, *out;
	int err = 0;

	if (cmd->in_len > FWCTL_EMU_MAX_RPC_LEN || cmd->out_len > FWCTL_EMU_MAX_RPC_LEN)
		return -EMSGSIZE;
	switch (cmd->scope) {
	case FWCTL_RPC_CONFIGURATION:
	case FWCTL_RPC_DEBUG_READ_ONLY:
		break;
	case FWCTL_RPC_DEBUG_WRITE_FULL:
		if (!capable(CAP_SYS_RAWIO))
			return -EPERM;
		fallthrough;
	case FWCTL_RPC_DEBUG_WRITE:
		/* fwctl also taints the kernel here (TAINT_FWCTL): 6.1 has no such flag. */
		if (!test_and_set_bit(0, &fwctl_emu_write_warned))
			dev_warn(&fwctl->dev, "%s(%d): has requested full access to the physical device\n",
				 current->comm, task_pid_nr(current));
		break;
	default:
		return -EOPNOTSUPP;
	}

	in = kvzalloc(cmd->in_len, GFP_KERNEL_ACCOUNT);
	if (!in)
		return -ENOMEM;
	if (copy_from_user(in, u64_to_user_ptr(cmd->in), cmd->in_len)) {
		err = -EFAULT;
		goto out_free_in;
	}
	out = fwctl->ops->fw_rpc(uctx, cmd->scope, in, cmd->in_len, &out_len);
	if (IS_ERR(out)) {
		err = PTR_ERR(out);
		goto out_free_in;
	}
	if (copy_to_user(u64_to_user_ptr(cmd->out), out, min_t(size_t, cmd->out_len, out_len)))
		err = -EFAULT;
	cmd->out_len = out_len;
	kvfree(out);
out_free_in:
	kvfree(in);
	return err;
}

struct fwctl_emu_ioctl_op {
	unsigned int cmd;
	/* The struct this kernel knows, and the least a caller must pass. */
	size_t size;
	size_t min_size;
	int (*execute)(struct fwctl_emu_uctx *uctx, union fwctl_emu_ucmd *ucmd);
};

static const struct fwctl_emu_ioctl_op fwctl_emu_ioctl_ops[] = {
	[FWCTL_CMD_INFO] = {
		.cmd = FWCTL_INFO,
		.size = sizeof(struct fwctl_info),
		.min_size = offsetofend(struct fwctl_info, out_device_data),
		.execute = fwctl_emu_cmd_info,
	},
	[FWCTL_CMD_RPC] = {
		.cmd = FWCTL_RPC,
		.size = sizeof(struct fwctl_rpc),
		.min_size = offsetofend(struct fwctl_rpc, out),
		.execute = fwctl_emu_cmd_rpc,
	},
};

static long fwctl_emu_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct fwctl_emu_uctx *uctx = file->private_data;
	struct fwctl_emu_device *fwctl = uctx->fwctl;
	void __user *argp = (void __user *)arg;
	const struct fwctl_emu_ioctl_op *op;
	union fwctl_emu_ucmd ucmd;
	unsigned int nr = _IOC_NR(cmd);
	u32 usize;
	long err;

	/* The VFS turns -ENOIOCTLCMD into ENOTTY for userspace. */
	if (nr >= ARRAY_SIZE(fwctl_emu_ioctl_ops))
		return -ENOIOCTLCMD;
	op = &fwctl_emu_ioctl_ops[nr];
	if (op->cmd != cmd)
		return -ENOIOCTLCMD;

	/*
	 * The struct's first word is its size: an older program passes less,
	 * a newer one more, which must then be zeroes (else E2BIG).
	 */
	if (get_user(usize, (u32 __user *)argp))
		return -EFAULT;
	if (usize < op->min_size)
		return -EINVAL;
	err = copy_struct_from_user(&ucmd, op->size, argp, usize);
	if (err)
		return err;

	down_read(&fwctl->registration_lock);
	err = fwctl->ops ? op->execute(uctx, &ucmd) : -ENODEV;
	up_read(&fwctl->registration_lock);
	if (err)
		return err;
	/* The answer: the fields both sides know. */
	if (copy_to_user(argp, &ucmd, min_t(size_t, usize, op->size)))
		return -EFAULT;
	return 0;
}

static int fwctl_emu_open(struct inode *inode, struct file *file)
{
	struct fwctl_emu_device *fwctl = container_of(inode->i_cdev, struct fwctl_emu_device, cdev);
	struct fwctl_emu_uctx *uctx;
	int err = 0;

	down_read(&fwctl->registration_lock);
	if (!fwctl->ops) {
		err = -ENODEV;
		goto out_unlock;
	}
	uctx = kzalloc(fwctl->ops->uctx_size, GFP_KERNEL_ACCOUNT);
	if (!uctx) {
		err = -ENOMEM;
		goto out_unlock;
	}
	uctx->fwctl = fwctl;
	err = fwctl->ops->open_uctx(uctx);
	if (err) {
		kfree(uctx);
		goto out_unlock;
	}
	mutex_lock(&fwctl->uctx_list_lock);
	list_add_tail(&uctx->node, &fwctl->uctx_list);
	mutex_unlock(&fwctl->uctx_list_lock);
	get_device(&fwctl->dev);
	file->private_data = uctx;

out_unlock:
	up_read(&fwctl->registration_lock);
	return err;
}

static int fwctl_emu_release(struct inode *inode, struct file *file)
{
	struct fwctl_emu_uctx *uctx = file->private_data;
	struct fwctl_emu_device *fwctl = uctx->fwctl;

	down_read(&fwctl->registration_lock);
	/* After removal, fwctl_emu_unregister() already closed it. */
	if (fwctl->ops) {
		fwctl->ops->close_uctx(uctx);
		mutex_lock(&fwctl->uctx_list_lock);
		list_del(&uctx->node);
		mutex_unlock(&fwctl->uctx_list_lock);
	}
	up_read(&fwctl->registration_lock);

	kfree(uctx);
	put_device(&fwctl->dev);
	return 0;
}

static const struct file_operations fwctl_emu_fops = {
	.owner = THIS_MODULE,
	.open = fwctl_emu_open,
	.release = fwctl_emu_release,
	.unlocked_ioctl = fwctl_emu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static void fwctl_emu_dev_release(struct device *dev)
{
	struct fwctl_emu_device *fwctl = container_of(dev, struct fwctl_emu_device, dev);

	ida_free(&fwctl_emu_ida, MINOR(dev->devt));
	mutex_destroy(&fwctl->uctx_list_lock);
	kfree(fwctl);
}

struct fwctl_emu_device *fwctl_emu_register(struct device *parent, const struct fwctl_emu_ops *ops,
					    void *priv)
{
	struct fwctl_emu_device *fwctl;
	int id, err;

	fwctl = kzalloc(sizeof(*fwctl), GFP_KERNEL);
	if (!fwctl)
		return ERR_PTR(-ENOMEM);
	id = ida_alloc_max(&fwctl_emu_ida, FWCTL_EMU_MAX_DEVICES - 1, GFP_KERNEL);
	if (id < 0) {
		kfree(fwctl);
		return ERR_PTR(id);
	}
	init_rwsem(&fwctl->registration_lock);
	mutex_init(&fwctl->uctx_list_lock);
	INIT_LIST_HEAD(&fwctl->uctx_list);
	fwctl->ops = ops;
	fwctl->priv = priv;

	device_initialize(&fwctl->dev);
	fwctl->dev.class = &fwctl_emu_class;
	fwctl->dev.parent = parent;
	fwctl->dev.devt = MKDEV(MAJOR(fwctl_emu_devt), id);
	/* From here on, put_device() frees everything, the id included. */
	fwctl->dev.release = fwctl_emu_dev_release;
	err = dev_set_name(&fwctl->dev, "fwctl%d", id);
	if (err)
		goto err_put;
	cdev_init(&fwctl->cdev, &fwctl_emu_fops);
	fwctl->cdev.owner = THIS_MODULE;
	err = cdev_device_add(&fwctl->cdev, &fwctl->dev);
	if (err)
		goto err_put;
	return fwctl;

err_put:
	put_device(&fwctl->dev);
	return ERR_PTR(err);
}

void fwctl_emu_unregister(struct fwctl_emu_device *fwctl)
{
	struct fwctl_emu_uctx *uctx, *tmp;

	/* No new opens; open files keep the device's memory until closed. */
	cdev_device_del(&fwctl->cdev, &fwctl->dev);

	/*
	 * Waits for running file operations; later ones see ops == NULL and
	 * fail with ENODEV.  No reader, so the list needs no other lock.
	 */
	down_write(&fwctl->registration_lock);
	list_for_each_entry_safe(uctx, tmp, &fwctl->uctx_list, node) {
		fwctl->ops->close_uctx(uctx);
		list_del_init(&uctx->node);
	}
	fwctl->ops = NULL;
	fwctl->priv = NULL;
	up_write(&fwctl->registration_lock);

	put_device(&fwctl->dev);
}

int fwctl_emu_core_init(void)
{
	int err;

	err = alloc_chrdev_region(&fwctl_emu_devt, 0, FWCTL_EMU_MAX_DEVICES, "fwctl");
	if (err)
		return err;
	err = class_register(&fwctl_emu_class);
	if (err)
		unregister_chrdev_region(fwctl_emu_devt, FWCTL_EMU_MAX_DEVICES);
	return err;
}

void fwctl_emu_core_exit(void)
{
	class_unregister(&fwctl_emu_class);
	unregister_chrdev_region(fwctl_emu_devt, FWCTL_EMU_MAX_DEVICES);
}
