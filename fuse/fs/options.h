/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

#define MLX5DBGFS_DEFAULT_MOUNTPOINT "/mnt/mlx5dbg"

struct mlx5dbgfs_options {
        char *mountpoint;
        bool sim;
        char *sim_spec;                 /* after --sim=, "" for the default */
        char *schema_dir;
        bool check_schema;
        bool foreground;
        bool debug;
        bool show_help;
        bool show_version;
        double ttl;                     /* -o ttl=SECONDS */
        unsigned cache_mib;             /* -o cache_size=MIB */
        unsigned max_inflight;          /* -o max_inflight=N, per device */
        unsigned max_rate;              /* -o max_rate=N commands/s per device, 0 = no cap */
        double cmd_timeout;             /* -o cmd_timeout=SECONDS per command (device/fw-limits.h) */
        double list_timeout;            /* -o list_timeout=SECONDS per listing */
        unsigned max_list_ids;          /* -o max_list_ids=N object ids per listing */
        unsigned max_dump_mib;          /* -o max_dump_mib=MIB per resource dump */
        unsigned max_view_mib;          /* -o max_view_mib=MIB per view of a whole listing */
        bool nonempty;                  /* -o nonempty: mount over a non-empty directory */
        char *debugfs_root;             /* -o debugfs_root=PATH: where debugfs is mounted, or NULL */
        GPtrArray *fuse_options;        /* passed on to libfuse, e.g. allow_other */
};

/* Parses argv; errors name the offending argument. */
bool mlx5dbgfs_options_parse(int argc, char **argv, struct mlx5dbgfs_options *ret_opts, GError **error);
void mlx5dbgfs_options_clear(struct mlx5dbgfs_options *opts);
void mlx5dbgfs_print_usage(const char *argv0);
