// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mlx5ctl_emu: an emulated ConnectX device for testing mlx5ctl.ko without
 * hardware.  TEST ONLY, NEVER FOR PRODUCTION: it hands firmware commands to
 * whichever root process holds /dev/mlx5ctl_emu, so it refuses to load
 * unless given i_am_a_test=1, and loading it taints the kernel as a test.
 */
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "emu.h"

static bool i_am_a_test;
module_param(i_am_a_test, bool, 0444);
MODULE_PARM_DESC(i_am_a_test, "Must be 1: this module exists for tests only");

unsigned int mlx5ctl_emu_cmd_timeout_ms = 10000;
module_param_named(cmd_timeout_ms, mlx5ctl_emu_cmd_timeout_ms, uint, 0644);
MODULE_PARM_DESC(cmd_timeout_ms, "How long a command waits for the userspace firmware");

static struct miscdevice emu_misc;

/* "mlx5ctl", "fwctl" or both, comma separated: the interfaces to offer. */
static int parse_ifaces(char *list, unsigned int *ret_ifaces)
{
	unsigned int ifaces = 0;
	char *name;

	while ((name = strsep(&list, ","))) {
		if (!strcmp(name, "mlx5ctl"))
			ifaces |= MLX5CTL_EMU_IFACE_MLX5CTL;
		else if (!strcmp(name, "fwctl"))
			ifaces |= MLX5CTL_EMU_IFACE_FWCTL;
		else
			return -EINVAL;
	}
	*ret_ifaces = ifaces;
	return 0;
}

static ssize_t add_device_store(struct device *dev, struct device_attribute *attr,
				const char *buf, size_t count)
{
	unsigned int ifaces = MLX5CTL_EMU_IFACE_MLX5CTL;
	char pci_name[64], list[32];
	u32 index;
	int n, err;

	n = sscanf(buf, "%u %63s %31s", &index, pci_name, list);
	if (n < 2)
		return -EINVAL;
	if (n == 3) {
		err = parse_ifaces(list, &ifaces);
		if (err)
			return err;
	}
	err = mlx5ctl_emu_device_add(emu_misc.this_device, index, pci_name, ifaces);
	return err ? err : count;
}
static DEVICE_ATTR_WO(add_device);

static ssize_t remove_device_store(struct device *dev, struct device_attribute *attr,
				   const char *buf, size_t count)
{
	u32 index;
	int err;

	err = kstrtou32(buf, 0, &index);
	if (err)
		return err;
	err = mlx5ctl_emu_device_remove(index);
	return err ? err : count;
}
static DEVICE_ATTR_WO(remove_device);

static ssize_t devices_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return mlx5ctl_emu_device_list(buf);
}
static DEVICE_ATTR_RO(devices);

static struct attribute *emu_attrs[] = {
	&dev_attr_add_device.attr,
	&dev_attr_remove_device.attr,
	&dev_attr_devices.attr,
	NULL
};
ATTRIBUTE_GROUPS(emu);

static struct miscdevice emu_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "mlx5ctl_emu",
	.fops = &mlx5ctl_emu_channel_fops,
	.groups = emu_groups,
	.mode = 0600,
};

static int __init mlx5ctl_emu_init(void)
{
	if (!i_am_a_test) {
		pr_err("mlx5ctl_emu: test-only emulated device, not loaded: pass i_am_a_test=1\n");
		return -EPERM;
	}
	return misc_register(&emu_misc);
}

static void __exit mlx5ctl_emu_exit(void)
{
	mlx5ctl_emu_device_remove_all();
	misc_deregister(&emu_misc);
}

module_init(mlx5ctl_emu_init);
module_exit(mlx5ctl_emu_exit);

MODULE_DESCRIPTION("Emulated ConnectX device for mlx5ctl tests (test only)");
MODULE_LICENSE("GPL");
MODULE_INFO(test, "Y");
