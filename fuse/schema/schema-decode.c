/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The decoder: one "name: value" line per leaf field.  It runs for every
 * object read, so it formats into the output directly (no per-field
 * allocation) and never reads a bit outside the buffer it was given.
 */
#include <stdio.h>

#include "prm/bits.h"
#include "schema-private.h"

static const char hex_digits[] = "0123456789abcdef";

static void append_dec(GString *out, uint64_t value)
{
        char text[24];

        snprintf(text, sizeof(text), "%llu", (unsigned long long) value);
        g_string_append(out, text);
}

static void append_hex(GString *out, uint64_t value)
{
        char text[24];

        snprintf(text, sizeof(text), "0x%llx", (unsigned long long) value);
        g_string_append(out, text);
}

const char *mlx5_schema_enum_name(const mlx5_schema_enum *e, uint64_t value)
{
        for (guint i = 0; i < e->values->len; i++) {
                const mlx5_schema_enum_value *v = &g_array_index(e->values, mlx5_schema_enum_value, i);

                if (v->value == value)
                        return v->name;
        }
        return NULL;
}

uint64_t mlx5_schema_flags_foreach(const mlx5_schema_enum *e, uint64_t value, mlx5_schema_flag_fn fn, void *user_data)
{
        uint64_t unknown = 0;

        for (unsigned bit = 0; bit < 64; bit++) {
                const char *name;

                if (!(value >> bit & 1))
                        continue;
                name = mlx5_schema_enum_name(e, bit);
                if (name)
                        fn(name, user_data);
                else
                        unknown |= UINT64_C(1) << bit;
        }
        return unknown;
}

struct flags_text {
        GString *out;
        bool first;
};

static void append_flag(const char *name, void *user_data)
{
        struct flags_text *ft = user_data;

        if (!ft->first)
                g_string_append_c(ft->out, '|');
        g_string_append(ft->out, name);
        ft->first = false;
}

static void append_flags(GString *out, const mlx5_schema_enum *e, uint64_t value)
{
        struct flags_text ft = { .out = out, .first = true };
        uint64_t unknown;

        if (value == 0) {
                g_string_append_c(out, '0');
                return;
        }
        unknown = mlx5_schema_flags_foreach(e, value, append_flag, &ft);
        if (unknown) {
                if (!ft.first)
                        g_string_append_c(out, '|');
                append_hex(out, unknown);
        }
}

/* An ascii byte of the text: unprintable bytes as \xNN and a backslash as \\, so a value stays on one line. */
static void escape_text_byte(GString *out, uint8_t byte)
{
        if (byte == '\\') {
                g_string_append(out, "\\\\");
        } else if (byte >= 0x20 && byte < 0x7f) {
                g_string_append_c(out, byte);
        } else {
                g_string_append(out, "\\x");
                g_string_append_c(out, hex_digits[byte >> 4]);
                g_string_append_c(out, hex_digits[byte & 0xf]);
        }
}

void schema_append_bytes(GString *out, enum mlx5_display display, const uint8_t *buf, size_t len, uint64_t bit_off,
                         uint32_t n, void (*escape)(GString *out, uint8_t byte))
{
        for (uint32_t i = 0; i < n; i++) {
                uint8_t byte = mlx5_bits_get(buf, len, bit_off + 8 * i, 8);

                if (display == MLX5_DISPLAY_BYTES) {
                        g_string_append_c(out, hex_digits[byte >> 4]);
                        g_string_append_c(out, hex_digits[byte & 0xf]);
                } else if (byte == '\0') {
                        return;
                } else {
                        escape(out, byte);
                }
        }
}

static void append_bytes(GString *out, enum mlx5_display display, const uint8_t *buf, size_t len,
                         uint64_t bit_off, uint32_t n)
{
        schema_append_bytes(out, display, buf, len, bit_off, n, escape_text_byte);
}

void mlx5_decode_value(GString *out, const mlx5_schema_field *field, uint64_t value)
{
        const char *name;

        switch (field->display) {
        case MLX5_DISPLAY_HEX:
                append_hex(out, value);
                return;
        case MLX5_DISPLAY_ENUM:
                name = mlx5_schema_enum_name(field->enumeration, value);
                if (name)
                        g_string_append(out, name);
                else
                        append_dec(out, value);
                return;
        case MLX5_DISPLAY_FLAGS:
                append_flags(out, field->enumeration, value);
                return;
        case MLX5_DISPLAY_BYTES:
        case MLX5_DISPLAY_ASCII: {
                /* The value's low width bits, as the big-endian bytes they came from. */
                uint32_t n = MIN(field->width, 64) / 8;
                uint8_t be[8];

                for (unsigned i = 0; i < 8; i++)
                        be[i] = value >> (56 - 8 * i);
                append_bytes(out, field->display, be, sizeof(be), (8 - n) * 8, n);
                return;
        }
        case MLX5_DISPLAY_DEC:
        case MLX5_DISPLAY_STRUCT:
                break;
        }
        append_dec(out, value);
}

struct decode_state {
        GString *out;
        const uint8_t *buf;
        size_t len;
};

static void decode_leaf(const mlx5_schema_field *f, const char *path, uint32_t bit_off,
                        void *user_data)
{
        struct decode_state *s = user_data;

        if (!mlx5_bits_in_range(s->len, bit_off, f->width))
                return;
        g_string_append(s->out, path);
        g_string_append(s->out, ": ");
        if (f->display == MLX5_DISPLAY_BYTES || f->display == MLX5_DISPLAY_ASCII)
                append_bytes(s->out, f->display, s->buf, s->len, bit_off, f->width / 8);
        else
                mlx5_decode_value(s->out, f, mlx5_bits_get(s->buf, s->len, bit_off, f->width));
        g_string_append_c(s->out, '\n');
}

void mlx5_decode_struct(GString *out, const mlx5_schema_struct *st, const uint8_t *buf, size_t len)
{
        struct decode_state s = { .out = out, .buf = buf, .len = len };
        g_autoptr(GString) path = g_string_sized_new(64);

        schema_walk(st, 0, path, decode_leaf, &s);
}

void mlx5_decode_resource(GString *out, const mlx5_schema_resource *r, const uint8_t *outbox,
                          size_t len)
{
        struct decode_state s = { .out = out, .buf = outbox, .len = len };
        g_autoptr(GString) path = g_string_sized_new(64);

        schema_walk(r->context, r->context_bit_off, path, decode_leaf, &s);
        if (r->extra)
                schema_walk(r->extra, 0, path, decode_leaf, &s);
}
