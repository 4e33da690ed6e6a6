/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tree: every path of the mount as an inode number, and what each node
 * is.  Inode numbers encode the node (kind, device slot, sub, id), so there
 * is no inode table to grow, lock or leak; lookup counts need no
 * bookkeeping.  What each kind of node is — its name, parent, mode,
 * children, content or link target — is one row of a table (tree-kinds.c);
 * tree.c only walks the table.  File contents come from snapshots through
 * the cache; directories of objects come from listing snapshots.
 *
 *   /<pci>/info  caps/{current,max}/<cap>  <type>/<id>  <singleton>
 *         <dir>/<singleton>  raw/<type>/<id>  raw/<singleton>
 *         owner/<type>/<id>  refs/<type>/<id>/<field> -> ../../../<type>/<id>
 *         rscdump/<SEGMENT>  rscdump/<SEGMENT>/<index>
 *         json/<any of the decoded files above>  json/<type>.jsonl  summary/<type>
 *   /.stats  /.stats.json  /metrics  /by-name/<name> -> ../<pci>
 */
#pragma once

#include <glib.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "cache/cache.h"
#include "device/device.h"
#include "schema/schema.h"

typedef struct mlx5_tree mlx5_tree;

/* A node: kind (a row of the kind table), device slot, and two numbers the kind gives meaning to. */
struct mlx5_tree_node {
        unsigned kind;
        uint32_t dev;
        uint32_t sub;           /* < 256 */
        uint32_t id;
};

/* What a directory's children enumerator fills. */
typedef struct mlx5_tree_entries mlx5_tree_entries;
void mlx5_tree_entries_add(mlx5_tree_entries *entries, const char *name, struct mlx5_tree_node node);

/* How a node's parent (its "..") derives from it. */
enum mlx5_tree_parent_of {
        MLX5_TREE_PARENT_DEVICE,        /* the parent kind with the same device slot */
        MLX5_TREE_PARENT_SUB,           /* ... and the same sub */
        MLX5_TREE_PARENT_SUB_ID,        /* ... and the same sub and id */
        MLX5_TREE_PARENT_SUB_FROM_ID,   /* ... whose sub is this node's id */
};

/*
 * One kind of node: a row of the namespace.  A kind with a name appears
 * once in every directory of its parent kind (where shown() says so); one
 * without is named by its parent's children() or listing.  Directories
 * have mode S_IFDIR, files S_IFREG (content), links S_IFLNK (link).
 */
/* What a file's attributes show of its snapshot (mlx5_tree_kind's measure). */
struct mlx5_tree_measure {
        int64_t taken_realtime_us;
        int64_t taken_monotonic_us;
        uint64_t size;
};

struct mlx5_tree_kind {
        const char *name;
        unsigned parent;                /* kind of the directory that holds it */
        enum mlx5_tree_parent_of parent_of;
        mode_t mode;
        bool global;                    /* of no device: the root, .stats, by-name */
        /* Optional, named kinds: whether the device has it (it has by default). */
        bool (*shown)(mlx5_tree *tree, const struct mlx5_tree_node *self);
        /* Directories, optional: children besides the named kinds below it. */
        int (*children)(mlx5_tree *tree, const struct mlx5_tree_node *self, mlx5_tree_entries *entries);
        /*
         * Directories, optional: the resource whose listing names children
         * "0x<id>" of kind listed_kind (same device and sub); -ENOENT for none.
         */
        int (*listed_type)(mlx5_tree *tree, const struct mlx5_tree_node *self);
        /* Or, optional: a listing snapshot of its own naming them; -ENOENT for none. */
        int (*listing)(mlx5_tree *tree, const struct mlx5_tree_node *self, mlx5_snapshot **ret_listing);
        unsigned listed_kind;
        bool any_id;                    /* any "0x<id>" looks up, listed or not */
        /* Files: the snapshot shown; raw: its firmware bytes rather than its text. */
        int (*content)(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap);
        bool raw;
        /*
         * Files, optional: the size and times of the snapshot content would
         * give, from what is already kept (a listing's slot), without making
         * one: a stat of each of 100k listed files.  -EAGAIN: only content
         * can tell.
         */
        int (*measure)(mlx5_tree *tree, const struct mlx5_tree_node *n, bool raw, struct mlx5_tree_measure *ret);
        /* Links: the target, computed from the node alone (readlink needs no firmware). */
        char *(*link)(mlx5_tree *tree, const struct mlx5_tree_node *n);
        /*
         * Links: named by what their directory's object holds, so their
         * names last as long as the directory's own (its listing's lease),
         * not the TTL.
         */
        bool lasts_with_parent;
};

/* The built-in kinds that new rows may hang from. */
enum {
        MLX5_TREE_KIND_ROOT,
        MLX5_TREE_KIND_DEVICE,
};
#define MLX5_TREE_MAX_KINDS 256

/* Adds a kind to the tree's table: its number, or -ENOSPC.  Before any device is added. */
int mlx5_tree_add_kind(mlx5_tree *tree, const struct mlx5_tree_kind *kind);

struct mlx5_tree_options {
        int64_t ttl_us;                 /* snapshot lifetime */
        size_t cache_bytes;             /* snapshot cache cap */
        unsigned max_devices;           /* device slots (0: all the inode layout has) */
};

mlx5_tree *mlx5_tree_new(const mlx5_schema *schema, const struct mlx5_tree_options *options);
void mlx5_tree_free(mlx5_tree *tree);
/*
 * Takes ownership of dev; it appears as /<pci name>, with /by-name links for
 * the RDMA and net device names sysfs (sysfs_root, normally /sys) shows for it.
 * -ENOSPC (dev stays the caller's) when no device slot is free.
 */
int mlx5_tree_add_device(mlx5_tree *tree, mlx5_device *dev, const char *sysfs_root);
/*
 * The device of the same PCI function, reached another way (fwctl instead
 * of mlx5ctl, or the other way round), takes over its directory: open files
 * keep reading, nothing cached carries over.  Takes ownership of dev, or
 * -ENOENT (dev stays the caller's) when no device has its PCI name.
 */
int mlx5_tree_replace_device(mlx5_tree *tree, mlx5_device *dev, const char *sysfs_root);
/*
 * Removes the device of a PCI function: its open files then read ENODEV; it
 * is freed once the last request using it is done.  -ENOENT if not shown.
 */
int mlx5_tree_remove_device(mlx5_tree *tree, const char *pci_name);
/*
 * Called once per device whose kernel node answers ENODEV (an orphaned
 * file: the device went away, whether or not udev has said so yet), from
 * the thread of the request that met it, so it must not block.
 */
typedef void (*mlx5_tree_gone_fn)(const struct mlx5_transport_identity *id, void *user_data);
void mlx5_tree_set_gone_handler(mlx5_tree *tree, mlx5_tree_gone_fn fn, void *user_data);
/*
 * Whether a device reached through node (or of that PCI function) is
 * mounted, and if so how it is reached (ret_id may be NULL).
 */
bool mlx5_tree_find_device(mlx5_tree *tree, const char *node, const char *pci_name,
                           struct mlx5_transport_identity *ret_id);

/*
 * Tells the kernel to forget what it cached of an inode (attributes and
 * pages): called where a device goes away or what the kernel may hold is
 * replaced before it expires.  Must not block on the kernel's requests.
 */
typedef void (*mlx5_tree_inval_fn)(uint64_t ino, void *user_data);
/*
 * Tells the kernel to forget a name in the directory parent_ino and every
 * name below it: called where names it may hold (references) are replaced
 * before their leases end.  Called from requests: it must not wait for the
 * kernel, which takes the directory's lock a request may hold.
 */
typedef void (*mlx5_tree_forget_name_fn)(uint64_t parent_ino, const char *name, void *user_data);
void mlx5_tree_set_inval_handler(mlx5_tree *tree, mlx5_tree_inval_fn fn, mlx5_tree_forget_name_fn forget_name,
                                 void *user_data);

/*
 * On this thread, tree calls that would have to wait for firmware fail with
 * -EWOULDBLOCK instead (so they can be retried where waiting is fine).
 */
void mlx5_tree_set_nonblocking(bool nonblocking);
/* On this thread, the process whose request the next tree calls serve (0: unknown). */
void mlx5_tree_set_caller(pid_t pid);

/*
 * Attributes, and how many seconds the kernel may keep them (and the
 * name): what a listing names (files, refs/<type>/<id> directories and the
 * references in them) its listing's lease, other files while their
 * snapshot stays fresh, a device's fixed directories an hour.
 */
int mlx5_tree_lookup(mlx5_tree *tree, uint64_t parent, const char *name, struct stat *ret_st, double *ret_valid_s);
int mlx5_tree_getattr(mlx5_tree *tree, uint64_t ino, struct stat *ret_st, double *ret_valid_s);

/* An open file: the snapshot it pins and the bytes it shows. */
typedef struct {
        uint64_t ino;
        mlx5_snapshot *snap;
        GBytes *content;                /* NULL until the first read renders it (objects) */
        const mlx5_schema_resource *render; /* what renders an object's text, or NULL */
        struct mlx5_slices *slices;     /* what renders a long view's text a read at a time (snap's), or NULL */
        size_t charged;                 /* bytes of a text rendered for it, charged against the cache's cap */
        bool keep_cache;                /* the kernel's cached pages are of this very snapshot */
        GList handle_link;              /* the FUSE glue's: in its list of handles the kernel holds */
} mlx5_tree_file;

int mlx5_tree_open(mlx5_tree *tree, uint64_t ino, mlx5_tree_file **ret_file);
/*
 * Bytes of an open file at off; -ENODEV once its device is gone.  They stay
 * valid while the file is open, except a view rendered in slices: until the
 * same thread's next read.
 */
int mlx5_tree_read(mlx5_tree *tree, mlx5_tree_file *file, uint64_t off, size_t size,
                   const char **ret_data, size_t *ret_len);
/* The target of a symbolic link node, e.g. "../0000:08:00.0". */
int mlx5_tree_readlink(mlx5_tree *tree, uint64_t ino, char **ret_target);
/* Attributes of an open file: those of its pinned snapshot; -ENODEV once its device is gone. */
int mlx5_tree_file_stat(mlx5_tree *tree, const mlx5_tree_file *file, struct stat *ret_st, double *ret_valid_s);
void mlx5_tree_file_free(mlx5_tree *tree, mlx5_tree_file *file);

typedef struct mlx5_tree_dir mlx5_tree_dir;

int mlx5_tree_opendir(mlx5_tree *tree, uint64_t ino, mlx5_tree_dir **ret_dir);
/*
 * Entry *io_index (0-based, "." and ".." first), or the first one after it
 * (a listing under way skips numbers that turned out to hold no object:
 * *io_index moves to the entry's own; offsets stay stable): 1 and its
 * name/inode/mode, 0 past the end.  An entry of a listing under way is
 * there once its object is asked: until then -EWOULDBLOCK, or with
 * may_wait a wait (-EINTR when the caller's request is interrupted);
 * -ENODEV when the device went away meanwhile.
 *
 * With ret_valid_s (readdirplus), the entry's whole attributes and their
 * validity as lookup gives them, or -1 when they are not at hand (then only
 * inode and type, as without it).
 */
int mlx5_tree_dir_entry(mlx5_tree_dir *dir, size_t *io_index, bool may_wait, const char **ret_name,
                        struct stat *ret_st, double *ret_valid_s);
/*
 * Whether the kernel may cache the open directory's entries (FOPEN_CACHE_DIR),
 * and in ret_keep whether it keeps what it cached (FOPEN_KEEP_CACHE): only
 * when those are the entries this open shows (tree/dir-cache.c).
 */
bool mlx5_tree_dir_caches(const mlx5_tree_dir *dir, bool *ret_keep);
/*
 * A READDIR or READDIRPLUS request on it begins (counted in .stats:
 * dirs.readdir_requests) and ends, on the calling thread: between them a
 * listing is leased once however many of its entries go out.
 */
void mlx5_tree_dir_request_begin(mlx5_tree_dir *dir);
void mlx5_tree_dir_request_end(mlx5_tree_dir *dir);
void mlx5_tree_dir_free(mlx5_tree_dir *dir);
