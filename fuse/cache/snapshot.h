/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A snapshot is one firmware answer (or one generated file), immutable once
 * made, with the time it was taken.  Whoever serves a file holds a
 * reference, so an open file keeps its snapshot however the cache moves on.
 *
 * Object snapshots keep only the firmware's bytes and the length of their
 * text: the text is rendered again (deterministically) when a file is
 * opened, so a listing of 100k objects costs their bytes, not their text.
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
        GBytes *text;                   /* generated text, or NULL (render from raw) */
        size_t text_len;                /* length of the text, kept or not */
        struct mlx5_listing *listing;   /* for a listing snapshot, or NULL */
        size_t cost;                    /* bytes it keeps alive */
        int64_t lifetime_us;            /* how long it stays fresh; 0: the cache's TTL */
} mlx5_snapshot;

/* Who made an object, as the host's kernel tells (RDMA resource tracking). */
struct mlx5_object_owner {
        uint32_t pid;                   /* 0 for a kernel owner */
        char *comm;                     /* the process's comm, or the kernel module's name */
};

/*
 * A point-in-time listing of one object type: the numbers and, for each
 * object whose query succeeded at listing time, its output mailbox; where
 * each number was found and its owner, when the inventory knows them.
 */
struct mlx5_listing {
        GArray *ids;                    /* uint32_t, ascending */
        GBytes *raws;                   /* ids->len slots of outlen bytes */
        size_t outlen;
        uint8_t *has_raw;               /* per slot: the query answered */
        gint *text_len;                 /* per slot: rendered length, 0 = not yet known */
        uint8_t *found_by;              /* per slot: which sources found it (inventory bits), or NULL */
        uint16_t *owner_of;             /* per slot: 1 + index into owners, 0 for none; or NULL */
        GPtrArray *owners;              /* struct mlx5_object_owner *, or NULL */
        GPtrArray *snaps;               /* mlx5_snapshot * per slot, for listings of whole snapshots; or NULL */
};

/* Takes ownership of raw and text (either may be NULL). */
mlx5_snapshot *mlx5_snapshot_new(GBytes *raw, GBytes *text);
/* An object snapshot whose text is rendered on demand. */
mlx5_snapshot *mlx5_snapshot_new_object(GBytes *raw, size_t text_len);
/* Takes ownership of the listing's arrays. */
mlx5_snapshot *mlx5_snapshot_new_listing(GArray *ids, GBytes *raws, size_t outlen, uint8_t *has_raw);
/* Takes ownership of found_by and owner_of (ids->len entries each) and owners (may be NULL). */
void mlx5_listing_set_origin(mlx5_snapshot *listing_snap, uint8_t *found_by, uint16_t *owner_of, GPtrArray *owners);
void mlx5_object_owner_free(struct mlx5_object_owner *owner);
/* Takes ownership of snaps (one referenced snapshot per id), which the listing then keeps alive. */
void mlx5_listing_set_snapshots(mlx5_snapshot *listing_snap, GPtrArray *snaps);
mlx5_snapshot *mlx5_snapshot_ref(mlx5_snapshot *snap);
void mlx5_snapshot_unref(mlx5_snapshot *snap);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(mlx5_snapshot, mlx5_snapshot_unref)

/* Slot of id in a listing snapshot, or -1. */
int mlx5_listing_find(const struct mlx5_listing *listing, uint32_t id);
/*
 * The snapshot of the object in slot i, carrying the listing's times, or
 * NULL when its query failed at listing time.  text_len_fn computes the text
 * length once per slot.
 */
mlx5_snapshot *mlx5_listing_object(mlx5_snapshot *listing_snap, int slot,
                                   size_t (*text_len_fn)(GBytes *raw, void *user_data), void *user_data);
