/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tree's device set as hotplug drives it, over simulated functions:
 * device slots reused once all were used but never under an open file, and
 * one function's device replaced by another way to it.
 */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include <unistd.h>

#include "device/rscdump-reader.h"
#include "host/host-sim.h"
#include "prm/rscdump.h"
#include "sim/sim.h"
#include "transport/transport-sim.h"
#include "transport/cancel.h"
#include "tree/tree.h"
#include "tree/tree-private.h"
#include "tree/views.h"

#define ROOT_INO 1

static mlx5_schema *schema;
static mlx5_sim_spec *spec;

/* Simulated function index, presented as reached through node. */
static mlx5_device *open_function(unsigned index, const char *node)
{
        mlx5_sim *sim = mlx5_sim_new(schema, spec, index);
        mlx5_transport *t = mlx5_transport_sim_new(sim, 4);
        g_autoptr(GError) error = NULL;
        mlx5_device *dev = NULL;

        g_strlcpy(t->id.node, node, sizeof(t->id.node));
        g_assert_cmpint(mlx5_device_open(t, mlx5_host_sim_new(sim), schema, &dev, &error), ==, 0);
        g_assert_no_error(error);
        return dev;
}

static mlx5_tree *tree_with(unsigned max_devices, int64_t ttl_us)
{
        return mlx5_tree_new(schema, &(struct mlx5_tree_options) {
                .ttl_us = ttl_us,
                .cache_bytes = 1 << 20,
                .max_devices = max_devices,
        });
}

static mlx5_tree *tree_with_slots(unsigned max_devices)
{
        return tree_with(max_devices, 60 * G_USEC_PER_SEC);
}

static uint64_t lookup(mlx5_tree *tree, uint64_t parent, const char *name, int want)
{
        struct stat st = { 0 };
        double valid_s;

        g_assert_cmpint(mlx5_tree_lookup(tree, parent, name, &st, &valid_s), ==, want);
        return st.st_ino;
}

static mlx5_tree_file *open_info(mlx5_tree *tree, const char *pci_name)
{
        uint64_t dir = lookup(tree, ROOT_INO, pci_name, 0);
        mlx5_tree_file *file = NULL;

        g_assert_cmpint(mlx5_tree_open(tree, lookup(tree, dir, "info", 0), &file), ==, 0);
        return file;
}

/* The whole text of an open file. */
static char *read_file(mlx5_tree *tree, mlx5_tree_file *file, int want)
{
        const char *data = NULL;
        size_t len = 0;

        g_assert_cmpint(mlx5_tree_read(tree, file, 0, 1 << 20, &data, &len), ==, want);
        return g_strndup(data, len);
}


static void test_slots_reused(void)
{
        mlx5_tree *tree = tree_with_slots(2);
        mlx5_device *c = open_function(2, "/dev/node-c");
        mlx5_device *a_again = open_function(0, "/dev/node-a2");
        uint64_t ino_a, ino_b, ino_info_b;
        mlx5_tree_file *info_b;
        struct stat st;
        double valid_s;
        g_autofree char *text = NULL;

        g_assert_cmpint(mlx5_tree_add_device(tree, open_function(0, "/dev/node-a"), "/nonexistent"), ==, 0);
        g_assert_cmpint(mlx5_tree_add_device(tree, open_function(1, "/dev/node-b"), "/nonexistent"), ==, 0);
        g_test_expect_message(G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "*all 2 device slots*");
        g_assert_cmpint(mlx5_tree_add_device(tree, c, "/nonexistent"), ==, -ENOSPC);
        g_test_assert_expected_messages();
        ino_a = lookup(tree, ROOT_INO, "0000:08:00.0", 0);
        ino_b = lookup(tree, ROOT_INO, "0000:08:00.1", 0);

        /* A removed device's slot goes to the next one added. */
        g_assert_cmpint(mlx5_tree_remove_device(tree, "0000:08:00.0"), ==, 0);
        g_assert_cmpint(mlx5_tree_remove_device(tree, "0000:08:00.0"), ==, -ENOENT);
        lookup(tree, ROOT_INO, "0000:08:00.0", -ENOENT);
        g_assert_cmpint(mlx5_tree_add_device(tree, c, "/nonexistent"), ==, 0);
        g_assert_cmpuint(lookup(tree, ROOT_INO, "0000:08:00.2", 0), ==, ino_a);

        /* Not while a file of the removed device is open: its inode numbers are still in use. */
        info_b = open_info(tree, "0000:08:00.1");
        ino_info_b = info_b->ino;
        g_assert_cmpint(mlx5_tree_remove_device(tree, "0000:08:00.1"), ==, 0);
        g_test_expect_message(G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "*all 2 device slots*");
        g_assert_cmpint(mlx5_tree_add_device(tree, a_again, "/nonexistent"), ==, -ENOSPC);
        g_test_assert_expected_messages();
        text = read_file(tree, info_b, -ENODEV);
        g_assert_cmpint(mlx5_tree_file_stat(tree, info_b, &st, &valid_s), ==, -ENODEV);
        g_assert_cmpint(mlx5_tree_getattr(tree, ino_info_b, &st, &valid_s), ==, -ENODEV);
        mlx5_tree_file_free(tree, info_b);
        g_assert_cmpint(mlx5_tree_getattr(tree, ino_info_b, &st, &valid_s), ==, -ENOENT);

        g_assert_cmpint(mlx5_tree_add_device(tree, a_again, "/nonexistent"), ==, 0);
        g_assert_cmpuint(lookup(tree, ROOT_INO, "0000:08:00.0", 0), ==, ino_b);
        mlx5_tree_free(tree);
}

static void test_replace_keeps_directory(void)
{
        mlx5_tree *tree = tree_with_slots(0);
        mlx5_device *other_function = open_function(1, "/dev/fwctl/fwctl1");
        struct mlx5_transport_identity id;
        mlx5_tree_file *before, *during, *after;
        uint64_t dir;
        g_autofree char *text_before = NULL, *text_during = NULL, *text_after = NULL, *text_again = NULL;

        g_assert_cmpint(mlx5_tree_add_device(tree, open_function(0, "/dev/mlx5ctl-0"), "/nonexistent"), ==, 0);
        dir = lookup(tree, ROOT_INO, "0000:08:00.0", 0);
        before = open_info(tree, "0000:08:00.0");
        text_before = read_file(tree, before, 0);
        g_assert_nonnull(strstr(text_before, "device_node: /dev/mlx5ctl-0\n"));

        g_assert_cmpint(mlx5_tree_replace_device(tree, open_function(0, "/dev/fwctl/fwctl0"), "/nonexistent"), ==,
                        0);
        g_assert_true(mlx5_tree_find_device(tree, "/dev/fwctl/fwctl0", NULL, &id));
        g_assert_cmpstr(id.pci_name, ==, "0000:08:00.0");
        g_assert_false(mlx5_tree_find_device(tree, "/dev/mlx5ctl-0", NULL, NULL));
        g_assert_cmpuint(lookup(tree, ROOT_INO, "0000:08:00.0", 0), ==, dir);

        /* The open file keeps reading what it pinned, and so does a second open of it. */
        text_again = read_file(tree, before, 0);
        g_assert_cmpstr(text_again, ==, text_before);
        during = open_info(tree, "0000:08:00.0");
        text_during = read_file(tree, during, 0);
        g_assert_cmpstr(text_during, ==, text_before);
        mlx5_tree_file_free(tree, during);
        mlx5_tree_file_free(tree, before);

        /* Then the new way in shows, though the old info would still be fresh (ttl 60 s). */
        after = open_info(tree, "0000:08:00.0");
        text_after = read_file(tree, after, 0);
        g_assert_nonnull(strstr(text_after, "device_node: /dev/fwctl/fwctl0\n"));
        mlx5_tree_file_free(tree, after);

        /* Only a function already shown can be taken over. */
        g_assert_cmpint(mlx5_tree_replace_device(tree, other_function, "/nonexistent"), ==, -ENOENT);
        mlx5_device_free(other_function);
        mlx5_tree_free(tree);
}

static void record_inval(uint64_t ino, void *data)
{
        g_array_append_val((GArray *) data, ino);
}

/* What the kernel is told to forget: inodes, and names as "<parent inode>/<name>". */
struct forgotten {
        GArray *inos;
        GPtrArray *names;
};

static void record_forgotten_inode(uint64_t ino, void *data)
{
        record_inval(ino, ((struct forgotten *) data)->inos);
}

static void record_forgotten_name(uint64_t parent, const char *name, void *data)
{
        g_ptr_array_add(((struct forgotten *) data)->names,
                        g_strdup_printf("%" G_GINT64_MODIFIER "x/%s", (guint64) parent, name));
}

static bool forgotten_has(GPtrArray *names, uint64_t parent, const char *name)
{
        g_autofree char *want = g_strdup_printf("%" G_GINT64_MODIFIER "x/%s", (guint64) parent, name);

        return g_ptr_array_find_with_equal_func(names, want, g_str_equal, NULL);
}

static bool inval_has(GArray *inos, uint64_t ino)
{
        for (guint i = 0; i < inos->len; i++)
                if (g_array_index(inos, uint64_t, i) == ino)
                        return true;
        return false;
}

/*
 * What lookup lets the kernel keep is what an open gets while the lease
 * lasts; when the device is replaced meanwhile (its cache dropped), the
 * kernel is told to forget what it cached of the file, and the open shows
 * the device as it is.
 */
static void test_leases(void)
{
        mlx5_tree *tree = tree_with_slots(0);
        g_autoptr(GArray) invalidated = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        g_autofree char *leased = NULL, *later = NULL;
        mlx5_tree_file *file = NULL;
        struct stat st;
        double valid_s = -1;
        uint64_t dir, info;
        off_t size;

        mlx5_tree_set_inval_handler(tree, record_inval, NULL, invalidated);
        g_assert_cmpint(mlx5_tree_add_device(tree, open_function(0, "/dev/node-a"), "/nonexistent"), ==, 0);
        g_assert_cmpint(mlx5_tree_lookup(tree, ROOT_INO, "0000:08:00.0", &st, &valid_s), ==, 0);
        /* A device's directories: longer than the TTL, as long as the device (its removal invalidates them). */
        g_assert_cmpfloat(valid_s, >, 60.0);
        dir = st.st_ino;
        g_assert_cmpint(mlx5_tree_lookup(tree, dir, "info", &st, &valid_s), ==, 0);
        g_assert_cmpfloat(valid_s, >, 0.0);
        g_assert_cmpfloat(valid_s, <=, 0.1);
        info = st.st_ino;
        size = st.st_size;

        g_assert_cmpint(mlx5_tree_open(tree, info, &file), ==, 0);
        g_assert_true(file->keep_cache);  /* the snapshot the lookup described */
        leased = read_file(tree, file, 0);
        g_assert_cmpint((off_t) strlen(leased), ==, size);
        g_assert_nonnull(strstr(leased, "device_node: /dev/node-a\n"));
        mlx5_tree_file_free(tree, file);

        g_assert_false(inval_has(invalidated, info));
        g_assert_cmpint(mlx5_tree_replace_device(tree, open_function(0, "/dev/node-longer-name"), "/nonexistent"),
                        ==, 0);
        g_assert_true(inval_has(invalidated, info));
        g_assert_cmpint(mlx5_tree_open(tree, info, &file), ==, 0);
        g_assert_false(file->keep_cache);
        later = read_file(tree, file, 0);
        g_assert_nonnull(strstr(later, "device_node: /dev/node-longer-name\n"));
        mlx5_tree_file_free(tree, file);

        g_assert_cmpint(mlx5_tree_lookup(tree, ROOT_INO, ".stats", &st, &valid_s), ==, 0);
        g_assert_cmpfloat(valid_s, ==, 0.0);      /* live */
        mlx5_tree_free(tree);
}

/*
 * The kernel caches link targets (FUSE_CAP_CACHE_SYMLINKS): an alias's
 * target is its device slot's, so the device's removal has the kernel
 * forget its by-name links (another device may take the slot later).
 */
static void test_removal_forgets_aliases(void)
{
        mlx5_tree *tree = tree_with_slots(0);
        g_autoptr(GArray) invalidated = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        g_autofree char *sysfs = g_dir_make_tmp("test-tree-sysfs-XXXXXX", NULL);
        g_autofree char *ib = g_build_filename(sysfs, "bus", "pci", "devices", "0000:08:00.0", "infiniband", "mlx5_0",
                                               NULL);
        g_autofree char *target = NULL;
        struct stat st;
        double valid_s;
        uint64_t by_name, alias;

        g_assert_nonnull(sysfs);
        g_assert_cmpint(g_mkdir_with_parents(ib, 0755), ==, 0);
        mlx5_tree_set_inval_handler(tree, record_inval, NULL, invalidated);
        g_assert_cmpint(mlx5_tree_add_device(tree, open_function(0, "/dev/node-a"), sysfs), ==, 0);
        by_name = lookup(tree, ROOT_INO, "by-name", 0);
        g_assert_cmpint(mlx5_tree_lookup(tree, by_name, "mlx5_0", &st, &valid_s), ==, 0);
        alias = st.st_ino;
        g_assert_true(S_ISLNK(st.st_mode));
        g_assert_cmpint(mlx5_tree_readlink(tree, alias, &target), ==, 0);
        g_assert_cmpstr(target, ==, "../0000:08:00.0");
        g_assert_cmpint((off_t) strlen(target), ==, st.st_size);

        g_assert_false(inval_has(invalidated, alias));
        g_assert_cmpint(mlx5_tree_remove_device(tree, "0000:08:00.0"), ==, 0);
        g_assert_true(inval_has(invalidated, alias));
        g_clear_pointer(&target, g_free);
        g_assert_cmpint(mlx5_tree_readlink(tree, alias, &target), ==, -ENOENT);
        mlx5_tree_free(tree);

        g_assert_cmpint(rmdir(ib), ==, 0);
        for (int up = 0; up < 6; up++) {
                char *parent = g_path_get_dirname(ib);

                g_free(ib);
                ib = parent;
                g_assert_cmpint(rmdir(ib), ==, 0);
        }
}

/* A directory read with attributes (readdirplus) gives what lookup and read give. */
static void test_dir_entry_attributes(void)
{
        mlx5_tree *tree = tree_with_slots(0);
        mlx5_tree_dir *dir = NULL;
        mlx5_tree_file *file = NULL;
        g_autofree char *text = NULL;
        const char *name;
        struct stat plain, plus, looked_up;
        double valid_s = -1, lookup_valid_s;
        uint64_t qp_dir;

        g_assert_cmpint(mlx5_tree_add_device(tree, open_function(0, "/dev/node-a"), "/nonexistent"), ==, 0);
        qp_dir = lookup(tree, lookup(tree, ROOT_INO, "0000:08:00.0", 0), "qp", 0);
        g_assert_cmpint(mlx5_tree_opendir(tree, qp_dir, &dir), ==, 0);
        /* Entries 0 and 1 are "." and ".."; 2 is the first QP. */
        g_assert_cmpint(mlx5_tree_dir_entry(dir, &(size_t) { 2 }, true, &name, &plain, NULL), ==, 1);
        g_assert_cmpint(plain.st_size, ==, 0);
        g_assert_cmpint(mlx5_tree_dir_entry(dir, &(size_t) { 2 }, true, &name, &plus, &valid_s), ==, 1);
        g_assert_cmpfloat(valid_s, >, 0.0);
        g_assert_cmpuint(plus.st_ino, ==, plain.st_ino);
        g_assert_true(S_ISREG(plus.st_mode));
        g_assert_cmpint(mlx5_tree_lookup(tree, qp_dir, name, &looked_up, &lookup_valid_s), ==, 0);
        g_assert_cmpint(looked_up.st_size, ==, plus.st_size);
        g_assert_cmpint(mlx5_tree_open(tree, plus.st_ino, &file), ==, 0);
        g_assert_true(file->keep_cache);  /* the listing's snapshot, as the kernel was told */
        text = read_file(tree, file, 0);
        g_assert_cmpint((off_t) strlen(text), ==, plus.st_size);
        mlx5_tree_file_free(tree, file);
        mlx5_tree_dir_free(dir);
        mlx5_tree_free(tree);
}

/*
 * What a listing names keeps its name and attributes as long as the listing's
 * lease, not a single file's: a QP's JSON document (whose references look
 * up other types' listings too), its refs/ directory and the references in it.
 */
static void test_listed_entries_valid(void)
{
        mlx5_tree *tree = tree_with_slots(0);
        mlx5_tree_dir *dir = NULL;
        const char *name;
        struct stat st;
        double valid_s = -1;
        uint64_t dev_dir, json_qp, refs_qp, refs_obj;
        g_autofree char *qp = NULL;
        unsigned links = 0;

        g_assert_cmpint(mlx5_tree_add_device(tree, open_function(0, "/dev/node-a"), "/nonexistent"), ==, 0);
        dev_dir = lookup(tree, ROOT_INO, "0000:08:00.0", 0);
        g_assert_cmpint(mlx5_tree_opendir(tree, lookup(tree, dev_dir, "qp", 0), &dir), ==, 0);
        g_assert_cmpint(mlx5_tree_dir_entry(dir, &(size_t) { 2 }, true, &name, &st, NULL), ==, 1);
        qp = g_strdup(name);
        mlx5_tree_dir_free(dir);

        json_qp = lookup(tree, lookup(tree, dev_dir, "json", 0), "qp", 0);
        g_assert_cmpint(mlx5_tree_lookup(tree, json_qp, qp, &st, &valid_s), ==, 0);
        /* The listing lives the TTL (60 s): far longer than a single file's lease (50 ms). */
        g_assert_cmpfloat(valid_s, >, 1.0);
        g_assert_cmpfloat(valid_s, <=, 60.0);

        refs_qp = lookup(tree, lookup(tree, dev_dir, "refs", 0), "qp", 0);
        g_assert_cmpint(mlx5_tree_lookup(tree, refs_qp, qp, &st, &valid_s), ==, 0);
        g_assert_true(S_ISDIR(st.st_mode));
        /* What is left of the listing's life: not a fixed directory's hour, nor the whole TTL. */
        g_assert_cmpfloat(valid_s, >, 1.0);
        g_assert_cmpfloat(valid_s, <, 60.0);

        /*
         * Its references are there while the listing says so: named in it
         * (listed or looked up), they have its lease too, not the TTL; a
         * GETATTR, which does not say where, gets the TTL.
         */
        refs_obj = st.st_ino;
        g_assert_cmpint(mlx5_tree_opendir(tree, refs_obj, &dir), ==, 0);
        for (size_t k = 2; mlx5_tree_dir_entry(dir, &k, true, &name, &st, &valid_s) == 1; k++) {
                double looked_up_s, getattr_s;

                g_assert_true(S_ISLNK(st.st_mode));
                g_assert_cmpfloat(valid_s, >, 1.0);
                g_assert_cmpfloat(valid_s, <, 60.0);
                g_assert_cmpint(mlx5_tree_lookup(tree, refs_obj, name, &st, &looked_up_s), ==, 0);
                g_assert_cmpfloat(looked_up_s, >, 1.0);
                g_assert_cmpfloat(looked_up_s, <, 60.0);
                g_assert_cmpint(mlx5_tree_getattr(tree, st.st_ino, &st, &getattr_s), ==, 0);
                g_assert_cmpfloat(getattr_s, ==, 60.0);
                links++;
        }
        mlx5_tree_dir_free(dir);
        g_assert_cmpuint(links, >, 0);
        mlx5_tree_free(tree);
}

/* "name: value" of the .stats line whose name ends in suffix, summed over lines; 0 if none. */
static uint64_t stats_sum(mlx5_tree *tree, const char *prefix, const char *suffix)
{
        mlx5_tree_file *file = NULL;
        g_autofree char *text = NULL;
        g_auto(GStrv) lines = NULL;
        uint64_t sum = 0;

        g_assert_cmpint(mlx5_tree_open(tree, lookup(tree, ROOT_INO, ".stats", 0), &file), ==, 0);
        text = read_file(tree, file, 0);
        mlx5_tree_file_free(tree, file);
        lines = g_strsplit(text, "\n", -1);
        for (char **l = lines; *l; l++) {
                char *colon = strstr(*l, ": ");
                g_autofree char *name = colon ? g_strndup(*l, (gsize) (colon - *l)) : NULL;

                if (name && g_str_has_prefix(name, prefix) && g_str_has_suffix(name, suffix))
                        sum += g_ascii_strtoull(colon + 2, NULL, 10);
        }
        return sum;
}

/*
 * Listing every type of a device queries each candidate once: the objects
 * it lists, and the probed or referenced numbers no object holds; nothing
 * else (no resource dump, no second query of an object another listing read).
 */
static void test_listing_cost(void)
{
        mlx5_tree *tree = tree_with_slots(0);
        const char *prefix = "0000:08:00.0.firmware.received.QUERY_";
        uint64_t dev_dir, before, dumps_before, listed = 0, after, misses;

        g_assert_cmpint(mlx5_tree_add_device(tree, open_function(0, "/dev/node-a"), "/nonexistent"), ==, 0);
        dev_dir = lookup(tree, ROOT_INO, "0000:08:00.0", 0);
        before = stats_sum(tree, prefix, "") - stats_sum(tree, prefix, "HCA_CAP") - stats_sum(tree, prefix, "ADAPTER");
        dumps_before = stats_sum(tree, "0000:08:00.0.firmware.received.ACCESS_REG", "");
        for (unsigned i = 0; i < mlx5_schema_n_resources(schema); i++) {
                const mlx5_schema_resource *res = mlx5_schema_resource_at(schema, i);
                mlx5_tree_dir *dir = NULL;
                const char *name;
                struct stat st;
                size_t k = 2;

                if (!res->has_id)
                        continue;
                g_assert_cmpint(mlx5_tree_opendir(tree, lookup(tree, dev_dir, res->name, 0), &dir), ==, 0);
                while (mlx5_tree_dir_entry(dir, &k, true, &name, &st, NULL) == 1) {
                        listed++;
                        k++;
                }
                mlx5_tree_dir_free(dir);
        }
        after = stats_sum(tree, prefix, "") - stats_sum(tree, prefix, "HCA_CAP") - stats_sum(tree, prefix, "ADAPTER");
        misses = stats_sum(tree, "0000:08:00.0.inventory.probe_misses", "") +
                 stats_sum(tree, "0000:08:00.0.inventory.ref_misses", "");
        g_assert_cmpuint(listed, >, 100);
        g_assert_cmpuint(after - before, ==, listed + misses);
        g_assert_cmpuint(stats_sum(tree, "0000:08:00.0.firmware.received.ACCESS_REG", ""), ==, dumps_before);
        g_assert_cmpuint(stats_sum(tree, "0000:08:00.0.errors.firmware", ""), ==, 0);
        mlx5_tree_free(tree);
}

/* The mtime of a file as an open of it shows it (the listing's time, for a listed object). */
static int64_t opened_mtime_us(mlx5_tree *tree, uint64_t ino, bool *ret_keep_cache)
{
        mlx5_tree_file *file = NULL;
        struct stat st;
        double valid_s;

        g_assert_cmpint(mlx5_tree_open(tree, ino, &file), ==, 0);
        g_assert_cmpint(mlx5_tree_file_stat(tree, file, &st, &valid_s), ==, 0);
        if (ret_keep_cache)
                *ret_keep_cache = file->keep_cache;
        mlx5_tree_file_free(tree, file);
        return (int64_t) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
}

static int64_t stat_mtime_us(mlx5_tree *tree, uint64_t ino)
{
        struct stat st;
        double valid_s;

        g_assert_cmpint(mlx5_tree_getattr(tree, ino, &st, &valid_s), ==, 0);
        return (int64_t) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
}

/* Checked only while the views asked for are still in their window (a slow host leaves them out). */
#define CALLER_VIEW_CHECK_US (G_USEC_PER_SEC / 4)

/*
 * A global file is made once for a process and shown to it for a while:
 * its stat and its opens agree (one render, not one per request), another
 * process gets its own, and past TREE_CALLER_VIEWS views the oldest goes,
 * counted in .stats.
 */
static void test_caller_views(void)
{
        mlx5_tree *tree = tree_with_slots(0);
        uint64_t metrics, stats_json;
        int64_t begun, seen, seen_json;
        bool in_window;

        g_assert_cmpint(mlx5_tree_add_device(tree, open_function(0, "/dev/node-a"), "/nonexistent"), ==, 0);
        metrics = lookup(tree, ROOT_INO, "metrics", 0);
        stats_json = lookup(tree, ROOT_INO, ".stats.json", 0);

        begun = g_get_monotonic_time();
        mlx5_tree_set_caller(100);
        seen = stat_mtime_us(tree, metrics);
        seen_json = stat_mtime_us(tree, stats_json);
        in_window = true;
        for (int i = 0; i < 3 && in_window; i++) {
                int64_t opened = opened_mtime_us(tree, metrics, NULL);
                int64_t opened_json = opened_mtime_us(tree, stats_json, NULL);

                in_window = g_get_monotonic_time() - begun < CALLER_VIEW_CHECK_US;
                if (in_window) {
                        g_assert_cmpint(opened, ==, seen);
                        g_assert_cmpint(opened_json, ==, seen_json);
                }
        }
        /* Another process: a picture of its own. */
        mlx5_tree_set_caller(101);
        g_assert_cmpint(stat_mtime_us(tree, metrics), !=, seen);
        /* No caller (not a FUSE request): made anew each time. */
        mlx5_tree_set_caller(0);
        seen = stat_mtime_us(tree, metrics);
        g_assert_cmpint(opened_mtime_us(tree, metrics, NULL), !=, seen);

        /* More processes than views at once: the oldest views go, each counted. */
        g_assert_cmpuint(stats_sum(tree, "limits.caller_views.tripped", ""), ==, 0);
        begun = g_get_monotonic_time();
        for (pid_t pid = 200; pid < 200 + TREE_CALLER_VIEWS; pid++) {
                mlx5_tree_set_caller(pid);
                stat_mtime_us(tree, stats_json);
        }
        in_window = g_get_monotonic_time() - begun < CALLER_VIEW_CHECK_US;
        mlx5_tree_set_caller(0);
        if (in_window)
                g_assert_cmpuint(stats_sum(tree, "limits.caller_views.tripped", ""), >, 0);
        g_assert_cmpuint(stats_sum(tree, "limits.caller_views", "views"), ==, TREE_CALLER_VIEWS);
        mlx5_tree_free(tree);
}

/* Inode numbers of files of several kinds and types with small ids: as many hashes as keys, nearly. */
static void test_ino_hash_spread(void)
{
        g_autoptr(GHashTable) hashes = g_hash_table_new(NULL, NULL);
        g_autoptr(GHashTable) folded = g_hash_table_new(NULL, NULL);
        const unsigned kinds[] = { NODE_OBJECT, NODE_RAW_OBJECT, NODE_OWNER_OBJECT, NODE_JSON_OBJECT };
        unsigned keys = 0;

        for (unsigned k = 0; k < G_N_ELEMENTS(kinds); k++)
                for (uint32_t sub = 0; sub < 16; sub++)
                        for (uint32_t id = 0; id < 1024; id++) {
                                uint64_t ino = node_to_ino(&(struct node) { .kind = kinds[k], .sub = sub, .id = id });

                                g_hash_table_add(hashes, GUINT_TO_POINTER(tree_ino_hash(&ino)));
                                g_hash_table_add(folded, GUINT_TO_POINTER(g_int64_hash(&ino)));
                                keys++;
                        }
        /* g_int64_hash folds sub onto id: id ^ sub repeats across types. */
        g_assert_cmpuint(g_hash_table_size(folded), <, keys / 8);
        g_assert_cmpuint(g_hash_table_size(hashes), >, keys - keys / 1000);
}

/* Object names as printf would write them, at every width. */
static void test_format_id(void)
{
        const uint32_t ids[] = { 0, 1, 0xf, 0x10, 0xabc, 0x12345, 0x7fffffff, 0x80000000, 0xffffffff };

        for (unsigned i = 0; i < G_N_ELEMENTS(ids); i++) {
                g_autofree char *want = g_strdup_printf("0x%x", ids[i]);
                char got[TREE_ID_NAME_MAX];

                g_assert_cmpuint(tree_format_id(got, ids[i]), ==, strlen(want));
                g_assert_cmpstr(got, ==, want);
        }
}

static int object_listed_type(mlx5_tree *tree, const struct mlx5_tree_node *self)
{
        return (int) self->sub;
}

/* Which kind of directory lists each kind of file, known without looking through every kind. */
static void test_listers(void)
{
        mlx5_tree *tree = tree_with_slots(0);
        struct mlx5_tree_kind more = { .name = "more", .parent = MLX5_TREE_KIND_DEVICE, .mode = S_IFDIR | 0555,
                                       .listed_type = object_listed_type, .listed_kind = NODE_OBJECT };

        g_assert_cmpuint(tree->listers[NODE_OBJECT], ==, NODE_TYPE_DIR + 1);
        g_assert_cmpuint(tree->listers[NODE_RAW_OBJECT], ==, NODE_RAW_TYPE_DIR + 1);
        g_assert_cmpuint(tree->listers[NODE_OWNER_OBJECT], ==, NODE_OWNER_TYPE_DIR + 1);
        g_assert_cmpuint(tree->listers[NODE_STATS], ==, 0);
        /* A second lister of the same files: every kind is asked again. */
        g_assert_cmpint(mlx5_tree_add_kind(tree, &more), >, 0);
        g_assert_cmpuint(tree->listers[NODE_OBJECT], ==, TREE_LISTERS_SEVERAL);
        g_assert_cmpuint(tree->listers[NODE_RAW_OBJECT], ==, NODE_RAW_TYPE_DIR + 1);
        mlx5_tree_free(tree);
}

/* The inode of the first object a type directory lists. */
static uint64_t first_listed(mlx5_tree *tree, uint64_t dev_dir, const char *type)
{
        mlx5_tree_dir *dir = NULL;
        const char *name;
        struct stat st;

        g_assert_cmpint(mlx5_tree_opendir(tree, lookup(tree, dev_dir, type, 0), &dir), ==, 0);
        g_assert_cmpint(mlx5_tree_dir_entry(dir, &(size_t) { 2 }, true, &name, &st, NULL), ==, 1);
        mlx5_tree_dir_free(dir);
        return st.st_ino;
}

/*
 * A walk renews the listings of the device it reads: opening a file not
 * opened before (here a CQ's) keeps every listing of the device (the QPs')
 * for a lifetime and the walk's length more, so they outlive their
 * lifetime while the walk moves on; opening the same file again renews
 * nothing, so a polled file moves on once that has passed.
 */
static void test_walk_renews_listing(void)
{
        const int64_t ttl = 2 * G_USEC_PER_SEC;
        mlx5_tree *tree = mlx5_tree_new(schema, &(struct mlx5_tree_options) {
                .ttl_us = ttl, .cache_bytes = 1 << 20, .max_devices = 0,
        });
        int64_t taken, renewed_before;
        bool keep_cache = false;
        uint64_t dev_dir, qp, cq;

        g_assert_cmpint(mlx5_tree_add_device(tree, open_function(0, "/dev/node-a"), "/nonexistent"), ==, 0);
        dev_dir = lookup(tree, ROOT_INO, "0000:08:00.0", 0);
        qp = first_listed(tree, dev_dir, "qp");
        cq = first_listed(tree, dev_dir, "cq");
        /* The device is small: its listings live the TTL. */
        g_assert_cmpuint(stats_sum(tree, "0000:08:00.0.firmware.received.QUERY_", ""), <, ttl / 1000);

        taken = opened_mtime_us(tree, qp, NULL);
        renewed_before = (int64_t) stats_sum(tree, "listings.renewed", "");
        g_usleep((gulong) (ttl * 6 / 10));
        /* A walk moves on to a CQ: the device's listings live 1.6 TTL from now. */
        opened_mtime_us(tree, cq, NULL);
        g_assert_cmpint((int64_t) stats_sum(tree, "listings.renewed", ""), >, renewed_before);
        g_usleep((gulong) (ttl * 6 / 10));
        /* Past the TTL since it was taken, still the walk's picture, and the kernel's pages of it stay. */
        g_assert_cmpint(opened_mtime_us(tree, qp, &keep_cache), ==, taken);
        g_assert_true(keep_cache);
        g_usleep((gulong) (ttl * 11 / 10));
        /*
         * Reading the same file again renewed nothing: a TTL and the walk's length (0.6 TTL) after
         * the walk's last step, a new listing.
         */
        g_assert_cmpint(opened_mtime_us(tree, qp, NULL), >, taken);
        mlx5_tree_free(tree);
}

static void list_whole(mlx5_tree *tree, uint64_t dir_ino, GArray *inos, GArray *sts);

/*
 * A walk into refs/ renews as one through files does: opening a
 * refs/<type>/<id> directory not opened before renews the device's
 * listings (so the leases its references get last as long as the files'
 * before them); opening it again renews nothing.
 */
static void test_walk_renews_in_refs(void)
{
        mlx5_tree *tree = mlx5_tree_new(schema, &(struct mlx5_tree_options) {
                .ttl_us = 2 * G_USEC_PER_SEC, .cache_bytes = 1 << 20, .max_devices = 0,
        });
        g_autoptr(GArray) refs_objs = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        uint64_t dev_dir, refs_obj, renewed;
        mlx5_tree_dir *dir = NULL;

        g_assert_cmpint(mlx5_tree_add_device(tree, open_function(0, "/dev/node-a"), "/nonexistent"), ==, 0);
        dev_dir = lookup(tree, ROOT_INO, "0000:08:00.0", 0);
        /* Read whole, as a walk does before it goes in: a listing still streaming is no one's to renew yet. */
        list_whole(tree, lookup(tree, lookup(tree, dev_dir, "refs", 0), "cq", 0), refs_objs, NULL);
        g_assert_cmpuint(refs_objs->len, >, 0);
        refs_obj = g_array_index(refs_objs, uint64_t, 0);
        /* Later than the listing was taken: a renewal from now lengthens its life. */
        g_usleep(G_USEC_PER_SEC / 50);
        renewed = stats_sum(tree, "listings.renewed", "");
        g_assert_cmpint(mlx5_tree_opendir(tree, refs_obj, &dir), ==, 0);
        mlx5_tree_dir_free(dir);
        g_assert_cmpuint(stats_sum(tree, "listings.renewed", ""), >, renewed);
        /* Past the rate limit (a sixteenth of the lifetime): the same directory again renews nothing. */
        g_usleep(G_USEC_PER_SEC / 4);
        renewed = stats_sum(tree, "listings.renewed", "");
        g_assert_cmpint(mlx5_tree_opendir(tree, refs_obj, &dir), ==, 0);
        mlx5_tree_dir_free(dir);
        g_assert_cmpuint(stats_sum(tree, "listings.renewed", ""), ==, renewed);
        mlx5_tree_free(tree);
}

/*
 * A walk's renewals are rate-limited per listing: opening many files of a
 * listing for the first time, within far less than a lifetime, renews it
 * (and sweeps the device's other listings) once, not once a file.
 */
static void test_walk_renewals_counted(void)
{
        mlx5_tree *tree = tree_with_slots(0);
        mlx5_tree_dir *dir = NULL;
        const char *name;
        struct stat st;
        uint64_t dev_dir, before, types = 0;
        unsigned opened = 0;
        size_t k = 2;

        for (unsigned i = 0; i < mlx5_schema_n_resources(schema); i++)
                types += mlx5_schema_resource_at(schema, i)->has_id;

        g_assert_cmpint(mlx5_tree_add_device(tree, open_function(0, "/dev/node-a"), "/nonexistent"), ==, 0);
        dev_dir = lookup(tree, ROOT_INO, "0000:08:00.0", 0);
        first_listed(tree, dev_dir, "cq");
        g_assert_cmpint(mlx5_tree_opendir(tree, lookup(tree, dev_dir, "qp", 0), &dir), ==, 0);
        before = stats_sum(tree, "listings.renewed", "");
        while (opened < 64 && mlx5_tree_dir_entry(dir, &k, true, &name, &st, NULL) == 1) {
                opened_mtime_us(tree, st.st_ino, NULL);
                opened++;
                k++;
        }
        mlx5_tree_dir_free(dir);
        g_assert_cmpuint(opened, ==, 64);
        g_assert_cmpuint(types + 1, <, opened);
        /*
         * The first new file renewed the QPs' listing and swept the listings cached (at most one a
         * type); the 63 others renewed nothing.
         */
        g_assert_cmpuint(stats_sum(tree, "listings.renewed", "") - before, >=, 1);
        g_assert_cmpuint(stats_sum(tree, "listings.renewed", "") - before, <=, types + 1);
        mlx5_tree_free(tree);
}

/*
 * A per-object dump directory's listing keeps its dumps itself: listing it
 * adds one cache entry (and its type's listing), not one per dump, which
 * the cache would count twice.
 */
static void test_dump_listing_entries(void)
{
        mlx5_tree *tree = tree_with_slots(0);
        mlx5_tree_dir *dir = NULL;
        mlx5_tree_file *summary = NULL;
        g_autoptr(GArray) sizes = g_array_new(FALSE, FALSE, sizeof(off_t));
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        const char *name;
        struct stat st;
        uint64_t dev_dir, seg_dir, entries, dumps, bytes, listed_bytes = 0;
        double valid_s;
        size_t k = 2;

        g_assert_cmpint(mlx5_tree_add_device(tree, open_function(0, "/dev/node-a"), "/nonexistent"), ==, 0);
        dev_dir = lookup(tree, ROOT_INO, "0000:08:00.0", 0);
        /* The QPs' listing whole (summary/qp waits for it), so what the cache holds next is the dumps' listing. */
        g_assert_cmpint(mlx5_tree_open(tree, lookup(tree, lookup(tree, dev_dir, "summary", 0), "qp", 0), &summary),
                        ==, 0);
        mlx5_tree_file_free(tree, summary);
        entries = stats_sum(tree, "cache.entries", "");
        bytes = stats_sum(tree, "cache.bytes", "");
        dumps = stats_sum(tree, "0000:08:00.0.firmware.received.ACCESS_REG", "");
        seg_dir = lookup(tree, lookup(tree, dev_dir, "rscdump", 0), "FULL_QPC", 0);
        g_assert_cmpint(mlx5_tree_opendir(tree, seg_dir, &dir), ==, 0);
        while (mlx5_tree_dir_entry(dir, &k, true, &name, &st, &valid_s) == 1) {
                g_assert_cmpfloat(valid_s, >, 0.0);
                g_ptr_array_add(names, g_strdup(name));
                g_array_append_val(sizes, st.st_size);
                listed_bytes += (uint64_t) st.st_size;
                k++;
        }
        g_assert_cmpuint(k - 2, >, 10);
        g_assert_cmpuint(stats_sum(tree, "0000:08:00.0.firmware.received.ACCESS_REG", "") - dumps, >=, k - 2);
        g_assert_cmpuint(stats_sum(tree, "cache.entries", ""), <=, entries + 1);
        /* The dumps packed in one buffer: the listing costs their bytes and an end per entry, no more. */
        g_assert_cmpuint(stats_sum(tree, "cache.bytes", "") - bytes, <=, listed_bytes + (k - 2) * 16 + 1024);
        dumps = stats_sum(tree, "0000:08:00.0.firmware.received.ACCESS_REG", "");
        /* Each file is its own dump, whole (a segment stream), as long as listed, read from the listing. */
        for (guint i = 0; i < names->len; i++) {
                mlx5_tree_file *file = NULL;
                const char *data = NULL;
                size_t len = 0, offset = 0;
                struct mlx5_rscdump_segment seg;
                GByteArray stream;
                int r;

                g_assert_cmpint(mlx5_tree_open(tree, lookup(tree, seg_dir, names->pdata[i], 0), &file), ==, 0);
                g_assert_cmpint(mlx5_tree_read(tree, file, 0, 1 << 20, &data, &len), ==, 0);
                g_assert_cmpuint(len, ==, (size_t) g_array_index(sizes, off_t, i));
                stream = (GByteArray) { .data = (guint8 *) data, .len = (guint) len };
                while ((r = mlx5_rscdump_next_segment(&stream, &offset, &seg)) > 0)
                        ;
                g_assert_cmpint(r, ==, 0);
                mlx5_tree_file_free(tree, file);
        }
        g_assert_cmpuint(stats_sum(tree, "0000:08:00.0.firmware.received.ACCESS_REG", ""), ==, dumps);
        mlx5_tree_dir_free(dir);
        mlx5_tree_free(tree);
}

/* ---- a stat makes no snapshot ---- */

/*
 * Reads a directory whole with attributes (readdirplus); its listed files'
 * inodes go to inos, and every entry's attributes (each with a lease) to
 * sts, either NULL.
 */
static void list_whole(mlx5_tree *tree, uint64_t dir_ino, GArray *inos, GArray *sts)
{
        mlx5_tree_dir *dir = NULL;
        const char *name;
        struct stat st;
        double valid_s;
        size_t k = 2;

        g_assert_cmpint(mlx5_tree_opendir(tree, dir_ino, &dir), ==, 0);
        while (mlx5_tree_dir_entry(dir, &k, true, &name, &st, &valid_s) == 1) {
                if (inos && name[0] == '0' && name[1] == 'x')
                        g_array_append_val(inos, st.st_ino);
                if (sts) {
                        g_assert_cmpfloat(valid_s, >, 0.0);
                        g_array_append_val(sts, st);
                }
                k++;
        }
        mlx5_tree_dir_free(dir);
}

/* One READDIRPLUS pass over a directory: each entry's attributes, in order. */
static GArray *stat_pass(mlx5_tree *tree, uint64_t dir_ino)
{
        GArray *sts = g_array_new(FALSE, FALSE, sizeof(struct stat));

        list_whole(tree, dir_ino, NULL, sts);
        g_assert_cmpuint(sts->len, >, 10);
        return sts;
}

/* Opens the file st describes: its snapshot's serial, after checking st describes that very snapshot. */
static uint64_t opened_serial(mlx5_tree *tree, const struct stat *st)
{
        mlx5_tree_file *file = NULL;
        struct stat fst;
        double valid_s;
        uint64_t serial;

        g_assert_cmpint(mlx5_tree_open(tree, st->st_ino, &file), ==, 0);
        g_assert_true(file->keep_cache);
        g_assert_cmpint(mlx5_tree_file_stat(tree, file, &fst, &valid_s), ==, 0);
        g_assert_cmpint(fst.st_size, ==, st->st_size);
        g_assert_cmpint(fst.st_mtim.tv_sec, ==, st->st_mtim.tv_sec);
        g_assert_cmpint(fst.st_mtim.tv_nsec, ==, st->st_mtim.tv_nsec);
        serial = file->snap->serial;
        mlx5_tree_file_free(tree, file);
        return serial;
}

/*
 * A READDIRPLUS entry of a listed file (an object's text, raw bytes, owner,
 * dump) is measured from its listing once its text was: no snapshot is
 * made for it (the serials of two opens around a whole pass are one
 * apart), and its size and times are those of the snapshot an open then
 * gets, which the kernel may keep its pages of.
 */
static void test_stat_makes_no_snapshot(void)
{
        mlx5_tree *tree = tree_with_slots(0);
        const char *const dirs[][2] = { { NULL, "qp" }, { "raw", "qp" }, { "owner", "qp" }, { "rscdump", "FULL_QPC" } };
        mlx5_tree_file *summary = NULL;
        uint64_t dev_dir;

        g_assert_cmpint(mlx5_tree_add_device(tree, open_function(0, "/dev/node-a"), "/nonexistent"), ==, 0);
        dev_dir = lookup(tree, ROOT_INO, "0000:08:00.0", 0);
        /* The QPs' listing whole (summary/qp waits for it): a pass still streaming it makes each object's snapshot. */
        g_assert_cmpint(mlx5_tree_open(tree, lookup(tree, lookup(tree, dev_dir, "summary", 0), "qp", 0), &summary),
                        ==, 0);
        mlx5_tree_file_free(tree, summary);
        for (size_t d = 0; d < G_N_ELEMENTS(dirs); d++) {
                uint64_t dir_ino = dirs[d][0] ? lookup(tree, lookup(tree, dev_dir, dirs[d][0], 0), dirs[d][1], 0)
                                              : lookup(tree, dev_dir, dirs[d][1], 0);
                g_autoptr(GArray) streamed = stat_pass(tree, dir_ino);
                g_autoptr(GArray) first = NULL;
                g_autoptr(GArray) again = NULL;
                uint64_t before, after;

                /* The first pass may be served while the listing is fetched: the second measures each text in it. */
                first = stat_pass(tree, dir_ino);
                g_assert_cmpuint(first->len, ==, streamed->len);
                before = opened_serial(tree, &g_array_index(first, struct stat, 0));
                again = stat_pass(tree, dir_ino);
                after = opened_serial(tree, &g_array_index(first, struct stat, 0));
                g_assert_cmpuint(after - before, ==, 1);
                g_assert_cmpuint(again->len, ==, first->len);
                for (guint i = 0; i < again->len; i++) {
                        const struct stat *a = &g_array_index(first, struct stat, i);
                        const struct stat *b = &g_array_index(again, struct stat, i);

                        g_assert_cmpuint(b->st_ino, ==, a->st_ino);
                        g_assert_cmpint(b->st_size, ==, a->st_size);
                        g_assert_cmpint(b->st_mtim.tv_nsec, ==, a->st_mtim.tv_nsec);
                        opened_serial(tree, b);
                }
        }
        mlx5_tree_free(tree);
}

/* ---- listings read while they are fetched ---- */

/* A tree of one simulated function of spec_text (reached through 4 command slots). */
/* tree, with one device simulated as spec_text says. */
static mlx5_tree *with_spec_device(mlx5_tree *tree, const char *spec_text)
{
        g_autoptr(mlx5_sim_spec) own = NULL;
        g_autoptr(GError) error = NULL;
        mlx5_sim_spec *shared = spec;

        own = mlx5_sim_spec_parse(spec_text, schema, &error);
        g_assert_no_error(error);
        spec = own;
        g_assert_cmpint(mlx5_tree_add_device(tree, open_function(0, "/dev/node-a"), "/nonexistent"), ==, 0);
        spec = shared;
        return tree;
}

static mlx5_tree *tree_of_spec_ttl(const char *spec_text, int64_t ttl_us)
{
        return with_spec_device(tree_with(0, ttl_us), spec_text);
}

static mlx5_tree *tree_of_spec(const char *spec_text)
{
        return tree_of_spec_ttl(spec_text, 60 * G_USEC_PER_SEC);
}

static uint64_t qp_queries(mlx5_tree *tree)
{
        return stats_sum(tree, "0000:08:00.0.firmware.received.QUERY_QP", "");
}

static uint64_t qp_misses(mlx5_tree *tree)
{
        return stats_sum(tree, "0000:08:00.0.inventory.probe_misses", "") +
               stats_sum(tree, "0000:08:00.0.inventory.ref_misses", "");
}

/* Every listed name of an open directory from entry 2 on, waiting for each; ret_r: what ended it. */
static GPtrArray *read_listed(mlx5_tree_dir *dir, int *ret_r)
{
        GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
        const char *name;
        struct stat st;
        size_t k = 2;
        int r;

        while ((r = mlx5_tree_dir_entry(dir, &k, true, &name, &st, NULL)) == 1) {
                if (name[0] == '0' && name[1] == 'x')
                        g_ptr_array_add(names, g_strdup(name));
                k++;
        }
        *ret_r = r;
        return names;
}

static void assert_same_names(GPtrArray *a, GPtrArray *b)
{
        g_assert_cmpuint(a->len, ==, b->len);
        for (guint i = 0; i < a->len; i++)
                g_assert_cmpstr(a->pdata[i], ==, b->pdata[i]);
}

/*
 * A directory opens once the candidates are known and shows its first
 * entry after the first chunk of queries, not after all of them; read to
 * the end, it lists what the whole listing does, each candidate asked once.
 * (Slow commands, so the first chunk is long over before the next few
 * commands answer: the bound counts commands, with a few in flight.)
 */
static void test_listing_streamed(void)
{
        mlx5_tree *tree = tree_of_spec("devices=1,qp=400,cq=20,latency_us=20000");
        uint64_t qp_dir = lookup(tree, lookup(tree, ROOT_INO, "0000:08:00.0", 0), "qp", 0);
        uint64_t before = qp_queries(tree), first, all;
        g_autoptr(GPtrArray) streamed = NULL, whole = NULL;
        mlx5_tree_dir *dir = NULL;
        struct stat plus, looked_up;
        const char *name;
        double valid_s = -1;
        size_t k = 2;
        int r;

        g_assert_cmpint(mlx5_tree_opendir(tree, qp_dir, &dir), ==, 0);
        g_assert_cmpint(mlx5_tree_dir_entry(dir, &k, false, &name, &plus, NULL), ==, -EWOULDBLOCK);
        g_assert_cmpint(mlx5_tree_dir_entry(dir, &k, true, &name, &plus, &valid_s), ==, 1);
        first = qp_queries(tree) - before;
        /* The first chunk (128), and at most three rounds of the next one on the 4 slots. */
        g_assert_cmpuint(first, >=, 1);
        g_assert_cmpuint(first, <=, 128 + 3 * 4);
        /* readdirplus: attributes of an entry under way, as lookup and open then give them. */
        g_assert_cmpfloat(valid_s, >, 0.0);
        g_assert_true(S_ISREG(plus.st_mode));
        g_assert_cmpint(plus.st_size, >, 0);
        /* Looked up by name meanwhile: the same object, as that listing has it. */
        g_assert_cmpint(mlx5_tree_lookup(tree, qp_dir, name, &looked_up, &valid_s), ==, 0);
        g_assert_cmpuint(looked_up.st_ino, ==, plus.st_ino);
        g_assert_cmpint(looked_up.st_size, ==, plus.st_size);
        g_assert_cmpint(looked_up.st_mtime, ==, plus.st_mtime);

        streamed = read_listed(dir, &r);
        g_assert_cmpint(r, ==, 0);
        mlx5_tree_dir_free(dir);
        all = qp_queries(tree) - before;
        g_assert_cmpuint(streamed->len, >, 300);
        g_assert_cmpuint(all, ==, streamed->len + qp_misses(tree));

        /* Now the cache's whole listing: the same entries, and no query more. */
        g_assert_cmpint(mlx5_tree_opendir(tree, qp_dir, &dir), ==, 0);
        whole = read_listed(dir, &r);
        g_assert_cmpint(r, ==, 0);
        mlx5_tree_dir_free(dir);
        assert_same_names(streamed, whole);
        g_assert_cmpuint(qp_queries(tree) - before, ==, all);
        mlx5_tree_free(tree);
}

static int compare_names(gconstpointer a, gconstpointer b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Opens a directory: whether the kernel may cache its entries, and in ret_keep whether it keeps them. */
static mlx5_tree_dir *open_dir_cached(mlx5_tree *tree, uint64_t ino, bool *ret_caches, bool *ret_keep)
{
        mlx5_tree_dir *dir = NULL;

        g_assert_cmpint(mlx5_tree_opendir(tree, ino, &dir), ==, 0);
        *ret_caches = mlx5_tree_dir_caches(dir, ret_keep);
        return dir;
}

/* Opens a directory that must have the kernel cache its entries (caches) and keep them (keep), or not. */
static mlx5_tree_dir *open_dir_expect(mlx5_tree *tree, uint64_t ino, bool caches, bool keep)
{
        bool got_caches, got_keep;
        mlx5_tree_dir *dir = open_dir_cached(tree, ino, &got_caches, &got_keep);

        g_assert_cmpint(got_caches, ==, caches);
        g_assert_cmpint(got_keep, ==, keep);
        return dir;
}

/* Opens a directory once its listing is whole (a listing under way does not fill the kernel's cache). */
static mlx5_tree_dir *open_dir_whole(mlx5_tree *tree, uint64_t ino, bool *ret_caches, bool *ret_keep)
{
        for (unsigned tries = 0;; tries++) {
                mlx5_tree_dir *dir = open_dir_cached(tree, ino, ret_caches, ret_keep);
                GPtrArray *names;
                int r;

                if (*ret_caches || tries == 200)
                        return dir;
                /* Still under way: read it (its runner ends the listing meanwhile). */
                names = read_listed(dir, &r);
                g_ptr_array_unref(names);
                mlx5_tree_dir_free(dir);
                g_usleep(10000);
        }
}

/* Reads a directory to its end as the kernel fills its cache, readdirplus from the first entry, and closes it. */
static GPtrArray *read_and_close(mlx5_tree_dir *dir)
{
        GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
        const char *name;
        struct stat st;
        double valid_s;
        size_t k = 0;
        int r;

        while ((r = mlx5_tree_dir_entry(dir, &k, true, &name, &st, &valid_s)) == 1) {
                if (name[0] == '0' && name[1] == 'x')
                        g_ptr_array_add(names, g_strdup(name));
                k++;
        }
        g_assert_cmpint(r, ==, 0);
        mlx5_tree_dir_free(dir);
        return names;
}

/*
 * The kernel keeps a directory's cached entries exactly when an open shows
 * those very entries: the same listing twice keeps them; a listing still
 * under way does not fill them; a replaced device, a new listing or a
 * changed set of fixed children drops them (the kernel is told before the
 * open's reply) and the next open fills anew; while an open of one listing
 * may fill, an open of another reads uncached.
 */
static void test_dir_cache(void)
{
        mlx5_tree *tree = tree_of_spec("devices=1,qp=300,cq=20,latency_us=1000");
        g_autoptr(GArray) invalidated = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        g_autoptr(GPtrArray) streamed = NULL, first = NULL, kept = NULL, replaced = NULL;
        uint64_t pci, qp_dir;
        mlx5_tree_dir *dir, *held, *other;
        bool caches, keep;

        mlx5_tree_set_inval_handler(tree, record_inval, NULL, invalidated);
        pci = lookup(tree, ROOT_INO, "0000:08:00.0", 0);
        qp_dir = lookup(tree, pci, "qp", 0);

        /* A fresh tree: the listing is fetched as it is read, in another order than the whole one's. */
        dir = open_dir_cached(tree, qp_dir, &caches, &keep);
        g_assert_false(caches);
        streamed = read_and_close(dir);

        /* The whole listing: filled (nothing was cached, nothing to drop), then kept. */
        dir = open_dir_whole(tree, qp_dir, &caches, &keep);
        g_assert_true(caches);
        g_assert_false(keep);
        first = read_and_close(dir);
        g_assert_false(inval_has(invalidated, qp_dir));
        g_ptr_array_sort(streamed, compare_names);
        g_ptr_array_sort(first, compare_names);
        assert_same_names(streamed, first);
        held = open_dir_expect(tree, qp_dir, true, true);
        dir = open_dir_expect(tree, qp_dir, true, true);
        kept = read_and_close(dir);
        g_ptr_array_sort(kept, compare_names);
        assert_same_names(first, kept);

        /*
         * Another way to the function: what was cached goes at once.  The
         * open directory still shows its listing and may still fill the
         * kernel's pages: an open meanwhile reads uncached, whatever it shows.
         */
        g_assert_cmpint(mlx5_tree_replace_device(tree, open_function(0, "/dev/node-b"), "/nonexistent"), ==, 0);
        g_assert_true(inval_has(invalidated, qp_dir));
        g_array_set_size(invalidated, 0);
        /* Kept untouched: what the open one fills is its own. */
        other = open_dir_expect(tree, qp_dir, false, true);
        mlx5_tree_dir_free(other);
        mlx5_tree_dir_free(held);

        /* The open one is gone: the next whole listing drops what it may have filled, then fills. */
        dir = open_dir_whole(tree, qp_dir, &caches, &keep);
        g_assert_true(caches);
        g_assert_false(keep);
        g_assert_true(inval_has(invalidated, qp_dir));
        replaced = read_and_close(dir);
        g_assert_cmpuint(replaced->len, >, 0);
        dir = open_dir_cached(tree, qp_dir, &caches, &keep);
        g_assert_true(keep);
        mlx5_tree_dir_free(dir);

        /*
         * Fixed children: the root lists devices; one more is another set of
         * entries.  Its statistics files are leased to no open: an open of
         * the same entries renews them (uncached), it does not keep.
         */
        g_ptr_array_unref(read_and_close(open_dir_cached(tree, ROOT_INO, &caches, &keep)));
        g_assert_true(caches);
        dir = open_dir_expect(tree, ROOT_INO, false, true);
        mlx5_tree_dir_free(dir);
        g_array_set_size(invalidated, 0);
        g_assert_cmpint(mlx5_tree_add_device(tree, open_function(1, "/dev/node-c"), "/nonexistent"), ==, 0);
        dir = open_dir_expect(tree, ROOT_INO, true, false);
        g_assert_true(inval_has(invalidated, ROOT_INO));
        mlx5_tree_dir_free(dir);
        g_assert_cmpuint(stats_sum(tree, "dirs.opens_kept", ""), ==, 3);
        g_assert_cmpuint(stats_sum(tree, "dirs.opens_renewing", ""), ==, 1);
        g_assert_cmpuint(stats_sum(tree, "dirs.pages_dropped", ""), ==, 2);
        mlx5_tree_free(tree);
}

/*
 * The kernel keeps a directory's entries but not their leases: once those
 * a whole readdirplus pass gave have ended, an open of the same entries
 * reads uncached (one READDIRPLUS instead of a LOOKUP per name), and its
 * whole pass lets the next opens keep the kernel's entries again.
 */
static void test_dir_cache_renew(void)
{
        const int64_t ttl_us = G_USEC_PER_SEC / 2;
        mlx5_tree *tree = tree_of_spec_ttl("devices=1,qp=20,cq=4,latency_us=0", ttl_us);
        g_autoptr(GPtrArray) ids = NULL;
        uint64_t refs_qp, dir_ino, renewing;
        bool caches, keep;

        refs_qp = lookup(tree, lookup(tree, lookup(tree, ROOT_INO, "0000:08:00.0", 0), "refs", 0), "qp", 0);
        ids = read_and_close(open_dir_whole(tree, refs_qp, &caches, &keep));
        g_assert_cmpuint(ids->len, >, 0);
        dir_ino = lookup(tree, refs_qp, ids->pdata[0], 0);

        /* Filled by a whole pass: kept while the leases it gave (the TTL, for references) last. */
        g_ptr_array_unref(read_and_close(open_dir_expect(tree, dir_ino, true, false)));
        mlx5_tree_dir_free(open_dir_expect(tree, dir_ino, true, true));

        /* Past them: read uncached, and what the kernel cached stays (the same entries). */
        g_usleep((gulong) (ttl_us + ttl_us / 5));
        renewing = stats_sum(tree, "dirs.opens_renewing", "");
        /* A pass that stops short renews nothing. */
        mlx5_tree_dir_free(open_dir_expect(tree, dir_ino, false, true));
        g_assert_cmpuint(stats_sum(tree, "dirs.opens_renewing", ""), ==, renewing + 1);
        g_ptr_array_unref(read_and_close(open_dir_expect(tree, dir_ino, false, true)));
        mlx5_tree_dir_free(open_dir_expect(tree, dir_ino, true, true));
        g_assert_cmpuint(stats_sum(tree, "dirs.pages_dropped", ""), ==, 0);
        mlx5_tree_free(tree);
}

/*
 * A walk of more directories than the daemon keeps records of: the
 * records stay at their cap, and none a walk used moments ago is evicted
 * (no kernel notification per directory); the rest read uncached.
 */
static void test_dir_cache_cap(void)
{
        /* The daemon's default cache: a listing of 17k QPs takes 3.4 MB. */
        mlx5_tree *tree = with_spec_device(mlx5_tree_new(schema, &(struct mlx5_tree_options) {
                                                   .ttl_us = 60 * G_USEC_PER_SEC,
                                                   .cache_bytes = 64 << 20,
                                           }),
                                           "devices=1,qp=17000,cq=3400,latency_us=0");
        g_autoptr(GArray) invalidated = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        g_autoptr(GArray) dirs = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        uint64_t refs, first_ino, uncached;
        mlx5_tree_dir *dir;
        bool caches, keep;
        unsigned cap, had;

        mlx5_tree_set_inval_handler(tree, record_inval, NULL, invalidated);
        refs = lookup(tree, lookup(tree, ROOT_INO, "0000:08:00.0", 0), "refs", 0);
        for (const char *const *type = (const char *const[]) { "qp", "cq", NULL }; *type; type++) {
                uint64_t type_dir = lookup(tree, refs, *type, 0);
                g_autoptr(GPtrArray) ids = read_and_close(open_dir_whole(tree, type_dir, &caches, &keep));

                for (guint i = 0; i < ids->len; i++) {
                        uint64_t ino = lookup(tree, type_dir, ids->pdata[i], 0);

                        g_array_append_val(dirs, ino);
                }
        }
        cap = (unsigned) stats_sum(tree, "limits.dir_cache_records", "");
        had = (unsigned) stats_sum(tree, "dirs.cache_records", "");
        uncached = stats_sum(tree, "dirs.opens_uncached", "");
        g_assert_cmpuint(dirs->len + had, >, cap);
        for (guint i = 0; i < dirs->len; i++)
                g_ptr_array_unref(read_and_close(open_dir_cached(tree, g_array_index(dirs, uint64_t, i), &caches,
                                                                 &keep)));
        g_assert_cmpuint(stats_sum(tree, "dirs.cache_records", ""), ==, cap);
        g_assert_cmpuint(stats_sum(tree, "limits.dir_cache_records.tripped", ""), ==, dirs->len + had - cap);
        g_assert_cmpuint(stats_sum(tree, "dirs.opens_uncached", "") - uncached, ==, dirs->len + had - cap);
        g_assert_cmpuint(invalidated->len, ==, 0);
        /* The first walked keeps its record, and the kernel its entries. */
        first_ino = g_array_index(dirs, uint64_t, 0);
        dir = open_dir_expect(tree, first_ino, true, true);
        mlx5_tree_dir_free(dir);
        mlx5_tree_free(tree);
}

/*
 * A directory whose candidates take several reads of a netlink dump opens
 * with a preview: its first chunk of candidates, asked while the rest
 * arrive.  Read to the end, it lists every object once, the same ones the
 * whole listing has, each asked once (the listing takes the preview's
 * answers); names of the preview and past it are looked up meanwhile.
 */
static void test_listing_preview(void)
{
        mlx5_tree *tree = tree_of_spec("devices=1,qp=20,cq=4,mkey=3000,verbs.mkey=99,latency_us=2000");
        uint64_t mkey_dir = lookup(tree, lookup(tree, ROOT_INO, "0000:08:00.0", 0), "mkey", 0);
        const char *queries = "0000:08:00.0.firmware.received.QUERY_MKEY";
        uint64_t before = stats_sum(tree, queries, ""), all;
        g_autoptr(GPtrArray) streamed = NULL, whole = NULL;
        g_autofree char *first_name = NULL;
        mlx5_tree_dir *dir = NULL;
        struct stat plus, looked_up;
        const char *name;
        double valid_s = -1;
        size_t k = 2;
        int r;

        g_assert_cmpint(mlx5_tree_opendir(tree, mkey_dir, &dir), ==, 0);
        g_assert_cmpint(mlx5_tree_dir_entry(dir, &k, true, &name, &plus, &valid_s), ==, 1);
        first_name = g_strdup(name);
        g_assert_cmpuint(stats_sum(tree, "listings.previewed", ""), ==, 1);
        /* The preview's: asked with it, at most one chunk. */
        g_assert_cmpuint(stats_sum(tree, queries, "") - before, >=, 1);
        g_assert_cmpint(mlx5_tree_lookup(tree, mkey_dir, first_name, &looked_up, &valid_s), ==, 0);
        g_assert_cmpuint(looked_up.st_ino, ==, plus.st_ino);
        g_assert_cmpint(looked_up.st_size, ==, plus.st_size);
        g_assert_cmpint(looked_up.st_mtime, ==, plus.st_mtime);
        /* A name past the preview (128 entries), while the rest is under way: its candidate's answer. */
        k = 2 + 200;
        g_assert_cmpint(mlx5_tree_dir_entry(dir, &k, true, &name, &plus, &valid_s), ==, 1);
        g_assert_cmpint(mlx5_tree_lookup(tree, mkey_dir, name, &looked_up, &valid_s), ==, 0);
        g_assert_cmpuint(looked_up.st_ino, ==, plus.st_ino);

        streamed = read_listed(dir, &r);
        g_assert_cmpint(r, ==, 0);
        mlx5_tree_dir_free(dir);
        all = stats_sum(tree, queries, "") - before;
        g_assert_cmpuint(streamed->len, >, 2900);
        g_assert_cmpuint(all, ==, streamed->len);

        g_assert_cmpint(mlx5_tree_opendir(tree, mkey_dir, &dir), ==, 0);
        whole = read_listed(dir, &r);
        g_assert_cmpint(r, ==, 0);
        mlx5_tree_dir_free(dir);
        g_assert_cmpstr(whole->pdata[0], !=, NULL);
        g_ptr_array_sort(streamed, compare_names);
        g_ptr_array_sort(whole, compare_names);
        assert_same_names(streamed, whole);
        for (guint i = 1; i < streamed->len; i++)
                g_assert_cmpstr(streamed->pdata[i - 1], !=, streamed->pdata[i]);
        g_assert_cmpuint(stats_sum(tree, queries, "") - before, ==, all);
        g_assert_cmpuint(stats_sum(tree, "listings.previewed", ""), ==, 1);
        /* No such object (not listed; the name alone asks firmware once, as with any listing). */
        g_assert_cmpint(mlx5_tree_lookup(tree, mkey_dir, "0xffffff", &looked_up, &valid_s), ==, -ENOENT);
        mlx5_tree_free(tree);
}

struct reader {
        mlx5_tree_dir *dir;
        GPtrArray *names;
        int r;
};

static gpointer read_in_thread(gpointer data)
{
        struct reader *rd = data;

        rd->names = read_listed(rd->dir, &rd->r);
        return NULL;
}

/*
 * Two readers of a listing under way share it: the same entries, each
 * object asked once.  A reader interrupted gets EINTR and leaves the
 * listing to the others.
 */
static void test_listing_stream_shared(void)
{
        mlx5_tree *tree = tree_of_spec("devices=1,qp=2000,cq=20,latency_us=2000");
        uint64_t qp_dir = lookup(tree, lookup(tree, ROOT_INO, "0000:08:00.0", 0), "qp", 0);
        uint64_t before = qp_queries(tree);
        struct reader a = { 0 }, b = { 0 };
        g_autoptr(mlx5_cancel) cancel = mlx5_cancel_new();
        mlx5_tree_dir *interrupted = NULL;
        GThread *ta, *tb;
        const char *name;
        struct stat st;
        size_t k = 2 + 1500;

        g_assert_cmpint(mlx5_tree_opendir(tree, qp_dir, &a.dir), ==, 0);
        g_assert_cmpint(mlx5_tree_opendir(tree, qp_dir, &interrupted), ==, 0);
        mlx5_cancel_set_current(cancel);
        mlx5_cancel_fire(cancel);
        g_assert_cmpint(mlx5_tree_dir_entry(interrupted, &k, true, &name, &st, NULL), ==, -EINTR);
        mlx5_cancel_set_current(NULL);
        mlx5_tree_dir_free(interrupted);
        g_assert_cmpint(mlx5_tree_opendir(tree, qp_dir, &b.dir), ==, 0);
        ta = g_thread_new("reader-a", read_in_thread, &a);
        tb = g_thread_new("reader-b", read_in_thread, &b);
        g_thread_join(ta);
        g_thread_join(tb);
        g_assert_cmpint(a.r, ==, 0);
        g_assert_cmpint(b.r, ==, 0);
        g_assert_cmpuint(a.names->len, >, 1500);
        assert_same_names(a.names, b.names);
        g_assert_cmpuint(qp_queries(tree) - before, ==, a.names->len + qp_misses(tree));
        g_ptr_array_unref(a.names);
        g_ptr_array_unref(b.names);
        mlx5_tree_dir_free(a.dir);
        mlx5_tree_dir_free(b.dir);
        mlx5_tree_free(tree);
}

/* The function goes away while its listing is under way: its readers get ENODEV. */
static void test_listing_stream_unplugged(void)
{
        mlx5_tree *tree = tree_of_spec("devices=1,qp=40000,cq=20,latency_us=200,unplug=0@1500");
        uint64_t qp_dir = lookup(tree, lookup(tree, ROOT_INO, "0000:08:00.0", 0), "qp", 0);
        struct reader a = { 0 };
        GThread *ta;

        g_assert_cmpint(mlx5_tree_opendir(tree, qp_dir, &a.dir), ==, 0);
        ta = g_thread_new("reader-a", read_in_thread, &a);
        g_thread_join(ta);
        g_test_message("%u entries before ENODEV", a.names->len);
        g_assert_cmpint(a.r, ==, -ENODEV);
        g_assert_cmpuint(a.names->len, <, 40000);
        g_ptr_array_unref(a.names);
        mlx5_tree_dir_free(a.dir);
        mlx5_tree_free(tree);
}

/* ---- the node-kind table: new kinds need no change to tree.c ---- */

static int hello_content(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap)
{
        char *text = g_strdup_printf("hello from slot %u\n", n->dev);

        *ret_snap = mlx5_snapshot_new(NULL, g_bytes_new_take(text, strlen(text)));
        return 0;
}

static unsigned greeting_kind;

static int greetings_children(mlx5_tree *tree, const struct mlx5_tree_node *self, mlx5_tree_entries *entries)
{
        for (uint32_t i = 0; i < 3; i++) {
                g_autofree char *name = g_strdup_printf("greeting%u", i);

                mlx5_tree_entries_add(entries, name, (struct mlx5_tree_node) {
                        .kind = greeting_kind, .dev = self->dev, .id = i });
        }
        return 0;
}

static char *greeting_link(mlx5_tree *tree, const struct mlx5_tree_node *n)
{
        return n->id == 1 ? g_strdup("../hello") : g_strdup_printf("../nowhere%u", n->id);
}

static void test_new_kinds(void)
{
        mlx5_tree *tree = tree_with_slots(0);
        struct mlx5_tree_kind hello = { .name = "hello", .parent = MLX5_TREE_KIND_DEVICE, .mode = S_IFREG | 0444,
                                        .content = hello_content };
        struct mlx5_tree_kind greetings = { .name = "greetings", .parent = MLX5_TREE_KIND_DEVICE,
                                            .mode = S_IFDIR | 0555, .children = greetings_children };
        struct mlx5_tree_kind greeting = { .mode = S_IFLNK | 0777, .link = greeting_link };
        mlx5_tree_file *file = NULL;
        mlx5_tree_dir *dir = NULL;
        g_autofree char *text = NULL, *target = NULL;
        const char *name;
        struct stat st;
        uint64_t dev_dir, greetings_dir, link;
        bool listed = false;
        int kind;

        kind = mlx5_tree_add_kind(tree, &hello);
        g_assert_cmpint(kind, >, MLX5_TREE_KIND_DEVICE);
        greetings.parent = MLX5_TREE_KIND_DEVICE;
        kind = mlx5_tree_add_kind(tree, &greetings);
        g_assert_cmpint(kind, >, 0);
        greeting.parent = (unsigned) kind;
        kind = mlx5_tree_add_kind(tree, &greeting);
        g_assert_cmpint(kind, >, 0);
        greeting_kind = (unsigned) kind;
        g_assert_cmpint(mlx5_tree_add_device(tree, open_function(0, "/dev/node-a"), "/nonexistent"), ==, 0);
        dev_dir = lookup(tree, ROOT_INO, "0000:08:00.0", 0);

        /* The file: listed with the device's other entries, with its exact size, read as produced. */
        g_assert_cmpint(mlx5_tree_opendir(tree, dev_dir, &dir), ==, 0);
        for (size_t i = 2; mlx5_tree_dir_entry(dir, &i, true, &name, &st, NULL) == 1; i++)
                listed |= strcmp(name, "hello") == 0 && S_ISREG(st.st_mode);
        mlx5_tree_dir_free(dir);
        g_assert_true(listed);
        g_assert_cmpint(mlx5_tree_open(tree, lookup(tree, dev_dir, "hello", 0), &file), ==, 0);
        text = read_file(tree, file, 0);
        g_assert_cmpstr(text, ==, "hello from slot 0\n");
        g_assert_cmpint(mlx5_tree_file_stat(tree, file, &st, &(double) { 0 }), ==, 0);
        g_assert_cmpint(st.st_size, ==, strlen(text));
        mlx5_tree_file_free(tree, file);

        /* The directory and its links: enumerated children, targets from the node alone. */
        greetings_dir = lookup(tree, dev_dir, "greetings", 0);
        lookup(tree, greetings_dir, "greeting3", -ENOENT);
        link = lookup(tree, greetings_dir, "greeting1", 0);
        g_assert_cmpint(mlx5_tree_getattr(tree, link, &st, &(double) { 0 }), ==, 0);
        g_assert_true(S_ISLNK(st.st_mode));
        g_assert_cmpint(st.st_size, ==, strlen("../hello"));
        g_assert_cmpint(mlx5_tree_readlink(tree, link, &target), ==, 0);
        g_assert_cmpstr(target, ==, "../hello");
        g_assert_cmpint(mlx5_tree_open(tree, link, &file), ==, -EINVAL);
        g_assert_cmpint(mlx5_tree_opendir(tree, link, &dir), ==, -ENOTDIR);

        /* Gone with its device, like every other node of it. */
        g_assert_cmpint(mlx5_tree_remove_device(tree, "0000:08:00.0"), ==, 0);
        g_assert_cmpint(mlx5_tree_getattr(tree, link, &st, &(double) { 0 }), ==, -ENOENT);
        mlx5_tree_free(tree);
}

/* What a resource dump asks for, per menu record: never what the record does not allow. */
static void test_dump_requests(void)
{
        mlx5_device *dev = open_function(0, "/dev/node-a");
        struct mlx5_rscdump_request req;
        struct mlx5_menu_record prm_query_qp = { .segment_type = 0x4000, .support_index1 = true, .must_index1 = true };
        struct mlx5_menu_record snd_buff = { .segment_type = 0x1001, .support_index1 = true, .must_index1 = true,
                                             .support_index2 = true, .support_num2 = true, .num2_all = true };
        struct mlx5_menu_record rdb = { .segment_type = 0x5, .support_index1 = true, .must_index1 = true,
                                        .support_index2 = true, .must_index2 = true };
        struct mlx5_menu_record sx_slice_all = { .segment_type = 0x3001 };
        struct mlx5_menu_record icmc_info = { .segment_type = 0x2020, .support_index1 = true, .support_num1 = true,
                                              .must_num1 = true };
        struct mlx5_menu_record schedq_info = { .segment_type = 0x1040, .support_index1 = true, .support_num1 = true,
                                                .num1_active = true };
        struct mlx5_menu_record ste_range = { .segment_type = 0x1310, .support_index1 = true, .must_index1 = true,
                                              .support_num1 = true, .support_num2 = true };

        g_assert_cmpint(mlx5_device_dump_request(dev, &prm_query_qp, true, 0x103, &req), ==, 0);
        g_assert_cmpuint(req.segment_type, ==, 0x4000);
        g_assert_cmpuint(req.index1, ==, 0x103);
        g_assert_cmpuint(req.num_of_obj1, ==, 1);    /* allowed even unsupported; what the kernel sends */
        g_assert_cmpuint(req.index2, ==, 0);
        g_assert_cmpuint(req.num_of_obj2, ==, 0);
        g_assert_cmpint(mlx5_device_dump_request(dev, &prm_query_qp, false, 0, &req), ==, -EINVAL);

        g_assert_cmpint(mlx5_device_dump_request(dev, &snd_buff, true, 0x103, &req), ==, 0);
        g_assert_cmpuint(req.index2, ==, 0);
        g_assert_cmpuint(req.num_of_obj2, ==, 0);    /* its first entry: "all" is offered, not asked */
        g_assert_cmpint(mlx5_device_dump_request(dev, &rdb, true, 0x103, &req), ==, 0);
        g_assert_cmpuint(req.index2, ==, 0);
        g_assert_cmpuint(req.num_of_obj2, ==, 0);
        g_assert_cmpint(mlx5_device_dump_request(dev, &ste_range, true, 7, &req), ==, 0);
        g_assert_cmpuint(req.num_of_obj1, ==, 1);
        g_assert_cmpuint(req.num_of_obj2, ==, 0);

        g_assert_cmpint(mlx5_device_dump_request(dev, &sx_slice_all, false, 0, &req), ==, 0);
        g_assert_cmpuint(req.index1, ==, 0);
        g_assert_cmpuint(req.num_of_obj1, ==, 0);
        g_assert_cmpuint(req.num_of_obj2, ==, 0);
        g_assert_cmpint(mlx5_device_dump_request(dev, &sx_slice_all, true, 1, &req), ==, -EINVAL);
        g_assert_cmpint(mlx5_device_dump_request(dev, &icmc_info, false, 0, &req), ==, 0);
        g_assert_cmpuint(req.num_of_obj1, ==, 1);    /* must_have, and neither all nor active offered */
        g_assert_cmpint(mlx5_device_dump_request(dev, &schedq_info, false, 0, &req), ==, 0);
        g_assert_cmpuint(req.num_of_obj1, ==, MLX5_RSCDUMP_ACTIVE);
        mlx5_device_free(dev);
}

/* Lines of different lengths; after "shift", line 5 renders one byte longer than it was measured. */
struct test_lines {
        struct tree_lines lines;
        bool shift;
        bool *freed;
};

static int test_line(struct tree_lines *tl, guint i, GString *out)
{
        struct test_lines *t = (struct test_lines *) tl;

        g_string_append_printf(out, "line %u:%*s\n", i, (int) (i * 7 % 23), "");
        if (t->shift && i == 5)
                g_string_append_c(out, '+');
        return 0;
}

static void test_lines_clear(struct tree_lines *tl)
{
        *((struct test_lines *) tl)->freed = true;
        g_free(tl);
}

static struct test_lines *test_lines_new(guint n, bool *freed)
{
        struct test_lines *t = g_new0(struct test_lines, 1);

        t->lines = (struct tree_lines) { .line = test_line, .clear = test_lines_clear, .view = "test", .n = n };
        t->freed = freed;
        return t;
}

/* A view rendered in slices: its length exact, any range the bytes of the whole, a changed line an error. */
static void test_view_lines(void)
{
        g_autoptr(GString) whole = g_string_new(NULL);
        g_autoptr(GString) got = g_string_new(NULL);
        mlx5_snapshot *like = mlx5_snapshot_new(NULL, NULL), *snap = NULL;
        bool freed = false;
        struct test_lines *t = test_lines_new(1000, &freed);
        uint64_t trips = mlx5_limit_trips(MLX5_LIMIT_VIEW_BYTES);
        struct mlx5_slices *s;

        for (guint i = 0; i < 1000; i++)
                test_line(&t->lines, i, whole);
        like->taken_realtime_us = 1234;
        g_assert_cmpint(tree_lines_snapshot(&t->lines, like, &snap), ==, 0);
        g_assert_cmpuint(snap->text_len, ==, whole->len);
        g_assert_cmpint(snap->taken_realtime_us, ==, 1234);
        s = snap->slices;
        for (size_t off = 0; off < whole->len; off += 97) {
                for (size_t size = 1; size < 3000; size = size * 3 + 1) {
                        size_t n = MIN(size, whole->len - off);

                        g_string_truncate(got, 0);
                        g_assert_cmpint(s->render(s, off, n, got), ==, 0);
                        g_assert_cmpuint(got->len, ==, n);
                        g_assert_true(memcmp(got->str, whole->str + off, n) == 0);
                }
        }
        t->shift = true;
        g_string_truncate(got, 0);
        g_test_expect_message(G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "test: line 5 rendered 21 bytes, measured 20*");
        g_assert_cmpint(s->render(s, 0, whole->len, got), ==, -EIO);
        g_test_assert_expected_messages();
        mlx5_snapshot_unref(snap);
        g_assert_true(freed);

        /* Past max_view_mib: -EIO, counted, and what the lines held freed. */
        mlx5_limits_set(&(struct mlx5_limits) { .view_max_bytes = 1000 });
        freed = false;
        snap = NULL;
        g_test_expect_message(G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "test: limit max_view_mib*longer than 1000 bytes");
        g_assert_cmpint(tree_lines_snapshot(&test_lines_new(1000, &freed)->lines, like, &snap), ==, -EIO);
        g_test_assert_expected_messages();
        g_assert_null(snap);
        g_assert_true(freed);
        g_assert_cmpuint(mlx5_limit_trips(MLX5_LIMIT_VIEW_BYTES), ==, trips + 1);
        mlx5_limits_set(&(struct mlx5_limits) { 0 });
        mlx5_snapshot_unref(like);
}


static bool test_state_same;

static GBytes *test_keep_state(struct tree_lines *tl)
{
        return g_bytes_new("state", 5);
}

static bool test_take_state(struct tree_lines *tl, GBytes *state)
{
        g_assert_cmpuint(g_bytes_get_size(state), ==, 5);
        return test_state_same;
}

static int fetch_nothing(const struct mlx5_cache_key *key, void *user_data, mlx5_snapshot **ret_snap)
{
        return -ENOENT;
}

/* Lines shown from listing l, measures kept with it. */
static int kept_lines_snapshot(mlx5_snapshot *l, bool *freed, mlx5_snapshot **ret_snap)
{
        struct test_lines *t = test_lines_new(300, freed);

        t->lines.listing = l;
        t->lines.whole = MLX5_LISTING_WHOLE_JSONL;
        t->lines.keep_state = test_keep_state;
        t->lines.take_state = test_take_state;
        return tree_lines_snapshot(&t->lines, l, ret_snap);
}

/*
 * A measure kept with a listing: taken while the view's state says the
 * same (nothing rendered), measured again and replaced when it does not,
 * never taken from another listing; charged as a kept text until the
 * listing goes.
 */
static void test_view_measure_listing(void)
{
        mlx5_cache *cache = mlx5_cache_new(G_USEC_PER_SEC * 60, 1 << 20, fetch_nothing, NULL);
        mlx5_snapshot *a = mlx5_snapshot_new_listing(g_array_new(FALSE, FALSE, sizeof(uint32_t)), NULL, 0,
                                                     g_new0(uint8_t, 1));
        mlx5_snapshot *b = mlx5_snapshot_new_listing(g_array_new(FALSE, FALSE, sizeof(uint32_t)), NULL, 0,
                                                     g_new0(uint8_t, 1));
        mlx5_snapshot *s1 = NULL, *s2 = NULL, *s3 = NULL, *s4 = NULL;
        uint64_t rendered, measured, reused, r2, m2, u2;
        g_autoptr(GString) stats = g_string_new(NULL);
        bool freed[4] = { false };

        g_assert_cmpuint(a->serial, !=, b->serial);
        mlx5_listing_set_keeper(a, cache);
        mlx5_listing_set_keeper(b, cache);
        test_state_same = true;
        tree_lines_counts(&rendered, &measured, &reused);
        g_assert_cmpint(kept_lines_snapshot(a, &freed[0], &s1), ==, 0);
        tree_lines_counts(&r2, &m2, &u2);
        g_assert_cmpuint(r2 - rendered, ==, 300);
        g_assert_cmpuint(m2 - measured, ==, 1);
        mlx5_cache_format_stats(cache, stats);
        /* Kept, and charged as a kept text. */
        g_assert_null(strstr(stats->str, "cache.kept_text_bytes: 0\n"));

        /* The same listing, the same state: taken, nothing rendered, the same length. */
        g_assert_cmpint(kept_lines_snapshot(a, &freed[1], &s2), ==, 0);
        tree_lines_counts(&rendered, &measured, &reused);
        g_assert_cmpuint(rendered, ==, r2);
        g_assert_cmpuint(measured, ==, m2);
        g_assert_cmpuint(reused, ==, u2 + 1);
        g_assert_cmpuint(s2->text_len, ==, s1->text_len);

        /* Another state: measured again, and that measure replaces the kept one. */
        test_state_same = false;
        g_assert_cmpint(kept_lines_snapshot(a, &freed[2], &s3), ==, 0);
        tree_lines_counts(&r2, &m2, &u2);
        g_assert_cmpuint(r2 - rendered, ==, 300);
        g_assert_cmpuint(m2, ==, measured + 1);

        /* Another listing: never the first one's measure. */
        test_state_same = true;
        g_assert_cmpint(kept_lines_snapshot(b, &freed[3], &s4), ==, 0);
        tree_lines_counts(&rendered, &measured, &reused);
        g_assert_cmpuint(measured, ==, m2 + 1);
        g_assert_cmpuint(reused, ==, u2);

        mlx5_snapshot_unref(s1);
        mlx5_snapshot_unref(s2);
        mlx5_snapshot_unref(s3);
        mlx5_snapshot_unref(s4);
        for (unsigned i = 0; i < G_N_ELEMENTS(freed); i++)
                g_assert_true(freed[i]);
        mlx5_snapshot_unref(a);
        mlx5_snapshot_unref(b);
        /* Both listings gone: nothing of theirs stays charged. */
        g_string_truncate(stats, 0);
        mlx5_cache_format_stats(cache, stats);
        g_assert_nonnull(strstr(stats->str, "cache.kept_text_bytes: 0\n"));
        mlx5_cache_free(cache);
}

/*
 * A view of a whole listing is measured once per listing: the stat renders
 * every line, the open and the next stat take that measure, and only reads
 * render, the bytes as long as each stat said.
 */
static void test_view_measure_kept(void)
{
        static const char *const views[][2] = { { "json", "qp.jsonl" }, { "summary", "qp" } };
        mlx5_tree *tree = tree_with_slots(0);
        uint64_t dev_dir;

        g_assert_cmpint(mlx5_tree_add_device(tree, open_function(0, "/dev/node-a"), "/nonexistent"), ==, 0);
        dev_dir = lookup(tree, ROOT_INO, "0000:08:00.0", 0);
        for (unsigned v = 0; v < G_N_ELEMENTS(views); v++) {
                uint64_t ino = lookup(tree, lookup(tree, dev_dir, views[v][0], 0), views[v][1], 0);
                uint64_t rendered, measured, reused, rendered2, measured2, reused2;
                uint64_t kept = stats_sum(tree, "cache.kept_text_bytes", "");
                struct stat st = { 0 };
                double valid_s;

                /* The lookup measured it, once, and the listing keeps that measure in the budget. */
                tree_lines_counts(&rendered, &measured, &reused);
                g_assert_cmpuint(stats_sum(tree, "cache.kept_text_bytes", ""), >=, kept);
                for (unsigned round = 0; round < 3; round++) {
                        mlx5_tree_file *file = NULL;
                        g_autofree char *text = NULL;
                        g_auto(GStrv) lines = NULL;

                        g_assert_cmpint(mlx5_tree_getattr(tree, ino, &st, &valid_s), ==, 0);
                        g_assert_cmpint(mlx5_tree_open(tree, ino, &file), ==, 0);
                        tree_lines_counts(&rendered2, &measured2, &reused2);
                        g_assert_cmpuint(measured2, ==, measured);
                        g_assert_cmpuint(rendered2, ==, rendered);
                        g_assert_cmpuint(reused2, >=, reused + 1);
                        text = read_file(tree, file, 0);
                        g_assert_cmpuint(strlen(text), ==, (size_t) st.st_size);
                        g_assert_cmpuint(st.st_size, >, 0);
                        tree_lines_counts(&rendered2, &measured2, &reused2);
                        /* A read renders each line it covers once, no more. */
                        lines = g_strsplit(text, "\n", -1);
                        g_assert_cmpuint(rendered2 - rendered, ==, (uint64_t) g_strv_length(lines) - 1);
                        rendered = rendered2;
                        reused = reused2;
                        mlx5_tree_file_free(tree, file);
                }
        }
        mlx5_tree_free(tree);
}

/* The names a directory shows, but . and .. */
static GPtrArray *dir_names(mlx5_tree *tree, uint64_t dir_ino)
{
        GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
        mlx5_tree_dir *dir = NULL;
        const char *name;
        struct stat st;
        size_t k = 2;

        g_assert_cmpint(mlx5_tree_opendir(tree, dir_ino, &dir), ==, 0);
        while (mlx5_tree_dir_entry(dir, &k, true, &name, &st, NULL) == 1) {
                g_ptr_array_add(names, g_strdup(name));
                k++;
        }
        mlx5_tree_dir_free(dir);
        return names;
}

/*
 * raw/<type>/ is made of the objects' answers: listing and reading it
 * renders no text (none kept with the listing), each file's listed size is
 * its answer's, and its type's text files still render theirs when asked.
 */
static void test_raw_walk_renders_no_text(void)
{
        mlx5_tree *tree = tree_with_slots(0);
        g_autoptr(GArray) inos = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        g_autoptr(GArray) sts = g_array_new(FALSE, FALSE, sizeof(struct stat));
        uint64_t dev_dir;

        g_assert_cmpint(mlx5_tree_add_device(tree, open_function(0, "/dev/node-a"), "/nonexistent"), ==, 0);
        dev_dir = lookup(tree, ROOT_INO, "0000:08:00.0", 0);
        list_whole(tree, lookup(tree, lookup(tree, dev_dir, "raw", 0), "qp", 0), inos, sts);
        g_assert_cmpuint(inos->len, >, 2);
        for (guint i = 0; i < inos->len; i++) {
                mlx5_tree_file *file = NULL;
                const char *data = NULL;
                size_t len = 0;

                g_assert_cmpint(mlx5_tree_open(tree, g_array_index(inos, uint64_t, i), &file), ==, 0);
                g_assert_cmpint(mlx5_tree_read(tree, file, 0, 1 << 20, &data, &len), ==, 0);
                g_assert_cmpuint(len, ==, (size_t) g_array_index(sts, struct stat, i).st_size);
                g_assert_cmpuint(len, >, 0);
                mlx5_tree_file_free(tree, file);
        }
        g_assert_cmpuint(stats_sum(tree, "cache.kept_text_bytes", ""), ==, 0);
        /* The text files of the same listing: their texts rendered (and kept) as they are listed. */
        list_whole(tree, lookup(tree, dev_dir, "qp", 0), NULL, NULL);
        g_assert_cmpuint(stats_sum(tree, "cache.kept_text_bytes", ""), >, 0);
        mlx5_tree_free(tree);
}

/*
 * A listed object's JSON document takes its length from json/<type>.jsonl's
 * kept measure: a stat or open renders none, the first read renders it
 * (as the jsonl line of its slot, byte for byte), and later opens take the
 * document kept.  With no measure kept, an open renders it, as before.
 */
static void test_json_doc_length_kept(void)
{
        for (unsigned measured = 0; measured < 2; measured++) {
                mlx5_tree *tree = tree_with_slots(0);
                g_autoptr(GArray) inos = g_array_new(FALSE, FALSE, sizeof(uint64_t));
                g_autofree char *jsonl = NULL;
                uint64_t dev_dir, json_dir, at_open, kept, at_read, at_open2, kept2, at_read2;
                uint64_t in_lines, taken, in_lines2, taken2;

                g_assert_cmpint(mlx5_tree_add_device(tree, open_function(0, "/dev/node-a"), "/nonexistent"), ==, 0);
                dev_dir = lookup(tree, ROOT_INO, "0000:08:00.0", 0);
                json_dir = lookup(tree, dev_dir, "json", 0);
                if (measured) {
                        uint64_t ino;
                        mlx5_tree_file *file = NULL;

                        tree_json_doc_reuse_counts(&in_lines, &taken);
                        ino = lookup(tree, json_dir, "qp.jsonl", 0);
                        g_assert_cmpint(mlx5_tree_open(tree, ino, &file), ==, 0);
                        jsonl = read_file(tree, file, 0);
                        mlx5_tree_file_free(tree, file);
                        tree_json_doc_reuse_counts(&in_lines2, &taken2);
                        /* Measured and read: each document rendered once, by the measure; the read takes them. */
                        g_assert_cmpuint(in_lines2 - in_lines, ==, taken2 - taken);
                        g_assert_cmpuint(in_lines2 - in_lines, >, 2);
                }
                tree_json_doc_counts(&at_open, &kept, &at_read);
                tree_json_doc_reuse_counts(&in_lines, &taken);
                /* Listed with attributes: every document's length, none rendered when the view kept them. */
                list_whole(tree, lookup(tree, json_dir, "qp", 0), inos, NULL);
                g_assert_cmpuint(inos->len, >, 2);
                tree_json_doc_counts(&at_open2, &kept2, &at_read2);
                tree_json_doc_reuse_counts(&in_lines2, &taken2);
                g_assert_cmpuint(at_open2 - at_open, ==, measured ? 0 : inos->len);
                g_assert_cmpuint(taken2 - taken, ==, measured ? inos->len : 0);
                g_assert_cmpuint(kept2, ==, kept);
                g_assert_cmpuint(at_read2, ==, at_read);
                for (guint i = 0; i < inos->len; i++) {
                        uint64_t ino = g_array_index(inos, uint64_t, i);
                        for (unsigned round = 0; round < 2; round++) {
                                mlx5_tree_file *file = NULL;
                                g_autofree char *text = NULL;
                                struct stat st = { 0 };
                                double valid_s;

                                tree_json_doc_counts(&at_open, &kept, &at_read);
                                g_assert_cmpint(mlx5_tree_getattr(tree, ino, &st, &valid_s), ==, 0);
                                g_assert_cmpint(mlx5_tree_open(tree, ino, &file), ==, 0);
                                tree_json_doc_counts(&at_open2, &kept2, &at_read2);
                                /* Unmeasured: rendered at the first lookup, kept since; measured: nothing rendered. */
                                g_assert_cmpuint(at_open2, ==, at_open);
                                g_assert_cmpuint(at_read2, ==, at_read);
                                text = read_file(tree, file, 0);
                                mlx5_tree_file_free(tree, file);
                                tree_json_doc_counts(&at_open2, &kept2, &at_read2);
                                g_assert_cmpuint(strlen(text), ==, (size_t) st.st_size);
                                g_assert_true(g_str_has_suffix(text, "}\n"));
                                /* Kept with the listing since first rendered: no open or read renders it again. */
                                g_assert_cmpuint(at_read2, ==, at_read);
                                g_assert_cmpuint(kept2, ==, kept);
                                if (jsonl)
                                        g_assert_nonnull(strstr(jsonl, text));
                        }
                }
                mlx5_tree_free(tree);
        }
}

/* Above the pinned listings and the largest other one, below all the device's together. */
#define LEASE_CAP (192 << 10)
/* As tree.c's: a listing used this recently is not dropped. */
#define LISTING_IN_USE_US (G_USEC_PER_SEC + G_USEC_PER_SEC / 10)

/* What the cache's one cap bounds: what it keeps, leased listings it does not, answers in flight, kept texts. */
static size_t one_budget(mlx5_tree *tree)
{
        return stats_sum(tree, "cache.bytes", "") + stats_sum(tree, "cache.leased_apart_bytes", "") +
               stats_sum(tree, "cache.in_flight_bytes", "") + stats_sum(tree, "cache.kept_text_bytes", "");
}

/*
 * Listing leases count in the cache's one cap: past it, the listings
 * used longest ago are dropped and the kernel told to forget their files,
 * but never one an open directory or file pins; a file of a dropped listing then
 * reads as the listing fetched again says, size and bytes alike.
 */
static void test_leased_listings_capped(void)
{
        mlx5_tree *tree = mlx5_tree_new(schema, &(struct mlx5_tree_options) {
                .ttl_us = 60 * G_USEC_PER_SEC,
                .cache_bytes = LEASE_CAP,
        });
        g_autoptr(GArray) invalidated = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        g_autoptr(GArray) pinned_inos = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        g_autoptr(GArray) first_inos = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        g_autoptr(GArray) open_inos = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        g_autoptr(GPtrArray) segments = NULL;
        mlx5_tree_file *open_file = NULL;
        mlx5_tree_dir *pinned = NULL;
        const char *data = NULL;
        size_t len = 0;
        mlx5_tree_file *file = NULL;
        struct stat st, pinned_before, pinned_after, opened;
        uint64_t dev_dir, rscdump, pinned_seg = 0, first_seg = 0, first_walked = 0, first_file;
        double valid_s;
        unsigned listed = 0;

        mlx5_tree_set_inval_handler(tree, record_inval, NULL, invalidated);
        g_assert_cmpint(mlx5_tree_add_device(tree, open_function(0, "/dev/node-a"), "/nonexistent"), ==, 0);
        dev_dir = lookup(tree, ROOT_INO, "0000:08:00.0", 0);
        rscdump = lookup(tree, dev_dir, "rscdump", 0);

        segments = dir_names(tree, rscdump);
        g_test_expect_message(G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "cache and leased listings hold*limit cache_size*");
        for (guint i = 0; i < segments->len; i++) {
                uint64_t seg;

                g_assert_cmpint(mlx5_tree_lookup(tree, rscdump, segments->pdata[i], &st, &valid_s), ==, 0);
                if (!S_ISDIR(st.st_mode))
                        continue;
                seg = st.st_ino;
                /* The first dump directory stays open throughout: its listing is pinned. */
                if (!pinned_seg) {
                        list_whole(tree, seg, pinned_inos, NULL);
                        g_assert_cmpint(mlx5_tree_opendir(tree, seg, &pinned), ==, 0);
                        g_assert_cmpuint(pinned_inos->len, >, 10);
                        g_assert_cmpint(mlx5_tree_getattr(tree, g_array_index(pinned_inos, uint64_t, 0), &pinned_before,
                                                          &valid_s), ==, 0);
                        pinned_seg = seg;
                        continue;
                }
                /* The one after: a file of it stays open, which pins its listing too. */
                if (first_seg && !open_file) {
                        list_whole(tree, seg, open_inos, NULL);
                        g_assert_cmpint(mlx5_tree_open(tree, g_array_index(open_inos, uint64_t, 0), &open_file), ==,
                                        0);
                } else {
                        list_whole(tree, seg, first_seg ? NULL : first_inos, NULL);
                }
                /* What was listed before is no longer in use (LISTING_IN_USE_US): it may be dropped. */
                if (!first_seg) {
                        g_usleep(LISTING_IN_USE_US);
                        first_walked = seg;
                }
                first_seg = seg;
                listed++;
        }
        for (unsigned i = 0; i < mlx5_schema_n_resources(schema); i++) {
                const mlx5_schema_resource *res = mlx5_schema_resource_at(schema, i);

                if (!res->has_id)
                        continue;
                list_whole(tree, lookup(tree, dev_dir, res->name, 0), NULL, NULL);
                listed++;
        }
        /* The listings used last were kept while in use; once not, the next one leased drops them too. */
        g_usleep(LISTING_IN_USE_US);
        list_whole(tree, first_walked, NULL, NULL);
        g_assert_cmpuint(one_budget(tree), <=, LEASE_CAP);
        g_assert_cmpuint(stats_sum(tree, "cache.leased_bytes", ""), >, 0);
        g_test_assert_expected_messages();
        g_assert_cmpuint(listed, >, 10);
        g_assert_cmpuint(stats_sum(tree, "limits.cache_size.leases_tripped", ""), >, 0);
        g_assert_cmpuint(stats_sum(tree, "listings.dropped_for_memory", ""), >, 0);

        /* The first listing walked but the pinned went first, and the kernel forgets every file it named. */
        g_assert_cmpuint(first_inos->len, >, 10);
        for (guint i = 0; i < first_inos->len; i++)
                g_assert_true(inval_has(invalidated, g_array_index(first_inos, uint64_t, i)));
        /* The pinned one stayed: none of its files forgotten, and they show as before. */
        for (guint i = 0; i < pinned_inos->len; i++)
                g_assert_false(inval_has(invalidated, g_array_index(pinned_inos, uint64_t, i)));
        g_assert_cmpuint(open_inos->len, >, 0);
        for (guint i = 0; i < open_inos->len; i++)
                g_assert_false(inval_has(invalidated, g_array_index(open_inos, uint64_t, i)));
        mlx5_tree_file_free(tree, open_file);
        g_assert_cmpint(mlx5_tree_getattr(tree, g_array_index(pinned_inos, uint64_t, 0), &pinned_after, &valid_s), ==,
                        0);
        g_assert_cmpint(pinned_after.st_mtim.tv_sec, ==, pinned_before.st_mtim.tv_sec);
        g_assert_cmpint(pinned_after.st_mtim.tv_nsec, ==, pinned_before.st_mtim.tv_nsec);

        /* A file of the dropped listing: from a listing fetched again, attributes and bytes alike. */
        first_file = g_array_index(first_inos, uint64_t, 0);
        g_assert_cmpint(mlx5_tree_getattr(tree, first_file, &st, &valid_s), ==, 0);
        g_assert_cmpfloat(valid_s, >, 0.0);
        g_assert_cmpint(mlx5_tree_open(tree, first_file, &file), ==, 0);
        g_assert_true(file->keep_cache);
        g_assert_cmpint(mlx5_tree_file_stat(tree, file, &opened, &valid_s), ==, 0);
        g_assert_cmpint(opened.st_mtim.tv_sec, ==, st.st_mtim.tv_sec);
        g_assert_cmpint(opened.st_mtim.tv_nsec, ==, st.st_mtim.tv_nsec);
        g_assert_cmpint(opened.st_size, ==, st.st_size);
        g_assert_cmpint(mlx5_tree_read(tree, file, 0, 1 << 20, &data, &len), ==, 0);
        g_assert_cmpuint(len, ==, (size_t) st.st_size);
        mlx5_tree_file_free(tree, file);
        g_assert_cmpuint(one_budget(tree), <=, LEASE_CAP);
        mlx5_tree_dir_free(pinned);
        mlx5_tree_free(tree);
}

/*
 * A reference's name has its object's listing's lease (lasts_with_parent):
 * when that listing is dropped for memory before its lease ends, the
 * kernel is told to forget refs/<type>, and so every reference below it;
 * a type without references has no such directory and nothing is asked.
 */
static void test_dropped_listing_forgets_refs(void)
{
        mlx5_tree *tree = mlx5_tree_new(schema, &(struct mlx5_tree_options) {
                .ttl_us = 60 * G_USEC_PER_SEC,
                .cache_bytes = LEASE_CAP,
        });
        g_autoptr(GArray) invalidated = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        struct forgotten forgotten = { invalidated, names };
        g_autoptr(GArray) cq_inos = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        g_autoptr(GArray) eq_inos = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        g_autoptr(GPtrArray) segments = NULL;
        uint64_t dev_dir, rscdump, refs;
        struct stat st;
        double valid_s;
        bool both_dropped = false;

        mlx5_tree_set_inval_handler(tree, record_forgotten_inode, record_forgotten_name, &forgotten);
        g_assert_cmpint(mlx5_tree_add_device(tree, open_function(0, "/dev/node-a"), "/nonexistent"), ==, 0);
        dev_dir = lookup(tree, ROOT_INO, "0000:08:00.0", 0);
        rscdump = lookup(tree, dev_dir, "rscdump", 0);
        refs = lookup(tree, dev_dir, "refs", 0);
        /* CQs have references (their EQ), EQs none: refs/ shows cq only. */
        lookup(tree, refs, "cq", 0);
        lookup(tree, refs, "eq", -ENOENT);
        list_whole(tree, lookup(tree, dev_dir, "cq", 0), cq_inos, NULL);
        list_whole(tree, lookup(tree, dev_dir, "eq", 0), eq_inos, NULL);
        g_assert_cmpuint(cq_inos->len, >, 0);
        g_assert_cmpuint(eq_inos->len, >, 0);
        g_assert_cmpuint(names->len, ==, 0);

        /* No longer in use (LISTING_IN_USE_US), they go first as other listings take the cap. */
        g_usleep(LISTING_IN_USE_US);
        g_test_expect_message(G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "cache and leased listings hold*limit cache_size*");
        for (unsigned i = 0; i < mlx5_schema_n_resources(schema); i++) {
                const mlx5_schema_resource *res = mlx5_schema_resource_at(schema, i);

                both_dropped = inval_has(invalidated, g_array_index(cq_inos, uint64_t, 0)) &&
                               inval_has(invalidated, g_array_index(eq_inos, uint64_t, 0));
                if (res->has_id && strcmp(res->name, "cq") != 0 && strcmp(res->name, "eq") != 0 && !both_dropped)
                        list_whole(tree, lookup(tree, dev_dir, res->name, 0), NULL, NULL);
        }
        segments = dir_names(tree, rscdump);
        for (guint i = 0; i < segments->len && !both_dropped; i++) {
                g_assert_cmpint(mlx5_tree_lookup(tree, rscdump, segments->pdata[i], &st, &valid_s), ==, 0);
                if (S_ISDIR(st.st_mode))
                        list_whole(tree, st.st_ino, NULL, NULL);
                both_dropped = inval_has(invalidated, g_array_index(cq_inos, uint64_t, 0)) &&
                               inval_has(invalidated, g_array_index(eq_inos, uint64_t, 0));
        }
        g_test_assert_expected_messages();
        g_assert_true(both_dropped);
        g_assert_true(forgotten_has(names, refs, "cq"));
        g_assert_false(forgotten_has(names, refs, "eq"));
        /* Only refs/ directories, once a dropped listing each. */
        for (guint i = 0; i < names->len; i++) {
                g_autofree char *prefix = g_strdup_printf("%" G_GINT64_MODIFIER "x/", (guint64) refs);

                g_assert_true(g_str_has_prefix(names->pdata[i], prefix));
        }
        g_assert_cmpuint(stats_sum(tree, "listings.dirs_forgotten", ""), ==, names->len);
        mlx5_tree_free(tree);
}

/*
 * What the kernel is told of a file made from a listing outlives that
 * listing only where dropping it for memory makes the kernel forget the
 * file (forget_listed): it names the listing's own files, not a view of
 * the whole listing (json/<type>.jsonl, summary/<type>).  So a view's
 * attributes expire before the listing, once no longer in use
 * (LISTING_IN_USE_US), may go; else tar stats the old size and reads a
 * listing fetched again ("file shrank").  The listing's own files keep the
 * listing's life.
 */
static void test_views_outlive_no_listing(void)
{
        mlx5_tree *tree = tree_with_slots(0);
        g_autoptr(GArray) qp_inos = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        g_autofree char *qp = NULL;
        uint64_t dev_dir, json, views[3];
        double valid_s;
        struct stat st;

        g_assert_cmpint(mlx5_tree_add_device(tree, open_function(0, "/dev/node-a"), "/nonexistent"), ==, 0);
        dev_dir = lookup(tree, ROOT_INO, "0000:08:00.0", 0);
        json = lookup(tree, dev_dir, "json", 0);
        list_whole(tree, lookup(tree, dev_dir, "qp", 0), qp_inos, NULL);
        g_assert_cmpuint(qp_inos->len, >, 0);

        views[0] = lookup(tree, json, "qp.jsonl", 0);
        views[1] = lookup(tree, json, "cq.jsonl", 0);
        views[2] = lookup(tree, lookup(tree, dev_dir, "summary", 0), "qp", 0);
        for (unsigned v = 0; v < G_N_ELEMENTS(views); v++) {
                g_assert_cmpint(mlx5_tree_getattr(tree, views[v], &st, &valid_s), ==, 0);
                g_assert_cmpfloat(valid_s, >, 0.0);
                g_assert_cmpfloat(valid_s * G_USEC_PER_SEC, <, LISTING_IN_USE_US);
        }
        /* A file the listing names, as its JSON document: the listing's life (TTL 60 s). */
        g_assert_cmpint(mlx5_tree_getattr(tree, g_array_index(qp_inos, uint64_t, 0), &st, &valid_s), ==, 0);
        g_assert_cmpfloat(valid_s * G_USEC_PER_SEC, >, LISTING_IN_USE_US);
        qp = g_strdup_printf("0x%x", (unsigned) (g_array_index(qp_inos, uint64_t, 0) & 0xffffffffu));
        g_assert_cmpint(mlx5_tree_lookup(tree, lookup(tree, json, "qp", 0), qp, &st, &valid_s), ==, 0);
        g_assert_cmpfloat(valid_s * G_USEC_PER_SEC, >, LISTING_IN_USE_US);
        mlx5_tree_free(tree);
}

/* A stat, an open and a whole read of ino, as tar does them: the text, as long as the stat said. */
static char *stat_and_read(mlx5_tree *tree, uint64_t ino)
{
        mlx5_tree_file *file = NULL;
        struct stat st = { 0 };
        double valid_s;
        char *text;

        g_assert_cmpint(mlx5_tree_getattr(tree, ino, &st, &valid_s), ==, 0);
        g_assert_cmpint(mlx5_tree_open(tree, ino, &file), ==, 0);
        text = read_file(tree, file, 0);
        mlx5_tree_file_free(tree, file);
        g_assert_cmpuint(strlen(text), ==, (size_t) st.st_size);
        return text;
}

/*
 * Object texts fill the kept share (10k QPs in 64 MiB): summary/<type> is
 * still measured once per listing, by length (no row rendered to measure),
 * its measure kept in the measures' reserve; later stats and opens take it,
 * and each read renders every row once, as long as the stat said.
 */
static void test_summary_measured_once(void)
{
        mlx5_tree *tree = tree_of_spec("devices=1,qp=1000,cq=20,latency_us=0");
        uint64_t dev_dir = lookup(tree, ROOT_INO, "0000:08:00.0", 0), qp_dir, ino;
        uint64_t rendered, measured, reused, rendered2, measured2, reused2;
        g_autoptr(GPtrArray) names = NULL;

        qp_dir = lookup(tree, dev_dir, "qp", 0);
        names = dir_names(tree, qp_dir);
        g_assert_cmpuint(names->len, >, 500);
        for (guint i = 0; i < names->len; i++)
                lookup(tree, qp_dir, names->pdata[i], 0);
        /* The texts took the kept share (half the cap) but the measures' reserve (cap / 64), to a text. */
        g_assert_cmpuint(stats_sum(tree, "cache.kept_text_bytes", ""), >, (1 << 20) / 2 - (1 << 20) / 64 - 4096);

        tree_lines_counts(&rendered, &measured, &reused);
        ino = lookup(tree, lookup(tree, dev_dir, "summary", 0), "qp", 0);
        tree_lines_counts(&rendered2, &measured2, &reused2);
        /* Measured once, from the widths' pass: no row rendered. */
        g_assert_cmpuint(measured2, ==, measured + 1);
        g_assert_cmpuint(rendered2, ==, rendered);
        g_assert_cmpuint(stats_sum(tree, "cache.kept_measure_bytes", ""), >=, 500 * sizeof(uint64_t));
        g_assert_cmpuint(stats_sum(tree, "cache.measures_not_kept", ""), ==, 0);
        for (unsigned round = 0; round < 3; round++) {
                g_autofree char *text = stat_and_read(tree, ino);
                g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

                tree_lines_counts(&rendered, &measured, &reused);
                /* The stat and the open took the kept measure; the read rendered the header and every row once. */
                g_assert_cmpuint(measured, ==, measured2);
                g_assert_cmpuint(reused, ==, reused2 + 2);
                g_assert_cmpuint(rendered - rendered2, ==, g_strv_length(lines) - 1);
                g_assert_cmpuint(g_strv_length(lines) - 1, >, 500);
                rendered2 = rendered;
                reused2 = reused;
        }
        mlx5_tree_free(tree);
}

int main(int argc, char **argv)
{
        g_autoptr(GError) error = NULL;
        int r;

        g_test_init(&argc, &argv, NULL);
        schema = mlx5_schema_load_dir(MLX5DBGFS_SOURCE_SCHEMA_DIR, &error);
        g_assert_no_error(error);
        spec = mlx5_sim_spec_parse("devices=3", schema, &error);
        g_assert_no_error(error);
        g_test_add_func("/tree/slots-reused", test_slots_reused);
        g_test_add_func("/tree/replace-keeps-directory", test_replace_keeps_directory);
        g_test_add_func("/tree/leases", test_leases);
        g_test_add_func("/tree/removal-forgets-aliases", test_removal_forgets_aliases);
        g_test_add_func("/tree/leased-listings-capped", test_leased_listings_capped);
        g_test_add_func("/tree/dropped-listing-forgets-refs", test_dropped_listing_forgets_refs);
        g_test_add_func("/tree/views-outlive-no-listing", test_views_outlive_no_listing);
        g_test_add_func("/tree/dir-entry-attributes", test_dir_entry_attributes);
        g_test_add_func("/tree/stat-makes-no-snapshot", test_stat_makes_no_snapshot);
        g_test_add_func("/tree/listing-cost", test_listing_cost);
        g_test_add_func("/tree/walk-renews-listing", test_walk_renews_listing);
        g_test_add_func("/tree/walk-renewals-counted", test_walk_renewals_counted);
        g_test_add_func("/tree/walk-renews-in-refs", test_walk_renews_in_refs);
        g_test_add_func("/tree/listed-entries-valid", test_listed_entries_valid);
        g_test_add_func("/tree/dump-listing-entries", test_dump_listing_entries);
        g_test_add_func("/tree/listing-streamed", test_listing_streamed);
        g_test_add_func("/tree/listing-preview", test_listing_preview);
        g_test_add_func("/tree/dir-cache", test_dir_cache);
        g_test_add_func("/tree/dir-cache-renew", test_dir_cache_renew);
        g_test_add_func("/tree/dir-cache-cap", test_dir_cache_cap);
        g_test_add_func("/tree/listing-stream-shared", test_listing_stream_shared);
        g_test_add_func("/tree/listing-stream-unplugged", test_listing_stream_unplugged);
        g_test_add_func("/tree/new-kinds", test_new_kinds);
        g_test_add_func("/tree/caller-views", test_caller_views);
        g_test_add_func("/tree/ino-hash-spread", test_ino_hash_spread);
        g_test_add_func("/tree/listers", test_listers);
        g_test_add_func("/tree/format-id", test_format_id);
        g_test_add_func("/tree/dump-requests", test_dump_requests);
        g_test_add_func("/tree/view-lines", test_view_lines);
        g_test_add_func("/tree/view-measure-kept", test_view_measure_kept);
        g_test_add_func("/tree/view-measure-listing", test_view_measure_listing);
        g_test_add_func("/tree/summary-measured-once", test_summary_measured_once);
        g_test_add_func("/tree/json-doc-length-kept", test_json_doc_length_kept);
        g_test_add_func("/tree/raw-walk-renders-no-text", test_raw_walk_renders_no_text);
        r = g_test_run();
        mlx5_sim_spec_free(spec);
        mlx5_schema_free(schema);
        return r;
}
