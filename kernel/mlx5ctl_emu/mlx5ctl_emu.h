/* SPDX-License-Identifier: GPL-2.0-or-later WITH Linux-syscall-note */
/*
 * TEST ONLY, never for production: the control protocol of mlx5ctl_emu.ko,
 * the emulated ConnectX device that lets mlx5ctl run without hardware.
 *
 * The firmware is a userspace process (tests/vm/mlx5sim-server) holding
 * /dev/mlx5ctl_emu open.  read() hands it the next command: a struct
 * mlx5ctl_emu_request followed by inlen bytes of inbox.  write() answers
 * it: a struct mlx5ctl_emu_answer followed by outlen bytes of outbox (or
 * none, with error set).  Devices are added and removed by writing to
 * /sys/class/misc/mlx5ctl_emu/{add_device,remove_device}:
 *   echo "<index> <pci name> [<interfaces>]" > add_device
 *   echo <index> > remove_device
 * <interfaces> is mlx5ctl (the default), fwctl, or mlx5ctl,fwctl.  When a
 * PCI device of that name exists the function sits on it, as a real one
 * does; fwctl requires it.  The function's name is then the PCI device's,
 * whatever the firmware process calls it.  <index> picks the firmware's
 * function: the dev_index of its requests.  devices lists one line per
 * function: index, PCI name, and its auxiliary devices.
 */
#ifndef MLX5CTL_EMU_H
#define MLX5CTL_EMU_H

#include <linux/types.h>

/*
 * Largest inbox or outbox carried: fwctl's largest RPC (2 MiB), which also
 * holds a 64 MB CREATE_UMEM's page list.
 */
#define MLX5CTL_EMU_MAX_MSG (2 * 1024 * 1024)

struct mlx5ctl_emu_request {
	__u64 seq;		/* quote it in the answer */
	__u32 dev_index;	/* as given to add_device */
	__u32 inlen;		/* inbox bytes that follow */
	__u32 outlen;		/* outbox bytes the answer must carry */
	__u32 reserved;
};

struct mlx5ctl_emu_answer {
	__u64 seq;
	__s32 error;		/* 0, or -errno: the command never reached firmware */
	__u32 outlen;		/* the request's outlen when error is 0, else 0 */
};

#endif /* MLX5CTL_EMU_H */
