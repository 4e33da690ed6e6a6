/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Budgets on work that firmware can lengthen: every loop it drives and every
 * buffer it grows is bounded by one of these named limits.  When a limit
 * trips, the caller logs a line naming it (mlx5_limit_trip) and the trip is
 * counted in .stats ("limits.<name>.tripped").  The values are process-wide,
 * set once at start from -o options, read lock-free afterwards.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

enum mlx5_limit {
        MLX5_LIMIT_DUMP_BYTES,          /* bytes one resource dump may return */
        MLX5_LIMIT_DUMP_CHUNKS,         /* commands one resource dump may take */
        MLX5_LIMIT_DUMP_SEQ,            /* a chunk whose seq_num did not advance by one */
        MLX5_LIMIT_LIST_IDS,            /* object ids one listing may hold */
        MLX5_LIMIT_LIST_TIME,           /* time one listing (dump and queries) may take */
        MLX5_LIMIT_CRAWL_IDS,           /* object ids one inventory crawl may collect */
        MLX5_LIMIT_CACHE_BYTES,         /* bytes answers hold in flight, with what the cache keeps */
        MLX5_LIMIT_VIEW_BYTES,          /* bytes one view of a whole listing (jsonl, summary) may take */
        MLX5_LIMIT_COUNT
};

struct mlx5_limits {
        uint64_t dump_max_bytes;        /* -o max_dump_mib */
        uint64_t dump_max_chunks;       /* derived: dump_max_bytes / inline chunk, at least 1 */
        uint32_t list_max_ids;          /* -o max_list_ids */
        uint32_t crawl_max_ids;         /* ids per inventory crawl; = list_max_ids unless set */
        int64_t list_max_us;            /* -o list_timeout (seconds) */
        int64_t cmd_timeout_us;         /* -o cmd_timeout (seconds); the transport enforces
                                           it and counts its trips as "timeouts" */
        uint64_t cache_max_bytes;       /* -o cache_size: the cache enforces it (mlx5_mem_account) */
        uint64_t view_max_bytes;        /* -o max_view_mib */
};

#define MLX5_LIMIT_DEFAULT_DUMP_MAX_BYTES  (64ull << 20)
#define MLX5_LIMIT_DEFAULT_LIST_MAX_IDS    (1u << 20)
#define MLX5_LIMIT_DEFAULT_LIST_MAX_US     (60 * G_USEC_PER_SEC)
/* The firmware's own command timeout (mlx5_core's MLX5_CMD_TIMEOUT_MSEC). */
#define MLX5_LIMIT_DEFAULT_CMD_TIMEOUT_US  (60 * G_USEC_PER_SEC)
#define MLX5_LIMIT_DEFAULT_CACHE_MAX_BYTES (64ull << 20)
/* json/<type>.jsonl of 100k objects (about 2.5 KB each) fits. */
#define MLX5_LIMIT_DEFAULT_VIEW_MAX_BYTES  (256ull << 20)

/* The limits in force (the defaults until mlx5_limits_set). */
const struct mlx5_limits *mlx5_limits_get(void);
/* Sets them; zero fields take their default, dump_max_chunks is derived. */
void mlx5_limits_set(const struct mlx5_limits *limits);

/* The limit's name as options, logs and .stats spell it ("max_list_ids"). */
const char *mlx5_limit_name(enum mlx5_limit limit);
/*
 * Counts one trip and logs "<who>: limit <name> (<value>) reached: <why>",
 * at most 20 lines a second in all, so a looping reader cannot flood the log.
 */
void mlx5_limit_trip(enum mlx5_limit limit, const char *who, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
uint64_t mlx5_limit_trips(enum mlx5_limit limit);
/* "limits.<name>: <value>" and "limits.<name>.tripped: <n>" lines. */
void mlx5_limits_format_stats(GString *out);

/*
 * A budget of ids for one walk that collects object numbers (a listing, an
 * inventory crawl): mlx5_id_budget_take fails, trips and logs once when more
 * than max ids are taken.  Not thread-safe: one walk, one budget.
 */
struct mlx5_id_budget {
        enum mlx5_limit limit;          /* MLX5_LIMIT_LIST_IDS or MLX5_LIMIT_CRAWL_IDS */
        uint64_t max, taken;
        bool tripped;
};
void mlx5_id_budget_init(struct mlx5_id_budget *b, enum mlx5_limit limit, uint64_t max);
/* 0, or -E2BIG once the budget is spent (the first time: logged, counted). */
int mlx5_id_budget_take(struct mlx5_id_budget *b, uint64_t n, const char *who);

/* A deadline for one walk: 0 while in time, -ETIMEDOUT (logged and counted once) after. */
struct mlx5_deadline {
        enum mlx5_limit limit;
        int64_t at_us;                  /* monotonic; 0: none */
        bool tripped;
};
void mlx5_deadline_init(struct mlx5_deadline *d, enum mlx5_limit limit, int64_t budget_us);
int mlx5_deadline_check(struct mlx5_deadline *d, const char *who);

/*
 * Memory that answers hold outside the snapshot cache — a resource dump's
 * buffer while it grows, a text rendered for an open file — charged against
 * the cache's cap (limit cache_size) together with what the cache keeps:
 * the cache evicts to make room, and refuses a charge that would put the
 * bytes in flight alone over its cap.  So parallel endless dumps hold at
 * most the cap between them, not the cap each.
 */
struct mlx5_mem_account {
        /* 0, or -ENOBUFS when it does not fit (then logged and counted as limit cache_size) */
        int (*charge)(void *data, size_t bytes, const char *who);
        void (*uncharge)(void *data, size_t bytes);
        void *data;
};
