/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A snapshot is one firmware answer (or one generated file), immutable once
 * made, with the time it was taken.  Whoever serves a file holds a
 * reference, so an open file keeps its snapshot however the cache moves on.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mlx5_snapshot {
        gint refcount;
        int64_t taken_realtime_us;      /* mtime and ctime of the files it backs */
        int64_t taken_monotonic_us;     /* for the TTL */
        GBytes *raw;                    /* firmware output mailbox, or NULL */
        GBytes *text;                   /* text shown to users, or NULL */
        GArray *ids;                    /* uint32_t object numbers of a listing, or NULL */
        size_t cost;                    /* bytes it keeps alive */
} mlx5_snapshot;

/* Takes ownership of the three (each may be NULL). */
mlx5_snapshot *mlx5_snapshot_new(GBytes *raw, GBytes *text, GArray *ids);
mlx5_snapshot *mlx5_snapshot_ref(mlx5_snapshot *snap);
void mlx5_snapshot_unref(mlx5_snapshot *snap);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(mlx5_snapshot, mlx5_snapshot_unref)

/* Binary search in a listing snapshot's sorted ids. */
bool mlx5_snapshot_has_id(const mlx5_snapshot *snap, uint32_t id);
