/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The JSON plan: a resource's members as the JSON decoder writes them,
 * flattened once when the schema loads into values, each after the fixed
 * text before it (`,"name":{"inner":[`...).  Walking the struct tree for
 * every object, a name's strlen and a call per bracket and comma, was most
 * of what rendering an object's JSON cost (a listing's json/ files and
 * documents render every object).  It holds for an output long enough to
 * hold every field; a shorter one leaves fields out, and takes the walk.
 */
#include <string.h>

#include "schema-private.h"

struct json_plan_builder {
        GArray *steps;          /* of struct schema_json_step */
        GString *text;
        size_t pending_off;     /* where the literal before the next value starts in text */
        uint64_t need_bits;
};

static void add_value(struct json_plan_builder *b, const mlx5_schema_field *f, uint64_t bit_off)
{
        struct schema_json_step step = {
                .field = f,
                .bit_off = (uint32_t) bit_off,
                .text_off = (uint32_t) b->pending_off,
                .text_len = (uint32_t) (b->text->len - b->pending_off),
        };

        g_array_append_val(b->steps, step);
        b->pending_off = b->text->len;
}

static void build_struct(struct json_plan_builder *b, const mlx5_schema_struct *st, uint64_t base_bit_off,
                         bool *first);

static void build_element(struct json_plan_builder *b, const mlx5_schema_field *f, uint64_t bit_off)
{
        bool first = true;

        if (f->display != MLX5_DISPLAY_STRUCT) {
                add_value(b, f, bit_off);
                return;
        }
        g_string_append_c(b->text, '{');
        build_struct(b, f->nested, bit_off, &first);
        g_string_append_c(b->text, '}');
}

/* As schema-json.c's append_struct writes it, every field inside the output; *first NULL: the plan's very first member, whose comma the caller decides. */
static void build_struct(struct json_plan_builder *b, const mlx5_schema_struct *st, uint64_t base_bit_off,
                         bool *first)
{
        for (guint i = 0; i < st->fields->len; i++) {
                const mlx5_schema_field *f = &g_array_index(st->fields, mlx5_schema_field, i);
                uint64_t bit_off = base_bit_off + f->bit_off;

                b->need_bits = MAX(b->need_bits, bit_off + schema_field_span(f));
                if (!*first)
                        g_string_append_c(b->text, ',');
                *first = false;
                g_string_append_c(b->text, '"');
                g_string_append(b->text, f->name);
                g_string_append(b->text, "\":");
                if (!f->count) {
                        build_element(b, f, bit_off);
                        continue;
                }
                g_string_append_c(b->text, '[');
                for (uint32_t e = 0; e < f->count; e++) {
                        if (e)
                                g_string_append_c(b->text, ',');
                        build_element(b, f, bit_off + (uint64_t) e * f->width);
                }
                g_string_append_c(b->text, ']');
        }
}

struct schema_json_plan *schema_json_plan_new(const mlx5_schema_resource *r)
{
        struct json_plan_builder b = {
                .steps = g_array_new(FALSE, FALSE, sizeof(struct schema_json_step)),
                .text = g_string_new(NULL),
        };
        struct schema_json_plan *plan = g_new0(struct schema_json_plan, 1);
        /* The first member's comma is the caller's (mlx5_json_resource_members' first): none in the plan. */
        bool first = true;

        /* Bounded by the schema's own limits: MLX5_SCHEMA_MAX_BITS fields of names no longer than its lines. */
        build_struct(&b, r->context, r->context_bit_off, &first);
        if (r->extra)
                build_struct(&b, r->extra, 0, &first);
        plan->has_members = !first;
        plan->tail_off = (uint32_t) b.pending_off;
        plan->tail_len = (uint32_t) (b.text->len - b.pending_off);
        plan->text_len = b.text->len;
        plan->need_bits = b.need_bits;
        plan->n_steps = b.steps->len;
        plan->steps = (struct schema_json_step *) (void *) g_array_free(b.steps, FALSE);
        plan->text = g_string_free(b.text, FALSE);
        return plan;
}

void schema_json_plan_free(struct schema_json_plan *plan)
{
        if (!plan)
                return;
        g_free(plan->steps);
        g_free(plan->text);
        g_free(plan);
}
