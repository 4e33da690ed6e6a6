/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Discovery: the kernel's device nodes that lead to mlx5 firmware, found
 * through udev (mlx5ctl misc devices and fwctl class devices), and a monitor
 * that reports them coming and going.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

struct mlx5_node {
        char *devnode;          /* /dev/mlx5ctl-mlx5_core.ctl.0, /dev/fwctl/fwctl0 */
        char *kind;             /* "mlx5ctl" or "fwctl" */
        char *pci_name;         /* from the udev parent chain, or NULL */
};

typedef struct mlx5_node mlx5_node;
void mlx5_node_free(struct mlx5_node *node);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(mlx5_node, mlx5_node_free)

/* Appends every node present now (struct mlx5_node *, owned by the array). */
bool mlx5_discovery_enumerate(GPtrArray *ret_nodes, GError **error);

typedef struct mlx5_discovery_monitor mlx5_discovery_monitor;
typedef void (*mlx5_hotplug_fn)(bool added, const struct mlx5_node *node, void *user_data);

/* Calls fn from a thread of its own for every node added or removed. */
mlx5_discovery_monitor *mlx5_discovery_monitor_start(mlx5_hotplug_fn fn, void *user_data, GError **error);
void mlx5_discovery_monitor_stop(mlx5_discovery_monitor *monitor);
