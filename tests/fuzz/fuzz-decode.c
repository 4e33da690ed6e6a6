/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The decoder over every resource and caps block: the first byte picks the
 * block, the rest is the firmware's output (any length, any bytes).
 */
#include <string.h>

#include "fuzz-common.h"
#include "prm/mbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const mlx5_schema *schema = fuzz_schema();
        unsigned n_res = mlx5_schema_n_resources(schema), n_caps = mlx5_schema_n_caps(schema);
        g_autoptr(GString) out = g_string_new(NULL);
        g_autofree uint8_t *copy = NULL;
        unsigned pick;

        if (size < 1)
                return 0;
        pick = data[0] % (n_res + n_caps);
        /* An exact-size heap copy, so ASan sees any read past the answer. */
        copy = g_malloc(size - 1 ? size - 1 : 1);
        memcpy(copy, data + 1, size - 1);
        if (pick < n_res)
                mlx5_decode_resource(out, mlx5_schema_resource_at(schema, pick), copy, size - 1);
        else
                mlx5_decode_struct(out, mlx5_schema_caps_at(schema, pick - n_res)->layout, copy, size - 1);
        return 0;
}
