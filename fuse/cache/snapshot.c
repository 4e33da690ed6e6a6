/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "cache/cache.h"
#include "cache/snapshot.h"

/* What a kept rendering costs beyond its bytes: its GBytes and the allocator's headers. */
#define KEPT_OVERHEAD 64

/* Snapshots' serials (atomic): a gsize, 64 bits wide where a daemon lives long enough to count that far. */
static gsize next_serial = 1;

/* Guards every listing's whole-view measures, which a keep replaces (a reader must not see one freed). */
static GMutex whole_lock;

/* A snapshot taken at the times given (a listed object's are its listing's). */
static mlx5_snapshot *snapshot_alloc_at(int64_t taken_realtime_us, int64_t taken_monotonic_us)
{
        mlx5_snapshot *snap = g_new0(mlx5_snapshot, 1);

        snap->refcount = 1;
        snap->taken_realtime_us = taken_realtime_us;
        snap->taken_monotonic_us = taken_monotonic_us;
        snap->cost = sizeof(*snap);
        snap->serial = (uint64_t) g_atomic_pointer_add(&next_serial, 1);
        return snap;
}

static mlx5_snapshot *snapshot_alloc(void)
{
        return snapshot_alloc_at(g_get_real_time(), g_get_monotonic_time());
}

/* Takes raw and text: a snapshot of them, taken by snap (fresh from snapshot_alloc or snapshot_alloc_at). */
static mlx5_snapshot *snapshot_hold(mlx5_snapshot *snap, GBytes *raw, GBytes *text)
{
        snap->raw = raw;
        snap->text = text;
        snap->text_len = text ? g_bytes_get_size(text) : 0;
        snap->cost += (raw ? g_bytes_get_size(raw) : 0) + snap->text_len;
        return snap;
}

mlx5_snapshot *mlx5_snapshot_new(GBytes *raw, GBytes *text)
{
        return snapshot_hold(snapshot_alloc(), raw, text);
}

mlx5_snapshot *mlx5_snapshot_new_object(GBytes *raw, size_t text_len)
{
        mlx5_snapshot *snap = mlx5_snapshot_new(raw, NULL);

        snap->text_len = text_len;
        return snap;
}

mlx5_snapshot *mlx5_snapshot_new_slices(struct mlx5_slices *slices, size_t text_len, size_t cost)
{
        mlx5_snapshot *snap = mlx5_snapshot_new(NULL, NULL);

        g_mutex_init(&slices->lock);
        snap->slices = slices;
        snap->text_len = text_len;
        snap->cost += cost;
        return snap;
}

int mlx5_snapshot_render_slices(mlx5_snapshot *snap, uint64_t off, size_t size, GString *out)
{
        int r;

        g_mutex_lock(&snap->slices->lock);
        r = snap->slices->render(snap->slices, off, size, out);
        g_mutex_unlock(&snap->slices->lock);
        return r;
}

mlx5_snapshot *mlx5_snapshot_new_listing(GArray *ids, const uint8_t *raws, size_t outlen, uint8_t *has_raw)
{
        mlx5_snapshot *snap = snapshot_alloc();
        struct mlx5_listing *l = g_new0(struct mlx5_listing, 1);

        l->ids = ids;
        l->outlen = outlen;
        l->has_raw = has_raw;
        l->text_len = g_new0(gint, ids->len ? ids->len : 1);
        snap->listing = l;
        snap->cost += sizeof(*l) + ids->len * (sizeof(uint32_t) + sizeof(gint) + 1);
        if (outlen) {
                l->packed = g_new0(const uint8_t *, ids->len + 1);
                l->packed_len = g_new0(uint32_t, ids->len + 1);
                l->packs = g_ptr_array_new_with_free_func(g_free);
                snap->cost += ids->len * (sizeof(*l->packed) + sizeof(*l->packed_len));
        }
        if (raws)
                mlx5_listing_pack(snap, 0, raws, ids->len);
        return snap;
}

/*
 * A packed answer is records of: zeros (2 bytes, little-endian), then
 * literal bytes (their count in 2 bytes, then them); what follows the last
 * record is zeros up to outlen.  A literal goes on across fewer than
 * PACK_MIN_ZEROS zeros: a record costs 4 bytes, so shorter runs are not
 * worth one (and the packed answer is never longer than outlen + 4).
 */
#define PACK_MIN_ZEROS 5
#define PACK_MAX_RUN UINT16_MAX

/* The eight bytes at p, the first in the low bits (whatever the host's order). */
static uint64_t load_le64(const uint8_t *p)
{
        uint64_t w;

        memcpy(&w, p, sizeof(w));
        return GUINT64_FROM_LE(w);
}

#define BYTES_LOW  UINT64_C(0x0101010101010101)
#define BYTES_HIGH UINT64_C(0x8080808080808080)

/* Eight bytes a step: a scan a byte at a time was 3% of a cold tar's instructions. */
static size_t zeros_at(const uint8_t *p, size_t at, size_t len)
{
        size_t i = at;

        for (; i + 8 <= len; i += 8) {
                uint64_t w = load_le64(p + i);

                if (w)
                        return i - at + (size_t) __builtin_ctzll(w) / 8;
        }
        while (i < len && !p[i])
                i++;
        return i - at;
}

/* Bytes from at up to the first zero byte (or len). */
static size_t nonzeros_at(const uint8_t *p, size_t at, size_t len)
{
        size_t i = at;

        for (; i + 8 <= len; i += 8) {
                uint64_t w = load_le64(p + i);
                /* The lowest byte flagged is the first zero byte (borrows only flag bytes above it). */
                uint64_t zero = (w - BYTES_LOW) & ~w & BYTES_HIGH;

                if (zero)
                        return i - at + (size_t) __builtin_ctzll(zero) / 8;
        }
        while (i < len && p[i])
                i++;
        return i - at;
}

static void put_u16(uint8_t *p, size_t v)
{
        p[0] = (uint8_t) v;
        p[1] = (uint8_t) (v >> 8);
}

static size_t get_u16(const uint8_t *p)
{
        return (size_t) p[0] | (size_t) p[1] << 8;
}

/*
 * Packs one answer into out, or only measures it when out is NULL: its
 * packed length (at most len + 4 + 4 per PACK_MAX_RUN).  Measuring first
 * lets a chunk's answers go straight into one exact buffer: no scratch the
 * size of the chunk's answers to fault in and copy out of.
 */
static size_t pack_one(const uint8_t *raw, size_t len, uint8_t *out)
{
        size_t at = 0, n = 0;

        for (;;) {
                size_t zeros = MIN(zeros_at(raw, at, len), PACK_MAX_RUN), lit = 0;

                if (at + zeros == len)
                        return n;       /* the rest is zeros */
                at += zeros;
                /* The literal ends before a run worth a record, or at the end. */
                while (at + lit < len && lit < PACK_MAX_RUN) {
                        size_t z = zeros_at(raw, at + lit, len);

                        if (z >= PACK_MIN_ZEROS || at + lit + z == len)
                                break;
                        /* Past a short run of zeros, or over the bytes up to the next zero. */
                        lit += z ? z : MIN(nonzeros_at(raw, at + lit, len), PACK_MAX_RUN - lit);
                }
                lit = MIN(lit, PACK_MAX_RUN);
                if (out) {
                        put_u16(out + n, zeros);
                        put_u16(out + n + 2, lit);
                        memcpy(out + n + 4, raw + at, lit);
                }
                n += 4 + lit;
                at += lit;
        }
}

void mlx5_listing_pack(mlx5_snapshot *listing_snap, unsigned first, const uint8_t *raws, unsigned count)
{
        struct mlx5_listing *l = listing_snap->listing;
        size_t total = 0;
        uint8_t *pack;

        g_return_if_fail(l->packed && first + count <= l->ids->len);
        for (unsigned i = 0; i < count; i++) {
                l->packed_len[first + i] = (uint32_t) pack_one(raws + (size_t) i * l->outlen, l->outlen, NULL);
                total += l->packed_len[first + i];
        }
        if (!total)
                return;
        /* One exact buffer per pack: a listing costs its packed bytes. */
        pack = g_malloc(total);
        g_ptr_array_add(l->packs, pack);
        for (unsigned i = 0; i < count; i++) {
                uint32_t len = l->packed_len[first + i];

                l->packed[first + i] = len ? pack : NULL;
                if (len)
                        pack += pack_one(raws + (size_t) i * l->outlen, l->outlen, pack);
        }
        listing_snap->cost += total;
}

const uint8_t *mlx5_listing_raw(const struct mlx5_listing *l, unsigned slot, uint8_t *buf)
{
        const uint8_t *p, *end;
        size_t at = 0;

        if (slot >= l->ids->len || !l->has_raw[slot] || !l->packed)
                return NULL;
        p = l->packed[slot];
        end = p ? p + l->packed_len[slot] : p;
        while (p < end) {
                size_t zeros = get_u16(p), lit = get_u16(p + 2);

                memset(buf + at, 0, zeros);
                memcpy(buf + at + zeros, p + 4, lit);
                at += zeros + lit;
                p += 4 + lit;
        }
        memset(buf + at, 0, l->outlen - at);
        return buf;
}

GBytes *mlx5_listing_raw_bytes(const struct mlx5_listing *l, unsigned slot)
{
        uint8_t *buf = g_malloc(l->outlen + 1);

        if (!mlx5_listing_raw(l, slot, buf)) {
                g_free(buf);
                return NULL;
        }
        return g_bytes_new_take(buf, l->outlen);
}

void mlx5_object_owner_free(struct mlx5_object_owner *owner)
{
        if (!owner)
                return;
        g_free(owner->comm);
        g_free(owner);
}

void mlx5_listing_set_origin(mlx5_snapshot *listing_snap, uint8_t *found_by, uint16_t *owner_of, GPtrArray *owners)
{
        struct mlx5_listing *l = listing_snap->listing;

        l->found_by = found_by;
        l->owner_of = owner_of;
        l->owners = owners;
        listing_snap->cost += l->ids->len * (sizeof(*found_by) + sizeof(*owner_of)) +
                              (owners ? owners->len * (sizeof(struct mlx5_object_owner) + 32) : 0);
}

void mlx5_listing_set_blobs(mlx5_snapshot *listing_snap, GBytes *blobs, size_t *blob_end)
{
        struct mlx5_listing *l = listing_snap->listing;

        l->blobs = blobs;
        l->blob_end = blob_end;
        listing_snap->cost += g_bytes_get_size(blobs) + l->ids->len * sizeof(*blob_end);
}

/*
 * A snapshot served from a listing: the object as it was when the listing
 * was taken, with its times (no clock read: one open of each file of a
 * grep makes one).
 */
static mlx5_snapshot *listed_snapshot(const mlx5_snapshot *listing_snap, GBytes *raw, GBytes *text, size_t text_len)
{
        mlx5_snapshot *snap = snapshot_hold(snapshot_alloc_at(listing_snap->taken_realtime_us,
                                                              listing_snap->taken_monotonic_us), raw, text);

        if (!text)
                snap->text_len = text_len;
        return snap;
}

mlx5_snapshot *mlx5_listing_blob(mlx5_snapshot *listing_snap, int slot)
{
        const struct mlx5_listing *l = listing_snap->listing;
        size_t begin;

        if (!l->blobs || slot < 0 || (unsigned) slot >= l->ids->len)
                return NULL;
        begin = slot ? l->blob_end[slot - 1] : 0;
        /*
         * A copy, not a slice: a slice would keep every object's bytes alive
         * (the listing's whole blob, tens of MB at 100k objects) for as long as
         * one open file reads one of them, past the listing's eviction.
         */
        return listed_snapshot(listing_snap,
                               g_bytes_new((const uint8_t *) g_bytes_get_data(l->blobs, NULL) + begin,
                                           l->blob_end[slot] - begin),
                               NULL, 0);
}

mlx5_snapshot *mlx5_snapshot_ref(mlx5_snapshot *snap)
{
        g_atomic_int_inc(&snap->refcount);
        return snap;
}

int64_t mlx5_snapshot_expiry_us(const mlx5_snapshot *snap, int64_t default_lifetime_us)
{
        int64_t lifetime = snap->lifetime_us ? snap->lifetime_us : default_lifetime_us;

        return MAX(snap->taken_monotonic_us + lifetime, __atomic_load_n(&snap->renewed_until_us, __ATOMIC_RELAXED));
}

void mlx5_snapshot_renew(mlx5_snapshot *snap, int64_t until_us)
{
        int64_t was = __atomic_load_n(&snap->renewed_until_us, __ATOMIC_RELAXED);

        /* Only ever later: another reader may renew it at the same time. */
        while (was < until_us && !__atomic_compare_exchange_n(&snap->renewed_until_us, &was, until_us, false,
                                                              __ATOMIC_RELAXED, __ATOMIC_RELAXED))
                ;
}

bool mlx5_listing_first_open(mlx5_snapshot *listing_snap, unsigned kind, int slot)
{
        struct mlx5_listing *l = listing_snap->listing;
        guint **opened = g_atomic_pointer_get(&l->opened);
        guint *bits;
        guint bit = 1u << (slot % 32);

        g_return_val_if_fail(kind < MLX5_LISTING_OPEN_KINDS && slot >= 0 && (guint) slot < l->ids->len, false);
        if (!opened) {
                guint **made = g_new0(guint *, MLX5_LISTING_OPEN_KINDS);

                if (!g_atomic_pointer_compare_and_exchange_full(&l->opened, NULL, made, &opened))
                        g_free(made);
                else
                        opened = made;
        }
        bits = g_atomic_pointer_get(&opened[kind]);
        if (!bits) {
                guint *made = g_new0(guint, l->ids->len / 32 + 1);

                if (!g_atomic_pointer_compare_and_exchange_full(&opened[kind], NULL, made, &bits))
                        g_free(made);
                else
                        bits = made;
        }
        return !(g_atomic_int_or(&bits[slot / 32], bit) & bit);
}

void mlx5_snapshot_unref(mlx5_snapshot *snap)
{
        if (!snap || !g_atomic_int_dec_and_test(&snap->refcount))
                return;
        if (snap->raw)
                g_bytes_unref(snap->raw);
        if (snap->text)
                g_bytes_unref(snap->text);
        if (snap->slices) {
                g_mutex_clear(&snap->slices->lock);
                snap->slices->free(snap->slices);
        }
        if (snap->listing) {
                for (unsigned v = 0; v < G_N_ELEMENTS(snap->listing->kept); v++) {
                        for (guint i = 0; snap->listing->kept[v] && i < snap->listing->ids->len; i++)
                                if (snap->listing->kept[v][i])
                                        g_bytes_unref(snap->listing->kept[v][i]);
                        g_free(snap->listing->kept[v]);
                }
                if (snap->listing->kept_bytes)
                        mlx5_cache_unkeep(snap->listing->keeper, snap->listing->kept_bytes);
                for (unsigned v = 0; v < G_N_ELEMENTS(snap->listing->whole); v++)
                        if (snap->listing->whole[v]) {
                                g_bytes_unref(snap->listing->whole[v]);
                                mlx5_cache_unkeep_measure(snap->listing->keeper, snap->listing->whole_bytes[v]);
                        }
                g_array_unref(snap->listing->ids);
                g_free(snap->listing->packed);
                g_free(snap->listing->packed_len);
                if (snap->listing->packs)
                        g_ptr_array_unref(snap->listing->packs);
                g_free(snap->listing->has_raw);
                g_free(snap->listing->text_len);
                g_free(snap->listing->found_by);
                g_free(snap->listing->owner_of);
                if (snap->listing->owners)
                        g_ptr_array_unref(snap->listing->owners);
                if (snap->listing->blobs)
                        g_bytes_unref(snap->listing->blobs);
                g_free(snap->listing->blob_end);
                for (unsigned k = 0; snap->listing->opened && k < MLX5_LISTING_OPEN_KINDS; k++)
                        g_free(snap->listing->opened[k]);
                g_free(snap->listing->opened);
                g_free(snap->listing);
        }
        g_free(snap);
}

int mlx5_listing_find_below(const struct mlx5_listing *listing, unsigned below, uint32_t id)
{
        const uint32_t *ids = (const uint32_t *) (const void *) listing->ids->data;
        unsigned lo = 0, hi = MIN(below, listing->ids->len);

        while (lo < hi) {
                unsigned mid = lo + (hi - lo) / 2;

                if (ids[mid] == id)
                        return (int) mid;
                if (ids[mid] < id)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return -1;
}

int mlx5_listing_find(const struct mlx5_listing *listing, uint32_t id)
{
        return mlx5_listing_find_below(listing, listing->ids->len, id);
}

void mlx5_listing_set_keeper(mlx5_snapshot *listing_snap, mlx5_cache *cache)
{
        listing_snap->listing->keeper = cache;
}

bool mlx5_listing_keep_whole(mlx5_snapshot *listing_snap, enum mlx5_listing_whole view, GBytes *measure)
{
        struct mlx5_listing *l = listing_snap->listing;
        size_t len = g_bytes_get_size(measure) + KEPT_OVERHEAD, old_len;
        GBytes *old;

        if (!l->keeper || mlx5_cache_keep_measure(l->keeper, len) < 0)
                return false;
        g_mutex_lock(&whole_lock);
        old = l->whole[view];
        old_len = l->whole_bytes[view];
        l->whole[view] = g_bytes_ref(measure);
        l->whole_bytes[view] = len;
        g_mutex_unlock(&whole_lock);
        if (old) {
                g_bytes_unref(old);
                mlx5_cache_unkeep_measure(l->keeper, old_len);
        }
        return true;
}

GBytes *mlx5_listing_kept_whole(mlx5_snapshot *listing_snap, enum mlx5_listing_whole view)
{
        struct mlx5_listing *l = listing_snap->listing;
        GBytes *kept;

        g_mutex_lock(&whole_lock);
        kept = l->whole[view] ? g_bytes_ref(l->whole[view]) : NULL;
        g_mutex_unlock(&whole_lock);
        return kept;
}

/* The kept renderings of one view: allocated at the first one kept. */
static GBytes **kept_slots(struct mlx5_listing *l, enum mlx5_listing_view view)
{
        GBytes **slots = g_atomic_pointer_get(&l->kept[view]);

        if (slots)
                return slots;
        slots = g_new0(GBytes *, l->ids->len);
        if (!g_atomic_pointer_compare_and_exchange(&l->kept[view], NULL, slots)) {
                g_free(slots);
                slots = g_atomic_pointer_get(&l->kept[view]);
        }
        return slots;
}

/* The kept rendering of a view of slot, referenced, or NULL. */
static GBytes *kept_rendering(struct mlx5_listing *l, int slot, enum mlx5_listing_view view)
{
        GBytes **slots = g_atomic_pointer_get(&l->kept[view]);
        GBytes *kept = slots ? g_atomic_pointer_get(&slots[slot]) : NULL;

        return kept ? g_bytes_ref(kept) : NULL;
}

/* Renders slot's answer raw for view, and keeps the text if there is room (kept_rendering first). */
static GBytes *render_slot(struct mlx5_listing *l, int slot, enum mlx5_listing_view view, GBytes *raw,
                           GBytes *(*render)(GBytes *raw, void *data), void *data)
{
        GBytes **slots, *text, *kept;
        size_t len;

        text = render(raw, data);
        /* A render that cannot finish now (it would wait on firmware) says why through data. */
        if (!text)
                return NULL;
        if (view == MLX5_LISTING_TEXT)
                g_atomic_int_set(&l->text_len[slot], (gint) g_bytes_get_size(text));
        len = g_bytes_get_size(text) + KEPT_OVERHEAD;
        if (!l->keeper || mlx5_cache_keep(l->keeper, len) < 0)
                return text;
        /* Rendering is deterministic: a racing thread's text is the same; the first one is kept. */
        slots = kept_slots(l, view);
        if (!g_atomic_pointer_compare_and_exchange(&slots[slot], NULL, text)) {
                mlx5_cache_unkeep(l->keeper, len);
                kept = g_bytes_ref(g_atomic_pointer_get(&slots[slot]));
                g_bytes_unref(text);
                return kept;
        }
        g_atomic_pointer_add(&l->kept_bytes, (gssize) len);
        return g_bytes_ref(text);
}

GBytes *mlx5_listing_render(mlx5_snapshot *listing_snap, int slot, enum mlx5_listing_view view,
                            GBytes *(*render)(GBytes *raw, void *data), void *data)
{
        struct mlx5_listing *l = listing_snap->listing;
        g_autoptr(GBytes) raw = NULL;
        GBytes *kept;

        if (slot < 0 || (unsigned) slot >= l->ids->len || !l->has_raw[slot])
                return NULL;
        kept = kept_rendering(l, slot, view);
        if (kept)
                return kept;
        raw = mlx5_listing_raw_bytes(l, (unsigned) slot);
        return render_slot(l, slot, view, raw, render, data);
}

static mlx5_snapshot *listing_object(mlx5_snapshot *listing_snap, int slot, bool text_only,
                                     GBytes *(*render)(GBytes *raw, void *data),
                                     size_t (*measure)(GBytes *raw, void *data), void *data)
{
        struct mlx5_listing *l = listing_snap->listing;
        GBytes *raw, *text;
        gint len;

        if (slot < 0 || (unsigned) slot >= l->ids->len || !l->has_raw[slot])
                return NULL;
        text = kept_rendering(l, slot, MLX5_LISTING_TEXT);
        len = g_atomic_int_get(&l->text_len[slot]);
        /* Its kept text is all a text-only reader reads: no answer unpacked (and freed) per open. */
        if (text && text_only)
                return listed_snapshot(listing_snap, NULL, text, 0);
        raw = mlx5_listing_raw_bytes(l, (unsigned) slot);
        if (!text && len == 0 && render) {
                size_t like = (size_t) g_atomic_int_get(&l->text_hint) + KEPT_OVERHEAD;

                if (measure && l->keeper && !mlx5_cache_may_keep(l->keeper, like)) {
                        /* No room to keep one like the last: only measured (a million texts, never built). */
                        len = (gint) measure(raw, data);
                        g_atomic_int_set(&l->text_len[slot], len);
                } else {
                        /* Never rendered: rendered now, and kept if there is room. */
                        g_bytes_unref(render_slot(l, slot, MLX5_LISTING_TEXT, raw, render, data));
                        text = kept_rendering(l, slot, MLX5_LISTING_TEXT);
                        len = g_atomic_int_get(&l->text_len[slot]);
                }
                g_atomic_int_set(&l->text_hint, len);
        }
        /* A text not kept is only measured: an open renders (and charges) it for itself. */
        return listed_snapshot(listing_snap, raw, text, (size_t) len);
}

mlx5_snapshot *mlx5_listing_object(mlx5_snapshot *listing_snap, int slot,
                                   GBytes *(*render)(GBytes *raw, void *data),
                                   size_t (*measure)(GBytes *raw, void *data), void *data)
{
        return listing_object(listing_snap, slot, false, render, measure, data);
}

mlx5_snapshot *mlx5_listing_object_text(mlx5_snapshot *listing_snap, int slot,
                                        GBytes *(*render)(GBytes *raw, void *data),
                                        size_t (*measure)(GBytes *raw, void *data), void *data)
{
        return listing_object(listing_snap, slot, true, render, measure, data);
}
