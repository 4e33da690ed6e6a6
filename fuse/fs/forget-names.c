/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Names the kernel must forget, told from a thread of its own.  The tree
 * asks from inside requests (a listing dropped for memory while a walk
 * leases another), but the kernel forgets a name under its directory's
 * lock, which a request in that directory holds until we answer it: a
 * request thread that waited for it could wait for itself.  This thread
 * serves no request, so it only waits for requests other threads answer.
 *
 * Pending names are a set: asking again for one not yet forgotten adds
 * nothing, so what is pending is bounded by the names the tree can ask
 * for (a type directory of each device), not by how often it asks.
 */
#include <string.h>

#include "fs/forget-names.h"
#include "fs/fs-ops.h"

struct pending_name {
        uint64_t parent;
        char name[];
};

/* Static, so its lock and condition need no init: a name asked for before start or after stop is dropped. */
static struct {
        GMutex lock;
        GCond changed;
        GHashTable *pending;    /* struct pending_name, owned; while the thread runs */
        GThread *thread;
        bool stopping;
} forget;

static guint pending_hash(gconstpointer p)
{
        const struct pending_name *n = p;

        return g_str_hash(n->name) ^ (guint) n->parent ^ (guint) (n->parent >> 32);
}

static gboolean pending_equal(gconstpointer a, gconstpointer b)
{
        const struct pending_name *x = a, *y = b;

        return x->parent == y->parent && strcmp(x->name, y->name) == 0;
}

static gpointer run_forget(gpointer unused)
{
        g_mutex_lock(&forget.lock);
        for (;;) {
                GHashTableIter iter;
                gpointer key;

                while (!forget.stopping && g_hash_table_size(forget.pending) == 0)
                        g_cond_wait(&forget.changed, &forget.lock);
                if (g_hash_table_size(forget.pending) == 0)
                        break;
                g_hash_table_iter_init(&iter, forget.pending);
                g_hash_table_iter_next(&iter, &key, NULL);
                g_hash_table_iter_steal(&iter);
                g_mutex_unlock(&forget.lock);
                mlx5_fs_invalidate_entry(((struct pending_name *) key)->parent, ((struct pending_name *) key)->name);
                g_free(key);
                g_mutex_lock(&forget.lock);
        }
        g_mutex_unlock(&forget.lock);
        return NULL;
}

void mlx5_fs_forget_names_start(void)
{
        g_mutex_lock(&forget.lock);
        forget.pending = g_hash_table_new_full(pending_hash, pending_equal, g_free, NULL);
        forget.stopping = false;
        forget.thread = g_thread_new("forget-names", run_forget, NULL);
        g_mutex_unlock(&forget.lock);
}

void mlx5_fs_forget_names_stop(void)
{
        if (!forget.thread)
                return;
        g_mutex_lock(&forget.lock);
        forget.stopping = true;
        g_cond_signal(&forget.changed);
        g_mutex_unlock(&forget.lock);
        g_thread_join(forget.thread);
        g_mutex_lock(&forget.lock);
        forget.thread = NULL;
        g_clear_pointer(&forget.pending, g_hash_table_unref);
        g_mutex_unlock(&forget.lock);
}

void mlx5_fs_forget_name(uint64_t parent, const char *name, void *unused)
{
        size_t len = strlen(name) + 1;
        struct pending_name *n = g_malloc(sizeof(*n) + len);

        n->parent = parent;
        memcpy(n->name, name, len);
        g_mutex_lock(&forget.lock);
        if (forget.thread && !forget.stopping) {
                /* One already pending stays one entry (the set keeps this copy). */
                if (g_hash_table_add(forget.pending, n))
                        g_cond_signal(&forget.changed);
                n = NULL;
        }
        g_mutex_unlock(&forget.lock);
        /* Unmounting: the kernel forgets every name anyway. */
        g_free(n);
}
