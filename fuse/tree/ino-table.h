/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A map of inode numbers to pointers, for the tables every open and lease
 * consults (open pins, leases): open addressing, keys inline, no hashing
 * through function pointers, no allocation per entry.  A GHashTable cost
 * those requests ~120 instructions a lookup and ~300 a removal; this one a
 * few dozen.  Not locked: its owner's lock guards it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * An inode number spread over all 64 bits (splitmix64's finalizer): inode
 * numbers differ in their high bits (kind, device, sub) and low ones (id),
 * and a plain fold makes keys of different files share a hash.
 */
static inline uint64_t tree_ino_mix(uint64_t ino)
{
        ino = (ino ^ (ino >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
        ino = (ino ^ (ino >> 27)) * UINT64_C(0x94d049bb133111eb);
        return ino ^ (ino >> 31);
}

struct tree_ino_table {
        uint64_t *keys;         /* 0: an empty slot (no inode is 0) */
        void **values;
        size_t mask;            /* slots - 1; slots a power of two */
        size_t used;
};

void tree_ino_table_init(struct tree_ino_table *t);
/* Frees every value with free_value (may be NULL), and the table's memory. */
void tree_ino_table_clear(struct tree_ino_table *t, void (*free_value)(void *value));
void *tree_ino_table_lookup(const struct tree_ino_table *t, uint64_t key);
/* key (non-zero) must not be in the table. */
void tree_ino_table_insert(struct tree_ino_table *t, uint64_t key, void *value);
/* Takes key out: its value (not freed), or NULL when it was not there. */
void *tree_ino_table_remove(struct tree_ino_table *t, uint64_t key);
static inline size_t tree_ino_table_size(const struct tree_ino_table *t)
{
        return t->used;
}
/*
 * Iteration: *io_pos from 0; true and the next entry, false past the last.
 * The table must not change meanwhile (tree_ino_table_remove_if may).
 */
bool tree_ino_table_next(const struct tree_ino_table *t, size_t *io_pos, uint64_t *ret_key, void **ret_value);
/* Takes out and frees (free_value) every entry pred says true of; returns how many. */
size_t tree_ino_table_remove_if(struct tree_ino_table *t, bool (*pred)(void *value, void *user_data),
                                void *user_data, void (*free_value)(void *value));
