/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A view of a whole listing as lines rendered in slices: one pass renders
 * every line once and keeps only where each ends (8 bytes a line), so stat
 * tells the exact length; a read renders the lines its range covers, from
 * the same pinned snapshots, so the bytes match that length.  A view of a
 * million objects never lies in memory whole.
 */
#include <errno.h>

#include "tree/views.h"

static GPrivate line_scratch = G_PRIVATE_INIT(tree_scratch_free);

static uint64_t line_start(const struct tree_lines *tl, guint i)
{
        return i ? tl->end[i - 1] : 0;
}

/* The first line that ends after off. */
static guint line_at(const struct tree_lines *tl, uint64_t off)
{
        guint lo = 0, hi = tl->n;

        while (lo < hi) {
                guint mid = lo + (hi - lo) / 2;

                if (tl->end[mid] > off)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return lo;
}

static int lines_render(struct mlx5_slices *s, uint64_t off, size_t size, GString *out)
{
        struct tree_lines *tl = (struct tree_lines *) s;
        uint64_t stop = off + size;

        for (guint i = line_at(tl, off); i < tl->n && line_start(tl, i) < stop; i++) {
                GString *line = tree_scratch(&line_scratch);
                uint64_t start = line_start(tl, i), from, to;
                int r = tl->line(tl, i, line);

                if (r < 0)
                        return r;
                /* Rendered from the same snapshots as when measured: another length is a bug, not a new state. */
                if (start + line->len != tl->end[i]) {
                        g_warning("%s: line %u rendered %zu bytes, measured %" G_GUINT64_FORMAT ": read fails",
                                  tl->view, i, line->len, tl->end[i] - start);
                        return -EIO;
                }
                from = MAX(off, start) - start;
                to = MIN(stop, tl->end[i]) - start;
                g_string_append_len(out, line->str + from, (gssize) (to - from));
        }
        return 0;
}

static void lines_free(struct mlx5_slices *s)
{
        struct tree_lines *tl = (struct tree_lines *) s;

        g_free(tl->end);
        tl->clear(tl);
}

void tree_lines_free(struct tree_lines *tl)
{
        if (tl)
                lines_free(&tl->slices);
}

int tree_lines_snapshot(struct tree_lines *tl, const mlx5_snapshot *like, mlx5_snapshot **ret_snap)
{
        uint64_t total = 0;
        mlx5_snapshot *snap;
        int r = 0;

        tl->slices.render = lines_render;
        tl->slices.free = lines_free;
        tl->end = g_new(uint64_t, tl->n ? tl->n : 1);
        for (guint i = 0; i < tl->n && r == 0; i++) {
                GString *line = tree_scratch(&line_scratch);

                r = tl->line(tl, i, line);
                total += line->len;
                tl->end[i] = total;
                if (r == 0)
                        r = tree_view_check_size(total, tl->view);
        }
        if (r < 0) {
                tree_lines_free(tl);
                return r;
        }
        snap = mlx5_snapshot_new_slices(&tl->slices, total, (size_t) tl->n * sizeof(*tl->end));
        tree_snapshot_take_times(snap, like);
        *ret_snap = snap;
        return 0;
}
