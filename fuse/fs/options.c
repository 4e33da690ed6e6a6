/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/options.h"


void mlx5dbgfs_print_usage(const char *argv0)
{
        printf("Usage: %s [--sim[=SPEC]] [-f] [-d] [-o OPTION[,...]] [MOUNTPOINT]\n"
               "       %s --check-schema [DIR]\n"
               "\n"
               "Shows the live debug state of ConnectX (mlx5) devices as files, by sending\n"
               "read-only firmware query commands through mlx5ctl or fwctl.\n"
               "MOUNTPOINT defaults to " MLX5DBGFS_DEFAULT_MOUNTPOINT ".\n"
               "\n"
               "  --sim[=SPEC]        mount simulated devices instead of hardware; SPEC is\n"
               "                      KEY=VALUE,... with devices, seed, latency_us, slots,\n"
               "                      fail=OPCODE, churn=CHANGES_PER_SECOND and one object\n"
               "                      count per type (qp=1000)\n"
               "  --schema-dir=DIR    load PRM layouts from DIR instead of the installed set\n"
               "  --check-schema [DIR] validate the schema files and exit\n"
               "  -f                  stay in the foreground\n"
               "  -d                  foreground with FUSE debug output\n"
               "  -h, --help          show this help\n"
               "  -V, --version       show the version\n"
               "\n"
               "Mount options (-o):\n"
               "  ttl=SECONDS         how long one firmware answer is shown (default 1)\n"
               "  cache_size=MIB      snapshot cache cap (default 64)\n"
               "  max_inflight=N      commands in flight per device (default 32)\n"
               "  max_rate=N          commands per second per device (default 0: no cap),\n"
               "                      so a polling loop cannot starve the production driver\n"
               "  cmd_timeout=SECONDS a command not answered by then fails EIO (default 60)\n"
               "  list_timeout=SECONDS time one listing may take (default 60)\n"
               "  max_list_ids=N      object ids one listing may hold (default 1048576)\n"
               "  max_dump_mib=MIB    bytes one resource dump may return (default 64)\n"
               "  allow_other         let other users read the tree: it holds keys and\n"
               "                      addresses of live objects, so only on trusted hosts\n"
               "  other options are passed to FUSE (see fuse(8))\n",
               argv0, argv0);
}

/* The numeric -o options: name, range, where the value goes. */
struct numeric_option {
        const char *key;
        double min, max;
        size_t offset;          /* in struct mlx5dbgfs_options */
        bool is_double;
};

static const struct numeric_option numeric_options[] = {
        { "ttl", 0, 3600, offsetof(struct mlx5dbgfs_options, ttl), true },
        { "cache_size", 1, 65536, offsetof(struct mlx5dbgfs_options, cache_mib), false },
        { "max_inflight", 1, 1024, offsetof(struct mlx5dbgfs_options, max_inflight), false },
        { "max_rate", 0, 10000000, offsetof(struct mlx5dbgfs_options, max_rate), false },
        { "cmd_timeout", 0.01, 3600, offsetof(struct mlx5dbgfs_options, cmd_timeout), true },
        { "list_timeout", 0.01, 86400, offsetof(struct mlx5dbgfs_options, list_timeout), true },
        { "max_list_ids", 1, 1u << 30, offsetof(struct mlx5dbgfs_options, max_list_ids), false },
        { "max_dump_mib", 1, 65536, offsetof(struct mlx5dbgfs_options, max_dump_mib), false },
};

static bool parse_numeric_option(struct mlx5dbgfs_options *opts, const struct numeric_option *no,
                                 const char *value, GError **error)
{
        char *end;
        double v;

        errno = 0;
        v = value ? strtod(value, &end) : 0;
        if (!value || errno != 0 || end == value || *end != '\0' || v < no->min || v > no->max ||
            (!no->is_double && v != (unsigned) v)) {
                g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                            "invalid value '%s' for -o %s (expected %s from %g to %g)", value ? value : "",
                            no->key, no->is_double ? "a number" : "a whole number", no->min, no->max);
                return false;
        }
        if (no->is_double)
                *(double *) (void *) ((char *) opts + no->offset) = v;
        else
                *(unsigned *) (void *) ((char *) opts + no->offset) = (unsigned) v;
        return true;
}

static bool parse_mount_option(struct mlx5dbgfs_options *opts, const char *opt, GError **error)
{
        const char *eq = strchr(opt, '=');
        g_autofree char *key = eq ? g_strndup(opt, eq - opt) : g_strdup(opt);

        for (size_t i = 0; i < G_N_ELEMENTS(numeric_options); i++)
                if (strcmp(key, numeric_options[i].key) == 0)
                        return parse_numeric_option(opts, &numeric_options[i], eq ? eq + 1 : NULL, error);
        /* Writes are refused at the mount itself; never let them be re-enabled. */
        if (strcmp(key, "rw") == 0) {
                g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                            "-o rw: mlx5dbgfs is read-only by design");
                return false;
        }
        g_ptr_array_add(opts->fuse_options, g_strdup(opt));
        return true;
}

static bool parse_mount_options(struct mlx5dbgfs_options *opts, const char *list, GError **error)
{
        g_auto(GStrv) parts = g_strsplit(list, ",", -1);

        for (char **p = parts; *p; p++)
                if (**p && !parse_mount_option(opts, *p, error))
                        return false;
        return true;
}

bool mlx5dbgfs_options_parse(int argc, char **argv, struct mlx5dbgfs_options *ret_opts, GError **error)
{
        struct mlx5dbgfs_options o = {
                .ttl = 1.0,
                .cache_mib = 64,
                .max_inflight = 32,
                .fuse_options = g_ptr_array_new_with_free_func(g_free),
        };
        bool positional_only = false;

        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];

                if (!positional_only && a[0] == '-') {
                        if (strcmp(a, "--") == 0) {
                                positional_only = true;
                        } else if (strcmp(a, "--sim") == 0) {
                                o.sim = true;
                                g_free(o.sim_spec);
                                o.sim_spec = g_strdup("");
                        } else if (g_str_has_prefix(a, "--sim=")) {
                                o.sim = true;
                                g_free(o.sim_spec);
                                o.sim_spec = g_strdup(a + strlen("--sim="));
                        } else if (g_str_has_prefix(a, "--schema-dir=")) {
                                g_free(o.schema_dir);
                                o.schema_dir = g_strdup(a + strlen("--schema-dir="));
                        } else if (strcmp(a, "--schema-dir") == 0 && i + 1 < argc) {
                                g_free(o.schema_dir);
                                o.schema_dir = g_strdup(argv[++i]);
                        } else if (strcmp(a, "--check-schema") == 0) {
                                o.check_schema = true;
                        } else if (strcmp(a, "-f") == 0) {
                                o.foreground = true;
                        } else if (strcmp(a, "-d") == 0) {
                                o.foreground = o.debug = true;
                        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
                                o.show_help = true;
                        } else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
                                o.show_version = true;
                        } else if (strcmp(a, "-o") == 0 && i + 1 < argc) {
                                if (!parse_mount_options(&o, argv[++i], error))
                                        goto fail;
                        } else if (g_str_has_prefix(a, "-o") && a[2]) {
                                if (!parse_mount_options(&o, a + 2, error))
                                        goto fail;
                        } else {
                                g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION,
                                            "unknown or incomplete option '%s' (see --help)", a);
                                goto fail;
                        }
                        continue;
                }
                /* --check-schema takes the schema directory as its operand. */
                if (o.check_schema && !o.schema_dir) {
                        o.schema_dir = g_strdup(a);
                        continue;
                }
                if (o.mountpoint) {
                        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                                    "more than one mount point given ('%s' and '%s')", o.mountpoint, a);
                        goto fail;
                }
                o.mountpoint = g_strdup(a);
        }
        if (!o.mountpoint)
                o.mountpoint = g_strdup(MLX5DBGFS_DEFAULT_MOUNTPOINT);
        *ret_opts = o;
        return true;

fail:
        mlx5dbgfs_options_clear(&o);
        return false;
}

void mlx5dbgfs_options_clear(struct mlx5dbgfs_options *opts)
{
        g_clear_pointer(&opts->mountpoint, g_free);
        g_clear_pointer(&opts->sim_spec, g_free);
        g_clear_pointer(&opts->schema_dir, g_free);
        g_clear_pointer(&opts->fuse_options, g_ptr_array_unref);
}
