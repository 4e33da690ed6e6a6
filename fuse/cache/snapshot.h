/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A snapshot is one firmware answer (or one generated file), immutable once
 * made, with the time it was taken.  Whoever serves a file holds a
 * reference, so an open file keeps its snapshot however the cache moves on.
 *
 * A listing keeps its objects' firmware bytes; each object's text (and its
 * JSON document) is rendered once, when first asked for (its size for a
 * stat, or a read), and kept with the listing while it lives, charged to
 * the cache's cap (mlx5_cache_keep): past the room the cache gives kept
 * texts, a text is not kept and is rendered again when read, so a listing
 * of 1M objects costs their bytes, not their texts.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mlx5_cache;

/*
 * A text too long to keep (a view of a whole listing), rendered in slices
 * as it is read: text_len is its exact length, what every slice adds up to.
 */
struct mlx5_slices {
        /* Appends bytes [off, off + size) of the text (within text_len) to out: 0 or a negative errno. */
        int (*render)(struct mlx5_slices *s, uint64_t off, size_t size, GString *out);
        void (*free)(struct mlx5_slices *s);
        /*
         * One render at a time (mlx5_snapshot_render_slices): what renders
         * keeps state of its own (the reference listings it asked), and
         * every reader of an open file shares its snapshot.
         */
        GMutex lock;
};

typedef struct mlx5_snapshot {
        gint refcount;
        int64_t taken_realtime_us;      /* mtime and ctime of the files it backs */
        int64_t taken_monotonic_us;     /* for the TTL */
        GBytes *raw;                    /* firmware output mailbox, or NULL */
        GBytes *text;                   /* generated text, or NULL (render from raw) */
        size_t text_len;                /* length of the text, kept or not */
        struct mlx5_slices *slices;     /* what renders the text when it is not kept, or NULL */
        struct mlx5_listing *listing;   /* for a listing snapshot, or NULL */
        size_t cost;                    /* bytes it keeps alive */
        int64_t lifetime_us;            /* how long it stays fresh; 0: the cache's TTL */
        int64_t renewed_until_us;       /* monotonic (atomic); fresh until then if later (mlx5_snapshot_renew) */
        uint64_t serial;                /* never the same for two snapshots of one daemon: its identity */
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
        size_t outlen;                  /* each answer's length, as firmware sent it */
        const uint8_t **packed;         /* per slot: its answer packed (mlx5_listing_pack), or NULL: all zeros */
        uint32_t *packed_len;           /* per slot: bytes at packed */
        GPtrArray *packs;               /* what packed points into: one exact buffer per mlx5_listing_pack */
        uint8_t *has_raw;               /* per slot: the query answered */
        gint *text_len;                 /* per slot: rendered length, 0 = not yet known */
        gint text_hint;                 /* the last text length it learnt: whether the next may be kept */
        GBytes **kept[2];               /* per view (enum mlx5_listing_view), per slot: kept rendering, or NULL */
        struct mlx5_cache *keeper;      /* what kept renderings are charged to, or NULL: none kept */
        gsize kept_bytes;               /* charged to keeper, given back when the listing goes */
        uint8_t *found_by;              /* per slot: which sources found it (inventory bits), or NULL */
        uint16_t *owner_of;             /* per slot: 1 + index into owners, 0 for none; or NULL */
        GPtrArray *owners;              /* struct mlx5_object_owner *, or NULL */
        GBytes *blobs;                  /* for listings of whole answers (dumps): every slot's bytes, in slot order; or NULL */
        size_t *blob_end;               /* per slot: where its bytes end in blobs (they begin where the slot before's end) */
        guint **opened;                 /* per file kind, a bitmap of the slots opened: see mlx5_listing_first_open */
        GBytes *whole[2];               /* per enum mlx5_listing_whole: what a view of it all measured, or NULL */
        gsize whole_bytes[2];           /* charged to keeper for each */
};

/* Views of a whole listing whose measure (mlx5_listing_keep_whole) it may keep. */
enum mlx5_listing_whole {
        MLX5_LISTING_WHOLE_JSONL,       /* json/<type>.jsonl */
        MLX5_LISTING_WHOLE_SUMMARY,     /* summary/<type> */
};

/* File kinds mlx5_listing_first_open tells apart. */
#define MLX5_LISTING_OPEN_KINDS 256

/* What a listing renders of each object and may keep. */
enum mlx5_listing_view {
        MLX5_LISTING_TEXT,              /* the object's file */
        MLX5_LISTING_JSON,              /* its json/ document */
};

/* Takes ownership of raw and text (either may be NULL). */
mlx5_snapshot *mlx5_snapshot_new(GBytes *raw, GBytes *text);
/* An object snapshot whose text is rendered on demand. */
mlx5_snapshot *mlx5_snapshot_new_object(GBytes *raw, size_t text_len);
/* A text of text_len bytes rendered in slices (takes slices); cost: what slices keeps alive. */
mlx5_snapshot *mlx5_snapshot_new_slices(struct mlx5_slices *slices, size_t text_len, size_t cost);
/* Appends bytes [off, off + size) of a snapshot's text rendered in slices, one reader at a time. */
int mlx5_snapshot_render_slices(mlx5_snapshot *snap, uint64_t off, size_t size, GString *out);
/*
 * Takes ownership of ids and has_raw; raws (ids->len answers of outlen
 * bytes, or NULL: none yet, or none at all) is packed, not kept.
 */
mlx5_snapshot *mlx5_snapshot_new_listing(GArray *ids, const uint8_t *raws, size_t outlen, uint8_t *has_raw);
/*
 * Packs count answers (outlen bytes each, from raws) into slots first on:
 * runs of zeros are left out (most of a context is zeros: 77% of an
 * mkey's), so a listing costs what its answers hold, not outlen each.
 * Slots already packed never move: readers may read them meanwhile.
 */
void mlx5_listing_pack(mlx5_snapshot *listing_snap, unsigned first, const uint8_t *raws, unsigned count);
/* The answer of slot, unpacked into buf (outlen bytes) and returned; NULL when its query failed. */
const uint8_t *mlx5_listing_raw(const struct mlx5_listing *listing, unsigned slot, uint8_t *buf);
/* The same as new bytes of their own, or NULL. */
GBytes *mlx5_listing_raw_bytes(const struct mlx5_listing *listing, unsigned slot);
/* Takes ownership of found_by and owner_of (ids->len entries each) and owners (may be NULL). */
void mlx5_listing_set_origin(mlx5_snapshot *listing_snap, uint8_t *found_by, uint16_t *owner_of, GPtrArray *owners);
void mlx5_object_owner_free(struct mlx5_object_owner *owner);
/*
 * Takes ownership of blobs (every id's whole answer, one after another,
 * exactly as long as they are) and of blob_end (ids->len ends): kept in one
 * buffer, not one snapshot and one allocation per answer (at 100k QPs a
 * dump directory lists 100k dumps of 72 to 568 bytes).
 */
void mlx5_listing_set_blobs(mlx5_snapshot *listing_snap, GBytes *blobs, size_t *blob_end);
/* The snapshot of the answer in slot i of a listing of whole answers, carrying the listing's times. */
mlx5_snapshot *mlx5_listing_blob(mlx5_snapshot *listing_snap, int slot);
mlx5_snapshot *mlx5_snapshot_ref(mlx5_snapshot *snap);
/* The monotonic time a snapshot stops being fresh: its lifetime (default_lifetime_us if 0) or its renewal. */
int64_t mlx5_snapshot_expiry_us(const mlx5_snapshot *snap, int64_t default_lifetime_us);
/* Keeps a snapshot fresh until at least until_us (monotonic). */
void mlx5_snapshot_renew(mlx5_snapshot *snap, int64_t until_us);
void mlx5_snapshot_unref(mlx5_snapshot *snap);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(mlx5_snapshot, mlx5_snapshot_unref)

/* Lets the listing keep renderings, charged to cache (which must outlive the listing). */
void mlx5_listing_set_keeper(mlx5_snapshot *listing_snap, struct mlx5_cache *cache);
/*
 * What a view of the whole listing measured (its lines' ends, and what it
 * rendered them from besides the listing), kept with the listing while it
 * lives and charged as a kept rendering, so the next stat or open of the
 * view does not render it all again.  Keep replaces the one kept before;
 * false: no room (not kept, counted as a text not kept).  Kept: a new
 * reference, or NULL.
 */
bool mlx5_listing_keep_whole(mlx5_snapshot *listing_snap, enum mlx5_listing_whole view, GBytes *measure);
GBytes *mlx5_listing_kept_whole(mlx5_snapshot *listing_snap, enum mlx5_listing_whole view);
/*
 * The rendering of one view of the object in slot: the kept one, else
 * render(raw of the slot, data)'s, kept when the keeper has room.  A new
 * reference; NULL when the slot has no bytes (its query failed) or render
 * returned NULL (it tells its caller why through data).
 */
GBytes *mlx5_listing_render(mlx5_snapshot *listing_snap, int slot, enum mlx5_listing_view view,
                            GBytes *(*render)(GBytes *raw, void *data), void *data);

/*
 * Notes that a file of kind (below MLX5_LISTING_OPEN_KINDS) was opened from
 * the listing's slot: true the first time only, so a reader that opens the
 * same file again and again is told apart from a walk that moves on.
 */
bool mlx5_listing_first_open(mlx5_snapshot *listing_snap, unsigned kind, int slot);

/* Slot of id in a listing snapshot, or -1. */
int mlx5_listing_find(const struct mlx5_listing *listing, uint32_t id);
/* The same among its first `below` slots (a listing under way: those are final). */
int mlx5_listing_find_below(const struct mlx5_listing *listing, unsigned below, uint32_t id);
/*
 * The snapshot of the object in slot i, carrying the listing's times, or
 * NULL when its query failed at listing time.  Its text is the listing's
 * kept one (render makes it, once), or when there is no room to keep it,
 * only its length (measure gives it without a text): rendered again when
 * read.  With render NULL, the snapshot has its bytes and times only (for a
 * view of its own).
 */
mlx5_snapshot *mlx5_listing_object(mlx5_snapshot *listing_snap, int slot,
                                   GBytes *(*render)(GBytes *raw, void *data),
                                   size_t (*measure)(GBytes *raw, void *data), void *data);
/*
 * The same for a reader of its text alone (the object's file): when the
 * text is kept, the snapshot has it and no answer (raw NULL).
 */
mlx5_snapshot *mlx5_listing_object_text(mlx5_snapshot *listing_snap, int slot,
                                        GBytes *(*render)(GBytes *raw, void *data),
                                        size_t (*measure)(GBytes *raw, void *data), void *data);
