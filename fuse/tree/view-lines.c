/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A view of a whole listing as lines rendered in slices: one pass renders
 * every line once and keeps only where each ends (8 bytes a line), so stat
 * tells the exact length; a read renders the lines its range covers, from
 * the same pinned snapshots, so the bytes match that length.  A view of a
 * million objects never lies in memory whole.  The ends are kept with the
 * listing (mlx5_listing_keep_whole), with what else the lines came from:
 * the next stat or open shown the same snapshots takes them, and only its
 * reads render (once, as the floor's reads copy).
 */
#include <errno.h>

#include "tree/views.h"

static GPrivate line_scratch = G_PRIVATE_INIT(tree_scratch_free);

/* Lines rendered, measures made, measures taken as kept (atomic). */
static gsize lines_rendered, lines_measured, lines_reused;

/* What one pass over the lines learnt: the measure's bytes. */
struct lines_measure {
        GBytes *state;                  /* the view's keep_state, or NULL */
        guint n;
        uint64_t end[];
};

static void measure_free(gpointer p)
{
        struct lines_measure *m = p;

        if (m->state)
                g_bytes_unref(m->state);
        g_free(m);
}

void tree_lines_counts(uint64_t *ret_rendered, uint64_t *ret_measured, uint64_t *ret_reused)
{
        *ret_rendered = g_atomic_pointer_get(&lines_rendered);
        *ret_measured = g_atomic_pointer_get(&lines_measured);
        *ret_reused = g_atomic_pointer_get(&lines_reused);
}

void tree_format_lines_stats(GString *out)
{
        uint64_t rendered, measured, reused;

        tree_lines_counts(&rendered, &measured, &reused);
        g_string_append_printf(out, "views.lines_rendered: %" G_GUINT64_FORMAT "\n", rendered);
        g_string_append_printf(out, "views.measured: %" G_GUINT64_FORMAT "\n", measured);
        g_string_append_printf(out, "views.measures_reused: %" G_GUINT64_FORMAT "\n", reused);
}

static int render_line(struct tree_lines *tl, guint i, GString *out)
{
        g_atomic_pointer_add(&lines_rendered, 1);
        return tl->line(tl, i, out);
}

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
                int r = render_line(tl, i, line);

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

        if (tl->measure)
                g_bytes_unref(tl->measure);
        tl->clear(tl);
}

void tree_lines_free(struct tree_lines *tl)
{
        if (tl)
                lines_free(&tl->slices);
}

/* The measure the listing kept, if it was made from what the lines would be rendered from now. */
static GBytes *kept_measure(struct tree_lines *tl)
{
        GBytes *kept = tl->listing ? mlx5_listing_kept_whole(tl->listing, tl->whole) : NULL;
        const struct lines_measure *m = kept ? g_bytes_get_data(kept, NULL) : NULL;

        if (m && m->n == tl->n && (!tl->take_state || tl->take_state(tl, m->state)))
                return kept;
        if (kept)
                g_bytes_unref(kept);
        return NULL;
}

bool tree_lines_kept_line(struct tree_lines *tl, guint i, uint64_t *ret_start, uint64_t *ret_len)
{
        const struct lines_measure *m;

        if (!tl->measure)
                tl->measure = kept_measure(tl);
        if (!tl->measure || i >= tl->n)
                return false;
        m = g_bytes_get_data(tl->measure, NULL);
        tl->end = m->end;
        *ret_start = line_start(tl, i);
        *ret_len = tl->end[i] - *ret_start;
        return true;
}

/* Renders every line once (or asks its length): where each ends, and what else the view rendered them from. */
static int measure(struct tree_lines *tl, GBytes **ret_measure)
{
        struct lines_measure *m;
        uint64_t total = 0;
        int r;

        r = tl->prepare ? tl->prepare(tl) : 0;
        if (r < 0)
                return r;
        m = g_malloc0(sizeof(*m) + (size_t) tl->n * sizeof(m->end[0]));
        m->n = tl->n;
        for (guint i = 0; i < tl->n && r == 0; i++) {
                if (tl->line_len) {
                        total += tl->line_len(tl, i);
                } else {
                        GString *line = tree_scratch(&line_scratch);

                        r = render_line(tl, i, line);
                        total += line->len;
                }
                m->end[i] = total;
                if (r == 0)
                        r = tree_view_check_size(total, tl->view);
        }
        if (r < 0) {
                measure_free(m);
                return r;
        }
        m->state = tl->keep_state ? tl->keep_state(tl) : NULL;
        *ret_measure = g_bytes_new_with_free_func(m, sizeof(*m) + (size_t) tl->n * sizeof(m->end[0]) +
                                                          (m->state ? g_bytes_get_size(m->state) : 0),
                                                  measure_free, m);
        g_atomic_pointer_add(&lines_measured, 1);
        /* Not kept (no room): the next open measures again, as before. */
        if (tl->listing)
                mlx5_listing_keep_whole(tl->listing, tl->whole, *ret_measure);
        return 0;
}

int tree_lines_snapshot(struct tree_lines *tl, const mlx5_snapshot *like, mlx5_snapshot **ret_snap)
{
        const struct lines_measure *m;
        mlx5_snapshot *snap;
        int r = 0;

        tl->slices.render = lines_render;
        tl->slices.free = lines_free;
        tl->measure = kept_measure(tl);
        if (tl->measure)
                g_atomic_pointer_add(&lines_reused, 1);
        else
                r = measure(tl, &tl->measure);
        if (r < 0) {
                tree_lines_free(tl);
                return r;
        }
        m = g_bytes_get_data(tl->measure, NULL);
        tl->end = m->end;
        snap = mlx5_snapshot_new_slices(&tl->slices, tl->n ? m->end[tl->n - 1] : 0,
                                        (size_t) tl->n * sizeof(*tl->end));
        tree_snapshot_take_times(snap, like);
        *ret_snap = snap;
        return 0;
}
