/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <string.h>

#include "device/device.h"
#include "discovery/discovery.h"
#include "fs/devices.h"
#include "fs/fs-ops.h"
#include "host/host-sim.h"
#include "sim/sim.h"
#include "transport/transport-fwctl.h"
#include "transport/transport-mlx5ctl.h"
#include "transport/transport-sim.h"

static bool open_simulated(const struct mlx5dbgfs_options *opts, const mlx5_schema *schema,
                           GPtrArray *ret_devices, GError **error)
{
        g_autoptr(mlx5_sim_spec) spec = mlx5_sim_spec_parse(opts->sim_spec, schema, error);

        if (!spec) {
                g_prefix_error(error, "--sim=%s: ", opts->sim_spec);
                return false;
        }
        for (unsigned i = 0; i < mlx5_sim_spec_devices(spec); i++) {
                mlx5_sim *sim = mlx5_sim_new(schema, spec, i);
                mlx5_transport *t = mlx5_transport_sim_new(sim, opts->max_inflight);
                mlx5_device *dev = NULL;

                mlx5_transport_set_max_rate(t, opts->max_rate);
                if (mlx5_device_open(t, mlx5_host_sim_new(sim), schema, &dev, error) < 0)
                        return false;
                g_ptr_array_add(ret_devices, dev);
        }
        return true;
}

/* A kernel node's transport and device model. */
static int open_node(const struct mlx5dbgfs_options *opts, const mlx5_schema *schema, const struct mlx5_node *node,
                     mlx5_device **ret_dev, GError **error)
{
        mlx5_transport *t = NULL;
        int r;

        if (strcmp(node->kind, "fwctl") == 0) {
                if (!node->pci_name) {
                        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NODEV,
                                    "%s: no PCI device above it in sysfs", node->devnode);
                        return -ENODEV;
                }
                r = mlx5_transport_fwctl_open(node->devnode, node->pci_name, opts->max_inflight, &t, error);
        } else if (strcmp(node->kind, "mlx5ctl") == 0) {
                /* MLX5CTL_IOCTL_INFO names the PCI function itself. */
                r = mlx5_transport_mlx5ctl_open(node->devnode, opts->max_inflight, &t, error);
        } else {
                g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NODEV,
                            "%s: no transport for %s nodes in this build", node->devnode, node->kind);
                return -ENODEV;
        }
        if (r < 0)
                return r;
        mlx5_transport_set_max_rate(t, opts->max_rate);
        return mlx5_device_open(t, mlx5_host_linux_new(t->id.pci_name, opts->debugfs_root), schema, ret_dev, error);
}

static bool is_fwctl(const char *kind)
{
        return strcmp(kind, "fwctl") == 0;
}

/* One directory per PCI function: fwctl, the upstream path, wins over mlx5ctl. */
static bool preferred_over(const char *kind, const char *serving_kind)
{
        return is_fwctl(kind) && !is_fwctl(serving_kind);
}

static gint fwctl_first(gconstpointer a, gconstpointer b)
{
        const struct mlx5_node *x = *(const struct mlx5_node *const *) a, *y = *(const struct mlx5_node *const *) b;

        return (int) is_fwctl(y->kind) - (int) is_fwctl(x->kind);
}

/* Every mlx5 node present now, the preferred ones first. */
static bool enumerate_nodes(GPtrArray *ret_nodes, GError **error)
{
        if (!mlx5_discovery_enumerate(ret_nodes, error))
                return false;
        g_ptr_array_sort(ret_nodes, fwctl_first);
        return true;
}

static bool pci_taken(GPtrArray *devices, const char *pci_name)
{
        for (unsigned i = 0; pci_name && i < devices->len; i++)
                if (strcmp(((mlx5_device *) devices->pdata[i])->pci_name, pci_name) == 0)
                        return true;
        return false;
}

static bool open_hardware(const struct mlx5dbgfs_options *opts, const mlx5_schema *schema, GPtrArray *ret_devices,
                          GError **error)
{
        g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func((GDestroyNotify) mlx5_node_free);

        if (!enumerate_nodes(nodes, error))
                return false;
        for (unsigned i = 0; i < nodes->len; i++) {
                const struct mlx5_node *node = nodes->pdata[i];
                g_autoptr(GError) local = NULL;
                mlx5_device *dev = NULL;

                if (pci_taken(ret_devices, node->pci_name))
                        continue;
                if (open_node(opts, schema, node, &dev, &local) < 0) {
                        g_warning("%s", local->message);
                        continue;
                }
                if (pci_taken(ret_devices, dev->pci_name)) {
                        mlx5_device_free(dev);
                        continue;
                }
                g_ptr_array_add(ret_devices, dev);
        }
        if (ret_devices->len == 0) {
                g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NODEV,
                            "no ConnectX device found (no usable /dev/mlx5ctl-* or /dev/fwctl/fwctl* node);\n"
                            "to try mlx5dbgfs without hardware, mount a simulated device: mlx5dbgfs --sim %s",
                            opts->mountpoint);
                return false;
        }
        return true;
}

bool mlx5dbgfs_open_devices(const struct mlx5dbgfs_options *opts, const mlx5_schema *schema,
                            GPtrArray *ret_devices, GError **error)
{
        if (opts->sim)
                return open_simulated(opts, schema, ret_devices, error);
        return open_hardware(opts, schema, ret_devices, error);
}

struct mlx5dbgfs_hotplug {
        const struct mlx5dbgfs_options *opts;
        const mlx5_schema *schema;
        mlx5_tree *tree;
        char *sysfs_root;
        GMutex lock;                    /* one change of the device set at a time */
        mlx5_discovery_monitor *monitor;
        GAsyncQueue *gone;              /* struct mlx5_transport_identity *, then &gone_stop */
        GThread *gone_thread;
};

/* Tells the gone thread to finish. */
static struct mlx5_transport_identity gone_stop;

/* The function's device through another of its nodes than skip_node, fwctl first; NULL if none works. */
static mlx5_device *open_other_node(mlx5dbgfs_hotplug *h, const char *pci_name, const char *skip_node)
{
        g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func((GDestroyNotify) mlx5_node_free);
        g_autoptr(GError) error = NULL;

        if (!enumerate_nodes(nodes, &error)) {
                g_warning("%s", error->message);
                return NULL;
        }
        for (unsigned i = 0; i < nodes->len; i++) {
                const struct mlx5_node *node = nodes->pdata[i];
                g_autoptr(GError) local = NULL;
                g_autoptr(mlx5_device) dev = NULL;

                if (!node->pci_name || strcmp(node->pci_name, pci_name) != 0 || strcmp(node->devnode, skip_node) == 0)
                        continue;
                if (open_node(h->opts, h->schema, node, &dev, &local) < 0)
                        g_warning("%s", local->message);
                else if (strcmp(dev->pci_name, pci_name) == 0)
                        return g_steal_pointer(&dev);
        }
        return NULL;
}

/* dev, of a function already shown, takes its directory over; false leaves dev to the caller. */
static bool take_over(mlx5dbgfs_hotplug *h, mlx5_device *dev, const char *why)
{
        const struct mlx5_transport_identity *id = &dev->transport->id;
        g_autofree char *pci_name = g_strdup(dev->pci_name);

        if (mlx5_tree_replace_device(h->tree, dev, h->sysfs_root) < 0)
                return false;
        /* What it offers may differ: the kernel must ask again. */
        mlx5_fs_invalidate_entry(FUSE_ROOT_ID, pci_name);
        g_message("%s: %s; now served over %s %s", pci_name, why, id->kind, id->node);
        return true;
}

static void node_added(mlx5dbgfs_hotplug *h, const struct mlx5_node *node)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(mlx5_device) dev = NULL;
        struct mlx5_transport_identity serving;

        if (mlx5_tree_find_device(h->tree, node->devnode, NULL, NULL))
                return;
        /* Known to be served already, and as well: no need to open it. */
        if (node->pci_name && mlx5_tree_find_device(h->tree, NULL, node->pci_name, &serving) &&
            !preferred_over(node->kind, serving.kind))
                return;
        if (open_node(h->opts, h->schema, node, &dev, &error) < 0) {
                g_warning("%s", error->message);
                return;
        }
        if (mlx5_tree_find_device(h->tree, NULL, dev->pci_name, &serving)) {
                if (preferred_over(node->kind, serving.kind) && take_over(h, dev, "fwctl appeared"))
                        g_steal_pointer(&dev);
                return;
        }
        if (mlx5_tree_add_device(h->tree, dev, h->sysfs_root) < 0)
                return;
        g_steal_pointer(&dev);
        g_message("%s: added (%s %s)", node->pci_name ? node->pci_name : node->devnode, node->kind, node->devnode);
}

/* The function's serving node is gone (what says how): another node of it takes over, or it goes. */
static void remove_serving(mlx5dbgfs_hotplug *h, const struct mlx5_transport_identity *serving, const char *what)
{
        g_autoptr(mlx5_device) other = NULL;
        g_autofree char *why = g_strdup_printf("%s %s %s", serving->kind, serving->node, what);

        /* It may still be reachable the other way (mlx5_fwctl or mlx5ctl unbound alone). */
        if (!h->opts->sim)
                other = open_other_node(h, serving->pci_name, serving->node);
        if (other && take_over(h, other, why)) {
                g_steal_pointer(&other);
                return;
        }
        if (mlx5_tree_remove_device(h->tree, serving->pci_name) < 0)
                return;
        /* The kernel may hold the directory's entry: make it ask again. */
        mlx5_fs_invalidate_entry(FUSE_ROOT_ID, serving->pci_name);
        g_message("%s: removed (%s)", serving->pci_name, why);
}

static void node_removed(mlx5dbgfs_hotplug *h, const struct mlx5_node *node)
{
        struct mlx5_transport_identity serving;

        if (mlx5_tree_find_device(h->tree, node->devnode, NULL, &serving))
                remove_serving(h, &serving, "went away");
}

static void on_hotplug(bool added, const struct mlx5_node *node, void *user_data)
{
        mlx5dbgfs_hotplug *h = user_data;

        g_mutex_lock(&h->lock);
        if (added)
                node_added(h, node);
        else
                node_removed(h, node);
        g_mutex_unlock(&h->lock);
}

/* From a request's thread: hand it to the gone thread, which may wait for firmware and the kernel. */
static void on_gone(const struct mlx5_transport_identity *id, void *user_data)
{
        mlx5dbgfs_hotplug *h = user_data;

        g_async_queue_push(h->gone, g_memdup2(id, sizeof(*id)));
}

static gpointer run_gone(gpointer user_data)
{
        mlx5dbgfs_hotplug *h = user_data;
        struct mlx5_transport_identity *id, serving;

        while ((id = g_async_queue_pop(h->gone)) != &gone_stop) {
                g_mutex_lock(&h->lock);
                /* Unless udev was first, or another node already took over. */
                if (mlx5_tree_find_device(h->tree, NULL, id->pci_name, &serving) &&
                    strcmp(serving.kind, id->kind) == 0 && strcmp(serving.node, id->node) == 0)
                        remove_serving(h, &serving, "answers ENODEV");
                g_mutex_unlock(&h->lock);
                g_free(id);
        }
        return NULL;
}

mlx5dbgfs_hotplug *mlx5dbgfs_hotplug_start(const struct mlx5dbgfs_options *opts, const mlx5_schema *schema,
                                           mlx5_tree *tree, const char *sysfs_root)
{
        mlx5dbgfs_hotplug *h = g_new0(mlx5dbgfs_hotplug, 1);

        h->opts = opts;
        h->schema = schema;
        h->tree = tree;
        h->sysfs_root = g_strdup(sysfs_root);
        g_mutex_init(&h->lock);
        h->gone = g_async_queue_new();
        h->gone_thread = g_thread_new("gone", run_gone, h);
        mlx5_tree_set_gone_handler(tree, on_gone, h);
        if (!opts->sim) {
                g_autoptr(GError) error = NULL;

                h->monitor = mlx5_discovery_monitor_start(on_hotplug, h, &error);
                if (!h->monitor)
                        g_warning("%s; devices added or removed later will not be followed", error->message);
        }
        return h;
}

void mlx5dbgfs_hotplug_stop(mlx5dbgfs_hotplug *h)
{
        if (!h)
                return;
        mlx5_discovery_monitor_stop(h->monitor);
        /* After this no request calls on_gone; then the queue drains and the thread ends. */
        mlx5_tree_set_gone_handler(h->tree, NULL, NULL);
        g_async_queue_push(h->gone, &gone_stop);
        g_thread_join(h->gone_thread);
        g_async_queue_unref(h->gone);
        g_mutex_clear(&h->lock);
        g_free(h->sysfs_root);
        g_free(h);
}
