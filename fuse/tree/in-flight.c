/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What answers hold outside the snapshot cache, charged against its cap
 * (cache.h's accounting hooks): the devices' resource-dump buffers while
 * they grow, and the texts rendered for open files while they are open.
 * A charge that does not fit trips limit cache_size: a log line, a count
 * in .stats, and EIO for the reader.
 */
#include <errno.h>

#include "tree/tree-private.h"

static int charge(void *data, size_t bytes, const char *who)
{
        mlx5_tree *tree = data;

        if (mlx5_cache_charge(tree->cache, bytes) == 0)
                return 0;
        mlx5_limit_trip(MLX5_LIMIT_CACHE_BYTES, who, "%zu bytes more would not fit beside what answers in flight hold",
                        bytes);
        return -ENOBUFS;
}

static void uncharge(void *data, size_t bytes)
{
        mlx5_tree *tree = data;

        mlx5_cache_uncharge(tree->cache, bytes);
}

void tree_in_flight_init(mlx5_tree *tree)
{
        tree->account = (struct mlx5_mem_account) { .charge = charge, .uncharge = uncharge, .data = tree };
}

int tree_in_flight_charge_text(mlx5_tree *tree, size_t len)
{
        return len && charge(tree, len, "open files' texts") < 0 ? -EIO : 0;
}
