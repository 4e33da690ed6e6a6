/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mlx5ctl_emu internals (TEST ONLY): the command channel and the devices. */
#ifndef MLX5CTL_EMU_INTERNAL_H
#define MLX5CTL_EMU_INTERNAL_H

#include <linux/bits.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/types.h>

#include "mlx5ctl_emu_fw.h"

extern unsigned int mlx5ctl_emu_cmd_timeout_ms;

/* The control node's file operations (channel.c). */
extern const struct file_operations mlx5ctl_emu_channel_fops;

/* The interfaces an emulated function offers. */
#define MLX5CTL_EMU_IFACE_MLX5CTL	BIT(0)
#define MLX5CTL_EMU_IFACE_FWCTL		BIT(1)

/*
 * Devices (device.c).  A function sits on the PCI device named pci_name
 * when there is one, else under ctl_node, the control node.
 */
int mlx5ctl_emu_device_add(struct device *ctl_node, u32 index, const char *pci_name,
			   unsigned int ifaces);
int mlx5ctl_emu_device_remove(u32 index);
void mlx5ctl_emu_device_remove_all(void);
ssize_t mlx5ctl_emu_device_list(char *buf);

#endif /* MLX5CTL_EMU_INTERNAL_H */
