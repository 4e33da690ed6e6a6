/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What files contain: each snapshot is produced here from one firmware
 * answer (or, for info and .stats, generated text), decoded through the
 * schema.  Runs without any tree lock held.
 */
#include <errno.h>
#include <string.h>

#include "prm/mbox.h"
#include "transport/cancel.h"
#include "tree/tree-private.h"
#include "tree/views.h"

int tree_get_content(mlx5_tree *tree, enum content_kind kind, uint32_t dev, uint32_t sub, uint32_t id,
                     mlx5_snapshot **ret_snap)
{
        struct mlx5_cache_key key = { .device = dev, .kind = kind, .sub = sub, .id = id };

        /* Listings are fetched by their stream's runner: readers join it. */
        if (kind == CONTENT_LISTING)
                return tree_stream_listing(tree, dev, sub, ret_snap);
        return mlx5_cache_get(tree->cache, &key, ret_snap);
}

static void render_object(GString *out, const mlx5_schema_resource *res, GBytes *raw)
{
        gsize len;
        const uint8_t *p = g_bytes_get_data(raw, &len);

        mlx5_decode_resource(out, res, p, len);
}

void tree_scratch_free(gpointer s)
{
        g_string_free(s, TRUE);
}

GString *tree_scratch(GPrivate *key)
{
        GString *s = g_private_get(key);

        if (!s) {
                s = g_string_sized_new(8192);
                g_private_set(key, s);
        }
        g_string_truncate(s, 0);
        return s;
}

GBytes *tree_object_render(GBytes *raw, void *user_data)
{
        static GPrivate scratch = G_PRIVATE_INIT(tree_scratch_free);
        GString *text = tree_scratch(&scratch);

        render_object(text, user_data, raw);
        /* Kept texts take what they hold, not a doubling buffer's slack (a CQ's text is 500 bytes). */
        return g_bytes_new(text->str, text->len);
}

size_t tree_object_measure(GBytes *raw, void *user_data)
{
        gsize len;
        const uint8_t *p = g_bytes_get_data(raw, &len);

        return mlx5_decode_resource_len(user_data, p, len);
}

GBytes *tree_object_text(const mlx5_schema_resource *res, const mlx5_snapshot *snap)
{
        GString *text;

        if (snap->text)
                return g_bytes_ref(snap->text);
        text = g_string_sized_new(snap->text_len + 1);
        render_object(text, res, snap->raw);
        /* Same bytes, same decoder: the length stat() reported. */
        g_warn_if_fail(text->len == snap->text_len);
        return g_string_free_to_bytes(text);
}

/* One object by its own query: its text rendered once, kept (and charged) with the snapshot. */
static int fetch_object(mlx5_device *dev, uint32_t res_index, uint32_t id, mlx5_snapshot **ret_snap)
{
        const mlx5_schema_resource *res = mlx5_schema_resource_at(dev->schema, res_index);
        GBytes *raw = NULL;
        int r;

        r = mlx5_device_query(dev, res, id, &raw);
        if (r < 0)
                return r;
        *ret_snap = mlx5_snapshot_new(raw, tree_object_render(raw, (gpointer) res));
        return 0;
}

static int fetch_caps(mlx5_device *dev, uint32_t caps_index, bool current, mlx5_snapshot **ret_snap)
{
        const mlx5_schema_caps *caps = mlx5_schema_caps_at(dev->schema, caps_index);
        GString *text = g_string_sized_new(8192);
        GBytes *raw = NULL;
        gsize len;
        const uint8_t *p;
        int r;

        r = mlx5_device_query_caps(dev, caps, current, &raw);
        if (r < 0) {
                g_string_free(text, TRUE);
                return r;
        }
        p = g_bytes_get_data(raw, &len);
        mlx5_decode_struct(text, caps->layout, p + MLX5_MBOX_HDR_LEN, len - MLX5_MBOX_HDR_LEN);
        *ret_snap = mlx5_snapshot_new(raw, g_string_free_to_bytes(text));
        return 0;
}


/* Objects of every type of the device, as its latest listings counted them. */
int64_t tree_device_objects(mlx5_tree *tree, struct tree_device *td)
{
        int64_t n = 0;

        for (unsigned i = 0; i < mlx5_schema_n_resources(tree->schema); i++)
                n += g_atomic_int_get(&td->listed[i]);
        return n;
}

/*
 * How long a listing of a device holding this many objects is reused.
 * Listing again costs a dump and a query per object, so the listings of a
 * big device live longer: refreshing them all costs the firmware about
 * 1000 commands a second at most, however often they are read.  A walk
 * that opens files of the device renews its listings for this long from
 * each new file (tree.c renew_listing), so walking the device (grep -r, tar
 * with its raw/ twins) sees one picture; renewing only lengthens lives, so
 * the bound stays.
 */
int64_t tree_listing_lifetime_us(mlx5_tree *tree, int64_t objects)
{
        return MAX(tree->options.ttl_us, objects * LISTING_LIFETIME_PER_OBJECT_US);
}

/* The numbers the answers of a listing of from hold for target, appended to ids. */
static void add_refs(const mlx5_schema_resource *from, const mlx5_schema_resource *target,
                     const struct mlx5_listing *l, GArray *ids)
{
        g_autofree uint8_t *raw = g_malloc(l->outlen + 1);

        for (unsigned i = 0; i < l->ids->len; i++)
                if (mlx5_listing_raw(l, i, raw))
                        mlx5_inventory_add_refs(from, target, raw, 1, &l->has_raw[i], ids);
}

/*
 * The numbers other types' contexts hold for this type (schema `ref`), from
 * their current listings: listing a CQ directory lists the QPs first.  The
 * schema refuses reference cycles, so this recursion ends.
 */
static int referenced_ids(mlx5_tree *tree, struct tree_device *td, uint32_t res_index, GArray **ret_ids)
{
        const mlx5_schema *schema = td->dev->schema;
        const mlx5_schema_resource *target = mlx5_schema_resource_at(schema, res_index);
        g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(uint32_t));

        for (unsigned i = 0; i < mlx5_schema_n_resources(schema); i++) {
                const mlx5_schema_resource *from = mlx5_schema_resource_at(schema, i);
                g_autoptr(mlx5_snapshot) listing = NULL;
                bool names_target = false;
                int r;

                for (guint k = 0; k < from->refs->len; k++)
                        names_target |= g_array_index(from->refs, mlx5_schema_objref, k).target == target;
                if (!names_target || td->dev->listing[i].absent)
                        continue;
                r = tree_get_content(tree, CONTENT_LISTING, td->slot, i, 0, &listing);
                if (r == -ENODEV)
                        return r;
                if (r < 0)
                        continue;
                add_refs(from, target, listing->listing, ids);
        }
        *ret_ids = g_steal_pointer(&ids);
        return 0;
}

static int fetch_ids(mlx5_tree *tree, struct tree_device *td, uint32_t res_index, mlx5_snapshot **ret_snap)
{
        g_autoptr(GArray) referenced = NULL;
        g_autoptr(mlx5_inventory_found) found = NULL;
        g_autoptr(tree_stream) s = tree_stream_for_fetch(tree, td->slot, res_index);
        GArray *ids;
        int r;

        r = referenced_ids(tree, td, res_index, &referenced);
        if (r < 0)
                return r;
        /* The listing's stream previews the first candidates while the rest arrive. */
        r = mlx5_inventory_collect_watched(td->inventory, res_index, referenced, tree_stream_arrived, s, &found);
        if (r < 0)
                return r;
        ids = g_steal_pointer(&found->ids);
        *ret_snap = mlx5_snapshot_new_listing(ids, NULL, 0, g_new0(uint8_t, ids->len ? ids->len : 1));
        mlx5_listing_set_origin(*ret_snap, (uint8_t *) (void *) g_array_free(g_steal_pointer(&found->found_by), FALSE),
                                (uint16_t *) (void *) g_array_free(g_steal_pointer(&found->owner_of), FALSE),
                                g_steal_pointer(&found->owners));
        (*ret_snap)->lifetime_us = tree_listing_lifetime_us(tree, tree_device_objects(tree, td));
        return 0;
}

/* Keeps a candidate whose query failed?  Only if a host source says it exists. */
static bool keep_failed(struct tree_device *td, const struct mlx5_listing *nl, unsigned i, int result)
{
        uint8_t found_by = nl->found_by[i];

        if (result == -ENOENT) {
                if (found_by & MLX5_INV_PROBE)
                        g_atomic_int_inc(&td->inventory->stats.probe_misses);
                else if (found_by & MLX5_INV_REF)
                        g_atomic_int_inc(&td->inventory->stats.ref_misses);
                return false;
        }
        return found_by & MLX5_INV_CONFIRMING;
}

/*
 * The listing fetch_listing fills, with a slot for every candidate: the
 * slots are filled in order, and only those filled are ever read (then the
 * listing is trimmed to them).
 */
static mlx5_snapshot *listing_new(mlx5_tree *tree, struct tree_device *td, uint32_t res_index,
                                  const struct mlx5_listing *nl)
{
        const mlx5_schema_resource *res = mlx5_schema_resource_at(td->dev->schema, res_index);
        unsigned n = nl->ids->len;
        GArray *ids = g_array_sized_new(FALSE, FALSE, sizeof(uint32_t), n);
        mlx5_snapshot *snap;

        g_array_set_size(ids, n);
        snap = mlx5_snapshot_new_listing(ids, NULL, res->outlen, g_new0(uint8_t, n + 1));
        mlx5_listing_set_origin(snap, g_new0(uint8_t, n + 1), g_new0(uint16_t, n + 1),
                                nl->owners ? g_ptr_array_ref(nl->owners) : NULL);
        mlx5_listing_set_keeper(snap, tree->cache);
        /* At least what it will keep: the device's objects with this listing's candidates for its type's. */
        snap->lifetime_us = tree_listing_lifetime_us(tree, tree_device_objects(tree, td) -
                                                             g_atomic_int_get(&td->listed[res_index]) + n);
        return snap;
}

/*
 * A listing under way holds size bytes (with its buffers), charged so far:
 * what it holds counts in the cache's cap as it grows, so listings no
 * longer in use make room while it is built, not once it is whole beside
 * them.
 */
static void charge_listing_growth(mlx5_tree *tree, size_t size, size_t *charged)
{
        if (size <= *charged)
                return;
        mlx5_cache_charge_building(tree->cache, size - *charged);
        *charged = size;
}

/*
 * Candidates asked in one go: the first chunk about one readdir buffer of
 * names (ls shows them after that many commands), each next one twice as
 * big, up to LISTING_MAX_CHUNK (a pause between chunks costs the slots a
 * command's latency at most once a chunk).  Never fewer than the slots.
 */
#define LISTING_FIRST_CHUNK 128
#define LISTING_MAX_CHUNK 8192

/*
 * A point-in-time listing: the inventory's candidates, then every one's
 * query, in parallel, chunk after chunk in order, each published to the
 * listing's stream as it is resolved (a reader sees the first entries after
 * the first chunk).  Numbers no object holds are left out; objects a host
 * source vouches for but whose query failed stay listed without bytes
 * (reading them asks firmware again).
 */
static int fetch_listing(mlx5_tree *tree, struct tree_device *td, uint32_t res_index, mlx5_snapshot **ret_snap)
{
        const mlx5_schema_resource *res = mlx5_schema_resource_at(td->dev->schema, res_index);
        g_autoptr(tree_stream) s = tree_stream_for_fetch(tree, td->slot, res_index);
        unsigned slots = td->dev->transport->max_inflight;
        unsigned first = MAX(LISTING_FIRST_CHUNK, slots), max_chunk = MAX(LISTING_MAX_CHUNK, slots);
        g_autoptr(mlx5_snapshot) numbers = NULL, listing = NULL;
        const struct mlx5_listing *nl;
        struct mlx5_listing *l;
        g_autofree int *results = NULL;
        g_autofree int32_t *slot_of = NULL;
        g_autofree uint32_t *ask = NULL;
        g_autofree uint8_t *raws = NULL;
        const uint32_t *candidates;
        struct mlx5_deadline deadline;
        unsigned n, kept = 0;
        size_t scratch = 0, charged = 0;
        char who[96];
        int r = 0;

        tree_stream_set_preview(s, first);
        r = tree_get_content(tree, CONTENT_IDS, td->slot, res_index, 0, &numbers);
        if (r < 0)
                return r;
        nl = numbers->listing;
        n = nl->ids->len;
        candidates = (const uint32_t *) (const void *) nl->ids->data;
        listing = listing_new(tree, td, res_index, nl);
        l = listing->listing;
        tree_stream_begin(s, numbers, listing);

        results = g_new(int, MIN(n, max_chunk) + 1);
        slot_of = g_new(int32_t, MIN(n, max_chunk) + 1);
        ask = g_new(uint32_t, MIN(n, max_chunk) + 1);
        g_snprintf(who, sizeof(who), "%s: listing %s", td->dev->pci_name, res->name);
        mlx5_deadline_init(&deadline, MLX5_LIMIT_LIST_TIME, mlx5_limits_get()->list_max_us);
        for (unsigned at = 0, chunk = first, c; at < n; at += c, chunk = MIN(chunk * 2, max_chunk)) {
                unsigned chunk_kept = kept, m = 0;
                int result;

                c = MIN(chunk, n - at);
                /* One chunk's answers, packed into the listing before its slots are published: as big as the chunk. */
                if ((size_t) c * res->outlen > scratch) {
                        scratch = (size_t) c * res->outlen;
                        g_free(raws);
                        raws = g_malloc(scratch);
                }
                charge_listing_growth(tree, scratch + listing->cost, &charged);
                /* The preview's answers are taken; the others are asked, into the chunk's last slots. */
                for (unsigned j = 0; j < c; j++)
                        if (!tree_stream_previewed(s, candidates[at + j], NULL, &result))
                                ask[m++] = candidates[at + j];
                /* Past list_timeout, the objects not yet asked stay listed without bytes. */
                if (mlx5_deadline_check(&deadline, who) < 0)
                        for (unsigned k = 0; k < m; k++)
                                results[k] = -ETIMEDOUT;
                else
                        mlx5_device_query_many(td->dev, res, ask, m, &deadline,
                                               raws + (size_t) (c - m) * res->outlen, results);
                for (unsigned j = 0, k = 0; j < c; j++) {
                        unsigned i = at + j;
                        uint8_t *to = raws + (size_t) (kept - chunk_kept) * res->outlen;
                        const uint8_t *from = NULL;

                        /* Slot kept is below every answer not yet taken: the preview's bytes go there at once. */
                        if (!tree_stream_previewed(s, candidates[i], to, &result)) {
                                from = raws + (size_t) (c - m + k) * res->outlen;
                                result = results[k++];
                        }
                        /* A device gone, or the daemon stopping: no listing to keep. */
                        if (result == -ENODEV || result == -EINTR) {
                                r = result;
                                break;
                        }
                        slot_of[j] = -1;
                        if (result < 0 && !keep_failed(td, nl, i, result))
                                continue;
                        /* Compacted in place, to the chunk's slots; one not answered is zeros (packs to nothing). */
                        if (result == 0 && from && from != to)
                                memmove(to, from, res->outlen);
                        else if (result < 0)
                                memset(to, 0, res->outlen);
                        l->has_raw[kept] = result == 0;
                        l->found_by[kept] = nl->found_by[i];
                        l->owner_of[kept] = nl->owner_of[i];
                        g_array_index(l->ids, uint32_t, kept) = candidates[i];
                        slot_of[j] = (int32_t) kept++;
                }
                if (r < 0)
                        break;
                mlx5_listing_pack(listing, chunk_kept, raws, kept - chunk_kept);
                charge_listing_growth(tree, scratch + listing->cost, &charged);
                tree_stream_publish(s, slot_of, c, kept);
        }
        mlx5_cache_unbuild(tree->cache, charged);
        if (r < 0)
                return r;
        tree_stream_trim(s, kept);
        g_atomic_int_set(&td->listed[res_index], (gint) kept);
        *ret_snap = g_steal_pointer(&listing);
        return 0;
}

/* Appends the lines of text (len bytes), each prefixed. */
static void append_prefixed(GString *out, const char *prefix, const char *text, size_t len)
{
        const char *end = text + len;

        for (const char *line = text; line < end;) {
                const char *nl = memchr(line, '\n', (size_t) (end - line));
                size_t n = nl ? (size_t) (nl - line + 1) : (size_t) (end - line);

                g_string_append(out, prefix);
                g_string_append_len(out, line, (gssize) n);
                line += n;
        }
}

/*
 * "found.qp: netlink 96, debugfs 96" — how many listed objects each source
 * named (an object may be named by several) — and which sources this type
 * has at all; numbers no source names are still read by name.
 */
static void append_found_by(GString *text, const char *type, const struct mlx5_listing *l, unsigned sources)
{
        static const char *const names[] = { "netlink", "debugfs", "resource_dump", "probe", "references" };
        unsigned counts[G_N_ELEMENTS(names)] = { 0 };
        unsigned any = 0;

        for (unsigned i = 0; l->found_by && i < l->ids->len; i++)
                for (unsigned b = 0; b < G_N_ELEMENTS(names); b++)
                        counts[b] += (l->found_by[i] >> b) & 1;
        g_string_append_printf(text, "found.%s:", type);
        for (unsigned b = 0; b < G_N_ELEMENTS(names); b++)
                if (sources & (1u << b))
                        g_string_append_printf(text, "%s %s %u", any++ ? "," : "", names[b], counts[b]);
        g_string_append_printf(text, "%s; any other number is read by name\n", any ? "" : " no source");
}

static int fetch_info(mlx5_tree *tree, struct tree_device *td, mlx5_snapshot **ret_snap)
{
        mlx5_device *dev = td->dev;
        const struct mlx5_transport_identity *id = &dev->transport->id;
        const mlx5_schema_resource *adapter = mlx5_schema_find_resource(dev->schema, "adapter");
        unsigned n_res = mlx5_schema_n_resources(dev->schema);
        GString *text = g_string_sized_new(1024);

        g_string_append_printf(text, "transport: %s\n", id->kind);
        g_string_append_printf(text, "device_node: %s\n", id->node);
        g_string_append_printf(text, "pci_address: %s\n", dev->pci_name);
        g_string_append_printf(text, "vhca_id: 0x%x\n", dev->vhca_id);
        g_string_append_printf(text, "uctx_uid: 0x%x\n", id->uctx_uid);
        g_string_append_printf(text, "uctx_cap: 0x%x\n", id->uctx_cap);
        g_string_append_printf(text, "dev_uctx_cap: 0x%x\n", dev->uctx_caps);
        g_string_append_printf(text, "resource_dump: %d\n", dev->resource_dump);

        if (adapter && !adapter->has_id) {
                g_autoptr(mlx5_snapshot) snap = NULL;

                if (tree_get_content(tree, CONTENT_OBJECT, td->slot,
                                     (uint32_t) (adapter - mlx5_schema_resource_at(dev->schema, 0)), 0,
                                     &snap) == 0)
                {
                        g_autoptr(GBytes) adapter_text = tree_object_text(adapter, snap);

                        gsize len;
                        const char *data = g_bytes_get_data(adapter_text, &len);

                        append_prefixed(text, "adapter.", data, len);
                }
        }

        g_string_append_printf(text, "host_views: %s\n", dev->host ? dev->host->name : "none");
        for (unsigned i = 0; i < n_res; i++) {
                const mlx5_schema_resource *res = mlx5_schema_resource_at(dev->schema, i);
                g_autoptr(mlx5_snapshot) listing = NULL;
                int r;

                if (!res->has_id)
                        continue;
                if (dev->listing[i].absent) {
                        g_string_append_printf(text, "objects.%s: absent (%s)\n", res->name,
                                               dev->listing[i].absent);
                        continue;
                }
                r = tree_get_content(tree, CONTENT_LISTING, td->slot, i, 0, &listing);
                if (r < 0) {
                        g_string_append_printf(text, "objects.%s: error (%s)\n", res->name, g_strerror(-r));
                        continue;
                }
                g_string_append_printf(text, "objects.%s: %u\n", res->name, listing->listing->ids->len);
                append_found_by(text, res->name, listing->listing, mlx5_inventory_sources(td->inventory, i));
        }
        *ret_snap = mlx5_snapshot_new(NULL, g_string_free_to_bytes(text));
        return 0;
}

mlx5_snapshot *tree_stats_snapshot(mlx5_tree *tree)
{
        GString *text = g_string_sized_new(4096);

        mlx5_cache_format_stats(tree->cache, text);
        mlx5_limits_format_stats(text);
        tree_format_lease_stats(tree, text);
        tree_format_caller_view_stats(tree, text);
        tree_format_stream_stats(tree, text);
        tree_format_dir_cache_stats(tree, text);
        mlx5_cancel_format_stats(text);
        tree_format_lines_stats(text);
        tree_format_json_stats(text);
        for (unsigned slot = 0;; slot++) {
                g_autoptr(tree_device) td = NULL;
                g_autoptr(GString) dev_text = g_string_new(NULL);
                g_autofree char *prefix = NULL;
                bool past_end;

                g_rw_lock_reader_lock(&tree->lock);
                past_end = slot >= tree->devices->len;
                g_rw_lock_reader_unlock(&tree->lock);
                if (past_end)
                        break;
                td = tree_device_get(tree, slot);
                if (!td)
                        continue;
                mlx5_transport_format_stats(td->dev->transport, dev_text);
                mlx5_inventory_format_stats(td->inventory, dev_text);
                prefix = g_strdup_printf("%s.", td->dev->pci_name);
                append_prefixed(text, prefix, dev_text->str, dev_text->len);
        }
        return mlx5_snapshot_new(NULL, g_string_free_to_bytes(text));
}

/* One resource dump of record, as firmware returned it: id is the object (index1) if it has one. */
static int dump_of(struct tree_device *td, uint32_t record, uint32_t id, GBytes **ret_stream)
{
        const struct mlx5_menu_record *m;

        if (record >= td->dev->menu->len)
                return -ENOENT;
        m = &g_array_index(td->dev->menu, struct mlx5_menu_record, record);
        return mlx5_device_dump(td->dev, m, m->must_index1, id, ret_stream);
}

/* One resource dump, as firmware returned it: sub is the menu record, id the object (index1) if it has one. */
static int fetch_rscdump(struct tree_device *td, uint32_t record, uint32_t id, mlx5_snapshot **ret_snap)
{
        GBytes *stream = NULL;
        int r;

        r = dump_of(td, record, id, &stream);
        if (r < 0)
                return r;
        *ret_snap = mlx5_snapshot_new(stream, NULL);
        return 0;
}

/*
 * The objects a per-object segment directory lists: those of its type's
 * listing that firmware dumps with the record (a QP without a send queue
 * has no SND_BUFF, for one), with their dumps: so a walk of the tree reads
 * every file it lists, as it was, while the listing lives (objects come and
 * go meanwhile).  The dumps are asked in parallel (mlx5_device_run_many),
 * not through the cache (the listing keeps them, and the cache would count
 * each twice), DUMP_LIST_CHUNK at a time, each chunk's packed into the
 * listing's one buffer as it ends: a dump's own buffer (grown by doubling
 * as its chunks come) and its snapshot live only until then.
 */
#define DUMP_LIST_CHUNK 4096

struct listed_dumps {
        struct tree_device *td;         /* a reference */
        uint32_t record;
        GBytes *asked;                  /* a reference: the numbers asked (uint32_t) */
        unsigned at;                    /* the chunk's first */
};

/* The batch's: a dump still in firmware after its reader left ends here. */
static void listed_dumps_free(gpointer data)
{
        struct listed_dumps *d = data;

        tree_device_unref(d->td);
        g_bytes_unref(d->asked);
        g_free(d);
}

static int dump_listed(unsigned i, void *data, gpointer *ret_item)
{
        struct listed_dumps *d = data;
        const uint32_t *ids = g_bytes_get_data(d->asked, NULL);

        return dump_of(d->td, d->record, ids[d->at + i], (GBytes **) ret_item);
}

/*
 * The dumps of one chunk appended to the listing's: ids, their ends in
 * blobs, blobs (grown by exactly the chunk's bytes: grown by doubling, a
 * 100k-object segment's buffer held up to twice its dumps while it was
 * built, beside everything the cache holds).
 */
static int pack_dumps(const uint32_t *ids, GBytes **dumps, const int *results, unsigned n, GArray *kept_ids,
                      GArray *ends, uint8_t **io_blobs, size_t *io_size)
{
        size_t chunk = 0;
        int r = 0;

        for (unsigned i = 0; i < n; i++) {
                /* A device gone, or a reader gone: no listing to keep. */
                if (results[i] == -ENODEV || results[i] == -EINTR)
                        r = r ? r : results[i];
                if (results[i] >= 0 && dumps[i])
                        chunk += g_bytes_get_size(dumps[i]);
        }
        if (r == 0 && chunk)
                *io_blobs = g_realloc(*io_blobs, *io_size + chunk);
        for (unsigned i = 0; i < n && r == 0; i++) {
                gsize len;
                const void *data;

                if (results[i] < 0 || !dumps[i])
                        continue;
                data = g_bytes_get_data(dumps[i], &len);
                memcpy(*io_blobs + *io_size, data, len);
                *io_size += len;
                g_array_append_val(kept_ids, ids[i]);
                g_array_append_val(ends, *io_size);
        }
        for (unsigned i = 0; i < n; i++)
                if (dumps[i])
                        g_bytes_unref(g_steal_pointer(&dumps[i]));
        return r;
}

static int fetch_rscdump_list(mlx5_tree *tree, struct tree_device *td, uint32_t record, mlx5_snapshot **ret_snap)
{
        g_autoptr(mlx5_snapshot) listing = NULL;
        const struct mlx5_menu_record *m;
        g_autofree GBytes **got = NULL;
        g_autofree int *results = NULL;
        g_autofree uint8_t *blobs = NULL;
        g_autoptr(GArray) ids = NULL, ends = NULL;
        g_autoptr(GBytes) asked = NULL;
        size_t size = 0, charged = 0;
        int64_t taken_realtime_us, lifetime_us;
        int res_index, r = 0;
        unsigned n;

        if (record >= td->dev->menu->len)
                return -ENOENT;
        m = &g_array_index(td->dev->menu, struct mlx5_menu_record, record);
        res_index = tree_segment_type(tree, m);
        if (!m->must_index1 || res_index < 0 || td->dev->listing[res_index].absent)
                return -ENOENT;
        r = tree_listing(tree, td->slot, (uint32_t) res_index, &listing);
        if (r < 0)
                return r;
        n = listing->listing->ids->len;
        /*
         * Its numbers alone are kept for the dumps: the type's listing may go
         * for memory while they are taken, not stay alive uncounted beside them.
         */
        asked = g_bytes_new(listing->listing->ids->data, (size_t) n * sizeof(uint32_t));
        lifetime_us = listing->lifetime_us;
        g_clear_pointer(&listing, mlx5_snapshot_unref);
        got = g_new0(GBytes *, MIN(n, DUMP_LIST_CHUNK) + 1);
        results = g_new(int, MIN(n, DUMP_LIST_CHUNK) + 1);
        ids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
        ends = g_array_new(FALSE, FALSE, sizeof(size_t));
        /* Its files' mtime: when its dumps began (fresh, as a type's listing, from when it is whole). */
        taken_realtime_us = g_get_real_time();
        for (unsigned at = 0, c; at < n && r == 0; at += c) {
                struct listed_dumps *d = g_new(struct listed_dumps, 1);

                c = MIN(n - at, DUMP_LIST_CHUNK);
                g_atomic_int_inc(&td->refcount);
                *d = (struct listed_dumps) { .td = td, .record = record, .asked = g_bytes_ref(asked), .at = at };
                /* One dump a command slot, as a listing's queries: a walk waits for the firmware once, not per object. */
                mlx5_device_run_many(td->dev, c, dump_listed, d, listed_dumps_free, (GDestroyNotify) g_bytes_unref,
                                     (gpointer *) got, results);
                r = pack_dumps((const uint32_t *) g_bytes_get_data(asked, NULL) + at, got, results, c, ids, ends,
                               &blobs, &size);
                /* With the numbers asked and the index growing beside the dumps. */
                charge_listing_growth(tree,
                                      g_bytes_get_size(asked) + size + ids->len * (sizeof(uint32_t) + sizeof(size_t)),
                                      &charged);
        }
        mlx5_cache_unbuild(tree->cache, charged);
        if (r < 0)
                return r;
        /* Exactly as long as the dumps (and never NULL): what the cache is charged for is what it holds. */
        blobs = g_realloc(blobs, size + 1);
        *ret_snap = mlx5_snapshot_new_listing(g_steal_pointer(&ids), NULL, 0, g_new0(uint8_t, n + 1));
        mlx5_listing_set_blobs(*ret_snap, g_bytes_new_take(g_steal_pointer(&blobs), size),
                               (size_t *) (void *) g_array_free(g_steal_pointer(&ends), FALSE));
        (*ret_snap)->taken_realtime_us = taken_realtime_us;
        (*ret_snap)->lifetime_us = lifetime_us;
        return 0;
}

static int fetch_content(mlx5_tree *tree, struct tree_device *td, const struct mlx5_cache_key *key,
                         mlx5_snapshot **ret_snap)
{
        switch ((enum content_kind) key->kind) {
        case CONTENT_OBJECT:
                return fetch_object(td->dev, key->sub, key->id, ret_snap);
        case CONTENT_CAPS:
                return fetch_caps(td->dev, key->sub, key->id != 0, ret_snap);
        case CONTENT_IDS:
                return fetch_ids(tree, td, key->sub, ret_snap);
        case CONTENT_LISTING:
                return fetch_listing(tree, td, key->sub, ret_snap);
        case CONTENT_INFO:
                return fetch_info(tree, td, ret_snap);
        case CONTENT_RSCDUMP:
                return fetch_rscdump(td, key->sub, key->id, ret_snap);
        case CONTENT_RSCDUMP_LIST:
                return fetch_rscdump_list(tree, td, key->sub, ret_snap);
        }
        return -EINVAL;
}

int tree_fetch(const struct mlx5_cache_key *key, void *user_data, mlx5_snapshot **ret_snap)
{
        mlx5_tree *tree = user_data;
        g_autoptr(tree_device) td = tree_device_get(tree, key->device);
        int r;

        if (!td)
                return -ENODEV;
        r = fetch_content(tree, td, key, ret_snap);
        if (r == -ENODEV)
                tree_device_report_gone(tree, td);
        return r;
}
