/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live object numbers of one type, ascending, each with the slot that
 * holds the object.  Churn removes numbers anywhere and adds them mostly at
 * the end, among up to a million objects, so one sorted array would move
 * megabytes per change; blocks of a few hundred numbers move at most one
 * block.  Lookups and "the next number from here on" (dump cursors) are two
 * binary searches, the first over an array of the blocks' bounds.
 *
 * Block k's bound is its first number when it was made: at or below every
 * number it holds and above every number of the blocks before it, all
 * find_block needs.  It stays so: a number goes to the block whose bound is
 * the last at or below it (or to block 0, whose bound is never read),
 * removals only raise a block's first number, and merges drop a bound.
 */
#include <string.h>

#include "sim/sim-private.h"

#define BLOCK_LEN       256u
/* Two neighbours this small together become one, so blocks stay well filled. */
#define MERGE_LEN       (BLOCK_LEN / 2)

struct sim_index_block {
        uint32_t n;                     /* never 0 while the block is in the index */
        uint32_t ids[BLOCK_LEN];        /* ascending */
        uint32_t slots[BLOCK_LEN];
};

static void insert_block(struct sim_index *x, uint32_t at, struct sim_index_block *b)
{
        if (x->n_blocks == x->alloc) {
                x->alloc = MAX(4u, x->alloc * 2);
                x->blocks = g_renew(struct sim_index_block *, x->blocks, x->alloc);
                x->bounds = g_renew(uint32_t, x->bounds, x->alloc);
        }
        memmove(&x->blocks[at + 1], &x->blocks[at], (x->n_blocks - at) * sizeof(*x->blocks));
        memmove(&x->bounds[at + 1], &x->bounds[at], (x->n_blocks - at) * sizeof(*x->bounds));
        x->blocks[at] = b;
        x->bounds[at] = b->ids[0];
        x->n_blocks++;
}

static void remove_block(struct sim_index *x, uint32_t at)
{
        g_free(x->blocks[at]);
        x->n_blocks--;
        memmove(&x->blocks[at], &x->blocks[at + 1], (x->n_blocks - at) * sizeof(*x->blocks));
        memmove(&x->bounds[at], &x->bounds[at + 1], (x->n_blocks - at) * sizeof(*x->bounds));
}

void sim_index_init(struct sim_index *x, const uint32_t *ids, uint32_t n)
{
        memset(x, 0, sizeof(*x));
        for (uint32_t k = 0; k < n; k += BLOCK_LEN) {
                struct sim_index_block *b = g_new(struct sim_index_block, 1);

                b->n = MIN(BLOCK_LEN, n - k);
                memcpy(b->ids, ids + k, b->n * sizeof(*ids));
                for (uint32_t i = 0; i < b->n; i++)
                        b->slots[i] = k + i;
                insert_block(x, x->n_blocks, b);
        }
}

void sim_index_clear(struct sim_index *x)
{
        for (uint32_t i = 0; i < x->n_blocks; i++)
                g_free(x->blocks[i]);
        g_clear_pointer(&x->blocks, g_free);
        g_clear_pointer(&x->bounds, g_free);
        x->n_blocks = x->alloc = 0;
}

/* The last block whose first number is <= id; 0 when id is below them all. */
static uint32_t find_block(const struct sim_index *x, uint32_t id)
{
        uint32_t lo = 0, hi = x->n_blocks;

        while (hi - lo > 1) {
                uint32_t mid = lo + (hi - lo) / 2;

                if (x->bounds[mid] <= id)
                        lo = mid;
                else
                        hi = mid;
        }
        return lo;
}

/* First position in b whose number is >= id (b->n when none). */
static uint32_t lower_bound(const struct sim_index_block *b, uint32_t id)
{
        uint32_t lo = 0, hi = b->n;

        while (lo < hi) {
                uint32_t mid = lo + (hi - lo) / 2;

                if (b->ids[mid] < id)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

bool sim_index_find(const struct sim_index *x, uint32_t id, uint32_t *ret_slot)
{
        const struct sim_index_block *b;
        uint32_t pos;

        if (x->n_blocks == 0)
                return false;
        b = x->blocks[find_block(x, id)];
        pos = lower_bound(b, id);
        if (pos == b->n || b->ids[pos] != id)
                return false;
        if (ret_slot)
                *ret_slot = b->slots[pos];
        return true;
}

bool sim_index_next(const struct sim_index *x, uint32_t id, uint32_t *ret_id, uint32_t *ret_slot)
{
        uint32_t bi, pos;

        if (x->n_blocks == 0)
                return false;
        bi = find_block(x, id);
        pos = lower_bound(x->blocks[bi], id);
        if (pos == x->blocks[bi]->n) {
                /* Past this block: the next one starts above id. */
                if (++bi == x->n_blocks)
                        return false;
                pos = 0;
        }
        *ret_id = x->blocks[bi]->ids[pos];
        *ret_slot = x->blocks[bi]->slots[pos];
        return true;
}

void sim_index_insert(struct sim_index *x, uint32_t id, uint32_t slot)
{
        struct sim_index_block *b;
        uint32_t bi, pos;

        if (x->n_blocks == 0)
                insert_block(x, 0, g_new0(struct sim_index_block, 1));
        bi = find_block(x, id);
        b = x->blocks[bi];
        pos = lower_bound(b, id);
        g_return_if_fail(pos == b->n || b->ids[pos] != id);
        if (b->n == BLOCK_LEN) {
                /* Full: the upper half moves to a new block after it. */
                struct sim_index_block *upper = g_new(struct sim_index_block, 1);
                uint32_t half = BLOCK_LEN / 2;

                upper->n = BLOCK_LEN - half;
                memcpy(upper->ids, b->ids + half, upper->n * sizeof(*b->ids));
                memcpy(upper->slots, b->slots + half, upper->n * sizeof(*b->slots));
                b->n = half;
                insert_block(x, bi + 1, upper);
                if (pos > half) {
                        b = upper;
                        pos -= half;
                }
        }
        memmove(b->ids + pos + 1, b->ids + pos, (b->n - pos) * sizeof(*b->ids));
        memmove(b->slots + pos + 1, b->slots + pos, (b->n - pos) * sizeof(*b->slots));
        b->ids[pos] = id;
        b->slots[pos] = slot;
        b->n++;
}

/* Moves all of blocks[bi + 1] to the end of blocks[bi]. */
static void merge_next(struct sim_index *x, uint32_t bi)
{
        struct sim_index_block *b = x->blocks[bi], *next = x->blocks[bi + 1];

        memcpy(b->ids + b->n, next->ids, next->n * sizeof(*b->ids));
        memcpy(b->slots + b->n, next->slots, next->n * sizeof(*b->slots));
        b->n += next->n;
        remove_block(x, bi + 1);
}

void sim_index_remove(struct sim_index *x, uint32_t id)
{
        struct sim_index_block *b;
        uint32_t bi, pos;

        g_return_if_fail(x->n_blocks > 0);
        bi = find_block(x, id);
        b = x->blocks[bi];
        pos = lower_bound(b, id);
        g_return_if_fail(pos < b->n && b->ids[pos] == id);
        b->n--;
        memmove(b->ids + pos, b->ids + pos + 1, (b->n - pos) * sizeof(*b->ids));
        memmove(b->slots + pos, b->slots + pos + 1, (b->n - pos) * sizeof(*b->slots));
        if (b->n == 0)
                remove_block(x, bi);
        else if (bi + 1 < x->n_blocks && b->n + x->blocks[bi + 1]->n <= MERGE_LEN)
                merge_next(x, bi);
        else if (bi > 0 && x->blocks[bi - 1]->n + b->n <= MERGE_LEN)
                merge_next(x, bi - 1);
}

uint32_t sim_index_count(const struct sim_index *x)
{
        uint32_t n = 0;

        for (uint32_t i = 0; i < x->n_blocks; i++)
                n += x->blocks[i]->n;
        return n;
}
