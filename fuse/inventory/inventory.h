/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The inventory: which objects of a type exist on a function, found the
 * ways a real host can — no ConnectX firmware command lists every object
 * of a type.  Sources, each in its own file:
 *   - the kernel's RDMA resource tracking over netlink (QPs, MRs), with
 *     each object's owner (source-netlink.c);
 *   - mlx5 debugfs: QPs/, CQs/, EQs/ of the function (source-debugfs.c);
 *   - small number spaces probed whole, bounded by caps (schema `probe`);
 *   - numbers held in contexts already read (schema `ref`), which the
 *     caller gathers from other types' listings (mlx5_inventory_add_refs);
 *   - a resource-dump segment that lists a type, where the menu has one.
 * What the sources give are candidates: a listing queries each once, and
 * keeps the probed and referenced ones only if firmware has them.
 */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "cache/snapshot.h"
#include "device/device.h"

/* What found an object (bits of mlx5_listing.found_by). */
enum {
        MLX5_INV_NETLINK = 1 << 0,
        MLX5_INV_DEBUGFS = 1 << 1,
        MLX5_INV_RSCDUMP = 1 << 2,
        MLX5_INV_PROBE = 1 << 3,
        MLX5_INV_REF = 1 << 4,
};
/* Sources that say an object exists; the others only name candidates. */
#define MLX5_INV_CONFIRMING (MLX5_INV_NETLINK | MLX5_INV_DEBUGFS | MLX5_INV_RSCDUMP)

/* Limits: no source may make a listing unbounded. */
#define MLX5_INVENTORY_MAX_IDS          (1u << 22)      /* candidates per type and listing */
#define MLX5_INVENTORY_MAX_PROBE        (1u << 16)      /* numbers one probe space may cost */
#define MLX5_INVENTORY_MAX_OWNERS       4096            /* distinct owners per listing */

typedef struct mlx5_inventory mlx5_inventory;

/* Counters for .stats; atomics. */
struct mlx5_inventory_stats {
        gint collections;
        gint candidates;
        gint probed;                    /* numbers queried because a probe space holds them */
        gint probe_misses;              /* of those, no object */
        gint ref_misses;                /* referenced numbers with no object */
        gint limit_trips;
};

struct mlx5_inventory {
        mlx5_device *dev;               /* borrowed */
        struct mlx5_inventory_stats stats;
        GMutex lock;
        int rdma_index;                 /* RDMA netlink device index, -1 until known */
};

mlx5_inventory *mlx5_inventory_new(mlx5_device *dev);
void mlx5_inventory_free(mlx5_inventory *inv);

/* An owner seen lately while collecting: its name's address (valid for the whole collection) and reference. */
struct inventory_owner_memo {
        uint32_t pid;
        const char *comm;
        uint16_t ref;                   /* 0: empty */
};

/* Candidates of one type: numbers ascending, each once, with what found it and its owner. */
typedef struct {
        GArray *ids;                    /* uint32_t */
        GArray *found_by;               /* uint8_t per id */
        GArray *owner_of;               /* uint16_t per id: 1 + index into owners, 0 none */
        GPtrArray *owners;              /* struct mlx5_object_owner * */
        GHashTable *owner_index;        /* "pid comm" -> 1 + index, while collecting */
        uint32_t id_mask;               /* numbers wider than the type's id field are not its objects */
        struct inventory_owner_memo memo[4];
        unsigned memo_next;
} mlx5_inventory_found;

void mlx5_inventory_found_free(mlx5_inventory_found *found);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(mlx5_inventory_found, mlx5_inventory_found_free)

/* The sources that can name objects of the type on this device (MLX5_INV_* bits). */
unsigned mlx5_inventory_sources(mlx5_inventory *inv, unsigned res_index);
/* "netlink, debugfs, references" */
void mlx5_inventory_format_sources(GString *out, unsigned bits);
/* The name of source bit ("netlink", ...), or NULL past the last. */
const char *mlx5_inventory_source_name(unsigned bit);
void mlx5_inventory_format_stats(mlx5_inventory *inv, GString *out);

/*
 * Every candidate of type res_index: from the host's views, its probe
 * space, a listing segment, and referenced (uint32_t numbers that other
 * types' contexts hold, may be NULL).  -ENODEV when the device is gone;
 * a source that fails otherwise is logged and skipped.
 */
int mlx5_inventory_collect(mlx5_inventory *inv, unsigned res_index, const GArray *referenced,
                           mlx5_inventory_found **ret_found);

/*
 * Told, while a source's reply is still arriving (a netlink dump read after
 * read), about the candidates so far: found->ids in the order they came,
 * not yet sorted nor merged (a number may come twice).  Runs on the
 * collecting thread, between two reads of the reply; found changes after.
 */
typedef void (*mlx5_inventory_arrived_fn)(const mlx5_inventory_found *found, void *user_data);

/* mlx5_inventory_collect, with arrived told as candidates come (may be NULL). */
int mlx5_inventory_collect_watched(mlx5_inventory *inv, unsigned res_index, const GArray *referenced,
                                   mlx5_inventory_arrived_fn arrived, void *user_data,
                                   mlx5_inventory_found **ret_found);

/* Appends to out the numbers of target that the n outputs of from (has_raw per slot) name. */
void mlx5_inventory_add_refs(const mlx5_schema_resource *from, const mlx5_schema_resource *target,
                             const uint8_t *raws, size_t n, const uint8_t *has_raw, GArray *out);

/* ---- sources (inventory-private) ---- */

/*
 * Adds one candidate (not one too wide for the id field); comm may be NULL,
 * else it stays valid and unchanged for the whole collection (owners are
 * remembered by its address).  false once the limit is reached.
 */
bool inventory_found_add(mlx5_inventory *inv, mlx5_inventory_found *found, uint32_t id, uint8_t source,
                         uint32_t pid, const char *comm);

/* RDMA netlink: QPs (LQPN) and MRs (LKEY >> 8). */
bool inventory_netlink_serves(const char *type);

/* One entry of a resource table: its number and owner (a process's pid, or a kernel module's name). */
struct inventory_nl_entry {
        uint32_t number;
        bool has_pid;
        uint32_t pid;
        const char *kern_name;          /* or NULL; valid during the call only */
};

/*
 * The parser of one RDMA netlink dump reply, a device dump (type NULL: the
 * index of the device named rdma_name) or a resource table's (type "qp",
 * "mkey"), with no I/O of its own: the sources feed it what the host
 * received, the fuzz target what it makes up.
 */
struct inventory_nl_parser {
        const char *type;
        uint32_t seq;                   /* the request's: replies to others are refused */
        const char *rdma_name;
        /* Each entry of the table: 0, or -errno to end the dump with (-E2BIG: a limit). */
        int (*entry)(const struct inventory_nl_entry *e, void *user_data);
        void *user_data;
        int dev_index;                  /* device dump: the index found, -1 until then */
        unsigned entries;               /* at most MLX5_HOST_MAX_ENTRIES, then -E2BIG */
        unsigned malformed;             /* messages or entries that did not parse, skipped */
};
void inventory_netlink_parser_init(struct inventory_nl_parser *p, const char *type, uint32_t seq,
                                   const char *rdma_name);
/*
 * Parses one buffer of replies (an mlx5_host_netlink_fn): > 0 to read on, 0
 * when the reply is complete, -errno when it ends in an error (the kernel's,
 * a message that breaks netlink framing, or the entry callback's).
 */
int inventory_netlink_parse(const void *buf, size_t len, void *parser);
int inventory_netlink_collect(mlx5_inventory *inv, const char *type, mlx5_inventory_found *found,
                              mlx5_inventory_arrived_fn arrived, void *user_data);
/* mlx5 debugfs: QPs/, CQs/, EQs/ entries named "0x%x". */
bool inventory_debugfs_serves(const char *type);
/* An entry name as the kernel makes it ("0x%x": lower case, no leading zero) and its number; false otherwise. */
bool inventory_debugfs_parse_name(const char *name, uint32_t *ret_id);
int inventory_debugfs_collect(mlx5_inventory *inv, const char *type, mlx5_inventory_found *found);
