/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The JSON decoder: the same fields as the text decoder, as JSON members
 * typed for scripts (jq compares numbers and names, not strings of digits).
 * Nested structs become objects and arrays arrays, so `.primary_address_path
 * .vhca_port_num` and `.rq_num[3]` read as the text's dotted names do.  A
 * field not wholly inside the buffer is left out, as the text leaves out
 * the leaves it cannot read.
 */
#include "prm/bits.h"
#include "schema-private.h"

/* Doubles hold every integer up to 2^53: past that, jq would round the value. */
#define JSON_MAX_EXACT (UINT64_C(1) << 53)

static const char hex_digits[] = "0123456789abcdef";

void mlx5_json_uint(GString *out, uint64_t value)
{
        struct schema_sink sink = { .out = out };
        bool quoted = value > JSON_MAX_EXACT;

        /* Most values a context holds are flags and small counts. */
        if (value < 10) {
                g_string_append_c(out, (char) ('0' + value));
                return;
        }
        if (quoted)
                g_string_append_c(out, '"');
        schema_append_dec(&sink, value);
        if (quoted)
                g_string_append_c(out, '"');
}

/* A hex number as a string: "0x..." (jq cannot hold a 64-bit mask exactly, and it reads as the text does). */
static void append_hex_string(GString *out, uint64_t value)
{
        struct schema_sink sink = { .out = out };

        g_string_append_c(out, '"');
        schema_append_hex(&sink, value);
        g_string_append_c(out, '"');
}

/* A name the schema gave (an identifier: nothing to escape), quoted; after a comma unless first. */
static void append_name(GString *out, const char *name, bool first)
{
        if (!first)
                g_string_append_c(out, ',');
        g_string_append_c(out, '"');
        schema_append_len(out, name, strlen(name));
        g_string_append_c(out, '"');
}

static void append_escaped_byte(GString *out, uint8_t c)
{
        switch (c) {
        case '"':
                schema_append_len(out, "\\\"", 2);
                return;
        case '\\':
                schema_append_len(out, "\\\\", 2);
                return;
        case '\n':
                schema_append_len(out, "\\n", 2);
                return;
        case '\t':
                schema_append_len(out, "\\t", 2);
                return;
        default:
                break;
        }
        /* Not UTF-8 we could vouch for: a byte of firmware text stands for the code point of its value. */
        if (c < 0x20 || c >= 0x7f) {
                schema_append_len(out, "\\u00", 4);
                g_string_append_c(out, hex_digits[c >> 4]);
                g_string_append_c(out, hex_digits[c & 0xf]);
                return;
        }
        g_string_append_c(out, (char) c);
}

static bool needs_escape(uint8_t c)
{
        return c < 0x20 || c >= 0x7f || c == '"' || c == '\\';
}

void mlx5_json_string(GString *out, const char *text, size_t n)
{
        size_t plain = 0;

        /* Names, comms and devices rarely hold a byte to escape: their plain run in one copy. */
        while (plain < n && !needs_escape((uint8_t) text[plain]))
                plain++;
        g_string_append_c(out, '"');
        schema_append_len(out, text, plain);
        for (size_t i = plain; i < n; i++)
                append_escaped_byte(out, (uint8_t) text[i]);
        g_string_append_c(out, '"');
}

struct flags_json {
        GString *out;
        bool first;
};

static void append_flag(const char *name, void *user_data)
{
        struct flags_json *fj = user_data;

        append_name(fj->out, name, fj->first);
        fj->first = false;
}

/* An array of the set bits' names; bits without one as a last "0x..." element. */
static void append_flags(GString *out, const mlx5_schema_enum *e, uint64_t value)
{
        struct flags_json fj = { .out = out, .first = true };
        uint64_t unknown;

        g_string_append_c(out, '[');
        unknown = mlx5_schema_flags_foreach(e, value, append_flag, &fj);
        if (unknown) {
                if (!fj.first)
                        g_string_append_c(out, ',');
                append_hex_string(out, unknown);
        }
        g_string_append_c(out, ']');
}

static void append_escaped_to_sink(struct schema_sink *out, uint8_t c)
{
        append_escaped_byte(out->out, c);
}

/* n bytes at bit_off as a string: hex digits, or ascii text up to the first NUL. */
static void append_bytes(GString *out, enum mlx5_display display, const uint8_t *buf, size_t len, uint64_t bit_off,
                         uint32_t n)
{
        struct schema_sink sink = { .out = out };

        g_string_append_c(out, '"');
        schema_append_bytes(&sink, display, buf, len, bit_off, n, append_escaped_to_sink);
        g_string_append_c(out, '"');
}

static void append_value(GString *out, const mlx5_schema_field *f, const uint8_t *buf, size_t len, uint64_t bit_off)
{
        uint64_t value;
        const char *name;

        if (f->display == MLX5_DISPLAY_BYTES || f->display == MLX5_DISPLAY_ASCII) {
                append_bytes(out, f->display, buf, len, bit_off, f->width / 8);
                return;
        }
        value = mlx5_bits_get(buf, len, bit_off, f->width);
        switch (f->display) {
        case MLX5_DISPLAY_HEX:
                append_hex_string(out, value);
                return;
        case MLX5_DISPLAY_ENUM:
                name = mlx5_schema_enum_name(f->enumeration, value);
                if (name) {
                        append_name(out, name, true);
                        return;
                }
                break;
        case MLX5_DISPLAY_FLAGS:
                append_flags(out, f->enumeration, value);
                return;
        default:
                break;
        }
        mlx5_json_uint(out, value);
}

static void append_struct(GString *out, const mlx5_schema_struct *st, const uint8_t *buf, size_t len,
                          uint64_t base_bit_off, bool *first);

/* One element: a nested object or a value. */
static void append_element(GString *out, const mlx5_schema_field *f, const uint8_t *buf, size_t len,
                           uint64_t bit_off)
{
        bool first = true;

        if (f->display != MLX5_DISPLAY_STRUCT) {
                append_value(out, f, buf, len, bit_off);
                return;
        }
        g_string_append_c(out, '{');
        append_struct(out, f->nested, buf, len, bit_off, &first);
        g_string_append_c(out, '}');
}

static void append_struct(GString *out, const mlx5_schema_struct *st, const uint8_t *buf, size_t len,
                          uint64_t base_bit_off, bool *first)
{
        for (guint i = 0; i < st->fields->len; i++) {
                const mlx5_schema_field *f = &g_array_index(st->fields, mlx5_schema_field, i);
                uint64_t bit_off = base_bit_off + f->bit_off;

                if (bit_off + schema_field_span(f) > (uint64_t) len * 8)
                        continue;
                append_name(out, f->name, *first);
                g_string_append_c(out, ':');
                *first = false;
                if (!f->count) {
                        append_element(out, f, buf, len, bit_off);
                        continue;
                }
                g_string_append_c(out, '[');
                for (uint32_t e = 0; e < f->count; e++) {
                        if (e)
                                g_string_append_c(out, ',');
                        append_element(out, f, buf, len, bit_off + (uint64_t) e * f->width);
                }
                g_string_append_c(out, ']');
        }
}

void mlx5_json_struct_members(GString *out, const mlx5_schema_struct *st, const uint8_t *buf, size_t len,
                              bool *first)
{
        append_struct(out, st, buf, len, 0, first);
}

/* Makes room for n more bytes at once: an object's JSON grows its string once, not a doubling at a time. */
static void reserve(GString *out, size_t n)
{
        gsize keep = out->len;

        if (keep + n < out->allocated_len)
                return;
        g_string_set_size(out, keep + n);
        g_string_truncate(out, keep);
}

/* What append_struct writes for an output that holds every field, from the plan (schema-json-plan.c). */
static void append_planned(GString *out, const struct schema_json_plan *plan, const uint8_t *outbox, size_t len,
                           bool *first)
{
        /* A value's text is rarely longer than its field's name: this is room for most objects. */
        reserve(out, plan->text_len * 2);
        if (plan->has_members) {
                if (!*first)
                        g_string_append_c(out, ',');
                *first = false;
        }
        for (size_t i = 0; i < plan->n_steps; i++) {
                const struct schema_json_step *step = &plan->steps[i];

                schema_append_len(out, plan->text + step->text_off, step->text_len);
                /* Most leaves are plain numbers: no trip through the display switch for them. */
                if (step->field->display == MLX5_DISPLAY_DEC) {
                        uint64_t value = mlx5_bits_get(outbox, len, step->bit_off, step->field->width);

                        /* Flags and small counts, most of a context: one byte, no call. */
                        if (value < 10)
                                g_string_append_c(out, (char) ('0' + value));
                        else
                                mlx5_json_uint(out, value);
                } else
                        append_value(out, step->field, outbox, len, step->bit_off);
        }
        schema_append_len(out, plan->text + plan->tail_off, plan->tail_len);
}

void mlx5_json_resource_members(GString *out, const mlx5_schema_resource *r, const uint8_t *outbox, size_t len,
                                bool *first)
{
        if (r->json_plan && (uint64_t) len * 8 >= r->json_plan->need_bits) {
                append_planned(out, r->json_plan, outbox, len, first);
                return;
        }
        append_struct(out, r->context, outbox, len, r->context_bit_off, first);
        if (r->extra)
                append_struct(out, r->extra, outbox, len, 0, first);
}
