// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fwctl_emu: a test double of the fwctl subsystem (Linux 6.15) and its mlx5
 * driver, for kernels that have neither, over mlx5ctl_emu's emulated
 * ConnectX functions.  TEST ONLY, NEVER FOR PRODUCTION: its firmware is
 * whichever root process holds /dev/mlx5ctl_emu, so it refuses to load
 * unless given i_am_a_test=1, and loading it taints the kernel as a test.
 */
#include <linux/kernel.h>
#include <linux/module.h>

#include "fwctl_emu.h"

static bool i_am_a_test;
module_param(i_am_a_test, bool, 0444);
MODULE_PARM_DESC(i_am_a_test, "Must be 1: this module exists for tests only");

static int __init fwctl_emu_init(void)
{
	int err;

	if (!i_am_a_test) {
		pr_err("fwctl_emu: test-only fwctl double, not loaded: pass i_am_a_test=1\n");
		return -EPERM;
	}
	err = fwctl_emu_core_init();
	if (err)
		return err;
	err = fwctl_emu_mlx5_init();
	if (err)
		fwctl_emu_core_exit();
	return err;
}

static void __exit fwctl_emu_exit(void)
{
	/* Unbinding unregisters every device; open files pin the module. */
	fwctl_emu_mlx5_exit();
	fwctl_emu_core_exit();
}

module_init(fwctl_emu_init);
module_exit(fwctl_emu_exit);

MODULE_DESCRIPTION("fwctl test double over emulated ConnectX functions (test only)");
MODULE_LICENSE("GPL");
MODULE_INFO(test, "Y");
