/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mlx5ctl_emu internals (TEST ONLY): the command channel and the devices. */
#ifndef MLX5CTL_EMU_INTERNAL_H
#define MLX5CTL_EMU_INTERNAL_H

#include <linux/device.h>
#include <linux/fs.h>
#include <linux/types.h>

extern unsigned int mlx5ctl_emu_cmd_timeout_ms;

/* The control node's file operations (channel.c). */
extern const struct file_operations mlx5ctl_emu_channel_fops;

/*
 * Hands one command of device dev_index to the userspace firmware and
 * waits for its answer: 0 with out filled, -ENOTCONN without a server,
 * -ETIMEDOUT when it does not answer in time, -EINTR when killed.
 */
int mlx5ctl_emu_channel_exec(u32 dev_index, const void *in, int inlen, void *out, int outlen);

/* Devices (device.c); parent is the control node. */
int mlx5ctl_emu_device_add(struct device *parent, u32 index, const char *pci_name);
int mlx5ctl_emu_device_remove(u32 index);
void mlx5ctl_emu_device_remove_all(void);
ssize_t mlx5ctl_emu_device_list(char *buf);

#endif /* MLX5CTL_EMU_INTERNAL_H */
