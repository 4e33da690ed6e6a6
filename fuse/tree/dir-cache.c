/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the kernel's page cache may hold of each directory's entries.  With
 * FOPEN_CACHE_DIR on an open, the kernel keeps the entries that open's
 * readdir replies gave (fs/fuse/readdir.c: appended only in order, from
 * offset 0, by opens with that flag) and serves later getdents from them,
 * so a second `ls -l` of a listing sends no READDIRPLUS.  An open directory
 * shows what it had at open (its fixed children and its pinned listing):
 * the kernel may keep its cached entries exactly when they are those.
 *
 * So, per directory inode, a record of what its cached entries can be: the
 * identity (fixed children, listing ids) every open that may fill them has,
 * and how many such opens are open.  The rules:
 *  - only opens of one identity fill at a time: an open of another while
 *    fillers are open reads uncached (its own entries, from us);
 *  - an open that fills but finds another identity recorded (or one the
 *    daemon no longer vouches for) first has the kernel drop the pages
 *    (fuse_lowlevel_notify_inval_inode, synchronously, before its reply:
 *    kernels 6.9 to 6.12 do not drop them on an open without
 *    FOPEN_KEEP_CACHE), and keeps nothing;
 *  - while that drop is under way, other opens read uncached;
 *  - a listing still under way (streamed) does not fill: its order and
 *    offsets are not those of the whole listing later opens get;
 *  - the kernel keeps entries but not their lease: past the first expiry
 *    of what the last whole readdirplus pass gave, a kept open would cost
 *    a LOOKUP per name (tar lstats them all), one READDIRPLUS renews them.
 *    So such an open of the same identity reads uncached, and its whole
 *    pass renews the record's lease (the pages are of that identity).
 * Records go only with no filler open, and the kernel then drops their
 * pages: no record means the kernel holds nothing.
 */
#include <string.h>

#include "tree/tree-private.h"

/*
 * Directories with a record at once.  Past it, the least recently opened
 * one goes if it was not opened for DIR_CACHE_IDLE_US and has no filler
 * open; else the open reads uncached.  Evicting what a walk still uses
 * would cost a walk of more directories than records a kernel notification
 * (and its attributes) per directory, to no gain.
 */
#define DIR_CACHE_MAX_RECORDS 16384
#define DIR_CACHE_IDLE_US (30 * G_USEC_PER_SEC)

struct dir_record {
        GBytes *fixed;          /* the fixed children, serialized; NULL: nothing vouched for */
        GArray *ids;            /* the listing's ids (referenced), or NULL */
        bool known;             /* the kernel's pages hold, at most, entries of this identity */
        unsigned fillers;       /* open handles with FOPEN_CACHE_DIR */
        unsigned dropping;      /* notifications under way for it: no open fills meanwhile */
        bool evicting;          /* goes once they are done (DIR_CACHE_MAX_RECORDS) */
        uint64_t gen;           /* of the identity: a pass renews only the one it read */
        int64_t valid_until_us; /* the kernel's entries' leases: INT64_MAX while a fill is under way */
        int64_t used_us;
        GList link;             /* in tree->dir_lru, least recently opened first */
        uint64_t ino;
};

static void record_forget_identity(struct dir_record *rec)
{
        g_clear_pointer(&rec->fixed, g_bytes_unref);
        g_clear_pointer(&rec->ids, g_array_unref);
        rec->known = false;
        rec->gen++;
        rec->valid_until_us = 0;
}

static void record_free(gpointer p)
{
        struct dir_record *rec = p;

        record_forget_identity(rec);
        g_free(rec);
}

void tree_dir_cache_init(mlx5_tree *tree)
{
        g_mutex_init(&tree->dir_cache_lock);
        g_queue_init(&tree->dir_lru);
        tree->dir_caches = g_hash_table_new_full(tree_ino_hash, g_int64_equal, NULL, record_free);
}

void tree_dir_cache_free(mlx5_tree *tree)
{
        g_hash_table_unref(tree->dir_caches);
        g_mutex_clear(&tree->dir_cache_lock);
}

static bool record_matches(const struct dir_record *rec, GBytes *fixed, GArray *ids)
{
        return rec->known && rec->ids == ids && g_bytes_equal(rec->fixed, fixed);
}

/*
 * The record of ino, made when there is room: past DIR_CACHE_MAX_RECORDS
 * the least recently opened one, when idle long enough, stops vouching
 * (ret_evicted: the kernel must drop its pages; the record goes once it
 * has) and takes no filler meanwhile.  NULL when none is idle.
 */
static struct dir_record *record_get_locked(mlx5_tree *tree, uint64_t ino, int64_t now, uint64_t *ret_evicted,
                                            bool *ret_evict, bool *ret_created)
{
        struct dir_record *rec = g_hash_table_lookup(tree->dir_caches, &ino);

        if (rec) {
                if (rec->evicting)
                        return rec;     /* out of the list, going: opens meanwhile read uncached */
                g_queue_unlink(&tree->dir_lru, &rec->link);
                g_queue_push_tail_link(&tree->dir_lru, &rec->link);
                return rec;
        }
        if (g_hash_table_size(tree->dir_caches) >= DIR_CACHE_MAX_RECORDS) {
                struct dir_record *oldest = tree->dir_lru.head ? tree->dir_lru.head->data : NULL;

                if (tree->dir_cache_tripped++ == 0)
                        g_message("%u directories have entries the kernel may cache (limit DIR_CACHE_MAX_RECORDS): "
                                  "others are read uncached, or take the place of one not opened for %d s",
                                  DIR_CACHE_MAX_RECORDS, (int) (DIR_CACHE_IDLE_US / G_USEC_PER_SEC));
                if (!oldest || oldest->fillers || oldest->dropping || oldest->evicting ||
                    now - oldest->used_us < DIR_CACHE_IDLE_US)
                        return NULL;
                record_forget_identity(oldest);
                oldest->evicting = true;
                oldest->dropping++;
                /* Out of the LRU order while it goes: drop_done removes it. */
                g_queue_unlink(&tree->dir_lru, &oldest->link);
                *ret_evicted = oldest->ino;
                *ret_evict = true;
        }
        *ret_created = true;
        rec = g_new0(struct dir_record, 1);
        rec->ino = ino;
        rec->link.data = rec;
        g_hash_table_insert(tree->dir_caches, &rec->ino, rec);
        g_queue_push_tail_link(&tree->dir_lru, &rec->link);
        return rec;
}

/* The kernel dropped what it cached of ino: a record being evicted goes. */
static void drop_done(mlx5_tree *tree, uint64_t ino)
{
        struct dir_record *rec;

        g_mutex_lock(&tree->dir_cache_lock);
        rec = g_hash_table_lookup(tree->dir_caches, &ino);
        /* Evicting, it is already out of the LRU list. */
        if (rec && rec->dropping && --rec->dropping == 0 && rec->evicting && !rec->fillers)
                g_hash_table_remove(tree->dir_caches, &ino);
        g_mutex_unlock(&tree->dir_cache_lock);
}

void tree_dir_cache_open(mlx5_tree *tree, uint64_t ino, GBytes *fixed, GArray *ids, bool may_fill,
                         struct dir_cache_open *ret)
{
        struct dir_record *rec;
        int64_t now = g_get_monotonic_time();
        uint64_t evicted = 0;
        bool evict = false, drop = false, created = false, matches;

        /* Not filling: what the kernel cached stays, for the opens it belongs to. */
        *ret = (struct dir_cache_open) { .keep = true };
        g_mutex_lock(&tree->dir_cache_lock);
        rec = may_fill ? record_get_locked(tree, ino, now, &evicted, &evict, &created) : NULL;
        matches = rec && record_matches(rec, fixed, ids);
        if (rec && !rec->dropping && matches && now >= rec->valid_until_us) {
                ret->renews = true;
                ret->gen = rec->gen;
                rec->used_us = now;
                tree->dir_cache_renewing++;
        } else if (rec && !rec->dropping && (matches || !rec->fillers)) {
                rec->used_us = now;
                ret->fills = true;
                ret->keep = matches;
                if (!matches) {
                        /* A record made just now: the kernel holds nothing (see above). */
                        drop = !created;
                        record_forget_identity(rec);
                        rec->fixed = g_bytes_ref(fixed);
                        rec->ids = ids ? g_array_ref(ids) : NULL;
                        rec->known = true;
                        rec->valid_until_us = INT64_MAX;
                        rec->dropping += drop;
                }
                ret->gen = rec->gen;
                rec->fillers++;
                if (matches)
                        tree->dir_cache_kept++;
                else
                        tree->dir_cache_filled++;
        } else {
                tree->dir_cache_uncached++;
        }
        g_mutex_unlock(&tree->dir_cache_lock);
        if (evict) {
                tree_invalidate(tree, &evicted, 1);
                drop_done(tree, evicted);
        }
        if (!drop)
                return;
        tree_invalidate(tree, &ino, 1);
        drop_done(tree, ino);
        __atomic_fetch_add(&tree->dir_cache_dropped, 1, __ATOMIC_RELAXED);
}

void tree_dir_cache_passed(mlx5_tree *tree, uint64_t ino, uint64_t gen, int64_t valid_until_us)
{
        struct dir_record *rec;

        g_mutex_lock(&tree->dir_cache_lock);
        rec = g_hash_table_lookup(tree->dir_caches, &ino);
        if (rec && rec->known && rec->gen == gen)
                rec->valid_until_us = valid_until_us;
        g_mutex_unlock(&tree->dir_cache_lock);
}

void tree_dir_cache_close(mlx5_tree *tree, uint64_t ino)
{
        struct dir_record *rec;

        g_mutex_lock(&tree->dir_cache_lock);
        rec = g_hash_table_lookup(tree->dir_caches, &ino);
        if (rec && rec->fillers && --rec->fillers == 0 && rec->valid_until_us == INT64_MAX)
                rec->valid_until_us = 0;        /* filled without a whole pass: its leases are unknown */
        g_mutex_unlock(&tree->dir_cache_lock);
}

void tree_dir_cache_forget_device(mlx5_tree *tree, uint32_t slot)
{
        g_autoptr(GArray) inos = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        GHashTableIter iter;
        gpointer key, value;

        g_mutex_lock(&tree->dir_cache_lock);
        g_hash_table_iter_init(&iter, tree->dir_caches);
        while (g_hash_table_iter_next(&iter, &key, &value)) {
                struct dir_record *rec = value;
                struct node n;

                /* The root lists devices: its fixed children say whether they changed. */
                if (!node_from_ino(tree, *(uint64_t *) key, &n) || n.kind == NODE_ROOT || n.dev != slot)
                        continue;
                g_array_append_val(inos, *(uint64_t *) key);
                /* Fillers still open refill it: the next open drops it again. */
                if (rec->fillers || rec->dropping) {
                        record_forget_identity(rec);
                } else {
                        g_queue_unlink(&tree->dir_lru, &rec->link);
                        g_hash_table_iter_remove(&iter);
                }
        }
        g_mutex_unlock(&tree->dir_cache_lock);
        tree_invalidate(tree, (const uint64_t *) (const void *) inos->data, inos->len);
}

void tree_dir_cache_count_request(mlx5_tree *tree)
{
        __atomic_fetch_add(&tree->dir_requests, 1, __ATOMIC_RELAXED);
}

void tree_format_dir_cache_stats(mlx5_tree *tree, GString *out)
{
        g_mutex_lock(&tree->dir_cache_lock);
        g_string_append_printf(out, "limits.dir_cache_records: %u\n", DIR_CACHE_MAX_RECORDS);
        g_string_append_printf(out, "limits.dir_cache_records.tripped: %" G_GUINT64_FORMAT "\n",
                               tree->dir_cache_tripped);
        g_string_append_printf(out, "dirs.cache_records: %u\n", g_hash_table_size(tree->dir_caches));
        g_string_append_printf(out, "dirs.opens_kept: %" G_GUINT64_FORMAT "\n", tree->dir_cache_kept);
        g_string_append_printf(out, "dirs.opens_filling: %" G_GUINT64_FORMAT "\n", tree->dir_cache_filled);
        g_string_append_printf(out, "dirs.opens_uncached: %" G_GUINT64_FORMAT "\n", tree->dir_cache_uncached);
        g_string_append_printf(out, "dirs.opens_renewing: %" G_GUINT64_FORMAT "\n", tree->dir_cache_renewing);
        g_string_append_printf(out, "dirs.pages_dropped: %" G_GUINT64_FORMAT "\n",
                               __atomic_load_n(&tree->dir_cache_dropped, __ATOMIC_RELAXED));
        g_mutex_unlock(&tree->dir_cache_lock);
        g_string_append_printf(out, "dirs.readdir_requests: %" G_GUINT64_FORMAT "\n",
                               __atomic_load_n(&tree->dir_requests, __ATOMIC_RELAXED));
}
