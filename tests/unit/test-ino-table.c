/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The inode map the tree's pins and leases live in, against a GHashTable doing the same. */
#include <glib.h>

#include "tree/ino-table.h"

static bool is_odd(void *value, void *user_data)
{
        return GPOINTER_TO_SIZE(value) & 1;
}

static void check_same(const struct tree_ino_table *t, GHashTable *ref)
{
        GHashTableIter iter;
        gpointer key, value;
        uint64_t k;
        void *v;
        size_t pos = 0, seen = 0;

        g_assert_cmpuint(tree_ino_table_size(t), ==, g_hash_table_size(ref));
        g_hash_table_iter_init(&iter, ref);
        while (g_hash_table_iter_next(&iter, &key, &value))
                g_assert_true(tree_ino_table_lookup(t, *(uint64_t *) key) == value);
        while (tree_ino_table_next(t, &pos, &k, &v)) {
                g_assert_true(g_hash_table_lookup(ref, &k) == v);
                seen++;
        }
        g_assert_cmpuint(seen, ==, g_hash_table_size(ref));
}

/* Random inserts and removals of keys shaped like inode numbers (few high bits, small ids), growing and shrinking. */
static void test_random(void)
{
        g_autoptr(GHashTable) ref = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
        g_autoptr(GRand) rand = g_rand_new_with_seed(7);
        struct tree_ino_table t;

        tree_ino_table_init(&t);
        for (unsigned round = 0; round < 200000; round++) {
                /* Grow for the first half, shrink in the second. */
                bool insert = g_rand_int_range(rand, 0, 100) < (round < 100000 ? 70 : 30);
                uint64_t key = (uint64_t) g_rand_int_range(rand, 1, 40) << 56 | (uint64_t) g_rand_int_range(rand, 0, 3) << 40 |
                               (uint32_t) g_rand_int_range(rand, 0, 20000);
                void *value = GSIZE_TO_POINTER((gsize) round + 1);

                if (insert && !g_hash_table_contains(ref, &key)) {
                        tree_ino_table_insert(&t, key, value);
                        g_hash_table_insert(ref, g_memdup2(&key, sizeof(key)), value);
                } else if (!insert) {
                        void *expect = g_hash_table_lookup(ref, &key);

                        g_assert_true(tree_ino_table_remove(&t, key) == expect);
                        g_hash_table_remove(ref, &key);
                }
                g_assert_true(tree_ino_table_lookup(&t, key) == g_hash_table_lookup(ref, &key));
                if (round % 10000 == 0)
                        check_same(&t, ref);
        }
        check_same(&t, ref);
        tree_ino_table_clear(&t, NULL);
}

static unsigned freed;

static void note_free(void *value)
{
        freed++;
}

static void test_remove_if(void)
{
        g_autoptr(GHashTable) ref = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
        struct tree_ino_table t;
        size_t removed;

        tree_ino_table_init(&t);
        for (uint64_t i = 1; i <= 5000; i++) {
                uint64_t key = i << 32 | i;

                tree_ino_table_insert(&t, key, GSIZE_TO_POINTER((gsize) i));
                if (!(i & 1))
                        g_hash_table_insert(ref, g_memdup2(&key, sizeof(key)), GSIZE_TO_POINTER((gsize) i));
        }
        freed = 0;
        removed = tree_ino_table_remove_if(&t, is_odd, NULL, note_free);
        g_assert_cmpuint(removed, ==, 2500);
        g_assert_cmpuint(freed, ==, 2500);
        check_same(&t, ref);
        g_assert_null(tree_ino_table_remove(&t, UINT64_C(1) << 32 | 1));
        freed = 0;
        tree_ino_table_clear(&t, note_free);
        g_assert_cmpuint(freed, ==, 2500);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/ino-table/random", test_random);
        g_test_add_func("/ino-table/remove-if", test_remove_if);
        return g_test_run();
}
