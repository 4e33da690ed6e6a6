/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TEST ONLY: what mlx5ctl_emu.ko offers other test modules, so that every
 * path into an emulated function reaches the same userspace firmware.
 * Its user is fwctl_emu.ko, the fwctl test double.
 */
#ifndef MLX5CTL_EMU_FW_H
#define MLX5CTL_EMU_FW_H

#include <linux/auxiliary_bus.h>
#include <linux/types.h>

/*
 * "mlx5ctl_emu.fwctl.<index>": added for an emulated function that sits on
 * a PCI function and was asked to offer fwctl, the way mlx5_core adds
 * "mlx5_core.fwctl.<n>" for the mlx5 fwctl driver.  adev.id is the
 * function's index and adev.dev.parent the PCI function.
 */
struct mlx5ctl_emu_fwctl_adev {
	struct auxiliary_device adev;
	/* MLX5_CAP_GEN(uctx_cap): the user context caps firmware supports. */
	u32 dev_uctx_cap;
};

/*
 * Hands one command of function dev_index to the userspace firmware and
 * waits for its answer: 0 with out filled (whatever firmware's status),
 * -ENOTCONN without a server, -ETIMEDOUT when it does not answer in time,
 * -EINTR when killed.  May sleep.
 */
int mlx5ctl_emu_channel_exec(u32 dev_index, const void *in, int inlen, void *out, int outlen);

#endif /* MLX5CTL_EMU_FW_H */
