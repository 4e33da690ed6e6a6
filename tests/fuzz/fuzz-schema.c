/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The schema parser and validator on any text; what loads is decoded once too. */
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        g_autofree char *text = g_strndup((const char *) data, size);
        g_autoptr(GError) error = NULL;
        g_autoptr(mlx5_schema) schema = mlx5_schema_load_string("fuzz.schema", text, &error);
        static const uint8_t zeros[4096];

        if (!schema)
                return 0;
        for (unsigned i = 0; i < mlx5_schema_n_structs(schema); i++) {
                g_autoptr(GString) out = g_string_new(NULL);

                mlx5_decode_struct(out, mlx5_schema_struct_at(schema, i), zeros, sizeof(zeros));
        }
        return 0;
}
