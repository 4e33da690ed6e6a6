/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The real host's views of a function: its RDMA device under sysfs, the
 * kernel's RDMA netlink (NETLINK_RDMA, what `rdma res show` reads), mlx5
 * debugfs (root only, when mounted) and /proc/PID/comm.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <string.h>

#include "host/host.h"

/* A reply that does not end within this long is abandoned. */
#define NETLINK_TIMEOUT_S 5
/* Large enough for any one message of a dump (the kernel fills up to 32 KiB). */
#define NETLINK_RECV_LEN 65536

struct linux_host {
        mlx5_host base;
        char *pci_name;
        char *sysfs_root;
        char *debugfs_root;
};

static int linux_rdma_device(mlx5_host *host, char **ret_name)
{
        struct linux_host *lh = (struct linux_host *) host;
        g_autofree char *dir = g_build_filename(lh->sysfs_root, "bus", "pci", "devices", lh->pci_name,
                                                "infiniband", NULL);
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *name = d ? g_dir_read_name(d) : NULL;

        if (!name)
                return -ENOENT;
        *ret_name = g_strdup(name);
        return 0;
}

static int linux_netlink(mlx5_host *host, const void *req, size_t len, mlx5_host_netlink_fn fn,
                         void *user_data)
{
        struct mnl_socket *nl = mnl_socket_open(NETLINK_RDMA);
        const struct timeval timeout = { .tv_sec = NETLINK_TIMEOUT_S };
        g_autofree char *buf = NULL;
        int r;

        if (!nl)
                return errno == EPROTONOSUPPORT ? -ENOENT : -errno;
        if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
            setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) < 0 ||
            mnl_socket_sendto(nl, req, len) < 0) {
                r = -errno;
                mnl_socket_close(nl);
                return r;
        }
        buf = g_malloc(NETLINK_RECV_LEN);
        do {
                ssize_t n = mnl_socket_recvfrom(nl, buf, NETLINK_RECV_LEN);

                if (n < 0) {
                        r = errno == EAGAIN ? -ETIMEDOUT : -errno;
                        break;
                }
                r = fn(buf, (size_t) n, user_data);
        } while (r > 0);
        mnl_socket_close(nl);
        return r;
}

static int linux_debugfs_list(mlx5_host *host, const char *dir, GPtrArray **ret_names)
{
        struct linux_host *lh = (struct linux_host *) host;
        g_autofree char *path = g_build_filename(lh->debugfs_root, "mlx5", lh->pci_name, dir, NULL);
        g_autoptr(GError) error = NULL;
        g_autoptr(GDir) d = g_dir_open(path, 0, &error);
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        const char *name;

        if (!d)
                return g_error_matches(error, G_FILE_ERROR, G_FILE_ERROR_NOENT) ? -ENOENT : -EACCES;
        while ((name = g_dir_read_name(d))) {
                if (names->len >= MLX5_HOST_MAX_ENTRIES) {
                        g_atomic_int_inc(&host->stats.limit_trips);
                        g_warning("%s: more than %u entries; the rest are not read", path, MLX5_HOST_MAX_ENTRIES);
                        break;
                }
                g_ptr_array_add(names, g_strdup(name));
        }
        *ret_names = g_steal_pointer(&names);
        return 0;
}

static int linux_comm(mlx5_host *host, uint32_t pid, char **ret_comm)
{
        g_autofree char *path = g_strdup_printf("/proc/%u/comm", pid);
        g_autofree char *text = NULL;

        if (!g_file_get_contents(path, &text, NULL, NULL))
                return -ESRCH;
        g_strchomp(text);
        *ret_comm = g_steal_pointer(&text);
        return 0;
}

static void linux_destroy(mlx5_host *host)
{
        struct linux_host *lh = (struct linux_host *) host;

        g_free(lh->pci_name);
        g_free(lh->sysfs_root);
        g_free(lh->debugfs_root);
        g_free(lh);
}

static const struct mlx5_host_ops linux_ops = {
        .rdma_device = linux_rdma_device,
        .netlink = linux_netlink,
        .debugfs_list = linux_debugfs_list,
        .comm = linux_comm,
        .destroy = linux_destroy,
};

static const char *root_from_env(const char *variable, const char *fallback)
{
        const char *root = g_getenv(variable);

        return root && *root ? root : fallback;
}

const char *mlx5_host_sysfs_root(void)
{
        return root_from_env("MLX5DBGFS_SYSFS_ROOT", "/sys");
}

const char *mlx5_host_debugfs_root(void)
{
        return root_from_env("MLX5DBGFS_DEBUGFS_ROOT", "/sys/kernel/debug");
}

mlx5_host *mlx5_host_linux_new(const char *pci_name, const char *debugfs_root)
{
        struct linux_host *lh = g_new0(struct linux_host, 1);

        mlx5_host_init(&lh->base, &linux_ops, "linux");
        lh->pci_name = g_strdup(pci_name);
        lh->sysfs_root = g_strdup(mlx5_host_sysfs_root());
        lh->debugfs_root = g_strdup(debugfs_root ? debugfs_root : mlx5_host_debugfs_root());
        return &lh->base;
}
