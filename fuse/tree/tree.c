/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "tree/tree-private.h"

#define KIND_SHIFT 56
#define DEV_SHIFT 40
#define SUB_SHIFT 32

static const struct mlx5_tree_kind *tree_kind(const mlx5_tree *tree, unsigned kind)
{
        return &g_array_index(tree->kinds, struct mlx5_tree_kind, kind);
}

uint64_t node_to_ino(const struct node *n)
{
        if (n->kind == NODE_ROOT)
                return 1;       /* FUSE_ROOT_ID */
        return (uint64_t) n->kind << KIND_SHIFT | (uint64_t) n->dev << DEV_SHIFT |
               (uint64_t) n->sub << SUB_SHIFT | n->id;
}

/* Inode numbers as GHashTable keys: g_int64_hash's fold would put small ids of different kinds together. */
guint tree_ino_hash(gconstpointer key)
{
        return (guint) tree_ino_mix(*(const uint64_t *) key);
}

bool node_from_ino(const mlx5_tree *tree, uint64_t ino, struct node *ret_node)
{
        struct node n = {
                .kind = ino >> KIND_SHIFT,
                .dev = (ino >> DEV_SHIFT) & (TREE_MAX_DEVICES - 1),
                .sub = (ino >> SUB_SHIFT) & (TREE_MAX_SUB - 1),
                .id = (uint32_t) ino,
        };

        if (ino == 1) {
                *ret_node = (struct node) { .kind = NODE_ROOT };
                return true;
        }
        if (n.kind == NODE_ROOT || n.kind >= tree->kinds->len)
                return false;
        *ret_node = n;
        return true;
}

struct tree_device *tree_device_get(mlx5_tree *tree, uint32_t slot)
{
        struct tree_device *td = NULL;

        g_rw_lock_reader_lock(&tree->lock);
        if (slot < tree->devices->len && tree->devices->pdata[slot]) {
                td = tree->devices->pdata[slot];
                g_atomic_int_inc(&td->refcount);
        }
        g_rw_lock_reader_unlock(&tree->lock);
        return td;
}

/*
 * Whether a slot holds a device, without taking it: the question every
 * stat of a device's node and every open and read of its files asks
 * (tree_device_get takes the tree's lock and a reference, ~115
 * instructions).  Set and cleared under the tree's lock with the slot.
 */
static void slot_mark(mlx5_tree *tree, uint32_t slot, bool present)
{
        guint bit = 1u << (slot % 32);

        if (present)
                g_atomic_int_or((guint *) &tree->slots_present[slot / 32], bit);
        else
                g_atomic_int_and((guint *) &tree->slots_present[slot / 32], ~bit);
}

static bool slot_present(mlx5_tree *tree, uint32_t slot)
{
        return slot < TREE_MAX_DEVICES &&
               ((guint) g_atomic_int_get(&tree->slots_present[slot / 32]) & (1u << (slot % 32)));
}

void tree_device_unref(struct tree_device *td)
{
        if (!td || !g_atomic_int_dec_and_test(&td->refcount))
                return;
        if (td->frees_slot) {
                mlx5_tree *tree = td->tree;

                /* No request uses the device any more, so nothing can be cached for it after this. */
                mlx5_cache_drop_device(tree->cache, td->slot);
                g_rw_lock_writer_lock(&tree->lock);
                g_queue_push_tail(&tree->free_slots, GUINT_TO_POINTER(td->slot));
                g_rw_lock_writer_unlock(&tree->lock);
        }
        mlx5_device_free(td->dev);
        g_ptr_array_unref(td->aliases);
        g_free(td->listed);
        mlx5_inventory_free(td->inventory);
        g_free(td);
}

/* The names sysfs lists under the function's infiniband/ and net/ directories. */
static GPtrArray *read_aliases(const char *sysfs_root, const char *pci_name)
{
        static const char *const classes[] = { "infiniband", "net" };
        GPtrArray *aliases = g_ptr_array_new_with_free_func(g_free);

        for (size_t c = 0; c < G_N_ELEMENTS(classes); c++) {
                g_autofree char *path = g_build_filename(sysfs_root, "bus", "pci", "devices", pci_name,
                                                         classes[c], NULL);
                g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
                const char *name;

                while (dir && (name = g_dir_read_name(dir)))
                        g_ptr_array_add(aliases, g_strdup(name));
        }
        return aliases;
}

/*
 * The kernel asks for attributes of an open file without naming the handle
 * (fstat is a plain GETATTR), so while a file is open its inode reports the
 * snapshot it pinned, and every further open shares that snapshot: size and
 * times then match what read() returns for every reader, and tar never sees
 * a file change under it.  The snapshot moves on once the last handle closes.
 */
struct open_pin {
        uint64_t ino;           /* its key in open_files */
        mlx5_snapshot *snap;
        unsigned handles;
};

static void open_pin_free(void *p)
{
        struct open_pin *pin = p;

        if (!pin)
                return;
        mlx5_snapshot_unref(pin->snap);
        g_free(pin);
}

/*
 * Pins and file handles are kept for reuse (under open_lock), up to
 * TREE_SPARE_HANDLES each: an open and its release (tar's and grep's every
 * file) then allocate and free nothing.
 */
static void *spare_take(void **spares, unsigned *n)
{
        return *n ? spares[--*n] : NULL;
}

/* Keeps p for reuse, or frees it (g_free) when enough are kept. */
static void spare_give(void **spares, unsigned *n, void *p)
{
        if (*n < TREE_SPARE_HANDLES)
                spares[(*n)++] = p;
        else
                g_free(p);
}

static void spares_free(void **spares, unsigned *n)
{
        while (*n)
                g_free(spares[--*n]);
}

/*
 * Pins snap (taking its reference) for ino, or joins the one already
 * pinned; returns the one to use.  With ret_file, a zeroed file handle
 * too.
 */
static mlx5_snapshot *pin_open(mlx5_tree *tree, uint64_t ino, mlx5_snapshot *snap, mlx5_tree_file **ret_file)
{
        struct open_pin *pin;

        g_mutex_lock(&tree->open_lock);
        pin = tree_ino_table_lookup(&tree->open_files, ino);
        if (!pin) {
                pin = spare_take(tree->spare_pins, &tree->n_spare_pins);
                if (!pin)
                        pin = g_new(struct open_pin, 1);
                *pin = (struct open_pin) { .ino = ino, .snap = mlx5_snapshot_ref(snap) };
                tree_ino_table_insert(&tree->open_files, ino, pin);
        }
        pin->handles++;
        if (pin->snap != snap) {
                mlx5_snapshot_unref(snap);
                snap = mlx5_snapshot_ref(pin->snap);
        }
        if (ret_file)
                *ret_file = spare_take(tree->spare_files, &tree->n_spare_files);
        g_mutex_unlock(&tree->open_lock);
        if (ret_file) {
                if (*ret_file)
                        memset(*ret_file, 0, sizeof(**ret_file));
                else
                        *ret_file = g_new0(mlx5_tree_file, 1);
        }
        return snap;
}

/* Drops a handle of ino's pin; with file, keeps that handle for reuse. */
static void unpin_open(mlx5_tree *tree, uint64_t ino, mlx5_tree_file *file)
{
        struct open_pin *pin;

        g_mutex_lock(&tree->open_lock);
        pin = tree_ino_table_lookup(&tree->open_files, ino);
        if (pin && --pin->handles == 0) {
                tree_ino_table_remove(&tree->open_files, ino);
                mlx5_snapshot_unref(pin->snap);
                spare_give(tree->spare_pins, &tree->n_spare_pins, pin);
        }
        if (file)
                spare_give(tree->spare_files, &tree->n_spare_files, file);
        g_mutex_unlock(&tree->open_lock);
}

/* The snapshot open handles of ino pin, else with leased_too the one its unexpired lease holds; or NULL. */
static mlx5_snapshot *shown_snapshot(mlx5_tree *tree, uint64_t ino, bool leased_too);

static mlx5_snapshot *pinned_snapshot(mlx5_tree *tree, uint64_t ino)
{
        return shown_snapshot(tree, ino, false);
}

/*
 * Leases: what the kernel may still show.  The kernel keeps a file's
 * attributes (and name) for as long as we say; for that long, and a grace
 * more (the kernel starts its clock only when the caller runs again), an
 * open must get the very snapshot they describe, whatever the cache did
 * meanwhile (expiry, eviction, a newer listing).
 *
 * Listed files lease their whole listing, once, under the inode of the
 * directory whose listing it is: their attributes stay valid for as long
 * as the listing lives, however many files it has (tar and grep read a
 * whole directory before they stat its entries).  Their grace is short, so
 * a listing is not kept noticeably past its life.
 *
 * Other files lease their own snapshot for FILE_LEASE_US, at most
 * LEASE_MAX_FILES at a time: past that, their attributes are not cached.
 * Expired leases are dropped by the next grant a second on.
 */
#define FILE_LEASE_US (G_USEC_PER_SEC / 20)
#define FILE_LEASE_GRACE_US G_USEC_PER_SEC
#define LISTING_LEASE_GRACE_US (G_USEC_PER_SEC / 20)
/* A listing used past its life (only while a directory pins it) is valid this long at a time. */
#define PINNED_LISTING_LEASE_US (G_USEC_PER_SEC / 20)
#define LEASE_MAX_FILES 32768

struct lease {
        uint64_t key;           /* its key in leases */
        mlx5_snapshot *snap;
        int64_t until_us;       /* monotonic */
        bool listing;           /* keyed by a directory's inode */
        int64_t walk_renewed_us;        /* a listing's: when a walk last renewed it (walk_renewal_due) */
        mlx5_cache *cache;      /* a listing's: where its snapshot is leased (counted in the cache's cap) */
        int64_t used_us;        /* a listing's: when last granted (drop_for_memory_locked takes the oldest) */
};

/* Lets the lease's snapshot go, and the cache count it no more if it was a listing's. */
static void lease_release(struct lease *l)
{
        if (l->cache && l->snap)
                mlx5_cache_unlease(l->cache, l->snap);
        mlx5_snapshot_unref(g_steal_pointer(&l->snap));
}

static void lease_free(void *p)
{
        struct lease *l = p;

        if (!l)
                return;
        lease_release(l);
        g_free(l);
}

static bool lease_expired(void *value, void *now_us)
{
        return ((struct lease *) value)->until_us <= *(int64_t *) now_us;
}

/*
 * On this thread, the listing leases the last content call used: node_stat
 * and open learn from them how long the kernel may keep the attributes,
 * without knowing how each kind makes its content.  The first listing used
 * is the one a listed file's snapshot comes from; the others (a JSON
 * document's references look up their targets' listings) are leased too,
 * so the file shows the same bytes for as long as the shortest lease.
 */
struct listing_use {
        bool used;
        uint64_t first_key;             /* where the first is leased (set by use_listing) */
        int64_t taken_monotonic_us;     /* of the snapshot served from the first */
        double valid_s;                 /* the shortest lease of them */
        bool opening;                   /* set while an open of file (opening_kind, opening_id) runs */
        bool answering;                 /* set while a content call runs: only then is first_key this request's */
        unsigned opening_kind;
        uint32_t opening_id;
};
static __thread struct listing_use listing_use;
/* While a fetch runs on this thread: where the content call it runs in answers from, or 0 (fetch_outside_request). */
static __thread uint64_t fetch_answers_for;

/*
 * Where the listing the content call running on this thread answers from
 * is leased, else otherwise: what a thread used last, in a request long
 * done, is no reason to keep a listing.
 */
static uint64_t listing_answered_from(uint64_t otherwise)
{
        if (listing_use.answering && listing_use.used)
                return listing_use.first_key;
        return fetch_answers_for ? fetch_answers_for : otherwise;
}

/*
 * Listing leases count in the cache's one cap (cache_size): a walk of 100k
 * QPs leases listings of hundreds of MB (every dump directory's), and each
 * would otherwise live until its lease ends.  Past the cap, what was used
 * longest ago goes first, a cached snapshot or a listing lease alike: of
 * the listings, only those no open file or directory pins, and the kernel
 * forgets what they promised (forget_listed): their files are then read
 * from a listing fetched again, or the cache's, never from one their
 * attributes did not describe.
 */
/* Whether an open directory, or an open file of its device and number (type or segment), pins the listing at key. */
static bool listing_pinned_locked(mlx5_tree *tree, uint64_t key)
{
        uint64_t open_key;
        size_t pos = 0;
        struct node l;

        if (tree_ino_table_lookup(&tree->open_files, key) || !node_from_ino(tree, key, &l))
                return true;
        while (tree_ino_table_next(&tree->open_files, &pos, &open_key, NULL)) {
                struct node n;

                /* Coarse (any kind of that number): keeping one too many is safe, dropping a pinned one is not. */
                if (node_from_ino(tree, open_key, &n) && n.dev == l.dev && n.sub == l.sub)
                        return true;
        }
        return false;
}

/*
 * A listing used this recently is not dropped: a walk in it (tar's stat,
 * then its open, of each file) would see its files change or go between.
 */
#define LISTING_IN_USE_US G_USEC_PER_SEC
/*
 * How long the kernel may keep the attributes of a file made from a
 * listing whose drop does not make it forget them (forget_listed names only
 * the listing's own files, not a <type>.jsonl or a summary of it): well
 * within LISTING_IN_USE_US, so they expire before the listing, used when
 * they were given, may go (the margin covers rendering them after it was
 * used).
 */
#define UNFORGOTTEN_PROMISE_US (LISTING_IN_USE_US / 2)

struct lru_entry {
        int64_t used_us;
        uint64_t key;
};

static gint lru_compare(gconstpointer a, gconstpointer b)
{
        const struct lru_entry *x = a, *y = b;

        return x->used_us < y->used_us ? -1 : x->used_us > y->used_us;
}

/*
 * Past the cache's cap: drops the listing leases used longest ago (not
 * keep, nor keep_too, nor one pinned or in use), each once the cache has
 * evicted what it keeps that was used before it, until within the cap,
 * giving their keys and listings to ret_keys and ret_listings (made at the
 * first).  What is left past the cap then comes out of the cache.
 */
static void drop_for_memory_locked(mlx5_tree *tree, int64_t now, uint64_t keep, uint64_t keep_too, GArray **ret_keys,
                                   GPtrArray **ret_listings)
{
        g_autoptr(GArray) lru = NULL;
        size_t pos = 0;
        uint64_t k;
        void *value;
        size_t over = mlx5_cache_over(tree->cache);

        if (!over)
                return;
        if (tree->leased_listing_tripped++ == 0)
                g_message("cache and leased listings hold %zu bytes past the cap (limit cache_size, %zu bytes): the "
                          "least recently used listings are dropped, and fetched again when next used",
                          over, tree->options.cache_bytes);
        lru = g_array_new(FALSE, FALSE, sizeof(struct lru_entry));
        while (tree_ino_table_next(&tree->leases, &pos, &k, &value)) {
                struct lease *l = value;

                if (l->listing && k != keep && k != keep_too && now - l->used_us >= LISTING_IN_USE_US &&
                    !listing_pinned_locked(tree, k))
                        g_array_append_val(lru, ((struct lru_entry) { l->used_us, k }));
        }
        g_array_sort(lru, lru_compare);
        for (guint i = 0; i < lru->len; i++) {
                const struct lru_entry *victim = &g_array_index(lru, struct lru_entry, i);
                struct lease *l = tree_ino_table_lookup(&tree->leases, victim->key);

                if (!mlx5_cache_evict_older(tree->cache, victim->used_us))
                        return;
                if (!*ret_keys) {
                        *ret_keys = g_array_new(FALSE, FALSE, sizeof(uint64_t));
                        *ret_listings = g_ptr_array_new_with_free_func((GDestroyNotify) mlx5_snapshot_unref);
                }
                g_array_append_val(*ret_keys, victim->key);
                g_ptr_array_add(*ret_listings, mlx5_snapshot_ref(l->snap));
                tree->listings_dropped_for_memory++;
                lease_free(tree_ino_table_remove(&tree->leases, victim->key));
        }
        mlx5_cache_evict_older(tree->cache, INT64_MAX);
}

static void forget_dropped(mlx5_tree *tree, GArray *listing_keys, GPtrArray *listings);

/*
 * Leases snap under key for valid_us plus grace_us; returns how many
 * seconds the kernel may keep what it describes (0 when there is no room).
 */
static double lease_grant(mlx5_tree *tree, uint64_t key, mlx5_snapshot *snap, int64_t valid_us, int64_t grace_us,
                          bool listing)
{
        int64_t now = g_get_monotonic_time();
        g_autoptr(GArray) dropped_keys = NULL;
        g_autoptr(GPtrArray) dropped = NULL;
        struct lease *l;
        double valid_s = 0.0;
        bool full, grew = false;

        g_mutex_lock(&tree->open_lock);
        /* Expired leases go once a second, or as soon as there is no room: they hold snapshots. */
        full = tree->file_leases >= LEASE_MAX_FILES;
        if (now - tree->leases_pruned_us >= (full ? FILE_LEASE_US : FILE_LEASE_GRACE_US)) {
                void *value;
                size_t pos = 0;

                tree_ino_table_remove_if(&tree->leases, lease_expired, &now, lease_free);
                tree->leases_pruned_us = now;
                tree->file_leases = 0;
                while (tree_ino_table_next(&tree->leases, &pos, NULL, &value))
                        tree->file_leases += !((struct lease *) value)->listing;
        }
        l = tree_ino_table_lookup(&tree->leases, key);
        if (!l && (listing || tree->file_leases < LEASE_MAX_FILES)) {
                l = g_new0(struct lease, 1);
                l->key = key;
                l->listing = listing;
                l->cache = listing ? tree->cache : NULL;
                tree->file_leases += !listing;
                tree_ino_table_insert(&tree->leases, key, l);
        }
        if (!l && tree->file_leases_tripped++ == 0)
                g_warning("%u file leases (limit LEASE_MAX_FILES): attributes of further files are not cached "
                          "until some expire", LEASE_MAX_FILES);
        if (l) {
                if (l->snap != snap) {
                        lease_release(l);
                        l->snap = mlx5_snapshot_ref(snap);
                        if (l->cache)
                                mlx5_cache_lease(l->cache, snap);
                        l->until_us = 0;
                        l->walk_renewed_us = 0;
                        grew = l->listing;
                }
                l->until_us = MAX(l->until_us, now + valid_us + grace_us);
                l->used_us = now;
                valid_s = (double) valid_us / G_USEC_PER_SEC;
                /*
                 * Only when it leased another listing: a renewal changes nothing.  Not the
                 * listing this thread's request uses first either: what it
                 * answers comes from it.
                 */
                if (grew)
                        drop_for_memory_locked(tree, now, key, listing_answered_from(key),
                                               &dropped_keys, &dropped);
        }
        g_mutex_unlock(&tree->open_lock);
        if (dropped)
                forget_dropped(tree, dropped_keys, dropped);
        return valid_s;
}

/*
 * The cache is past its cap with only leases left to give (it calls this
 * without its lock, where no tree lock is held): the listings used longest
 * ago go, except the one this thread's request answers from.
 */
static void tree_reclaim(void *data)
{
        mlx5_tree *tree = data;
        g_autoptr(GArray) dropped_keys = NULL;
        g_autoptr(GPtrArray) dropped = NULL;
        uint64_t keep = listing_answered_from(0);

        g_mutex_lock(&tree->open_lock);
        drop_for_memory_locked(tree, g_get_monotonic_time(), keep, keep, &dropped_keys, &dropped);
        g_mutex_unlock(&tree->open_lock);
        if (dropped)
                forget_dropped(tree, dropped_keys, dropped);
}

void tree_format_lease_stats(mlx5_tree *tree, GString *out)
{
        g_mutex_lock(&tree->open_lock);
        g_string_append_printf(out, "limits.file_leases: %u\n", LEASE_MAX_FILES);
        g_string_append_printf(out, "limits.file_leases.tripped: %" G_GUINT64_FORMAT "\n", tree->file_leases_tripped);
        g_string_append_printf(out, "limits.cache_size.leases_tripped: %" G_GUINT64_FORMAT "\n",
                               tree->leased_listing_tripped);
        g_string_append_printf(out, "listings.dropped_for_memory: %" G_GUINT64_FORMAT "\n",
                               tree->listings_dropped_for_memory);
        g_mutex_unlock(&tree->open_lock);
        g_string_append_printf(out, "listings.dirs_forgotten: %" G_GUINT64_FORMAT "\n",
                               __atomic_load_n(&tree->listing_names_forgotten, __ATOMIC_RELAXED));
        g_string_append_printf(out, "limits.listing_max_age_s: %d\n", (int) (LISTING_MAX_AGE_US / G_USEC_PER_SEC));
        g_string_append_printf(out, "limits.listing_max_age.tripped: %" G_GUINT64_FORMAT "\n",
                               __atomic_load_n(&tree->listing_max_age_tripped, __ATOMIC_RELAXED));
        g_string_append_printf(out, "listings.renewed: %" G_GUINT64_FORMAT "\n",
                               __atomic_load_n(&tree->listing_renewals, __ATOMIC_RELAXED));
}

static void lease_drop(mlx5_tree *tree, uint64_t key)
{
        g_mutex_lock(&tree->open_lock);
        lease_free(tree_ino_table_remove(&tree->leases, key));
        g_mutex_unlock(&tree->open_lock);
}

/* One lock for both lookups: every open and every listed entry's stat asks. */
static mlx5_snapshot *shown_snapshot(mlx5_tree *tree, uint64_t ino, bool leased_too)
{
        mlx5_snapshot *snap = NULL;
        struct open_pin *pin;
        struct lease *l;

        g_mutex_lock(&tree->open_lock);
        pin = tree_ino_table_lookup(&tree->open_files, ino);
        if (pin) {
                snap = mlx5_snapshot_ref(pin->snap);
        } else if (leased_too) {
                l = tree_ino_table_lookup(&tree->leases, ino);
                if (l && l->until_us > g_get_monotonic_time())
                        snap = mlx5_snapshot_ref(l->snap);
        }
        g_mutex_unlock(&tree->open_lock);
        return snap;
}


/*
 * A walk renews what it reads: the first open of each file of a listing
 * (a few times a lifetime at most, see walk_renewal_due) keeps every
 * listing of the device fresh from then for a listing's lifetime plus as
 * long as the walk has gone on, so tar or
 * grep -r sees one picture of the device from start to end, its raw/,
 * json/ and rscdump/ twins included, and a second walk right after (which
 * opens no new file) finds the pages it left.  Opening the same file again
 * renews nothing: whoever polls a file sees a new answer once the
 * listing's lifetime has passed, as before.  A listing is never renewed past
 * LISTING_MAX_AGE_US from when it was taken (or its own lifetime if
 * longer); renewing only lengthens lives, so the firmware cost of
 * refreshing (see tree_listing_lifetime_us) stays bounded.
 */
static void renew_one(mlx5_tree *tree, mlx5_snapshot *listing, int64_t now, int64_t lifetime)
{
        int64_t expiry = mlx5_snapshot_expiry_us(listing, tree->options.ttl_us);
        int64_t oldest = listing->taken_monotonic_us + MAX(LISTING_MAX_AGE_US, listing->lifetime_us);
        int64_t until = now + lifetime;

        /* Past its life (shown only while an open directory pins it), it stays dead. */
        if (expiry <= now)
                return;
        if (until > oldest) {
                until = oldest;
                if (expiry < oldest && __atomic_fetch_add(&tree->listing_max_age_tripped, 1, __ATOMIC_RELAXED) == 0)
                        g_message("a listing read for %" G_GINT64_FORMAT " s (limit LISTING_MAX_AGE_US): it is "
                                  "not renewed past that, so a longer walk sees a newer listing",
                                  (oldest - listing->taken_monotonic_us) / G_USEC_PER_SEC);
        }
        if (until <= expiry)
                return;
        mlx5_snapshot_renew(listing, until);
        __atomic_fetch_add(&tree->listing_renewals, 1, __ATOMIC_RELAXED);
}

/* The device's listings are swept this many times a lifetime at most while it is walked. */
#define WALK_SWEEPS_PER_LIFETIME 4
/*
 * A walk renews one listing this many times a lifetime at most: the first
 * open of each of its files asks, but one renewal keeps it for a lifetime
 * and more, so the others (a million in a walk of 100k QPs) would only
 * redo that work.  A listing then lives up to two such intervals less past
 * the walk's end than renewing at every file would keep it (its life grows
 * by the lifetime and the walk's length): an eighth of a lifetime.
 */
#define WALK_RENEWS_PER_LIFETIME 16

static void renew_key(mlx5_tree *tree, const struct mlx5_cache_key *key, int64_t now, int64_t lifetime)
{
        g_autoptr(mlx5_snapshot) listing = NULL;

        if (mlx5_cache_peek(tree->cache, key, &listing) == 0)
                renew_one(tree, listing, now, lifetime);
}

/*
 * Whether a walk that moved on in listing (leased under dir_ino) renews it
 * now: not if it did less than a WALK_RENEWS_PER_LIFETIME-th of the
 * listing's lifetime ago.
 */
static bool walk_renewal_due(mlx5_tree *tree, uint64_t dir_ino, mlx5_snapshot *listing, int64_t now)
{
        int64_t interval = (listing->lifetime_us ? listing->lifetime_us : tree->options.ttl_us) /
                           WALK_RENEWS_PER_LIFETIME;
        struct lease *l;
        bool due = true;

        g_mutex_lock(&tree->open_lock);
        l = tree_ino_table_lookup(&tree->leases, dir_ino);
        /* Not leased yet (or another listing is): the grant after this use keeps the time from then on. */
        if (l && l->snap == listing) {
                due = now - l->walk_renewed_us >= interval;
                if (due)
                        l->walk_renewed_us = now;
        }
        g_mutex_unlock(&tree->open_lock);
        return due;
}

/* A walk moved on in listing (shown under dir_ino): it, and every fresh listing of its device, live on. */
static void renew_listing(mlx5_tree *tree, uint64_t dir_ino, mlx5_snapshot *listing, int64_t now)
{
        g_autoptr(tree_device) td = NULL;
        int64_t lifetime, swept;
        struct node dir;

        if (!walk_renewal_due(tree, dir_ino, listing, now) || !node_from_ino(tree, dir_ino, &dir))
                return;
        td = tree_device_get(tree, dir.dev);
        if (!td)
                return;
        /*
         * A walk goes on while its renewals come less than a lifetime apart:
         * while its new files do less than 15/16 of one apart.
         */
        lifetime = tree_listing_lifetime_us(tree, tree_device_objects(tree, td));
        if (now - __atomic_exchange_n(&td->walk_last_us, now, __ATOMIC_RELAXED) > lifetime)
                __atomic_store_n(&td->walk_started_us, now, __ATOMIC_RELAXED);
        lifetime += now - __atomic_load_n(&td->walk_started_us, __ATOMIC_RELAXED);
        renew_one(tree, listing, now, lifetime);
        swept = __atomic_load_n(&td->walk_swept_us, __ATOMIC_RELAXED);
        if (now - swept < lifetime / WALK_SWEEPS_PER_LIFETIME ||
            !__atomic_compare_exchange_n(&td->walk_swept_us, &swept, now, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
                return;
        for (unsigned i = 0; i < mlx5_schema_n_resources(tree->schema); i++)
                renew_key(tree, &(struct mlx5_cache_key) { .device = dir.dev, .kind = CONTENT_LISTING, .sub = i },
                          now, lifetime);
        for (unsigned r = 0; r < td->dev->menu->len; r++)
                renew_key(tree, &(struct mlx5_cache_key) { .device = dir.dev, .kind = CONTENT_RSCDUMP_LIST, .sub = r },
                          now, lifetime);
}

/* How long a listing is still valid (renewals count); past its life it is shown only while an open directory pins it. */
static int64_t listing_valid_us(mlx5_tree *tree, const mlx5_snapshot *listing)
{
        int64_t left = mlx5_snapshot_expiry_us(listing, tree->options.ttl_us) - g_get_monotonic_time();

        return left > 0 ? left : PINNED_LISTING_LEASE_US;
}

/*
 * One grant per listing per request: a READDIRPLUS of hundreds of entries
 * of one listing, or an opendir that looks up the listings its references
 * point into, would otherwise renew the same lease once an entry, each
 * time to the same end (the listing's expiry plus its grace).  Within a
 * request (tree calls between grant_memo_begin and grant_memo_end on one
 * thread) the first grant of a listing is remembered and its validity
 * reused: the lease cannot go meanwhile for memory (used this very
 * request, see LISTING_IN_USE_US; a fetch in it, which may take long, is
 * not part of it: fetch_outside_request), and the memo names its snapshot, so
 * another listing under the same inode is granted anew.
 */
struct grant_memo {
        bool active;
        uint64_t key;                   /* 0: none */
        mlx5_snapshot *listing;         /* referenced: no other can take its address meanwhile */
        double valid_s;
};
static __thread struct grant_memo grant_memo;

static void grant_memo_end(void)
{
        mlx5_snapshot_unref(grant_memo.listing);
        grant_memo = (struct grant_memo) { 0 };
}

static void grant_memo_begin(void)
{
        grant_memo_end();
        grant_memo.active = true;
}

/*
 * The cache's fetch, which serves every reader waiting on it, run outside
 * the request of the thread it happens to run on: the listings it uses
 * (a dump directory's, its type's) are neither that request's content
 * call's nor remembered by its grant memo, which would keep them alive,
 * uncounted, for as long as the fetch takes once their leases had gone
 * for memory (a 100k-QP dump listing takes seconds to build).
 */
static int fetch_outside_request(const struct mlx5_cache_key *key, void *user_data, mlx5_snapshot **ret_snap)
{
        struct listing_use request_use = listing_use;
        struct grant_memo request_memo = grant_memo;
        uint64_t request_answers_for = fetch_answers_for;
        int r;

        /* The listing the request answers from is still not dropped for memory meanwhile. */
        fetch_answers_for = listing_answered_from(0);
        listing_use = (struct listing_use) { 0 };
        grant_memo = (struct grant_memo) { 0 };
        r = tree_fetch(key, user_data, ret_snap);
        listing_use = request_use;
        grant_memo = request_memo;
        fetch_answers_for = request_answers_for;
        return r;
}

/* Leases a listing under dir_ino for its life (lease_grant), once per request. */
static double grant_listing(mlx5_tree *tree, uint64_t dir_ino, mlx5_snapshot *listing)
{
        double valid_s;

        if (grant_memo.active && grant_memo.key == dir_ino && grant_memo.listing == listing)
                return grant_memo.valid_s;
        valid_s = lease_grant(tree, dir_ino, listing, listing_valid_us(tree, listing), LISTING_LEASE_GRACE_US, true);
        if (grant_memo.active) {
                mlx5_snapshot_unref(grant_memo.listing);
                grant_memo.key = dir_ino;
                grant_memo.listing = mlx5_snapshot_ref(listing);
                grant_memo.valid_s = valid_s;
        }
        return valid_s;
}

/* Notes on this thread that a content call used a listing (see struct listing_use). */
static void note_listing_use(int64_t served_taken_us, double valid_s)
{
        /* Only the first listing used may be renewed by an open (use_listing). */
        listing_use.opening = false;
        if (listing_use.used) {
                listing_use.valid_s = MIN(listing_use.valid_s, valid_s);
                return;
        }
        listing_use.used = true;
        listing_use.taken_monotonic_us = served_taken_us;
        listing_use.valid_s = valid_s;
}

/*
 * Leases a listing shown under a directory's inode and notes its use on
 * this thread.  An open may renew the first listing it uses: its own
 * object's (a JSON document then looks up the listings its references
 * point into, which that open does not read).
 */
static void use_listing(mlx5_tree *tree, uint64_t dir_ino, mlx5_snapshot *listing, int64_t served_taken_us,
                        int opening_slot)
{
        if (listing_use.opening) {
                listing_use.opening = false;
                /* The caller's slot when it found the opened object's (the same number). */
                if (opening_slot < 0)
                        opening_slot = mlx5_listing_find(listing->listing, listing_use.opening_id);
                if (opening_slot >= 0 && mlx5_listing_first_open(listing, listing_use.opening_kind, opening_slot))
                        renew_listing(tree, dir_ino, listing, g_get_monotonic_time());
        }
        if (!listing_use.used)
                listing_use.first_key = dir_ino;
        note_listing_use(served_taken_us, grant_listing(tree, dir_ino, listing));
}

/* The listing shown under a directory's inode: pinned by an open directory, else leased; or NULL. */
static mlx5_snapshot *shown_listing(mlx5_tree *tree, uint64_t dir_ino)
{
        return shown_snapshot(tree, dir_ino, true);
}

/*
 * Notes the kind c as what lists its listed_kind, for listing_names_kind,
 * and as a named child of its parent kind, for fixed_children.
 */
static void note_lister(mlx5_tree *tree, unsigned c)
{
        const struct mlx5_tree_kind *k = tree_kind(tree, c);
        uint16_t *lister;

        if (c != NODE_ROOT && k->name) {
                tree->named_next[c] = 0;
                if (tree->named_last[k->parent])
                        tree->named_next[tree->named_last[k->parent] - 1] = (uint16_t) (c + 1);
                else
                        tree->named_first[k->parent] = (uint16_t) (c + 1);
                tree->named_last[k->parent] = (uint16_t) (c + 1);
        }

        if (!k->listed_type)
                return;
        lister = &tree->listers[k->listed_kind];
        *lister = *lister ? TREE_LISTERS_SEVERAL : (uint16_t) (c + 1);
}

mlx5_tree *mlx5_tree_new(const mlx5_schema *schema, const struct mlx5_tree_options *options)
{
        mlx5_tree *tree = g_new0(mlx5_tree, 1);

        tree->schema = schema;
        tree->options = *options;
        if (!tree->options.max_devices || tree->options.max_devices > TREE_MAX_DEVICES)
                tree->options.max_devices = TREE_MAX_DEVICES;
        tree->cache = mlx5_cache_new(options->ttl_us, options->cache_bytes, fetch_outside_request, tree);
        mlx5_cache_set_reclaim(tree->cache, tree_reclaim, tree);
        tree_in_flight_init(tree);
        tree_streams_init(tree);
        tree_dir_cache_init(tree);
        g_rw_lock_init(&tree->lock);
        tree->devices = g_ptr_array_new();
        g_queue_init(&tree->free_slots);
        tree->groups = g_ptr_array_new();
        g_mutex_init(&tree->open_lock);
        tree_ino_table_init(&tree->open_files);
        tree_ino_table_init(&tree->leases);
        tree->created_us = g_get_real_time();
        tree->uid = getuid();
        tree->gid = getgid();
        tree->kinds = g_array_sized_new(FALSE, TRUE, sizeof(struct mlx5_tree_kind), NODE_BUILTIN_KINDS);
        g_array_append_vals(tree->kinds, tree_builtin_kinds, NODE_BUILTIN_KINDS);
        for (unsigned c = 0; c < NODE_BUILTIN_KINDS; c++)
                note_lister(tree, c);
        tree->ref_slots = g_array_new(FALSE, FALSE, sizeof(struct ref_slot));

        for (unsigned i = 0; i < mlx5_schema_n_resources(schema); i++) {
                const mlx5_schema_resource *res = mlx5_schema_resource_at(schema, i);
                bool known = false;

                if (res->has_id || !res->dir)
                        continue;
                for (unsigned g = 0; g < tree->groups->len; g++)
                        known |= strcmp(tree->groups->pdata[g], res->dir) == 0;
                if (!known)
                        g_ptr_array_add(tree->groups, res->dir);
        }
        for (unsigned i = 0; i < mlx5_schema_n_resources(schema); i++) {
                const mlx5_schema_resource *res = mlx5_schema_resource_at(schema, i);

                for (guint k = 0; k < res->refs->len; k++) {
                        struct ref_slot rs = { i, &g_array_index(res->refs, mlx5_schema_objref, k) };

                        /* A link's inode numbers its ref in 8 bits. */
                        if (tree->ref_slots->len == TREE_MAX_SUB) {
                                g_warning("schema: ref %s of %s and later ones not shown as links: more than %u refs",
                                          rs.ref->path, res->name, TREE_MAX_SUB);
                                break;
                        }
                        g_array_append_val(tree->ref_slots, rs);
                }
        }
        /* Fixed with the schema: asked for every reference of every object shown. */
        for (unsigned s = 0; s < tree->ref_slots->len; s++)
                g_array_index(tree->ref_slots, struct ref_slot, s).later_alternative =
                        tree_ref_slot_is_later_alternative(tree, s);
        return tree;
}

void mlx5_tree_free(mlx5_tree *tree)
{
        if (!tree)
                return;
        /* Runners use everything below. */
        tree_streams_free(tree);
        /* Leased and pinned listings give their kept texts back to the cache: they go before it. */
        tree_ino_table_clear(&tree->open_files, open_pin_free);
        tree_ino_table_clear(&tree->leases, lease_free);
        spares_free(tree->spare_pins, &tree->n_spare_pins);
        spares_free(tree->spare_files, &tree->n_spare_files);
        tree_caller_views_free(tree);
        /* The cache goes next: its entries may hold nothing of the devices, but fetches use them. */
        mlx5_cache_free(tree->cache);
        for (unsigned i = 0; i < tree->devices->len; i++)
                tree_device_unref(tree->devices->pdata[i]);
        g_ptr_array_unref(tree->devices);
        g_queue_clear(&tree->free_slots);
        g_ptr_array_unref(tree->groups);
        g_array_unref(tree->kinds);
        g_array_unref(tree->ref_slots);
        tree_dir_cache_free(tree);
        g_mutex_clear(&tree->open_lock);
        g_rw_lock_clear(&tree->lock);
        g_free(tree);
}

static __thread bool nonblocking_thread;

void mlx5_tree_set_nonblocking(bool nonblocking)
{
        nonblocking_thread = nonblocking;
        mlx5_cache_set_nonblocking(nonblocking);
}

bool tree_nonblocking(void)
{
        return nonblocking_thread;
}

/* The slot of the device reached through node, or of the PCI function pci_name; -1. */
static int find_device_locked(mlx5_tree *tree, const char *node, const char *pci_name)
{
        for (unsigned i = 0; i < tree->devices->len; i++) {
                struct tree_device *td = tree->devices->pdata[i];

                if (td && ((node && strcmp(td->dev->transport->id.node, node) == 0) ||
                           (pci_name && strcmp(td->dev->pci_name, pci_name) == 0)))
                        return (int) i;
        }
        return -1;
}

static bool slot_has_open_files(mlx5_tree *tree, uint32_t slot)
{
        uint64_t key;
        size_t pos = 0;
        bool open = false;

        g_mutex_lock(&tree->open_lock);
        while (!open && tree_ino_table_next(&tree->open_files, &pos, &key, NULL)) {
                struct node n;

                open = node_from_ino(tree, key, &n) && !tree_kind(tree, n.kind)->global &&
                       n.dev == slot;
        }
        g_mutex_unlock(&tree->open_lock);
        return open;
}

/* A slot for a new device: a never used one while there are any, else the longest free. */
static int claim_slot_locked(mlx5_tree *tree, uint32_t *ret_slot)
{
        if (tree->devices->len < tree->options.max_devices) {
                *ret_slot = tree->devices->len;
                g_ptr_array_add(tree->devices, NULL);
                return 0;
        }
        for (GList *l = tree->free_slots.head; l; l = l->next) {
                uint32_t slot = GPOINTER_TO_UINT(l->data);

                if (slot_has_open_files(tree, slot))
                        continue;
                g_queue_delete_link(&tree->free_slots, l);
                *ret_slot = slot;
                return 0;
        }
        return -ENOSPC;
}

static struct tree_device *tree_device_new(mlx5_tree *tree, mlx5_device *dev, const char *sysfs_root)
{
        struct tree_device *td = g_new0(struct tree_device, 1);

        td->refcount = 1;
        td->tree = tree;
        td->dev = dev;
        dev->account = &tree->account;
        td->aliases = read_aliases(sysfs_root, dev->pci_name);
        td->listed = g_new0(gint, mlx5_schema_n_resources(tree->schema) + 1);
        td->inventory = mlx5_inventory_new(dev);
        return td;
}

int mlx5_tree_add_kind(mlx5_tree *tree, const struct mlx5_tree_kind *kind)
{
        if (tree->kinds->len >= MLX5_TREE_MAX_KINDS)
                return -ENOSPC;
        g_array_append_vals(tree->kinds, kind, 1);
        note_lister(tree, tree->kinds->len - 1);
        return (int) tree->kinds->len - 1;
}

int mlx5_tree_add_device(mlx5_tree *tree, mlx5_device *dev, const char *sysfs_root)
{
        struct tree_device *td = tree_device_new(tree, dev, sysfs_root);
        int r;

        /* A segment's inode numbers its menu record in 8 bits. */
        if (dev->menu->len > TREE_MAX_SUB)
                g_warning("%s: resource-dump menu has %u records; rscdump/ shows the first %u", dev->pci_name,
                          dev->menu->len, TREE_MAX_SUB);

        g_rw_lock_writer_lock(&tree->lock);
        r = claim_slot_locked(tree, &td->slot);
        if (r == 0) {
                tree->devices->pdata[td->slot] = td;
                slot_mark(tree, td->slot, true);
        }
        g_rw_lock_writer_unlock(&tree->lock);
        if (r < 0) {
                /* The caller keeps the device. */
                td->dev = NULL;
                tree_device_unref(td);
                g_warning("%s: not shown: all %u device slots are in use or have files open", dev->pci_name,
                          tree->options.max_devices);
        }
        return r;
}

void mlx5_tree_set_inval_handler(mlx5_tree *tree, mlx5_tree_inval_fn fn, mlx5_tree_forget_name_fn forget_name,
                                 void *user_data)
{
        g_rw_lock_writer_lock(&tree->lock);
        tree->inval_fn = fn;
        tree->forget_name_fn = forget_name;
        tree->inval_data = user_data;
        g_rw_lock_writer_unlock(&tree->lock);
}

/* Adds the inodes of one kind of listed files a listing names. */
static void add_listed(const mlx5_snapshot *listing, unsigned kind, const struct node *dir, GArray *inos)
{
        for (guint i = 0; i < listing->listing->ids->len; i++) {
                struct node f = { .kind = kind, .dev = dir->dev, .sub = dir->sub,
                                  .id = g_array_index(listing->listing->ids, uint32_t, i) };
                uint64_t ino = node_to_ino(&f);

                g_array_append_val(inos, ino);
        }
}

/* Whether directories of kind c list files of kind, by the listing of dir's type (same device and sub). */
static bool kind_lists(mlx5_tree *tree, unsigned c, const struct node *dir, unsigned kind)
{
        const struct mlx5_tree_kind *k = tree_kind(tree, c);
        struct node d = { .kind = c, .dev = dir->dev, .sub = dir->sub };

        return k->listed_type && k->listed_kind == kind &&
               k->listed_type(tree, (const struct mlx5_tree_node *) &d) == (int) dir->sub;
}

/*
 * Whether the listing leased under the directory dir names files of kind
 * (same device and sub): a type's listing names the children of every
 * directory listing that type (qp, raw/qp, owner/qp, json/qp).
 */
static bool listing_names_kind(mlx5_tree *tree, const struct node *dir, unsigned kind)
{
        const struct mlx5_tree_kind *k = tree_kind(tree, dir->kind);
        uint16_t lister = tree->listers[kind];

        if (k->listing)
                return kind == k->listed_kind;
        if (!S_ISREG(tree_kind(tree, kind)->mode) || !lister)
                return false;
        /* Mostly one kind of directory lists a kind of file: that one is asked alone. */
        if (lister != TREE_LISTERS_SEVERAL)
                return kind_lists(tree, lister - 1u, dir, kind);
        for (unsigned c = 0; c < tree->kinds->len; c++)
                if (kind_lists(tree, c, dir, kind))
                        return true;
        return false;
}

/* Adds the inodes of the files a listing leased under the directory dir_ino names. */
static void listed_files(mlx5_tree *tree, uint64_t dir_ino, const mlx5_snapshot *listing, GArray *inos)
{
        struct node dir;

        if (!node_from_ino(tree, dir_ino, &dir))
                return;
        for (unsigned c = 0; c < tree->kinds->len; c++)
                if (listing_names_kind(tree, &dir, c))
                        add_listed(listing, c, &dir, inos);
}

/*
 * Whether dropping the listing leased under dir_ino makes the kernel
 * forget n (forget_listed): n is one of the files it names.
 */
static bool forgotten_with(mlx5_tree *tree, uint64_t dir_ino, const struct node *n)
{
        struct node dir;

        return node_from_ino(tree, dir_ino, &dir) && dir.dev == n->dev && dir.sub == n->sub &&
               listing_names_kind(tree, &dir, n->kind);
}

/*
 * The kernel forgets what it cached of inos and of the files of listings
 * (leased under listing_keys, no longer; they are let go here): never
 * under a lock, as the kernel may wait for requests that take it.
 */
static void forget_listed(mlx5_tree *tree, GArray *listing_keys, GPtrArray *listings, GArray *inos)
{
        /* Their files are named outside open_lock: kinds may look at the device. */
        for (guint i = 0; i < listings->len; i++)
                listed_files(tree, g_array_index(listing_keys, uint64_t, i), listings->pdata[i], inos);
        /*
         * No longer counted in the cache, they go before the kernel is told:
         * a notification a file, seconds for a listing of 100k.
         */
        g_ptr_array_set_size(listings, 0);
        tree_invalidate(tree, (const uint64_t *) (const void *) inos->data, inos->len);
}

void tree_invalidate(mlx5_tree *tree, const uint64_t *inos, guint n)
{
        mlx5_tree_inval_fn fn;
        void *data;

        g_rw_lock_reader_lock(&tree->lock);
        fn = tree->inval_fn;
        data = tree->inval_data;
        g_rw_lock_reader_unlock(&tree->lock);
        for (guint i = 0; fn && i < n; i++)
                fn(inos[i], data);
}

/*
 * The device of a slot went away or was replaced: what was leased of it
 * goes, and the kernel forgets what it cached of those files and of the
 * open ones (so their reads reach read(), and say ENODEV once it is gone).
 */
struct device_leases {
        mlx5_tree *tree;
        uint32_t slot;
        GArray *inos;
        GArray *listing_keys;
        GPtrArray *listings;
};

/* Whether a lease is of the slot's device: its file or listing noted to be forgotten. */
static bool lease_of_device(void *value, void *user_data)
{
        struct device_leases *d = user_data;
        struct lease *l = value;
        struct node n;

        if (!node_from_ino(d->tree, l->key, &n) || tree_kind(d->tree, n.kind)->global || n.dev != d->slot)
                return false;
        if (l->listing) {
                /* Its files are named outside the lock: kinds may look at the device. */
                g_array_append_val(d->listing_keys, l->key);
                g_ptr_array_add(d->listings, mlx5_snapshot_ref(l->snap));
        } else {
                g_array_append_val(d->inos, l->key);
        }
        d->tree->file_leases -= !l->listing;
        return true;
}

static void forget_device_files(mlx5_tree *tree, uint32_t slot, guint n_aliases)
{
        g_autoptr(GArray) inos = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        g_autoptr(GArray) listing_keys = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        g_autoptr(GPtrArray) listings = g_ptr_array_new_with_free_func((GDestroyNotify) mlx5_snapshot_unref);
        struct device_leases d = { tree, slot, inos, listing_keys, listings };
        uint64_t key;
        size_t pos = 0;

        g_mutex_lock(&tree->open_lock);
        tree_ino_table_remove_if(&tree->leases, lease_of_device, &d, lease_free);
        while (tree_ino_table_next(&tree->open_files, &pos, &key, NULL)) {
                struct node n;

                if (node_from_ino(tree, key, &n) && !tree_kind(tree, n.kind)->global && n.dev == slot)
                        g_array_append_val(inos, key);
        }
        g_mutex_unlock(&tree->open_lock);
        /*
         * Its by-name links: the kernel caches link targets (FUSE_CAP_CACHE_SYMLINKS),
         * and an alias's inode names a slot, which another device may take later.
         */
        for (guint i = 0; i < n_aliases; i++) {
                uint64_t alias = node_to_ino(&(struct node) { .kind = NODE_ALIAS, .dev = slot, .id = i });

                g_array_append_val(inos, alias);
        }
        forget_listed(tree, listing_keys, listings, inos);
        tree_dir_cache_forget_device(tree, slot);
}

int mlx5_tree_replace_device(mlx5_tree *tree, mlx5_device *dev, const char *sysfs_root)
{
        struct tree_device *td = tree_device_new(tree, dev, sysfs_root), *old = NULL;
        int slot;

        g_rw_lock_writer_lock(&tree->lock);
        slot = find_device_locked(tree, NULL, dev->pci_name);
        if (slot >= 0) {
                old = tree->devices->pdata[slot];
                td->slot = (uint32_t) slot;
                tree->devices->pdata[slot] = td;
        }
        g_rw_lock_writer_unlock(&tree->lock);
        if (!old) {
                td->dev = NULL;
                tree_device_unref(td);
                return -ENOENT;
        }
        /* Same function, other transport: what it offers may differ, so nothing cached carries over. */
        mlx5_cache_drop_device(tree->cache, td->slot);
        tree_streams_forget_device(tree, td->slot);
        forget_device_files(tree, td->slot, old->aliases->len);
        tree_device_unref(old);
        return 0;
}

bool mlx5_tree_find_device(mlx5_tree *tree, const char *node, const char *pci_name,
                           struct mlx5_transport_identity *ret_id)
{
        int slot;

        g_rw_lock_reader_lock(&tree->lock);
        slot = find_device_locked(tree, node, pci_name);
        if (slot >= 0 && ret_id)
                *ret_id = ((struct tree_device *) tree->devices->pdata[slot])->dev->transport->id;
        g_rw_lock_reader_unlock(&tree->lock);
        return slot >= 0;
}

int mlx5_tree_remove_device(mlx5_tree *tree, const char *pci_name)
{
        struct tree_device *td = NULL;
        int slot;

        g_rw_lock_writer_lock(&tree->lock);
        slot = find_device_locked(tree, NULL, pci_name);
        if (slot >= 0) {
                td = tree->devices->pdata[slot];
                tree->devices->pdata[slot] = NULL;
                slot_mark(tree, (uint32_t) slot, false);
        }
        g_rw_lock_writer_unlock(&tree->lock);
        if (!td)
                return -ENOENT;
        mlx5_cache_drop_device(tree->cache, td->slot);
        tree_streams_forget_device(tree, td->slot);
        forget_device_files(tree, td->slot, td->aliases->len);
        td->frees_slot = true;
        tree_device_unref(td);
        return 0;
}

void mlx5_tree_set_gone_handler(mlx5_tree *tree, mlx5_tree_gone_fn fn, void *user_data)
{
        g_rw_lock_writer_lock(&tree->lock);
        tree->gone_fn = fn;
        tree->gone_data = user_data;
        g_rw_lock_writer_unlock(&tree->lock);
}

void tree_device_report_gone(mlx5_tree *tree, struct tree_device *td)
{
        if (!g_atomic_int_compare_and_exchange(&td->gone_reported, 0, 1))
                return;
        g_rw_lock_reader_lock(&tree->lock);
        if (tree->gone_fn)
                tree->gone_fn(&td->dev->transport->id, tree->gone_data);
        g_rw_lock_reader_unlock(&tree->lock);
}

/* ---- names ---- */

/* Every listed name and link target has one: no printf per entry. */
size_t tree_format_id(char buf[TREE_ID_NAME_MAX], uint32_t id)
{
        static const char digits[] = "0123456789abcdef";
        size_t len = 3;

        for (uint32_t rest = id >> 4; rest; rest >>= 4)
                len++;
        buf[0] = '0';
        buf[1] = 'x';
        buf[len] = '\0';
        for (size_t at = len; at > 2; id >>= 4)
                buf[--at] = digits[id & 0xf];
        return len;
}

void tree_append_id(GString *out, uint32_t id)
{
        char name[TREE_ID_NAME_MAX];

        mlx5_text_append_len(out, name, tree_format_id(name, id));
}

bool tree_parse_object_name(const char *name, uint32_t *ret_id)
{
        uint64_t v = 0;
        const char *p;

        /* One name per object, no aliases: "0x" and lower-case hex without leading zeros. */
        if (name[0] != '0' || name[1] != 'x' || name[2] == '\0')
                return false;
        if (name[2] == '0' && name[3] != '\0')
                return false;
        for (p = name + 2; *p; p++) {
                int digit = g_ascii_xdigit_value(*p);

                if (digit < 0 || g_ascii_isupper(*p) || p - name > 2 + 8)
                        return false;
                v = v << 4 | (unsigned) digit;
        }
        if (v > UINT32_MAX)
                return false;
        *ret_id = (uint32_t) v;
        return true;
}

/* ---- attributes ---- */

static void set_times(struct stat *st, int64_t realtime_us)
{
        st->st_mtim.tv_sec = st->st_ctim.tv_sec = st->st_atim.tv_sec = realtime_us / G_USEC_PER_SEC;
        st->st_mtim.tv_nsec = st->st_ctim.tv_nsec = st->st_atim.tv_nsec = (realtime_us % G_USEC_PER_SEC) * 1000;
}

/* What every node's attributes share. */
static void fill_stat(mlx5_tree *tree, uint64_t ino, mode_t mode, nlink_t nlink, int64_t realtime_us,
                      struct stat *st)
{
        memset(st, 0, sizeof(*st));
        st->st_ino = ino;
        st->st_mode = mode;
        st->st_nlink = nlink;
        st->st_uid = tree->uid;
        st->st_gid = tree->gid;
        st->st_blksize = 4096;
        set_times(st, realtime_us);
}

static bool kind_is_dir(mlx5_tree *tree, unsigned kind)
{
        return S_ISDIR(tree_kind(tree, kind)->mode);
}

/* A file of size bytes, of a snapshot taken at realtime_us. */
static void fill_measured_stat(mlx5_tree *tree, uint64_t ino, const struct mlx5_tree_kind *k, int64_t realtime_us,
                               uint64_t size, struct stat *st)
{
        /* Times stable while the snapshot lives: tar compares them across reads. */
        fill_stat(tree, ino, k->mode, 1, realtime_us, st);
        st->st_size = (off_t) size;
        st->st_blocks = (st->st_size + 511) / 512;
}

static void fill_file_stat(mlx5_tree *tree, uint64_t ino, const struct mlx5_tree_kind *k, const mlx5_snapshot *snap,
                           struct stat *st)
{
        fill_measured_stat(tree, ino, k, snap->taken_realtime_us,
                           k->raw ? (snap->raw ? g_bytes_get_size(snap->raw) : 0) : snap->text_len, st);
}

/* Where a type directory's listing is pinned while a directory listing it is open. */
static uint64_t listing_pin_key(uint32_t dev, uint32_t res_index)
{
        return node_to_ino(&(struct node) { .kind = NODE_TYPE_DIR, .dev = dev, .sub = res_index });
}

int tree_listing(mlx5_tree *tree, uint32_t dev, uint32_t res_index, mlx5_snapshot **ret_snap)
{
        uint64_t dir_ino = listing_pin_key(dev, res_index);
        mlx5_snapshot *listing = shown_listing(tree, dir_ino);
        int r;

        if (!listing) {
                r = tree_get_content(tree, CONTENT_LISTING, dev, res_index, 0, &listing);
                if (r < 0)
                        return r;
        }
        use_listing(tree, dir_ino, listing, listing->taken_monotonic_us, -1);
        *ret_snap = listing;
        return 0;
}

void tree_listing_promised(mlx5_tree *tree, uint32_t dev, uint32_t res, mlx5_snapshot *listing)
{
        lease_grant(tree, listing_pin_key(dev, res), listing, listing_valid_us(tree, listing), LISTING_LEASE_GRACE_US,
                    true);
}

/*
 * An object of a type's listing still under way, once resolved: its
 * attributes are promised for the listing's life (leased when it is done),
 * as a whole listing's are.
 */
static int streamed_snapshot(mlx5_tree *tree, const struct mlx5_cache_key *key, uint32_t id, mlx5_snapshot **ret_snap)
{
        g_autoptr(mlx5_snapshot) listing = NULL;
        int r;

        if (key->kind != CONTENT_LISTING)
                return -ENOENT;
        r = tree_stream_object(tree, key->device, key->sub, id, ret_snap, &listing);
        if (r < 0)
                return r;
        note_listing_use((*ret_snap)->taken_monotonic_us, (double) listing_valid_us(tree, listing) / G_USEC_PER_SEC);
        return 0;
}

/*
 * The listing dir shows (pinned, leased, or the cache's, a new reference)
 * and id's slot in it: -ESRCH when there is none (a listing may be under
 * way), -ENOENT when it does not name id.
 */
static int listed_slot(mlx5_tree *tree, uint64_t dir_ino, const struct mlx5_cache_key *key, uint32_t id,
                       mlx5_snapshot **ret_listing)
{
        g_autoptr(mlx5_snapshot) listing = shown_listing(tree, dir_ino);
        int slot;

        if (!listing && mlx5_cache_peek(tree->cache, key, &listing) < 0)
                return -ESRCH;
        slot = mlx5_listing_find(listing->listing, id);
        if (slot < 0)
                return -ENOENT;
        *ret_listing = g_steal_pointer(&listing);
        return slot;
}

/*
 * tree_listed_snapshot; text_only: for the object's text file, which reads
 * its kept text and no answer; else its answer and times, with no text
 * rendered (raw/, refs/ and json/ read the bytes; rendering there would
 * only fill the kept share with texts a walk reads much later).
 */
static int listed_snapshot_for(mlx5_tree *tree, const struct mlx5_tree_node *dir, const struct mlx5_cache_key *key,
                               uint32_t id, bool text_only, mlx5_snapshot **ret_snap)
{
        uint64_t dir_ino = node_to_ino((const struct node *) dir);
        g_autoptr(mlx5_snapshot) listing = NULL;
        mlx5_snapshot *snap;
        int slot;

        slot = listed_slot(tree, dir_ino, key, id, &listing);
        if (slot == -ESRCH)
                return streamed_snapshot(tree, key, id, ret_snap);
        if (slot < 0)
                return slot;
        if (listing->listing->blobs)
                snap = mlx5_listing_blob(listing, slot);
        else if (text_only)
                snap = mlx5_listing_object_text(listing, slot, tree_object_render, tree_object_measure,
                                                (gpointer) mlx5_schema_resource_at(tree->schema, key->sub));
        else
                snap = mlx5_listing_object(listing, slot, NULL, NULL, NULL);
        if (!snap)
                return -ENOENT;
        use_listing(tree, dir_ino, listing, snap->taken_monotonic_us, id == listing_use.opening_id ? slot : -1);
        *ret_snap = snap;
        return 0;
}

int tree_listed_snapshot(mlx5_tree *tree, const struct mlx5_tree_node *dir, const struct mlx5_cache_key *key,
                         uint32_t id, mlx5_snapshot **ret_snap)
{
        return listed_snapshot_for(tree, dir, key, id, false, ret_snap);
}

/*
 * What mlx5_listing_blob's or mlx5_listing_object's snapshot of slot would
 * measure, from the listing alone; false when only making it can tell (its
 * query failed, or, for its text, the text was never rendered nor
 * measured: making it does, and keeps the text when there is room).
 */
static bool listed_size(const struct mlx5_listing *l, int slot, bool raw, uint64_t *ret_size)
{
        size_t begin;
        gint len;

        if (l->blobs) {
                begin = slot ? l->blob_end[slot - 1] : 0;
                *ret_size = raw ? l->blob_end[slot] - begin : 0;
                return true;
        }
        if (!l->has_raw[slot])
                return false;
        if (raw) {
                *ret_size = l->packed ? l->outlen : 0;
                return true;
        }
        len = g_atomic_int_get(&l->text_len[slot]);
        if (len <= 0)
                return false;
        *ret_size = (uint64_t) len;
        return true;
}

int tree_listed_measure(mlx5_tree *tree, const struct mlx5_tree_node *dir, const struct mlx5_cache_key *key,
                        uint32_t id, bool raw, struct mlx5_tree_measure *ret)
{
        uint64_t dir_ino = node_to_ino((const struct node *) dir);
        g_autoptr(mlx5_snapshot) listing = NULL;
        int slot;

        slot = listed_slot(tree, dir_ino, key, id, &listing);
        if (slot < 0 || !listed_size(listing->listing, slot, raw, &ret->size))
                return -EAGAIN;
        ret->taken_realtime_us = listing->taken_realtime_us;
        ret->taken_monotonic_us = listing->taken_monotonic_us;
        use_listing(tree, dir_ino, listing, listing->taken_monotonic_us, id == listing_use.opening_id ? slot : -1);
        return 0;
}

/*
 * An object as of the listing its directory shows (pinned by an open
 * directory, leased, or still fresh): so everything listed stays readable,
 * as it was, while the listing lives.  Otherwise, or when the listing does
 * not have it, the object's own query.
 */
static int object_snapshot_for(mlx5_tree *tree, uint32_t dev, uint32_t res_index, uint32_t id, bool text_only,
                               mlx5_snapshot **ret_snap)
{
        struct mlx5_cache_key key = { .device = dev, .kind = CONTENT_LISTING, .sub = res_index };
        struct mlx5_tree_node dir = { .kind = NODE_TYPE_DIR, .dev = dev, .sub = res_index };

        if (listed_snapshot_for(tree, &dir, &key, id, text_only, ret_snap) == 0)
                return 0;
        return tree_get_content(tree, CONTENT_OBJECT, dev, res_index, id, ret_snap);
}

int tree_object_snapshot(mlx5_tree *tree, uint32_t dev, uint32_t res_index, uint32_t id, mlx5_snapshot **ret_snap)
{
        return object_snapshot_for(tree, dev, res_index, id, false, ret_snap);
}

int tree_object_text_snapshot(mlx5_tree *tree, uint32_t dev, uint32_t res_index, uint32_t id,
                              mlx5_snapshot **ret_snap)
{
        return object_snapshot_for(tree, dev, res_index, id, true, ret_snap);
}

/* Starts a content call for file n on this thread (see struct listing_use). */
static void content_call_begin(const struct node *n, bool for_open)
{
        listing_use.used = false;
        listing_use.opening = for_open;
        listing_use.opening_kind = n->kind;
        listing_use.opening_id = n->id;
        listing_use.answering = true;
}

static void content_call_end(void)
{
        listing_use.answering = false;
        listing_use.opening = false;
}

/*
 * Whether what the content call just made (taken at taken_monotonic_us) is
 * the first listing's it used: then that listing's lease is what the
 * attributes may be kept for (ret_valid_s), and the file's own is dropped.
 */
static bool listing_promise(mlx5_tree *tree, const struct node *n, uint64_t ino, int64_t taken_monotonic_us,
                            double *ret_valid_s)
{
        if (!listing_use.used || listing_use.taken_monotonic_us != taken_monotonic_us)
                return false;
        /* What the listing lease promises; a lease of the file's own would only contradict it. */
        *ret_valid_s = listing_use.valid_s;
        /*
         * Unless the listing may go for memory without the kernel being
         * told to forget this file (a view of it: <type>.jsonl, a
         * summary): then no longer than it stays in use without a request.
         */
        if (!forgotten_with(tree, listing_use.first_key, n))
                *ret_valid_s = MIN(*ret_valid_s, (double) UNFORGOTTEN_PROMISE_US / G_USEC_PER_SEC);
        lease_drop(tree, ino);
        return true;
}

/*
 * The snapshot a file shows: the one its open handles pinned, else (for an
 * open) the one its own lease promised the kernel, else its content as a
 * listing lease or the cache has it.  ret_valid_s: how long the kernel may
 * keep its attributes (a stat leases them); ret_promised: whether the
 * kernel's attributes, while still valid, can only describe this snapshot
 * (so its cached pages are of it).
 */
static int file_snapshot(mlx5_tree *tree, const struct node *n, uint64_t ino, bool for_open,
                         mlx5_snapshot **ret_snap, double *ret_valid_s, bool *ret_promised)
{
        const struct mlx5_tree_kind *k = tree_kind(tree, n->kind);
        mlx5_snapshot *snap;
        int r;

        *ret_valid_s = 0.0;
        *ret_promised = true;
        /* While pinned, not cached: other opens may see another snapshot once its handles close. */
        snap = shown_snapshot(tree, ino, for_open && !k->global);
        if (snap) {
                *ret_snap = snap;
                return 0;
        }
        content_call_begin(n, for_open);
        /* A global file is made for its caller, and then shown to it for a while (caller-views.c). */
        if (k->global)
                r = tree_caller_view(tree, (const struct mlx5_tree_node *) n, k->content, &snap);
        else
                r = k->content(tree, (const struct mlx5_tree_node *) n, &snap);
        content_call_end();
        if (r < 0)
                return r;
        if (listing_promise(tree, n, ino, snap->taken_monotonic_us, ret_valid_s))
                ;
        else if (for_open || k->global)
                *ret_promised = false;
        else
                *ret_valid_s = lease_grant(tree, ino, snap, FILE_LEASE_US, FILE_LEASE_GRACE_US, false);
        *ret_snap = snap;
        return 0;
}

/*
 * A file's attributes for a stat: of the snapshot its open handles pin,
 * else as its kind measures them from what is kept (a READDIRPLUS of 100k
 * listed files makes no snapshot), else of the snapshot file_snapshot
 * makes.  The same size, times and lease either way: an open's keep_cache
 * trusts them to describe the snapshot it gets.
 */
static int file_stat(mlx5_tree *tree, const struct node *n, uint64_t ino, struct stat *ret_st, double *ret_valid_s)
{
        const struct mlx5_tree_kind *k = tree_kind(tree, n->kind);
        g_autoptr(mlx5_snapshot) snap = pinned_snapshot(tree, ino);
        struct mlx5_tree_measure m;
        bool promised;
        int r;

        *ret_valid_s = 0.0;
        if (!snap && k->measure && !k->global) {
                content_call_begin(n, false);
                r = k->measure(tree, (const struct mlx5_tree_node *) n, k->raw, &m);
                content_call_end();
                if (r == 0 && listing_promise(tree, n, ino, m.taken_monotonic_us, ret_valid_s)) {
                        fill_measured_stat(tree, ino, k, m.taken_realtime_us, m.size, ret_st);
                        return 0;
                }
        }
        if (!snap) {
                r = file_snapshot(tree, n, ino, false, &snap, ret_valid_s, &promised);
                if (r < 0)
                        return r;
        }
        fill_file_stat(tree, ino, k, snap, ret_st);
        return 0;
}

static struct node parent_of(mlx5_tree *tree, const struct node *n)
{
        const struct mlx5_tree_kind *k = tree_kind(tree, n->kind);
        struct node p = { .kind = k->parent, .dev = n->dev };

        if (n->kind == NODE_ROOT)
                return *n;
        switch (k->parent_of) {
        case MLX5_TREE_PARENT_DEVICE:
                break;
        case MLX5_TREE_PARENT_SUB:
                p.sub = n->sub;
                break;
        case MLX5_TREE_PARENT_SUB_ID:
                p.sub = n->sub;
                p.id = n->id;
                break;
        case MLX5_TREE_PARENT_SUB_FROM_ID:
                p.sub = n->id;
                break;
        }
        if (tree_kind(tree, p.kind)->global)
                p.dev = 0;
        return p;
}

/* The resource whose listing names the directory's children, or -ENOENT. */
static int listed_type(mlx5_tree *tree, const struct node *self)
{
        const struct mlx5_tree_kind *k = tree_kind(tree, self->kind);

        return k->listed_type ? k->listed_type(tree, (const struct mlx5_tree_node *) self) : -ENOENT;
}

/*
 * How long the kernel may keep a directory's name and attributes.  Its
 * attributes never change; what may is whether it is there.  A directory a
 * type's listing names (refs/<type>/<id>) is there for as long as that
 * listing is shown: its lease (read by number, not listed, it is there
 * while firmware answers: the TTL).  Every other one is there for as long
 * as its device is (by-name's always): the device's removal,
 * or another way to it taking over, makes the kernel forget the device's
 * directory and everything below it (devices.c), so they are kept for
 * FIXED_DIR_VALID_US, and a walk never asks for them again.
 */
#define FIXED_DIR_VALID_US (3600 * (int64_t) G_USEC_PER_SEC)

/*
 * The listing that names the directory n (refs/<type>/<id>), where it is
 * leased and n's slot in it: 1; 0 when no listing names n's kind (a fixed
 * directory); -ENOENT when none lists n (read by number).
 */
static int dir_listing(mlx5_tree *tree, const struct node *n, uint64_t *ret_dir_ino, mlx5_snapshot **ret_listing,
                       int *ret_slot)
{
        struct node parent = parent_of(tree, n);
        const struct mlx5_tree_kind *pk = tree_kind(tree, parent.kind);
        struct mlx5_cache_key key = { .device = n->dev, .kind = CONTENT_LISTING };
        g_autoptr(mlx5_snapshot) listing = NULL;
        int res;

        if (n->kind == NODE_ROOT || (!pk->listed_type && !pk->listing) || pk->listed_kind != n->kind)
                return 0;
        /* Named by a listing of the directory's own: none is a directory yet. */
        res = listed_type(tree, &parent);
        if (res < 0)
                return -ENOENT;
        key.sub = (uint32_t) res;
        *ret_dir_ino = listing_pin_key(n->dev, key.sub);
        listing = shown_listing(tree, *ret_dir_ino);
        if (!listing && mlx5_cache_peek(tree->cache, &key, &listing) < 0)
                return -ENOENT;
        *ret_slot = mlx5_listing_find(listing->listing, n->id);
        if (*ret_slot < 0)
                return -ENOENT;
        *ret_listing = g_steal_pointer(&listing);
        return 1;
}

static double dir_valid_s(mlx5_tree *tree, const struct node *n)
{
        const double ttl_s = (double) tree->options.ttl_us / G_USEC_PER_SEC;
        g_autoptr(mlx5_snapshot) listing = NULL;
        uint64_t dir_ino;
        int slot, r;

        /* The root is the mount point: a stat of it must reach the daemon, so a dead one shows (ENOTCONN). */
        if (n->kind == NODE_ROOT)
                return ttl_s;
        r = dir_listing(tree, n, &dir_ino, &listing, &slot);
        if (r == 0)
                return (double) FIXED_DIR_VALID_US / G_USEC_PER_SEC;
        return r > 0 ? grant_listing(tree, dir_ino, listing) : ttl_s;
}

/*
 * A walk moved into a directory a listing names (refs/<type>/<id>): its
 * first open renews the device's listings as a listed file's does, so a
 * walk of refs/ keeps them alive, and the leases its references get last
 * as long as those of the files before them.
 */
static void walk_into_listed_dir(mlx5_tree *tree, const struct node *n)
{
        g_autoptr(mlx5_snapshot) listing = NULL;
        uint64_t dir_ino;
        int slot;

        if (dir_listing(tree, n, &dir_ino, &listing, &slot) > 0 && mlx5_listing_first_open(listing, n->kind, slot))
                renew_listing(tree, dir_ino, listing, g_get_monotonic_time());
}

/*
 * How long the kernel may keep a link's name and attributes: its target is
 * a function of its inode, so only whether the name is there may change.
 * A reference (lasts_with_parent) is there for as long as the object
 * holding it says so: its directory's lease, when the name is looked up or
 * listed in it (parent); the TTL otherwise, as for an alias.
 */
static double link_valid_s(mlx5_tree *tree, const struct mlx5_tree_kind *k, const struct node *parent)
{
        if (k->lasts_with_parent && parent)
                return dir_valid_s(tree, parent);
        return (double) tree->options.ttl_us / G_USEC_PER_SEC;
}

/* Attributes, and their lease; parent: the directory n was named in, or NULL (a GETATTR). */
static int node_stat(mlx5_tree *tree, const struct node *n, const struct node *parent, struct stat *ret_st,
                     double *ret_valid_s)
{
        const struct mlx5_tree_kind *k = tree_kind(tree, n->kind);
        g_autoptr(mlx5_snapshot) snap = NULL;
        uint64_t ino = node_to_ino(n);

        *ret_valid_s = 0.0;

        if (!k->global && !slot_present(tree, n->dev)) {
                /* An open file of a removed device: as its read() says, the device is gone. */
                snap = pinned_snapshot(tree, ino);
                return snap ? -ENODEV : -ENOENT;
        }
        if (S_ISLNK(k->mode)) {
                g_autofree char *target = k->link(tree, (const struct mlx5_tree_node *) n);

                if (!target)
                        return -ENOENT;
                fill_stat(tree, ino, k->mode, 1, tree->created_us, ret_st);
                ret_st->st_size = (off_t) strlen(target);
                *ret_valid_s = link_valid_s(tree, k, parent);
                return 0;
        }
        if (S_ISDIR(k->mode)) {
                fill_stat(tree, ino, k->mode, 2, tree->created_us, ret_st);
                *ret_valid_s = dir_valid_s(tree, n);
                return 0;
        }
        return file_stat(tree, n, ino, ret_st, ret_valid_s);
}

int mlx5_tree_getattr(mlx5_tree *tree, uint64_t ino, struct stat *ret_st, double *ret_valid_s)
{
        struct node n;

        if (!node_from_ino(tree, ino, &n))
                return -ENOENT;
        return node_stat(tree, &n, NULL, ret_st, ret_valid_s);
}

/* ---- directory contents ---- */

struct dir_entry {
        char *name;
        struct node node;
};

struct mlx5_tree_entries {
        GArray *entries;        /* struct dir_entry */
};

static void dir_entry_clear(gpointer p)
{
        g_free(((struct dir_entry *) p)->name);
}

static GArray *entries_new(void)
{
        GArray *entries = g_array_new(FALSE, FALSE, sizeof(struct dir_entry));

        g_array_set_clear_func(entries, dir_entry_clear);
        return entries;
}

void mlx5_tree_entries_add(mlx5_tree_entries *entries, const char *name, struct mlx5_tree_node node)
{
        struct dir_entry e = { .name = g_strdup(name) };

        memcpy(&e.node, &node, sizeof(e.node));
        g_array_append_val(entries->entries, e);
}

/* The listing of a directory that has one of its own (not a type's), as it shows it. */
static int own_listing(mlx5_tree *tree, const struct node *dir, mlx5_snapshot **ret_listing)
{
        uint64_t dir_ino = node_to_ino(dir);
        mlx5_snapshot *listing = shown_listing(tree, dir_ino);
        int r;

        if (!listing) {
                r = tree_kind(tree, dir->kind)->listing(tree, (const struct mlx5_tree_node *) dir, &listing);
                if (r < 0)
                        return r;
        }
        use_listing(tree, dir_ino, listing, listing->taken_monotonic_us, -1);
        *ret_listing = listing;
        return 0;
}

/*
 * The named children of a directory: the named kinds under its kind, then
 * what its enumerator adds.  readdir shows them and lookup searches them,
 * so the two can never disagree.
 */
static int fixed_children(mlx5_tree *tree, const struct node *self, GArray *entries)
{
        const struct mlx5_tree_kind *k = tree_kind(tree, self->kind);
        mlx5_tree_entries out = { entries };

        if (!k->global && !slot_present(tree, self->dev))
                return -ENOENT;
        for (unsigned c1 = tree->named_first[self->kind]; c1; c1 = tree->named_next[c1 - 1]) {
                const unsigned c = c1 - 1;
                const struct mlx5_tree_kind *child = tree_kind(tree, c);
                struct node n = { .kind = c, .dev = self->dev, .sub = self->sub, .id = self->id };

                if (child->shown && !child->shown(tree, (const struct mlx5_tree_node *) &n))
                        continue;
                mlx5_tree_entries_add(&out, child->name, *(struct mlx5_tree_node *) &n);
        }
        return k->children ? k->children(tree, (const struct mlx5_tree_node *) self, &out) : 0;
}

/*
 * Whether a type's listing has object id (1 or 0): the listing shown, else
 * the one under way as soon as id's candidate is resolved, else the whole.
 */
static int type_lists(mlx5_tree *tree, uint32_t dev, uint32_t res, uint32_t id)
{
        g_autoptr(mlx5_snapshot) shown = shown_listing(tree, listing_pin_key(dev, res));
        g_autoptr(mlx5_snapshot) listing = NULL;
        int r;

        if (!shown) {
                r = tree_stream_lookup(tree, dev, res, id);
                if (r != -ESRCH)
                        return r;
        }
        r = tree_listing(tree, dev, res, &listing);
        if (r < 0)
                return r;
        return mlx5_listing_find(listing->listing, id) >= 0;
}

static int lookup_child(mlx5_tree *tree, const struct node *parent, const char *name, struct node *child)
{
        const struct mlx5_tree_kind *k = tree_kind(tree, parent->kind);
        g_autoptr(GArray) entries = NULL;
        uint32_t id;
        int r;

        if (!S_ISDIR(k->mode))
                return -ENOTDIR;
        if ((k->listed_type || k->listing) && tree_parse_object_name(name, &id)) {
                *child = (struct node) { .kind = k->listed_kind, .dev = parent->dev, .sub = parent->sub, .id = id };
                /* A file answers for itself; a directory of an object's views (refs/qp/<id>) is there while it is. */
                if (k->any_id && S_ISDIR(tree_kind(tree, k->listed_kind)->mode)) {
                        g_autoptr(mlx5_snapshot) snap = NULL;

                        r = tree_object_snapshot(tree, parent->dev, parent->sub, id, &snap);
                        return r < 0 ? r : 0;
                }
                if (k->any_id)
                        return 0;
                /* Only what the listing has. */
                if (k->listing) {
                        g_autoptr(mlx5_snapshot) listing = NULL;

                        r = own_listing(tree, parent, &listing);
                        if (r < 0)
                                return r;
                        return mlx5_listing_find(listing->listing, id) >= 0 ? 0 : -ENOENT;
                }
                r = listed_type(tree, parent);
                if (r >= 0)
                        r = type_lists(tree, parent->dev, (uint32_t) r, id);
                return r < 0 ? r : r ? 0 : -ENOENT;
        }
        entries = entries_new();
        r = fixed_children(tree, parent, entries);
        if (r < 0)
                return r;
        for (unsigned i = 0; i < entries->len; i++) {
                const struct dir_entry *e = &g_array_index(entries, struct dir_entry, i);

                if (strcmp(e->name, name) == 0) {
                        *child = e->node;
                        return 0;
                }
        }
        return -ENOENT;
}

/*
 * The names in the directories a dropped listing names (refs/<type>/<id>/)
 * last as long as its lease (lasts_with_parent), which is gone early: the
 * kernel forgets the directory that lists them (refs/<type>), and so every
 * name below it.  One name a listing, however many objects it has.
 */
static void forget_listed_dirs(mlx5_tree *tree, uint64_t dir_ino)
{
        g_autoptr(GArray) entries = NULL;
        mlx5_tree_forget_name_fn fn;
        struct node dir;
        void *data;

        g_rw_lock_reader_lock(&tree->lock);
        fn = tree->forget_name_fn;
        data = tree->inval_data;
        g_rw_lock_reader_unlock(&tree->lock);
        /* A directory's own listing (a dump segment's) names its files only. */
        if (!fn || !node_from_ino(tree, dir_ino, &dir) || tree_kind(tree, dir.kind)->listing)
                return;
        for (unsigned c = 0; c < tree->kinds->len; c++) {
                const struct mlx5_tree_kind *k = tree_kind(tree, c);
                struct node lister = { .kind = c, .dev = dir.dev, .sub = dir.sub };
                struct node parent;
                uint64_t ino = node_to_ino(&lister);

                if (!k->listed_type || !S_ISDIR(tree_kind(tree, k->listed_kind)->mode) ||
                    !kind_lists(tree, c, &dir, k->listed_kind))
                        continue;
                /* Its name, where its parent shows it (refs/ shows the types that have references). */
                parent = parent_of(tree, &lister);
                g_clear_pointer(&entries, g_array_unref);
                entries = entries_new();
                if (fixed_children(tree, &parent, entries) < 0)
                        continue;
                for (guint i = 0; i < entries->len; i++) {
                        const struct dir_entry *e = &g_array_index(entries, struct dir_entry, i);

                        if (node_to_ino(&e->node) != ino)
                                continue;
                        fn(node_to_ino(&parent), e->name, data);
                        __atomic_fetch_add(&tree->listing_names_forgotten, 1, __ATOMIC_RELAXED);
                        break;
                }
        }
}

/* Listings dropped for memory: the kernel forgets their files, and the names they lease. */
static void forget_dropped(mlx5_tree *tree, GArray *listing_keys, GPtrArray *listings)
{
        g_autoptr(GArray) inos = g_array_new(FALSE, FALSE, sizeof(uint64_t));

        forget_listed(tree, listing_keys, listings, inos);
        for (guint i = 0; i < listing_keys->len; i++)
                forget_listed_dirs(tree, g_array_index(listing_keys, uint64_t, i));
}

int mlx5_tree_lookup(mlx5_tree *tree, uint64_t parent, const char *name, struct stat *ret_st, double *ret_valid_s)
{
        struct node p, child;
        int r;

        if (!node_from_ino(tree, parent, &p))
                return -ENOENT;
        /* The kernel passes names up to 1024 bytes; none of ours is longer than NAME_MAX. */
        if (strlen(name) > NAME_MAX)
                return -ENAMETOOLONG;
        r = lookup_child(tree, &p, name, &child);
        if (r < 0)
                return r;
        return node_stat(tree, &child, &p, ret_st, ret_valid_s);
}

/* ---- files ---- */

/* The snapshot is still here, but the device it describes is not. */
static bool node_device_gone(mlx5_tree *tree, const struct node *n)
{
        return !tree_kind(tree, n->kind)->global && !slot_present(tree, n->dev);
}

static bool file_device_gone(mlx5_tree *tree, uint64_t ino)
{
        struct node n;

        node_from_ino(tree, ino, &n);
        return node_device_gone(tree, &n);
}

int mlx5_tree_open(mlx5_tree *tree, uint64_t ino, mlx5_tree_file **ret_file)
{
        g_autoptr(mlx5_snapshot) snap = NULL;
        const struct mlx5_tree_kind *k;
        mlx5_tree_file *file;
        double valid_s;
        bool promised;
        struct node n;
        size_t charged;
        int r;

        if (!node_from_ino(tree, ino, &n))
                return -ENOENT;
        k = tree_kind(tree, n.kind);
        if (S_ISDIR(k->mode))
                return -EISDIR;
        if (!S_ISREG(k->mode))
                return -EINVAL;
        r = file_snapshot(tree, &n, ino, true, &snap, &valid_s, &promised);
        if (r < 0)
                return r;
        /* An object's text, rendered for this file alone, counts from open to release. */
        charged = !k->raw && !snap->text && !snap->slices ? snap->text_len : 0;
        r = tree_in_flight_charge_text(tree, charged);
        if (r < 0)
                return r;
        snap = pin_open(tree, ino, g_steal_pointer(&snap), &file);
        file->ino = ino;
        file->charged = charged;
        if (k->raw)
                file->content = snap->raw ? g_bytes_ref(snap->raw) : NULL;
        else if (snap->text)
                file->content = g_bytes_ref(snap->text);
        else if (snap->slices)
                file->slices = snap->slices;    /* rendered a read at a time, from the snapshot the file pins */
        else
                /* Only object snapshots keep no text: rendered at the first read (page cache may spare it). */
                file->render = mlx5_schema_resource_at(tree->schema, n.sub);
        /* A gone device's files must reach read(), which says so. */
        file->keep_cache = promised && !node_device_gone(tree, &n);
        file->snap = g_steal_pointer(&snap);
        *ret_file = file;
        return 0;
}

/* An object's text, rendered once per open file, at its first read; reads may race to it. */
static GBytes *file_content(mlx5_tree_file *file)
{
        GBytes *content = g_atomic_pointer_get(&file->content);

        if (content || !file->render)
                return content;
        content = tree_object_text(file->render, file->snap);
        if (!g_atomic_pointer_compare_and_exchange(&file->content, NULL, content)) {
                g_bytes_unref(content);
                content = g_atomic_pointer_get(&file->content);
        }
        return content;
}

/* The part of a text rendered in slices that one read asks for, in the thread's buffer (valid until its next read). */
static int read_slices(mlx5_tree_file *file, uint64_t off, size_t size, const char **ret_data, size_t *ret_len)
{
        static GPrivate scratch = G_PRIVATE_INIT(tree_scratch_free);
        GString *out;
        int r;

        if (off >= file->snap->text_len) {
                *ret_data = NULL;
                *ret_len = 0;
                return 0;
        }
        out = tree_scratch(&scratch);
        r = mlx5_snapshot_render_slices(file->snap, off, MIN(size, file->snap->text_len - (size_t) off), out);
        if (r < 0)
                return r;
        *ret_data = out->str;
        *ret_len = out->len;
        return 0;
}

int mlx5_tree_read(mlx5_tree *tree, mlx5_tree_file *file, uint64_t off, size_t size,
                   const char **ret_data, size_t *ret_len)
{
        GBytes *content;
        gsize len = 0;
        const char *data;

        if (file_device_gone(tree, file->ino))
                return -ENODEV;
        if (file->slices)
                return read_slices(file, off, size, ret_data, ret_len);
        content = file_content(file);
        data = content ? g_bytes_get_data(content, &len) : NULL;
        if (off >= len) {
                *ret_data = NULL;
                *ret_len = 0;
        } else {
                *ret_data = data + off;
                *ret_len = MIN(size, len - (size_t) off);
        }
        return 0;
}

int mlx5_tree_readlink(mlx5_tree *tree, uint64_t ino, char **ret_target)
{
        const struct mlx5_tree_kind *k;
        struct node n;
        char *target;

        if (!node_from_ino(tree, ino, &n))
                return -ENOENT;
        k = tree_kind(tree, n.kind);
        if (!S_ISLNK(k->mode))
                return -EINVAL;
        target = k->link(tree, (const struct mlx5_tree_node *) &n);
        if (!target)
                return -ENOENT;
        *ret_target = target;
        return 0;
}

int mlx5_tree_file_stat(mlx5_tree *tree, const mlx5_tree_file *file, struct stat *ret_st, double *ret_valid_s)
{
        struct node n;

        if (file_device_gone(tree, file->ino))
                return -ENODEV;
        node_from_ino(tree, file->ino, &n);
        fill_file_stat(tree, file->ino, tree_kind(tree, n.kind), file->snap, ret_st);
        *ret_valid_s = 0.0;     /* pinned: other opens may see another snapshot once this one closes */
        return 0;
}

void mlx5_tree_file_free(mlx5_tree *tree, mlx5_tree_file *file)
{
        if (!file)
                return;
        if (file->charged)
                mlx5_cache_uncharge(tree->cache, file->charged);
        g_bytes_unref(file->content);
        mlx5_snapshot_unref(file->snap);
        unpin_open(tree, file->ino, file);
}

/* ---- directories ---- */

struct mlx5_tree_dir {
        mlx5_tree *tree;
        struct node self;
        struct node parent;
        GArray *entries;        /* struct dir_entry: named children */
        mlx5_snapshot *listing; /* listed children, by number */
        int listed_res;         /* whose listing is pinned, or -1 */
        tree_stream *stream;    /* or the listing under way: its candidates, by index */
        struct dir_cache_open cache;    /* what the kernel may cache of its entries (dir-cache.c) */
        size_t pass_next;               /* entries given in order from the first, without a gap */
        int64_t pass_valid_until_us;    /* when the first of their leases ends */
        bool pass_broken;               /* an entry skipped or given without its lease */
        char name_buf[TREE_ID_NAME_MAX];
};

static int list_dir(mlx5_tree_dir *dir)
{
        const struct node *s = &dir->self;
        g_autoptr(tree_device) td = NULL;
        mlx5_snapshot *listing;
        int r;

        r = fixed_children(dir->tree, s, dir->entries);
        if (r < 0)
                return r;
        if (tree_kind(dir->tree, s->kind)->listing) {
                mlx5_snapshot *own = NULL;

                r = own_listing(dir->tree, s, &own);
                if (r < 0)
                        return r == -ENOENT ? 0 : r;
                /* Pinned under the directory's own inode: what it lists reads as listed while it is open. */
                dir->listing = pin_open(dir->tree, node_to_ino(s), own, NULL);
                return 0;
        }
        r = listed_type(dir->tree, s);
        if (r < 0)
                return 0;
        dir->listed_res = r;
        td = tree_device_get(dir->tree, s->dev);
        if (!td)
                return -ENOENT;
        /* Concurrent walkers of one type's directories share one listing: the one shown, else the cache's. */
        listing = shown_listing(dir->tree, listing_pin_key(s->dev, (uint32_t) dir->listed_res));
        if (!listing) {
                /* Or the one under way: the directory lists it as it is resolved. */
                r = tree_stream_open(dir->tree, s->dev, (uint32_t) dir->listed_res, &listing, &dir->stream);
                if (r < 0)
                        return r;
                if (dir->stream)
                        return 0;
        }
        use_listing(dir->tree, listing_pin_key(s->dev, (uint32_t) dir->listed_res), listing,
                    listing->taken_monotonic_us, -1);
        dir->listing = pin_open(dir->tree, listing_pin_key(s->dev, (uint32_t) dir->listed_res), listing, NULL);
        return 0;
}

/*
 * Listed entry k of a directory whose listing is under way (k its
 * candidate's index, moved past those not listed): 1 and its number.  Once
 * the listing is done, it is leased and pinned as a whole listing opened is.
 */
static int streamed_entry(mlx5_tree_dir *dir, size_t *io_k, bool may_wait, uint32_t *ret_id)
{
        int r = tree_stream_entry(dir->stream, io_k, may_wait, ret_id);

        if (r >= 0 && !dir->listing) {
                mlx5_snapshot *listing = tree_stream_done_listing(dir->stream);

                if (listing) {
                        tree_listing_promised(dir->tree, dir->self.dev, (uint32_t) dir->listed_res, listing);
                        dir->listing = pin_open(dir->tree, listing_pin_key(dir->self.dev, (uint32_t) dir->listed_res),
                                                listing, NULL);
                }
        }
        return r;
}

/* The fixed children as the kernel caches them: names and inodes. */
static GBytes *serialize_fixed(const GArray *entries)
{
        size_t size = 0;
        guint8 *out, *at;

        /* Sized first: one allocation, no growing, at every opendir. */
        for (guint i = 0; i < entries->len; i++)
                size += strlen(g_array_index(entries, struct dir_entry, i).name) + 1 + sizeof(uint64_t);
        at = out = g_malloc(size);
        for (guint i = 0; i < entries->len; i++) {
                const struct dir_entry *e = &g_array_index(entries, struct dir_entry, i);
                uint64_t ino = node_to_ino(&e->node);
                size_t len = strlen(e->name) + 1;

                memcpy(at, e->name, len);
                memcpy(at + len, &ino, sizeof(ino));
                at += len + sizeof(ino);
        }
        return g_bytes_new_take(out, size);
}

/*
 * What the kernel may cache of the directory: a listing under way lists in
 * another order, with other offsets, than the whole listing it becomes.
 */
static void dir_cache_open(mlx5_tree_dir *dir)
{
        g_autoptr(GBytes) fixed = serialize_fixed(dir->entries);

        tree_dir_cache_open(dir->tree, node_to_ino(&dir->self), fixed, dir->listing ? dir->listing->listing->ids : NULL,
                            !dir->stream, &dir->cache);
        dir->pass_valid_until_us = INT64_MAX;
}

/* Entry index went to the kernel with a lease of valid_s (< 0: none, without its inode). */
static void pass_note(mlx5_tree_dir *dir, size_t index, double valid_s)
{
        if (index > dir->pass_next)
                dir->pass_broken = true;
        else if (index == dir->pass_next)
                dir->pass_next++;
        if (index >= 2) {
                int64_t until = valid_s > 0 ? g_get_monotonic_time() + (int64_t) (valid_s * G_USEC_PER_SEC) : 0;

                dir->pass_valid_until_us = MIN(dir->pass_valid_until_us, until);
        }
}

/* The end came at index: a whole pass leases the kernel's entries. */
static void pass_end(mlx5_tree_dir *dir, size_t index)
{
        if ((!dir->cache.fills && !dir->cache.renews) || dir->pass_broken || index != dir->pass_next)
                return;
        tree_dir_cache_passed(dir->tree, node_to_ino(&dir->self), dir->cache.gen, dir->pass_valid_until_us);
        dir->pass_broken = true;        /* once */
}

int mlx5_tree_opendir(mlx5_tree *tree, uint64_t ino, mlx5_tree_dir **ret_dir)
{
        g_autofree mlx5_tree_dir *dir = g_new0(mlx5_tree_dir, 1);
        int r;

        if (!node_from_ino(tree, ino, &dir->self))
                return -ENOENT;
        if (!kind_is_dir(tree, dir->self.kind))
                return -ENOTDIR;
        dir->tree = tree;
        dir->parent = parent_of(tree, &dir->self);
        dir->entries = entries_new();
        dir->listed_res = -1;
        grant_memo_begin();
        r = list_dir(dir);
        grant_memo_end();
        if (r < 0) {
                g_array_unref(dir->entries);
                return r;
        }
        walk_into_listed_dir(tree, &dir->self);
        dir_cache_open(dir);
        *ret_dir = g_steal_pointer(&dir);
        return 0;
}

int mlx5_tree_dir_entry(mlx5_tree_dir *dir, size_t *io_index, bool may_wait, const char **ret_name,
                        struct stat *ret_st, double *ret_valid_s)
{
        struct node n;
        size_t index = *io_index;
        size_t n_fixed = dir->entries->len;
        size_t n_listed = dir->listing ? dir->listing->listing->ids->len : 0;
        size_t k;
        int r;

        if (index >= 2 + n_fixed && dir->stream) {
                uint32_t id;

                k = index - 2 - n_fixed;
                r = streamed_entry(dir, &k, may_wait, &id);
                if (r <= 0)
                        return r;
                *io_index = index = 2 + n_fixed + k;
                n = (struct node) {
                        .kind = tree_kind(dir->tree, dir->self.kind)->listed_kind,
                        .dev = dir->self.dev,
                        .sub = dir->self.sub,
                        .id = id,
                };
                tree_format_id(dir->name_buf, n.id);
                *ret_name = dir->name_buf;
        } else if (index < 2) {
                n = index == 0 ? dir->self : dir->parent;
                *ret_name = index == 0 ? "." : "..";
        } else if (index - 2 < n_fixed) {
                const struct dir_entry *e = &g_array_index(dir->entries, struct dir_entry, index - 2);

                n = e->node;
                *ret_name = e->name;
        } else if (index - 2 - n_fixed < n_listed) {
                n = (struct node) {
                        .kind = tree_kind(dir->tree, dir->self.kind)->listed_kind,
                        .dev = dir->self.dev,
                        .sub = dir->self.sub,
                        .id = g_array_index(dir->listing->listing->ids, uint32_t, index - 2 - n_fixed),
                };
                tree_format_id(dir->name_buf, n.id);
                *ret_name = dir->name_buf;
        } else {
                pass_end(dir, index);
                return 0;
        }
        if (!ret_valid_s)
                dir->pass_broken = true;
        /* Whole attributes when asked and at hand; else the inode and type, and lookup does the rest. */
        if (ret_valid_s && index >= 2 && node_stat(dir->tree, &n, &dir->self, ret_st, ret_valid_s) == 0) {
                pass_note(dir, index, *ret_valid_s);
                return 1;
        }
        if (ret_valid_s) {
                *ret_valid_s = -1.0;
                pass_note(dir, index, -1.0);
        }
        memset(ret_st, 0, sizeof(*ret_st));
        ret_st->st_ino = node_to_ino(&n);
        ret_st->st_mode = tree_kind(dir->tree, n.kind)->mode;
        return 1;
}

bool mlx5_tree_dir_caches(const mlx5_tree_dir *dir, bool *ret_keep)
{
        *ret_keep = dir->cache.keep;
        return dir->cache.fills;
}

void mlx5_tree_dir_request_begin(mlx5_tree_dir *dir)
{
        tree_dir_cache_count_request(dir->tree);
        grant_memo_begin();
}

void mlx5_tree_dir_request_end(mlx5_tree_dir *dir)
{
        grant_memo_end();
}

void mlx5_tree_dir_free(mlx5_tree_dir *dir)
{
        if (!dir)
                return;
        if (dir->cache.fills)
                tree_dir_cache_close(dir->tree, node_to_ino(&dir->self));
        g_array_unref(dir->entries);
        tree_stream_unref(dir->stream);
        if (dir->listing)
                unpin_open(dir->tree, dir->listed_res >= 0
                                      ? listing_pin_key(dir->self.dev, (uint32_t) dir->listed_res)
                                      : node_to_ino(&dir->self), NULL);
        mlx5_snapshot_unref(dir->listing);
        g_free(dir);
}
