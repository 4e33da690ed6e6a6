/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <systemd/sd-daemon.h>

#include "fs/daemonize.h"
#include "fs/devices.h"
#include "fs/forget-names.h"
#include "fs/fs-ops.h"
#include "fs/log.h"
#include "fs/mountpoint.h"
#include "fs/options.h"
#include "device/fw-limits.h"
#include "fs/schema-dir.h"
#include "host/host.h"
#include "schema/schema.h"
#include "tree/tree.h"

enum {
        EXIT_USAGE = 1,
        EXIT_SCHEMA = 2,
        EXIT_RUNTIME = 1,
};

/* FUSE threads only hand slow requests over; the slow workers wait for firmware. */
#define FUSE_MAX_THREADS 16
#define SLOW_WORKERS 64

/*
 * glibc's defaults suit short programs, not a daemon whose 80 threads each
 * render a view now and then: every thread that allocates under contention
 * gets an arena of its own (up to 8 per core), a 64 MiB heap that keeps
 * what was freed in it; and after the first big buffer is freed, the mmap
 * threshold climbs to 32 MiB, so later big buffers (a listing, a view of
 * one) come from those heaps and stay resident after free.  Fixed values
 * turn both off: two arenas, and every allocation of 128 KiB or more its
 * own mapping, given back to the kernel when freed.
 */
#define MALLOC_ARENAS 2
#define MALLOC_MMAP_THRESHOLD (128 * 1024)

/* Before any thread starts: mallopt is global and arenas once made stay. */
static void malloc_setup(void)
{
        /*
         * mallopt returns 1 on success.  A refusal costs memory, not
         * correctness, and is expected where malloc is not glibc's (ASan's
         * allocator refuses both): a debug line, not a warning on every run.
         */
        if (mallopt(M_ARENA_MAX, MALLOC_ARENAS) != 1 || mallopt(M_MMAP_THRESHOLD, MALLOC_MMAP_THRESHOLD) != 1)
                g_debug("mallopt refused the arena or mmap limits (malloc is not glibc's?): peak memory may be higher");
}

static mlx5_schema *load_schema(const struct mlx5dbgfs_options *opts)
{
        g_autoptr(GError) error = NULL;
        const char *dir = mlx5dbgfs_schema_dir(opts->schema_dir);
        mlx5_schema *schema = NULL;

        if (mlx5dbgfs_schema_dir_check_owner(dir, &error) == 0)
                schema = mlx5_schema_load_dir(dir, &error);
        if (!schema)
                fprintf(stderr, "mlx5dbgfs: %s\n", error->message);
        return schema;
}

static int serve(const struct mlx5dbgfs_options *opts, const mlx5_schema *schema, mlx5_tree *tree)
{
        mlx5dbgfs_hotplug *hotplug = NULL;
        /* Nothing the user passes turns these off: options.c never passes rw, dev, suid or exec on. */
        g_autoptr(GString) mount_opts = g_string_new("ro,nosuid,nodev,noexec,default_permissions,"
                                                     "fsname=mlx5dbgfs,subtype=mlx5dbgfs");
        struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
        struct fuse_loop_config *loop_cfg = NULL;
        struct fuse_session *se;
        int r = EXIT_RUNTIME;

        for (unsigned i = 0; i < opts->fuse_options->len; i++)
                g_string_append_printf(mount_opts, ",%s", (char *) opts->fuse_options->pdata[i]);
        if (fuse_opt_add_arg(&args, "mlx5dbgfs") != 0 || fuse_opt_add_arg(&args, "-o") != 0 ||
            fuse_opt_add_arg(&args, mount_opts->str) != 0 || (opts->debug && fuse_opt_add_arg(&args, "-d") != 0))
                goto out_args;

        se = fuse_session_new(&args, &mlx5_fs_ops, sizeof(mlx5_fs_ops), tree);
        if (!se)
                goto out_args;      /* libfuse said why, e.g. an unknown -o option */
        if (fuse_set_signal_handlers(se) != 0)
                goto out_session;
        if (fuse_session_mount(se, opts->mountpoint) != 0)
                goto out_signals;
        /* Forked before any device was opened (daemonize.h): now only the terminal is left. */
        mlx5dbgfs_daemon_ready();
        mlx5dbgfs_log_setup(!opts->foreground, opts->debug);

        mlx5_fs_set_session(se);
        mlx5_fs_forget_names_start();
        mlx5_fs_start_workers(SLOW_WORKERS);
        hotplug = mlx5dbgfs_hotplug_start(opts, schema, tree, mlx5_host_sysfs_root());
        loop_cfg = fuse_loop_cfg_create();
        fuse_loop_cfg_set_max_threads(loop_cfg, FUSE_MAX_THREADS);
        /* Type=notify: the mount is there before systemd calls the service started. */
        sd_notifyf(0, "READY=1\nSTATUS=Serving %s", opts->mountpoint);
        /* A positive result is the signal (SIGINT, SIGTERM) that asked us to stop. */
        r = fuse_session_loop_mt(se, loop_cfg) >= 0 ? EXIT_SUCCESS : EXIT_RUNTIME;
        sd_notify(0, "STOPPING=1");
        fuse_loop_cfg_destroy(loop_cfg);
        /* Waits for firmware end first (readers get EINTR), so nothing below can hang. */
        mlx5_fs_stop_workers();
        mlx5dbgfs_hotplug_stop(hotplug);
        mlx5_fs_release_all(tree);
        mlx5_fs_forget_names_stop();
        mlx5_fs_set_session(NULL);

        fuse_session_unmount(se);
out_signals:
        fuse_remove_signal_handlers(se);
out_session:
        fuse_session_destroy(se);
out_args:
        fuse_opt_free_args(&args);
        return r;
}

/* -o debugfs_root must name a directory: a typo would otherwise only find no objects there. */
static bool check_debugfs_root(const char *root, GError **error)
{
        struct stat st;
        int err;

        if (!root)
                return true;
        err = stat(root, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
        if (err) {
                g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err), "-o debugfs_root=%s: %s", root,
                            g_strerror(err));
                return false;
        }
        return true;
}

int main(int argc, char **argv)
{
        struct mlx5dbgfs_options opts = { 0 };
        g_autoptr(GError) error = NULL;
        g_autoptr(mlx5_schema) schema = NULL;
        g_autoptr(GPtrArray) devices = NULL;
        mlx5_tree *tree;
        int r;

        malloc_setup();
        mlx5dbgfs_log_setup(false, false);
        if (!mlx5dbgfs_options_parse(argc, argv, &opts, &error)) {
                fprintf(stderr, "mlx5dbgfs: %s\n", error->message);
                return EXIT_USAGE;
        }
        if (opts.show_help || opts.show_version) {
                if (opts.show_help)
                        mlx5dbgfs_print_usage(argv[0]);
                else
                        printf("mlx5dbgfs %s (libfuse %d)\n", PACKAGE_VERSION, fuse_version());
                mlx5dbgfs_options_clear(&opts);
                return EXIT_SUCCESS;
        }
        mlx5dbgfs_log_setup(false, opts.debug);

        /* Before anything else: a bad mount point or debugfs root costs no device or schema work. */
        if (!opts.check_schema &&
            (mlx5dbgfs_check_mountpoint(opts.mountpoint, opts.nonempty,
                                        g_str_equal(opts.mountpoint, MLX5DBGFS_DEFAULT_MOUNTPOINT), &error) < 0 ||
             !check_debugfs_root(opts.debugfs_root, &error))) {
                fprintf(stderr, "mlx5dbgfs: %s\n", error->message);
                mlx5dbgfs_options_clear(&opts);
                return EXIT_USAGE;
        }
        schema = load_schema(&opts);
        if (!schema) {
                mlx5dbgfs_options_clear(&opts);
                return EXIT_SCHEMA;
        }
        if (opts.check_schema) {
                printf("schema: %u resources, %u capability types, %u structs: OK\n",
                       mlx5_schema_n_resources(schema), mlx5_schema_n_caps(schema), mlx5_schema_n_structs(schema));
                mlx5dbgfs_options_clear(&opts);
                return EXIT_SUCCESS;
        }

        /* Before any thread starts (daemonize.h); messages until the mount is up still reach stderr. */
        r = mlx5dbgfs_daemon_fork(opts.foreground);
        if (r < 0) {
                fprintf(stderr, "mlx5dbgfs: cannot go to the background: %s\n", g_strerror(-r));
                mlx5dbgfs_options_clear(&opts);
                return EXIT_RUNTIME;
        }
        mlx5_limits_set(&(struct mlx5_limits) {
                .cmd_timeout_us = (int64_t) (opts.cmd_timeout * G_USEC_PER_SEC),
                .list_max_us = (int64_t) (opts.list_timeout * G_USEC_PER_SEC),
                .list_max_ids = opts.max_list_ids,
                /* A dump bigger than the whole cache could not be kept anyway. */
                .dump_max_bytes = MIN((uint64_t) (opts.max_dump_mib ? opts.max_dump_mib : 64), opts.cache_mib) << 20,
                .cache_max_bytes = (uint64_t) opts.cache_mib << 20,
                .view_max_bytes = (uint64_t) opts.max_view_mib << 20,
        });
        devices = g_ptr_array_new_with_free_func((GDestroyNotify) mlx5_device_free);
        if (!mlx5dbgfs_open_devices(&opts, schema, devices, &error)) {
                fprintf(stderr, "mlx5dbgfs: %s\n", error->message);
                mlx5dbgfs_options_clear(&opts);
                return EXIT_RUNTIME;
        }
        tree = mlx5_tree_new(schema, &(struct mlx5_tree_options) {
                .ttl_us = (int64_t) (opts.ttl * G_USEC_PER_SEC),
                .cache_bytes = (size_t) opts.cache_mib << 20,
        });
        while (devices->len) {
                /* The tree takes each device over. */
                mlx5_device *dev = g_ptr_array_steal_index(devices, 0);

                if (mlx5_tree_add_device(tree, dev, mlx5_host_sysfs_root()) < 0)
                        mlx5_device_free(dev);
        }

        r = serve(&opts, schema, tree);
        mlx5_tree_free(tree);
        mlx5dbgfs_options_clear(&opts);
        return r;
}
