/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What answers hold outside the snapshot cache, charged against its cap
 * (cache.h's accounting hooks): the devices' resource-dump buffers while
 * they grow, the texts rendered for open files while they are open, and the
 * views made of a whole listing (json/<type>.jsonl, summary/<type>) while
 * they grow and for as long as their snapshot lives.
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

/* A view's text grew: charges what its buffer took since the last call (*charged). */
int tree_in_flight_grow(mlx5_tree *tree, size_t *charged, const GString *text)
{
        if (text->allocated_len <= *charged)
                return 0;
        if (charge(tree, text->allocated_len - *charged, "views of a whole listing") < 0)
                return -EIO;
        *charged = text->allocated_len;
        return 0;
}

void tree_in_flight_drop(mlx5_tree *tree, size_t charged)
{
        if (charged)
                mlx5_cache_uncharge(tree->cache, charged);
}

/* The view is made: what it keeps stays charged until its snapshot goes (the tree outlives them). */
mlx5_snapshot *tree_in_flight_keep(mlx5_tree *tree, mlx5_snapshot *snap, size_t charged)
{
        size_t kept = snap->text ? g_bytes_get_size(snap->text) : 0;

        kept = MIN(kept, charged);
        tree_in_flight_drop(tree, charged - kept);
        snap->charged = kept;
        snap->uncharge = uncharge;
        snap->uncharge_data = tree;
        return snap;
}
