/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The snapshot cache: at most one fresh snapshot per key, refetched after
 * the TTL, bounded in bytes with least-recently-used eviction.  Concurrent
 * requests for the same key share one fetch.  The fetch runs without the
 * cache lock held, so slow firmware never blocks other keys.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache/snapshot.h"

typedef struct mlx5_cache mlx5_cache;

struct mlx5_cache_key {
        uint32_t device;
        uint16_t kind;
        uint16_t sub;
        uint32_t id;
};

/* Asked, without the cache's lock, to drop leases (mlx5_cache_lease): the cache is past its cap. */
typedef void (*mlx5_cache_reclaim_fn)(void *data);
typedef int (*mlx5_cache_fetch_fn)(const struct mlx5_cache_key *key, void *user_data, mlx5_snapshot **ret_snap);

mlx5_cache *mlx5_cache_new(int64_t ttl_us, size_t max_bytes, mlx5_cache_fetch_fn fetch, void *user_data);
void mlx5_cache_free(mlx5_cache *cache);

/*
 * A referenced snapshot that is still fresh (younger than its lifetime, or
 * the TTL), fetching if needed.  On a thread that said it must not block, a
 * needed fetch is not made: -EWOULDBLOCK.
 */
int mlx5_cache_get(mlx5_cache *cache, const struct mlx5_cache_key *key, mlx5_snapshot **ret_snap);
/* Whether mlx5_cache_get may fetch (and so wait for firmware) on this thread. */
void mlx5_cache_set_nonblocking(bool nonblocking);
/* A fresh snapshot if one is cached, without fetching: -ENOENT otherwise. */
int mlx5_cache_peek(mlx5_cache *cache, const struct mlx5_cache_key *key, mlx5_snapshot **ret_snap);
/*
 * Forgets every entry of one device (it went away); a fetch under way for
 * it still answers its callers, but what it brings is not kept.
 */
void mlx5_cache_drop_device(mlx5_cache *cache, uint32_t device);
void mlx5_cache_format_stats(mlx5_cache *cache, GString *out);

/*
 * Accounting hooks: bytes that answers hold outside the cache (a dump's
 * buffer while it is read, a text rendered for an open file) count against
 * its cap.  A charge evicts what the cache keeps to make room; -ENOBUFS
 * when the bytes in flight alone would pass the cap.
 */
int mlx5_cache_charge(mlx5_cache *cache, size_t bytes);
void mlx5_cache_uncharge(mlx5_cache *cache, size_t bytes);
/*
 * The same, once the leases past the cap were asked to make room (so only
 * where no lock is held): an open file's text.  Leases still in use or
 * pinned stay, and never refuse it, as they never refuse a dump.
 */
int mlx5_cache_charge_reclaiming(mlx5_cache *cache, size_t bytes);
/*
 * Bytes a listing under construction holds (a dump directory's, 57 MB at
 * 100k QPs): charged even past the cap, after which what the cache keeps
 * goes, then leases (the reclaim function).  They make room, but refuse no
 * other charge: a reader's text is not failed for a listing that will be
 * evictable once whole.  Given back with mlx5_cache_unbuild.  Only where
 * no lock is held.
 */
void mlx5_cache_charge_building(mlx5_cache *cache, size_t bytes);
void mlx5_cache_unbuild(mlx5_cache *cache, size_t bytes);

/*
 * Renderings kept with the snapshots they render (a listing's texts),
 * charged like bytes in flight: at most half the cap (KEPT_SHARE), so
 * that answers and open files always have the other half.  A keep evicts to
 * make room; -ENOBUFS past that share (not an error: the rendering is
 * just not kept; counted in .stats).  Unkeep takes no lock: it runs where
 * a snapshot is freed, which may be under the cache's own lock.
 */
int mlx5_cache_keep(mlx5_cache *cache, size_t bytes);
/* Whether the kept share has room for bytes now (no lock, nothing reserved: a keep may still refuse). */
bool mlx5_cache_may_keep(mlx5_cache *cache, size_t bytes);
void mlx5_cache_unkeep(mlx5_cache *cache, size_t bytes);
/*
 * The same for a view's measure (where each line of a whole listing's view
 * ends): in the same share, and always within cache_size / MEASURE_SHARE
 * of it, which texts leave free (counted in .stats apart).
 */
int mlx5_cache_keep_measure(mlx5_cache *cache, size_t bytes);
void mlx5_cache_unkeep_measure(mlx5_cache *cache, size_t bytes);

/*
 * Leases: snapshots kept alive outside the cache (listings whose files the
 * kernel was told about), counted in the same cap, once each however many
 * leases or entries hold them.  Leased bytes never refuse a charge or an
 * answer: past the cap the cache evicts what it alone keeps, and when that
 * is not enough, calls the reclaim function (set once) after letting go of
 * its lock, which drops leases with mlx5_cache_evict_older between them so
 * that, together, what was used longest ago goes first.
 */
void mlx5_cache_set_reclaim(mlx5_cache *cache, mlx5_cache_reclaim_fn reclaim, void *data);
void mlx5_cache_lease(mlx5_cache *cache, mlx5_snapshot *snap);
void mlx5_cache_unlease(mlx5_cache *cache, mlx5_snapshot *snap);
/* Bytes held past the cap, leases and the room charges wait for included; 0 when within it. */
size_t mlx5_cache_over(mlx5_cache *cache);
/* Evicts entries last used before older_than_us (oldest first) while past the cap: whether still past it. */
bool mlx5_cache_evict_older(mlx5_cache *cache, int64_t older_than_us);
