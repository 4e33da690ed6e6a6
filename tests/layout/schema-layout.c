/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Prints the layout the schema claims, one record a line, for the layout
 * proof (layout-proof.sh) to check against mlx5_ifc.h:
 *
 *   struct NAME SIZE FILE:LINE                  a named struct
 *   extra RESOURCE CONTEXT CONTEXT_OFF FILE:LINE a resource's other output fields
 *   field NAME OFF WIDTH COUNT NESTED NEWER FILE:LINE
 *                                               a top-level field of the record above
 *
 * Numbers are hex; COUNT is 0 for a scalar; NESTED is the struct of a
 * struct-typed field or "-"; NEWER is 0 or 1.
 */
#include <stdio.h>
#include <stdlib.h>

#include "schema/schema.h"

static void print_fields(const mlx5_schema_struct *st, const char *file)
{
        for (guint i = 0; i < st->fields->len; i++) {
                const mlx5_schema_field *f = &g_array_index(st->fields, mlx5_schema_field, i);

                printf("field %s 0x%x 0x%x 0x%x %s %d %s:%u\n", f->name, f->bit_off, f->width,
                       f->count, f->display == MLX5_DISPLAY_STRUCT ? f->nested->name : "-",
                       f->newer ? 1 : 0, file, f->line);
        }
}

int main(int argc, char **argv)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(mlx5_schema) schema = NULL;

        if (argc != 2) {
                fprintf(stderr, "usage: %s SCHEMA_DIR\n", argv[0]);
                return EXIT_FAILURE;
        }

        schema = mlx5_schema_load_dir(argv[1], &error);
        if (!schema) {
                fprintf(stderr, "schema-layout: %s\n", error->message);
                return EXIT_FAILURE;
        }

        for (unsigned i = 0; i < mlx5_schema_n_structs(schema); i++) {
                const mlx5_schema_struct *st = mlx5_schema_struct_at(schema, i);

                printf("struct %s 0x%x %s:%u\n", st->name, st->size_bits, st->file, st->line);
                print_fields(st, st->file);
        }

        for (unsigned i = 0; i < mlx5_schema_n_resources(schema); i++) {
                const mlx5_schema_resource *r = mlx5_schema_resource_at(schema, i);

                if (!r->extra || r->extra->fields->len == 0)
                        continue;
                printf("extra %s %s 0x%x %s:%u\n", r->name, r->context->name,
                       r->context_bit_off, r->file, r->line);
                print_fields(r->extra, r->file);
        }

        if (fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, "schema-layout: writing the layout failed\n");
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}
