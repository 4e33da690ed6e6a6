/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mlx5ctl core internals: the device, its open files and their UMEMs. */
#ifndef MLX5CTL_CORE_H
#define MLX5CTL_CORE_H

#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/mlx5/device.h>
#include <linux/mlx5/mlx5_ifc.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>

#include "mlx5ctl_backend.h"

/* Not in Debian 6.1's mlx5_ifc.h: the uctx cap fwctl and mlx5ctl grant. */
#define MLX5CTL_UCTX_CAP_TOOLS_RESOURCES BIT(2)

#define MLX5CTL_DEVNAME_LEN 64

/* The header every command inbox / outbox starts with. */
struct mlx5_ifc_mlx5ctl_in_hdr_bits {
	u8 opcode[0x10];
	u8 uid[0x10];
	u8 reserved_at_20[0x10];
	u8 op_mod[0x10];
	u8 reserved_at_40[0x40];
};

struct mlx5_ifc_mlx5ctl_out_hdr_bits {
	u8 status[0x8];
	u8 reserved_at_8[0x18];
	u8 syndrome[0x20];
	u8 reserved_at_40[0x40];
};

struct mlx5ctl_dev {
	struct kref refcount;		/* the backend's, plus one per open file */
	/*
	 * Write side: mlx5ctl_unregister().  Read side: every file operation,
	 * which must then check ops: NULL once the device is gone.
	 */
	struct rw_semaphore rw_lock;
	const struct mlx5ctl_backend_ops *ops;
	void *priv;
	struct device *parent;
	struct device *dma_dev;
	u32 dev_uctx_cap;
	char devname[MLX5CTL_DEVNAME_LEN];
	struct miscdevice miscdev;
	/* Added and removed under rw_lock read + fd_list_lock; walked under rw_lock write. */
	struct list_head fd_list;
	spinlock_t fd_list_lock;	/* see fd_list */
};

/* One open file: its own firmware user context and registered memory. */
struct mlx5ctl_fd {
	struct mlx5ctl_dev *mcdev;
	struct list_head list;
	u16 uctx_uid;
	u32 uctx_cap;
	u32 ucap;
	struct mutex umem_lock;		/* serialises UMEM registration changes */
	struct xarray umems;		/* umem_id -> struct mlx5ctl_umem */
};

void mlx5ctl_dev_put(struct mlx5ctl_dev *mcdev);

/*
 * A command of the driver's own: 0, -EREMOTEIO when firmware refused it,
 * or the backend's error.  Caller holds rw_lock with ops set.
 */
int mlx5ctl_cmd_exec(struct mlx5ctl_dev *mcdev, void *in, int inlen, void *out, int outlen);

int mlx5ctl_open(struct inode *inode, struct file *file);
int mlx5ctl_release(struct inode *inode, struct file *file);
/* Frees the file's UMEMs and user context in firmware (rw_lock held, ops set). */
void mlx5ctl_fd_release_fw(struct mlx5ctl_fd *mfd);

long mlx5ctl_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

int mlx5ctl_umem_reg(struct mlx5ctl_fd *mfd, void __user *arg);
int mlx5ctl_umem_unreg(struct mlx5ctl_fd *mfd, void __user *arg);
void mlx5ctl_umem_release_all(struct mlx5ctl_fd *mfd);

int mlx5ctl_aux_driver_register(void);
void mlx5ctl_aux_driver_unregister(void);

#endif /* MLX5CTL_CORE_H */
