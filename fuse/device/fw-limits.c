/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>

#include "device/fw-limits.h"
#include "prm/rscdump.h"

#define TRIP_LOG_BURST 20       /* limit log lines a second, all limits together */

static struct mlx5_limits current = {
        .dump_max_bytes = MLX5_LIMIT_DEFAULT_DUMP_MAX_BYTES,
        .dump_max_chunks = MLX5_LIMIT_DEFAULT_DUMP_MAX_BYTES / MLX5_RSCDUMP_INLINE_LEN,
        .list_max_ids = MLX5_LIMIT_DEFAULT_LIST_MAX_IDS,
        .crawl_max_ids = MLX5_LIMIT_DEFAULT_LIST_MAX_IDS,
        .list_max_us = MLX5_LIMIT_DEFAULT_LIST_MAX_US,
        .cmd_timeout_us = MLX5_LIMIT_DEFAULT_CMD_TIMEOUT_US,
        .cache_max_bytes = MLX5_LIMIT_DEFAULT_CACHE_MAX_BYTES,
        .view_max_bytes = MLX5_LIMIT_DEFAULT_VIEW_MAX_BYTES,
};

static const char *const names[MLX5_LIMIT_COUNT] = {
        [MLX5_LIMIT_DUMP_BYTES] = "max_dump_mib",
        [MLX5_LIMIT_DUMP_CHUNKS] = "max_dump_chunks",
        [MLX5_LIMIT_DUMP_SEQ] = "dump_seq_num",
        [MLX5_LIMIT_LIST_IDS] = "max_list_ids",
        [MLX5_LIMIT_LIST_TIME] = "list_timeout",
        [MLX5_LIMIT_CRAWL_IDS] = "max_crawl_ids",
        [MLX5_LIMIT_CACHE_BYTES] = "cache_size",
        [MLX5_LIMIT_VIEW_BYTES] = "max_view_mib",
};

static gint trips[MLX5_LIMIT_COUNT];
static GMutex log_lock;
static int64_t log_window_us;
static unsigned log_in_window;

const struct mlx5_limits *mlx5_limits_get(void)
{
        return &current;
}

void mlx5_limits_set(const struct mlx5_limits *l)
{
        current.dump_max_bytes = l->dump_max_bytes ? l->dump_max_bytes : MLX5_LIMIT_DEFAULT_DUMP_MAX_BYTES;
        /* Every chunk but the last is full, so this many chunks carry the bytes allowed. */
        current.dump_max_chunks = MAX(current.dump_max_bytes / MLX5_RSCDUMP_INLINE_LEN, 1) + 1;
        current.list_max_ids = l->list_max_ids ? l->list_max_ids : MLX5_LIMIT_DEFAULT_LIST_MAX_IDS;
        current.crawl_max_ids = l->crawl_max_ids ? l->crawl_max_ids : current.list_max_ids;
        current.list_max_us = l->list_max_us ? l->list_max_us : MLX5_LIMIT_DEFAULT_LIST_MAX_US;
        current.cmd_timeout_us = l->cmd_timeout_us ? l->cmd_timeout_us : MLX5_LIMIT_DEFAULT_CMD_TIMEOUT_US;
        current.cache_max_bytes = l->cache_max_bytes ? l->cache_max_bytes : MLX5_LIMIT_DEFAULT_CACHE_MAX_BYTES;
        current.view_max_bytes = l->view_max_bytes ? l->view_max_bytes : MLX5_LIMIT_DEFAULT_VIEW_MAX_BYTES;
}

const char *mlx5_limit_name(enum mlx5_limit limit)
{
        return limit < MLX5_LIMIT_COUNT ? names[limit] : "unknown";
}

static uint64_t limit_value(enum mlx5_limit limit)
{
        switch (limit) {
        case MLX5_LIMIT_DUMP_BYTES:
                return current.dump_max_bytes >> 20;
        case MLX5_LIMIT_DUMP_CHUNKS:
                return current.dump_max_chunks;
        case MLX5_LIMIT_LIST_IDS:
                return current.list_max_ids;
        case MLX5_LIMIT_CRAWL_IDS:
                return current.crawl_max_ids;
        case MLX5_LIMIT_LIST_TIME:
                return (uint64_t) (current.list_max_us / G_USEC_PER_SEC);
        case MLX5_LIMIT_CACHE_BYTES:
                return current.cache_max_bytes >> 20;
        case MLX5_LIMIT_VIEW_BYTES:
                return current.view_max_bytes >> 20;
        default:
                return 0;
        }
}

static bool log_allowed(void)
{
        int64_t now = g_get_monotonic_time();
        bool allowed;

        g_mutex_lock(&log_lock);
        if (now - log_window_us >= G_USEC_PER_SEC) {
                log_window_us = now;
                log_in_window = 0;
        }
        allowed = log_in_window++ < TRIP_LOG_BURST;
        g_mutex_unlock(&log_lock);
        return allowed;
}

void mlx5_limit_trip(enum mlx5_limit limit, const char *who, const char *fmt, ...)
{
        g_autofree char *why = NULL;
        va_list ap;

        if (limit >= MLX5_LIMIT_COUNT)
                return;
        g_atomic_int_inc(&trips[limit]);
        if (!log_allowed())
                return;
        va_start(ap, fmt);
        why = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        if (limit == MLX5_LIMIT_DUMP_SEQ)
                g_warning("%s: limit %s reached: %s", who, names[limit], why);
        else
                g_warning("%s: limit %s (%" G_GUINT64_FORMAT ") reached: %s", who, names[limit], limit_value(limit),
                          why);
}

uint64_t mlx5_limit_trips(enum mlx5_limit limit)
{
        return limit < MLX5_LIMIT_COUNT ? (uint64_t) (guint) g_atomic_int_get(&trips[limit]) : 0;
}

void mlx5_limits_format_stats(GString *out)
{
        for (unsigned i = 0; i < MLX5_LIMIT_COUNT; i++) {
                if (i != MLX5_LIMIT_DUMP_SEQ)
                        g_string_append_printf(out, "limits.%s: %" G_GUINT64_FORMAT "\n", names[i], limit_value(i));
                g_string_append_printf(out, "limits.%s.tripped: %" G_GUINT64_FORMAT "\n", names[i],
                                       mlx5_limit_trips(i));
        }
}

void mlx5_id_budget_init(struct mlx5_id_budget *b, enum mlx5_limit limit, uint64_t max)
{
        *b = (struct mlx5_id_budget) { .limit = limit, .max = max };
}

int mlx5_id_budget_take(struct mlx5_id_budget *b, uint64_t n, const char *who)
{
        if (b->taken + n <= b->max) {
                b->taken += n;
                return 0;
        }
        if (!b->tripped)
                mlx5_limit_trip(b->limit, who, "more than %" G_GUINT64_FORMAT " object ids", b->max);
        b->tripped = true;
        return -E2BIG;
}

void mlx5_deadline_init(struct mlx5_deadline *d, enum mlx5_limit limit, int64_t budget_us)
{
        *d = (struct mlx5_deadline) { .limit = limit, .at_us = budget_us ? g_get_monotonic_time() + budget_us : 0 };
}

int mlx5_deadline_check(struct mlx5_deadline *d, const char *who)
{
        if (!d->at_us || g_get_monotonic_time() < d->at_us)
                return 0;
        if (!d->tripped)
                mlx5_limit_trip(d->limit, who, "still not done, giving up");
        d->tripped = true;
        return -ETIMEDOUT;
}
