/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/options.h"


void mlx5dbgfs_print_usage(const char *argv0)
{
        printf("Usage: %s [--sim[=SPEC]] [-f] [-d] [-o OPTION[,...]] [[SOURCE] MOUNTPOINT]\n"
               "       %s --check-schema [DIR]\n"
               "\n"
               "Shows the live debug state of ConnectX (mlx5) devices as files, by sending\n"
               "read-only firmware query commands through mlx5ctl or fwctl.\n"
               "MOUNTPOINT defaults to " MLX5DBGFS_DEFAULT_MOUNTPOINT "; SOURCE, for mount(8), is none.\n"
               "\n"
               "  --sim[=SPEC]        mount simulated devices instead of hardware; SPEC is\n"
               "                      KEY=VALUE,... with devices, seed, latency_us, slots,\n"
               "                      fail=OPCODE, churn=CHANGES_PER_SECOND and one object\n"
               "                      count per type (qp=1000)\n"
               "  --schema-dir=DIR    load PRM layouts from DIR instead of the installed set\n"
               "                      (" MLX5DBGFS_SCHEMA_DIR ", or $MLX5DBGFS_SCHEMA_DIR)\n"
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
               "  max_view_mib=MIB    bytes one json/<type>.jsonl or summary/<type> may take (default 256)\n"
               "  sim[=SPEC]          the same as --sim[=SPEC], for mount -t fuse.mlx5dbgfs;\n"
               "                      separate SPEC's pairs with ':' here (sim=devices=2:qp=10)\n"
               "  nonempty            mount over a directory that is not empty\n"
               "  debugfs_root=PATH   where debugfs is mounted, an absolute path to a directory\n"
               "                      (default /sys/kernel/debug, or $MLX5DBGFS_DEBUGFS_ROOT)\n"
               "  rw, ro, dev, suid, exec and their no- forms: accepted; the mount is\n"
               "                      ro,nodev,nosuid,noexec either way\n"
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
        { "max_view_mib", 1, 65536, offsetof(struct mlx5dbgfs_options, max_view_mib), false },
};

/* Longest value text a numeric option takes: "3600.000001" and the like. */
#define NUMBER_MAX_CHARS 32

/*
 * Strictly decimal: digits, and for a fractional option one '.' between
 * digits.  No sign, exponent, hex, blanks, "inf" or "nan": strtod() takes
 * all of those, and a NaN cast to an integer is undefined behaviour.
 */
static bool decimal_text(const char *value, bool fraction)
{
        size_t len = strlen(value), digits = strspn(value, "0123456789");

        if (len == 0 || len > NUMBER_MAX_CHARS || digits == 0)
                return false;
        if (digits == len)
                return true;
        return fraction && value[digits] == '.' && value[digits + 1] &&
               strspn(value + digits + 1, "0123456789") == len - digits - 1;
}

static bool parse_numeric_option(struct mlx5dbgfs_options *opts, const struct numeric_option *no,
                                 const char *value, GError **error)
{
        double v = 0;

        if (value && decimal_text(value, no->is_double)) {
                errno = 0;
                v = g_ascii_strtod(value, NULL);
        }
        if (!value || !decimal_text(value, no->is_double) || errno != 0 || !isfinite(v) ||
            v < no->min || v > no->max) {
                g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                            "invalid value '%s' for -o %s (expected a decimal %s from %g to %g)",
                            value ? value : "", no->key, no->is_double ? "number" : "whole number",
                            no->min, no->max);
                return false;
        }
        if (no->is_double)
                *(double *) (void *) ((char *) opts + no->offset) = v;
        else
                *(unsigned *) (void *) ((char *) opts + no->offset) = (unsigned) v;
        return true;
}

/*
 * In -o, commas separate mount options, so SPEC's pairs may be separated by
 * ':' as well (-o sim=devices=2:qp=10); --sim takes the same text.  A ':'
 * separates pairs only where a key=value follows it; otherwise it belongs to
 * the value (fault=slow:40@QUERY_QP).
 */
static void set_sim(struct mlx5dbgfs_options *opts, const char *spec)
{
        char *text = g_strdup(spec);

        for (char *colon = strchr(text, ':'); colon; colon = strchr(colon + 1, ':')) {
                const char *end = strpbrk(colon + 1, ":,");
                const char *eq = strchr(colon + 1, '=');

                if (eq && (!end || eq < end))
                        *colon = ',';
        }
        opts->sim = true;
        g_free(opts->sim_spec);
        opts->sim_spec = text;
}

/*
 * What mount(8), mount.fuse3 and fstab may hand us that is not for the
 * kernel: fstab's own words, and userspace options (x-systemd.*, x-gvfs-*,
 * comment=).  libfuse would refuse them as unknown.
 */
static bool is_fstab_only(const char *key)
{
        static const char *const words[] = { "defaults", "auto", "noauto", "nofail", "_netdev", "user",
                                             "nouser", "users", "owner", "group", "comment" };

        for (size_t i = 0; i < G_N_ELEMENTS(words); i++)
                if (strcmp(key, words[i]) == 0)
                        return true;
        return g_str_has_prefix(key, "x-");
}

/* Mount flags the daemon sets itself (see serve() in main.c). */
static bool is_forced_flag(const char *key)
{
        static const char *const flags[] = { "rw", "ro", "dev", "nodev", "suid", "nosuid", "exec", "noexec" };

        for (size_t i = 0; i < G_N_ELEMENTS(flags); i++)
                if (strcmp(key, flags[i]) == 0)
                        return true;
        return false;
}

static bool parse_mount_option(struct mlx5dbgfs_options *opts, const char *opt, GError **error)
{
        const char *eq = strchr(opt, '=');
        g_autofree char *key = eq ? g_strndup(opt, eq - opt) : g_strdup(opt);

        for (size_t i = 0; i < G_N_ELEMENTS(numeric_options); i++)
                if (strcmp(key, numeric_options[i].key) == 0)
                        return parse_numeric_option(opts, &numeric_options[i], eq ? eq + 1 : NULL, error);
        if (strcmp(key, "sim") == 0) {
                /* -o sim=SPEC is --sim=SPEC, for mount(8) and fstab. */
                set_sim(opts, eq ? eq + 1 : "");
                return true;
        }
        if (strcmp(key, "debugfs_root") == 0) {
                /* Relative to what? The daemon changes directory when it goes to the background. */
                if (!eq || eq[1] != '/') {
                        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                                    "invalid value '%s' for -o debugfs_root (expected an absolute path to "
                                    "the directory debugfs is mounted on)", eq ? eq + 1 : "");
                        return false;
                }
                g_free(opts->debugfs_root);
                opts->debugfs_root = g_strdup(eq + 1);
                return true;
        }
        if (strcmp(key, "nonempty") == 0 && !eq) {
                opts->nonempty = true;
                return true;
        }
        /*
         * mount(8) passes rw unless told ro, and mount.fuse3 adds dev,suid for
         * root.  The mount is ro,nosuid,nodev,noexec whatever they say: take
         * them, and pass none of them on.
         */
        if (is_forced_flag(key) && !eq)
                return true;
        if (is_fstab_only(key))
                return true;
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

/* The source operand mount(8) and fstab need: it means nothing, so only these words. */
static bool is_source_word(const char *source)
{
        return strcmp(source, "none") == 0 || strcmp(source, "mlx5dbgfs") == 0;
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
        const char *positional[2];      /* [SOURCE] MOUNTPOINT */
        unsigned n_positional = 0;

        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];

                if (!positional_only && a[0] == '-') {
                        if (strcmp(a, "--") == 0) {
                                positional_only = true;
                        } else if (strcmp(a, "--sim") == 0) {
                                set_sim(&o, "");
                        } else if (g_str_has_prefix(a, "--sim=")) {
                                set_sim(&o, a + strlen("--sim="));
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
                if (n_positional == G_N_ELEMENTS(positional)) {
                        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                                    "too many operands ('%s', '%s' and '%s'); expected [SOURCE] MOUNTPOINT",
                                    positional[0], positional[1], a);
                        goto fail;
                }
                positional[n_positional++] = a;
        }
        /* mount.fuse3 runs "mlx5dbgfs SOURCE MOUNTPOINT -o ...": SOURCE names no device here. */
        if (n_positional == 2 && !is_source_word(positional[0])) {
                g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                            "unknown source '%s' (mount points '%s' and '%s'?): the source is 'none' or "
                            "'mlx5dbgfs', devices come from the kernel or -o sim=SPEC",
                            positional[0], positional[0], positional[1]);
                goto fail;
        }
        o.mountpoint = g_strdup(n_positional ? positional[n_positional - 1] : MLX5DBGFS_DEFAULT_MOUNTPOINT);
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
        g_clear_pointer(&opts->debugfs_root, g_free);
        g_clear_pointer(&opts->fuse_options, g_ptr_array_unref);
}
