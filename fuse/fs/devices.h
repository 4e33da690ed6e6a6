/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "fs/options.h"
#include "schema/schema.h"
#include "tree/tree.h"

/*
 * Opens every device to mount: the simulated ones with --sim, otherwise
 * every mlx5 node the kernel offers (one per PCI function, fwctl preferred
 * over mlx5ctl).  Appends mlx5_device pointers to ret_devices.
 */
bool mlx5dbgfs_open_devices(const struct mlx5dbgfs_options *opts, const mlx5_schema *schema,
                            GPtrArray *ret_devices, GError **error);

/*
 * Follows devices coming and going for as long as the mount lives: udev's
 * word for hardware (not with --sim), and for every device a node that
 * answers ENODEV.
 */
typedef struct mlx5dbgfs_hotplug mlx5dbgfs_hotplug;
mlx5dbgfs_hotplug *mlx5dbgfs_hotplug_start(const struct mlx5dbgfs_options *opts, const mlx5_schema *schema,
                                           mlx5_tree *tree, const char *sysfs_root);
void mlx5dbgfs_hotplug_stop(mlx5dbgfs_hotplug *hotplug);
