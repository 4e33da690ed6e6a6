/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host views: what the host's kernel shows of one PCI function besides its
 * firmware — the RDMA device it registered, the kernel's RDMA resource
 * tracking over netlink, mlx5 debugfs, and the processes that own
 * resources.  On a real host these are NETLINK_RDMA, /sys/kernel/debug and
 * /proc; on the simulated device the simulator answers the same requests
 * in the same shapes, so the inventory parses one format either way.
 */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mlx5_host mlx5_host;

/*
 * Sees one buffer of netlink replies (one or more messages).  Returns > 0
 * to read on, 0 when the reply is complete, -errno to stop with an error.
 */
typedef int (*mlx5_host_netlink_fn)(const void *buf, size_t len, void *user_data);

struct mlx5_host_ops {
        /* The RDMA device name of the function ("mlx5_0"), or -ENOENT. */
        int (*rdma_device)(mlx5_host *host, char **ret_name);
        /*
         * Sends one NETLINK_RDMA request and hands every reply buffer to fn
         * until fn says the reply is complete; -ENOENT when there is no RDMA
         * netlink here at all.
         */
        int (*netlink)(mlx5_host *host, const void *req, size_t len, mlx5_host_netlink_fn fn, void *user_data);
        /* Entry names of the function's mlx5 debugfs directory dir ("QPs"); -ENOENT when absent. */
        int (*debugfs_list)(mlx5_host *host, const char *dir, GPtrArray **ret_names);
        /* The command name of a process (/proc/PID/comm), or -ESRCH. */
        int (*comm)(mlx5_host *host, uint32_t pid, char **ret_comm);
        void (*destroy)(mlx5_host *host);
};

/* Counters of what the host views gave, for .stats (atomics: any thread). */
struct mlx5_host_stats {
        gint netlink_requests;
        gint netlink_entries;
        gint debugfs_entries;
        gint malformed;                 /* replies or names that did not parse */
        gint limit_trips;               /* a view longer than MLX5_HOST_MAX_ENTRIES */
};

struct mlx5_host {
        const struct mlx5_host_ops *ops;
        char *name;                     /* what it is, for info: "linux", "simulator" */
        struct mlx5_host_stats stats;
};

/*
 * At most this many entries are taken from one view (netlink dump, debugfs
 * directory): more than the 2^24 numbers of any object type cannot be real.
 */
#define MLX5_HOST_MAX_ENTRIES (1u << 24)

/*
 * The real host's views of a PCI function: sysfs, RDMA netlink, debugfs,
 * /proc; debugfs under debugfs_root (-o debugfs_root), or with NULL where
 * mlx5_host_debugfs_root() says.
 */
mlx5_host *mlx5_host_linux_new(const char *pci_name, const char *debugfs_root);
/* Where sysfs and debugfs are: /sys and /sys/kernel/debug, or (tests) $MLX5DBGFS_{SYSFS,DEBUGFS}_ROOT. */
const char *mlx5_host_sysfs_root(void);
const char *mlx5_host_debugfs_root(void);

void mlx5_host_free(mlx5_host *host);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(mlx5_host, mlx5_host_free)

/* For implementations: the common part. */
void mlx5_host_init(mlx5_host *host, const struct mlx5_host_ops *ops, const char *name);
void mlx5_host_format_stats(mlx5_host *host, GString *out);
