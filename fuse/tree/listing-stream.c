/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Listings readable while they are fetched.  A type's listing is made by a
 * runner thread of its own, through the cache (fetch_listing), in chunks:
 * its candidates (the inventory's numbers) first, so a directory opens once
 * they are known; then candidate i is listed or not once its chunk is
 * asked, and a reader waits only for that.  The runner goes on whoever
 * waits or leaves: one listing, each object asked once, one point-in-time
 * picture, which then is the cache's listing as before.  Whoever needs the
 * whole listing waits for its end; a reader interrupted leaves it to the
 * others.  No tree lock is held across any of it.
 *
 * A big directory's candidates take long to arrive (a netlink dump of 1M
 * MRs): its first chunk of them, in the order the inventory gives them, is
 * asked while the rest still arrives (the preview), and a directory opens
 * with it.  Its entries come first, then the candidates' in order, less
 * the preview's: every object once.  The listing takes the preview's
 * answers, so no object is asked twice.
 */
#include <errno.h>
#include <string.h>

#include "transport/cancel.h"
#include "tree/tree-private.h"

/* Runners at once, for all devices and types; past it the caller fetches the listing itself, unstreamed. */
#define STREAM_MAX_RUNNERS 64

struct tree_stream {
        gint refcount;
        mlx5_tree *tree;
        uint32_t dev, res;
        bool in_table;                  /* under streams_lock */
        GMutex lock;
        GCond changed;                  /* broadcast at every step below */
        GRWLock shape;                  /* objects read from the listing meanwhile vs its final trim */
        mlx5_snapshot *ids;             /* the candidates (CONTENT_IDS), once began */
        mlx5_snapshot *listing;         /* slots [0, kept) final while under way; whole once done */
        int32_t *slot_of;               /* per candidate below resolved: its slot in listing, -1 not listed */
        unsigned n, resolved, kept;
        bool began, done;
        int error;                      /* why it failed, once done */
        bool promised;                  /* attributes were given out of it: leased when done */
        /*
         * The preview: stream indices [0, p), then candidate i is index p + i.
         * Its numbers are published first (p, preview_ids, preview_index: fixed
         * from then on), then its answers (resolved); a preview whose queries
         * failed is answered from the whole listing once it is done.
         */
        unsigned preview_size;          /* candidates it asks (0: no preview); set before the candidates */
        bool preview_tried;             /* the fetching thread's own */
        GArray *preview_ids;            /* uint32_t, in arrival order */
        uint64_t *preview_index;        /* id << 32 | preview slot, ascending */
        unsigned p;
        bool preview_resolved;
        mlx5_snapshot *preview;         /* once resolved: its objects' bytes, by preview slot */
        int *preview_results;           /* once resolved: per preview slot, its query's */
        bool *preview_listed;           /* once resolved: per preview slot, listed as the listing will have it */
};

static void stream_runner(gpointer data, gpointer user_data);

static gpointer stream_key(uint32_t dev, uint32_t res)
{
        return GUINT_TO_POINTER(dev << 8 | res);
}

void tree_streams_init(mlx5_tree *tree)
{
        g_mutex_init(&tree->streams_lock);
        g_cond_init(&tree->streams_idle);
        tree->streams = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify) tree_stream_unref);
        /* No queue: a runner may wait on another type's runner, so each gets a thread (shared, reused) at once. */
        tree->stream_pool = g_thread_pool_new(stream_runner, NULL, -1, FALSE, NULL);
}

/* Runners end within their listing's limits, or at once after mlx5_cancel_all. */
void tree_streams_free(mlx5_tree *tree)
{
        g_mutex_lock(&tree->streams_lock);
        while (tree->stream_runners)
                g_cond_wait(&tree->streams_idle, &tree->streams_lock);
        g_mutex_unlock(&tree->streams_lock);
        g_thread_pool_free(tree->stream_pool, FALSE, TRUE);
        g_hash_table_unref(tree->streams);
        g_cond_clear(&tree->streams_idle);
        g_mutex_clear(&tree->streams_lock);
}

/* How long a reader waits for a listing under way, at most (see stream_wait_locked). */
static int64_t stream_wait_max_us(void)
{
        const struct mlx5_limits *limits = mlx5_limits_get();

        return 2 * (limits->list_max_us + limits->cmd_timeout_us);
}

void tree_format_stream_stats(mlx5_tree *tree, GString *out)
{
        g_mutex_lock(&tree->streams_lock);
        g_string_append_printf(out, "limits.listing_runners: %u\n", STREAM_MAX_RUNNERS);
        g_string_append_printf(out, "limits.listing_runners.tripped: %" G_GUINT64_FORMAT "\n",
                               tree->stream_runners_tripped);
        g_string_append_printf(out, "limits.listing_wait: %" G_GINT64_FORMAT "\n",
                               stream_wait_max_us() / G_USEC_PER_SEC);
        g_string_append_printf(out, "limits.listing_wait.tripped: %" G_GUINT64_FORMAT "\n",
                               tree->stream_waits_tripped);
        g_string_append_printf(out, "listings.previewed: %" G_GUINT64_FORMAT "\n", tree->streams_previewed);
        g_mutex_unlock(&tree->streams_lock);
}

static struct tree_stream *stream_new(mlx5_tree *tree, uint32_t dev, uint32_t res)
{
        struct tree_stream *s = g_new0(struct tree_stream, 1);

        s->refcount = 1;
        s->tree = tree;
        s->dev = dev;
        s->res = res;
        g_mutex_init(&s->lock);
        g_cond_init(&s->changed);
        g_rw_lock_init(&s->shape);
        return s;
}

struct tree_stream *tree_stream_ref(struct tree_stream *s)
{
        g_atomic_int_inc(&s->refcount);
        return s;
}

void tree_stream_unref(struct tree_stream *s)
{
        if (!s || !g_atomic_int_dec_and_test(&s->refcount))
                return;
        mlx5_snapshot_unref(s->ids);
        mlx5_snapshot_unref(s->listing);
        mlx5_snapshot_unref(s->preview);
        if (s->preview_ids)
                g_array_unref(s->preview_ids);
        g_free(s->preview_results);
        g_free(s->preview_listed);
        g_free(s->preview_index);
        g_free(s->slot_of);
        g_rw_lock_clear(&s->shape);
        g_cond_clear(&s->changed);
        g_mutex_clear(&s->lock);
        g_free(s);
}

static struct tree_stream *stream_find(mlx5_tree *tree, uint32_t dev, uint32_t res)
{
        struct tree_stream *s;

        g_mutex_lock(&tree->streams_lock);
        s = g_hash_table_lookup(tree->streams, stream_key(dev, res));
        if (s)
                tree_stream_ref(s);
        g_mutex_unlock(&tree->streams_lock);
        return s;
}

struct tree_stream *tree_stream_for_fetch(mlx5_tree *tree, uint32_t dev, uint32_t res)
{
        struct tree_stream *s = stream_find(tree, dev, res);

        /* A fetch no runner made (none does today) fills a stream no one reads. */
        return s ? s : stream_new(tree, dev, res);
}

void tree_stream_begin(struct tree_stream *s, mlx5_snapshot *ids, mlx5_snapshot *listing)
{
        g_mutex_lock(&s->lock);
        /* One picture, begun with its preview: the listing's files carry the preview's time. */
        if (s->preview) {
                listing->taken_realtime_us = s->preview->taken_realtime_us;
                listing->taken_monotonic_us = s->preview->taken_monotonic_us;
        }
        s->ids = mlx5_snapshot_ref(ids);
        s->n = ids->listing->ids->len;
        s->slot_of = g_new(int32_t, s->n + 1);
        s->listing = mlx5_snapshot_ref(listing);
        s->began = true;
        g_cond_broadcast(&s->changed);
        g_mutex_unlock(&s->lock);
}

void tree_stream_publish(struct tree_stream *s, const int32_t *slots, unsigned count, unsigned kept)
{
        g_mutex_lock(&s->lock);
        memcpy(s->slot_of + s->resolved, slots, count * sizeof(*slots));
        s->resolved += count;
        s->kept = kept;
        g_cond_broadcast(&s->changed);
        g_mutex_unlock(&s->lock);
}

void tree_stream_trim(struct tree_stream *s, unsigned kept)
{
        /* GArray does not move its data when it shrinks: slots read meanwhile stay where they are. */
        g_rw_lock_writer_lock(&s->shape);
        g_array_set_size(s->listing->listing->ids, kept);
        /* Fresh for its life from when it is whole; its files keep the time it was begun. */
        s->listing->taken_monotonic_us = g_get_monotonic_time();
        g_rw_lock_writer_unlock(&s->shape);
}

void tree_stream_set_preview(struct tree_stream *s, unsigned size)
{
        s->preview_size = size;
}

static int compare_u64(const void *a, const void *b)
{
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;

        return x < y ? -1 : x > y;
}

/* The preview slot of id, or -1. */
static int preview_slot(const struct tree_stream *s, uint32_t id)
{
        unsigned lo = 0, hi = s->p;

        while (lo < hi) {
                unsigned mid = lo + (hi - lo) / 2;
                uint32_t at = (uint32_t) (s->preview_index[mid] >> 32);

                if (at == id)
                        return (int) (uint32_t) s->preview_index[mid];
                if (at < id)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return -1;
}

/*
 * The inventory's watcher (mlx5_inventory_arrived_fn): once preview_size
 * distinct candidates have come and more is to come, publishes them (a
 * directory may open), asks them, on this (the fetching) thread, between
 * two reads of the reply, and publishes their answers.  A device gone or
 * the fetch interrupted: the preview stays unresolved, and the listing
 * asks its objects as any others.
 */
void tree_stream_arrived(const mlx5_inventory_found *found, void *user_data)
{
        struct tree_stream *s = user_data;
        const mlx5_schema_resource *res = mlx5_schema_resource_at(s->tree->schema, s->res);
        g_autoptr(tree_device) td = NULL;
        g_autoptr(GHashTable) seen = NULL;
        g_autofree uint8_t *found_by = NULL;
        g_autofree int *results = NULL;
        g_autofree bool *listed = NULL;
        struct mlx5_deadline deadline;
        mlx5_snapshot *preview;
        GArray *ids;
        uint64_t *index;
        uint8_t *raws, *has_raw;
        unsigned n;

        if (!s->preview_size || s->preview_tried || found->ids->len < s->preview_size)
                return;
        s->preview_tried = true;
        td = tree_device_get(s->tree, s->dev);
        if (!td)
                return;
        /* The first preview_size numbers, each once: a dump may give one twice when objects come and go. */
        seen = g_hash_table_new(NULL, NULL);
        ids = g_array_sized_new(FALSE, FALSE, sizeof(uint32_t), s->preview_size);
        found_by = g_new(uint8_t, s->preview_size);
        for (guint i = 0; i < found->ids->len && ids->len < s->preview_size; i++) {
                uint32_t id = g_array_index(found->ids, uint32_t, i);

                if (!g_hash_table_add(seen, GUINT_TO_POINTER(id + 1)))
                        continue;
                found_by[ids->len] = g_array_index(found->found_by, uint8_t, i);
                g_array_append_val(ids, id);
        }
        n = ids->len;
        index = g_new(uint64_t, n + 1);
        for (unsigned i = 0; i < n; i++)
                index[i] = (uint64_t) g_array_index(ids, uint32_t, i) << 32 | i;
        qsort(index, n, sizeof(*index), compare_u64);
        g_mutex_lock(&s->lock);
        s->preview_ids = ids;
        s->preview_index = index;
        s->p = n;
        g_cond_broadcast(&s->changed);
        g_mutex_unlock(&s->lock);
        g_mutex_lock(&s->tree->streams_lock);
        s->tree->streams_previewed++;
        g_mutex_unlock(&s->tree->streams_lock);

        raws = g_malloc((size_t) n * res->outlen + 1);
        results = g_new(int, n + 1);
        mlx5_deadline_init(&deadline, MLX5_LIMIT_LIST_TIME, mlx5_limits_get()->list_max_us);
        mlx5_device_query_many(td->dev, res, (const uint32_t *) (const void *) ids->data, n, &deadline, raws,
                               results);
        has_raw = g_new0(uint8_t, n + 1);
        listed = g_new(bool, n + 1);
        for (unsigned i = 0; i < n; i++) {
                if (results[i] == -ENODEV || results[i] == -EINTR) {
                        g_free(raws);
                        g_free(has_raw);
                        return;
                }
                has_raw[i] = results[i] == 0;
                /* As the listing keeps a candidate (content.c keep_failed). */
                listed[i] = results[i] == 0 || (results[i] != -ENOENT && (found_by[i] & MLX5_INV_CONFIRMING));
        }
        preview = mlx5_snapshot_new_listing(g_array_ref(ids), raws, res->outlen, has_raw);
        g_free(raws);
        mlx5_listing_set_keeper(preview, s->tree->cache);
        preview->lifetime_us = s->tree->options.ttl_us;

        g_mutex_lock(&s->lock);
        s->preview = preview;
        s->preview_results = g_steal_pointer(&results);
        s->preview_listed = g_steal_pointer(&listed);
        s->preview_resolved = true;
        g_cond_broadcast(&s->changed);
        g_mutex_unlock(&s->lock);
}

bool tree_stream_previewed(struct tree_stream *s, uint32_t id, uint8_t *raw, int *ret_result)
{
        int slot;

        /* Published by the thread that asks, before it asks: no lock. */
        if (!s->preview_resolved)
                return false;
        slot = preview_slot(s, id);
        if (slot < 0)
                return false;
        *ret_result = s->preview_results[slot];
        if (*ret_result == 0 && raw)
                mlx5_listing_raw(s->preview->listing, (unsigned) slot, raw);
        return true;
}

/*
 * Whether preview slot i is listed (1 or 0), under s->lock: its own answer,
 * or when its queries failed, the whole listing's once done; -EWOULDBLOCK
 * before either.
 */
static int preview_listed(const struct tree_stream *s, unsigned i)
{
        if (s->preview_resolved)
                return s->preview_listed[i];
        if (!s->done)
                return -EWOULDBLOCK;
        if (s->error)
                return s->error;
        return mlx5_listing_find(s->listing->listing, g_array_index(s->preview_ids, uint32_t, i)) >= 0;
}

/* The fetch, through the cache (whose fetch_listing fills s), then its end for s's readers. */
static void stream_run(struct tree_stream *s)
{
        mlx5_tree *tree = s->tree;
        struct mlx5_cache_key key = { .device = s->dev, .kind = CONTENT_LISTING, .sub = (uint16_t) s->res };
        mlx5_snapshot *listing = NULL;
        bool promised;
        int r;

        r = mlx5_cache_get(tree->cache, &key, &listing);
        g_mutex_lock(&tree->streams_lock);
        /* The cache has the listing (if it keeps it) before the stream goes: no second fetch starts between. */
        if (s->in_table)
                g_hash_table_remove(tree->streams, stream_key(s->dev, s->res));
        s->in_table = false;
        g_mutex_unlock(&tree->streams_lock);

        g_mutex_lock(&s->lock);
        if (r == 0) {
                /* A listing the cache had meanwhile, when this stream's fetch never began. */
                mlx5_snapshot_unref(s->listing);
                s->listing = listing;
        }
        s->error = r;
        s->done = true;
        promised = s->promised;
        g_cond_broadcast(&s->changed);
        g_mutex_unlock(&s->lock);
        if (r == 0 && promised)
                tree_listing_promised(tree, s->dev, s->res, s->listing);
}

static void runner_gone(mlx5_tree *tree)
{
        g_mutex_lock(&tree->streams_lock);
        if (--tree->stream_runners == 0)
                g_cond_broadcast(&tree->streams_idle);
        g_mutex_unlock(&tree->streams_lock);
}

static void stream_runner(gpointer data, gpointer user_data)
{
        struct tree_stream *s = data;
        mlx5_tree *tree = s->tree;

        stream_run(s);
        tree_stream_unref(s);
        runner_gone(tree);
}

/* The stream of a listing: the one under way, or a new one, its runner started. */
static struct tree_stream *stream_get(mlx5_tree *tree, uint32_t dev, uint32_t res)
{
        g_autoptr(GError) error = NULL;
        struct tree_stream *s;
        mlx5_cancel *cancel;
        bool here = false;

        g_mutex_lock(&tree->streams_lock);
        s = g_hash_table_lookup(tree->streams, stream_key(dev, res));
        if (s) {
                tree_stream_ref(s);
                g_mutex_unlock(&tree->streams_lock);
                return s;
        }
        s = stream_new(tree, dev, res);
        s->in_table = true;
        g_hash_table_insert(tree->streams, stream_key(dev, res), tree_stream_ref(s));
        if (tree->stream_runners < STREAM_MAX_RUNNERS) {
                tree->stream_runners++;
        } else {
                here = true;
                if (tree->stream_runners_tripped++ == 0)
                        g_warning("%u listings fetched at once (limit STREAM_MAX_RUNNERS): further ones are "
                                  "fetched by their first reader, not streamed", STREAM_MAX_RUNNERS);
        }
        g_mutex_unlock(&tree->streams_lock);

        if (!here) {
                /* Queued even when no thread could be started: it runs once one is free. */
                if (!g_thread_pool_push(tree->stream_pool, tree_stream_ref(s), &error))
                        g_warning("listing runner: %s: the listing waits for a free thread", error->message);
                return s;
        }
        /* Others may join it: this reader's interrupt must not end it (its limits still do). */
        cancel = mlx5_cancel_current();
        mlx5_cancel_set_current(NULL);
        stream_run(s);
        mlx5_cancel_set_current(cancel);
        return s;
}

enum stream_goal {
        GOAL_OPEN,              /* a directory may open: the preview or the candidates are known */
        GOAL_CANDIDATES,        /* the candidates are known */
        GOAL_ENTRY,             /* stream index is resolved */
        GOAL_WHOLE,             /* the listing is done */
};

static bool reached(const struct tree_stream *s, enum stream_goal goal, size_t index)
{
        if (s->done || (goal == GOAL_OPEN && (s->began || s->p)) || (goal == GOAL_CANDIDATES && s->began))
                return true;
        if (goal != GOAL_ENTRY)
                return false;
        /* The preview is resolved whole; past the last candidate is the end, known with the candidates. */
        if (index < s->p)
                return s->preview_resolved;
        return s->began && (index - s->p < s->resolved || index - s->p >= s->n);
}

/*
 * Waits under s->lock for goal.  Bounded: the reader's interrupt (-EINTR),
 * and a runner ends within its list_timeout plus a command after its
 * candidates, which may wait on another type's listing first: past twice
 * that, -ETIMEDOUT (logged, counted).  -EWOULDBLOCK where it may not wait.
 */
static int stream_wait_locked(struct tree_stream *s, enum stream_goal goal, size_t index, bool may_wait)
{
        int64_t until = g_get_monotonic_time() + stream_wait_max_us();
        int r;

        while (!reached(s, goal, index)) {
                if (!may_wait)
                        return -EWOULDBLOCK;
                r = mlx5_cancel_wait(&s->changed, &s->lock, until);
                if (r == -ETIMEDOUT) {
                        g_mutex_lock(&s->tree->streams_lock);
                        s->tree->stream_waits_tripped++;
                        g_mutex_unlock(&s->tree->streams_lock);
                        g_warning("%s listing of device slot %u: limit listing_wait (%" G_GINT64_FORMAT
                                  " s: twice list_timeout and cmd_timeout) reached: its reader gives up",
                                  mlx5_schema_resource_at(s->tree->schema, s->res)->name, s->dev,
                                  stream_wait_max_us() / G_USEC_PER_SEC);
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The cache's listing if it is fresh, without fetching (a hit is counted as one). */
static int cached_listing(mlx5_tree *tree, uint32_t dev, uint32_t res, mlx5_snapshot **ret_listing)
{
        struct mlx5_cache_key key = { .device = dev, .kind = CONTENT_LISTING, .sub = (uint16_t) res };
        int r;

        mlx5_cache_set_nonblocking(true);
        r = mlx5_cache_get(tree->cache, &key, ret_listing);
        mlx5_cache_set_nonblocking(tree_nonblocking());
        return r;
}

/* The stream under way, or (where this thread may wait) a new one. */
static int stream_join(mlx5_tree *tree, uint32_t dev, uint32_t res, struct tree_stream **ret_stream)
{
        struct tree_stream *s = stream_find(tree, dev, res);

        if (!s && tree_nonblocking())
                return -EWOULDBLOCK;
        *ret_stream = s ? s : stream_get(tree, dev, res);
        return 0;
}

/*
 * The whole listing when the cache has it or the stream is done by goal;
 * else (GOAL_CANDIDATES) the stream, its candidates known.
 */
static int stream_reach(mlx5_tree *tree, uint32_t dev, uint32_t res, enum stream_goal goal,
                        mlx5_snapshot **ret_listing, struct tree_stream **ret_stream)
{
        g_autoptr(tree_stream) s = NULL;
        int r;

        if (cached_listing(tree, dev, res, ret_listing) == 0)
                return 0;
        r = stream_join(tree, dev, res, &s);
        if (r < 0)
                return r;
        g_mutex_lock(&s->lock);
        r = stream_wait_locked(s, goal, 0, !tree_nonblocking());
        if (r == 0 && s->done)
                r = s->error;
        if (r == 0 && s->done)
                *ret_listing = mlx5_snapshot_ref(s->listing);
        else if (r == 0)
                *ret_stream = tree_stream_ref(s);
        g_mutex_unlock(&s->lock);
        return r;
}

int tree_stream_listing(mlx5_tree *tree, uint32_t dev, uint32_t res, mlx5_snapshot **ret_listing)
{
        return stream_reach(tree, dev, res, GOAL_WHOLE, ret_listing, NULL);
}

int tree_stream_open(mlx5_tree *tree, uint32_t dev, uint32_t res, mlx5_snapshot **ret_listing,
                     struct tree_stream **ret_stream)
{
        *ret_listing = NULL;
        *ret_stream = NULL;
        return stream_reach(tree, dev, res, GOAL_OPEN, ret_listing, ret_stream);
}

/* New readers of the device's listings start anew: it went away, or another way to it came. */
void tree_streams_forget_device(mlx5_tree *tree, uint32_t dev)
{
        GHashTableIter iter;
        struct tree_stream *s;

        g_mutex_lock(&tree->streams_lock);
        g_hash_table_iter_init(&iter, tree->streams);
        while (g_hash_table_iter_next(&iter, NULL, (gpointer *) &s))
                if (s->dev == dev) {
                        s->in_table = false;
                        g_hash_table_iter_remove(&iter);
                }
        g_mutex_unlock(&tree->streams_lock);
}

int tree_stream_entry(struct tree_stream *s, size_t *io_index, bool may_wait, uint32_t *ret_id)
{
        int r;

        g_mutex_lock(&s->lock);
        for (size_t i = *io_index;; i++) {
                size_t c;
                uint32_t id;

                r = stream_wait_locked(s, GOAL_ENTRY, i, may_wait);
                if (r < 0)
                        break;
                /* p is fixed once a directory opened (GOAL_OPEN): the preview comes before the candidates or not at all. */
                c = i - s->p;
                if (i < s->p) {
                        r = preview_listed(s, (unsigned) i);
                        if (r < 0)
                                break;
                        if (!r)
                                continue;
                        *ret_id = g_array_index(s->preview_ids, uint32_t, i);
                        *io_index = i;
                        r = 1;
                        break;
                }
                if (!s->began || (c < s->n && c >= s->resolved)) {
                        /* Done before this one: the listing failed. */
                        r = s->error ? s->error : -EIO;
                        break;
                }
                if (c >= s->n) {
                        r = 0;
                        break;
                }
                id = g_array_index(s->ids->listing->ids, uint32_t, c);
                /* The preview's are listed at its indices. */
                if (s->slot_of[c] < 0 || (s->p && preview_slot(s, id) >= 0))
                        continue;
                *ret_id = id;
                *io_index = i;
                r = 1;
                break;
        }
        g_mutex_unlock(&s->lock);
        return r;
}

int tree_stream_lookup(mlx5_tree *tree, uint32_t dev, uint32_t res, uint32_t id)
{
        g_autoptr(tree_stream) s = stream_find(tree, dev, res);
        int r, i;

        if (!s)
                return -ESRCH;
        g_mutex_lock(&s->lock);
        r = stream_wait_locked(s, GOAL_OPEN, 0, !tree_nonblocking());
        /* The preview's answer is the listing's. */
        if (r == 0 && s->p && (i = preview_slot(s, id)) >= 0) {
                r = stream_wait_locked(s, GOAL_ENTRY, (size_t) i, !tree_nonblocking());
                if (r == 0)
                        r = preview_listed(s, (unsigned) i);
                g_mutex_unlock(&s->lock);
                return r;
        }
        if (r == 0)
                r = stream_wait_locked(s, GOAL_CANDIDATES, 0, !tree_nonblocking());
        /* Done before its candidates were known (the cache had the listing): that one answers. */
        if (r == 0 && !s->began)
                r = -ESRCH;
        i = r == 0 ? mlx5_listing_find(s->ids->listing, id) : -1;
        if (i >= 0)
                r = stream_wait_locked(s, GOAL_ENTRY, s->p + (size_t) i, !tree_nonblocking());
        if (r == 0 && i >= 0)
                r = (unsigned) i < s->resolved ? s->slot_of[i] >= 0 : s->error ? s->error : -EIO;
        g_mutex_unlock(&s->lock);
        return r;
}

mlx5_snapshot *tree_stream_done_listing(struct tree_stream *s)
{
        mlx5_snapshot *listing = NULL;

        g_mutex_lock(&s->lock);
        if (s->done && !s->error)
                listing = mlx5_snapshot_ref(s->listing);
        g_mutex_unlock(&s->lock);
        return listing;
}

int tree_stream_object(mlx5_tree *tree, uint32_t dev, uint32_t res, uint32_t id, mlx5_snapshot **ret_snap,
                       mlx5_snapshot **ret_listing)
{
        g_autoptr(tree_stream) s = stream_find(tree, dev, res);
        g_autoptr(mlx5_snapshot) listing = NULL;
        mlx5_snapshot *snap = NULL;
        int slot = -1;

        if (!s)
                return -ENOENT;
        g_rw_lock_reader_lock(&s->shape);
        g_mutex_lock(&s->lock);
        /* The slots below kept are final, in ascending order of number. */
        if (s->began)
                slot = mlx5_listing_find_below(s->listing->listing, s->kept, id);
        if (slot >= 0) {
                listing = mlx5_snapshot_ref(s->listing);
                s->promised = true;
        } else if (s->preview_resolved && (slot = preview_slot(s, id)) >= 0) {
                /* The same bytes and time the listing will have (tree_stream_begin). */
                listing = mlx5_snapshot_ref(s->preview);
                s->promised = true;
        }
        g_mutex_unlock(&s->lock);
        if (listing)
                snap = mlx5_listing_object(listing, slot, tree_object_render, tree_object_measure,
                                           (gpointer) mlx5_schema_resource_at(tree->schema, res));
        g_rw_lock_reader_unlock(&s->shape);
        if (!snap)
                return -ENOENT;
        *ret_snap = snap;
        *ret_listing = g_steal_pointer(&listing);
        return 0;
}
