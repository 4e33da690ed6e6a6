/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <glib.h>

#include "tree/ino-table.h"

/* Slots at first; the table doubles past half full and halves below an eighth. */
#define INO_TABLE_MIN_SLOTS 64

static inline size_t ino_slot(const struct tree_ino_table *t, uint64_t key)
{
        return (size_t) tree_ino_mix(key) & t->mask;
}

static void alloc_slots(struct tree_ino_table *t, size_t slots)
{
        t->keys = g_new0(uint64_t, slots);
        t->values = g_new0(void *, slots);
        t->mask = slots - 1;
        t->used = 0;
}

void tree_ino_table_init(struct tree_ino_table *t)
{
        alloc_slots(t, INO_TABLE_MIN_SLOTS);
}

void tree_ino_table_clear(struct tree_ino_table *t, void (*free_value)(void *value))
{
        if (!t->keys)
                return;
        for (size_t i = 0; free_value && i <= t->mask; i++)
                if (t->keys[i])
                        free_value(t->values[i]);
        g_clear_pointer(&t->keys, g_free);
        g_clear_pointer(&t->values, g_free);
        t->mask = 0;
        t->used = 0;
}

void *tree_ino_table_lookup(const struct tree_ino_table *t, uint64_t key)
{
        for (size_t i = ino_slot(t, key);; i = (i + 1) & t->mask) {
                if (t->keys[i] == key)
                        return t->values[i];
                if (!t->keys[i])
                        return NULL;
        }
}

static void place(struct tree_ino_table *t, uint64_t key, void *value)
{
        size_t i = ino_slot(t, key);

        while (t->keys[i])
                i = (i + 1) & t->mask;
        t->keys[i] = key;
        t->values[i] = value;
        t->used++;
}

static void resize(struct tree_ino_table *t, size_t slots)
{
        uint64_t *keys = t->keys;
        void **values = t->values;
        size_t old_slots = t->mask + 1;

        alloc_slots(t, slots);
        for (size_t i = 0; i < old_slots; i++)
                if (keys[i])
                        place(t, keys[i], values[i]);
        g_free(keys);
        g_free(values);
}

void tree_ino_table_insert(struct tree_ino_table *t, uint64_t key, void *value)
{
        g_assert(key != 0);
        if ((t->used + 1) * 2 > t->mask + 1)
                resize(t, (t->mask + 1) * 2);
        place(t, key, value);
}

/* Empties slot hole, moving up those after it that probing would no longer find (no tombstones). */
static void close_hole(struct tree_ino_table *t, size_t hole)
{
        for (size_t i = (hole + 1) & t->mask; t->keys[i]; i = (i + 1) & t->mask) {
                size_t home = ino_slot(t, t->keys[i]);

                /* Stays where it is when its home lies cyclically in (hole, i]. */
                if (hole <= i ? hole < home && home <= i : hole < home || home <= i)
                        continue;
                t->keys[hole] = t->keys[i];
                t->values[hole] = t->values[i];
                hole = i;
        }
        t->keys[hole] = 0;
        t->values[hole] = NULL;
        t->used--;
}

static void maybe_shrink(struct tree_ino_table *t)
{
        if (t->mask + 1 > INO_TABLE_MIN_SLOTS && t->used * 8 < t->mask + 1)
                resize(t, (t->mask + 1) / 2);
}

void *tree_ino_table_remove(struct tree_ino_table *t, uint64_t key)
{
        void *value;

        for (size_t i = ino_slot(t, key);; i = (i + 1) & t->mask) {
                if (!t->keys[i])
                        return NULL;
                if (t->keys[i] != key)
                        continue;
                value = t->values[i];
                close_hole(t, i);
                maybe_shrink(t);
                return value;
        }
}

bool tree_ino_table_next(const struct tree_ino_table *t, size_t *io_pos, uint64_t *ret_key, void **ret_value)
{
        for (size_t i = *io_pos; i <= t->mask; i++) {
                if (!t->keys[i])
                        continue;
                if (ret_key)
                        *ret_key = t->keys[i];
                if (ret_value)
                        *ret_value = t->values[i];
                *io_pos = i + 1;
                return true;
        }
        *io_pos = t->mask + 1;
        return false;
}

size_t tree_ino_table_remove_if(struct tree_ino_table *t, bool (*pred)(void *value, void *user_data),
                                void *user_data, void (*free_value)(void *value))
{
        uint64_t *keys = t->keys;
        void **values = t->values;
        size_t slots = t->mask + 1, before = t->used;

        /* Rebuilt from the survivors: one pass, whatever the removals do to probe runs. */
        alloc_slots(t, slots);
        for (size_t i = 0; i < slots; i++) {
                if (!keys[i])
                        continue;
                if (!pred(values[i], user_data))
                        place(t, keys[i], values[i]);
                else if (free_value)
                        free_value(values[i]);
        }
        g_free(keys);
        g_free(values);
        while (t->mask + 1 > INO_TABLE_MIN_SLOTS && t->used * 8 < t->mask + 1)
                resize(t, (t->mask + 1) / 2);
        return before - t->used;
}
