/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The decode plan: a resource's leaves (context, then extra fields) in the
 * order the text decoder shows them, each with its output offset and its
 * dotted name, built once when the schema loads.  A listing decodes a
 * million objects; walking the struct tree and building every name again
 * for each of them was most of what rendering cost.
 */
#include <string.h>

#include "schema-private.h"

struct plan_builder {
        GArray *leaves;
        GString *paths;
};

static void add_leaf(const mlx5_schema_field *f, const char *path, uint32_t bit_off, void *user_data)
{
        struct plan_builder *b = user_data;
        struct schema_leaf leaf = {
                .field = f,
                .bit_off = bit_off,
                .head_off = (uint32_t) b->paths->len,
                .head_len = (uint32_t) strlen(path) + 2,
        };

        g_string_append(b->paths, path);
        g_string_append_len(b->paths, ": ", 2);
        g_array_append_val(b->leaves, leaf);
}

struct schema_plan *schema_plan_new(const mlx5_schema_resource *r)
{
        struct plan_builder b = {
                .leaves = g_array_new(FALSE, FALSE, sizeof(struct schema_leaf)),
                .paths = g_string_new(NULL),
        };
        g_autoptr(GString) path = g_string_sized_new(64);
        struct schema_plan *plan = g_new0(struct schema_plan, 1);

        /* Bounded by the schema's own limits: MLX5_SCHEMA_MAX_BITS leaves of names no longer than its lines. */
        schema_walk(r->context, r->context_bit_off, path, add_leaf, &b);
        if (r->extra)
                schema_walk(r->extra, 0, path, add_leaf, &b);
        plan->n_leaves = b.leaves->len;
        plan->leaves = (struct schema_leaf *) (void *) g_array_free(b.leaves, FALSE);
        plan->paths = g_string_free(b.paths, FALSE);
        return plan;
}

void schema_plan_free(struct schema_plan *plan)
{
        if (!plan)
                return;
        g_free(plan->leaves);
        g_free(plan->paths);
        g_free(plan);
}
