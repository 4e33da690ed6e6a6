/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The snapshot cache on its own, with a fetch function the test controls:
 * hits, TTL, the byte cap, single flight, failures, non-blocking threads,
 * a device dropped while one of its fetches is under way, and a listing's
 * renderings kept (once each) against the cap.
 */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "cache/cache.h"

#define PAYLOAD 1000

/* Keys of this kind answer a listing (make_listing). */
#define LISTING_KIND 5

/* A listing of 16 objects whose answers are all ones: the same cost each time. */
static mlx5_snapshot *make_listing(void)
{
        const size_t outlen = 0x40;
        const unsigned n = 16;
        GArray *ids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
        g_autofree uint8_t *raws = memset(g_malloc(n * outlen), 0xff, n * outlen);

        for (uint32_t id = 0; id < n; id++)
                g_array_append_val(ids, id);
        return mlx5_snapshot_new_listing(ids, raws, outlen, memset(g_new(uint8_t, n), 1, n));
}

struct fake_firmware {
        GMutex lock;
        GCond changed;
        unsigned fetches;       /* fetch calls so far */
        unsigned in_fetch;      /* fetches waiting for the gate */
        bool gate_closed;       /* fetches wait while it is */
        int fail;               /* -errno the next fetches return, or 0 */
};

static int fake_fetch(const struct mlx5_cache_key *key, void *user_data, mlx5_snapshot **ret_snap)
{
        struct fake_firmware *fw = user_data;
        int fail;

        g_mutex_lock(&fw->lock);
        fw->fetches++;
        fw->in_fetch++;
        g_cond_broadcast(&fw->changed);
        while (fw->gate_closed)
                g_cond_wait(&fw->changed, &fw->lock);
        fw->in_fetch--;
        fail = fw->fail;
        g_mutex_unlock(&fw->lock);
        if (fail)
                return fail;
        if (key->kind == LISTING_KIND) {
                *ret_snap = make_listing();
                return 0;
        }
        *ret_snap = mlx5_snapshot_new(g_bytes_new_take(g_malloc0(PAYLOAD), PAYLOAD), NULL);
        (*ret_snap)->taken_realtime_us = key->id;       /* which key it answers */
        return 0;
}

static void fake_init(struct fake_firmware *fw)
{
        *fw = (struct fake_firmware) { 0 };
        g_mutex_init(&fw->lock);
        g_cond_init(&fw->changed);
}

static void fake_set_gate(struct fake_firmware *fw, bool closed)
{
        g_mutex_lock(&fw->lock);
        fw->gate_closed = closed;
        g_cond_broadcast(&fw->changed);
        g_mutex_unlock(&fw->lock);
}

static void fake_wait_in_fetch(struct fake_firmware *fw, unsigned n)
{
        g_mutex_lock(&fw->lock);
        while (fw->in_fetch < n)
                g_cond_wait(&fw->changed, &fw->lock);
        g_mutex_unlock(&fw->lock);
}

static unsigned fake_fetches(struct fake_firmware *fw)
{
        unsigned n;

        g_mutex_lock(&fw->lock);
        n = fw->fetches;
        g_mutex_unlock(&fw->lock);
        return n;
}

static struct mlx5_cache_key key_of(uint32_t device, uint32_t id)
{
        return (struct mlx5_cache_key) { .device = device, .kind = 1, .sub = 2, .id = id };
}

static bool cached(mlx5_cache *cache, uint32_t device, uint32_t id)
{
        struct mlx5_cache_key key = key_of(device, id);
        g_autoptr(mlx5_snapshot) snap = NULL;

        return mlx5_cache_peek(cache, &key, &snap) == 0;
}

static void get_ok(mlx5_cache *cache, uint32_t device, uint32_t id)
{
        struct mlx5_cache_key key = key_of(device, id);
        g_autoptr(mlx5_snapshot) snap = NULL;

        g_assert_cmpint(mlx5_cache_get(cache, &key, &snap), ==, 0);
        g_assert_nonnull(snap);
        g_assert_cmpint(snap->taken_realtime_us, ==, id);
}

static void test_hit_and_ttl(void)
{
        struct fake_firmware fw;
        mlx5_cache *cache;

        fake_init(&fw);
        cache = mlx5_cache_new(50 * 1000, 1 << 20, fake_fetch, &fw);
        get_ok(cache, 0, 7);
        get_ok(cache, 0, 7);
        g_assert_cmpuint(fake_fetches(&fw), ==, 1);
        get_ok(cache, 0, 8);
        g_assert_cmpuint(fake_fetches(&fw), ==, 2);
        g_usleep(80 * 1000);
        g_assert_false(cached(cache, 0, 7));
        get_ok(cache, 0, 7);
        g_assert_cmpuint(fake_fetches(&fw), ==, 3);
        mlx5_cache_free(cache);
}

static void test_byte_cap_evicts_least_recent(void)
{
        struct fake_firmware fw;
        mlx5_cache *cache;

        fake_init(&fw);
        /* Room for two snapshots of PAYLOAD bytes (plus their headers), not three. */
        cache = mlx5_cache_new(G_USEC_PER_SEC * 60, 2 * PAYLOAD + 2 * sizeof(mlx5_snapshot), fake_fetch, &fw);
        get_ok(cache, 0, 1);
        get_ok(cache, 0, 2);
        get_ok(cache, 0, 1);    /* 1 is now the more recent */
        get_ok(cache, 0, 3);
        g_assert_true(cached(cache, 0, 1));
        g_assert_false(cached(cache, 0, 2));
        g_assert_true(cached(cache, 0, 3));
        mlx5_cache_free(cache);
}

/* Bytes in flight share the cap: a charge evicts what is kept, and none may pass the cap alone. */
static void test_in_flight_shares_the_cap(void)
{
        const size_t entry = PAYLOAD + sizeof(mlx5_snapshot), cap = 4 * entry;
        struct fake_firmware fw;
        g_autoptr(GString) stats = g_string_new(NULL);
        g_autofree char *peak = g_strdup_printf("cache.peak_bytes: %zu\n", cap);
        mlx5_cache *cache;

        fake_init(&fw);
        cache = mlx5_cache_new(G_USEC_PER_SEC * 60, cap, fake_fetch, &fw);
        for (uint32_t id = 1; id <= 4; id++)
                get_ok(cache, 0, id);
        g_assert_true(cached(cache, 0, 1));
        /* Two entries' worth in flight: the two least recent go. */
        g_assert_cmpint(mlx5_cache_charge(cache, 2 * entry), ==, 0);
        g_assert_false(cached(cache, 0, 1));
        g_assert_false(cached(cache, 0, 2));
        g_assert_true(cached(cache, 0, 4));
        /* The rest of the cap, then not a byte more. */
        g_assert_cmpint(mlx5_cache_charge(cache, 2 * entry), ==, 0);
        g_assert_false(cached(cache, 0, 4));
        g_assert_cmpint(mlx5_cache_charge(cache, 1), ==, -ENOBUFS);
        /* An answer does not fit beside them: served, not kept. */
        g_test_expect_message(NULL, G_LOG_LEVEL_WARNING, "*does not fit in the cache*served once, not kept");
        get_ok(cache, 0, 5);
        g_test_assert_expected_messages();
        g_assert_false(cached(cache, 0, 5));
        mlx5_cache_uncharge(cache, 4 * entry);
        get_ok(cache, 0, 5);
        g_assert_true(cached(cache, 0, 5));
        mlx5_cache_format_stats(cache, stats);
        g_assert_nonnull(strstr(stats->str, "cache.in_flight_bytes: 0\n"));
        g_assert_nonnull(strstr(stats->str, peak));
        mlx5_cache_free(cache);
}

static GBytes *count_render(GBytes *raw, void *data)
{
        unsigned *renders = data;

        (*renders)++;
        /* A text of PAYLOAD bytes per object, as deterministic as a decoder's. */
        return g_bytes_new_take(g_malloc0(PAYLOAD), g_bytes_get_size(raw) ? PAYLOAD : 0);
}

static size_t kept_bytes(mlx5_cache *cache)
{
        g_autoptr(GString) stats = g_string_new(NULL);
        const char *line;

        mlx5_cache_format_stats(cache, stats);
        line = strstr(stats->str, "cache.kept_text_bytes: ");
        g_assert_nonnull(line);
        return (size_t) g_ascii_strtoull(line + strlen("cache.kept_text_bytes: "), NULL, 10);
}

/* The renderer's length pass: counted apart, in the tens. */
static size_t count_measure(GBytes *raw, void *data)
{
        unsigned *renders = data;

        (*renders) += 10;
        return g_bytes_get_size(raw) ? PAYLOAD : 0;
}

/* Two stats of a listed object: both see its whole length; whether its text is kept; renders so far. */
static void stat_twice(mlx5_snapshot *listing, int slot, unsigned *renders, bool kept, unsigned rendered)
{
        for (int i = 0; i < 2; i++) {
                g_autoptr(mlx5_snapshot) snap = mlx5_listing_object(listing, slot, count_render, count_measure,
                                                                    renders);

                g_assert_true((snap->text != NULL) == kept);
                g_assert_cmpuint(snap->text_len, ==, PAYLOAD);
        }
        g_assert_cmpuint(*renders, ==, rendered);
}

static void test_listing_keeps_renderings(void)
{
        const size_t cap = 5 * PAYLOAD;       /* kept renderings may take half: two */
        const unsigned n = 4, outlen = 8;
        GArray *ids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
        struct fake_firmware fw;
        mlx5_snapshot *listing, *snap;
        unsigned renders = 0;
        g_autofree uint8_t *raws = NULL;
        GBytes *doc, *again;
        size_t one;
        mlx5_cache *cache;

        fake_init(&fw);
        cache = mlx5_cache_new(G_USEC_PER_SEC * 60, cap, fake_fetch, &fw);
        for (uint32_t id = 1; id <= n; id++)
                g_array_append_val(ids, id);
        raws = g_malloc0(n * outlen);
        listing = mlx5_snapshot_new_listing(ids, raws, outlen, memset(g_new(uint8_t, n), 1, n));
        mlx5_listing_set_keeper(listing, cache);

        /* The first stat renders the text and keeps it; every later one, and the read, use that. */
        stat_twice(listing, 0, &renders, true, 1);
        /* Its bytes and a little for the allocator. */
        one = kept_bytes(cache);
        g_assert_cmpuint(one, >=, PAYLOAD);
        g_assert_cmpuint(one, <, PAYLOAD + 256);
        /* Another view of the same object is kept beside it: the share is full. */
        doc = mlx5_listing_render(listing, 0, MLX5_LISTING_JSON, count_render, &renders);
        again = mlx5_listing_render(listing, 0, MLX5_LISTING_JSON, count_render, &renders);
        g_assert_true(doc == again);
        g_assert_cmpuint(renders, ==, 2);
        g_bytes_unref(doc);
        g_bytes_unref(again);
        g_assert_cmpuint(kept_bytes(cache), ==, 2 * one);
        /* Past the share: measured once without a text (its length pass), not rendered, not kept. */
        stat_twice(listing, 1, &renders, false, 12);
        g_assert_cmpuint(kept_bytes(cache), ==, 2 * one);
        /* Without a renderer: bytes and times only. */
        snap = mlx5_listing_object(listing, 2, NULL, NULL, NULL);
        g_assert_null(snap->text);
        g_assert_cmpuint(g_bytes_get_size(snap->raw), ==, outlen);
        mlx5_snapshot_unref(snap);
        g_assert_cmpuint(renders, ==, 12);
        /* The listing gone, its kept renderings' bytes are the cache's again. */
        mlx5_snapshot_unref(listing);
        g_assert_cmpuint(kept_bytes(cache), ==, 0);
        mlx5_cache_free(cache);
}

/* A text file's snapshot of a listed object: its kept text and no answer; a text not kept, its answer to render. */
static void test_listing_object_text_only(void)
{
        const unsigned n = 2, outlen = 8;
        GArray *ids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
        struct fake_firmware fw;
        mlx5_snapshot *listing, *full, *text_only;
        unsigned renders = 0;
        g_autofree uint8_t *raws = NULL;
        mlx5_cache *cache;

        fake_init(&fw);
        /* Room to keep one text (kept renderings may take half the cap). */
        cache = mlx5_cache_new(G_USEC_PER_SEC * 60, 3 * PAYLOAD, fake_fetch, &fw);
        for (uint32_t id = 1; id <= n; id++)
                g_array_append_val(ids, id);
        raws = g_malloc0(n * outlen);
        listing = mlx5_snapshot_new_listing(ids, raws, outlen, memset(g_new(uint8_t, n), 1, n));
        mlx5_listing_set_keeper(listing, cache);

        full = mlx5_listing_object(listing, 0, count_render, count_measure, &renders);
        g_assert_nonnull(full->text);
        text_only = mlx5_listing_object_text(listing, 0, count_render, count_measure, &renders);
        g_assert_true(text_only->text == full->text);
        g_assert_null(text_only->raw);
        g_assert_cmpuint(text_only->text_len, ==, PAYLOAD);
        g_assert_cmpint(text_only->taken_realtime_us, ==, listing->taken_realtime_us);
        g_assert_cmpint(text_only->taken_monotonic_us, ==, listing->taken_monotonic_us);
        g_assert_cmpuint(text_only->serial, !=, full->serial);
        g_assert_cmpuint(renders, ==, 1);
        mlx5_snapshot_unref(text_only);
        mlx5_snapshot_unref(full);

        /* No room left to keep slot 1's text: measured, and its answer is what a read renders from. */
        text_only = mlx5_listing_object_text(listing, 1, count_render, count_measure, &renders);
        g_assert_null(text_only->text);
        g_assert_cmpuint(text_only->text_len, ==, PAYLOAD);
        g_assert_nonnull(text_only->raw);
        g_assert_cmpuint(g_bytes_get_size(text_only->raw), ==, outlen);
        mlx5_snapshot_unref(text_only);
        mlx5_snapshot_unref(listing);
        mlx5_cache_free(cache);
}

struct getter {
        mlx5_cache *cache;
        uint32_t device, id;
        int result;
        mlx5_snapshot *snap;
};

static gpointer run_getter(gpointer p)
{
        struct getter *g = p;
        struct mlx5_cache_key key = key_of(g->device, g->id);

        g->result = mlx5_cache_get(g->cache, &key, &g->snap);
        return NULL;
}

static void test_single_flight(void)
{
        struct fake_firmware fw;
        struct getter getters[4];
        GThread *threads[4];
        mlx5_cache *cache;

        fake_init(&fw);
        cache = mlx5_cache_new(G_USEC_PER_SEC * 60, 1 << 20, fake_fetch, &fw);
        fake_set_gate(&fw, true);
        for (unsigned i = 0; i < G_N_ELEMENTS(getters); i++) {
                getters[i] = (struct getter) { .cache = cache, .device = 0, .id = 5 };
                threads[i] = g_thread_new("getter", run_getter, &getters[i]);
        }
        fake_wait_in_fetch(&fw, 1);
        g_usleep(20 * 1000);    /* give the others time to arrive: they must wait, not fetch */
        fake_set_gate(&fw, false);
        for (unsigned i = 0; i < G_N_ELEMENTS(getters); i++) {
                g_thread_join(threads[i]);
                g_assert_cmpint(getters[i].result, ==, 0);
                g_assert_true(getters[i].snap == getters[0].snap);
                mlx5_snapshot_unref(getters[i].snap);
        }
        g_assert_cmpuint(fake_fetches(&fw), ==, 1);
        mlx5_cache_free(cache);
}

static void assert_entries(mlx5_cache *cache, unsigned n)
{
        g_autoptr(GString) stats = g_string_new(NULL);
        g_autofree char *line = g_strdup_printf("cache.entries: %u\n", n);

        mlx5_cache_format_stats(cache, stats);
        g_assert_nonnull(strstr(stats->str, line));
}

/* A refetch that fails drops the stale answer with it. */
static void test_failure_forgets(void)
{
        struct fake_firmware fw;
        struct mlx5_cache_key key = key_of(0, 9);
        mlx5_snapshot *snap = NULL;
        mlx5_cache *cache;

        fake_init(&fw);
        cache = mlx5_cache_new(20 * 1000, 1 << 20, fake_fetch, &fw);
        get_ok(cache, 0, 9);
        assert_entries(cache, 1);
        g_usleep(30 * 1000);
        fw.fail = -EIO;
        g_assert_cmpint(mlx5_cache_get(cache, &key, &snap), ==, -EIO);
        g_assert_null(snap);
        assert_entries(cache, 0);
        mlx5_cache_free(cache);
}

static void test_nonblocking(void)
{
        struct fake_firmware fw;
        struct mlx5_cache_key key = key_of(0, 4);
        g_autoptr(mlx5_snapshot) snap = NULL;
        mlx5_cache *cache;

        fake_init(&fw);
        cache = mlx5_cache_new(G_USEC_PER_SEC * 60, 1 << 20, fake_fetch, &fw);
        mlx5_cache_set_nonblocking(true);
        g_assert_cmpint(mlx5_cache_get(cache, &key, &snap), ==, -EWOULDBLOCK);
        g_assert_cmpuint(fake_fetches(&fw), ==, 0);
        mlx5_cache_set_nonblocking(false);
        get_ok(cache, 0, 4);
        mlx5_cache_set_nonblocking(true);
        get_ok(cache, 0, 4);    /* cached: no need to block */
        mlx5_cache_set_nonblocking(false);
        mlx5_cache_free(cache);
}

/* A fetch under way when its device is dropped answers its caller, and the cache keeps nothing of it. */
static void test_drop_during_fetch(void)
{
        struct fake_firmware fw;
        struct getter getter;
        GThread *thread;
        mlx5_cache *cache;

        fake_init(&fw);
        cache = mlx5_cache_new(G_USEC_PER_SEC * 60, 1 << 20, fake_fetch, &fw);
        get_ok(cache, 1, 1);
        get_ok(cache, 2, 1);
        fake_set_gate(&fw, true);
        getter = (struct getter) { .cache = cache, .device = 1, .id = 2 };
        thread = g_thread_new("getter", run_getter, &getter);
        fake_wait_in_fetch(&fw, 1);
        mlx5_cache_drop_device(cache, 1);
        g_assert_false(cached(cache, 1, 1));
        fake_set_gate(&fw, false);
        g_thread_join(thread);
        g_assert_cmpint(getter.result, ==, 0);
        g_assert_nonnull(getter.snap);
        mlx5_snapshot_unref(getter.snap);
        g_assert_false(cached(cache, 1, 2));
        g_assert_true(cached(cache, 2, 1));
        assert_entries(cache, 1);
        /* The key works again afterwards, from a fresh fetch. */
        get_ok(cache, 1, 2);
        g_assert_cmpuint(fake_fetches(&fw), ==, 4);
        mlx5_cache_free(cache);
}

/*
 * A listing keeps its answers packed: each reads back byte for byte (zeros
 * leading, trailing, inside, in runs shorter and longer than a record is
 * worth, none at all, all zeros), and costs what they hold, not outlen each.
 */
static void test_listing_packs_answers(void)
{
        const size_t outlen = 0x130;
        const unsigned n = 64;
        g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
        g_autofree uint8_t *raws = g_malloc0(n * outlen);
        g_autofree uint8_t *buf = g_malloc(outlen);
        g_autoptr(mlx5_snapshot) listing = NULL, unanswered = NULL, zeros = NULL;
        GRand *rand = g_rand_new_with_seed(7);
        size_t nonzero = 0;

        for (uint32_t id = 0; id < n; id++) {
                uint8_t *raw = raws + id * outlen;

                g_array_append_val(ids, id);
                /* Object id: bytes set with a density and a run length of its own; 0 all zeros, 1 none. */
                for (size_t b = 0; b < outlen && id; b++) {
                        if (id == 1 || (b / (1 + id % 9)) % (2 + id % 5) == 0 || g_rand_int_range(rand, 0, 16) == 0)
                                raw[b] = (uint8_t) g_rand_int_range(rand, 1, 256);
                        nonzero += raw[b] != 0;
                }
        }
        listing = mlx5_snapshot_new_listing(g_array_ref(ids), raws, outlen, memset(g_new(uint8_t, n), 1, n));
        for (unsigned i = 0; i < n; i++) {
                g_autoptr(GBytes) bytes = mlx5_listing_raw_bytes(listing->listing, i);

                memset(buf, 0xa5, outlen);
                g_assert_true(mlx5_listing_raw(listing->listing, i, buf) == buf);
                g_assert_cmpmem(buf, outlen, raws + i * outlen, outlen);
                g_assert_cmpmem(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes), raws + i * outlen, outlen);
        }
        /* Less than the answers whole; and answers all zeros cost nothing but their slots. */
        g_assert_cmpuint(listing->cost, <, n * outlen);
        g_assert_cmpuint(listing->cost, >, nonzero);
        memset(raws, 0, n * outlen);
        zeros = mlx5_snapshot_new_listing(g_array_ref(ids), raws, outlen, memset(g_new(uint8_t, n), 1, n));
        g_assert_cmpuint(zeros->cost, <=, n * 32 + 512);
        g_assert_nonnull(mlx5_listing_raw(zeros->listing, 3, buf));
        g_assert_true(buf[0] == 0 && memcmp(buf, buf + 1, outlen - 1) == 0);

        /* An answer not had reads as none, whatever the bytes packed for its slot. */
        unanswered = mlx5_snapshot_new_listing(g_array_ref(ids), raws, outlen, g_new0(uint8_t, n));
        g_assert_null(mlx5_listing_raw(unanswered->listing, 5, buf));
        g_assert_null(mlx5_listing_raw_bytes(unanswered->listing, 5));
        g_rand_free(rand);
}

static uint64_t stat_of(mlx5_cache *cache, const char *name)
{
        g_autoptr(GString) stats = g_string_new(NULL);
        g_autofree char *prefix = g_strdup_printf("\n%s: ", name);
        const char *at;

        g_string_append_c(stats, '\n');
        mlx5_cache_format_stats(cache, stats);
        at = strstr(stats->str, prefix);
        g_assert_nonnull(at);
        return g_ascii_strtoull(at + strlen(prefix), NULL, 10);
}

struct holder {
        mlx5_cache *cache;
        mlx5_snapshot *leased;  /* what the holder gives back when asked */
        int64_t leased_us;      /* when it was last used */
        unsigned asked;
};

/* As the tree does: what the cache keeps used before the lease goes first, then the lease. */
static void holder_reclaim(void *data)
{
        struct holder *h = data;

        h->asked++;
        if (!h->leased || !mlx5_cache_evict_older(h->cache, h->leased_us))
                return;
        mlx5_cache_unlease(h->cache, h->leased);
        g_clear_pointer(&h->leased, mlx5_snapshot_unref);
}

/*
 * Leased snapshots share the cache's one cap: a listing both leased and
 * kept counts once, its entry is never evicted for nothing while leased,
 * and past the cap with only leases left the holder is asked, once.
 */
static void test_leases_share_the_cap(void)
{
        const size_t entry = PAYLOAD + sizeof(mlx5_snapshot);
        g_autoptr(mlx5_snapshot) probe = make_listing(), listing = NULL, peeked = NULL;
        const size_t cap = probe->cost + 3 * entry;
        struct mlx5_cache_key lkey = { .device = 1, .kind = LISTING_KIND };
        struct fake_firmware fw;
        struct holder holder = { 0 };
        mlx5_cache *cache;

        fake_init(&fw);
        cache = mlx5_cache_new(G_USEC_PER_SEC * 60, cap, fake_fetch, &fw);
        holder.cache = cache;
        mlx5_cache_set_reclaim(cache, holder_reclaim, &holder);
        g_assert_cmpint(mlx5_cache_get(cache, &lkey, &listing), ==, 0);
        g_assert_cmpuint(listing->cost, ==, probe->cost);
        mlx5_cache_lease(cache, listing);
        mlx5_cache_lease(cache, listing);       /* a second directory shows it too */
        for (uint32_t id = 1; id <= 3; id++)
                get_ok(cache, 0, id);
        /* Kept and leased: once. */
        g_assert_cmpuint(stat_of(cache, "cache.leased_bytes"), ==, probe->cost);
        g_assert_cmpuint(stat_of(cache, "cache.leased_apart_bytes"), ==, 0);
        g_assert_cmpuint(stat_of(cache, "cache.bytes"), ==, cap);
        g_assert_cmpuint(stat_of(cache, "cache.evictions"), ==, 0);

        /* One more: the listing is the least recent, but leased; the oldest other goes. */
        get_ok(cache, 0, 4);
        g_assert_true(mlx5_cache_peek(cache, &lkey, &peeked) == 0);
        g_clear_pointer(&peeked, mlx5_snapshot_unref);
        g_assert_false(cached(cache, 0, 1));
        g_assert_true(cached(cache, 0, 2));
        g_assert_cmpuint(stat_of(cache, "cache.evictions"), ==, 1);
        g_assert_cmpuint(holder.asked, ==, 0);

        /* Its entry goes (its device did): still leased, counted apart now, still once. */
        mlx5_cache_drop_device(cache, 1);
        g_assert_cmpuint(stat_of(cache, "cache.leased_apart_bytes"), ==, probe->cost);
        g_assert_cmpuint(stat_of(cache, "cache.bytes"), ==, 3 * entry);
        mlx5_cache_unlease(cache, listing);
        g_assert_cmpuint(stat_of(cache, "cache.leased_bytes"), ==, probe->cost);
        mlx5_cache_unlease(cache, listing);
        g_assert_cmpuint(stat_of(cache, "cache.leased_bytes"), ==, 0);
        g_assert_cmpuint(stat_of(cache, "cache.leased_apart_bytes"), ==, 0);

        /* A lease as big as the cap: what the cache keeps goes, then the holder is asked, once. */
        holder.leased = mlx5_snapshot_new(g_bytes_new_take(g_malloc0(cap), cap), NULL);
        mlx5_cache_lease(cache, holder.leased);
        holder.leased_us = g_get_monotonic_time();
        g_assert_cmpuint(mlx5_cache_over(cache), ==, holder.leased->cost + 3 * entry - cap);
        get_ok(cache, 0, 5);
        g_assert_cmpuint(holder.asked, ==, 1);
        g_assert_null(holder.leased);
        g_assert_cmpuint(stat_of(cache, "cache.reclaims"), ==, 1);
        g_assert_cmpuint(stat_of(cache, "cache.leased_bytes"), ==, 0);
        g_assert_cmpuint(mlx5_cache_over(cache), ==, 0);
        g_assert_true(cached(cache, 0, 5));
        g_assert_cmpuint(stat_of(cache, "cache.peak_bytes"), >, cap);

        /* Within the cap, nothing is asked of the holder, and eviction by age keeps what is newer. */
        get_ok(cache, 0, 6);
        g_assert_cmpuint(holder.asked, ==, 1);
        g_assert_false(mlx5_cache_evict_older(cache, 0));
        g_assert_true(cached(cache, 0, 5) && cached(cache, 0, 6));

        /* An open's text: leases past the cap are asked to go first, once, and the room made is taken. */
        holder.leased = mlx5_snapshot_new(g_bytes_new_take(g_malloc0(cap / 2), cap / 2), NULL);
        mlx5_cache_lease(cache, holder.leased);
        holder.leased_us = g_get_monotonic_time();
        g_assert_cmpint(mlx5_cache_charge_reclaiming(cache, cap - cap / 4), ==, 0);
        g_assert_cmpuint(holder.asked, ==, 2);
        g_assert_null(holder.leased);
        g_assert_cmpuint(mlx5_cache_over(cache), ==, 0);
        mlx5_cache_uncharge(cache, cap - cap / 4);
        /* A lease its holder keeps (in use): asked once, and the text charged beside it all the same. */
        g_clear_pointer(&listing, mlx5_snapshot_unref);
        listing = mlx5_snapshot_new(g_bytes_new_take(g_malloc0(cap / 2), cap / 2), NULL);
        mlx5_cache_lease(cache, listing);
        g_assert_cmpint(mlx5_cache_charge_reclaiming(cache, cap - cap / 4), ==, 0);
        g_assert_cmpuint(holder.asked, ==, 3);
        g_assert_cmpuint(mlx5_cache_over(cache), >, 0);
        /* A text is not kept beside it. */
        g_test_expect_message(G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "cache: kept texts hold*beside the leases*");
        g_assert_cmpint(mlx5_cache_keep(cache, 1), ==, -ENOBUFS);
        g_test_assert_expected_messages();
        mlx5_cache_uncharge(cache, cap - cap / 4);
        /* Past the cap beside what cannot go at all (in flight, kept): refused as before. */
        g_assert_cmpint(mlx5_cache_charge_reclaiming(cache, cap + 1), ==, -ENOBUFS);
        g_assert_cmpuint(holder.asked, ==, 4);
        mlx5_cache_unlease(cache, listing);
        mlx5_cache_free(cache);
}

/* What leaves the budget is given back to the system once 16 MiB went (TRIM_AFTER_BYTES), not at every free. */
static void test_released_memory_trimmed(void)
{
        const size_t mib = 1 << 20;
        struct fake_firmware fw;
        mlx5_cache *cache;

        fake_init(&fw);
        cache = mlx5_cache_new(G_USEC_PER_SEC * 60, 64 * mib, fake_fetch, &fw);
        g_assert_cmpint(mlx5_cache_charge(cache, 10 * mib), ==, 0);
        mlx5_cache_uncharge(cache, 10 * mib);
        g_assert_cmpuint(stat_of(cache, "cache.trims"), ==, 0);
        g_assert_cmpint(mlx5_cache_keep(cache, 7 * mib), ==, 0);
        mlx5_cache_unkeep(cache, 7 * mib);
        get_ok(cache, 0, 1);    /* where no lock is held: the trim is due */
        g_assert_cmpuint(stat_of(cache, "cache.trims"), ==, 1);
        mlx5_cache_charge_building(cache, 15 * mib);
        mlx5_cache_unbuild(cache, 15 * mib);
        g_assert_cmpuint(stat_of(cache, "cache.trims"), ==, 1);
        mlx5_cache_free(cache);
}

/* A listing under construction makes room (evicts) but refuses no reader's charge. */
static void test_building_makes_room_refuses_none(void)
{
        const size_t mib = 1 << 20;
        struct fake_firmware fw;
        mlx5_cache *cache;

        fake_init(&fw);
        cache = mlx5_cache_new(G_USEC_PER_SEC * 60, 4 * mib, fake_fetch, &fw);
        get_ok(cache, 0, 1);
        mlx5_cache_charge_building(cache, 4 * mib);
        /* Held past the cap: what the cache kept went. */
        g_assert_false(cached(cache, 0, 1));
        g_assert_cmpuint(stat_of(cache, "cache.building_bytes"), ==, 4 * mib);
        g_assert_cmpuint(stat_of(cache, "cache.in_flight_bytes"), ==, 0);
        /* As answers in flight, it would refuse this one (-ENOBUFS). */
        g_assert_cmpint(mlx5_cache_charge(cache, mib), ==, 0);
        g_assert_cmpuint(stat_of(cache, "cache.peak_bytes"), >=, 5 * mib);
        mlx5_cache_uncharge(cache, mib);
        mlx5_cache_unbuild(cache, 4 * mib);
        g_assert_cmpuint(stat_of(cache, "cache.building_bytes"), ==, 0);
        mlx5_cache_free(cache);
}

/* A .stats figure of the cache. */
static uint64_t cache_stat(mlx5_cache *cache, const char *name)
{
        g_autoptr(GString) stats = g_string_new(NULL);
        g_autofree char *key = g_strdup_printf("%s: ", name);
        const char *line;

        mlx5_cache_format_stats(cache, stats);
        line = strstr(stats->str, key);
        g_assert_nonnull(line);
        return g_ascii_strtoull(line + strlen(key), NULL, 10);
}

static int fetch_nothing_here(const struct mlx5_cache_key *key, void *user_data, mlx5_snapshot **ret_snap)
{
        return -ENOENT;
}

/*
 * Object texts fill the kept share but for the measures' reserve (cap /
 * 64): a whole listing's measure is still kept with its listing, counted
 * apart, until the listing goes; past the reserve of a full share, it is
 * refused and counted.
 */
static void test_measures_keep_their_reserve(void)
{
        const size_t cap = 64 << 10, text = 1024;
        mlx5_cache *cache = mlx5_cache_new(G_USEC_PER_SEC * 60, cap, fetch_nothing_here, NULL);
        mlx5_snapshot *listing = mlx5_snapshot_new_listing(g_array_new(FALSE, FALSE, sizeof(uint32_t)), NULL, 0,
                                                           g_new0(uint8_t, 1));
        GBytes *measure = g_bytes_new_take(g_malloc0(cap / 64 / 2), cap / 64 / 2);
        unsigned texts = 0;
        GBytes *kept;

        g_test_expect_message(G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "cache: kept texts hold*further texts*");
        while (mlx5_cache_keep(cache, text) == 0)
                texts++;
        g_test_assert_expected_messages();
        /* Texts took the share but the reserve. */
        g_assert_cmpuint(texts, ==, (cap / 2 - cap / 64) / text);
        g_assert_cmpuint(cache_stat(cache, "cache.texts_not_kept"), ==, 1);
        g_assert_false(mlx5_cache_may_keep(cache, text));

        mlx5_listing_set_keeper(listing, cache);
        g_assert_true(mlx5_listing_keep_whole(listing, MLX5_LISTING_WHOLE_SUMMARY, measure));
        g_assert_cmpuint(cache_stat(cache, "cache.kept_measure_bytes"), >, cap / 64 / 2);
        g_assert_cmpuint(cache_stat(cache, "cache.kept_measure_bytes"), <=, cap / 64);
        g_assert_cmpuint(cache_stat(cache, "cache.measures_not_kept"), ==, 0);
        kept = mlx5_listing_kept_whole(listing, MLX5_LISTING_WHOLE_SUMMARY);
        g_assert_true(kept == measure);
        g_bytes_unref(kept);
        /* A second as large: past the reserve, and the share is full. */
        g_test_expect_message(G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "cache: kept texts hold*further measures*");
        g_assert_false(mlx5_listing_keep_whole(listing, MLX5_LISTING_WHOLE_JSONL, measure));
        g_test_assert_expected_messages();
        g_assert_cmpuint(cache_stat(cache, "cache.measures_not_kept"), ==, 1);
        /* Texts never take the reserve, even with measures in it. */
        g_assert_false(mlx5_cache_may_keep(cache, text));

        /* The listing goes: its measure is no longer charged. */
        mlx5_snapshot_unref(listing);
        g_assert_cmpuint(cache_stat(cache, "cache.kept_measure_bytes"), ==, 0);
        g_assert_cmpuint(cache_stat(cache, "cache.kept_text_bytes"), ==, texts * text);
        for (unsigned i = 0; i < texts; i++)
                mlx5_cache_unkeep(cache, text);
        g_bytes_unref(measure);
        mlx5_cache_free(cache);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/cache/hit-and-ttl", test_hit_and_ttl);
        g_test_add_func("/cache/byte-cap-evicts-least-recent", test_byte_cap_evicts_least_recent);
        g_test_add_func("/cache/in-flight-shares-the-cap", test_in_flight_shares_the_cap);
        g_test_add_func("/cache/single-flight", test_single_flight);
        g_test_add_func("/cache/failure-forgets", test_failure_forgets);
        g_test_add_func("/cache/nonblocking", test_nonblocking);
        g_test_add_func("/cache/drop-during-fetch", test_drop_during_fetch);
        g_test_add_func("/cache/listing-keeps-renderings", test_listing_keeps_renderings);
        g_test_add_func("/cache/listing-object-text-only", test_listing_object_text_only);
        g_test_add_func("/cache/listing-packs-answers", test_listing_packs_answers);
        g_test_add_func("/cache/leases-share-the-cap", test_leases_share_the_cap);
        g_test_add_func("/cache/released-memory-trimmed", test_released_memory_trimmed);
        g_test_add_func("/cache/building-makes-room-refuses-none", test_building_makes_room_refuses_none);
        g_test_add_func("/cache/measures-keep-their-reserve", test_measures_keep_their_reserve);
        return g_test_run();
}
