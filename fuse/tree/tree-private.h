/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the namespace (tree.c) and the content producers (content.c). */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "inventory/inventory.h"
#include "tree/ino-table.h"
#include "tree/tree.h"

/* The built-in kinds (tree-kinds.c); rows the table gets later take the numbers after these. */
enum node_kind {
        NODE_ROOT = MLX5_TREE_KIND_ROOT,
        NODE_DEVICE = MLX5_TREE_KIND_DEVICE,    /* /<pci> */
        NODE_STATS,             /* /.stats */
        NODE_BY_NAME,           /* /by-name */
        NODE_ALIAS,             /* /by-name/<name> -> ../<pci>: dev, id = alias index */
        NODE_INFO,              /* /<pci>/info */
        NODE_CAPS,              /* /<pci>/caps */
        NODE_CAPS_MODE,         /* caps/{current,max}: sub = 1 current, 0 max */
        NODE_CAPS_FILE,         /* sub = caps index, id = mode */
        NODE_TYPE_DIR,          /* /<pci>/<type>: sub = resource index */
        NODE_OBJECT,            /* sub = resource index, id = object number */
        NODE_GROUP_DIR,         /* /<pci>/<dir> of singletons: sub = group index */
        NODE_SINGLETON,         /* sub = resource index */
        NODE_RAW,               /* /<pci>/raw */
        NODE_RAW_TYPE_DIR,
        NODE_RAW_OBJECT,
        NODE_RAW_SINGLETON,
        NODE_OWNER,             /* /<pci>/owner */
        NODE_OWNER_TYPE_DIR,    /* sub = resource index */
        NODE_OWNER_OBJECT,      /* sub = resource index, id = object number */
        NODE_REFS,              /* /<pci>/refs */
        NODE_REFS_TYPE_DIR,     /* sub = resource index (types with refs) */
        NODE_REFS_OBJECT,       /* sub = resource index, id = object number */
        NODE_REF_LINK,          /* sub = ref slot (tree->ref_slots), id = the target's number */
        NODE_RSCDUMP,           /* /<pci>/rscdump */
        NODE_RSCDUMP_FILE,      /* an index-free segment: sub = menu record */
        NODE_RSCDUMP_DIR,       /* a per-object segment: sub = menu record */
        NODE_RSCDUMP_OBJECT,    /* sub = menu record, id = index1 */
        NODE_JSON,              /* /<pci>/json: the text tree's files as JSON (render-json.c) */
        NODE_JSON_INFO,
        NODE_JSON_CAPS,
        NODE_JSON_CAPS_MODE,    /* as NODE_CAPS_MODE */
        NODE_JSON_CAPS_FILE,    /* as NODE_CAPS_FILE */
        NODE_JSON_TYPE_DIR,     /* sub = resource index */
        NODE_JSON_OBJECT,       /* sub = resource index, id = object number */
        NODE_JSON_GROUP_DIR,    /* sub = group index */
        NODE_JSON_SINGLETON,    /* sub = resource index */
        NODE_JSON_LINES,        /* json/<type>.jsonl: sub = resource index */
        NODE_STATS_JSON,        /* /.stats.json */
        NODE_METRICS,           /* /metrics (metrics.c) */
        NODE_SUMMARY,           /* /<pci>/summary (render-summary.c) */
        NODE_SUMMARY_FILE,      /* sub = resource index */
        NODE_BUILTIN_KINDS,
};

struct node {
        unsigned kind;
        uint32_t dev;           /* device slot */
        uint32_t sub;
        uint32_t id;
};
G_STATIC_ASSERT(sizeof(struct node) == sizeof(struct mlx5_tree_node));

/* The built-in rows. */
extern const struct mlx5_tree_kind tree_builtin_kinds[NODE_BUILTIN_KINDS];

/*
 * An inode number: kind (8 bits) | device slot (16) | sub (8) | id (32).  A
 * removed device's slot is reused only once every slot was used, the
 * longest-free first, and never while a file of it is open: inode numbers
 * stay unambiguous for as long as the kernel can plausibly remember them.
 */
#define TREE_MAX_DEVICES 65536
#define TREE_MAX_SUB 256
/* Views of global files (one per process and file) kept at once (caller-views.c). */
#define TREE_CALLER_VIEWS 32
/* Released pins and file handles kept for reuse (tree.c): more than a walk holds open at once. */
#define TREE_SPARE_HANDLES 64
/* tree->listers: more than one kind of directory lists that kind of file. */
#define TREE_LISTERS_SEVERAL UINT16_MAX
G_STATIC_ASSERT(MLX5_SCHEMA_MAX_RESOURCES <= TREE_MAX_SUB && MLX5_SCHEMA_MAX_CAPS <= TREE_MAX_SUB);
G_STATIC_ASSERT(MLX5_TREE_MAX_KINDS <= 256);
G_STATIC_ASSERT(MLX5_TREE_MAX_KINDS <= MLX5_LISTING_OPEN_KINDS);

uint64_t node_to_ino(const struct node *n);
/* A hash of inode numbers (keys of uint64_t) that spreads what g_int64_hash folds together. */
guint tree_ino_hash(gconstpointer key);
bool node_from_ino(const mlx5_tree *tree, uint64_t ino, struct node *ret_node);

/* A (resource, ref) pair of the schema: what a reference link's sub names. */
struct ref_slot {
        unsigned res_index;
        const mlx5_schema_objref *ref;
        bool later_alternative;         /* an earlier slot names the same field, and makes the link (tree-kinds.c) */
};
bool tree_ref_slot_is_later_alternative(mlx5_tree *tree, unsigned s);

/* What a cache key's kind means; the key's sub and id are as in struct node. */
enum content_kind {
        CONTENT_OBJECT,         /* query output + decoded text; id 0 for singletons */
        CONTENT_CAPS,
        CONTENT_IDS,            /* candidate object numbers of one type (inventory) */
        CONTENT_LISTING,        /* those numbers with every object's query output */
        CONTENT_INFO,
        CONTENT_RSCDUMP,        /* one resource dump: sub = menu record, id = index1 */
        CONTENT_RSCDUMP_LIST,   /* the listed objects firmware dumps with that record: sub = menu record */
};

struct tree_device {
        gint refcount;
        mlx5_tree *tree;
        mlx5_device *dev;
        uint32_t slot;
        bool frees_slot;        /* removed: its slot is free once the last user is done */
        gint gone_reported;     /* its node answered ENODEV, and the tree said so */
        GPtrArray *aliases;     /* char *: RDMA and net device names of the function */
        gint *listed;           /* per resource: objects in its latest listing */
        mlx5_inventory *inventory;      /* how its objects are found */
        int64_t walk_swept_us;          /* when a walk last renewed all its listings (atomic; tree.c) */
        int64_t walk_started_us;        /* when the walk that opens its files began (atomic) */
        int64_t walk_last_us;           /* its latest first open of a file (atomic) */
};

struct mlx5_tree {
        const mlx5_schema *schema;
        struct mlx5_tree_options options;
        mlx5_cache *cache;
        GRWLock lock;           /* guards devices; never held across firmware I/O */
        GPtrArray *devices;     /* slot -> struct tree_device *, NULL once removed */
        gint slots_present[TREE_MAX_DEVICES / 32];      /* a bit per slot holding a device (atomic; tree.c) */
        GQueue free_slots;      /* slots of removed devices, longest free first */
        GPtrArray *groups;      /* char *: distinct `dir` names of singletons */
        GArray *kinds;          /* struct mlx5_tree_kind: the namespace, one row per kind */
        /* Per kind of file: 1 + the kind of directory that lists it, 0 for none, or TREE_LISTERS_SEVERAL. */
        uint16_t listers[MLX5_TREE_MAX_KINDS];
        /* Per kind of directory, its named kinds of children in kind order: 1 + kind, 0 for none. */
        uint16_t named_first[MLX5_TREE_MAX_KINDS], named_last[MLX5_TREE_MAX_KINDS];
        uint16_t named_next[MLX5_TREE_MAX_KINDS];       /* per named kind: 1 + the next of its parent's */
        GArray *ref_slots;      /* struct ref_slot: every schema ref, for NODE_REF_LINK */
        GMutex open_lock;
        struct tree_ino_table open_files;       /* ino -> struct open_pin: what open handles show */
        struct tree_ino_table leases;           /* ino -> struct lease: what the kernel may still show (tree.c) */
        void *spare_pins[TREE_SPARE_HANDLES];   /* struct open_pin: kept for the next opens (tree.c) */
        unsigned n_spare_pins;
        void *spare_files[TREE_SPARE_HANDLES];  /* mlx5_tree_file */
        unsigned n_spare_files;
        unsigned file_leases;   /* of them, leases of single files (not listings) */
        uint64_t file_leases_tripped;   /* grants refused at LEASE_MAX_FILES */
        uint64_t listing_renewals;      /* listings kept fresh by a walk (atomic) */
        uint64_t listing_max_age_tripped;       /* renewals cut at LISTING_MAX_AGE_US (atomic) */
        int64_t leases_pruned_us;
        uint64_t leased_listing_tripped;        /* times leases took the cache past its cap */
        uint64_t listings_dropped_for_memory;   /* listing leases dropped for that */
        uint64_t listing_names_forgotten;       /* directories of them the kernel was told to forget */
        mlx5_tree_inval_fn inval_fn;    /* the kernel must forget an inode's attributes and pages */
        mlx5_tree_forget_name_fn forget_name_fn;        /* ... a name and all below it */
        void *inval_data;
        struct caller_view {
                pid_t pid;
                unsigned kind;
                mlx5_snapshot *snap;
        } caller_views[TREE_CALLER_VIEWS];      /* global files per recent caller (caller-views.c, under open_lock) */
        uint64_t caller_views_tripped;  /* views taken from a process still in its window (under open_lock) */
        mlx5_tree_gone_fn gone_fn;      /* under lock */
        void *gone_data;
        int64_t created_us;
        uid_t uid;
        gid_t gid;
        struct mlx5_mem_account account;        /* bytes in flight against the cache's cap (in-flight.c) */
        GMutex streams_lock;
        GCond streams_idle;             /* the last runner ended */
        GHashTable *streams;            /* dev << 8 | res -> struct tree_stream *: listings under way */
        GThreadPool *stream_pool;       /* their threads */
        unsigned stream_runners;        /* runners (listing-stream.c) */
        uint64_t stream_runners_tripped, stream_waits_tripped;
        uint64_t streams_previewed;     /* listings that opened with a preview */
        GMutex dir_cache_lock;
        GHashTable *dir_caches;         /* directory ino -> what the kernel may cache of its entries (dir-cache.c) */
        GQueue dir_lru;                 /* those records, least recently opened first (but those being evicted) */
        uint64_t dir_cache_tripped, dir_cache_kept, dir_cache_filled, dir_cache_uncached, dir_cache_dropped,
                 dir_cache_renewing;
        uint64_t dir_requests;          /* READDIR(PLUS) requests served (atomic) */
};

/*
 * dir-cache.c: whether an open directory may have the kernel cache its
 * entries (FOPEN_CACHE_DIR) and keep what it cached (FOPEN_KEEP_CACHE).
 * Its identity: its fixed children (serialized names and inodes) and its
 * listing's ids (NULL: none); may_fill false for a listing under way.  It
 * may tell the kernel to drop the directory's pages first: no lock held.
 */
/*
 * The kernel forgets what it cached of inos (attributes, pages): never
 * under a lock, as it may wait for requests that take one.
 */
void tree_invalidate(mlx5_tree *tree, const uint64_t *inos, guint n);
void tree_dir_cache_init(mlx5_tree *tree);
void tree_dir_cache_free(mlx5_tree *tree);
struct dir_cache_open {
        bool fills;             /* FOPEN_CACHE_DIR */
        bool keep;              /* FOPEN_KEEP_CACHE */
        bool renews;            /* uncached, of the cached identity: its whole pass renews their leases */
        uint64_t gen;           /* the identity it fills or renews */
};
void tree_dir_cache_open(mlx5_tree *tree, uint64_t ino, GBytes *fixed, GArray *ids, bool may_fill,
                         struct dir_cache_open *ret);
/* A readdirplus pass of an open that fills or renews gave every entry, leased until valid_until_us. */
void tree_dir_cache_passed(mlx5_tree *tree, uint64_t ino, uint64_t gen, int64_t valid_until_us);
/* An open that fills closed. */
void tree_dir_cache_close(mlx5_tree *tree, uint64_t ino);
/* The device of a slot went away or was replaced: the kernel drops its directories' pages. */
void tree_dir_cache_forget_device(mlx5_tree *tree, uint32_t slot);
void tree_dir_cache_count_request(mlx5_tree *tree);
/* "limits.dir_cache_records..." and "dirs..." lines of .stats. */
void tree_format_dir_cache_stats(mlx5_tree *tree, GString *out);
/* Lines of whole-listing views rendered, measures made and taken as kept (view-lines.c). */
void tree_format_lines_stats(GString *out);

/* in-flight.c: the account the devices' dumps are charged to, and open files' texts. */
void tree_in_flight_init(mlx5_tree *tree);
/* Charges a text rendered for one open file (uncharged when it closes): 0, or -EIO past the cap. */
int tree_in_flight_charge_text(mlx5_tree *tree, size_t len);

/* A referenced device of a slot, or NULL when there is none (any more). */
struct tree_device *tree_device_get(mlx5_tree *tree, uint32_t slot);
void tree_device_unref(struct tree_device *td);
/* The device's node answered ENODEV: tells the gone handler, once. */
void tree_device_report_gone(mlx5_tree *tree, struct tree_device *td);
typedef struct tree_device tree_device;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tree_device, tree_device_unref)

/* "limits.file_leases...", "limits.listing_max_age..." and "listings.renewed" lines of .stats (tree.c). */
void tree_format_lease_stats(mlx5_tree *tree, GString *out);
/* The .stats text, made anew at every call: counters must be live. */
mlx5_snapshot *tree_stats_snapshot(mlx5_tree *tree);

/* A listing is reused this long per object the device holds (see tree_listing_lifetime_us). */
#define LISTING_LIFETIME_PER_OBJECT_US 1000
/* A walk renews a listing (tree.c renew_listing) up to this long after it was taken, or its own lifetime. */
#define LISTING_MAX_AGE_US (300 * G_USEC_PER_SEC)
/* Objects of every type of the device, as its latest listings counted them (content.c). */
int64_t tree_device_objects(mlx5_tree *tree, struct tree_device *td);
/* How long a listing of a device holding that many objects lives from when it is taken (content.c). */
int64_t tree_listing_lifetime_us(mlx5_tree *tree, int64_t objects);

/* The cache's fetch function (content.c). */
int tree_fetch(const struct mlx5_cache_key *key, void *user_data, mlx5_snapshot **ret_snap);

/*
 * A thread's scratch buffer for renderings, emptied (content.c); key is a
 * G_PRIVATE_INIT(tree_scratch_free).  What is kept of it is copied out at
 * its exact length.
 */
GString *tree_scratch(GPrivate *key);
void tree_scratch_free(gpointer s);
/* The text of one object's output mailbox (content.c); user_data is the resource. */
GBytes *tree_object_render(GBytes *raw, void *user_data);
/* The length of that text, without building it (mlx5_listing_object's measure). */
size_t tree_object_measure(GBytes *raw, void *user_data);
/* The text of an object snapshot, rendered from its bytes. */
GBytes *tree_object_text(const mlx5_schema_resource *res, const mlx5_snapshot *snap);

/*
 * An object's snapshot: as its type's listing shows it (pinned or fresh),
 * its answer and times with no text rendered; else its own query.
 */
int tree_object_snapshot(mlx5_tree *tree, uint32_t dev, uint32_t res_index, uint32_t id, mlx5_snapshot **ret_snap);
/* The same for the object's text file alone: a listed object's kept text, without its answer (raw NULL). */
int tree_object_text_snapshot(mlx5_tree *tree, uint32_t dev, uint32_t res_index, uint32_t id,
                              mlx5_snapshot **ret_snap);
/* The listing of a type as its directory shows it: pinned by an open directory, else the cache's. */
int tree_listing(mlx5_tree *tree, uint32_t dev, uint32_t res_index, mlx5_snapshot **ret_snap);
/*
 * The snapshot of object id as the listing of directory dir (whose cache
 * key is key) shows it, pinned by an open directory, leased, or still
 * fresh: -ENOENT when there is no such listing or it has no snapshot of id.
 */
int tree_listed_snapshot(mlx5_tree *tree, const struct mlx5_tree_node *dir, const struct mlx5_cache_key *key,
                         uint32_t id, mlx5_snapshot **ret_snap);
/*
 * The same slot's size and times, without a snapshot: 0 and the listing
 * used (leased) as tree_listed_snapshot uses it; -EAGAIN when only
 * tree_listed_snapshot can tell (no listing shown or cached, id not in
 * it, its query failed, or its text never measured).
 */
int tree_listed_measure(mlx5_tree *tree, const struct mlx5_tree_node *dir, const struct mlx5_cache_key *key,
                        uint32_t id, bool raw, struct mlx5_tree_measure *ret);
/* The .stats snapshot for the calling process. */
mlx5_snapshot *tree_stats_for_caller(mlx5_tree *tree);
typedef int (*tree_content_fn)(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap);
/* The snapshot of the global file n the calling process last saw, if recent enough; else make's, kept for it. */
int tree_caller_view(mlx5_tree *tree, const struct mlx5_tree_node *n, tree_content_fn make, mlx5_snapshot **ret_snap);
void tree_caller_views_free(mlx5_tree *tree);
void tree_format_caller_view_stats(mlx5_tree *tree, GString *out);
/* "0x" and an object number in lower-case hex, as directories name objects; returns its length. */
#define TREE_ID_NAME_MAX sizeof("0xffffffff")
size_t tree_format_id(char buf[TREE_ID_NAME_MAX], uint32_t id);
/* The same, appended to out: where a view names an object (a JSON id or reference, a summary row). */
void tree_append_id(GString *out, uint32_t id);
/* Object names are canonical "0x%x". */
bool tree_parse_object_name(const char *name, uint32_t *ret_id);
/* The resource a menu record indexes objects of (schema `dump_index`), or -1. */
int tree_segment_type(const mlx5_tree *tree, const struct mlx5_menu_record *m);

/*
 * listing-stream.c: listings readable while they are fetched (see there).
 * A stream is referenced; its runner fetches through the cache, whose
 * fetch_listing fills it.
 */
typedef struct tree_stream tree_stream;
void tree_streams_init(mlx5_tree *tree);
/* Waits for the runners: before anything they use goes. */
void tree_streams_free(mlx5_tree *tree);
void tree_streams_forget_device(mlx5_tree *tree, uint32_t dev);
/* "limits.listing_runners..." lines of .stats. */
void tree_format_stream_stats(mlx5_tree *tree, GString *out);
struct tree_stream *tree_stream_ref(struct tree_stream *s);
void tree_stream_unref(struct tree_stream *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tree_stream, tree_stream_unref)
/* The whole listing of a type (the cache's, or the one under way once done): what CONTENT_LISTING gets. */
int tree_stream_listing(mlx5_tree *tree, uint32_t dev, uint32_t res, mlx5_snapshot **ret_listing);
/*
 * For a directory: the whole listing when there is one at hand, else the
 * stream under way (or started), once its candidates are known.
 */
int tree_stream_open(mlx5_tree *tree, uint32_t dev, uint32_t res, mlx5_snapshot **ret_listing,
                     struct tree_stream **ret_stream);
/*
 * Candidate *io_index, or the first listed one after it: 1 and its number
 * (io_index moved to it), 0 past the last; -EWOULDBLOCK when it is not
 * resolved yet and may_wait is false; else why the listing failed.
 */
int tree_stream_entry(struct tree_stream *s, size_t *io_index, bool may_wait, uint32_t *ret_id);
/*
 * Whether the listing under way of a type lists object id, once its
 * candidate is resolved: 1 or 0, -ESRCH when no listing of it is under way.
 */
int tree_stream_lookup(mlx5_tree *tree, uint32_t dev, uint32_t res, uint32_t id);
/* The whole listing once the stream is done, referenced; else NULL. */
mlx5_snapshot *tree_stream_done_listing(struct tree_stream *s);
/* An object of a listing under way, once its chunk is resolved (and the listing, referenced); -ENOENT. */
int tree_stream_object(mlx5_tree *tree, uint32_t dev, uint32_t res, uint32_t id, mlx5_snapshot **ret_snap,
                       mlx5_snapshot **ret_listing);
/* fetch_listing's side: the stream it fills, its candidates and listing, each chunk's slots, the trim. */
struct tree_stream *tree_stream_for_fetch(mlx5_tree *tree, uint32_t dev, uint32_t res);
void tree_stream_begin(struct tree_stream *s, mlx5_snapshot *ids, mlx5_snapshot *listing);
void tree_stream_publish(struct tree_stream *s, const int32_t *slots, unsigned count, unsigned kept);
void tree_stream_trim(struct tree_stream *s, unsigned kept);
/* The preview (listing-stream.c): its size, set before the candidates; the inventory's watcher (user_data: s). */
void tree_stream_set_preview(struct tree_stream *s, unsigned size);
void tree_stream_arrived(const mlx5_inventory_found *found, void *user_data);
/* Whether the preview asked id: then its result, and its bytes copied to raw (outlen; may be NULL) where 0. */
bool tree_stream_previewed(struct tree_stream *s, uint32_t id, uint8_t *raw, int *ret_result);
/* Attributes were given out of a listing under way: it is leased, as a directory's use would (tree.c). */
void tree_listing_promised(mlx5_tree *tree, uint32_t dev, uint32_t res, mlx5_snapshot *listing);
/* Whether this thread may not wait for firmware (mlx5_tree_set_nonblocking). */
bool tree_nonblocking(void);

/* A cached snapshot of the given content. */
int tree_get_content(mlx5_tree *tree, enum content_kind kind, uint32_t dev, uint32_t sub, uint32_t id,
                     mlx5_snapshot **ret_snap);
