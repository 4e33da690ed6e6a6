// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The real backend: the "mlx5_core.ctl" auxiliary device that mlx5_core
 * creates for functions whose firmware supports user contexts.  Mainline
 * mlx5_core never created that device (the patch was part of the unmerged
 * mlx5ctl series), so this only binds on kernels that carry it.
 */
#include <linux/auxiliary_bus.h>
#include <linux/mlx5/driver.h>
#include <linux/module.h>

#include "mlx5ctl_core.h"

static int mlx5ctl_aux_exec(void *priv, void *in, int inlen, void *out, int outlen)
{
	/* Returns -EREMOTEIO, outbox valid, when firmware's status is not OK. */
	return mlx5_cmd_do(priv, in, inlen, out, outlen);
}

static const struct mlx5ctl_backend_ops mlx5ctl_aux_ops = {
	.exec = mlx5ctl_aux_exec,
};

static int mlx5ctl_aux_probe(struct auxiliary_device *adev,
			     const struct auxiliary_device_id *id)
{
	struct mlx5_adev *madev = container_of(adev, struct mlx5_adev, adev);
	struct mlx5_core_dev *mdev = madev->mdev;
	struct mlx5ctl_backend backend = {
		.ops = &mlx5ctl_aux_ops,
		.priv = mdev,
		.parent = &adev->dev,
		.dma_dev = mdev->device,
		.devname = dev_name(&mdev->pdev->dev),
		.dev_uctx_cap = MLX5_CAP_GEN(mdev, uctx_cap),
	};
	struct mlx5ctl_dev *mcdev;

	mcdev = mlx5ctl_register(&backend);
	if (IS_ERR(mcdev))
		return PTR_ERR(mcdev);
	auxiliary_set_drvdata(adev, mcdev);
	return 0;
}

static void mlx5ctl_aux_remove(struct auxiliary_device *adev)
{
	mlx5ctl_unregister(auxiliary_get_drvdata(adev));
}

static const struct auxiliary_device_id mlx5ctl_aux_id_table[] = {
	{ .name = MLX5_ADEV_NAME ".ctl" },
	{}
};
MODULE_DEVICE_TABLE(auxiliary, mlx5ctl_aux_id_table);

static struct auxiliary_driver mlx5ctl_aux_driver = {
	.name = "ctl",
	.probe = mlx5ctl_aux_probe,
	.remove = mlx5ctl_aux_remove,
	.id_table = mlx5ctl_aux_id_table,
};

int mlx5ctl_aux_driver_register(void)
{
	return auxiliary_driver_register(&mlx5ctl_aux_driver);
}

void mlx5ctl_aux_driver_unregister(void)
{
	auxiliary_driver_unregister(&mlx5ctl_aux_driver);
}
