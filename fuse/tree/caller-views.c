/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Views of the global files (.stats, .stats.json, metrics) per caller.
 *
 * They are made anew for every process, but one process sees one snapshot
 * of each for CALLER_VIEW_US: its stat, the lookup before its open and the
 * open agree, so tar finds size and bytes equal however fast other readers
 * move the counters, while a new process (cat, grep) sees them as they are
 * now.  A walk also renders each once, not at every request that names it.
 */
#include "tree/tree-private.h"

/* How long one process keeps seeing the same snapshot of a global file. */
#define CALLER_VIEW_US (G_USEC_PER_SEC / 2)

/* Set for every request: a plain thread variable, not a GPrivate lookup. */
static __thread pid_t caller_pid;

void mlx5_tree_set_caller(pid_t pid)
{
        caller_pid = pid;
}

static bool view_live(const struct caller_view *v, int64_t now)
{
        return v->snap && now - v->snap->taken_monotonic_us < CALLER_VIEW_US;
}

/* The view pid has of kind, referenced, or NULL. */
static mlx5_snapshot *view_find(mlx5_tree *tree, pid_t pid, unsigned kind, int64_t now)
{
        mlx5_snapshot *snap = NULL;

        g_mutex_lock(&tree->open_lock);
        for (unsigned i = 0; i < TREE_CALLER_VIEWS; i++) {
                struct caller_view *v = &tree->caller_views[i];

                if (v->pid == pid && v->kind == kind && view_live(v, now)) {
                        snap = mlx5_snapshot_ref(v->snap);
                        break;
                }
        }
        g_mutex_unlock(&tree->open_lock);
        return snap;
}

/* Keeps snap as pid's view of kind: in place of the one it had, else of the oldest. */
static void view_keep(mlx5_tree *tree, pid_t pid, unsigned kind, mlx5_snapshot *snap, int64_t now)
{
        struct caller_view *slot = NULL, *oldest = &tree->caller_views[0];
        bool evicted_live;

        g_mutex_lock(&tree->open_lock);
        for (unsigned i = 0; i < TREE_CALLER_VIEWS && !slot; i++) {
                struct caller_view *v = &tree->caller_views[i];

                if (v->snap && v->pid == pid && v->kind == kind)
                        slot = v;
                else if (!v->snap || (oldest->snap && v->snap->taken_monotonic_us < oldest->snap->taken_monotonic_us))
                        oldest = v;
        }
        evicted_live = !slot && view_live(oldest, now);
        if (!slot)
                slot = oldest;
        if (evicted_live && tree->caller_views_tripped++ == 0)
                g_message("%d views of global files taken within %d ms (limit TREE_CALLER_VIEWS): the oldest "
                          "goes, and its process may see newer counters at its next request",
                          TREE_CALLER_VIEWS, (int) (CALLER_VIEW_US / 1000));
        mlx5_snapshot_unref(slot->snap);
        slot->pid = pid;
        slot->kind = kind;
        slot->snap = mlx5_snapshot_ref(snap);
        g_mutex_unlock(&tree->open_lock);
}

int tree_caller_view(mlx5_tree *tree, const struct mlx5_tree_node *n, tree_content_fn make, mlx5_snapshot **ret_snap)
{
        pid_t pid = caller_pid;
        int64_t now = g_get_monotonic_time();
        mlx5_snapshot *snap;
        int r;

        if (pid <= 0)
                return make(tree, n, ret_snap);
        snap = view_find(tree, pid, n->kind, now);
        if (snap) {
                *ret_snap = snap;
                return 0;
        }
        r = make(tree, n, &snap);
        if (r < 0)
                return r;
        view_keep(tree, pid, n->kind, snap, now);
        *ret_snap = snap;
        return 0;
}

static int stats_make(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap)
{
        *ret_snap = tree_stats_snapshot(tree);
        return 0;
}

mlx5_snapshot *tree_stats_for_caller(mlx5_tree *tree)
{
        mlx5_snapshot *snap = NULL;

        /* Cannot fail: stats_make does not. */
        tree_caller_view(tree, &(struct mlx5_tree_node) { .kind = NODE_STATS }, stats_make, &snap);
        return snap;
}

void tree_caller_views_free(mlx5_tree *tree)
{
        for (unsigned i = 0; i < TREE_CALLER_VIEWS; i++)
                g_clear_pointer(&tree->caller_views[i].snap, mlx5_snapshot_unref);
}

void tree_format_caller_view_stats(mlx5_tree *tree, GString *out)
{
        uint64_t tripped;

        g_mutex_lock(&tree->open_lock);
        tripped = tree->caller_views_tripped;
        g_mutex_unlock(&tree->open_lock);
        g_string_append_printf(out, "limits.caller_views: %d\n", TREE_CALLER_VIEWS);
        g_string_append_printf(out, "limits.caller_views.tripped: %" G_GUINT64_FORMAT "\n", tripped);
}
