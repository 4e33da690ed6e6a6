/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Renderings kept together and let go together: one view of one listing.
 * Past the cache's kept share, a keep lets go of the set idle longest (none
 * kept in it, none taken from it, for KEPT_SET_IDLE_US: a walk has moved
 * on) to make room, so the share holds what a walk reads next rather than
 * what it read first.  Its owner embeds it (zeroed, shed set) and keeps
 * into it under a lock of its own, which shed may only try to take.
 */
struct mlx5_kept_set {
        GList link;             /* in the cache's kept sets while it holds bytes (data: the set) */
        size_t bytes;           /* charged for it */
        gint64 used_us;         /* when a rendering was last kept in it or taken from it (atomic) */
        /* Lets go of every rendering in it, unless its owner's lock is taken (then false). */
        bool (*shed)(struct mlx5_kept_set *set);
};
