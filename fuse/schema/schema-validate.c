/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pass 2 of loading: with every file parsed, resolve names (forward
 * references across files are fine), then check what needs the whole
 * namespace: nested struct sizes and cycles, overlaps, resource and caps
 * consistency.  Checks that one line can decide are in schema-parse.c.
 */
#include <string.h>

#include "schema-private.h"

/* A struct named as a field's type, a resource's context or a caps layout. */
static bool resolve_struct(const struct schema_ref *ref, const mlx5_schema_struct *st,
                           GError **error)
{
        mlx5_schema_resource *r = ref->resource;
        mlx5_schema_caps *c = ref->caps;

        if (ref->owner) {
                mlx5_schema_field *f = &g_array_index(ref->owner->fields, mlx5_schema_field, ref->index);

                if (f->width != st->size_bits) {
                        schema_set_error(error, ref->file, ref->line,
                                         "field '%s' is 0x%x bits but struct '%s' is 0x%x",
                                         f->name, f->width, st->name, st->size_bits);
                        return false;
                }
                f->nested = st;
        } else if (r) {
                uint64_t end = (uint64_t) r->context_bit_off + st->size_bits;

                if (end > (uint64_t) r->outlen * 8) {
                        schema_set_error(error, ref->file, ref->line,
                                         "resource '%s' context '%s' ends at bit 0x%llx, past outlen 0x%x",
                                         r->name, st->name, (unsigned long long) end, r->outlen);
                        return false;
                }
                r->context = st;
        } else {
                if (st->size_bits > MLX5_SCHEMA_MAX_CAPS_BITS) {
                        schema_set_error(error, ref->file, ref->line,
                                         "caps '%s' layout '%s' is 0x%x bits, more than 0x%x",
                                         c->name, st->name, st->size_bits,
                                         MLX5_SCHEMA_MAX_CAPS_BITS);
                        return false;
                }
                c->layout = st;
        }
        return true;
}

static bool resolve_ref(const mlx5_schema *schema, const struct schema_ref *ref, GError **error)
{
        const mlx5_schema_struct *st;
        const mlx5_schema_enum *e;

        if (ref->kind == MLX5_DISPLAY_STRUCT) {
                st = g_hash_table_lookup(schema->struct_by_name, ref->name);
                if (!st) {
                        schema_set_error(error, ref->file, ref->line, "unknown struct '%s'", ref->name);
                        return false;
                }
                return resolve_struct(ref, st, error);
        }

        e = g_hash_table_lookup(schema->enum_by_name, ref->name);
        if (!e) {
                schema_set_error(error, ref->file, ref->line, "unknown %s '%s'",
                                 ref->kind == MLX5_DISPLAY_FLAGS ? "flags" : "enum", ref->name);
                return false;
        }
        if (e->is_flags != (ref->kind == MLX5_DISPLAY_FLAGS)) {
                schema_set_error(error, ref->file, ref->line, "'%s' is %s, not %s", ref->name,
                                 e->is_flags ? "flags" : "an enum",
                                 e->is_flags ? "an enum" : "flags");
                return false;
        }
        g_array_index(ref->owner->fields, mlx5_schema_field, ref->index).enumeration = e;
        return true;
}

static bool too_deep(const mlx5_schema_struct *root, GError **error)
{
        schema_set_error(error, root->file, root->line,
                         "struct '%s' nests structs more than %d levels deep", root->name,
                         MLX5_SCHEMA_MAX_DEPTH);
        return false;
}

/*
 * Memoized depth-first walk: heights maps a finished struct to its height
 * in levels, and a struct still on the path to G_MAXUINT, which is how a
 * cycle shows.  The path is at most MLX5_SCHEMA_MAX_DEPTH deep, so neither
 * this walk nor any later one can exhaust the stack.
 */
static bool check_nesting(const mlx5_schema_struct *st, const mlx5_schema_struct *root,
                          unsigned depth, GHashTable *heights, unsigned *ret_height, GError **error)
{
        gpointer known;
        unsigned height = 1;

        if (g_hash_table_lookup_extended(heights, st, NULL, &known)) {
                if (GPOINTER_TO_UINT(known) == G_MAXUINT) {
                        schema_set_error(error, st->file, st->line, "struct '%s' contains itself",
                                         st->name);
                        return false;
                }
                *ret_height = GPOINTER_TO_UINT(known);
                return true;
        }
        if (depth > MLX5_SCHEMA_MAX_DEPTH)
                return too_deep(root, error);

        g_hash_table_insert(heights, (gpointer) st, GUINT_TO_POINTER(G_MAXUINT));
        for (guint i = 0; i < st->fields->len; i++) {
                const mlx5_schema_field *f = &g_array_index(st->fields, mlx5_schema_field, i);
                unsigned h;

                if (!f->nested)
                        continue;
                if (!check_nesting(f->nested, root, depth + 1, heights, &h, error))
                        return false;
                height = MAX(height, h + 1);
        }
        if (height > MLX5_SCHEMA_MAX_DEPTH)
                return too_deep(root, error);
        g_hash_table_insert(heights, (gpointer) st, GUINT_TO_POINTER(height));
        *ret_height = height;
        return true;
}

static int compare_fields(const void *a, const void *b)
{
        const mlx5_schema_field *fa = a, *fb = b;

        if (fa->bit_off != fb->bit_off)
                return fa->bit_off < fb->bit_off ? -1 : 1;
        return fa->line < fb->line ? -1 : fa->line > fb->line;
}

/*
 * Sorts st's fields by offset, indexes them by name (the array is final
 * from here on, so pointers into it stay valid), and names the
 * later-written of two fields that overlap.
 */
static bool sort_and_check_overlaps(mlx5_schema_struct *st, GError **error)
{
        const mlx5_schema_field *reach = NULL;  /* the field that ends last so far */
        uint64_t reach_end = 0;

        g_array_sort(st->fields, compare_fields);
        st->field_by_name = g_hash_table_new(g_str_hash, g_str_equal);
        for (guint i = 0; i < st->fields->len; i++) {
                mlx5_schema_field *f = &g_array_index(st->fields, mlx5_schema_field, i);

                g_hash_table_insert(st->field_by_name, f->name, f);
        }
        for (guint i = 0; i < st->fields->len; i++) {
                const mlx5_schema_field *f = &g_array_index(st->fields, mlx5_schema_field, i);
                uint64_t end = f->bit_off + schema_field_span(f);

                if (reach && f->bit_off < reach_end) {
                        const mlx5_schema_field *later = f->line > reach->line ? f : reach;
                        const mlx5_schema_field *earlier = later == f ? reach : f;

                        schema_set_error(error, st->file, later->line, "field '%s' overlaps '%s'",
                                         later->name, earlier->name);
                        return false;
                }
                if (end > reach_end) {
                        reach = f;
                        reach_end = end;
                }
        }
        return true;
}

/* Output fields outside the context: beside it, and named unlike its fields. */
static bool check_extra(const mlx5_schema_resource *r, GError **error)
{
        uint64_t ctx_end = (uint64_t) r->context_bit_off + r->context->size_bits;

        for (guint i = 0; r->extra && i < r->extra->fields->len; i++) {
                const mlx5_schema_field *f = &g_array_index(r->extra->fields, mlx5_schema_field, i);
                uint64_t end = f->bit_off + schema_field_span(f);

                if (f->bit_off < ctx_end && end > r->context_bit_off) {
                        schema_set_error(error, r->file, f->line, "field '%s' overlaps context '%s'",
                                         f->name, r->context->name);
                        return false;
                }
                /* Both decode to "name: value" lines of one file. */
                if (schema_struct_field(r->context, f->name, strlen(f->name))) {
                        schema_set_error(error, r->file, f->line,
                                         "field '%s' is also a field of context '%s'",
                                         f->name, r->context->name);
                        return false;
                }
        }
        return true;
}

/* One command reads one resource; a directory name means one thing. */
static bool check_resources(const mlx5_schema *schema, GError **error)
{
        g_autoptr(GHashTable) by_cmd = g_hash_table_new(g_direct_hash, g_direct_equal);

        for (guint i = 0; i < schema->resources->len; i++) {
                const mlx5_schema_resource *r = schema->resources->pdata[i];
                gpointer cmd = GUINT_TO_POINTER((unsigned) r->opcode << 16 | r->op_mod);
                const mlx5_schema_resource *other = g_hash_table_lookup(by_cmd, cmd);

                if (!check_extra(r, error))
                        return false;
                if (other) {
                        schema_set_error(error, r->file, r->line,
                                         "resource '%s' has the same query 0x%x op_mod 0x%x as '%s' (%s:%u)",
                                         r->name, r->opcode, r->op_mod, other->name,
                                         other->file, other->line);
                        return false;
                }
                g_hash_table_insert(by_cmd, cmd, (gpointer) r);

                other = r->dir ? g_hash_table_lookup(schema->resource_by_name, r->dir) : NULL;
                if (other) {
                        schema_set_error(error, r->file, r->line,
                                         "resource '%s' dir '%s' clashes with resource '%s' (%s:%u)",
                                         r->name, r->dir, other->name, other->file, other->line);
                        return false;
                }
        }
        return true;
}

static bool check_caps(const mlx5_schema *schema, GError **error)
{
        g_autoptr(GHashTable) by_type = g_hash_table_new(g_direct_hash, g_direct_equal);

        for (guint i = 0; i < schema->caps->len; i++) {
                const mlx5_schema_caps *c = schema->caps->pdata[i];
                const mlx5_schema_caps *other = g_hash_table_lookup(by_type, GUINT_TO_POINTER(c->type));

                if (other) {
                        schema_set_error(error, c->file, c->line,
                                         "caps '%s' has the same type 0x%x as '%s' (%s:%u)",
                                         c->name, c->type, other->name, other->file, other->line);
                        return false;
                }
                g_hash_table_insert(by_type, GUINT_TO_POINTER(c->type), (gpointer) c);
        }
        for (guint i = 0; i < schema->caps->len; i++) {
                const mlx5_schema_caps *c = schema->caps->pdata[i];
                const mlx5_schema_caps *general = g_hash_table_lookup(by_type, GUINT_TO_POINTER(0));
                const mlx5_schema_field *f;
                uint32_t bit_off;

                if (c->when && (!general || mlx5_schema_resolve(general->layout, c->when, &f, &bit_off) < 0)) {
                        schema_set_error(error, c->file, c->when_line,
                                         "caps '%s': 'when %s' is not a field of the general caps (type 0)",
                                         c->name, c->when);
                        return false;
                }
        }
        return true;
}

/* A field of the output: the context's (placed at its offset), else the other output fields'. */
static const mlx5_schema_field *resolve_output(const mlx5_schema_resource *r, const char *path, uint32_t *ret_bit_off)
{
        const mlx5_schema_field *f;
        uint32_t bit_off;

        if (mlx5_schema_resolve(r->context, path, &f, &bit_off) == 0) {
                *ret_bit_off = bit_off + r->context_bit_off;
                return f;
        }
        if (r->extra && mlx5_schema_resolve(r->extra, path, &f, &bit_off) == 0) {
                *ret_bit_off = bit_off;
                return f;
        }
        return NULL;
}

/* A ref's field: one scalar, or "NAME[*]" for every element of an array. */
static bool resolve_objref(const mlx5_schema *schema, mlx5_schema_resource *r, mlx5_schema_objref *ref,
                           GError **error)
{
        g_autofree char *first = NULL;
        const mlx5_schema_field *f;
        uint32_t bit_off;
        bool all = g_str_has_suffix(ref->path, "[*]");

        ref->target = g_hash_table_lookup(schema->resource_by_name, ref->target_name);
        if (!ref->target || !ref->target->has_id || ref->target == r) {
                schema_set_error(error, r->file, ref->line, "ref '%s': '%s' is not another resource with an id",
                                 ref->path, ref->target_name);
                return false;
        }
        first = all ? g_strdup_printf("%.*s[0]", (int) strlen(ref->path) - 3, ref->path) : g_strdup(ref->path);
        f = resolve_output(r, first, &bit_off);
        if (!f || f->width > 32 || (f->display != MLX5_DISPLAY_DEC && f->display != MLX5_DISPLAY_HEX) ||
            (f->count != 0) != all) {
                schema_set_error(error, r->file, ref->line,
                                 "ref '%s' is not a number field%s of resource '%s' (at most 32 bits)",
                                 ref->path, all ? " array" : "", r->name);
                return false;
        }
        ref->bit_off = bit_off;
        ref->width = f->width;
        ref->count = all ? f->count : 1;
        return true;
}

static bool resolve_probe(const mlx5_schema *schema, mlx5_schema_resource *r, GError **error)
{
        mlx5_schema_probe *pr = r->probe;
        const mlx5_schema_field *f;
        uint32_t bit_off;

        pr->caps = g_hash_table_lookup(schema->caps_by_name, pr->caps_name);
        if (!r->has_id || !pr->caps || mlx5_schema_resolve(pr->caps->layout, pr->field, &f, &bit_off) < 0 ||
            f->width > 32) {
                schema_set_error(error, r->file, pr->line,
                                 "probe %s.%s: not a caps field of at most 32 bits, or '%s' has no id",
                                 pr->caps_name, pr->field, r->name);
                return false;
        }
        return true;
}

/* A summary column is one leaf of at most 64 bits: a word of one line. */
static bool resolve_summary(mlx5_schema_resource *r, GError **error)
{
        for (guint i = 0; i < r->summary->len; i++) {
                mlx5_schema_column *c = &g_array_index(r->summary, mlx5_schema_column, i);

                c->field = resolve_output(r, c->path, &c->bit_off);
                if (!c->field || c->field->width > 64) {
                        schema_set_error(error, r->file, c->line,
                                         "summary '%s' is not a field of resource '%s' of at most 64 bits",
                                         c->path, r->name);
                        return false;
                }
        }
        /* A counter set's series are told apart by its id; a singleton's by the device alone. */
        if (r->counters_stem && !r->counters_label != !r->has_id) {
                schema_set_error(error, r->file, r->counters_line,
                                 r->has_id ? "counters of resource '%s' need a label for its objects' ids"
                                           : "counters of resource '%s': a singleton has no id to label",
                                 r->name);
                return false;
        }
        if (r->summary->len && !r->has_id) {
                schema_set_error(error, r->file, g_array_index(r->summary, mlx5_schema_column, 0).line,
                                 "summary of resource '%s': a singleton has no objects to summarize", r->name);
                return false;
        }
        return true;
}

/* Depth-first: 1 on the path, 2 done.  A cycle would make listings wait on each other. */
static bool refs_acyclic(const mlx5_schema_resource *r, GHashTable *mark, GError **error)
{
        unsigned m = GPOINTER_TO_UINT(g_hash_table_lookup(mark, r));

        if (m == 2)
                return true;
        if (m == 1) {
                schema_set_error(error, r->file, r->line, "refs of resource '%s' lead back to it", r->name);
                return false;
        }
        g_hash_table_insert(mark, (gpointer) r, GUINT_TO_POINTER(1));
        for (guint i = 0; i < r->refs->len; i++)
                if (!refs_acyclic(g_array_index(r->refs, mlx5_schema_objref, i).target, mark, error))
                        return false;
        g_hash_table_insert(mark, (gpointer) r, GUINT_TO_POINTER(2));
        return true;
}

static bool check_inventory(const mlx5_schema *schema, GError **error)
{
        g_autoptr(GHashTable) mark = g_hash_table_new(g_direct_hash, g_direct_equal);

        for (guint i = 0; i < schema->resources->len; i++) {
                mlx5_schema_resource *r = schema->resources->pdata[i];

                for (guint k = 0; k < r->refs->len; k++)
                        if (!resolve_objref(schema, r, &g_array_index(r->refs, mlx5_schema_objref, k), error))
                                return false;
                if (r->probe && !resolve_probe(schema, r, error))
                        return false;
                if (!resolve_summary(r, error))
                        return false;
        }
        for (guint i = 0; i < schema->resources->len; i++)
                if (!refs_acyclic(schema->resources->pdata[i], mark, error))
                        return false;
        return true;
}

bool schema_validate(mlx5_schema *schema, GError **error)
{
        g_autoptr(GHashTable) heights = g_hash_table_new(g_direct_hash, g_direct_equal);

        /* Fields are resolved by index, so resolve before sorting moves them. */
        for (guint i = 0; i < schema->refs->len; i++)
                if (!resolve_ref(schema, &g_array_index(schema->refs, struct schema_ref, i), error))
                        return false;

        for (guint i = 0; i < schema->structs->len; i++) {
                unsigned height;

                if (!check_nesting(schema->structs->pdata[i], schema->structs->pdata[i], 1,
                                   heights, &height, error))
                        return false;
        }
        for (guint i = 0; i < schema->extras->len; i++) {
                unsigned height;

                if (!check_nesting(schema->extras->pdata[i], schema->extras->pdata[i], 1,
                                   heights, &height, error))
                        return false;
        }

        for (guint i = 0; i < schema->structs->len; i++)
                if (!sort_and_check_overlaps(schema->structs->pdata[i], error))
                        return false;
        for (guint i = 0; i < schema->extras->len; i++)
                if (!sort_and_check_overlaps(schema->extras->pdata[i], error))
                        return false;

        return check_resources(schema, error) && check_caps(schema, error) && check_inventory(schema, error);
}
