/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "transport/cmd-stats.h"

#include "prm/mbox.h"

#define LATENCY_BUCKETS 40      /* 2^39 ns is over nine minutes */

struct opcode_stats {
        uint64_t sent;
        uint64_t failed;        /* transport errors and firmware status != OK */
        uint64_t missed;        /* BAD_RES: no object holds that number */
        uint64_t latency_sum_ns;
        uint64_t latency[LATENCY_BUCKETS];
};

struct mlx5_cmd_stats {
        GMutex lock;
        GHashTable *by_opcode;  /* opcode -> struct opcode_stats */
        uint64_t total;
        uint64_t transport_errors;
        uint64_t firmware_errors;
        uint64_t no_object;
        uint64_t malformed;
        uint64_t latency[LATENCY_BUCKETS];
};

struct mlx5_cmd_stats *mlx5_cmd_stats_new(void)
{
        struct mlx5_cmd_stats *stats = g_new0(struct mlx5_cmd_stats, 1);

        g_mutex_init(&stats->lock);
        stats->by_opcode = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
        return stats;
}

void mlx5_cmd_stats_free(struct mlx5_cmd_stats *stats)
{
        if (!stats)
                return;
        g_hash_table_unref(stats->by_opcode);
        g_mutex_clear(&stats->lock);
        g_free(stats);
}

/* floor(log2(ns)), 0 for 0, capped: bucket b holds [2^b, 2^(b+1)) ns. */
static unsigned latency_bucket(uint64_t ns)
{
        return ns ? MIN(63u - (unsigned) __builtin_clzll(ns), LATENCY_BUCKETS - 1u) : 0;
}

void mlx5_cmd_stats_record(struct mlx5_cmd_stats *stats, unsigned opcode, int errno_result,
                           unsigned status, uint64_t latency_ns)
{
        struct opcode_stats *op;
        unsigned bucket;

        g_mutex_lock(&stats->lock);
        op = g_hash_table_lookup(stats->by_opcode, GUINT_TO_POINTER(opcode));
        if (!op) {
                op = g_new0(struct opcode_stats, 1);
                g_hash_table_insert(stats->by_opcode, GUINT_TO_POINTER(opcode), op);
        }
        op->sent++;
        stats->total++;
        if (errno_result < 0) {
                op->failed++;
                stats->transport_errors++;
        } else if (status == MLX5_CMD_STAT_BAD_RES_ERR) {
                /* An answer, not a failure: probes and lookups of numbers nobody holds. */
                op->missed++;
                stats->no_object++;
        } else if (status != MLX5_CMD_STAT_OK) {
                op->failed++;
                stats->firmware_errors++;
        }
        bucket = latency_bucket(latency_ns);
        stats->latency[bucket]++;
        op->latency[bucket]++;
        op->latency_sum_ns += latency_ns;
        g_mutex_unlock(&stats->lock);
}

uint64_t mlx5_cmd_stats_total(struct mlx5_cmd_stats *stats)
{
        uint64_t total;

        g_mutex_lock(&stats->lock);
        total = stats->total;
        g_mutex_unlock(&stats->lock);
        return total;
}

/* Upper bound (in µs) of the bucket holding the given fraction of commands. */
static double latency_percentile_us(const uint64_t *hist, uint64_t total, double fraction)
{
        uint64_t want = (uint64_t) (fraction * (double) total + 0.5), seen = 0;

        if (want == 0)
                want = 1;
        for (unsigned b = 0; b < LATENCY_BUCKETS; b++) {
                seen += hist[b];
                if (seen >= want)
                        return (double) (UINT64_C(1) << b) * 2 / 1000.0;
        }
        return 0;
}

/*
 * "latency_log2_ns.QUERY_QP: 16:3 17:40" — bucket b counts the commands
 * that took [2^b, 2^(b+1)) ns (bucket 0 also those under 1 ns), empty
 * buckets left out — and "latency_sum_ns.QUERY_QP": what metrics makes
 * its histogram of.
 */
static void append_histogram(GString *out, const char *name, const struct opcode_stats *op)
{
        /* Every opcode listed was sent, so some bucket counts it. */
        g_string_append_printf(out, "latency_log2_ns.%s:", name);
        for (unsigned b = 0; b < LATENCY_BUCKETS; b++)
                if (op->latency[b])
                        g_string_append_printf(out, " %u:%" G_GUINT64_FORMAT, b, op->latency[b]);
        g_string_append_printf(out, "\nlatency_sum_ns.%s: %" G_GUINT64_FORMAT "\n", name, op->latency_sum_ns);
}

static gint compare_opcodes(gconstpointer a, gconstpointer b)
{
        return (gint) GPOINTER_TO_UINT(*(gpointer *) a) - (gint) GPOINTER_TO_UINT(*(gpointer *) b);
}

void mlx5_cmd_stats_malformed(struct mlx5_cmd_stats *stats)
{
        g_mutex_lock(&stats->lock);
        stats->malformed++;
        g_mutex_unlock(&stats->lock);
}

void mlx5_cmd_stats_format(struct mlx5_cmd_stats *stats, GString *out)
{
        g_autoptr(GPtrArray) opcodes = g_ptr_array_new();
        GHashTableIter iter;
        gpointer key;

        g_mutex_lock(&stats->lock);
        g_string_append_printf(out, "commands: %" G_GUINT64_FORMAT "\n", stats->total);
        g_string_append_printf(out, "errors.transport: %" G_GUINT64_FORMAT "\n", stats->transport_errors);
        g_string_append_printf(out, "errors.firmware: %" G_GUINT64_FORMAT "\n", stats->firmware_errors);
        g_string_append_printf(out, "answers.no_object: %" G_GUINT64_FORMAT "\n", stats->no_object);
        g_string_append_printf(out, "errors.malformed: %" G_GUINT64_FORMAT "\n", stats->malformed);

        g_hash_table_iter_init(&iter, stats->by_opcode);
        while (g_hash_table_iter_next(&iter, &key, NULL))
                g_ptr_array_add(opcodes, key);
        g_ptr_array_sort(opcodes, compare_opcodes);
        for (unsigned i = 0; i < opcodes->len; i++) {
                unsigned opcode = GPOINTER_TO_UINT(opcodes->pdata[i]);
                const struct opcode_stats *op = g_hash_table_lookup(stats->by_opcode, opcodes->pdata[i]);
                const char *name = mlx5_opcode_name(opcode);
                char fallback[16];

                if (!name) {
                        g_snprintf(fallback, sizeof(fallback), "0x%x", opcode);
                        name = fallback;
                }
                g_string_append_printf(out, "sent.%s: %" G_GUINT64_FORMAT "\n", name, op->sent);
                /* Zeros too: a monitoring system wants each series from its first scrape on. */
                g_string_append_printf(out, "failed.%s: %" G_GUINT64_FORMAT "\n", name, op->failed);
                g_string_append_printf(out, "no_object.%s: %" G_GUINT64_FORMAT "\n", name, op->missed);
                append_histogram(out, name, op);
        }
        if (stats->total) {
                g_string_append_printf(out, "latency_us.p50: %.1f\n",
                                       latency_percentile_us(stats->latency, stats->total, 0.50));
                g_string_append_printf(out, "latency_us.p99: %.1f\n",
                                       latency_percentile_us(stats->latency, stats->total, 0.99));
                g_string_append_printf(out, "latency_us.max: %.1f\n",
                                       latency_percentile_us(stats->latency, stats->total, 1.0));
        }
        g_mutex_unlock(&stats->lock);
}
