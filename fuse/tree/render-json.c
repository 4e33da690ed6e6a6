/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The JSON mirror: <pci>/json/ holds every file of the text tree that
 * decodes something (info, caps/<mode>/<cap>, <type>/<id>, singletons) at
 * the same path, as one JSON document made from the same snapshot as its
 * text twin, plus json/<type>.jsonl: every listed object of the type, one
 * document a line, from one listing.  /.stats.json is .stats, from the
 * snapshot the same process's .stats shows.
 *
 * An object's document: "dev" (PCI function), "type", "id" (hex string, as
 * the file is named), the decoded fields (schema-json.c), "owner" for a
 * listed object (pid and comm as `rdma res show -j` prints them, the RDMA
 * device, the sources that found it) and "refs" (the refs/ links: field
 * name -> "<type>/<id>" below the device directory).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "prm/mbox.h"
#include "tree/stats-lines.h"
#include "tree/views.h"

const struct tree_view_kinds tree_json_view = {
        .caps_mode = NODE_JSON_CAPS_MODE, .caps_file = NODE_JSON_CAPS_FILE, .type_dir = NODE_JSON_TYPE_DIR,
        .singleton = NODE_JSON_SINGLETON, .group_dir = NODE_JSON_GROUP_DIR,
};

/*
 * Listed objects' documents: rendered at open, opened with a kept length, rendered at read; rendered for
 * json/<type>.jsonl (measured or read), and taken as kept with the listing by either (atomic).
 */
static gsize docs_at_open, docs_length_kept, docs_at_read, docs_in_lines, docs_taken_kept;

void tree_json_doc_counts(uint64_t *ret_at_open, uint64_t *ret_length_kept, uint64_t *ret_at_read)
{
        *ret_at_open = g_atomic_pointer_get(&docs_at_open);
        *ret_length_kept = g_atomic_pointer_get(&docs_length_kept);
        *ret_at_read = g_atomic_pointer_get(&docs_at_read);
}

void tree_json_doc_reuse_counts(uint64_t *ret_in_lines, uint64_t *ret_taken_kept)
{
        *ret_in_lines = g_atomic_pointer_get(&docs_in_lines);
        *ret_taken_kept = g_atomic_pointer_get(&docs_taken_kept);
}

void tree_format_json_stats(GString *out)
{
        static const char *const names[] = { "rendered_at_open", "length_kept", "rendered_at_read",
                                             "rendered_in_lines", "taken_kept" };
        uint64_t counts[G_N_ELEMENTS(names)];

        tree_json_doc_counts(&counts[0], &counts[1], &counts[2]);
        tree_json_doc_reuse_counts(&counts[3], &counts[4]);
        for (unsigned i = 0; i < G_N_ELEMENTS(names); i++)
                g_string_append_printf(out, "json.docs_%s: %" G_GUINT64_FORMAT "\n", names[i], counts[i]);
}

/* ---- the directories ---- */

int tree_json_children(mlx5_tree *tree, const struct mlx5_tree_node *self, mlx5_tree_entries *entries)
{
        g_autoptr(tree_device) td = tree_device_get(tree, self->dev);

        if (!td)
                return -ENOENT;
        tree_add_resources(tree, td, self->dev, &tree_json_view, entries);
        for (unsigned i = 0; i < mlx5_schema_n_resources(tree->schema); i++) {
                const mlx5_schema_resource *res = mlx5_schema_resource_at(tree->schema, i);
                g_autofree char *name = NULL;

                if (!res->has_id || td->dev->listing[i].absent)
                        continue;
                name = g_strconcat(res->name, ".jsonl", NULL);
                mlx5_tree_entries_add(entries, name, (struct mlx5_tree_node) { .kind = NODE_JSON_LINES,
                                                                               .dev = self->dev, .sub = i });
        }
        return 0;
}

int tree_json_caps_children(mlx5_tree *tree, const struct mlx5_tree_node *self, mlx5_tree_entries *entries)
{
        tree_add_caps_modes(self, &tree_json_view, entries);
        return 0;
}

int tree_json_caps_mode_children(mlx5_tree *tree, const struct mlx5_tree_node *self, mlx5_tree_entries *entries)
{
        return tree_add_caps_files(tree, self, &tree_json_view, entries);
}

int tree_json_group_children(mlx5_tree *tree, const struct mlx5_tree_node *self, mlx5_tree_entries *entries)
{
        return tree_add_group_members(tree, self, &tree_json_view, entries);
}

/* ---- objects ---- */

/*
 * What one device's documents share, worked out once per file and kept
 * with it: a view rendered in slices renders its lines again from these.
 */
struct json_device {
        mlx5_tree *tree;
        char *pci_name;
        char *rdma;                     /* the RDMA device, or NULL */
        struct tree_ref_targets *refs;  /* the listings references were looked up in */
};

static void json_device_init(struct json_device *jd, mlx5_tree *tree, struct tree_device *td)
{
        jd->tree = tree;
        jd->pci_name = g_strdup(td->dev->pci_name);
        jd->rdma = tree_rdma_device(td);
        jd->refs = tree_ref_targets_new(tree, td->slot);
}

static void json_device_clear(struct json_device *jd)
{
        g_free(jd->pci_name);
        g_free(jd->rdma);
        tree_ref_targets_free(jd->refs);
}

/*
 * An object's document is built without printf (a call of it, its format
 * parsed anew, cost more than the text it wrote) and with in-place appends:
 * a listing's json/ files and json/<type>.jsonl render every object, again
 * when not kept.
 */
static void append_key_string(GString *out, const char *key, const char *value)
{
        mlx5_text_append(out, ",\"");
        mlx5_text_append(out, key);
        mlx5_text_append(out, "\":");
        mlx5_json_string(out, value, strlen(value));
}

/* An id as a JSON string: as its file is named. */
static void append_id_string(GString *out, uint32_t id)
{
        g_string_append_c(out, '"');
        tree_append_id(out, id);
        g_string_append_c(out, '"');
}

static void append_owner(GString *out, const struct json_device *jd, const struct mlx5_listing *l, int slot)
{
        const struct mlx5_object_owner *o;
        unsigned found = l->found_by ? l->found_by[slot] : 0, any = 0;

        mlx5_text_append(out, ",\"owner\":{");
        if (tree_listing_owner(l, slot, &o)) {
                g_autofree char *bracketed = o->pid ? NULL : g_strconcat("[", o->comm, "]", NULL);
                const char *comm = bracketed ? bracketed : o->comm;

                mlx5_text_append(out, "\"pid\":");
                mlx5_decode_append_dec(out, o->pid);
                mlx5_text_append(out, ",\"comm\":");
                mlx5_json_string(out, comm, strlen(comm));
                any++;
        }
        if (jd->rdma) {
                mlx5_text_append(out, any++ ? ",\"rdma_device\":" : "\"rdma_device\":");
                mlx5_json_string(out, jd->rdma, strlen(jd->rdma));
        }
        mlx5_text_append(out, any ? ",\"found_by\":[" : "\"found_by\":[");
        any = 0;
        for (unsigned b = 0; mlx5_inventory_source_name(b); b++)
                if (found & (1u << b)) {
                        mlx5_text_append(out, any++ ? ",\"" : "\"");
                        mlx5_text_append(out, mlx5_inventory_source_name(b));
                        g_string_append_c(out, '"');
                }
        mlx5_text_append(out, "]}");
}

struct refs_json {
        GString *out;
        unsigned n;
};

static void append_ref(const char *name, unsigned slot, const mlx5_schema_resource *target, uint32_t id,
                       void *user_data)
{
        struct refs_json *rj = user_data;

        mlx5_text_append(rj->out, rj->n++ ? ",\"" : "\"");
        mlx5_text_append(rj->out, name);
        mlx5_text_append(rj->out, "\":\"");
        mlx5_text_append(rj->out, target->name);
        g_string_append_c(rj->out, '/');
        tree_append_id(rj->out, id);
        g_string_append_c(rj->out, '"');
}

static bool has_refs(const mlx5_schema_resource *res)
{
        return res->refs->len > 0;
}

/*
 * One object's document.  raw is its query output, or NULL when firmware
 * did not answer it at listing time (then it has no decoded fields); slot
 * is its place in listing l, or -1 when it is not listed (then no owner).
 */
static int append_object(GString *out, const struct json_device *jd, uint32_t res_index, uint32_t id, GBytes *raw,
                         const struct mlx5_listing *l, int slot)
{
        const mlx5_schema_resource *res = mlx5_schema_resource_at(jd->tree->schema, res_index);
        bool first = false;
        int r;

        mlx5_text_append(out, "{\"dev\":");
        mlx5_json_string(out, jd->pci_name, strlen(jd->pci_name));
        append_key_string(out, "type", res->name);
        if (res->has_id) {
                mlx5_text_append(out, ",\"id\":");
                append_id_string(out, id);
        }
        if (raw) {
                gsize len;
                const uint8_t *p = g_bytes_get_data(raw, &len);

                mlx5_json_resource_members(out, res, p, len, &first);
        }
        if (l && slot >= 0)
                append_owner(out, jd, l, slot);
        if (raw && has_refs(res)) {
                struct refs_json rj = { .out = out };

                mlx5_text_append(out, ",\"refs\":{");
                r = tree_foreach_ref(jd->refs, res_index, raw, append_ref, &rj);
                if (r < 0)
                        return r;
                g_string_append_c(out, '}');
        }
        g_string_append_c(out, '}');
        return 0;
}

/* What renders one object's document: the object, and the listing that shows it (or none). */
struct document {
        mlx5_tree *tree;
        struct tree_device *td;
        uint32_t res_index, id;
        const struct mlx5_listing *l;
        int slot;
        int error;                      /* why render_document returned NULL */
};

/* What a document is rendered into, before it gets bytes of its own. */
static GPrivate doc_scratch = G_PRIVATE_INIT(tree_scratch_free);

static GBytes *render_document(GBytes *raw, void *data)
{
        struct document *d = data;
        GString *text = tree_scratch(&doc_scratch);
        struct json_device jd;

        if (d->l && d->slot >= 0)
                g_atomic_pointer_add(&docs_at_open, 1);
        json_device_init(&jd, d->tree, d->td);
        d->error = append_object(text, &jd, d->res_index, d->id, raw, d->l, d->slot);
        json_device_clear(&jd);
        if (d->error < 0)
                return NULL;
        g_string_append_c(text, '\n');
        return g_bytes_new(text->str, text->len);
}

/* json/<type>.jsonl: what renders its lines, pinned while its snapshot lives. */
struct json_lines {
        struct tree_lines lines;
        struct json_device jd;
        mlx5_snapshot *listing;
        uint32_t res_index;
        GBytes *tag;                    /* the state its last document was rendered under, or NULL */
        unsigned tag_asked;             /* the reference listings jd had asked when tag was made */
        GBytes *accepted;               /* the last kept document's state it took, or NULL */
};

static void json_lines_clear(struct tree_lines *tl)
{
        struct json_lines *jl = (struct json_lines *) tl;

        json_device_clear(&jl->jd);
        mlx5_snapshot_unref(jl->listing);
        if (jl->tag)
                g_bytes_unref(jl->tag);
        if (jl->accepted)
                g_bytes_unref(jl->accepted);
        g_free(jl);
}

/*
 * What the documents were rendered from besides the listing: the RDMA
 * device's name, and each listing references were looked up in (by
 * serial), or why there was none.
 */
struct json_dep {
        int32_t result;                 /* tree_ref_targets_listing's; 1: not asked */
        uint32_t pad;
        uint64_t serial;                /* the listing's, when result is 0 */
};

struct json_state {
        guint n_res;
        gboolean has_rdma;
        struct json_dep dep[];          /* then the RDMA device's name, NUL-terminated, if has_rdma */
};

static GBytes *json_device_state(struct json_device *jd)
{
        unsigned n_res = mlx5_schema_n_resources(jd->tree->schema);
        size_t rdma_len = jd->rdma ? strlen(jd->rdma) + 1 : 0;
        size_t size = sizeof(struct json_state) + n_res * sizeof(struct json_dep) + rdma_len;
        struct json_state *st = g_malloc0(size);

        st->n_res = n_res;
        st->has_rdma = jd->rdma != NULL;
        for (unsigned i = 0; i < n_res; i++) {
                const mlx5_snapshot *l;

                st->dep[i].result = tree_ref_targets_listing(jd->refs, i, false, &l);
                st->dep[i].serial = l ? l->serial : 0;
        }
        if (rdma_len)
                memcpy(&st->dep[n_res], jd->rdma, rdma_len);
        return g_bytes_new_take(st, size);
}

/* Whether what jd renders from now is what state says (the listings state names are asked now, and kept). */
static bool json_device_takes(struct json_device *jd, GBytes *state)
{
        const struct json_state *st = state ? g_bytes_get_data(state, NULL) : NULL;

        if (!st || st->n_res != mlx5_schema_n_resources(jd->tree->schema) || st->has_rdma != (jd->rdma != NULL))
                return false;
        if (st->has_rdma && strcmp((const char *) &st->dep[st->n_res], jd->rdma) != 0)
                return false;
        for (unsigned i = 0; i < st->n_res; i++) {
                const mlx5_snapshot *l;
                int r;

                if (st->dep[i].result == 1)
                        continue;
                r = tree_ref_targets_listing(jd->refs, i, true, &l);
                if (r != st->dep[i].result || (l && l->serial != st->dep[i].serial))
                        return false;
        }
        return true;
}

static GBytes *json_keep_state(struct tree_lines *tl)
{
        return json_device_state(&((struct json_lines *) tl)->jd);
}

static bool json_take_state(struct tree_lines *tl, GBytes *state)
{
        return json_device_takes(&((struct json_lines *) tl)->jd, state);
}

/*
 * A listed object's document as its listing keeps it: the text and the
 * state it was rendered under.  The same bytes of the listing make another
 * document under another RDMA name or other reference listings, of the
 * same length or not: a reader takes a kept one only under its own state.
 */
struct json_kept {
        GBytes *state;
        gsize len;
        char text[];
};

static void json_kept_free(gpointer p)
{
        struct json_kept *k = p;

        g_bytes_unref(k->state);
        g_free(k);
}

static const struct json_kept *json_kept_of(GBytes *b)
{
        return g_bytes_get_data(b, NULL);
}

/* The state jl renders under now: the last one's while the same (once asked, a listing stays jl's). */
static GBytes *json_lines_tag(struct json_lines *jl)
{
        unsigned asked = tree_ref_targets_asked(jl->jd.refs);
        GBytes *state;

        /* The state is what jd's reference listings say: made again only once another was asked. */
        if (jl->tag && jl->tag_asked == asked)
                return jl->tag;
        jl->tag_asked = asked;
        state = json_device_state(&jl->jd);
        if (jl->tag && g_bytes_equal(state, jl->tag)) {
                g_bytes_unref(state);
                return jl->tag;
        }
        if (jl->tag)
                g_bytes_unref(jl->tag);
        jl->tag = state;
        return state;
}

static bool json_lines_accepts(struct json_lines *jl, GBytes *state)
{
        if (state == jl->tag || state == jl->accepted || (jl->accepted && g_bytes_equal(state, jl->accepted)))
                return true;
        if (!json_device_takes(&jl->jd, state))
                return false;
        if (jl->accepted)
                g_bytes_unref(jl->accepted);
        jl->accepted = g_bytes_ref(state);
        return true;
}

struct slot_render {
        struct json_lines *jl;
        guint slot;
        int error;                      /* why render_slot_document returned NULL */
        unsigned renders;
};

static GBytes *render_slot_document(GBytes *raw, void *data)
{
        struct slot_render *sr = data;
        struct json_lines *jl = sr->jl;
        const struct mlx5_listing *l = jl->listing->listing;
        GString *text = tree_scratch(&doc_scratch);
        struct json_kept *k;

        sr->renders++;
        sr->error = append_object(text, &jl->jd, jl->res_index, g_array_index(l->ids, uint32_t, sr->slot), raw, l,
                                  (int) sr->slot);
        if (sr->error < 0)
                return NULL;
        g_string_append_c(text, '\n');
        k = g_malloc(sizeof(*k) + text->len);
        k->state = g_bytes_ref(json_lines_tag(jl));
        k->len = text->len;
        memcpy(k->text, text->str, text->len);
        return g_bytes_new_with_free_func(k, sizeof(*k) + text->len, json_kept_free, k);
}

/* Renders nothing: mlx5_listing_render gives a kept document only. */
static GBytes *render_none(GBytes *raw, void *data)
{
        return NULL;
}

/*
 * The document of jl's slot (a struct json_kept): the listing's kept one
 * if rendered under jl's state; else, when rendered is not NULL (it counts
 * the renders), jl's own, kept if none is.  NULL with *ret_error, or 0
 * when none is kept and rendered is NULL.
 */
static GBytes *slot_document(struct json_lines *jl, guint slot, gsize *rendered, int *ret_error)
{
        struct slot_render sr = { jl, slot, 0, 0 };
        GBytes *b = mlx5_listing_render(jl->listing, (int) slot, MLX5_LISTING_JSON,
                                        rendered ? render_slot_document : render_none, &sr);

        if (b && !json_lines_accepts(jl, json_kept_of(b)->state)) {
                g_bytes_unref(b);
                b = NULL;
        }
        /* Its query failed at listing time, or the one kept was rendered under another state: not kept. */
        if (!b && sr.error == 0 && rendered) {
                g_autoptr(GBytes) raw = mlx5_listing_raw_bytes(jl->listing->listing, slot);

                b = render_slot_document(raw, &sr);
        }
        if (rendered)
                g_atomic_pointer_add(rendered, sr.renders);
        if (b && sr.renders == 0)
                g_atomic_pointer_add(&docs_taken_kept, 1);
        *ret_error = sr.error;
        return b;
}

static int json_line(struct tree_lines *tl, guint i, GString *out)
{
        g_autoptr(GBytes) b = NULL;
        const struct json_kept *k;
        int r;

        b = slot_document((struct json_lines *) tl, i, &docs_in_lines, &r);
        if (!b)
                return r < 0 ? r : -EIO;
        k = json_kept_of(b);
        g_string_append_len(out, k->text, (gssize) k->len);
        return 0;
}

static struct json_lines *json_lines_new(mlx5_tree *tree, struct tree_device *td, mlx5_snapshot *listing,
                                         uint32_t res_index)
{
        struct json_lines *jl = g_new0(struct json_lines, 1);

        jl->lines = (struct tree_lines) { .line = json_line, .clear = json_lines_clear, .view = "json lines",
                                          .n = listing->listing->ids->len, .listing = listing,
                                          .whole = MLX5_LISTING_WHOLE_JSONL, .keep_state = json_keep_state,
                                          .take_state = json_take_state };
        json_device_init(&jl->jd, tree, td);
        jl->listing = listing;
        jl->res_index = res_index;
        return jl;
}

/*
 * Every listed object of the type, one document a line, from one listing
 * (pinned by an open directory, or fresh), rendered in slices as read.
 */
int tree_json_lines_content(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap)
{
        g_autoptr(tree_device) td = tree_device_get(tree, n->dev);
        struct json_lines *jl;
        mlx5_snapshot *listing;
        int r;

        if (!td)
                return -ENODEV;
        r = tree_listing(tree, n->dev, n->sub, &listing);
        if (r < 0)
                return r;
        jl = json_lines_new(tree, td, listing, n->sub);
        return tree_lines_snapshot(&jl->lines, listing, ret_snap);
}

/*
 * A listed object's document is json/<type>.jsonl's line of its slot: kept
 * with the listing once rendered (by that view, or a stat, open or read of
 * the document) when there is room, and taken by whoever renders under the
 * same state.  Else its length is the one that view's kept measure gives,
 * while the measure was made from what the document would be rendered from
 * now (the listing, the RDMA device, the listings references are looked up
 * in: checked by json_take_state, which pins those listings for the reads).
 * So a stat or open renders nothing; the first read renders it, and a
 * render of another length fails the read.
 */
struct json_doc {
        struct mlx5_slices slices;
        struct json_lines *jl;          /* pins what the line was measured from */
        guint slot;
        uint64_t len;
};

static int doc_render(struct mlx5_slices *s, uint64_t off, size_t size, GString *out)
{
        struct json_doc *doc = (struct json_doc *) s;
        g_autoptr(GBytes) b = NULL;
        const struct json_kept *k;
        int r;

        b = slot_document(doc->jl, doc->slot, &docs_at_read, &r);
        if (!b)
                return r < 0 ? r : -EIO;
        k = json_kept_of(b);
        /* Rendered from the same snapshots as when measured: another length is a bug, not a new state. */
        if (k->len != doc->len) {
                g_warning("json document of slot %u: rendered %zu bytes, measured %" G_GUINT64_FORMAT ": read fails",
                          doc->slot, (size_t) k->len, doc->len);
                return -EIO;
        }
        if (off < k->len)
                g_string_append_len(out, k->text + off, (gssize) MIN(size, k->len - off));
        return 0;
}

static void doc_free(struct mlx5_slices *s)
{
        struct json_doc *doc = (struct json_doc *) s;

        tree_lines_free(&doc->jl->lines);
        g_free(doc);
}

/* The document of a listed object's slot with the length kept for it (takes jl): 0, or 1 when none is kept. */
static int kept_length_document(struct json_lines *jl, int slot, const mlx5_snapshot *like, mlx5_snapshot **ret_snap)
{
        struct json_doc *doc;
        uint64_t start, len;
        mlx5_snapshot *snap;

        if (!tree_lines_kept_line(&jl->lines, (guint) slot, &start, &len)) {
                tree_lines_free(&jl->lines);
                return 1;
        }
        doc = g_new0(struct json_doc, 1);
        *doc = (struct json_doc) { .slices = { .render = doc_render, .free = doc_free }, .jl = jl,
                                   .slot = (guint) slot, .len = len };
        snap = mlx5_snapshot_new_slices(&doc->slices, len, sizeof(*doc));
        tree_snapshot_take_times(snap, like);
        g_atomic_pointer_add(&docs_length_kept, 1);
        *ret_snap = snap;
        return 0;
}

/*
 * A listed object's document (its query answered at listing time): kept
 * under the same state, else its length kept (rendered at the first read),
 * else rendered now (and kept if there is room).
 */
static int listed_document(mlx5_tree *tree, struct tree_device *td, uint32_t res_index, mlx5_snapshot *listing,
                           int slot, const mlx5_snapshot *like, mlx5_snapshot **ret_snap)
{
        g_autoptr(GBytes) b = NULL;
        struct json_lines *jl;
        int r;

        jl = json_lines_new(tree, td, mlx5_snapshot_ref(listing), res_index);
        b = slot_document(jl, (guint) slot, NULL, &r);
        if (!b && r == 0) {
                r = kept_length_document(jl, slot, like, ret_snap);
                if (r <= 0)
                        return r;
                jl = json_lines_new(tree, td, mlx5_snapshot_ref(listing), res_index);
                b = slot_document(jl, (guint) slot, &docs_at_open, &r);
        }
        tree_lines_free(&jl->lines);
        if (!b)
                return r < 0 ? r : -EIO;
        *ret_snap = tree_snapshot_of(g_bytes_new_from_bytes(b, offsetof(struct json_kept, text), json_kept_of(b)->len),
                                     like);
        return 0;
}

/*
 * The file of one object's document, with the times of the snapshot it
 * decodes: a listed object's is rendered once and kept with its listing.
 */
static int one_document(mlx5_tree *tree, struct tree_device *td, uint32_t res_index, uint32_t id,
                        const mlx5_snapshot *snap, mlx5_snapshot *listing, int slot, mlx5_snapshot **ret_snap)
{
        struct document d = { tree, td, res_index, id, listing ? listing->listing : NULL, slot, 0 };
        GBytes *bytes;

        if (listing && slot >= 0 && listing->listing->has_raw[slot])
                return listed_document(tree, td, res_index, listing, slot, snap, ret_snap);
        /* Not listed, or its query failed at listing time: this snapshot is its own query's. */
        bytes = render_document(snap->raw, &d);
        if (!bytes)
                return d.error;
        *ret_snap = tree_snapshot_of(bytes, snap);
        return 0;
}

/*
 * An object as its type's listing shows it, with the owner that listing
 * found; one not listed (read by number) as its own query shows it.
 */
int tree_json_object_content(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap)
{
        g_autoptr(tree_device) td = tree_device_get(tree, n->dev);
        g_autoptr(mlx5_snapshot) listing = NULL;
        g_autoptr(mlx5_snapshot) snap = NULL;
        int slot = -1, r;

        if (!td)
                return -ENODEV;
        r = tree_listing(tree, n->dev, n->sub, &listing);
        if (tree_view_fatal(r))
                return r;
        if (r == 0)
                slot = mlx5_listing_find(listing->listing, n->id);
        /* Its bytes and times: the document is rendered from them, not from the text. */
        if (slot >= 0)
                snap = mlx5_listing_object(listing, slot, NULL, NULL, NULL);
        if (!snap) {
                r = tree_object_snapshot(tree, n->dev, n->sub, n->id, &snap);
                if (r < 0)
                        return r;
        }
        return one_document(tree, td, n->sub, n->id, snap, listing, slot, ret_snap);
}

int tree_json_singleton_content(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap)
{
        g_autoptr(tree_device) td = tree_device_get(tree, n->dev);
        g_autoptr(mlx5_snapshot) snap = NULL;
        int r;

        if (!td)
                return -ENODEV;
        r = tree_get_content(tree, CONTENT_OBJECT, n->dev, n->sub, 0, &snap);
        if (r < 0)
                return r;
        return one_document(tree, td, n->sub, 0, snap, NULL, -1, ret_snap);
}

int tree_json_caps_content(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap)
{
        g_autoptr(tree_device) td = tree_device_get(tree, n->dev);
        g_autoptr(mlx5_snapshot) snap = NULL;
        const mlx5_schema_caps *caps = mlx5_schema_caps_at(tree->schema, n->sub);
        const uint8_t *p;
        GString *text;
        bool first = false;
        gsize len;
        int r;

        if (!td)
                return -ENODEV;
        r = tree_get_content(tree, CONTENT_CAPS, n->dev, n->sub, n->id, &snap);
        if (r < 0)
                return r;
        p = g_bytes_get_data(snap->raw, &len);
        if (len < MLX5_MBOX_HDR_LEN)
                return -EIO;
        text = g_string_sized_new(16384);
        g_string_append(text, "{\"dev\":");
        mlx5_json_string(text, td->dev->pci_name, strlen(td->dev->pci_name));
        append_key_string(text, "caps", caps->name);
        append_key_string(text, "mode", n->id ? "current" : "max");
        mlx5_json_struct_members(text, caps->layout, p + MLX5_MBOX_HDR_LEN, len - MLX5_MBOX_HDR_LEN, &first);
        g_string_append(text, "}\n");
        *ret_snap = tree_snapshot_like(text, snap);
        return 0;
}

/* ---- name: value text (info, .stats) as one document ---- */

/* Dotted names nest: "objects.qp: 106" is {"objects":{"qp":106}}, in the order the text gives them. */
struct jnode {
        char *name;
        char *value;            /* a leaf's text, or NULL for an object */
        GPtrArray *kids;        /* struct jnode *, in order */
};

static void jnode_free(gpointer data)
{
        struct jnode *j = data;

        g_free(j->name);
        g_free(j->value);
        if (j->kids)
                g_ptr_array_unref(j->kids);
        g_free(j);
}

static struct jnode *jnode_find(struct jnode *at, const char *name, size_t n)
{
        for (guint i = 0; at->kids && i < at->kids->len; i++) {
                struct jnode *k = at->kids->pdata[i];

                if (strlen(k->name) == n && strncmp(k->name, name, n) == 0)
                        return k;
        }
        return NULL;
}

static struct jnode *jnode_add(struct jnode *at, const char *name, size_t n, const char *value)
{
        struct jnode *k = g_new0(struct jnode, 1);

        k->name = g_strndup(name, n);
        k->value = g_strdup(value);
        if (!at->kids)
                at->kids = g_ptr_array_new_with_free_func(jnode_free);
        g_ptr_array_add(at->kids, k);
        return k;
}

static struct jnode *jnode_object(struct jnode *at, const char *name, size_t n)
{
        struct jnode *k = jnode_find(at, name, n);

        return k ? k : jnode_add(at, name, n, NULL);
}

/*
 * A name below a leaf ("limits.max_list_ids: 1048576" then
 * "limits.max_list_ids.tripped: 0") keeps the rest of its dots: one member
 * "max_list_ids.tripped".  A name given twice keeps its first value.
 */
static void jnode_put(struct jnode *at, const char *key, const char *value)
{
        const char *dot;
        struct jnode *k;

        while ((dot = strchr(key, '.'))) {
                k = jnode_find(at, key, (size_t) (dot - key));
                if (k && k->value)
                        break;
                at = k ? k : jnode_add(at, key, (size_t) (dot - key), NULL);
                key = dot + 1;
        }
        if (!jnode_find(at, key, strlen(key)))
                jnode_add(at, key, strlen(key), value);
}

/* Decimal numbers as JSON numbers (integers above 2^53 as strings); everything else as the string it is. */
static void append_text_value(GString *out, const char *v)
{
        size_t digits = strspn(v, "0123456789");
        bool integer = digits > 0 && v[digits] == '\0' && (v[0] != '0' || digits == 1);
        bool fraction = digits > 0 && v[digits] == '.' && v[digits + 1] && (v[0] != '0' || digits == 1) &&
                        strspn(v + digits + 1, "0123456789") == strlen(v + digits + 1);

        if (integer && digits <= 19) {
                mlx5_json_uint(out, g_ascii_strtoull(v, NULL, 10));
                return;
        }
        if (fraction) {
                g_string_append(out, v);
                return;
        }
        mlx5_json_string(out, v, strlen(v));
}

static void jnode_write(GString *out, const struct jnode *j)
{
        if (j->value) {
                append_text_value(out, j->value);
                return;
        }
        g_string_append_c(out, '{');
        for (guint i = 0; j->kids && i < j->kids->len; i++) {
                const struct jnode *k = j->kids->pdata[i];

                if (i)
                        g_string_append_c(out, ',');
                mlx5_json_string(out, k->name, strlen(k->name));
                g_string_append_c(out, ':');
                jnode_write(out, k);
        }
        g_string_append_c(out, '}');
}

int tree_json_info_content(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap)
{
        g_autoptr(mlx5_snapshot) info = NULL;
        g_autoptr(GArray) lines = NULL;
        struct jnode root = { 0 };
        GString *text;
        int r;

        r = tree_get_content(tree, CONTENT_INFO, n->dev, 0, 0, &info);
        if (r < 0)
                return r;
        lines = tree_stats_lines(info->text);
        for (guint i = 0; i < lines->len; i++) {
                const struct tree_stats_line *l = &g_array_index(lines, struct tree_stats_line, i);

                jnode_put(&root, l->key, l->value);
        }
        text = g_string_sized_new(4096);
        jnode_write(text, &root);
        g_string_append_c(text, '\n');
        if (root.kids)
                g_ptr_array_unref(root.kids);
        *ret_snap = tree_snapshot_like(text, info);
        return 0;
}

/* {"cache":{...},"limits":{...},"devices":{"0000:08:00.0":{...}}} */
int tree_json_stats_content(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap)
{
        g_autoptr(mlx5_snapshot) stats = tree_stats_for_caller(tree);
        g_autoptr(GArray) lines = tree_stats_lines(stats->text);
        struct jnode root = { 0 };
        GString *text;

        for (guint i = 0; i < lines->len; i++) {
                const struct tree_stats_line *l = &g_array_index(lines, struct tree_stats_line, i);
                struct jnode *at = &root;

                if (l->device) {
                        at = jnode_object(at, "devices", strlen("devices"));
                        at = jnode_object(at, l->device, strlen(l->device));
                }
                jnode_put(at, l->key, l->value);
        }
        text = g_string_sized_new(8192);
        jnode_write(text, &root);
        g_string_append_c(text, '\n');
        if (root.kids)
                g_ptr_array_unref(root.kids);
        *ret_snap = tree_snapshot_like(text, stats);
        return 0;
}
