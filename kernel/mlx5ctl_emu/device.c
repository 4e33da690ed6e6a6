// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mlx5ctl_emu devices (TEST ONLY): each emulated function answers through
 * the userspace firmware and offers one or both of:
 *  - mlx5ctl: the auxiliary device "mlx5ctl_emu.ctl.<index>", registered
 *    with mlx5ctl, which makes /dev/mlx5ctl-mlx5ctl_emu.ctl.<index>;
 *  - fwctl: the auxiliary device "mlx5ctl_emu.fwctl.<index>", for the fwctl
 *    test double (fwctl_emu.ko) to bind, as mlx5_fwctl binds mlx5_core's.
 * Like mlx5_core's, these auxiliary devices are children of the PCI
 * function when the name given is that of a PCI device present, so sysfs
 * and udev find the function above every node.  fwctl requires one: its
 * devices always hang off a PCI function.  Without one (mlx5ctl only), the
 * function sits under the control node and its name is only what INFO says.
 * Like mlx5_core at probe, adding a function asks its firmware for the
 * general caps, to learn which user context caps it has.
 */
#include <linux/auxiliary_bus.h>
#include <linux/dma-mapping.h>
#include <linux/mlx5/device.h>
#include <linux/mlx5/mlx5_ifc.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/xarray.h>

#include "emu.h"
#include "mlx5ctl_backend.h"

#define EMU_PCI_NAME_LEN 64

struct mlx5ctl_emu_dev {
	u32 index;
	char pci_name[EMU_PCI_NAME_LEN];
	/* The PCI function it sits on (a reference), or NULL. */
	struct device *pci_dev;
	u32 dev_uctx_cap;
	/* mlx5ctl: its auxiliary device and registration, or NULL. */
	struct auxiliary_device *ctl_adev;
	struct mlx5ctl_dev *mcdev;
	/* fwctl: its auxiliary device, or NULL. */
	struct mlx5ctl_emu_fwctl_adev *fwctl_adev;
};

/* Serialises adding and removing; emu_devs maps index -> device. */
static DEFINE_MUTEX(emu_devs_lock);
static DEFINE_XARRAY(emu_devs);

static int emu_exec(void *priv, void *in, int inlen, void *out, int outlen)
{
	struct mlx5ctl_emu_dev *edev = priv;

	return mlx5ctl_emu_channel_exec(edev->index, in, inlen, out, outlen);
}

static const struct mlx5ctl_backend_ops emu_backend_ops = {
	.exec = emu_exec,
};

static int emu_query_uctx_cap(u32 index, u32 *ret_cap)
{
	u32 in[MLX5_ST_SZ_DW(query_hca_cap_in)] = {};
	int outlen = MLX5_ST_SZ_BYTES(query_hca_cap_out);
	void *out;
	int err;

	out = kvzalloc(outlen, GFP_KERNEL);
	if (!out)
		return -ENOMEM;
	MLX5_SET(query_hca_cap_in, in, opcode, MLX5_CMD_OP_QUERY_HCA_CAP);
	MLX5_SET(query_hca_cap_in, in, op_mod,
		 MLX5_SET_HCA_CAP_OP_MOD_GENERAL_DEVICE << 1 | HCA_CAP_OPMOD_GET_CUR);
	err = mlx5ctl_emu_channel_exec(index, in, sizeof(in), out, outlen);
	if (!err && MLX5_GET(query_hca_cap_out, out, status))
		err = -EREMOTEIO;
	if (!err)
		*ret_cap = MLX5_GET(query_hca_cap_out, out, capability.cmd_hca_cap.uctx_cap);
	kvfree(out);
	return err;
}

static void emu_ctl_adev_release(struct device *dev)
{
	kfree(container_of(dev, struct auxiliary_device, dev));
}

static void emu_fwctl_adev_release(struct device *dev)
{
	kfree(container_of(dev, struct mlx5ctl_emu_fwctl_adev, adev.dev));
}

/* Adds adev, allocated by the caller, as "mlx5ctl_emu.<name>.<index>" under parent. */
static int emu_adev_add(struct auxiliary_device *adev, const char *name, u32 index,
			struct device *parent, void (*release)(struct device *dev))
{
	int err;

	adev->name = name;
	adev->id = index;
	adev->dev.parent = parent;
	adev->dev.release = release;
	err = auxiliary_device_init(adev);
	if (err) {
		/* Not a device yet: nothing else will free it. */
		release(&adev->dev);
		return err;
	}
	err = auxiliary_device_add(adev);
	if (err)
		/* Frees adev through release. */
		auxiliary_device_uninit(adev);
	return err;
}

static void emu_adev_del(struct auxiliary_device *adev)
{
	auxiliary_device_delete(adev);
	auxiliary_device_uninit(adev);
}

static int emu_add_mlx5ctl(struct mlx5ctl_emu_dev *edev, struct device *parent)
{
	struct mlx5ctl_backend backend = {
		.ops = &emu_backend_ops,
		.priv = edev,
		.devname = edev->pci_name,
		.dev_uctx_cap = edev->dev_uctx_cap,
	};
	struct auxiliary_device *adev;
	int err;

	adev = kzalloc(sizeof(*adev), GFP_KERNEL);
	if (!adev)
		return -ENOMEM;
	err = emu_adev_add(adev, "ctl", edev->index, parent, emu_ctl_adev_release);
	if (err)
		return err;
	/* mlx5ctl maps registered memory for this device, as for a PCI function. */
	adev->dev.dma_mask = &adev->dev.coherent_dma_mask;
	err = dma_set_mask_and_coherent(&adev->dev, DMA_BIT_MASK(64));
	if (err) {
		emu_adev_del(adev);
		return err;
	}
	backend.parent = &adev->dev;
	backend.dma_dev = &adev->dev;
	edev->mcdev = mlx5ctl_register(&backend);
	if (IS_ERR(edev->mcdev)) {
		err = PTR_ERR(edev->mcdev);
		edev->mcdev = NULL;
		emu_adev_del(adev);
		return err;
	}
	edev->ctl_adev = adev;
	return 0;
}

static int emu_add_fwctl(struct mlx5ctl_emu_dev *edev)
{
	struct mlx5ctl_emu_fwctl_adev *fadev;
	int err;

	fadev = kzalloc(sizeof(*fadev), GFP_KERNEL);
	if (!fadev)
		return -ENOMEM;
	fadev->dev_uctx_cap = edev->dev_uctx_cap;
	/* When fwctl_emu.ko is loaded, its probe runs from here. */
	err = emu_adev_add(&fadev->adev, "fwctl", edev->index, edev->pci_dev,
			   emu_fwctl_adev_release);
	if (err)
		return err;
	edev->fwctl_adev = fadev;
	return 0;
}

/* Takes every interface down while the channel still works, then frees edev. */
static void emu_device_destroy(struct mlx5ctl_emu_dev *edev)
{
	/* Each releases its open files' firmware objects through the channel. */
	if (edev->fwctl_adev)
		emu_adev_del(&edev->fwctl_adev->adev);
	if (edev->mcdev)
		mlx5ctl_unregister(edev->mcdev);
	if (edev->ctl_adev)
		emu_adev_del(edev->ctl_adev);
	put_device(edev->pci_dev);
	kfree(edev);
}

int mlx5ctl_emu_device_add(struct device *ctl_node, u32 index, const char *pci_name,
			   unsigned int ifaces)
{
	struct mlx5ctl_emu_dev *edev;
	int err;

	if (!ifaces || ifaces & ~(MLX5CTL_EMU_IFACE_MLX5CTL | MLX5CTL_EMU_IFACE_FWCTL))
		return -EINVAL;

	mutex_lock(&emu_devs_lock);
	err = -EEXIST;
	if (xa_load(&emu_devs, index))
		goto out_unlock;

	err = -ENOMEM;
	edev = kzalloc(sizeof(*edev), GFP_KERNEL);
	if (!edev)
		goto out_unlock;
	edev->index = index;
	err = -ENAMETOOLONG;
	if (strscpy(edev->pci_name, pci_name, sizeof(edev->pci_name)) < 0)
		goto err_destroy;
	/* A reference, dropped when the function goes. */
	edev->pci_dev = bus_find_device_by_name(&pci_bus_type, NULL, pci_name);
	err = -ENODEV;
	if ((ifaces & MLX5CTL_EMU_IFACE_FWCTL) && !edev->pci_dev)
		goto err_destroy;
	err = emu_query_uctx_cap(index, &edev->dev_uctx_cap);
	if (err)
		goto err_destroy;

	/* fwctl first: a daemon following uevents then meets it before mlx5ctl. */
	if (ifaces & MLX5CTL_EMU_IFACE_FWCTL) {
		err = emu_add_fwctl(edev);
		if (err)
			goto err_destroy;
	}
	if (ifaces & MLX5CTL_EMU_IFACE_MLX5CTL) {
		err = emu_add_mlx5ctl(edev, edev->pci_dev ? edev->pci_dev : ctl_node);
		if (err)
			goto err_destroy;
	}
	err = xa_err(xa_store(&emu_devs, index, edev, GFP_KERNEL));
	if (err)
		goto err_destroy;
	mutex_unlock(&emu_devs_lock);
	return 0;

err_destroy:
	emu_device_destroy(edev);
out_unlock:
	mutex_unlock(&emu_devs_lock);
	return err;
}

int mlx5ctl_emu_device_remove(u32 index)
{
	struct mlx5ctl_emu_dev *edev;

	mutex_lock(&emu_devs_lock);
	edev = xa_erase(&emu_devs, index);
	if (edev)
		emu_device_destroy(edev);
	mutex_unlock(&emu_devs_lock);
	return edev ? 0 : -ENODEV;
}

void mlx5ctl_emu_device_remove_all(void)
{
	struct mlx5ctl_emu_dev *edev;
	unsigned long index;

	mutex_lock(&emu_devs_lock);
	xa_for_each(&emu_devs, index, edev) {
		xa_erase(&emu_devs, index);
		emu_device_destroy(edev);
	}
	mutex_unlock(&emu_devs_lock);
}

ssize_t mlx5ctl_emu_device_list(char *buf)
{
	struct mlx5ctl_emu_dev *edev;
	unsigned long index;
	ssize_t len = 0;

	mutex_lock(&emu_devs_lock);
	xa_for_each(&emu_devs, index, edev) {
		struct auxiliary_device *fwctl = edev->fwctl_adev ? &edev->fwctl_adev->adev : NULL;

		len += sysfs_emit_at(buf, len, "%u %s", edev->index, edev->pci_name);
		if (edev->ctl_adev)
			len += sysfs_emit_at(buf, len, " %s", dev_name(&edev->ctl_adev->dev));
		if (fwctl)
			len += sysfs_emit_at(buf, len, " %s", dev_name(&fwctl->dev));
		len += sysfs_emit_at(buf, len, "\n");
	}
	mutex_unlock(&emu_devs_lock);
	return len;
}
