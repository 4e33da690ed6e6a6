/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuse-floor SOURCE_DIR MOUNTPOINT: the FUSE floor of bench/run.  A minimal
 * low-level FUSE filesystem that serves a copy of SOURCE_DIR (the tree an
 * archive of the daemon's mount extracts to) from memory, with the rules
 * the daemon keeps: read-only; attributes and names valid as long as the
 * picture they come from (here it never changes); attributes with every
 * directory chunk (readdirplus, not only the first chunk); files through the
 * page cache, kept across opens (the snapshot an open gets is the one the
 * kernel's attributes describe); OPEN, READ and RELEASE per file, like the
 * daemon (no FUSE_CAP_NO_OPEN_SUPPORT); directory entries and link targets
 * through the page cache, kept across opens; no extended attributes (EOPNOTSUPP), as the
 * daemon answers.  What the daemon costs beyond this
 * is its own doing, not FUSE's.  Runs in the foreground until unmounted.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Seconds the kernel may keep names and attributes: the picture never changes. */
#define VALID_S 86400.0
/* Inodes the floor serves at most: a 1M-QP tree is about 4.5M files. */
#define MAX_NODES (16u << 20)

struct node {
        struct stat st;
        char *name;
        fuse_ino_t parent;
        char *data;             /* file bytes or link target */
        GArray *children;       /* fuse_ino_t, directories only */
};

static GPtrArray *nodes;        /* ino - 1 -> struct node * */
static GHashTable *names;       /* "parent/name" -> ino */

static struct node *node_of(fuse_ino_t ino)
{
        return ino >= 1 && ino <= nodes->len ? nodes->pdata[ino - 1] : NULL;
}

static char *name_key(fuse_ino_t parent, const char *name)
{
        return g_strdup_printf("%" G_GUINT64_FORMAT "/%s", (guint64) parent, name);
}

static fuse_ino_t add_node(fuse_ino_t parent, const char *name, const struct stat *st)
{
        struct node *n = g_new0(struct node, 1);
        fuse_ino_t ino;

        if (nodes->len >= MAX_NODES) {
                fprintf(stderr, "fuse-floor: more than %u files (limit MAX_NODES)\n", MAX_NODES);
                exit(1);
        }
        n->st = *st;
        n->name = g_strdup(name);
        n->parent = parent ? parent : 1;
        g_ptr_array_add(nodes, n);
        ino = nodes->len;
        n->st.st_ino = ino;
        if (parent) {
                g_array_append_val(node_of(parent)->children, ino);
                g_hash_table_insert(names, name_key(parent, name), GSIZE_TO_POINTER(ino));
        }
        if (S_ISDIR(st->st_mode))
                n->children = g_array_new(FALSE, FALSE, sizeof(fuse_ino_t));
        return ino;
}

static int load(fuse_ino_t parent, int dirfd)
{
        DIR *d = fdopendir(dirfd);
        struct dirent *de;

        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                struct stat st;
                fuse_ino_t ino;
                gsize len;

                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
                ino = add_node(parent, de->d_name, &st);
                if (S_ISDIR(st.st_mode)) {
                        int fd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        int r = fd < 0 ? -errno : load(ino, fd);

                        if (r < 0)
                                return r;
                } else if (S_ISLNK(st.st_mode)) {
                        char target[4096];
                        ssize_t n = readlinkat(dirfd, de->d_name, target, sizeof(target) - 1);

                        if (n < 0)
                                return -errno;
                        node_of(ino)->data = g_strndup(target, (gsize) n);
                } else if (S_ISREG(st.st_mode)) {
                        int fd = openat(dirfd, de->d_name, O_RDONLY | O_CLOEXEC);
                        g_autoptr(GError) error = NULL;
                        g_autofree char *path = g_strdup_printf("/proc/self/fd/%d", fd);

                        if (fd < 0)
                                return -errno;
                        if (!g_file_get_contents(path, &node_of(ino)->data, &len, &error)) {
                                fprintf(stderr, "fuse-floor: %s: %s\n", de->d_name, error->message);
                                close(fd);
                                return -EIO;
                        }
                        node_of(ino)->st.st_size = (off_t) len;
                        close(fd);
                }
        }
        closedir(d);
        return 0;
}

static void floor_init(void *userdata, struct fuse_conn_info *conn)
{
        /* Attributes with every directory chunk, as the daemon asks. */
        conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;
        /* Link targets in the kernel's page cache, as the daemon keeps them. */
        if (conn->capable & FUSE_CAP_CACHE_SYMLINKS)
                conn->want |= FUSE_CAP_CACHE_SYMLINKS;
}

static void floor_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
        g_autofree char *key = name_key(parent, name);
        fuse_ino_t ino = GPOINTER_TO_SIZE(g_hash_table_lookup(names, key));
        struct fuse_entry_param e = { .attr_timeout = VALID_S, .entry_timeout = VALID_S };

        if (!ino) {
                fuse_reply_err(req, ENOENT);
                return;
        }
        e.ino = ino;
        e.attr = node_of(ino)->st;
        fuse_reply_entry(req, &e);
}

static void floor_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        struct node *n = node_of(ino);

        if (!n)
                fuse_reply_err(req, ENOENT);
        else
                fuse_reply_attr(req, &n->st, VALID_S);
}

static void floor_readlink(fuse_req_t req, fuse_ino_t ino)
{
        struct node *n = node_of(ino);

        if (!n || !S_ISLNK(n->st.st_mode))
                fuse_reply_err(req, EINVAL);
        else
                fuse_reply_readlink(req, n->data);
}

static void floor_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        struct node *n = node_of(ino);

        if (!n || !S_ISREG(n->st.st_mode)) {
                fuse_reply_err(req, n ? EISDIR : ENOENT);
                return;
        }
        if ((fi->flags & O_ACCMODE) != O_RDONLY) {
                fuse_reply_err(req, EROFS);
                return;
        }
        fi->keep_cache = 1;
        fuse_reply_open(req, fi);
}

static void floor_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
        struct node *n = node_of(ino);
        size_t len = (size_t) n->st.st_size;

        if (off < 0 || (size_t) off >= len)
                fuse_reply_buf(req, NULL, 0);
        else
                fuse_reply_buf(req, n->data + off, MIN(size, len - (size_t) off));
}

static void floor_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        fuse_reply_err(req, 0);
}

static void floor_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        struct node *n = node_of(ino);

        if (!n || !n->children) {
                fuse_reply_err(req, n ? ENOTDIR : ENOENT);
                return;
        }
        /*
         * The daemon's rule for directories: the kernel caches the entries
         * an open shows and keeps them exactly when the next open shows the
         * same; here the picture never changes, so always.
         */
        fi->cache_readdir = 1;
        fi->keep_cache = 1;
        fuse_reply_open(req, fi);
}

/* No extended attributes, said as the daemon says it (so ls -l asks about ACLs once, not per entry). */
static void floor_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
        fuse_reply_err(req, EOPNOTSUPP);
}

static void read_dir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, bool plus)
{
        struct node *dir = node_of(ino);
        g_autofree char *buf = g_malloc(size);
        size_t used = 0;

        if (!dir || !dir->children) {
                fuse_reply_err(req, ENOTDIR);
                return;
        }
        for (size_t i = off < 0 ? 0 : (size_t) off; i < dir->children->len + 2; i++) {
                fuse_ino_t child = i == 0 ? ino : i == 1 ? dir->parent
                                                       : g_array_index(dir->children, fuse_ino_t, i - 2);
                struct fuse_entry_param e = { .ino = child, .attr = node_of(child)->st,
                                              .attr_timeout = VALID_S, .entry_timeout = VALID_S };
                const char *name = i == 0 ? "." : i == 1 ? ".." : node_of(child)->name;
                size_t need;

                if (plus) {
                        /* "." and "..": the kernel keeps no entry for them. */
                        if (i < 2)
                                e.ino = 0;
                        need = fuse_add_direntry_plus(req, buf + used, size - used, name, &e, (off_t) i + 1);
                } else {
                        need = fuse_add_direntry(req, buf + used, size - used, name, &e.attr, (off_t) i + 1);
                }
                if (need > size - used)
                        break;
                used += need;
        }
        fuse_reply_buf(req, buf, used);
}

static void floor_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
        read_dir(req, ino, size, off, false);
}

static void floor_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
        read_dir(req, ino, size, off, true);
}

static const struct fuse_lowlevel_ops floor_ops = {
        .init = floor_init,
        .lookup = floor_lookup,
        .getattr = floor_getattr,
        .readlink = floor_readlink,
        .open = floor_open,
        .read = floor_read,
        .release = floor_release,
        .opendir = floor_opendir,
        .readdir = floor_readdir,
        .readdirplus = floor_readdirplus,
        .getxattr = floor_getxattr,
};

int main(int argc, char **argv)
{
        struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
        struct fuse_loop_config *cfg;
        struct fuse_session *se;
        struct stat root;
        int fd, r;

        if (argc != 3) {
                fprintf(stderr, "Usage: fuse-floor SOURCE_DIR MOUNTPOINT\n");
                return 2;
        }
        nodes = g_ptr_array_new();
        names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &root) < 0) {
                fprintf(stderr, "fuse-floor: %s: %s\n", argv[1], g_strerror(errno));
                return 1;
        }
        add_node(0, "", &root);
        r = load(1, fd);
        if (r < 0) {
                fprintf(stderr, "fuse-floor: loading %s: %s\n", argv[1], g_strerror(-r));
                return 1;
        }
        if (fuse_opt_add_arg(&args, "fuse-floor") != 0 || fuse_opt_add_arg(&args, "-o") != 0 ||
            fuse_opt_add_arg(&args, "ro,default_permissions,fsname=fuse-floor,subtype=fuse-floor") != 0)
                return 1;
        se = fuse_session_new(&args, &floor_ops, sizeof(floor_ops), NULL);
        if (!se || fuse_set_signal_handlers(se) != 0 || fuse_session_mount(se, argv[2]) != 0)
                return 1;
        cfg = fuse_loop_cfg_create();
        fuse_loop_cfg_set_max_threads(cfg, 16);
        r = fuse_session_loop_mt(se, cfg);
        fuse_loop_cfg_destroy(cfg);
        fuse_session_unmount(se);
        fuse_remove_signal_handlers(se);
        fuse_session_destroy(se);
        fuse_opt_free_args(&args);
        return r < 0 ? 1 : 0;
}
