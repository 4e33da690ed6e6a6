/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/mountpoint.h"

#define MOUNTINFO_PATH "/proc/self/mountinfo"
/* The fstype libfuse gives the mount: "fuse." and our subtype= option. */
#define OUR_FSTYPE "fuse.mlx5dbgfs"

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static char *unescape_mountinfo(const char *field)
{
        GString *out = g_string_sized_new(strlen(field));

        for (const char *p = field; *p; p++) {
                if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
                    p[3] >= '0' && p[3] <= '7') {
                        g_string_append_c(out, (char) ((p[1] - '0') << 6 | (p[2] - '0') << 3 | (p[3] - '0')));
                        p += 3;
                } else {
                        g_string_append_c(out, *p);
                }
        }
        return g_string_free(out, FALSE);
}

/* The fstype of the topmost mount at path (canonical), or NULL if none; from /proc/self/mountinfo. */
static char *mounted_fstype(const char *path)
{
        g_autofree char *text = NULL;
        g_auto(GStrv) lines = NULL;
        char *fstype = NULL;

        if (!g_file_get_contents(MOUNTINFO_PATH, &text, NULL, NULL))
                return NULL;
        lines = g_strsplit(text, "\n", -1);
        /* Later lines are mounted later: the last match is on top. */
        for (char **line = lines; *line; line++) {
                g_auto(GStrv) fields = g_strsplit(*line, " ", -1);
                g_autofree char *point = NULL;
                guint n = g_strv_length(fields), sep;

                if (n < 10)
                        continue;
                /* id parent dev root point opts [optional...] - fstype source superopts */
                for (sep = 6; sep < n && strcmp(fields[sep], "-") != 0; sep++)
                        ;
                if (sep + 1 >= n)
                        continue;
                point = unescape_mountinfo(fields[4]);
                if (strcmp(point, path) == 0) {
                        g_free(fstype);
                        fstype = g_strdup(fields[sep + 1]);
                }
        }
        return fstype;
}

/* 1 if dir has an entry besides . and .., 0 if not; negative errno. */
static int dir_has_entries(const char *path)
{
        DIR *dir = opendir(path);
        struct dirent *de;
        int r = 0;

        if (!dir)
                return -errno;
        /* One entry decides: the loop ends at the first that is not . or .. */
        while ((de = readdir(dir)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
                        r = 1;
                        break;
                }
        closedir(dir);
        return r;
}

int mlx5dbgfs_check_mountpoint(const char *path, bool nonempty, bool create, GError **error)
{
        g_autofree char *canonical = NULL;
        g_autofree char *fstype = NULL;
        struct stat st;
        int r;

        if (stat(path, &st) < 0 && errno == ENOENT && create && g_mkdir_with_parents(path, 0755) < 0) {
                r = -errno;
                g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(-r), "cannot create mount point %s: %s",
                            path, g_strerror(-r));
                return r;
        }
        if (stat(path, &st) < 0) {
                r = -errno;
                if (r == -ENOTCONN)
                        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                                    "mount point %s: %s: a FUSE daemon that served it has died; "
                                    "run 'fusermount3 -u %s' and mount again",
                                    path, g_strerror(-r), path);
                else
                        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(-r), "mount point %s: %s",
                                    path, g_strerror(-r));
                return r;
        }
        if (!S_ISDIR(st.st_mode)) {
                g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR,
                            "mount point %s is not a directory: mlx5dbgfs mounts a directory tree", path);
                return -ENOTDIR;
        }
        canonical = realpath(path, NULL);
        fstype = canonical ? mounted_fstype(canonical) : NULL;
        if (fstype && strcmp(fstype, OUR_FSTYPE) == 0) {
                g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                            "%s is already an mlx5dbgfs mount: one daemon per mount point "
                            "(unmount it first with 'fusermount3 -u %s')", path, path);
                return -EEXIST;
        }
        if (nonempty)
                return 0;
        r = dir_has_entries(path);
        if (r < 0) {
                g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(-r), "mount point %s: %s", path,
                            g_strerror(-r));
                return r;
        }
        if (r > 0) {
                g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                            "mount point %s is not empty: the mount would hide what it holds "
                            "(-o nonempty mounts over it anyway)", path);
                return -ENOTEMPTY;
        }
        return 0;
}
