/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "host/host.h"

void mlx5_host_init(mlx5_host *host, const struct mlx5_host_ops *ops, const char *name)
{
        host->ops = ops;
        host->name = g_strdup(name);
}

void mlx5_host_format_stats(mlx5_host *host, GString *out)
{
        g_string_append_printf(out, "host.netlink_requests: %d\n", g_atomic_int_get(&host->stats.netlink_requests));
        g_string_append_printf(out, "host.netlink_entries: %d\n", g_atomic_int_get(&host->stats.netlink_entries));
        g_string_append_printf(out, "host.debugfs_entries: %d\n", g_atomic_int_get(&host->stats.debugfs_entries));
        g_string_append_printf(out, "host.malformed: %d\n", g_atomic_int_get(&host->stats.malformed));
        g_string_append_printf(out, "host.limit_trips: %d\n", g_atomic_int_get(&host->stats.limit_trips));
}

void mlx5_host_free(mlx5_host *host)
{
        char *name;

        if (!host)
                return;
        name = host->name;
        host->ops->destroy(host);
        g_free(name);
}
