/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mlx5sim-manifest [--schema-dir DIR] SPEC: prints the population the
 * simulator builds for SPEC, one object a line, "<pci-name> <type> 0x<id>
 * <state>".  The test suites compare a mounted tree against it.
 */
#include <stdio.h>

#include "sim/sim.h"

int main(int argc, char **argv)
{
        g_autofree char *schema_dir = NULL;
        const GOptionEntry entries[] = {
                { "schema-dir", 0, 0, G_OPTION_ARG_FILENAME, &schema_dir,
                  "Schema directory (default: the source tree's)", "DIR" },
                { NULL },
        };
        g_autoptr(GOptionContext) context = g_option_context_new("SPEC");
        g_autoptr(GError) error = NULL;
        g_autoptr(mlx5_schema) schema = NULL;
        g_autoptr(mlx5_sim_spec) spec = NULL;
        g_autoptr(GString) out = g_string_new(NULL);

        g_option_context_set_summary(context, "Prints the objects of the simulated devices SPEC describes.");
        g_option_context_add_main_entries(context, entries, NULL);
        if (!g_option_context_parse(context, &argc, &argv, &error) || argc != 2) {
                fprintf(stderr, "mlx5sim-manifest: %s\n", error ? error->message : "expected one SPEC argument");
                return 2;
        }

        schema = mlx5_schema_load_dir(schema_dir ? schema_dir : MLX5DBGFS_SOURCE_SCHEMA_DIR, &error);
        if (schema)
                spec = mlx5_sim_spec_parse(argv[1], schema, &error);
        if (!spec) {
                fprintf(stderr, "mlx5sim-manifest: %s\n", error->message);
                return 1;
        }
        for (unsigned i = 0; i < mlx5_sim_spec_devices(spec); i++) {
                g_autoptr(mlx5_sim) sim = mlx5_sim_new(schema, spec, i);

                mlx5_sim_format_manifest(sim, out);
        }
        if (fwrite(out->str, 1, out->len, stdout) != out->len || fflush(stdout) != 0) {
                perror("mlx5sim-manifest: stdout");
                return 1;
        }
        return 0;
}
