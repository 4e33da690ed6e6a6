/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device model: what one PCI function offers, learned only through commands
 * (general caps, the resource-dump menu), and the queries that read its
 * objects.  Holds no cached state about objects: that is the cache's job.
 */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "device/fw-limits.h"
#include "host/host.h"
#include "device/rscdump-reader.h"
#include "prm/rscdump.h"
#include "schema/schema.h"
#include "transport/transport.h"

typedef struct mlx5_device mlx5_device;

/* One record of the resource-dump menu, as firmware returned it. */
struct mlx5_menu_record {
        char name[MLX5_RSCDUMP_NAME_LEN + 1];
        char index1_name[MLX5_RSCDUMP_NAME_LEN + 1];
        char index2_name[MLX5_RSCDUMP_NAME_LEN + 1];
        uint16_t segment_type;
        bool support_index1, must_index1, support_index2, must_index2;
        bool support_num1, must_num1, num1_all, num1_active;
        bool support_num2, must_num2, num2_all, num2_active;
};

/* Whether and how a resource type is offered on this device. */
struct mlx5_device_listing {
        const char *absent;             /* why the type is not shown at all, or NULL */
        int list_segment;               /* a menu segment that lists them all (num_of_obj1 "all"), or -1 */
        const char *list_segment_name;
        uint64_t caps_max_ids;          /* objects its caps allow (log_max_<type>), or UINT64_MAX */
};

struct mlx5_device {
        mlx5_transport *transport;      /* owned */
        mlx5_host *host;                /* owned; the host kernel's views of the function, or NULL */
        const mlx5_schema *schema;
        char *pci_name;
        uint16_t vhca_id;
        uint32_t uctx_caps;             /* user-context caps firmware supports (general caps) */
        bool resource_dump;             /* debug caps say the register works */
        GArray *menu;                   /* of struct mlx5_menu_record; empty without resource dump */
        struct mlx5_device_listing *listing;    /* per schema resource index */
        bool *caps_supported;           /* per schema caps index */
        GBytes **caps_current;          /* per schema caps index: QUERY_HCA_CAP current output at open, or NULL */
        const struct mlx5_mem_account *account; /* borrowed: what dump buffers are charged to, or NULL */
        GMutex log_lock;
        int64_t log_window_us;          /* firmware-error log throttle */
        unsigned log_in_window, log_suppressed;
};

/* Takes ownership of transport and host (which may be NULL).  Sends the discovery commands. */
int mlx5_device_open(mlx5_transport *transport, mlx5_host *host, const mlx5_schema *schema,
                     mlx5_device **ret_device, GError **error);
void mlx5_device_free(mlx5_device *dev);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(mlx5_device, mlx5_device_free)

/*
 * Runs a resource's query command (id ignored for singletons).  Returns 0 and
 * the whole output mailbox; -ENOENT when firmware says the object does not
 * exist; -EIO for any other firmware error (logged with opcode, status and
 * syndrome); -EBADMSG when the kernel refuses the command (fwctl scope); the
 * transport's -errno otherwise (-ENODEV: the device is gone).
 */
int mlx5_device_query(mlx5_device *dev, const mlx5_schema_resource *res, uint32_t id, GBytes **ret_out);
/*
 * Queries n objects in parallel, as many at once as the device has command
 * slots.  Slot i of raws (res->outlen bytes each) gets object ids[i]'s output
 * mailbox where results[i] is 0; results[i] is -ENOENT for an object that no
 * longer exists, -ETIMEDOUT for one not asked because the deadline (may be
 * NULL) passed, -EINTR when the caller's request was cancelled (cancel.h), or
 * another -errno.
 */
void mlx5_device_query_many(mlx5_device *dev, const mlx5_schema_resource *res, const uint32_t *ids, unsigned n,
                            struct mlx5_deadline *deadline, uint8_t *raws, int *results);
/*
 * results[i] = fn(i, data, &items[i]) for every i < n, in parallel on the
 * device's command slots, each fn's commands sent from its own thread
 * (transport/batch.h: timeouts and cancel give -EIO and -EINTR, and return
 * at once).  data is the batch's, freed with data_free once no fn runs.
 */
typedef int (*mlx5_device_each_fn)(unsigned i, void *data, gpointer *ret_item);
void mlx5_device_run_many(mlx5_device *dev, unsigned n, mlx5_device_each_fn fn, void *data, GDestroyNotify data_free,
                          GDestroyNotify item_free, gpointer *items, int *results);
/* QUERY_HCA_CAP of one capability type, current or maximum values. */
int mlx5_device_query_caps(mlx5_device *dev, const mlx5_schema_caps *caps, bool current, GBytes **ret_out);
/*
 * The object numbers of a resource type through the menu segment that lists
 * them all (listing->list_segment >= 0; real ConnectX firmware has none).
 *
 * Within the limits max_list_ids (and the caps' object count), max_dump_mib
 * and list_timeout: past one, -EIO (logged, counted).
 */
int mlx5_device_list(mlx5_device *dev, unsigned resource_index, GArray **ret_ids);
/*
 * The RESOURCE_DUMP request for one menu record, sending nothing the record
 * does not allow: index-free records (no must_have_index1) with no index,
 * every active (else every) object where the record offers it; records that
 * must have index1 for the object index1 alone (num_of_obj1 1, as the kernel
 * sends).  Of a second index, the first entry only (index2 0, num_of_obj2 0,
 * or 1 where must_have).  -EINVAL when the record cannot be asked that way
 * (per_object without index1 support, or index-free with must_have_index1).
 */
int mlx5_device_dump_request(const mlx5_device *dev, const struct mlx5_menu_record *m, bool per_object,
                             uint32_t index1, struct mlx5_rscdump_request *ret_req);
/*
 * One resource dump of menu record m (per_object: of object index1): the
 * whole segment stream firmware returned (info, command, resource and
 * terminate segments).  -ENOENT when firmware says there is no such object.
 */
int mlx5_device_dump(mlx5_device *dev, const struct mlx5_menu_record *m, bool per_object, uint32_t index1,
                     GBytes **ret_stream);
/* Caps field of the current general (or other) caps, read at open; 0 when absent. */
uint64_t mlx5_device_cap(mlx5_device *dev, const mlx5_schema_caps *caps, const char *field);
