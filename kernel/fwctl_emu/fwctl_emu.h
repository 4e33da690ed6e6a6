/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fwctl_emu internals (TEST ONLY).  core.c stands in for the fwctl core
 * (drivers/fwctl/main.c of Linux 6.15): the "fwctl" class, the character
 * devices, the ioctl ABI and its generic checks.  mlx5.c stands in for the
 * mlx5 fwctl driver: user contexts and the per-scope opcode allow-list,
 * over mlx5ctl_emu's emulated functions.
 */
#ifndef FWCTL_EMU_H
#define FWCTL_EMU_H

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <uapi/fwctl/fwctl.h>

struct fwctl_emu_uctx;

struct fwctl_emu_ops {
	enum fwctl_device_type device_type;
	/* Bytes of the driver's user context, which starts with struct fwctl_emu_uctx. */
	size_t uctx_size;
	/* At open; may sleep. */
	int (*open_uctx)(struct fwctl_emu_uctx *uctx);
	/* At close, or for every open file when the device goes. */
	void (*close_uctx)(struct fwctl_emu_uctx *uctx);
	/* FWCTL_INFO's device data: a kmalloc'ed buffer of *length bytes, or an ERR_PTR. */
	void *(*info)(struct fwctl_emu_uctx *uctx, size_t *length);
	/*
	 * FWCTL_RPC: a kvmalloc'ed answer of *out_len bytes (*out_len is the
	 * caller's size on entry), or an ERR_PTR when the RPC was not delivered.
	 */
	void *(*fw_rpc)(struct fwctl_emu_uctx *uctx, enum fwctl_rpc_scope scope,
			void *in, size_t in_len, size_t *out_len);
};

struct fwctl_emu_device {
	struct device dev;		/* /sys/class/fwctl/fwctl<N>; freed by its release */
	struct cdev cdev;		/* /dev/fwctl/fwctl<N> */
	/*
	 * Write side: fwctl_emu_unregister().  Read side: every file operation,
	 * which must then check ops: NULL once the device is gone.
	 */
	struct rw_semaphore registration_lock;
	const struct fwctl_emu_ops *ops;
	struct mutex uctx_list_lock;	/* protects uctx_list */
	struct list_head uctx_list;
	void *priv;			/* the driver's */
};

/* One open file. */
struct fwctl_emu_uctx {
	struct fwctl_emu_device *fwctl;
	struct list_head node;		/* on fwctl->uctx_list while the device lives */
};

/*
 * A class device "fwctl<N>" under parent, with a character device
 * /dev/fwctl/fwctl<N> whose files ops serve.  Unregister before the driver
 * goes: that closes every open file's user context and orphans the files.
 */
struct fwctl_emu_device *fwctl_emu_register(struct device *parent, const struct fwctl_emu_ops *ops,
					    void *priv);
void fwctl_emu_unregister(struct fwctl_emu_device *fwctl);

int fwctl_emu_core_init(void);
void fwctl_emu_core_exit(void);

/* The mlx5 driver (mlx5.c). */
int fwctl_emu_mlx5_init(void);
void fwctl_emu_mlx5_exit(void);

#endif /* FWCTL_EMU_H */
