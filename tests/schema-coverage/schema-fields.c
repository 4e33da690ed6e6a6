/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * schema-fields [SCHEMA_DIR]: prints what the mounted tree must show for a
 * schema, one record a line, words separated by single spaces:
 *
 *   resource NAME PATH OUTLEN       a resource; PATH ends in '/' when it has
 *                                   ids (a directory of objects), otherwise it
 *                                   names the singleton's file; OUTLEN is the
 *                                   size of its raw file in bytes
 *   caps NAME PATH                  a caps file, once under caps/current and
 *                                   once under caps/max
 *   leaf PATH FIELD DISPLAY WIDTH [NAME...]
 *                                   one line the decoder prints for the file
 *                                   (or every object) at PATH, in file order;
 *                                   DISPLAY is dec, hex, enum, flags, bytes or
 *                                   ascii, WIDTH in bits; enum and flags
 *                                   fields list their valid names
 *
 * Each resource or caps record comes before its leaf records.  Without an
 * argument the source tree's schema directory is read.
 */
#include <stdio.h>
#include <stdlib.h>

#include "schema/schema.h"

static const char *display_name(enum mlx5_display display)
{
        switch (display) {
        case MLX5_DISPLAY_DEC:
                return "dec";
        case MLX5_DISPLAY_HEX:
                return "hex";
        case MLX5_DISPLAY_ENUM:
                return "enum";
        case MLX5_DISPLAY_FLAGS:
                return "flags";
        case MLX5_DISPLAY_BYTES:
                return "bytes";
        case MLX5_DISPLAY_ASCII:
                return "ascii";
        case MLX5_DISPLAY_STRUCT:
                break;
        }
        return NULL;
}

struct leaf_printer {
        const char *path;
        bool failed;
};

static void print_leaf(const mlx5_schema_field *field, const char *path, uint32_t bit_off,
                       void *user_data)
{
        struct leaf_printer *p = user_data;
        const char *display = display_name(field->display);

        /* The walk descends into nested structs: a struct is never a leaf. */
        if (!display) {
                fprintf(stderr, "schema-fields: %s: leaf %s has no display\n", p->path, path);
                p->failed = true;
                return;
        }
        printf("leaf %s %s %s %u", p->path, path, display, field->width);
        if (field->enumeration) {
                const GArray *values = field->enumeration->values;

                for (guint i = 0; i < values->len; i++)
                        printf(" %s", g_array_index(values, mlx5_schema_enum_value, i).name);
        }
        putchar('\n');
}

static bool print_struct_leaves(const char *path, const mlx5_schema_struct *st)
{
        struct leaf_printer p = { .path = path };

        mlx5_schema_foreach_leaf(st, print_leaf, &p);
        return !p.failed;
}

static bool print_resource(const mlx5_schema_resource *r)
{
        g_autofree char *path = NULL;
        bool ok;

        if (r->has_id)
                path = g_strdup_printf("%s/", r->name);
        else if (r->dir)
                path = g_strdup_printf("%s/%s", r->dir, r->name);
        else
                path = g_strdup(r->name);

        printf("resource %s %s %u\n", r->name, path, r->outlen);
        /* The decoder's order: the context, then the other output fields. */
        ok = print_struct_leaves(path, r->context);
        if (r->extra)
                ok &= print_struct_leaves(path, r->extra);
        return ok;
}

static bool print_caps(const mlx5_schema_caps *caps)
{
        static const char *const modes[] = { "current", "max" };
        bool ok = true;

        for (unsigned m = 0; m < G_N_ELEMENTS(modes); m++) {
                g_autofree char *path = g_strdup_printf("caps/%s/%s", modes[m], caps->name);

                printf("caps %s %s\n", caps->name, path);
                ok &= print_struct_leaves(path, caps->layout);
        }
        return ok;
}

int main(int argc, char **argv)
{
        const char *dir = argc > 1 ? argv[1] : MLX5DBGFS_SOURCE_SCHEMA_DIR;
        g_autoptr(GError) error = NULL;
        g_autoptr(mlx5_schema) schema = NULL;
        bool ok = true;

        if (argc > 2) {
                fprintf(stderr, "usage: %s [SCHEMA_DIR]\n", argv[0]);
                return 2;
        }

        schema = mlx5_schema_load_dir(dir, &error);
        if (!schema) {
                fprintf(stderr, "schema-fields: %s\n", error->message);
                return EXIT_FAILURE;
        }

        for (unsigned i = 0; i < mlx5_schema_n_resources(schema); i++)
                ok &= print_resource(mlx5_schema_resource_at(schema, i));
        for (unsigned i = 0; i < mlx5_schema_n_caps(schema); i++)
                ok &= print_caps(mlx5_schema_caps_at(schema, i));

        if (fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, "schema-fields: writing the list failed\n");
                return EXIT_FAILURE;
        }
        return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
