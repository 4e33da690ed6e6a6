/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * <pci>/summary/<type>: one line per listed object, as `rdma res show`
 * gives one per resource: its id, the columns the schema's `summary` lines
 * name (values as the text files show them), and its owner's pid and comm.
 * A header line names the columns; every column is padded to its widest
 * value, so the file reads as a table and `column -t` keeps it one.  A
 * value never holds whitespace (it would split a column): a space in a
 * comm reads \x20.  An object firmware did not answer at listing time
 * shows "-" in the schema's columns.
 */
#include <errno.h>
#include <string.h>

#include "prm/bits.h"
#include "tree/views.h"

static bool has_summary(const mlx5_schema_resource *res)
{
        return res->has_id && res->summary->len > 0;
}

int tree_summary_children(mlx5_tree *tree, const struct mlx5_tree_node *self, mlx5_tree_entries *entries)
{
        g_autoptr(tree_device) td = tree_device_get(tree, self->dev);

        if (!td)
                return -ENOENT;
        for (unsigned i = 0; i < mlx5_schema_n_resources(tree->schema); i++) {
                const mlx5_schema_resource *res = mlx5_schema_resource_at(tree->schema, i);

                if (has_summary(res) && !td->dev->listing[i].absent)
                        mlx5_tree_entries_add(entries, res->name, (struct mlx5_tree_node) {
                                                      .kind = NODE_SUMMARY_FILE, .dev = self->dev, .sub = i });
        }
        return 0;
}

/*
 * A cell: what was appended to out from start, with whitespace and
 * backslashes escaped, so one value stays one word; "-" when empty.
 */
static void end_cell(GString *out, size_t start)
{
        static const char hex[] = "0123456789abcdef";
        g_autofree char *text = NULL;
        size_t i = start;

        /* A value ends at a NUL byte, as a C string does. */
        g_string_truncate(out, start + strlen(out->str + start));
        while (i < out->len && !g_ascii_isspace(out->str[i]) && out->str[i] != '\\')
                i++;
        if (i < out->len) {
                text = g_strndup(out->str + i, out->len - i);
                g_string_truncate(out, i);
                for (const char *c = text; *c; c++) {
                        if (g_ascii_isspace(*c) || *c == '\\') {
                                g_string_append_c(out, '\\');
                                g_string_append_c(out, 'x');
                                g_string_append_c(out, hex[(unsigned char) *c >> 4]);
                                g_string_append_c(out, hex[(unsigned char) *c & 0xf]);
                        } else {
                                g_string_append_c(out, *c);
                        }
                }
        }
        if (out->len == start)
                g_string_append_c(out, '-');
}

static void append_cell(GString *out, const char *text)
{
        size_t start = out->len;

        g_string_append(out, text);
        end_cell(out, start);
}

static void column_value(GString *out, const mlx5_schema_column *c, const uint8_t *raw, size_t len)
{
        size_t start = out->len;

        if (!raw || !mlx5_bits_in_range(len, c->bit_off, c->field->width)) {
                g_string_append_c(out, '-');
                return;
        }
        mlx5_decode_value(out, c->field, mlx5_bits_get(raw, len, c->bit_off, c->field->width));
        end_cell(out, start);
}

/* summary/<type>: what renders its rows, pinned while its snapshot lives. */
struct summary_lines {
        struct tree_lines lines;
        const mlx5_schema_resource *res;
        mlx5_snapshot *listing;
        unsigned ncols;
        size_t *width;                  /* per column, its widest cell */
        uint32_t *last_len;             /* while measured: per row, its last cell's length (the rest is padded) */
};

/*
 * The cells of row i (the header's for 0, else the object's in slot i - 1),
 * one after another in out, cell c ending at ends[c]: no allocation per
 * cell, as every listing measures every row.  buf: the listing's outlen + 1.
 */
static void row_cells(const struct summary_lines *sl, guint row, GString *out, size_t *ends, uint8_t *buf)
{
        const mlx5_schema_resource *res = sl->res;
        const struct mlx5_listing *l = sl->listing->listing;
        const struct mlx5_object_owner *o;
        const uint8_t *raw;
        guint i = row - 1;
        unsigned k = 0;
        bool owned;

        if (row == 0) {
                g_string_append(out, "id");
                ends[k++] = out->len;
                for (guint c = 0; c < res->summary->len; c++) {
                        g_string_append(out, g_array_index(res->summary, mlx5_schema_column, c).name);
                        ends[k++] = out->len;
                }
                g_string_append(out, "pid");
                ends[k++] = out->len;
                g_string_append(out, "comm");
                ends[k++] = out->len;
                return;
        }
        raw = mlx5_listing_raw(l, i, buf);
        owned = tree_listing_owner(l, (int) i, &o);
        /* No printf: every listing measures every row, and every read renders its rows again. */
        tree_append_id(out, g_array_index(l->ids, uint32_t, i));
        ends[k++] = out->len;
        for (guint c = 0; c < res->summary->len; c++) {
                column_value(out, &g_array_index(res->summary, mlx5_schema_column, c), raw, l->outlen);
                ends[k++] = out->len;
        }
        if (owned)
                mlx5_decode_append_dec(out, o->pid);
        else
                g_string_append_c(out, '-');
        ends[k++] = out->len;
        if (owned && o->pid) {
                append_cell(out, o->comm);
        } else if (owned) {
                size_t start = out->len;

                g_string_append_c(out, '[');
                g_string_append(out, o->comm);
                g_string_append_c(out, ']');
                end_cell(out, start);
        } else {
                g_string_append_c(out, '-');
        }
        ends[k++] = out->len;
}

/* A row: every column but the last padded to its width and two spaces. */
static int summary_line(struct tree_lines *tl, guint row, GString *out)
{
        struct summary_lines *sl = (struct summary_lines *) tl;
        g_autofree size_t *ends = g_new(size_t, sl->ncols);
        g_autofree uint8_t *buf = g_malloc(sl->listing->listing->outlen + 1);
        g_autoptr(GString) cells = g_string_sized_new(256);
        size_t from = 0;

        row_cells(sl, row, cells, ends, buf);
        for (unsigned c = 0; c < sl->ncols; c++) {
                size_t len = ends[c] - from;

                g_string_append_len(out, cells->str + from, (gssize) len);
                from = ends[c];
                if (c == sl->ncols - 1)
                        g_string_append_c(out, '\n');
                else
                        /* No printf: every read of the view pads every cell again. */
                        for (size_t pad = sl->width[c] - len + 2; pad; pad--)
                                g_string_append_c(out, ' ');
        }
        return 0;
}

static void summary_lines_clear(struct tree_lines *tl)
{
        struct summary_lines *sl = (struct summary_lines *) tl;

        mlx5_snapshot_unref(sl->listing);
        g_free(sl->width);
        g_free(sl->last_len);
        g_free(sl);
}

/*
 * Each column as wide as its widest cell: a pass over every row, before
 * the rows are measured, which also keeps each row's last cell's length
 * (4 bytes a row, until measured): a row's length follows, nothing padded.
 */
static int summary_prepare(struct tree_lines *tl)
{
        struct summary_lines *sl = (struct summary_lines *) tl;
        g_autofree size_t *ends = g_new(size_t, sl->ncols);
        g_autofree uint8_t *buf = g_malloc(sl->listing->listing->outlen + 1);
        g_autoptr(GString) cells = g_string_sized_new(256);

        g_free(sl->last_len);
        sl->last_len = g_new(uint32_t, sl->lines.n);
        for (guint row = 0; row < sl->lines.n; row++) {
                size_t from = 0;

                g_string_truncate(cells, 0);
                row_cells(sl, row, cells, ends, buf);
                for (unsigned c = 0; c < sl->ncols; c++) {
                        sl->width[c] = MAX(sl->width[c], ends[c] - from);
                        if (c == sl->ncols - 1)
                                sl->last_len[row] = (uint32_t) (ends[c] - from);
                        from = ends[c];
                }
        }
        return 0;
}

/* Row i's length as summary_line renders it: every cell but the last padded to its width and two spaces. */
static uint64_t summary_line_len(struct tree_lines *tl, guint row)
{
        struct summary_lines *sl = (struct summary_lines *) tl;
        uint64_t len = (uint64_t) sl->last_len[row] + 1;

        for (unsigned c = 0; c + 1 < sl->ncols; c++)
                len += sl->width[c] + 2;
        /* Asked in order: past the last row, the lengths are in the measure. */
        if (row == sl->lines.n - 1)
                g_clear_pointer(&sl->last_len, g_free);
        return len;
}

/* The widths, kept with the measure: the rows come from the listing alone. */
static GBytes *summary_keep_state(struct tree_lines *tl)
{
        struct summary_lines *sl = (struct summary_lines *) tl;

        return g_bytes_new(sl->width, sl->ncols * sizeof(*sl->width));
}

static bool summary_take_state(struct tree_lines *tl, GBytes *state)
{
        struct summary_lines *sl = (struct summary_lines *) tl;

        if (!state || g_bytes_get_size(state) != sl->ncols * sizeof(*sl->width))
                return false;
        memcpy(sl->width, g_bytes_get_data(state, NULL), g_bytes_get_size(state));
        return true;
}

/* The header and a row per listed object, from one listing. */
int tree_summary_content(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap)
{
        const mlx5_schema_resource *res = mlx5_schema_resource_at(tree->schema, n->sub);
        struct summary_lines *sl;
        mlx5_snapshot *listing;
        int r;

        if (!has_summary(res))
                return -ENOENT;
        r = tree_listing(tree, n->dev, n->sub, &listing);
        if (r < 0)
                return r;
        sl = g_new0(struct summary_lines, 1);
        sl->lines = (struct tree_lines) { .line = summary_line, .clear = summary_lines_clear, .view = "summary",
                                          .n = listing->listing->ids->len + 1, .listing = listing,
                                          .whole = MLX5_LISTING_WHOLE_SUMMARY, .prepare = summary_prepare,
                                          .line_len = summary_line_len,
                                          .keep_state = summary_keep_state, .take_state = summary_take_state };
        sl->res = res;
        sl->listing = listing;
        sl->ncols = res->summary->len + 3;
        sl->width = g_new0(size_t, sl->ncols);
        return tree_lines_snapshot(&sl->lines, listing, ret_snap);
}
