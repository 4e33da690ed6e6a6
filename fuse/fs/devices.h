/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "fs/options.h"
#include "schema/schema.h"

/*
 * Opens every device to mount: the simulated ones with --sim, otherwise the
 * kernel's nodes.  Appends mlx5_device pointers to ret_devices.
 */
bool mlx5dbgfs_open_devices(const struct mlx5dbgfs_options *opts, const mlx5_schema *schema,
                            GPtrArray *ret_devices, GError **error);
