/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The decoder: one "name: value" line per leaf field.  It runs for every
 * object read, so it formats into the output directly (no per-field
 * allocation) and never reads a bit outside the buffer it was given.
 */
#include <string.h>

#include "prm/bits.h"
#include "schema-private.h"

static const char hex_digits[] = "0123456789abcdef";

/* Digits are written backwards from the end of a buffer this long: 0x and 16 hex, or 20 decimal. */
#define NUMBER_TEXT_MAX 24

/* "00" to "99": two digits a division (every decimal of every object's text and JSON is written here). */
static const char digit_pairs[201] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";

void schema_append_dec(struct schema_sink *out, uint64_t value)
{
        char text[NUMBER_TEXT_MAX];
        unsigned at = sizeof(text);

        /* Most values a context holds are flags and small counts. */
        if (value < 10) {
                schema_putc(out, (char) ('0' + value));
                return;
        }
        while (value >= 100) {
                unsigned pair = (unsigned) (value % 100);

                value /= 100;
                at -= 2;
                memcpy(text + at, digit_pairs + 2 * pair, 2);
        }
        if (value >= 10) {
                at -= 2;
                memcpy(text + at, digit_pairs + 2 * value, 2);
        } else {
                text[--at] = (char) ('0' + value);
        }
        schema_put(out, text + at, sizeof(text) - at);
}

void schema_append_hex(struct schema_sink *out, uint64_t value)
{
        char text[NUMBER_TEXT_MAX];
        unsigned at = sizeof(text);

        do {
                text[--at] = hex_digits[value & 0xf];
                value >>= 4;
        } while (value);
        text[--at] = 'x';
        text[--at] = '0';
        schema_put(out, text + at, sizeof(text) - at);
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
        struct schema_sink *out;
        bool first;
};

static void append_flag(const char *name, void *user_data)
{
        struct flags_text *ft = user_data;

        if (!ft->first)
                schema_putc(ft->out, '|');
        schema_put(ft->out, name, strlen(name));
        ft->first = false;
}

static void append_flags(struct schema_sink *out, const mlx5_schema_enum *e, uint64_t value)
{
        struct flags_text ft = { .out = out, .first = true };
        uint64_t unknown;

        if (value == 0) {
                schema_putc(out, '0');
                return;
        }
        unknown = mlx5_schema_flags_foreach(e, value, append_flag, &ft);
        if (unknown) {
                if (!ft.first)
                        schema_putc(out, '|');
                schema_append_hex(out, unknown);
        }
}

/* An ascii byte of the text: unprintable bytes as \xNN and a backslash as \\, so a value stays on one line. */
static void escape_text_byte(struct schema_sink *out, uint8_t byte)
{
        if (byte == '\\') {
                schema_put(out, "\\\\", 2);
        } else if (byte >= 0x20 && byte < 0x7f) {
                schema_putc(out, (char) byte);
        } else {
                char text[4] = { '\\', 'x', hex_digits[byte >> 4], hex_digits[byte & 0xf] };

                schema_put(out, text, sizeof(text));
        }
}

void schema_append_bytes(struct schema_sink *out, enum mlx5_display display, const uint8_t *buf, size_t len,
                         uint64_t bit_off, uint32_t n, void (*escape)(struct schema_sink *out, uint8_t byte))
{
        /* Bytes fields start on a byte: their hex in runs of one copy each, not a put per byte. */
        if (display == MLX5_DISPLAY_BYTES && bit_off % 8 == 0 && mlx5_bits_in_range(len, bit_off, (uint64_t) n * 8)) {
                const uint8_t *p = buf + bit_off / 8;
                char text[64];

                for (uint32_t i = 0; i < n;) {
                        size_t k = 0;

                        for (; i < n && k < sizeof(text); i++) {
                                text[k++] = hex_digits[p[i] >> 4];
                                text[k++] = hex_digits[p[i] & 0xf];
                        }
                        schema_put(out, text, k);
                }
                return;
        }
        for (uint32_t i = 0; i < n; i++) {
                uint8_t byte = mlx5_bits_get(buf, len, bit_off + 8 * i, 8);

                if (display == MLX5_DISPLAY_BYTES) {
                        char text[2] = { hex_digits[byte >> 4], hex_digits[byte & 0xf] };

                        schema_put(out, text, sizeof(text));
                } else if (byte == '\0') {
                        return;
                } else {
                        escape(out, byte);
                }
        }
}

static void append_bytes(struct schema_sink *out, enum mlx5_display display, const uint8_t *buf, size_t len,
                         uint64_t bit_off, uint32_t n)
{
        schema_append_bytes(out, display, buf, len, bit_off, n, escape_text_byte);
}

static void append_value(struct schema_sink *out, const mlx5_schema_field *field, uint64_t value)
{
        const char *name;

        switch (field->display) {
        case MLX5_DISPLAY_HEX:
                schema_append_hex(out, value);
                return;
        case MLX5_DISPLAY_ENUM:
                name = mlx5_schema_enum_name(field->enumeration, value);
                if (name)
                        schema_put(out, name, strlen(name));
                else
                        schema_append_dec(out, value);
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
        schema_append_dec(out, value);
}

void mlx5_decode_append_dec(GString *out, uint64_t value)
{
        struct schema_sink sink = { .out = out };

        schema_append_dec(&sink, value);
}

void mlx5_decode_value(GString *out, const mlx5_schema_field *field, uint64_t value)
{
        struct schema_sink sink = { .out = out };

        append_value(&sink, field, value);
}

/*
 * A decimal value and its newline, in one put: most leaves of a listing are
 * small numbers, and a put for each piece was a third of a line's cost.
 */
static void append_dec_line(struct schema_sink *out, uint64_t value)
{
        char text[NUMBER_TEXT_MAX];
        unsigned at = sizeof(text) - 1;

        text[at] = '\n';
        do {
                text[--at] = (char) ('0' + value % 10);
                value /= 10;
        } while (value);
        schema_put(out, text + at, sizeof(text) - at);
}

/* The value of a field wholly inside the buffer, and the newline that ends its line. */
static void decode_value_line(struct schema_sink *out, const mlx5_schema_field *f, uint32_t bit_off,
                              const uint8_t *buf, size_t len)
{
        if (f->display == MLX5_DISPLAY_DEC) {
                append_dec_line(out, mlx5_bits_get(buf, len, bit_off, f->width));
                return;
        }
        if (f->display == MLX5_DISPLAY_BYTES || f->display == MLX5_DISPLAY_ASCII)
                append_bytes(out, f->display, buf, len, bit_off, f->width / 8);
        else
                append_value(out, f, mlx5_bits_get(buf, len, bit_off, f->width));
        schema_putc(out, '\n');
}

/* One "name: value" line, or none for a field not wholly inside the buffer; head is "name: ". */
static void decode_leaf(struct schema_sink *out, const mlx5_schema_field *f, const char *head, size_t head_len,
                        uint32_t bit_off, const uint8_t *buf, size_t len)
{
        if (!mlx5_bits_in_range(len, bit_off, f->width))
                return;
        schema_put(out, head, head_len);
        decode_value_line(out, f, bit_off, buf, len);
}

struct decode_state {
        struct schema_sink out;
        const uint8_t *buf;
        size_t len;
};

static void decode_walked_leaf(const mlx5_schema_field *f, const char *path, uint32_t bit_off, void *user_data)
{
        struct decode_state *s = user_data;

        if (!mlx5_bits_in_range(s->len, bit_off, f->width))
                return;
        schema_put(&s->out, path, strlen(path));
        schema_put(&s->out, ": ", 2);
        decode_value_line(&s->out, f, bit_off, s->buf, s->len);
}

void mlx5_decode_struct(GString *out, const mlx5_schema_struct *st, const uint8_t *buf, size_t len)
{
        struct decode_state s = { .out = { .out = out }, .buf = buf, .len = len };
        g_autoptr(GString) path = g_string_sized_new(64);

        schema_walk(st, 0, path, decode_walked_leaf, &s);
}

static void decode_plan(struct schema_sink *out, const struct schema_plan *plan, const uint8_t *buf, size_t len)
{
        for (size_t i = 0; i < plan->n_leaves; i++) {
                const struct schema_leaf *l = &plan->leaves[i];

                decode_leaf(out, l->field, plan->paths + l->head_off, l->head_len, l->bit_off, buf, len);
        }
}

void mlx5_decode_resource(GString *out, const mlx5_schema_resource *r, const uint8_t *outbox, size_t len)
{
        struct schema_sink sink = { .out = out };

        decode_plan(&sink, r->plan, outbox, len);
}

size_t mlx5_decode_resource_len(const mlx5_schema_resource *r, const uint8_t *outbox, size_t len)
{
        struct schema_sink sink = { .out = NULL };

        decode_plan(&sink, r->plan, outbox, len);
        return sink.len;
}
