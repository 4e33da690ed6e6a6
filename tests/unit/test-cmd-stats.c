/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command counters: bucket b of a latency histogram counts the
 * commands that took [2^b, 2^(b+1)) ns, bucket 0 also those under 1 ns,
 * the last every longer one; failures and BAD_RES apart.
 */
#include <glib.h>
#include <string.h>

#include "prm/mbox.h"
#include "transport/cmd-stats.h"

/* The value of line "key: ..." of text, or NULL. */
static char *line_of(const char *text, const char *key)
{
        g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
        size_t n = strlen(key);

        for (char **l = lines; *l; l++)
                if (strncmp(*l, key, n) == 0 && (*l)[n] == ':')
                        return g_strdup(*l + n + 1);
        return NULL;
}

static void test_latency_buckets(void)
{
        static const uint64_t ns[] = {
                0, 1, 2, 3, 4, 7, 8, 1023, 1024, 1025, 50000, (UINT64_C(1) << 39) - 1, UINT64_C(1) << 39,
                UINT64_C(1) << 45, UINT64_MAX,
        };
        struct mlx5_cmd_stats *stats = mlx5_cmd_stats_new();
        g_autoptr(GString) out = g_string_new(NULL);
        g_autofree char *hist = NULL, *sum = NULL;

        for (size_t i = 0; i < G_N_ELEMENTS(ns); i++)
                mlx5_cmd_stats_record(stats, MLX5_CMD_OP_QUERY_QP, 0, MLX5_CMD_STAT_OK, ns[i]);
        mlx5_cmd_stats_record(stats, MLX5_CMD_OP_QUERY_QP, 0, MLX5_CMD_STAT_BAD_RES_ERR, 5);
        mlx5_cmd_stats_format(stats, out);
        g_test_message("%s", out->str);

        /* 0 1 | 2 3 | 4 7 | 8 | 1023 | 1024 1025 | 50000 (2^15..2^16) | 2^39-1 | the rest, and the BAD_RES's 5. */
        hist = line_of(out->str, "latency_log2_ns.QUERY_QP");
        g_assert_cmpstr(hist, ==, " 0:2 1:2 2:3 3:1 9:1 10:2 15:1 38:1 39:3");
        g_assert_cmpuint(mlx5_cmd_stats_total(stats), ==, G_N_ELEMENTS(ns) + 1);
        mlx5_cmd_stats_free(stats);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/cmd-stats/latency-buckets", test_latency_buckets);
        return g_test_run();
}
