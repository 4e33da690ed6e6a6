/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * transport-call [--schema-dir DIR] [--calls N] [--max-inflight N] SPEC:
 * builds function 0 of the simulated devices SPEC describes, as the daemon
 * does, and times N QUERY_QP commands sent one after the other straight
 * through mlx5_transport_exec, each to another QP.  Prints one summary line
 * (see timing.h): what one firmware command costs without the daemon, the
 * kernel and FUSE in between.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prm/mbox.h"
#include "sim/sim.h"
#include "transport/transport-sim.h"

#include "timing.h"

int main(int argc, char **argv)
{
        g_autofree char *schema_dir = NULL;
        gint calls = 201, max_inflight = 32;
        const GOptionEntry entries[] = {
                { "schema-dir", 0, 0, G_OPTION_ARG_FILENAME, &schema_dir,
                  "Schema directory (default: the source tree's)", "DIR" },
                { "calls", 'n', 0, G_OPTION_ARG_INT, &calls, "Commands to time (default 201)", "N" },
                { "max-inflight", 0, 0, G_OPTION_ARG_INT, &max_inflight,
                  "Transport in-flight limit (default 32, as the daemon)", "N" },
                { NULL },
        };
        g_autoptr(GOptionContext) context = g_option_context_new("SPEC");
        g_autoptr(GError) error = NULL;
        g_autoptr(mlx5_schema) schema = NULL;
        g_autoptr(mlx5_sim_spec) spec = NULL;
        g_autoptr(mlx5_transport) t = NULL;
        g_autoptr(GArray) samples = NULL;
        g_autofree uint8_t *in = NULL;
        g_autofree uint8_t *out = NULL;
        const mlx5_schema_resource *res;
        const uint32_t *ids;
        mlx5_sim *sim;
        size_t n_ids;

        g_option_context_set_summary(context, "Times QUERY_QP commands sent directly to a simulated device.");
        g_option_context_add_main_entries(context, entries, NULL);
        if (!g_option_context_parse(context, &argc, &argv, &error) || argc != 2 || calls < 1 || max_inflight < 1) {
                fprintf(stderr, "transport-call: %s\n",
                        error ? error->message : "expected one SPEC argument and positive counts");
                return 2;
        }

        schema = mlx5_schema_load_dir(schema_dir ? schema_dir : MLX5DBGFS_SOURCE_SCHEMA_DIR, &error);
        if (schema)
                spec = mlx5_sim_spec_parse(argv[1], schema, &error);
        if (!spec) {
                fprintf(stderr, "transport-call: %s\n", error->message);
                return 1;
        }
        res = mlx5_schema_find_resource(schema, "qp");
        if (!res || !res->has_id) {
                fprintf(stderr, "transport-call: the schema has no qp resource with an id\n");
                return 1;
        }

        sim = mlx5_sim_new(schema, spec, 0);
        ids = mlx5_sim_object_ids(sim, "qp", &n_ids);
        /* The transport owns sim, and with it ids, from here on. */
        t = mlx5_transport_sim_new(sim, (unsigned) max_inflight);
        if (n_ids == 0) {
                fprintf(stderr, "transport-call: SPEC has no QPs (add qp=N)\n");
                return 1;
        }

        in = g_malloc0(res->inlen);
        out = g_malloc0(res->outlen);
        samples = g_array_sized_new(FALSE, FALSE, sizeof(double), (guint) calls);
        for (gint i = 0; i < calls; i++) {
                uint32_t id = ids[(size_t) i * n_ids / (size_t) calls % n_ids];
                double start, elapsed;
                int r;

                memset(in, 0, res->inlen);
                mlx5_mbox_in_set_hdr(in, res->opcode, res->op_mod);
                mlx5_bits_set(in, res->inlen, res->id_bit_off, res->id_width, id);
                start = bench_now_us();
                r = mlx5_transport_exec(t, in, res->inlen, out, res->outlen);
                elapsed = bench_now_us() - start;
                if (r < 0 || mlx5_mbox_out_status(out) != MLX5_CMD_STAT_OK) {
                        fprintf(stderr, "transport-call: QUERY_QP 0x%x: %s\n", id,
                                r < 0 ? g_strerror(-r) : mlx5_status_name(mlx5_mbox_out_status(out)));
                        return 1;
                }
                g_array_append_val(samples, elapsed);
        }
        bench_print_summary(samples);
        return fflush(stdout) == 0 ? 0 : 1;
}
