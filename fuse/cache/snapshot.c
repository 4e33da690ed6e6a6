/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdbool.h>

#include "cache/snapshot.h"

mlx5_snapshot *mlx5_snapshot_new(GBytes *raw, GBytes *text, GArray *ids)
{
        mlx5_snapshot *snap = g_new0(mlx5_snapshot, 1);

        snap->refcount = 1;
        snap->taken_realtime_us = g_get_real_time();
        snap->taken_monotonic_us = g_get_monotonic_time();
        snap->raw = raw;
        snap->text = text;
        snap->ids = ids;
        snap->cost = sizeof(*snap) + (raw ? g_bytes_get_size(raw) : 0) + (text ? g_bytes_get_size(text) : 0) +
                     (ids ? ids->len * sizeof(uint32_t) : 0);
        return snap;
}

mlx5_snapshot *mlx5_snapshot_ref(mlx5_snapshot *snap)
{
        g_atomic_int_inc(&snap->refcount);
        return snap;
}

void mlx5_snapshot_unref(mlx5_snapshot *snap)
{
        if (!snap || !g_atomic_int_dec_and_test(&snap->refcount))
                return;
        if (snap->raw)
                g_bytes_unref(snap->raw);
        if (snap->text)
                g_bytes_unref(snap->text);
        if (snap->ids)
                g_array_unref(snap->ids);
        g_free(snap);
}

bool mlx5_snapshot_has_id(const mlx5_snapshot *snap, uint32_t id)
{
        const uint32_t *ids;
        unsigned lo = 0, hi;

        if (!snap->ids)
                return false;
        ids = (const uint32_t *) (const void *) snap->ids->data;
        hi = snap->ids->len;
        while (lo < hi) {
                unsigned mid = lo + (hi - lo) / 2;

                if (ids[mid] == id)
                        return true;
                if (ids[mid] < id)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return false;
}
