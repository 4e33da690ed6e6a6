/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * FUSE glue: every callback translates one request into one tree call and
 * one reply.  Policy lives in the tree; nothing here touches firmware.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "fs/caller-signals.h"
#include "fs/forget-names.h"
#include "fs/fs-ops.h"
#include "transport/cancel.h"
#include "transport/transport.h"

static struct fuse_session *session;
/* Whether files go through the page cache: only where the kernel drops stale pages itself. */
static bool page_cache;
/* Whether the kernel caches directory entries (FOPEN_CACHE_DIR, protocol 7.28). */
static bool dir_cache;

/*
 * Handles the kernel holds: released by the kernel, or at the end by
 * mlx5_fs_release_all (after an unmount the kernel releases nothing).
 */
static GMutex handles_lock;
static GHashTable *open_dirs;
/* One per open: linked through the handle itself, no hashing, no allocation. */
static GQueue open_files = G_QUEUE_INIT;

static void handle_add(GHashTable **set, void *handle)
{
        g_mutex_lock(&handles_lock);
        if (!*set)
                *set = g_hash_table_new(NULL, NULL);
        g_hash_table_add(*set, handle);
        g_mutex_unlock(&handles_lock);
}

static void handle_remove(GHashTable *set, void *handle)
{
        g_mutex_lock(&handles_lock);
        if (set)
                g_hash_table_remove(set, handle);
        g_mutex_unlock(&handles_lock);
}

static void file_handle_add(mlx5_tree_file *file)
{
        file->handle_link.data = file;
        g_mutex_lock(&handles_lock);
        g_queue_push_tail_link(&open_files, &file->handle_link);
        g_mutex_unlock(&handles_lock);
}

static void file_handle_remove(mlx5_tree_file *file)
{
        g_mutex_lock(&handles_lock);
        g_queue_unlink(&open_files, &file->handle_link);
        g_mutex_unlock(&handles_lock);
}

void mlx5_fs_release_all(mlx5_tree *tree)
{
        GHashTableIter iter;
        gpointer handle;
        GList *link;

        g_mutex_lock(&handles_lock);
        while ((link = g_queue_peek_head_link(&open_files))) {
                g_queue_unlink(&open_files, link);
                mlx5_tree_file_free(tree, link->data);
        }
        if (open_dirs) {
                g_hash_table_iter_init(&iter, open_dirs);
                while (g_hash_table_iter_next(&iter, &handle, NULL))
                        mlx5_tree_dir_free(handle);
                g_clear_pointer(&open_dirs, g_hash_table_unref);
        }
        g_mutex_unlock(&handles_lock);
}

/*
 * A request that waits for firmware carries a cancel token that INTERRUPT
 * fires.  It is unhooked before the reply: libfuse then waits for a
 * callback under way, so the token is never used after its request.
 */
static void on_interrupt(fuse_req_t req, void *data)
{
        /* A caller that is only being stopped (Ctrl-Z) or continued gets its answer when it comes. */
        if (!mlx5_caller_interrupted(fuse_req_ctx(req)->pid)) {
                mlx5_cancel_note_paused();
                return;
        }
        mlx5_cancel_fire(data);
}

static void interrupts_done(fuse_req_t req)
{
        if (mlx5_cancel_current())
                fuse_req_interrupt_func(req, NULL, NULL);
}

void mlx5_fs_set_session(struct fuse_session *se)
{
        session = se;
}

void mlx5_fs_invalidate_entry(fuse_ino_t parent, const char *name)
{
        int r;

        if (!session)
                return;
        r = fuse_lowlevel_notify_inval_entry(session, parent, name, strlen(name));
        /* ENOENT: the kernel had nothing cached, which is fine. */
        if (r < 0 && r != -ENOENT)
                g_warning("cannot invalidate the kernel's entry for %s: %s", name, g_strerror(-r));
}

/* Never from a request of the same inode: the tree calls it from hotplug. */
static void invalidate_inode(uint64_t ino, void *data)
{
        int r;

        if (!session)
                return;
        r = fuse_lowlevel_notify_inval_inode(session, ino, 0, 0);
        /* ENOENT: the kernel had nothing cached, which is fine. */
        if (r < 0 && r != -ENOENT)
                g_warning("cannot invalidate the kernel's inode %#" G_GINT64_MODIFIER "x: %s", (guint64) ino,
                          g_strerror(-r));
}

static mlx5_tree *tree_of(fuse_req_t req)
{
        return fuse_req_userdata(req);
}

/*
 * Requests that may wait for firmware (a cache miss) are first tried on the
 * FUSE thread without waiting; only if that would block do they move to this
 * pool, which replies from there.  So a slow device never holds a FUSE
 * thread, and what is already in memory costs no thread switch.
 */
static GThreadPool *slow_pool;
static unsigned slow_workers;

enum slow_op {
        SLOW_LOOKUP,
        SLOW_GETATTR,
        SLOW_OPEN,
        SLOW_OPENDIR,
        SLOW_READDIR,
        SLOW_READDIRPLUS,
};

struct slow_request {
        enum slow_op op;
        fuse_req_t req;
        fuse_ino_t ino;
        char *name;
        struct fuse_file_info fi;       /* a copy: the kernel's is gone when we return */
        size_t size;                    /* readdir's */
        off_t off;
};

/* Each returns false, without replying, when it would have had to wait. */
static bool do_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
        struct fuse_entry_param e = { 0 };
        double valid_s = 0.0;
        int r = mlx5_tree_lookup(tree_of(req), parent, name, &e.attr, &valid_s);

        if (r == -EWOULDBLOCK)
                return false;
        interrupts_done(req);
        if (r < 0) {
                fuse_reply_err(req, -r);
                return true;
        }
        e.ino = e.attr.st_ino;
        e.attr_timeout = e.entry_timeout = valid_s;
        fuse_reply_entry(req, &e);
        return true;
}

static bool do_getattr(fuse_req_t req, fuse_ino_t ino)
{
        struct stat st;
        double valid_s = 0.0;
        int r = mlx5_tree_getattr(tree_of(req), ino, &st, &valid_s);

        if (r == -EWOULDBLOCK)
                return false;
        interrupts_done(req);
        if (r < 0)
                fuse_reply_err(req, -r);
        else
                fuse_reply_attr(req, &st, valid_s);
        return true;
}

static bool do_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        mlx5_tree_file *file = NULL;
        int r = mlx5_tree_open(tree_of(req), ino, &file);

        if (r == -EWOULDBLOCK)
                return false;
        interrupts_done(req);
        if (r < 0) {
                fuse_reply_err(req, -r);
                return true;
        }
        fi->fh = (uintptr_t) file;
        /*
         * Page cache: the kernel keeps a file's pages only when this open's
         * snapshot is the one its cached attributes describe; else it drops
         * them, and a read past expired attributes asks for them anew
         * (FUSE_CAP_AUTO_INVAL_DATA) and gets the snapshot this open pinned.
         */
        fi->direct_io = !page_cache;
        fi->keep_cache = page_cache && file->keep_cache;
        file_handle_add(file);
        if (fuse_reply_open(req, fi) != 0) {
                file_handle_remove(file);
                mlx5_tree_file_free(tree_of(req), file);
        }
        return true;
}

static bool do_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        mlx5_tree_dir *dir = NULL;
        int r = mlx5_tree_opendir(tree_of(req), ino, &dir);

        if (r == -EWOULDBLOCK)
                return false;
        interrupts_done(req);
        if (r < 0) {
                fuse_reply_err(req, -r);
                return true;
        }
        fi->fh = (uintptr_t) dir;
        /*
         * The kernel serves getdents from the entries it cached, and keeps
         * them only when they are the ones this open shows (the tree tells).
         */
        if (dir_cache) {
                bool keep;

                fi->cache_readdir = mlx5_tree_dir_caches(dir, &keep);
                fi->keep_cache = keep;
        }
        handle_add(&open_dirs, dir);
        if (fuse_reply_open(req, fi) != 0) {
                handle_remove(open_dirs, dir);
                mlx5_tree_dir_free(dir);
        }
        return true;
}

/*
 * A thread's buffer for directory replies, kept from one request to the
 * next (the reply copies it out): a malloc of the kernel's whole reply
 * size cost every READDIRPLUS ~650 instructions.
 */
struct reply_buf {
        size_t size;
        char data[];
};
static GPrivate reply_buf_key = G_PRIVATE_INIT(g_free);

static char *reply_buf(size_t size)
{
        struct reply_buf *b = g_private_get(&reply_buf_key);

        if (!b || b->size < size) {
                b = g_malloc(sizeof(*b) + size);
                b->size = size;
                g_private_replace(&reply_buf_key, b);
        }
        return b->data;
}

/*
 * Entries from off on, as many as fit.  An entry of a listing under way is
 * waited for only where the request may block, and only the first: what is
 * resolved goes out at once.
 */
static bool do_readdir(fuse_req_t req, size_t size, off_t off, struct fuse_file_info *fi, bool plus, bool may_block)
{
        mlx5_tree_dir *dir = (mlx5_tree_dir *) (uintptr_t) fi->fh;
        char *buf = reply_buf(size);
        size_t used = 0;
        int r;

        /* Attributes that would need firmware are left to lookup: a listing must not wait on them. */
        mlx5_tree_dir_request_begin(dir);
        mlx5_tree_set_nonblocking(true);
        for (size_t index = off < 0 ? 0 : (size_t) off;; index++) {
                struct fuse_entry_param e = { 0 };
                const char *name;
                double valid_s = -1.0;
                size_t need;

                r = mlx5_tree_dir_entry(dir, &index, may_block && used == 0, &name, &e.attr, plus ? &valid_s : NULL);
                if (r <= 0)
                        break;
                if (!plus) {
                        need = fuse_add_direntry(req, buf + used, size - used, name, &e.attr, (off_t) index + 1);
                } else {
                        /* Inode 0: the kernel lists the name but keeps no entry for it. */
                        e.ino = valid_s < 0 ? 0 : e.attr.st_ino;
                        e.attr_timeout = e.entry_timeout = MAX(valid_s, 0.0);
                        need = fuse_add_direntry_plus(req, buf + used, size - used, name, &e, (off_t) index + 1);
                }
                if (need > size - used)
                        break;
                used += need;
        }
        mlx5_tree_dir_request_end(dir);
        mlx5_tree_set_nonblocking(false);
        if (r == -EWOULDBLOCK && used == 0)
                return false;
        interrupts_done(req);
        /* What was read goes out; a failure after it comes with the next call. */
        if (r < 0 && r != -EWOULDBLOCK && used == 0)
                fuse_reply_err(req, -r);
        else
                fuse_reply_buf(req, buf, used);
        return true;
}

static bool run_request(struct slow_request *r, bool may_block)
{
        bool replied = false;

        mlx5_tree_set_nonblocking(!may_block);
        mlx5_tree_set_caller(fuse_req_ctx(r->req)->pid);
        switch (r->op) {
        case SLOW_LOOKUP:
                replied = do_lookup(r->req, r->ino, r->name);
                break;
        case SLOW_GETATTR:
                replied = do_getattr(r->req, r->ino);
                break;
        case SLOW_OPEN:
                replied = do_open(r->req, r->ino, &r->fi);
                break;
        case SLOW_OPENDIR:
                replied = do_opendir(r->req, r->ino, &r->fi);
                break;
        case SLOW_READDIR:
        case SLOW_READDIRPLUS:
                replied = do_readdir(r->req, r->size, r->off, &r->fi, r->op == SLOW_READDIRPLUS, may_block);
                break;
        }
        mlx5_tree_set_nonblocking(false);
        return replied;
}

static void run_slow(gpointer data, gpointer user_data)
{
        struct slow_request *r = data;
        g_autoptr(mlx5_cancel) cancel = mlx5_cancel_new();

        mlx5_cancel_set_current(cancel);
        fuse_req_interrupt_func(r->req, on_interrupt, cancel);
        run_request(r, true);
        mlx5_cancel_set_current(NULL);
        g_free(r->name);
        g_free(r);
}

/* Serves a request now if it needs no firmware, else hands it to the pool; size and off: readdir's. */
static void serve_full(enum slow_op op, fuse_req_t req, fuse_ino_t ino, const char *name, struct fuse_file_info *fi,
                       size_t size, off_t off)
{
        struct slow_request now = { .op = op, .req = req, .ino = ino, .name = (char *) name, .size = size, .off = off };
        struct slow_request *later;

        if (fi)
                now.fi = *fi;
        if (run_request(&now, !slow_pool))
                return;
        later = g_memdup2(&now, sizeof(now));
        later->name = g_strdup(name);
        g_thread_pool_push(slow_pool, later, NULL);
}

static void serve(enum slow_op op, fuse_req_t req, fuse_ino_t ino, const char *name, struct fuse_file_info *fi)
{
        serve_full(op, req, ino, name, fi, 0, 0);
}

void mlx5_fs_start_workers(unsigned n)
{
        slow_pool = g_thread_pool_new(run_slow, NULL, (gint) n, FALSE, NULL);
        slow_workers = n;
        mlx5_pool_threads_keep_idle((int) n);
}

void mlx5_fs_stop_workers(void)
{
        mlx5_cancel_all();
        if (slow_pool) {
                g_thread_pool_free(g_steal_pointer(&slow_pool), FALSE, TRUE);
                mlx5_pool_threads_keep_idle(-(int) slow_workers);
        }
}

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
        mlx5_tree *tree = userdata;

        /*
         * Attributes with every directory chunk, not only the first
         * (READDIRPLUS_AUTO): tar and grep read a whole directory before
         * they stat its entries, and a listing's attributes last as long
         * as the listing.  Stale pages go when attributes change.
         */
        conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;
        page_cache = conn->capable & FUSE_CAP_AUTO_INVAL_DATA;
        dir_cache = conn->proto_major > 7 || (conn->proto_major == 7 && conn->proto_minor >= 28);
        if (page_cache)
                conn->want |= FUSE_CAP_AUTO_INVAL_DATA;
        /*
         * Link targets in the page cache: a warm walk then sends no READLINK.
         * A link's target is a function of its inode (a reference names its
         * ref and target number; an alias its device slot, whose removal has
         * the kernel forget it), so a cached one is never stale.
         */
        if (conn->capable & FUSE_CAP_CACHE_SYMLINKS)
                conn->want |= FUSE_CAP_CACHE_SYMLINKS;
        mlx5_tree_set_inval_handler(tree, invalidate_inode, mlx5_fs_forget_name, NULL);
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
        serve(SLOW_LOOKUP, req, parent, name, NULL);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        struct stat st;
        double valid_s = 0.0;

        /* With a handle (regular files only), report what it pinned: no firmware needed. */
        if (fi && fi->fh) {
                int r = mlx5_tree_file_stat(tree_of(req), (mlx5_tree_file *) (uintptr_t) fi->fh, &st, &valid_s);

                if (r < 0)
                        fuse_reply_err(req, -r);
                else
                        fuse_reply_attr(req, &st, valid_s);
                return;
        }
        serve(SLOW_GETATTR, req, ino, NULL, NULL);
}

static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
                       struct fuse_file_info *fi)
{
        fuse_reply_err(req, EROFS);
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)) {
                fuse_reply_err(req, EROFS);
                return;
        }
        serve(SLOW_OPEN, req, ino, NULL, fi);
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
        const char *data;
        size_t len;
        int r = off < 0 ? -EINVAL : mlx5_tree_read(tree_of(req), (mlx5_tree_file *) (uintptr_t) fi->fh,
                                                   (uint64_t) off, size, &data, &len);

        if (r < 0)
                fuse_reply_err(req, -r);
        else
                fuse_reply_buf(req, data, len);
}

static void op_readlink(fuse_req_t req, fuse_ino_t ino)
{
        g_autofree char *target = NULL;
        int r = mlx5_tree_readlink(tree_of(req), ino, &target);

        if (r < 0)
                fuse_reply_err(req, -r);
        else
                fuse_reply_readlink(req, target);
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        file_handle_remove((mlx5_tree_file *) (uintptr_t) fi->fh);
        mlx5_tree_file_free(tree_of(req), (mlx5_tree_file *) (uintptr_t) fi->fh);
        fuse_reply_err(req, 0);
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        serve(SLOW_OPENDIR, req, ino, NULL, fi);
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
        serve_full(SLOW_READDIR, req, ino, NULL, fi, size, off);
}

static void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
        serve_full(SLOW_READDIRPLUS, req, ino, NULL, fi, size, off);
}

static void op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
        handle_remove(open_dirs, (void *) (uintptr_t) fi->fh);
        mlx5_tree_dir_free((mlx5_tree_dir *) (uintptr_t) fi->fh);
        fuse_reply_err(req, 0);
}

/*
 * No extended attributes, said as such (EOPNOTSUPP), not as an unknown
 * request (ENOSYS, after which the kernel answers every ACL query "no
 * data"): ls -l then knows the mount has no ACLs and stops asking for each
 * entry (coreutils' file_has_acl_cache), one system call less per line.
 */
static void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
        fuse_reply_err(req, EOPNOTSUPP);
}

static void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
        struct statvfs sv = { .f_bsize = 4096, .f_frsize = 4096, .f_namemax = 255, .f_flag = ST_RDONLY };

        fuse_reply_statfs(req, &sv);
}

const struct fuse_lowlevel_ops mlx5_fs_ops = {
        .init = op_init,
        .lookup = op_lookup,
        .getattr = op_getattr,
        .setattr = op_setattr,
        .open = op_open,
        .read = op_read,
        .readlink = op_readlink,
        .release = op_release,
        .opendir = op_opendir,
        .readdir = op_readdir,
        .readdirplus = op_readdirplus,
        .releasedir = op_releasedir,
        .statfs = op_statfs,
        .getxattr = op_getxattr,
};
