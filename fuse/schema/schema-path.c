/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Field paths ("a.b[2].c") and the leaf walk: how a name becomes a bit
 * offset, and how every leaf of a struct is visited.  Bits themselves are
 * read and written only through prm/bits.h.
 */
#include <errno.h>
#include <string.h>

#include "prm/bits.h"
#include "schema-private.h"

const mlx5_schema_field *schema_struct_field(const mlx5_schema_struct *st, const char *name,
                                             size_t name_len)
{
        char key[MLX5_SCHEMA_MAX_LINE + 1];

        /* No field name is longer than a schema line. */
        if (name_len > MLX5_SCHEMA_MAX_LINE)
                return NULL;
        memcpy(key, name, name_len);
        key[name_len] = '\0';
        return g_hash_table_lookup(st->field_by_name, key);
}

/* "[17]" without printf: the walk runs once per decoded object. */
static void append_index(GString *path, unsigned index)
{
        char digits[16];
        unsigned n = sizeof(digits);

        digits[--n] = ']';
        do {
                digits[--n] = '0' + index % 10;
                index /= 10;
        } while (index);
        digits[--n] = '[';
        g_string_append_len(path, digits + n, sizeof(digits) - n);
}

void schema_walk(const mlx5_schema_struct *st, uint32_t base_bit_off, GString *path,
                 mlx5_schema_leaf_fn fn, void *user_data)
{
        gsize prefix = path->len;

        for (guint i = 0; i < st->fields->len; i++) {
                const mlx5_schema_field *f = &g_array_index(st->fields, mlx5_schema_field, i);
                unsigned n = f->count ? f->count : 1;

                for (unsigned k = 0; k < n; k++) {
                        uint32_t bit_off = base_bit_off + f->bit_off + k * f->width;

                        g_string_truncate(path, prefix);
                        if (prefix)
                                g_string_append_c(path, '.');
                        g_string_append(path, f->name);
                        if (f->count)
                                append_index(path, k);
                        if (f->nested)
                                schema_walk(f->nested, bit_off, path, fn, user_data);
                        else
                                fn(f, path->str, bit_off, user_data);
                }
        }
        g_string_truncate(path, prefix);
}

void mlx5_schema_foreach_leaf(const mlx5_schema_struct *st, mlx5_schema_leaf_fn fn, void *user_data)
{
        g_autoptr(GString) path = g_string_sized_new(64);

        schema_walk(st, 0, path, fn, user_data);
}

/* Parses "[N]" at *p; -EINVAL when malformed, -ERANGE when N >= count. */
static int parse_index(const char **p, uint32_t count, uint32_t *ret_index)
{
        const char *s = *p + 1;
        uint64_t index = 0;

        if (!g_ascii_isdigit(*s))
                return -EINVAL;
        for (; g_ascii_isdigit(*s); s++) {
                index = index * 10 + (*s - '0');
                if (index > count)
                        index = count;  /* saturate: stays out of range, never overflows */
        }
        if (*s != ']')
                return -EINVAL;
        if (index >= count)
                return -ERANGE;
        *p = s + 1;
        *ret_index = index;
        return 0;
}

int mlx5_schema_resolve(const mlx5_schema_struct *st, const char *path,
                        const mlx5_schema_field **ret_field, uint32_t *ret_bit_off)
{
        const char *p = path;
        uint32_t bit_off = 0;

        for (;;) {
                size_t len = strcspn(p, ".[");
                const mlx5_schema_field *f;

                if (len == 0)
                        return -EINVAL;
                f = schema_struct_field(st, p, len);
                if (!f)
                        return -ENOENT;
                p += len;

                if (*p == '[') {
                        uint32_t index;
                        int r;

                        if (!f->count)
                                return -EINVAL;
                        r = parse_index(&p, f->count, &index);
                        if (r < 0)
                                return r;
                        bit_off += f->bit_off + index * f->width;
                } else {
                        if (f->count)
                                return -EINVAL; /* an array names no single leaf */
                        bit_off += f->bit_off;
                }

                if (*p == '\0') {
                        if (f->nested)
                                return -EINVAL;
                        if (ret_field)
                                *ret_field = f;
                        if (ret_bit_off)
                                *ret_bit_off = bit_off;
                        return 0;
                }
                if (*p != '.')
                        return -EINVAL;
                if (!f->nested)
                        return -ENOENT;
                st = f->nested;
                p++;
        }
}

/* A scalar leaf inside the buffer. */
static int resolve_scalar(const mlx5_schema_struct *st, size_t len, const char *path,
                          const mlx5_schema_field **ret_field, uint32_t *ret_bit_off)
{
        int r = mlx5_schema_resolve(st, path, ret_field, ret_bit_off);

        if (r < 0)
                return r;
        if ((*ret_field)->width > 64)
                return -EINVAL;
        if (!mlx5_bits_in_range(len, *ret_bit_off, (*ret_field)->width))
                return -ERANGE;
        return 0;
}

int mlx5_schema_get(const mlx5_schema_struct *st, const uint8_t *buf, size_t len,
                    const char *path, uint64_t *ret_value)
{
        const mlx5_schema_field *f;
        uint32_t bit_off;
        int r = resolve_scalar(st, len, path, &f, &bit_off);

        if (r < 0)
                return r;
        *ret_value = mlx5_bits_get(buf, len, bit_off, f->width);
        return 0;
}

int mlx5_schema_set(const mlx5_schema_struct *st, uint8_t *buf, size_t len,
                    const char *path, uint64_t value)
{
        const mlx5_schema_field *f;
        uint32_t bit_off;
        int r = resolve_scalar(st, len, path, &f, &bit_off);

        if (r < 0)
                return r;
        if (f->width < 64 && value >> f->width)
                return -ERANGE;
        mlx5_bits_set(buf, len, bit_off, f->width, value);
        return 0;
}

int mlx5_schema_set_bytes(const mlx5_schema_struct *st, uint8_t *buf, size_t len,
                          const char *path, const void *data, size_t n)
{
        const uint8_t *bytes = data;
        const mlx5_schema_field *f;
        uint32_t bit_off;
        int r = mlx5_schema_resolve(st, path, &f, &bit_off);

        if (r < 0)
                return r;
        if (f->display != MLX5_DISPLAY_BYTES && f->display != MLX5_DISPLAY_ASCII)
                return -EINVAL;
        if (!mlx5_bits_in_range(len, bit_off, f->width))
                return -ERANGE;
        for (uint32_t i = 0; i < f->width / 8; i++)
                mlx5_bits_set(buf, len, bit_off + 8 * i, 8, i < n ? bytes[i] : 0);
        return 0;
}
