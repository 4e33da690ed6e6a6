/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <libudev.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "discovery/discovery.h"

#define MLX5CTL_PREFIX "mlx5ctl-"

void mlx5_node_free(struct mlx5_node *node)
{
        if (!node)
                return;
        g_free(node->devnode);
        g_free(node->kind);
        g_free(node->pci_name);
        g_free(node);
}

/* Our node, or NULL: an mlx5ctl misc device or any fwctl device (the type is checked at open). */
static struct mlx5_node *node_from_udev(struct udev_device *d)
{
        const char *subsystem = udev_device_get_subsystem(d);
        const char *sysname = udev_device_get_sysname(d);
        const char *devnode = udev_device_get_devnode(d);
        struct udev_device *pci;
        struct mlx5_node *node;
        const char *kind;

        if (!subsystem || !sysname || !devnode)
                return NULL;
        if (strcmp(subsystem, "misc") == 0 && g_str_has_prefix(sysname, MLX5CTL_PREFIX))
                kind = "mlx5ctl";
        else if (strcmp(subsystem, "fwctl") == 0)
                kind = "fwctl";
        else
                return NULL;

        node = g_new0(struct mlx5_node, 1);
        node->devnode = g_strdup(devnode);
        node->kind = g_strdup(kind);
        /* Not owned: freed with d. */
        pci = udev_device_get_parent_with_subsystem_devtype(d, "pci", NULL);
        if (pci)
                node->pci_name = g_strdup(udev_device_get_sysname(pci));
        return node;
}

static void enumerate_subsystem(struct udev *udev, const char *subsystem, GPtrArray *ret_nodes)
{
        struct udev_enumerate *e = udev_enumerate_new(udev);
        struct udev_list_entry *entry;

        if (!e)
                return;
        udev_enumerate_add_match_subsystem(e, subsystem);
        udev_enumerate_scan_devices(e);
        udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(e)) {
                struct udev_device *d = udev_device_new_from_syspath(udev, udev_list_entry_get_name(entry));
                struct mlx5_node *node = d ? node_from_udev(d) : NULL;

                if (node)
                        g_ptr_array_add(ret_nodes, node);
                if (d)
                        udev_device_unref(d);
        }
        udev_enumerate_unref(e);
}

bool mlx5_discovery_enumerate(GPtrArray *ret_nodes, GError **error)
{
        struct udev *udev = udev_new();

        if (!udev) {
                g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot talk to udev: %s", g_strerror(errno));
                return false;
        }
        enumerate_subsystem(udev, "fwctl", ret_nodes);
        enumerate_subsystem(udev, "misc", ret_nodes);
        udev_unref(udev);
        return true;
}

struct mlx5_discovery_monitor {
        struct udev *udev;
        struct udev_monitor *monitor;
        int stop_pipe[2];
        GThread *thread;
        mlx5_hotplug_fn fn;
        void *user_data;
};

static gpointer monitor_thread(gpointer data)
{
        mlx5_discovery_monitor *m = data;
        struct pollfd fds[2] = {
                { .fd = udev_monitor_get_fd(m->monitor), .events = POLLIN },
                { .fd = m->stop_pipe[0], .events = POLLIN },
        };

        for (;;) {
                struct udev_device *d;
                const char *action;

                if (poll(fds, G_N_ELEMENTS(fds), -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        g_warning("udev monitor: poll: %s; hotplug is no longer followed", g_strerror(errno));
                        return NULL;
                }
                if (fds[1].revents)
                        return NULL;
                d = udev_monitor_receive_device(m->monitor);
                if (!d)
                        continue;
                action = udev_device_get_action(d);
                if (action && (strcmp(action, "add") == 0 || strcmp(action, "remove") == 0)) {
                        g_autoptr(mlx5_node) node = node_from_udev(d);

                        if (node)
                                m->fn(strcmp(action, "add") == 0, node, m->user_data);
                }
                udev_device_unref(d);
        }
}

mlx5_discovery_monitor *mlx5_discovery_monitor_start(mlx5_hotplug_fn fn, void *user_data, GError **error)
{
        mlx5_discovery_monitor *m = g_new0(mlx5_discovery_monitor, 1);

        m->fn = fn;
        m->user_data = user_data;
        m->stop_pipe[0] = m->stop_pipe[1] = -1;
        m->udev = udev_new();
        /* Kernel events: no udev daemon needed (containers, initramfs, test guests). */
        m->monitor = m->udev ? udev_monitor_new_from_netlink(m->udev, "kernel") : NULL;
        if (!m->monitor || udev_monitor_filter_add_match_subsystem_devtype(m->monitor, "misc", NULL) < 0 ||
            udev_monitor_filter_add_match_subsystem_devtype(m->monitor, "fwctl", NULL) < 0 ||
            udev_monitor_enable_receiving(m->monitor) < 0 || pipe2(m->stop_pipe, O_CLOEXEC) < 0) {
                g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot monitor udev events: %s",
                            g_strerror(errno));
                mlx5_discovery_monitor_stop(m);
                return NULL;
        }
        m->thread = g_thread_new("udev-monitor", monitor_thread, m);
        return m;
}

void mlx5_discovery_monitor_stop(mlx5_discovery_monitor *m)
{
        if (!m)
                return;
        if (m->thread) {
                (void) !write(m->stop_pipe[1], "x", 1);
                g_thread_join(m->thread);
        }
        for (int i = 0; i < 2; i++)
                if (m->stop_pipe[i] >= 0)
                        close(m->stop_pipe[i]);
        if (m->monitor)
                udev_monitor_unref(m->monitor);
        if (m->udev)
                udev_unref(m->udev);
        g_free(m);
}
