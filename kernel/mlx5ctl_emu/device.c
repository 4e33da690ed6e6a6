// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mlx5ctl_emu devices (TEST ONLY): each is an auxiliary device
 * "mlx5ctl_emu.ctl.<index>" registered with mlx5ctl, whose commands go to
 * the userspace firmware.  Like mlx5_core at probe, adding one asks that
 * firmware for its general caps, to learn which user context caps it has.
 */
#include <linux/auxiliary_bus.h>
#include <linux/dma-mapping.h>
#include <linux/mlx5/device.h>
#include <linux/mlx5/mlx5_ifc.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/xarray.h>

#include "emu.h"
#include "mlx5ctl_backend.h"

#define EMU_PCI_NAME_LEN 64

struct mlx5ctl_emu_dev {
	struct auxiliary_device adev;
	u32 index;
	char pci_name[EMU_PCI_NAME_LEN];
	struct mlx5ctl_dev *mcdev;
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

static void emu_adev_release(struct device *dev)
{
	kfree(container_of(dev, struct mlx5ctl_emu_dev, adev.dev));
}

int mlx5ctl_emu_device_add(struct device *parent, u32 index, const char *pci_name)
{
	struct mlx5ctl_backend backend = {
		.ops = &emu_backend_ops,
	};
	struct mlx5ctl_emu_dev *edev;
	int err;

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
		goto err_free;
	err = emu_query_uctx_cap(index, &backend.dev_uctx_cap);
	if (err)
		goto err_free;

	edev->adev.name = "ctl";
	edev->adev.id = index;
	edev->adev.dev.parent = parent;
	edev->adev.dev.release = emu_adev_release;
	err = auxiliary_device_init(&edev->adev);
	if (err)
		goto err_free;
	/* Registered memory is mapped for this device, as for a PCI function. */
	edev->adev.dev.dma_mask = &edev->adev.dev.coherent_dma_mask;
	err = dma_set_mask_and_coherent(&edev->adev.dev, DMA_BIT_MASK(64));
	if (err)
		goto err_uninit;
	err = auxiliary_device_add(&edev->adev);
	if (err)
		goto err_uninit;

	backend.priv = edev;
	backend.parent = &edev->adev.dev;
	backend.dma_dev = &edev->adev.dev;
	backend.devname = edev->pci_name;
	edev->mcdev = mlx5ctl_register(&backend);
	if (IS_ERR(edev->mcdev)) {
		err = PTR_ERR(edev->mcdev);
		goto err_delete;
	}
	err = xa_err(xa_store(&emu_devs, index, edev, GFP_KERNEL));
	if (err)
		goto err_unregister;
	mutex_unlock(&emu_devs_lock);
	return 0;

err_unregister:
	mlx5ctl_unregister(edev->mcdev);
err_delete:
	auxiliary_device_delete(&edev->adev);
err_uninit:
	/* Frees edev through emu_adev_release. */
	auxiliary_device_uninit(&edev->adev);
	goto out_unlock;
err_free:
	kfree(edev);
out_unlock:
	mutex_unlock(&emu_devs_lock);
	return err;
}

static void emu_device_destroy(struct mlx5ctl_emu_dev *edev)
{
	/* Releases open files' firmware objects while the channel still works. */
	mlx5ctl_unregister(edev->mcdev);
	auxiliary_device_delete(&edev->adev);
	auxiliary_device_uninit(&edev->adev);
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
	xa_for_each(&emu_devs, index, edev)
		len += sysfs_emit_at(buf, len, "%u %s %s\n", edev->index, edev->pci_name,
				     dev_name(&edev->adev.dev));
	mutex_unlock(&emu_devs_lock);
	return len;
}
