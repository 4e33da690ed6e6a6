/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <malloc.h>
#include <stdbool.h>

#include "cache/cache.h"
#include "transport/cancel.h"

struct entry {
        struct mlx5_cache_key key;
        mlx5_snapshot *snap;    /* NULL until the first fetch completes */
        bool fetching;
        bool dropped;           /* its device went away while it was being fetched */
        GList lru;              /* link in cache->lru while snap != NULL */
        int64_t used_us;        /* monotonic: when last stored or served (mlx5_cache_evict_older) */
};

/*
 * A snapshot others lease (a listing whose files the kernel was told about):
 * its bytes count against the cap once, whether the cache keeps it too or
 * not, and evicting its entry frees nothing while it is leased.
 */
struct held {
        size_t cost;
        unsigned leases;
        bool cached;            /* an entry's snap */
};

struct mlx5_cache {
        GMutex lock;
        GCond fetched;          /* broadcast whenever any fetch completes */
        GHashTable *entries;    /* struct mlx5_cache_key * -> struct entry * */
        GQueue lru;             /* least recently used first */
        int64_t ttl_us;
        size_t max_bytes;
        size_t bytes;
        mlx5_cache_fetch_fn fetch;
        void *user_data;
        uint64_t hits, misses, evictions, fetch_errors;
        uint64_t not_kept;              /* answers larger than the cap: served once, not kept */
        bool over_cap_logged;
        /* Accounting hooks: bytes held outside the cache that count against its cap. */
        size_t in_flight;
        size_t building;                /* listings under construction: held, not pinned (mlx5_cache_charge_building) */
        size_t peak;                    /* most bytes kept and in flight at once */
        gsize kept;                     /* renderings kept with snapshots (atomic: see mlx5_cache_unkeep) */
        uint64_t kept_refused;          /* renderings not kept: past KEPT_SHARE */
        bool kept_refused_logged;
        gsize kept_measures;            /* of kept, views' measures (atomic, as kept) */
        uint64_t measures_refused;      /* measures not kept: past the share, beyond MEASURE_SHARE */
        bool measures_refused_logged;
        /* Leased snapshots (mlx5_cache_lease): one budget with the rest. */
        GHashTable *held;               /* mlx5_snapshot * -> struct held *: leased ones, and listings kept */
        size_t leased;                  /* bytes of leased snapshots no entry keeps */
        size_t leased_all;              /* bytes of leased snapshots, kept or not */
        mlx5_cache_reclaim_fn reclaim;
        void *reclaim_data;
        uint64_t reclaims;              /* times the cache asked for leases to go */
        size_t wanted;                  /* room charges wait for while leases are asked to go */
        gsize released;                 /* bytes out of the budget since the last trim (atomic) */
        guint trims;                    /* times the allocator gave freed memory back (atomic) */
};

/*
 * Memory the budget let go is given back to the system once this much has
 * gone: a listing's kept texts and answers are many small blocks among
 * others that live on, which the allocator would otherwise keep (at 100k
 * QPs, 30 MB more resident than the budget held).
 */
#define TRIM_AFTER_BYTES (16u << 20)

static void note_released(mlx5_cache *cache, size_t bytes)
{
        __atomic_fetch_add(&cache->released, bytes, __ATOMIC_RELAXED);
}

/* Where no lock is held: gives the allocator's free pages back, once TRIM_AFTER_BYTES went. */
static void trim_if_due(mlx5_cache *cache)
{
        gsize released = __atomic_load_n(&cache->released, __ATOMIC_RELAXED);

        /* One thread trims for what went: the one that takes the count back to zero. */
        if (released < TRIM_AFTER_BYTES ||
            !__atomic_compare_exchange_n(&cache->released, &released, 0, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
                return;
        malloc_trim(0);
        g_atomic_int_inc(&cache->trims);
}

/* Kept renderings may hold at most 1/KEPT_SHARE of the cap. */
#define KEPT_SHARE 2
/*
 * Of that share, 1/MEASURE_SHARE of the cap texts never take: a view's
 * measure (8 bytes a line, where a whole listing's view saves rendering it
 * at every stat and open) keeps its place when object texts fill the rest.
 */
#define MEASURE_SHARE 64

/*
 * What the cache cannot evict: answers in flight and kept renderings.
 * Leased snapshots are not in it: their holders drop them past the cap
 * (mlx5_cache_set_reclaim), so they never refuse an answer room.
 */
static size_t pinned_locked(mlx5_cache *cache)
{
        return cache->in_flight + (size_t) g_atomic_pointer_get(&cache->kept);
}

static size_t held_locked(mlx5_cache *cache)
{
        return cache->bytes + cache->leased + cache->building + pinned_locked(cache);
}

/* Whether more is held than the cap, counting the room charges wait for. */
static bool over_locked(mlx5_cache *cache)
{
        return held_locked(cache) + cache->wanted > cache->max_bytes;
}

/* Whether bytes more can be held beside what cannot be evicted. */
static bool fits_locked(mlx5_cache *cache, size_t bytes)
{
        return bytes <= cache->max_bytes - MIN(pinned_locked(cache), cache->max_bytes);
}

/* The same beside leased snapshots too: for what a reader may do without (a text kept, an open file's). */
static bool fits_beside_leases_locked(mlx5_cache *cache, size_t bytes)
{
        return bytes <= cache->max_bytes - MIN(pinned_locked(cache) + cache->leased_all, cache->max_bytes);
}

static guint key_hash(gconstpointer p)
{
        const struct mlx5_cache_key *k = p;

        return (k->device * 0x9e3779b1u) ^ ((guint) k->kind << 24 | k->sub) * 0x85ebca6bu ^ k->id * 0xc2b2ae35u;
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
        const struct mlx5_cache_key *x = a, *y = b;

        return x->device == y->device && x->kind == y->kind && x->sub == y->sub && x->id == y->id;
}

static void entry_free(gpointer p)
{
        struct entry *e = p;

        mlx5_snapshot_unref(e->snap);
        g_free(e);
}

mlx5_cache *mlx5_cache_new(int64_t ttl_us, size_t max_bytes, mlx5_cache_fetch_fn fetch, void *user_data)
{
        mlx5_cache *cache = g_new0(mlx5_cache, 1);

        g_mutex_init(&cache->lock);
        g_cond_init(&cache->fetched);
        cache->entries = g_hash_table_new_full(key_hash, key_equal, NULL, entry_free);
        cache->held = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
        g_queue_init(&cache->lru);
        cache->ttl_us = ttl_us;
        cache->max_bytes = max_bytes;
        cache->fetch = fetch;
        cache->user_data = user_data;
        return cache;
}

void mlx5_cache_free(mlx5_cache *cache)
{
        if (!cache)
                return;
        g_hash_table_unref(cache->entries);
        g_hash_table_unref(cache->held);
        g_cond_clear(&cache->fetched);
        g_mutex_clear(&cache->lock);
        g_free(cache);
}

/* A listing leased while under way grew since: what it holds counts as it is now. */
static void held_resize_locked(mlx5_cache *cache, struct held *h, const mlx5_snapshot *snap)
{
        if (h->leases) {
                cache->leased_all += snap->cost - h->cost;
                if (!h->cached)
                        cache->leased += snap->cost - h->cost;
        }
        h->cost = snap->cost;
}

/*
 * The entry keeps snap now (it kept none): counted in bytes, and a leased
 * one no longer apart.  A listing is noted in held, leased or not: a
 * lease then finds whether an entry keeps it.
 */
static void set_snap_locked(mlx5_cache *cache, struct entry *e, mlx5_snapshot *snap)
{
        struct held *h = g_hash_table_lookup(cache->held, snap);

        e->snap = snap;
        e->used_us = g_get_monotonic_time();
        cache->bytes += snap->cost;
        g_queue_push_tail_link(&cache->lru, &e->lru);
        if (!h && snap->listing) {
                h = g_new0(struct held, 1);
                h->cost = snap->cost;
                g_hash_table_insert(cache->held, snap, h);
        }
        if (h && !h->cached) {
                held_resize_locked(cache, h, snap);
                h->cached = true;
                if (h->leases)
                        cache->leased -= h->cost;
        }
}

/* The entry lets its snapshot go: a leased one is counted apart again. */
static void unset_snap_locked(mlx5_cache *cache, struct entry *e)
{
        struct held *h = g_hash_table_lookup(cache->held, e->snap);

        g_queue_unlink(&cache->lru, &e->lru);
        cache->bytes -= e->snap->cost;
        note_released(cache, e->snap->cost);
        if (h && h->cached) {
                h->cached = false;
                if (h->leases)
                        cache->leased += h->cost;
                else
                        g_hash_table_remove(cache->held, e->snap);
        }
        mlx5_snapshot_unref(g_steal_pointer(&e->snap));
}

/* Whether snap is leased: evicting its entry would free nothing. */
static bool leased_locked(mlx5_cache *cache, const mlx5_snapshot *snap)
{
        struct held *h = g_hash_table_lookup(cache->held, snap);

        return h && h->leases;
}

/* Drops an entry's snapshot and, unless a fetch is under way, the entry. */
static void forget_locked(mlx5_cache *cache, struct entry *e)
{
        if (e->snap)
                unset_snap_locked(cache, e);
        if (!e->fetching)
                g_hash_table_remove(cache->entries, &e->key);
}

/*
 * Evicts the entries used longest ago (before older_than_us), not keep,
 * while more is held than the cap.  A leased snapshot's entry is passed
 * over: evicting it would free nothing.
 */
static void evict_older_locked(mlx5_cache *cache, struct entry *keep, int64_t older_than_us)
{
        GList *l = cache->lru.head;

        while (over_locked(cache) && l) {
                struct entry *e = l->data;

                l = l->next;
                if (e->used_us >= older_than_us)
                        break;
                if (e == keep || leased_locked(cache, e->snap))
                        continue;
                forget_locked(cache, e);
                cache->evictions++;
        }
}

static void evict_locked(mlx5_cache *cache, struct entry *keep)
{
        evict_older_locked(cache, keep, INT64_MAX);
}

/* Whether, once the lock is let go, the holders of leases are asked to drop some (mlx5_cache_set_reclaim). */
static bool reclaim_due_locked(mlx5_cache *cache)
{
        if (!cache->reclaim || !cache->leased_all || !over_locked(cache))
                return false;
        cache->reclaims++;
        return true;
}

static bool fresh(const mlx5_cache *cache, const mlx5_snapshot *snap)
{
        return g_get_monotonic_time() < mlx5_snapshot_expiry_us(snap, cache->ttl_us);
}

static __thread bool nonblocking_thread;

void mlx5_cache_set_nonblocking(bool nonblocking)
{
        nonblocking_thread = nonblocking;
}

int mlx5_cache_get(mlx5_cache *cache, const struct mlx5_cache_key *key, mlx5_snapshot **ret_snap)
{
        mlx5_snapshot *snap = NULL;
        struct entry *e;
        bool reclaim = false;
        int r;

        g_mutex_lock(&cache->lock);
        for (;;) {
                e = g_hash_table_lookup(cache->entries, key);
                if (e && e->snap && fresh(cache, e->snap)) {
                        cache->hits++;
                        e->used_us = g_get_monotonic_time();
                        g_queue_unlink(&cache->lru, &e->lru);
                        g_queue_push_tail_link(&cache->lru, &e->lru);
                        *ret_snap = mlx5_snapshot_ref(e->snap);
                        g_mutex_unlock(&cache->lock);
                        return 0;
                }
                if (nonblocking_thread) {
                        g_mutex_unlock(&cache->lock);
                        return -EWOULDBLOCK;
                }
                if (!e || !e->fetching)
                        break;
                /* Another reader's fetch: this reader may still be interrupted meanwhile. */
                r = mlx5_cancel_wait(&cache->fetched, &cache->lock, 0);
                if (r < 0) {
                        g_mutex_unlock(&cache->lock);
                        return r;
                }
        }
        if (!e) {
                e = g_new0(struct entry, 1);
                e->key = *key;
                e->lru.data = e;
                g_hash_table_insert(cache->entries, &e->key, e);
        }
        e->fetching = true;
        cache->misses++;
        g_mutex_unlock(&cache->lock);

        r = cache->fetch(key, cache->user_data, &snap);

        g_mutex_lock(&cache->lock);
        e->fetching = false;
        if (r < 0) {
                cache->fetch_errors++;
                /* Never serve the stale answer of something that now fails. */
                forget_locked(cache, e);
        } else if (e->dropped || !fits_locked(cache, snap->cost)) {
                /*
                 * The answer is this caller's alone: the cache keeps nothing of a removed
                 * device, nor anything larger than its whole cap.
                 */
                if (!e->dropped) {
                        cache->not_kept++;
                        if (!cache->over_cap_logged)
                                g_warning("cache: a %zu-byte answer does not fit in the cache (limit cache_size, "
                                          "%zu bytes, %zu of them held in flight): served once, not kept",
                                          snap->cost, cache->max_bytes, cache->in_flight);
                        cache->over_cap_logged = true;
                }
                forget_locked(cache, e);
                *ret_snap = snap;
        } else {
                if (e->snap)
                        unset_snap_locked(cache, e);
                set_snap_locked(cache, e, snap);
                evict_locked(cache, e);
                reclaim = reclaim_due_locked(cache);
                cache->peak = MAX(cache->peak, held_locked(cache));
                *ret_snap = mlx5_snapshot_ref(snap);
        }
        g_cond_broadcast(&cache->fetched);
        g_mutex_unlock(&cache->lock);
        /* Past the cap with only leases left to give: their holders drop some, without this lock. */
        if (reclaim)
                cache->reclaim(cache->reclaim_data);
        trim_if_due(cache);
        return r;
}

int mlx5_cache_peek(mlx5_cache *cache, const struct mlx5_cache_key *key, mlx5_snapshot **ret_snap)
{
        struct entry *e;
        int r = -ENOENT;

        g_mutex_lock(&cache->lock);
        e = g_hash_table_lookup(cache->entries, key);
        if (e && e->snap && fresh(cache, e->snap)) {
                *ret_snap = mlx5_snapshot_ref(e->snap);
                r = 0;
        }
        g_mutex_unlock(&cache->lock);
        return r;
}

void mlx5_cache_drop_device(mlx5_cache *cache, uint32_t device)
{
        GHashTableIter iter;
        struct entry *e;
        g_autoptr(GPtrArray) victims = g_ptr_array_new();

        g_mutex_lock(&cache->lock);
        g_hash_table_iter_init(&iter, cache->entries);
        while (g_hash_table_iter_next(&iter, NULL, (gpointer *) &e))
                if (e->key.device == device) {
                        e->dropped = e->fetching;
                        g_ptr_array_add(victims, e);
                }
        for (unsigned i = 0; i < victims->len; i++)
                forget_locked(cache, victims->pdata[i]);
        g_mutex_unlock(&cache->lock);
}

void mlx5_cache_format_stats(mlx5_cache *cache, GString *out)
{
        g_mutex_lock(&cache->lock);
        g_string_append_printf(out, "cache.entries: %u\n", g_hash_table_size(cache->entries));
        g_string_append_printf(out, "cache.bytes: %zu\n", cache->bytes);
        g_string_append_printf(out, "cache.max_bytes: %zu\n", cache->max_bytes);
        g_string_append_printf(out, "cache.hits: %" G_GUINT64_FORMAT "\n", cache->hits);
        g_string_append_printf(out, "cache.misses: %" G_GUINT64_FORMAT "\n", cache->misses);
        g_string_append_printf(out, "cache.evictions: %" G_GUINT64_FORMAT "\n", cache->evictions);
        g_string_append_printf(out, "cache.fetch_errors: %" G_GUINT64_FORMAT "\n", cache->fetch_errors);
        g_string_append_printf(out, "cache.not_kept: %" G_GUINT64_FORMAT "\n", cache->not_kept);
        g_string_append_printf(out, "cache.in_flight_bytes: %zu\n", cache->in_flight);
        g_string_append_printf(out, "cache.building_bytes: %zu\n", cache->building);
        g_string_append_printf(out, "cache.peak_bytes: %zu\n", cache->peak);
        g_string_append_printf(out, "cache.kept_text_bytes: %zu\n", (size_t) g_atomic_pointer_get(&cache->kept));
        g_string_append_printf(out, "cache.texts_not_kept: %" G_GUINT64_FORMAT "\n", cache->kept_refused);
        g_string_append_printf(out, "cache.kept_measure_bytes: %zu\n",
                               (size_t) g_atomic_pointer_get(&cache->kept_measures));
        g_string_append_printf(out, "cache.measures_not_kept: %" G_GUINT64_FORMAT "\n", cache->measures_refused);
        g_string_append_printf(out, "cache.leased_bytes: %zu\n", cache->leased_all);
        g_string_append_printf(out, "cache.leased_apart_bytes: %zu\n", cache->leased);
        g_string_append_printf(out, "cache.reclaims: %" G_GUINT64_FORMAT "\n", cache->reclaims);
        g_string_append_printf(out, "cache.trims: %u\n", g_atomic_int_get(&cache->trims));
        g_mutex_unlock(&cache->lock);
}

/* ---- leases: snapshots others keep alive, in the one budget ---- */

void mlx5_cache_set_reclaim(mlx5_cache *cache, mlx5_cache_reclaim_fn reclaim, void *data)
{
        g_mutex_lock(&cache->lock);
        cache->reclaim = reclaim;
        cache->reclaim_data = data;
        g_mutex_unlock(&cache->lock);
}

void mlx5_cache_lease(mlx5_cache *cache, mlx5_snapshot *snap)
{
        struct held *h;

        g_mutex_lock(&cache->lock);
        h = g_hash_table_lookup(cache->held, snap);
        if (!h) {
                h = g_new0(struct held, 1);
                h->cost = snap->cost;
                g_hash_table_insert(cache->held, snap, h);
        }
        held_resize_locked(cache, h, snap);
        if (h->leases++ == 0) {
                cache->leased_all += h->cost;
                if (!h->cached)
                        cache->leased += h->cost;
        }
        cache->peak = MAX(cache->peak, held_locked(cache));
        g_mutex_unlock(&cache->lock);
}

void mlx5_cache_unlease(mlx5_cache *cache, mlx5_snapshot *snap)
{
        struct held *h;

        g_mutex_lock(&cache->lock);
        h = g_hash_table_lookup(cache->held, snap);
        g_warn_if_fail(h);
        if (h && --h->leases == 0) {
                note_released(cache, h->cost);
                cache->leased_all -= h->cost;
                if (!h->cached) {
                        cache->leased -= h->cost;
                        g_hash_table_remove(cache->held, snap);
                }
        }
        g_mutex_unlock(&cache->lock);
}

size_t mlx5_cache_over(mlx5_cache *cache)
{
        size_t held;

        g_mutex_lock(&cache->lock);
        held = held_locked(cache) + cache->wanted;
        g_mutex_unlock(&cache->lock);
        return held > cache->max_bytes ? held - cache->max_bytes : 0;
}

bool mlx5_cache_evict_older(mlx5_cache *cache, int64_t older_than_us)
{
        bool over;

        g_mutex_lock(&cache->lock);
        evict_older_locked(cache, NULL, older_than_us);
        over = over_locked(cache);
        g_mutex_unlock(&cache->lock);
        return over;
}

/* ---- accounting hooks: bytes held outside the cache, charged against its cap ---- */

int mlx5_cache_charge(mlx5_cache *cache, size_t bytes)
{
        int r = 0;

        g_mutex_lock(&cache->lock);
        if (!fits_locked(cache, bytes)) {
                r = -ENOBUFS;
        } else {
                cache->in_flight += bytes;
                evict_locked(cache, NULL);
                cache->peak = MAX(cache->peak, held_locked(cache));
        }
        g_mutex_unlock(&cache->lock);
        return r;
}

int mlx5_cache_charge_reclaiming(mlx5_cache *cache, size_t bytes)
{
        bool reclaim;

        g_mutex_lock(&cache->lock);
        /* Past the cap with leases: their holder drops those it can first (those in use or pinned stay). */
        reclaim = cache->reclaim && cache->leased_all && !fits_beside_leases_locked(cache, bytes);
        if (reclaim) {
                cache->reclaims++;
                cache->wanted += bytes;
        }
        g_mutex_unlock(&cache->lock);
        if (reclaim) {
                cache->reclaim(cache->reclaim_data);
                g_mutex_lock(&cache->lock);
                cache->wanted -= bytes;
                g_mutex_unlock(&cache->lock);
        }
        return mlx5_cache_charge(cache, bytes);
}

void mlx5_cache_charge_building(mlx5_cache *cache, size_t bytes)
{
        bool reclaim;

        g_mutex_lock(&cache->lock);
        cache->building += bytes;
        evict_locked(cache, NULL);
        reclaim = reclaim_due_locked(cache);
        cache->peak = MAX(cache->peak, held_locked(cache));
        g_mutex_unlock(&cache->lock);
        if (reclaim)
                cache->reclaim(cache->reclaim_data);
        trim_if_due(cache);
}

/* Gives back bytes charged to count (in flight, or building). */
static void give_back(mlx5_cache *cache, size_t *count, size_t bytes)
{
        g_mutex_lock(&cache->lock);
        g_warn_if_fail(bytes <= *count);
        *count -= MIN(bytes, *count);
        g_mutex_unlock(&cache->lock);
        note_released(cache, bytes);
        trim_if_due(cache);
}

void mlx5_cache_uncharge(mlx5_cache *cache, size_t bytes)
{
        give_back(cache, &cache->in_flight, bytes);
}

void mlx5_cache_unbuild(mlx5_cache *cache, size_t bytes)
{
        give_back(cache, &cache->building, bytes);
}

/*
 * What texts may keep beside the measures: the share less the larger of
 * the measures kept and their reserve (MEASURE_SHARE).
 */
static size_t text_room(mlx5_cache *cache, size_t kept, size_t measures)
{
        size_t taken = kept - MIN(measures, kept) + MAX(measures, cache->max_bytes / MEASURE_SHARE);

        return cache->max_bytes / KEPT_SHARE - MIN(taken, cache->max_bytes / KEPT_SHARE);
}

bool mlx5_cache_may_keep(mlx5_cache *cache, size_t bytes)
{
        return bytes <= text_room(cache, g_atomic_pointer_get(&cache->kept),
                                  g_atomic_pointer_get(&cache->kept_measures));
}

/* Charges a kept rendering that room allows: 0, or -ENOBUFS (counted in refused, logged once). */
static int keep_locked(mlx5_cache *cache, size_t bytes, bool room, uint64_t *refused, bool *logged, const char *what)
{
        if (!room || !fits_beside_leases_locked(cache, bytes)) {
                (*refused)++;
                if (!*logged)
                        g_message("cache: kept texts hold %zu bytes (%zu of them views' measures), leased listings "
                                  "%zu, past the kept share of the cap (limit cache_size / %d, of which cache_size "
                                  "/ %d for measures) or beside the leases: further %s are made again when asked",
                                  (size_t) g_atomic_pointer_get(&cache->kept),
                                  (size_t) g_atomic_pointer_get(&cache->kept_measures), cache->leased_all,
                                  KEPT_SHARE, MEASURE_SHARE, what);
                *logged = true;
                return -ENOBUFS;
        }
        g_atomic_pointer_add(&cache->kept, (gssize) bytes);
        evict_locked(cache, NULL);
        cache->peak = MAX(cache->peak, held_locked(cache));
        return 0;
}

int mlx5_cache_keep(mlx5_cache *cache, size_t bytes)
{
        int r;

        g_mutex_lock(&cache->lock);
        r = keep_locked(cache, bytes, mlx5_cache_may_keep(cache, bytes), &cache->kept_refused,
                        &cache->kept_refused_logged, "texts");
        g_mutex_unlock(&cache->lock);
        return r;
}

int mlx5_cache_keep_measure(mlx5_cache *cache, size_t bytes)
{
        size_t kept, measures;
        int r;

        g_mutex_lock(&cache->lock);
        kept = g_atomic_pointer_get(&cache->kept);
        measures = g_atomic_pointer_get(&cache->kept_measures);
        /* Within the share, or within the measures' reserve, which texts leave free. */
        r = keep_locked(cache, bytes,
                        kept + bytes <= cache->max_bytes / KEPT_SHARE ||
                                measures + bytes <= cache->max_bytes / MEASURE_SHARE,
                        &cache->measures_refused, &cache->measures_refused_logged, "measures");
        if (r == 0)
                g_atomic_pointer_add(&cache->kept_measures, (gssize) bytes);
        g_mutex_unlock(&cache->lock);
        return r;
}

void mlx5_cache_unkeep_measure(mlx5_cache *cache, size_t bytes)
{
        g_atomic_pointer_add(&cache->kept_measures, -(gssize) bytes);
        mlx5_cache_unkeep(cache, bytes);
}

void mlx5_cache_unkeep(mlx5_cache *cache, size_t bytes)
{
        g_atomic_pointer_add(&cache->kept, -(gssize) bytes);
        note_released(cache, bytes);
}
