/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/schema-dir.h"

#define SCHEMA_DIR_ENV "MLX5DBGFS_SCHEMA_DIR"
/* Entries checked at most; the loader itself takes far fewer *.schema files. */
#define SCHEMA_DIR_MAX_ENTRIES 4096

const char *mlx5dbgfs_schema_dir(const char *option)
{
        const char *env = g_getenv(SCHEMA_DIR_ENV);

        if (option)
                return option;
        if (env && *env)
                return env;
        return MLX5DBGFS_SCHEMA_DIR;
}

/* Whether someone other than root could write path, given its stat; sticky directories excepted. */
static bool writable_by_others(const struct stat *st, bool ancestor)
{
        if (ancestor && S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX) && st->st_uid == 0)
                return false;
        return st->st_uid != 0 || (st->st_mode & (S_IWGRP | S_IWOTH));
}

static int refuse(const char *path, const struct stat *st, const char *what, GError **error)
{
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_PERM,
                    "schema %s %s (owner uid %u, mode %04o) can be changed by a user other than root; "
                    "as root, mlx5dbgfs loads only a schema that root alone controls",
                    what, path, (unsigned) st->st_uid, (unsigned) (st->st_mode & 07777));
        return -EPERM;
}

static int stat_or_fail(const char *path, struct stat *st, GError **error)
{
        int r;

        if (stat(path, st) == 0)
                return 0;
        r = -errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(-r), "schema %s: %s", path, g_strerror(-r));
        return r;
}

int mlx5dbgfs_schema_dir_check_owner(const char *dir, GError **error)
{
        g_autofree char *canonical = NULL;
        g_autofree char *up = NULL;
        struct stat st;
        DIR *d;
        struct dirent *de;
        unsigned n = 0;
        int r = 0;

        if (geteuid() != 0)
                return 0;
        canonical = realpath(dir, NULL);
        if (!canonical)
                return stat_or_fail(dir, &st, error);
        if ((r = stat_or_fail(canonical, &st, error)) < 0)
                return r;
        if (writable_by_others(&st, false))
                return refuse(canonical, &st, "directory", error);
        /* Whoever can rename a directory above it can swap the whole schema. */
        up = g_path_get_dirname(canonical);
        for (;;) {
                char *next;

                if ((r = stat_or_fail(up, &st, error)) < 0)
                        return r;
                if (writable_by_others(&st, true))
                        return refuse(up, &st, "directory's parent", error);
                if (strcmp(up, "/") == 0)
                        break;
                next = g_path_get_dirname(up);
                g_free(up);
                up = next;
        }
        d = opendir(canonical);
        if (!d) {
                r = -errno;
                g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(-r), "schema directory %s: %s", canonical,
                            g_strerror(-r));
                return r;
        }
        while ((de = readdir(d))) {
                g_autofree char *path = NULL;

                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (++n > SCHEMA_DIR_MAX_ENTRIES) {
                        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                                    "schema directory %s: more than %d entries", canonical, SCHEMA_DIR_MAX_ENTRIES);
                        r = -E2BIG;
                        break;
                }
                path = g_build_filename(canonical, de->d_name, NULL);
                if ((r = stat_or_fail(path, &st, error)) < 0)
                        break;
                if (writable_by_others(&st, false)) {
                        r = refuse(path, &st, "file", error);
                        break;
                }
        }
        closedir(d);
        return r;
}
