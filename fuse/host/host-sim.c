/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The simulated function's host views: the simulator answers in the kernel's shapes. */
#include <errno.h>

#include "host/host-sim.h"

struct sim_host {
        mlx5_host base;
        mlx5_sim *sim;          /* borrowed: the transport owns it */
};

static int sim_rdma_device(mlx5_host *host, char **ret_name)
{
        *ret_name = g_strdup(mlx5_sim_rdma_name(((struct sim_host *) host)->sim));
        return 0;
}

static int sim_netlink(mlx5_host *host, const void *req, size_t len, mlx5_host_netlink_fn fn, void *user_data)
{
        return mlx5_sim_netlink(((struct sim_host *) host)->sim, req, len, fn, user_data);
}

static int sim_debugfs_list(mlx5_host *host, const char *dir, GPtrArray **ret_names)
{
        return mlx5_sim_debugfs_list(((struct sim_host *) host)->sim, dir, ret_names);
}

static int sim_comm(mlx5_host *host, uint32_t pid, char **ret_comm)
{
        return mlx5_sim_comm(((struct sim_host *) host)->sim, pid, ret_comm);
}

static void sim_destroy(mlx5_host *host)
{
        g_free(host);
}

static const struct mlx5_host_ops sim_ops = {
        .rdma_device = sim_rdma_device,
        .netlink = sim_netlink,
        .debugfs_list = sim_debugfs_list,
        .comm = sim_comm,
        .destroy = sim_destroy,
};

mlx5_host *mlx5_host_sim_new(mlx5_sim *sim)
{
        struct sim_host *sh = g_new0(struct sim_host, 1);

        mlx5_host_init(&sh->base, &sim_ops, "simulator");
        sh->sim = sim;
        return &sh->base;
}
