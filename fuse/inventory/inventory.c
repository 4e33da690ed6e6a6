/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <string.h>

#include "device/fw-limits.h"
#include "inventory/inventory.h"
#include "prm/bits.h"

mlx5_inventory *mlx5_inventory_new(mlx5_device *dev)
{
        mlx5_inventory *inv = g_new0(mlx5_inventory, 1);

        inv->dev = dev;
        inv->rdma_index = -1;
        g_mutex_init(&inv->lock);
        return inv;
}

void mlx5_inventory_free(mlx5_inventory *inv)
{
        if (!inv)
                return;
        g_mutex_clear(&inv->lock);
        g_free(inv);
}

/* Owners are told apart by pid and name: the owners themselves are owner_index's keys. */
static guint owner_hash(gconstpointer key)
{
        const struct mlx5_object_owner *o = key;

        return g_str_hash(o->comm) ^ o->pid;
}

static gboolean owner_equal(gconstpointer a, gconstpointer b)
{
        const struct mlx5_object_owner *x = a, *y = b;

        return x->pid == y->pid && strcmp(x->comm, y->comm) == 0;
}

static mlx5_inventory_found *found_new(const mlx5_schema_resource *res)
{
        mlx5_inventory_found *found = g_new0(mlx5_inventory_found, 1);

        found->id_mask = res->id_width >= 32 ? UINT32_MAX : (1u << res->id_width) - 1;
        found->ids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
        found->found_by = g_array_new(FALSE, FALSE, sizeof(uint8_t));
        found->owner_of = g_array_new(FALSE, FALSE, sizeof(uint16_t));
        found->owners = g_ptr_array_new_with_free_func((GDestroyNotify) mlx5_object_owner_free);
        found->owner_index = g_hash_table_new(owner_hash, owner_equal);
        return found;
}

void mlx5_inventory_found_free(mlx5_inventory_found *found)
{
        if (!found)
                return;
        /* A listing may have taken any of them over. */
        if (found->ids)
                g_array_unref(found->ids);
        if (found->found_by)
                g_array_unref(found->found_by);
        if (found->owner_of)
                g_array_unref(found->owner_of);
        if (found->owners)
                g_ptr_array_unref(found->owners);
        if (found->owner_index)
                g_hash_table_unref(found->owner_index);
        g_free(found);
}

/* 1 + the owner's index, adding it the first time; 0 when there is no room.  No allocation but the first time. */
static uint16_t owner_ref(mlx5_inventory *inv, mlx5_inventory_found *found, uint32_t pid, const char *comm)
{
        struct mlx5_object_owner key = { .pid = pid, .comm = (char *) comm }, *owner;
        gpointer index = g_hash_table_lookup(found->owner_index, &key);

        if (index)
                return (uint16_t) GPOINTER_TO_UINT(index);
        if (found->owners->len >= MLX5_INVENTORY_MAX_OWNERS) {
                g_atomic_int_inc(&inv->stats.limit_trips);
                return 0;
        }
        owner = g_new0(struct mlx5_object_owner, 1);
        owner->pid = pid;
        owner->comm = g_strdup(comm);
        g_ptr_array_add(found->owners, owner);
        g_hash_table_insert(found->owner_index, owner, GUINT_TO_POINTER(found->owners->len));
        return (uint16_t) found->owners->len;
}

/*
 * owner_ref through a few recent owners, told by pid and the name's
 * address: a dump names the same few owners a million times, each name
 * from one place (the source's comm table), so most entries hash nothing.
 */
static uint16_t owner_memo(mlx5_inventory *inv, mlx5_inventory_found *found, uint32_t pid, const char *comm)
{
        struct inventory_owner_memo *m;

        for (unsigned i = 0; i < G_N_ELEMENTS(found->memo); i++)
                if (found->memo[i].comm == comm && found->memo[i].pid == pid && found->memo[i].ref)
                        return found->memo[i].ref;
        m = &found->memo[found->memo_next++ % G_N_ELEMENTS(found->memo)];
        *m = (struct inventory_owner_memo) { .pid = pid, .comm = comm, .ref = owner_ref(inv, found, pid, comm) };
        return m->ref;
}

/* Candidates one collection may hold: the inventory's own cap, or -o max_list_ids if lower. */
static unsigned max_ids(void)
{
        return MIN(MLX5_INVENTORY_MAX_IDS, mlx5_limits_get()->crawl_max_ids);
}

bool inventory_found_add(mlx5_inventory *inv, mlx5_inventory_found *found, uint32_t id, uint8_t source,
                         uint32_t pid, const char *comm)
{
        uint16_t owner;

        if (found->ids->len >= max_ids())
                return false;
        /* The query would name another object: its id field holds fewer bits. */
        if (id & ~found->id_mask)
                return true;
        owner = comm ? owner_memo(inv, found, pid, comm) : 0;
        g_array_append_val(found->ids, id);
        g_array_append_val(found->found_by, source);
        g_array_append_val(found->owner_of, owner);
        return true;
}

struct candidate {
        uint32_t id;
        uint8_t found_by;
        uint16_t owner_of;
};

/*
 * Sorts c by number, stably (of one number, the first found stays first),
 * through tmp: a byte of the number per pass, a pass skipped where every
 * number has the same byte.  Linear: a dump of 1M MRs in restrack's order
 * is sorted in a few passes over 8 MiB.
 */
static void sort_candidates(struct candidate *c, struct candidate *tmp, size_t n)
{
        for (unsigned shift = 0; shift < 32; shift += 8) {
                size_t count[256] = { 0 }, at = 0;

                for (size_t i = 0; i < n; i++)
                        count[(c[i].id >> shift) & 0xff]++;
                if (count[(c[0].id >> shift) & 0xff] == n)
                        continue;
                for (unsigned b = 0; b < 256; b++) {
                        size_t k = count[b];

                        count[b] = at;
                        at += k;
                }
                for (size_t i = 0; i < n; i++)
                        tmp[count[(c[i].id >> shift) & 0xff]++] = c[i];
                memcpy(c, tmp, n * sizeof(*c));
        }
}

/* Whether the numbers already ascend, each once (a source that gives them in order, alone). */
static bool ascending_once(const GArray *ids)
{
        for (guint i = 1; i < ids->len; i++)
                if (g_array_index(ids, uint32_t, i - 1) >= g_array_index(ids, uint32_t, i))
                        return false;
        return true;
}

/* Sorts by number; one entry per number, its sources together, the first owner named. */
static void found_finish(mlx5_inventory_found *found)
{
        size_t n = found->ids->len, kept = 0;
        g_autofree struct candidate *c = NULL, *tmp = NULL;

        g_clear_pointer(&found->owner_index, g_hash_table_unref);
        if (ascending_once(found->ids))
                return;
        c = g_new(struct candidate, n);
        tmp = g_new(struct candidate, n);
        for (size_t i = 0; i < n; i++)
                c[i] = (struct candidate) {
                        g_array_index(found->ids, uint32_t, i),
                        g_array_index(found->found_by, uint8_t, i),
                        g_array_index(found->owner_of, uint16_t, i),
                };
        sort_candidates(c, tmp, n);
        for (size_t i = 0; i < n; i++) {
                if (kept && c[kept - 1].id == c[i].id) {
                        c[kept - 1].found_by |= c[i].found_by;
                        if (!c[kept - 1].owner_of)
                                c[kept - 1].owner_of = c[i].owner_of;
                        continue;
                }
                c[kept++] = c[i];
        }
        g_array_set_size(found->ids, kept);
        g_array_set_size(found->found_by, kept);
        g_array_set_size(found->owner_of, kept);
        for (size_t i = 0; i < kept; i++) {
                g_array_index(found->ids, uint32_t, i) = c[i].id;
                g_array_index(found->found_by, uint8_t, i) = c[i].found_by;
                g_array_index(found->owner_of, uint16_t, i) = c[i].owner_of;
        }
}

/* The numbers of a probe space: 0 up to the caps value (below 2^value for log). */
static uint64_t probe_count(mlx5_inventory *inv, const mlx5_schema_probe *probe)
{
        uint64_t v = mlx5_device_cap(inv->dev, probe->caps, probe->field);

        if (probe->log)
                return v >= 32 ? UINT64_MAX : UINT64_C(1) << v;
        return v + 1;
}

static void add_probe_space(mlx5_inventory *inv, const mlx5_schema_resource *res, mlx5_inventory_found *found)
{
        /* Numbers past the id field would alias smaller ones. */
        uint64_t n = MIN(probe_count(inv, res->probe), (uint64_t) found->id_mask + 1);

        if (n > MLX5_INVENTORY_MAX_PROBE) {
                g_atomic_int_inc(&inv->stats.limit_trips);
                g_warning("%s: %s: probe space %s.%s holds %" G_GUINT64_FORMAT " numbers; probing the first %u "
                          "(MLX5_INVENTORY_MAX_PROBE)", inv->dev->pci_name, res->name, res->probe->caps_name,
                          res->probe->field, n, MLX5_INVENTORY_MAX_PROBE);
                n = MLX5_INVENTORY_MAX_PROBE;
        }
        for (uint64_t id = 0; id < n; id++)
                inventory_found_add(inv, found, (uint32_t) id, MLX5_INV_PROBE, 0, NULL);
        g_atomic_int_add(&inv->stats.probed, (gint) n);
}

unsigned mlx5_inventory_sources(mlx5_inventory *inv, unsigned res_index)
{
        const mlx5_schema *schema = inv->dev->schema;
        const mlx5_schema_resource *res = mlx5_schema_resource_at(schema, res_index);
        unsigned bits = 0;

        if (!res->has_id)
                return 0;
        if (inv->dev->host && inventory_netlink_serves(res->name))
                bits |= MLX5_INV_NETLINK;
        if (inv->dev->host && inventory_debugfs_serves(res->name))
                bits |= MLX5_INV_DEBUGFS;
        if (inv->dev->listing[res_index].list_segment >= 0)
                bits |= MLX5_INV_RSCDUMP;
        if (res->probe)
                bits |= MLX5_INV_PROBE;
        for (unsigned i = 0; i < mlx5_schema_n_resources(schema); i++) {
                const mlx5_schema_resource *from = mlx5_schema_resource_at(schema, i);

                for (guint k = 0; k < from->refs->len; k++)
                        if (g_array_index(from->refs, mlx5_schema_objref, k).target == res)
                                bits |= MLX5_INV_REF;
        }
        return bits;
}

const char *mlx5_inventory_source_name(unsigned bit)
{
        static const char *const names[] = { "netlink", "debugfs", "resource dump", "probe", "references" };

        return bit < G_N_ELEMENTS(names) ? names[bit] : NULL;
}

void mlx5_inventory_format_sources(GString *out, unsigned bits)
{
        unsigned any = 0;

        for (unsigned b = 0; mlx5_inventory_source_name(b); b++) {
                if (!(bits & (1u << b)))
                        continue;
                if (any++)
                        g_string_append(out, ", ");
                g_string_append(out, mlx5_inventory_source_name(b));
        }
        if (!any)
                g_string_append(out, "none");
}

void mlx5_inventory_format_stats(mlx5_inventory *inv, GString *out)
{
        g_string_append_printf(out, "inventory.collections: %d\n", g_atomic_int_get(&inv->stats.collections));
        g_string_append_printf(out, "inventory.candidates: %d\n", g_atomic_int_get(&inv->stats.candidates));
        g_string_append_printf(out, "inventory.probed: %d\n", g_atomic_int_get(&inv->stats.probed));
        g_string_append_printf(out, "inventory.probe_misses: %d\n", g_atomic_int_get(&inv->stats.probe_misses));
        g_string_append_printf(out, "inventory.ref_misses: %d\n", g_atomic_int_get(&inv->stats.ref_misses));
        g_string_append_printf(out, "inventory.limit_trips: %d\n", g_atomic_int_get(&inv->stats.limit_trips));
        if (inv->dev->host)
                mlx5_host_format_stats(inv->dev->host, out);
}

/* A source that fails costs its candidates, not the listing; a gone device ends it. */
static int source_result(mlx5_inventory *inv, const char *type, const char *source, int r)
{
        if (r == -ENODEV)
                return r;
        if (r < 0 && r != -ENOENT)
                g_warning("%s: %s: %s source: %s", inv->dev->pci_name, type, source, g_strerror(-r));
        return 0;
}

int mlx5_inventory_collect(mlx5_inventory *inv, unsigned res_index, const GArray *referenced,
                           mlx5_inventory_found **ret_found)
{
        return mlx5_inventory_collect_watched(inv, res_index, referenced, NULL, NULL, ret_found);
}

int mlx5_inventory_collect_watched(mlx5_inventory *inv, unsigned res_index, const GArray *referenced,
                                   mlx5_inventory_arrived_fn arrived, void *user_data,
                                   mlx5_inventory_found **ret_found)
{
        const mlx5_schema_resource *res = mlx5_schema_resource_at(inv->dev->schema, res_index);
        g_autoptr(mlx5_inventory_found) found = found_new(res);
        int r;

        g_atomic_int_inc(&inv->stats.collections);
        if (inv->dev->host && inventory_netlink_serves(res->name)) {
                r = source_result(inv, res->name, "netlink", inventory_netlink_collect(inv, res->name, found, arrived,
                                                                                user_data));
                if (r < 0)
                        return r;
        }
        if (inv->dev->host && inventory_debugfs_serves(res->name)) {
                r = source_result(inv, res->name, "debugfs", inventory_debugfs_collect(inv, res->name, found));
                if (r < 0)
                        return r;
        }
        if (inv->dev->listing[res_index].list_segment >= 0) {
                g_autoptr(GArray) ids = NULL;

                r = mlx5_device_list(inv->dev, res_index, &ids);
                if (source_result(inv, res->name, "resource dump", r) < 0)
                        return r;
                for (guint i = 0; r == 0 && i < ids->len; i++)
                        inventory_found_add(inv, found, g_array_index(ids, uint32_t, i), MLX5_INV_RSCDUMP, 0, NULL);
        }
        if (res->probe)
                add_probe_space(inv, res, found);
        for (guint i = 0; referenced && i < referenced->len; i++)
                inventory_found_add(inv, found, g_array_index(referenced, uint32_t, i), MLX5_INV_REF, 0, NULL);
        if (found->ids->len >= max_ids()) {
                g_atomic_int_inc(&inv->stats.limit_trips);
                mlx5_limit_trip(MLX5_LIMIT_CRAWL_IDS, inv->dev->pci_name, "more than %u %s candidates; the rest are not listed",
                                max_ids(), res->name);
        }
        found_finish(found);
        g_atomic_int_add(&inv->stats.candidates, (gint) found->ids->len);
        *ret_found = g_steal_pointer(&found);
        return 0;
}

void mlx5_inventory_add_refs(const mlx5_schema_resource *from, const mlx5_schema_resource *target,
                             const uint8_t *raws, size_t n, const uint8_t *has_raw, GArray *out)
{
        /* An object number is at most the target's id field wide; anything above is not part of it. */
        uint32_t mask = target->id_width >= 32 ? UINT32_MAX : (1u << target->id_width) - 1;

        for (guint k = 0; k < from->refs->len; k++) {
                const mlx5_schema_objref *ref = &g_array_index(from->refs, mlx5_schema_objref, k);

                if (ref->target != target)
                        continue;
                for (size_t i = 0; i < n; i++) {
                        const uint8_t *out_box = raws + i * from->outlen;

                        if (!has_raw[i])
                                continue;
                        for (uint32_t e = 0; e < ref->count; e++) {
                                uint32_t id = (uint32_t) mlx5_bits_get(out_box, from->outlen,
                                                                       ref->bit_off + e * ref->width, ref->width) &
                                              mask;

                                if (out->len >= MLX5_INVENTORY_MAX_IDS)
                                        return;
                                g_array_append_val(out, id);
                        }
                }
        }
}
