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

static int charge_with(mlx5_tree *tree, int (*charge_fn)(mlx5_cache *, size_t), size_t bytes, const char *who)
{
        if (charge_fn(tree->cache, bytes) == 0)
                return 0;
        mlx5_limit_trip(MLX5_LIMIT_CACHE_BYTES, who, "%zu bytes more would not fit beside what answers in flight hold",
                        bytes);
        return -ENOBUFS;
}

/* A dump being read (on any thread): leases never refuse it room; past the cap they go at the next answer kept. */
static int charge(void *data, size_t bytes, const char *who)
{
        return charge_with(data, mlx5_cache_charge, bytes, who);
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
        /* On the opener's thread, with no lock held: leased listings it does not pin may make room. */
        return len && charge_with(tree, mlx5_cache_charge_reclaiming, len, "open files' texts") < 0 ? -EIO : 0;
}
