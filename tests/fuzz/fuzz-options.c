/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command line and --sim parsers: the input is split at NUL bytes into
 * arguments (at most 64) after argv[0]; every --sim= spec among them is
 * parsed against the source schema too.
 */
#include "fs/options.h"
#include "fuzz-common.h"
#include "sim/sim.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        g_autofree char *text = g_malloc(size + 1);
        g_autoptr(GPtrArray) argv = g_ptr_array_new();
        struct mlx5dbgfs_options opts = { 0 };
        g_autoptr(GError) error = NULL;
        const mlx5_schema *schema = fuzz_schema();

        memcpy(text, data, size);
        text[size] = '\0';
        g_ptr_array_add(argv, (char *) "mlx5dbgfs");
        for (char *p = text; p < text + size && argv->len < MAX_ARGS; p += strlen(p) + 1)
                g_ptr_array_add(argv, p);

        for (unsigned i = 1; i < argv->len; i++) {
                const char *a = argv->pdata[i];
                g_autoptr(GError) spec_error = NULL;
                g_autoptr(mlx5_sim_spec) spec = NULL;

                if (g_str_has_prefix(a, "--sim="))
                        spec = mlx5_sim_spec_parse(a + 6, schema, &spec_error);
        }
        g_ptr_array_add(argv, NULL);
        if (mlx5dbgfs_options_parse((int) argv->len - 1, (char **) argv->pdata, &opts, &error))
                mlx5dbgfs_options_clear(&opts);
        return 0;
}
