/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The namespace as data: one row per kind of node (tree_builtin_kinds, at
 * the end), and the small producers the rows name — who a directory's
 * children are, what a file shows, where a link points.  tree.c walks the
 * table and knows no kind but the root.  Producers run without any tree
 * lock held across firmware I/O.
 */
#include <errno.h>
#include <string.h>

#include "prm/bits.h"
#include "tree/tree-private.h"
#include "tree/views.h"

#define DIR_MODE (S_IFDIR | 0555)
#define FILE_MODE (S_IFREG | 0444)
#define LINK_MODE (S_IFLNK | 0777)

static void add(mlx5_tree_entries *entries, const char *name, unsigned kind, uint32_t dev, uint32_t sub, uint32_t id)
{
        mlx5_tree_entries_add(entries, name, (struct mlx5_tree_node) { .kind = kind, .dev = dev, .sub = sub, .id = id });
}

static const mlx5_schema_resource *resource(mlx5_tree *tree, uint32_t index)
{
        return mlx5_schema_resource_at(tree->schema, index);
}

static bool resource_shown(const struct tree_device *td, unsigned i)
{
        return !td->dev->listing[i].absent;
}

/* ---- the root and by-name ---- */

static int root_children(mlx5_tree *tree, const struct mlx5_tree_node *self, mlx5_tree_entries *entries)
{
        g_rw_lock_reader_lock(&tree->lock);
        for (unsigned i = 0; i < tree->devices->len; i++) {
                struct tree_device *td = tree->devices->pdata[i];

                if (td)
                        add(entries, td->dev->pci_name, NODE_DEVICE, i, 0, 0);
        }
        g_rw_lock_reader_unlock(&tree->lock);
        return 0;
}

static int stats_content(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap)
{
        *ret_snap = tree_stats_for_caller(tree);
        return 0;
}

static int by_name_children(mlx5_tree *tree, const struct mlx5_tree_node *self, mlx5_tree_entries *entries)
{
        g_rw_lock_reader_lock(&tree->lock);
        for (unsigned i = 0; i < tree->devices->len; i++) {
                struct tree_device *td = tree->devices->pdata[i];

                for (unsigned a = 0; td && a < td->aliases->len; a++)
                        add(entries, td->aliases->pdata[a], NODE_ALIAS, i, 0, a);
        }
        g_rw_lock_reader_unlock(&tree->lock);
        return 0;
}

static char *alias_link(mlx5_tree *tree, const struct mlx5_tree_node *n)
{
        g_autoptr(tree_device) td = tree_device_get(tree, n->dev);

        return td ? g_strconcat("../", td->dev->pci_name, NULL) : NULL;
}

/* ---- a device: info, caps, types, singletons ---- */

/* A device's resources as children of one view: type directories, singletons, singleton groups. */
void tree_add_resources(mlx5_tree *tree, const struct tree_device *td, uint32_t dev, const struct tree_view_kinds *v,
                        mlx5_tree_entries *entries)
{
        for (unsigned i = 0; i < mlx5_schema_n_resources(tree->schema); i++) {
                const mlx5_schema_resource *res = resource(tree, i);

                if (!resource_shown(td, i))
                        continue;
                if (res->has_id)
                        add(entries, res->name, v->type_dir, dev, i, 0);
                else if (!res->dir)
                        add(entries, res->name, v->singleton, dev, i, 0);
        }
        for (unsigned g = 0; g < tree->groups->len; g++)
                add(entries, tree->groups->pdata[g], v->group_dir, dev, g, 0);
}

static const struct tree_view_kinds text_view = {
        .caps_mode = NODE_CAPS_MODE, .caps_file = NODE_CAPS_FILE, .type_dir = NODE_TYPE_DIR,
        .singleton = NODE_SINGLETON, .group_dir = NODE_GROUP_DIR,
};

static int device_children(mlx5_tree *tree, const struct mlx5_tree_node *self, mlx5_tree_entries *entries)
{
        g_autoptr(tree_device) td = tree_device_get(tree, self->dev);

        if (!td)
                return -ENOENT;
        tree_add_resources(tree, td, self->dev, &text_view, entries);
        return 0;
}

static int info_content(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap)
{
        return tree_get_content(tree, CONTENT_INFO, n->dev, 0, 0, ret_snap);
}

void tree_add_caps_modes(const struct mlx5_tree_node *self, const struct tree_view_kinds *v,
                         mlx5_tree_entries *entries)
{
        add(entries, "current", v->caps_mode, self->dev, 1, 0);
        add(entries, "max", v->caps_mode, self->dev, 0, 0);
}

static int caps_children(mlx5_tree *tree, const struct mlx5_tree_node *self, mlx5_tree_entries *entries)
{
        tree_add_caps_modes(self, &text_view, entries);
        return 0;
}

int tree_add_caps_files(mlx5_tree *tree, const struct mlx5_tree_node *self, const struct tree_view_kinds *v,
                        mlx5_tree_entries *entries)
{
        g_autoptr(tree_device) td = tree_device_get(tree, self->dev);

        if (!td)
                return -ENOENT;
        for (unsigned i = 0; i < mlx5_schema_n_caps(tree->schema); i++)
                if (td->dev->caps_supported[i])
                        add(entries, mlx5_schema_caps_at(tree->schema, i)->name, v->caps_file, self->dev, i,
                            self->sub);
        return 0;
}

static int caps_mode_children(mlx5_tree *tree, const struct mlx5_tree_node *self, mlx5_tree_entries *entries)
{
        return tree_add_caps_files(tree, self, &text_view, entries);
}

static int caps_content(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap)
{
        return tree_get_content(tree, CONTENT_CAPS, n->dev, n->sub, n->id, ret_snap);
}

/* An object's size and times as its type's listing shows it, when it does (see object_content). */
static int object_measure(mlx5_tree *tree, const struct mlx5_tree_node *n, bool raw, struct mlx5_tree_measure *ret)
{
        struct mlx5_tree_node dir = { .kind = NODE_TYPE_DIR, .dev = n->dev, .sub = n->sub };
        struct mlx5_cache_key key = { .device = n->dev, .kind = CONTENT_LISTING, .sub = n->sub };

        return tree_listed_measure(tree, &dir, &key, n->id, raw, ret);
}

/* A directory of one type's objects lists that type. */
static int type_listed(mlx5_tree *tree, const struct mlx5_tree_node *self)
{
        return (int) self->sub;
}

static int object_content(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap)
{
        return tree_object_snapshot(tree, n->dev, n->sub, n->id, ret_snap);
}

/* Its text file reads only the text: a listing's kept one is served without unpacking the answer. */
static int object_text_content(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap)
{
        return tree_object_text_snapshot(tree, n->dev, n->sub, n->id, ret_snap);
}

int tree_add_group_members(mlx5_tree *tree, const struct mlx5_tree_node *self, const struct tree_view_kinds *v,
                           mlx5_tree_entries *entries)
{
        g_autoptr(tree_device) td = tree_device_get(tree, self->dev);

        if (!td)
                return -ENOENT;
        for (unsigned i = 0; i < mlx5_schema_n_resources(tree->schema); i++) {
                const mlx5_schema_resource *res = resource(tree, i);

                if (!res->has_id && res->dir && strcmp(res->dir, tree->groups->pdata[self->sub]) == 0 &&
                    resource_shown(td, i))
                        add(entries, res->name, v->singleton, self->dev, i, 0);
        }
        return 0;
}

static int group_children(mlx5_tree *tree, const struct mlx5_tree_node *self, mlx5_tree_entries *entries)
{
        return tree_add_group_members(tree, self, &text_view, entries);
}

static int singleton_content(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap)
{
        return tree_get_content(tree, CONTENT_OBJECT, n->dev, n->sub, 0, ret_snap);
}

static int raw_children(mlx5_tree *tree, const struct mlx5_tree_node *self, mlx5_tree_entries *entries)
{
        g_autoptr(tree_device) td = tree_device_get(tree, self->dev);

        if (!td)
                return -ENOENT;
        for (unsigned i = 0; i < mlx5_schema_n_resources(tree->schema); i++)
                if (resource_shown(td, i))
                        add(entries, resource(tree, i)->name,
                            resource(tree, i)->has_id ? NODE_RAW_TYPE_DIR : NODE_RAW_SINGLETON, self->dev, i, 0);
        return 0;
}

/* ---- owner/<type>/<id>: who made an object and what found it ---- */

static int owner_children(mlx5_tree *tree, const struct mlx5_tree_node *self, mlx5_tree_entries *entries)
{
        g_autoptr(tree_device) td = tree_device_get(tree, self->dev);

        if (!td)
                return -ENOENT;
        for (unsigned i = 0; i < mlx5_schema_n_resources(tree->schema); i++)
                if (resource(tree, i)->has_id && resource_shown(td, i))
                        add(entries, resource(tree, i)->name, NODE_OWNER_TYPE_DIR, self->dev, i, 0);
        return 0;
}

bool tree_listing_owner(const struct mlx5_listing *l, int slot, const struct mlx5_object_owner **ret_owner)
{
        if (!l->owner_of || !l->owners || !l->owner_of[slot])
                return false;
        *ret_owner = l->owners->pdata[l->owner_of[slot] - 1];
        return true;
}

char *tree_rdma_device(const struct tree_device *td)
{
        char *rdma = NULL;

        if (td->dev->host && td->dev->host->ops->rdma_device &&
            td->dev->host->ops->rdma_device(td->dev->host, &rdma) == 0)
                return rdma;
        return NULL;
}

/*
 * A view of a whole listing grows with the device: past max_view_mib it is
 * EIO, with the limit named in the log and counted in .stats.
 */
int tree_view_check_size(uint64_t len, const char *view)
{
        uint64_t max = mlx5_limits_get()->view_max_bytes;

        if (len <= max)
                return 0;
        mlx5_limit_trip(MLX5_LIMIT_VIEW_BYTES, view, "longer than %" G_GUINT64_FORMAT " bytes", max);
        return -EIO;
}

void tree_snapshot_take_times(mlx5_snapshot *snap, const mlx5_snapshot *like)
{
        /* Its source's moment: stat, open and fstat agree as long as that lives. */
        snap->taken_realtime_us = like->taken_realtime_us;
        snap->taken_monotonic_us = like->taken_monotonic_us;
}

mlx5_snapshot *tree_snapshot_of(GBytes *bytes, const mlx5_snapshot *like)
{
        mlx5_snapshot *snap = mlx5_snapshot_new(NULL, bytes);

        tree_snapshot_take_times(snap, like);
        return snap;
}

mlx5_snapshot *tree_snapshot_like(GString *text, const mlx5_snapshot *like)
{
        /*
         * A view of a big listing grew by doubling: what the snapshot keeps is
         * its length, not that slack.  Shrunk where it lies (realloc of a
         * mapped buffer is mremap): a copy would hold the text twice at the peak.
         */
        gsize len = text->len;
        char *str = g_string_free(text, FALSE);

        return tree_snapshot_of(g_bytes_new_take(g_realloc(str, len + 1), len), like);
}

/*
 * "pid: 4242" "comm: ib_send_bw" (a kernel owner: pid 0, "[module]", as
 * rdma res show prints it), the RDMA device, and the sources that found
 * the object; pid and comm only where the host's kernel names an owner.
 * Only listed objects have one: the listing is where the sources meet.
 */
static int owner_text(mlx5_tree *tree, const struct mlx5_tree_node *n, GString *text, mlx5_snapshot **ret_listing)
{
        g_autoptr(tree_device) td = tree_device_get(tree, n->dev);
        g_autoptr(mlx5_snapshot) listing = NULL;
        g_autofree char *rdma = NULL;
        const struct mlx5_object_owner *o;
        const struct mlx5_listing *l;
        int slot, r;

        if (!td)
                return -ENODEV;
        r = tree_listing(tree, n->dev, n->sub, &listing);
        if (r < 0)
                return r;
        l = listing->listing;
        slot = mlx5_listing_find(l, n->id);
        if (slot < 0)
                return -ENOENT;
        /* Rendered at each stat and open of the file: in-place appends, no printf. */
        if (tree_listing_owner(l, slot, &o)) {
                mlx5_text_append(text, "pid: ");
                mlx5_decode_append_dec(text, o->pid);
                mlx5_text_append(text, o->pid ? "\ncomm: " : "\ncomm: [");
                mlx5_text_append(text, o->comm);
                mlx5_text_append(text, o->pid ? "\n" : "]\n");
        }
        rdma = tree_rdma_device(td);
        if (rdma) {
                mlx5_text_append(text, "rdma_device: ");
                mlx5_text_append(text, rdma);
                g_string_append_c(text, '\n');
        }
        mlx5_text_append(text, "found_by: ");
        mlx5_inventory_format_sources(text, l->found_by ? l->found_by[slot] : 0);
        g_string_append_c(text, '\n');
        *ret_listing = g_steal_pointer(&listing);
        return 0;
}

static int owner_content(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap)
{
        g_autoptr(mlx5_snapshot) listing = NULL;
        GString *text = g_string_sized_new(128);
        int r;

        r = owner_text(tree, n, text, &listing);
        if (r < 0) {
                g_string_free(text, TRUE);
                return r;
        }
        *ret_snap = tree_snapshot_like(text, listing);
        return 0;
}

/* Its length, rendered in this thread's scratch buffer: a stat of each owner file keeps nothing. */
static int owner_measure(mlx5_tree *tree, const struct mlx5_tree_node *n, bool raw, struct mlx5_tree_measure *ret)
{
        static GPrivate scratch = G_PRIVATE_INIT(tree_scratch_free);
        g_autoptr(mlx5_snapshot) listing = NULL;
        GString *text = tree_scratch(&scratch);
        int r;

        r = owner_text(tree, n, text, &listing);
        if (r < 0)
                return r;
        ret->size = raw ? 0 : text->len;
        ret->taken_realtime_us = listing->taken_realtime_us;
        ret->taken_monotonic_us = listing->taken_monotonic_us;
        return 0;
}

/* ---- refs/<type>/<id>/<field> -> ../../../<type>/<id> ---- */

static bool type_has_refs(mlx5_tree *tree, unsigned res_index)
{
        for (unsigned s = 0; s < tree->ref_slots->len; s++)
                if (g_array_index(tree->ref_slots, struct ref_slot, s).res_index == res_index)
                        return true;
        return false;
}

static int refs_children(mlx5_tree *tree, const struct mlx5_tree_node *self, mlx5_tree_entries *entries)
{
        g_autoptr(tree_device) td = tree_device_get(tree, self->dev);

        if (!td)
                return -ENOENT;
        for (unsigned i = 0; i < mlx5_schema_n_resources(tree->schema); i++)
                if (resource(tree, i)->has_id && resource_shown(td, i) && type_has_refs(tree, i))
                        add(entries, resource(tree, i)->name, NODE_REFS_TYPE_DIR, self->dev, i, 0);
        return 0;
}

/* The listings of the types references point into, each asked once and then kept. */
struct tree_ref_targets {
        mlx5_tree *tree;
        uint32_t dev;
        mlx5_snapshot **listings;       /* per resource, or NULL */
        int *results;                   /* per resource: 1 not asked yet, else tree_listing's */
        unsigned asked;                 /* results no longer 1 */
};

/* Asks the type's listing, once: its result stays rt's. */
static void ask_listing(struct tree_ref_targets *rt, unsigned i)
{
        if (rt->results[i] != 1)
                return;
        rt->results[i] = tree_listing(rt->tree, rt->dev, i, &rt->listings[i]);
        rt->asked++;
}

/*
 * 1 when the type's listing holds the object, else 0; or what stops the
 * request (-EWOULDBLOCK: a listing that needs firmware, so the request
 * goes on where it may wait, rather than answer without that listing).
 */
static int listed(struct tree_ref_targets *rt, const mlx5_schema_resource *target, uint32_t id)
{
        unsigned i = 0;

        while (i < mlx5_schema_n_resources(rt->tree->schema) && resource(rt->tree, i) != target)
                i++;
        if (i == mlx5_schema_n_resources(rt->tree->schema))
                return 0;
        ask_listing(rt, i);
        if (tree_view_fatal(rt->results[i]))
                return rt->results[i];
        return rt->results[i] == 0 && mlx5_listing_find(rt->listings[i]->listing, id) >= 0;
}

static bool same_field(const struct ref_slot *a, const struct ref_slot *b)
{
        return a->res_index == b->res_index && strcmp(a->ref->path, b->ref->path) == 0;
}

/* Whether an earlier schema ref of the same type names the same field: then that one makes the link. */
bool tree_ref_slot_is_later_alternative(mlx5_tree *tree, unsigned s)
{
        for (unsigned a = 0; a < s; a++)
                if (same_field(&g_array_index(tree->ref_slots, struct ref_slot, a),
                               &g_array_index(tree->ref_slots, struct ref_slot, s)))
                        return true;
        return false;
}

static uint32_t id_mask(const mlx5_schema_resource *target)
{
        return target->id_width >= 32 ? UINT32_MAX : (1u << target->id_width) - 1;
}

/*
 * Of the schema refs naming the same field as slot s (s the first), the
 * slot of the one whose type lists the number: srqn_rmpn_xrqn numbers an
 * SRQ, or the RMP mlx5_core makes for an SRQ at ISSI 1.  None listing it:
 * s (*ret_listed false; the link dangles, or for 0 there is none).
 */
static int pick_alternative(struct tree_ref_targets *rt, unsigned s, uint32_t value, bool *ret_listed)
{
        mlx5_tree *tree = rt->tree;
        const struct ref_slot *first = &g_array_index(tree->ref_slots, struct ref_slot, s);
        bool alternatives = false;
        int r;

        for (unsigned a = s + 1; a < tree->ref_slots->len; a++)
                alternatives |= same_field(first, &g_array_index(tree->ref_slots, struct ref_slot, a));
        /* One type only: a listing is asked for 0 alone, as before. */
        if (!alternatives) {
                r = value & id_mask(first->ref->target) ? 1 : listed(rt, first->ref->target, 0);
                *ret_listed = r > 0;
                return r < 0 ? r : (int) s;
        }
        for (unsigned a = s; a < tree->ref_slots->len; a++) {
                const struct ref_slot *rs = &g_array_index(tree->ref_slots, struct ref_slot, a);

                if (!same_field(first, rs))
                        continue;
                r = listed(rt, rs->ref->target, value & id_mask(rs->ref->target));
                if (r != 0) {
                        *ret_listed = r > 0;
                        return r < 0 ? r : (int) a;
                }
        }
        *ret_listed = false;
        return (int) s;
}

struct tree_ref_targets *tree_ref_targets_new(mlx5_tree *tree, uint32_t dev)
{
        unsigned n_res = mlx5_schema_n_resources(tree->schema);
        /* One allocation (every refs/ directory's open makes one): the arrays follow the struct. */
        struct tree_ref_targets *rt = g_malloc0(sizeof(*rt) + n_res * (sizeof(mlx5_snapshot *) + sizeof(int)));

        rt->tree = tree;
        rt->dev = dev;
        rt->listings = (mlx5_snapshot **) (rt + 1);
        rt->results = (int *) (rt->listings + n_res);
        for (unsigned i = 0; i < n_res; i++)
                rt->results[i] = 1;
        return rt;
}

int tree_ref_targets_listing(struct tree_ref_targets *rt, unsigned res_index, bool ask,
                             const mlx5_snapshot **ret_listing)
{
        if (ask)
                ask_listing(rt, res_index);
        *ret_listing = rt->results[res_index] == 0 ? rt->listings[res_index] : NULL;
        return rt->results[res_index];
}

unsigned tree_ref_targets_asked(const struct tree_ref_targets *rt)
{
        return rt->asked;
}

void tree_ref_targets_free(struct tree_ref_targets *rt)
{
        if (!rt)
                return;
        for (unsigned i = 0; i < mlx5_schema_n_resources(rt->tree->schema); i++)
                if (rt->listings[i])
                        mlx5_snapshot_unref(rt->listings[i]);
        g_free(rt);
}

/*
 * One reference per field (per element of an array field) of the object's
 * output that a schema `ref` line names, to the object its value numbers,
 * whether or not that exists.  A field holding 0 names nothing unless the
 * target type has an object 0 (EQ 0 does).
 */
int tree_foreach_ref(struct tree_ref_targets *rt, uint32_t res_index, GBytes *raw, tree_ref_fn fn, void *user_data)
{
        mlx5_tree *tree = rt->tree;
        const mlx5_schema_resource *res = resource(tree, res_index);
        gsize len;
        const uint8_t *out = g_bytes_get_data(raw, &len);
        int r = 0;

        for (unsigned s = 0; s < tree->ref_slots->len && r == 0; s++) {
                const struct ref_slot *rs = &g_array_index(tree->ref_slots, struct ref_slot, s);
                const mlx5_schema_objref *ref = rs->ref;

                if (rs->res_index != res_index || rs->later_alternative)
                        continue;
                for (uint32_t e = 0; e < ref->count; e++) {
                        uint32_t value = (uint32_t) mlx5_bits_get(out, MIN(len, res->outlen),
                                                                  ref->bit_off + e * ref->width, ref->width);
                        g_autofree char *name = NULL;
                        const struct ref_slot *to;
                        const char *star;
                        uint32_t id;
                        bool is_listed;
                        int slot;

                        slot = pick_alternative(rt, s, value, &is_listed);
                        if (slot < 0) {
                                r = slot;
                                break;
                        }
                        to = &g_array_index(tree->ref_slots, struct ref_slot, slot);
                        id = value & id_mask(to->ref->target);
                        if (id == 0 && !is_listed)
                                continue;
                        /* An array's element is named by its index; a plain field by its path, as is. */
                        star = strstr(ref->path, "[*]");
                        if (star)
                                name = g_strdup_printf("%.*s[%u]%s", (int) (star - ref->path), ref->path, e, star + 3);
                        fn(name ? name : ref->path, (unsigned) slot, to->ref->target, id, user_data);
                }
        }
        return r;
}

struct ref_entries {
        mlx5_tree_entries *entries;
        uint32_t dev;
};

static void add_ref_link(const char *name, unsigned slot, const mlx5_schema_resource *target, uint32_t id,
                         void *user_data)
{
        struct ref_entries *re = user_data;

        add(re->entries, name, NODE_REF_LINK, re->dev, slot, id);
}

static int refs_object_children(mlx5_tree *tree, const struct mlx5_tree_node *self, mlx5_tree_entries *entries)
{
        g_autoptr(mlx5_snapshot) snap = NULL;
        struct ref_entries re = { .entries = entries, .dev = self->dev };
        struct tree_ref_targets *rt;
        int r;

        r = tree_object_snapshot(tree, self->dev, self->sub, self->id, &snap);
        if (r < 0)
                return r;
        if (!snap->raw)
                return -EIO;
        rt = tree_ref_targets_new(tree, self->dev);
        r = tree_foreach_ref(rt, self->sub, snap->raw, add_ref_link, &re);
        tree_ref_targets_free(rt);
        return r;
}

static char *ref_link(mlx5_tree *tree, const struct mlx5_tree_node *n)
{
        static const char up[] = "../../../";
        char id[TREE_ID_NAME_MAX];
        const struct ref_slot *rs;
        size_t id_len, name_len;
        char *target, *at;

        if (n->sub >= tree->ref_slots->len)
                return NULL;
        rs = &g_array_index(tree->ref_slots, struct ref_slot, n->sub);
        id_len = tree_format_id(id, n->id);
        name_len = strlen(rs->ref->target->name);
        /* Read at every stat and readlink of a reference: no printf, one allocation of the exact length. */
        at = target = g_malloc(sizeof(up) - 1 + name_len + 1 + id_len + 1);
        at = mempcpy(at, up, sizeof(up) - 1);
        at = mempcpy(at, rs->ref->target->name, name_len);
        *at++ = '/';
        memcpy(at, id, id_len + 1);
        return target;
}

/* ---- rscdump/: the resource-dump segments the firmware's menu offers ---- */

static bool rscdump_shown(mlx5_tree *tree, const struct mlx5_tree_node *self)
{
        g_autoptr(tree_device) td = tree_device_get(tree, self->dev);

        return td && td->dev->menu->len > 0;
}

/* Index-free records are files; records that must have index1 are directories of indexes. */
static int rscdump_children(mlx5_tree *tree, const struct mlx5_tree_node *self, mlx5_tree_entries *entries)
{
        g_autoptr(tree_device) td = tree_device_get(tree, self->dev);

        if (!td)
                return -ENOENT;
        /* A record past TREE_MAX_SUB cannot be numbered (mlx5_tree_add_device said so). */
        for (unsigned k = 0; k < td->dev->menu->len && k < TREE_MAX_SUB; k++) {
                const struct mlx5_menu_record *m = &g_array_index(td->dev->menu, struct mlx5_menu_record, k);

                /* Not a name a directory can hold: firmware gave it, so it is left out. */
                if (!m->name[0] || strchr(m->name, '/') || strcmp(m->name, ".") == 0 || strcmp(m->name, "..") == 0)
                        continue;
                add(entries, m->name, m->must_index1 ? NODE_RSCDUMP_DIR : NODE_RSCDUMP_FILE, self->dev, k, 0);
        }
        return 0;
}

int tree_segment_type(const mlx5_tree *tree, const struct mlx5_menu_record *m)
{
        for (unsigned i = 0; i < mlx5_schema_n_resources(tree->schema); i++) {
                const mlx5_schema_resource *res = mlx5_schema_resource_at(tree->schema, i);

                for (guint k = 0; k < res->dump_indexes->len; k++)
                        if (strcmp(res->dump_indexes->pdata[k], m->index1_name) == 0)
                                return (int) i;
        }
        return -1;
}

/* A per-object segment lists the objects the inventory knows of the type its index numbers, that firmware dumps. */
static int rscdump_listing(mlx5_tree *tree, const struct mlx5_tree_node *self, mlx5_snapshot **ret_listing)
{
        return tree_get_content(tree, CONTENT_RSCDUMP_LIST, self->dev, self->sub, 0, ret_listing);
}

static int rscdump_content(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap)
{
        return tree_get_content(tree, CONTENT_RSCDUMP, n->dev, n->sub, n->id, ret_snap);
}

/* A listed object's dump as its directory's listing holds it (pinned or fresh), else firmware's now. */
static int rscdump_object_content(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap)
{
        struct mlx5_tree_node dir = { .kind = NODE_RSCDUMP_DIR, .dev = n->dev, .sub = n->sub };
        struct mlx5_cache_key key = { .device = n->dev, .kind = CONTENT_RSCDUMP_LIST, .sub = n->sub };

        if (tree_listed_snapshot(tree, &dir, &key, n->id, ret_snap) == 0)
                return 0;
        return rscdump_content(tree, n, ret_snap);
}

/* A listed object's dump's size and times, when its directory's listing holds it (see rscdump_object_content). */
static int rscdump_object_measure(mlx5_tree *tree, const struct mlx5_tree_node *n, bool raw,
                                  struct mlx5_tree_measure *ret)
{
        struct mlx5_tree_node dir = { .kind = NODE_RSCDUMP_DIR, .dev = n->dev, .sub = n->sub };
        struct mlx5_cache_key key = { .device = n->dev, .kind = CONTENT_RSCDUMP_LIST, .sub = n->sub };

        return tree_listed_measure(tree, &dir, &key, n->id, raw, ret);
}

/* ---- the table ---- */

#define NAMED(n, p) .name = (n), .parent = (p)
#define IN(p) .parent = (p)

const struct mlx5_tree_kind tree_builtin_kinds[NODE_BUILTIN_KINDS] = {
        [NODE_ROOT] = { .mode = DIR_MODE, .global = true, .children = root_children },
        [NODE_DEVICE] = { IN(NODE_ROOT), .mode = DIR_MODE, .children = device_children },
        [NODE_STATS] = { NAMED(".stats", NODE_ROOT), .mode = FILE_MODE, .global = true, .content = stats_content },
        [NODE_BY_NAME] = { NAMED("by-name", NODE_ROOT), .mode = DIR_MODE, .global = true,
                           .children = by_name_children },
        [NODE_ALIAS] = { IN(NODE_BY_NAME), .mode = LINK_MODE, .link = alias_link },

        [NODE_INFO] = { NAMED("info", NODE_DEVICE), .mode = FILE_MODE, .content = info_content },
        [NODE_CAPS] = { NAMED("caps", NODE_DEVICE), .mode = DIR_MODE, .children = caps_children },
        [NODE_CAPS_MODE] = { IN(NODE_CAPS), .mode = DIR_MODE, .children = caps_mode_children },
        [NODE_CAPS_FILE] = { IN(NODE_CAPS_MODE), .parent_of = MLX5_TREE_PARENT_SUB_FROM_ID, .mode = FILE_MODE,
                             .content = caps_content },
        [NODE_TYPE_DIR] = { IN(NODE_DEVICE), .mode = DIR_MODE, .listed_type = type_listed,
                            .listed_kind = NODE_OBJECT, .any_id = true },
        [NODE_OBJECT] = { IN(NODE_TYPE_DIR), .parent_of = MLX5_TREE_PARENT_SUB, .mode = FILE_MODE,
                          .content = object_text_content, .measure = object_measure },
        [NODE_GROUP_DIR] = { IN(NODE_DEVICE), .mode = DIR_MODE, .children = group_children },
        [NODE_SINGLETON] = { IN(NODE_DEVICE), .mode = FILE_MODE, .content = singleton_content },

        [NODE_RAW] = { NAMED("raw", NODE_DEVICE), .mode = DIR_MODE, .children = raw_children },
        [NODE_RAW_TYPE_DIR] = { IN(NODE_RAW), .mode = DIR_MODE, .listed_type = type_listed,
                                .listed_kind = NODE_RAW_OBJECT, .any_id = true },
        [NODE_RAW_OBJECT] = { IN(NODE_RAW_TYPE_DIR), .parent_of = MLX5_TREE_PARENT_SUB, .mode = FILE_MODE,
                              .content = object_content, .measure = object_measure, .raw = true },
        [NODE_RAW_SINGLETON] = { IN(NODE_RAW), .mode = FILE_MODE, .content = singleton_content, .raw = true },

        [NODE_OWNER] = { NAMED("owner", NODE_DEVICE), .mode = DIR_MODE, .children = owner_children },
        [NODE_OWNER_TYPE_DIR] = { IN(NODE_OWNER), .mode = DIR_MODE, .listed_type = type_listed,
                                  .listed_kind = NODE_OWNER_OBJECT },
        [NODE_OWNER_OBJECT] = { IN(NODE_OWNER_TYPE_DIR), .parent_of = MLX5_TREE_PARENT_SUB, .mode = FILE_MODE,
                                .content = owner_content, .measure = owner_measure },

        [NODE_REFS] = { NAMED("refs", NODE_DEVICE), .mode = DIR_MODE, .children = refs_children },
        [NODE_REFS_TYPE_DIR] = { IN(NODE_REFS), .mode = DIR_MODE, .listed_type = type_listed,
                                 .listed_kind = NODE_REFS_OBJECT, .any_id = true },
        [NODE_REFS_OBJECT] = { IN(NODE_REFS_TYPE_DIR), .parent_of = MLX5_TREE_PARENT_SUB, .mode = DIR_MODE,
                               .children = refs_object_children },
        [NODE_REF_LINK] = { IN(NODE_REFS_OBJECT), .mode = LINK_MODE, .link = ref_link, .lasts_with_parent = true },

        [NODE_RSCDUMP] = { NAMED("rscdump", NODE_DEVICE), .mode = DIR_MODE, .shown = rscdump_shown,
                           .children = rscdump_children },
        [NODE_RSCDUMP_FILE] = { IN(NODE_RSCDUMP), .mode = FILE_MODE, .content = rscdump_content, .raw = true },
        [NODE_RSCDUMP_DIR] = { IN(NODE_RSCDUMP), .mode = DIR_MODE, .listing = rscdump_listing,
                               .listed_kind = NODE_RSCDUMP_OBJECT, .any_id = true },
        [NODE_RSCDUMP_OBJECT] = { IN(NODE_RSCDUMP_DIR), .parent_of = MLX5_TREE_PARENT_SUB, .mode = FILE_MODE,
                                  .content = rscdump_object_content, .measure = rscdump_object_measure,
                                  .raw = true },

        /* Views for scripts and fleets (views.h): JSON, summaries, Prometheus. */
        [NODE_JSON] = { NAMED("json", NODE_DEVICE), .mode = DIR_MODE, .children = tree_json_children },
        [NODE_JSON_INFO] = { NAMED("info", NODE_JSON), .mode = FILE_MODE, .content = tree_json_info_content },
        [NODE_JSON_CAPS] = { NAMED("caps", NODE_JSON), .mode = DIR_MODE, .children = tree_json_caps_children },
        [NODE_JSON_CAPS_MODE] = { IN(NODE_JSON_CAPS), .mode = DIR_MODE, .children = tree_json_caps_mode_children },
        [NODE_JSON_CAPS_FILE] = { IN(NODE_JSON_CAPS_MODE), .parent_of = MLX5_TREE_PARENT_SUB_FROM_ID,
                                  .mode = FILE_MODE, .content = tree_json_caps_content },
        [NODE_JSON_TYPE_DIR] = { IN(NODE_JSON), .mode = DIR_MODE, .listed_type = type_listed,
                                 .listed_kind = NODE_JSON_OBJECT, .any_id = true },
        [NODE_JSON_OBJECT] = { IN(NODE_JSON_TYPE_DIR), .parent_of = MLX5_TREE_PARENT_SUB, .mode = FILE_MODE,
                               .content = tree_json_object_content },
        [NODE_JSON_GROUP_DIR] = { IN(NODE_JSON), .mode = DIR_MODE, .children = tree_json_group_children },
        [NODE_JSON_SINGLETON] = { IN(NODE_JSON), .mode = FILE_MODE, .content = tree_json_singleton_content },
        [NODE_JSON_LINES] = { IN(NODE_JSON), .mode = FILE_MODE, .content = tree_json_lines_content },
        [NODE_STATS_JSON] = { NAMED(".stats.json", NODE_ROOT), .mode = FILE_MODE, .global = true,
                              .content = tree_json_stats_content },
        [NODE_METRICS] = { NAMED("metrics", NODE_ROOT), .mode = FILE_MODE, .global = true,
                           .content = tree_metrics_content },
        [NODE_SUMMARY] = { NAMED("summary", NODE_DEVICE), .mode = DIR_MODE, .children = tree_summary_children },
        [NODE_SUMMARY_FILE] = { IN(NODE_SUMMARY), .mode = FILE_MODE, .content = tree_summary_content },
};
