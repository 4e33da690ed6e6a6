/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz-common.h"

static GLogWriterOutput drop_log(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
        return G_LOG_WRITER_HANDLED;
}

const mlx5_schema *fuzz_schema(void)
{
        static mlx5_schema *schema;

        if (!schema) {
                g_autoptr(GError) error = NULL;

                /* Firmware complaints are the expected output of junk input. */
                g_log_set_writer_func(drop_log, NULL, NULL);
                schema = mlx5_schema_load_dir(MLX5DBGFS_SOURCE_SCHEMA_DIR, &error);
                if (!schema) {
                        fprintf(stderr, "fuzz: %s\n", error->message);
                        abort();
                }
        }
        return schema;
}
