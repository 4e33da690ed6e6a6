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

/* A cell: whitespace and backslashes escaped, so one value stays one word. */
static char *cell(const char *text)
{
        GString *out = g_string_sized_new(strlen(text) + 1);

        for (const char *c = text; *c; c++) {
                if (g_ascii_isspace(*c) || *c == '\\')
                        g_string_append_printf(out, "\\x%02x", (unsigned char) *c);
                else
                        g_string_append_c(out, *c);
        }
        if (out->len == 0)
                g_string_append_c(out, '-');
        return g_string_free(out, FALSE);
}

static char *column_value(const mlx5_schema_column *c, const uint8_t *raw, size_t len)
{
        g_autoptr(GString) text = g_string_new(NULL);

        if (!raw || !mlx5_bits_in_range(len, c->bit_off, c->field->width))
                return g_strdup("-");
        mlx5_decode_value(text, c->field, mlx5_bits_get(raw, len, c->bit_off, c->field->width));
        return cell(text->str);
}

/* summary/<type>: what renders its rows, pinned while its snapshot lives. */
struct summary_lines {
        struct tree_lines lines;
        const mlx5_schema_resource *res;
        mlx5_snapshot *listing;
        unsigned ncols;
        size_t *width;                  /* per column, its widest cell */
};

/* The cells of row i: the header's for 0, else the object's in slot i - 1. */
static void row_cells(const struct summary_lines *sl, guint row, GPtrArray *cells)
{
        const mlx5_schema_resource *res = sl->res;
        const struct mlx5_listing *l = sl->listing->listing;
        const struct mlx5_object_owner *o;
        g_autofree uint8_t *buf = NULL;
        const uint8_t *raw;
        guint i = row - 1;
        bool owned;

        if (row == 0) {
                g_ptr_array_add(cells, g_strdup("id"));
                for (guint c = 0; c < res->summary->len; c++)
                        g_ptr_array_add(cells, g_strdup(g_array_index(res->summary, mlx5_schema_column, c).name));
                g_ptr_array_add(cells, g_strdup("pid"));
                g_ptr_array_add(cells, g_strdup("comm"));
                return;
        }
        buf = g_malloc(l->outlen + 1);
        raw = mlx5_listing_raw(l, i, buf);
        owned = tree_listing_owner(l, (int) i, &o);
        g_ptr_array_add(cells, g_strdup_printf("0x%x", g_array_index(l->ids, uint32_t, i)));
        for (guint c = 0; c < res->summary->len; c++)
                g_ptr_array_add(cells, column_value(&g_array_index(res->summary, mlx5_schema_column, c), raw,
                                                    l->outlen));
        g_ptr_array_add(cells, owned ? g_strdup_printf("%u", o->pid) : g_strdup("-"));
        if (owned) {
                g_autofree char *comm = o->pid ? g_strdup(o->comm) : g_strdup_printf("[%s]", o->comm);

                g_ptr_array_add(cells, cell(comm));
        } else {
                g_ptr_array_add(cells, g_strdup("-"));
        }
}

/* A row: every column but the last padded to its width and two spaces. */
static int summary_line(struct tree_lines *tl, guint row, GString *out)
{
        struct summary_lines *sl = (struct summary_lines *) tl;
        g_autoptr(GPtrArray) cells = g_ptr_array_new_full(sl->ncols, g_free);

        row_cells(sl, row, cells);
        for (unsigned c = 0; c < sl->ncols; c++) {
                const char *v = cells->pdata[c];

                g_string_append(out, v);
                if (c == sl->ncols - 1)
                        g_string_append_c(out, '\n');
                else
                        /* No printf: every stat and open of the view pads every cell again. */
                        for (size_t pad = sl->width[c] - strlen(v) + 2; pad; pad--)
                                g_string_append_c(out, ' ');
        }
        return 0;
}

static void summary_lines_clear(struct tree_lines *tl)
{
        struct summary_lines *sl = (struct summary_lines *) tl;

        mlx5_snapshot_unref(sl->listing);
        g_free(sl->width);
        g_free(sl);
}

/* Each column as wide as its widest cell: a pass over every row, before the rows are measured. */
static int summary_prepare(struct tree_lines *tl)
{
        struct summary_lines *sl = (struct summary_lines *) tl;
        g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func(g_free);

        for (guint row = 0; row < sl->lines.n; row++) {
                g_ptr_array_set_size(cells, 0);
                row_cells(sl, row, cells);
                for (unsigned c = 0; c < sl->ncols; c++)
                        sl->width[c] = MAX(sl->width[c], strlen(cells->pdata[c]));
        }
        return 0;
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
                                          .keep_state = summary_keep_state, .take_state = summary_take_state };
        sl->res = res;
        sl->listing = listing;
        sl->ncols = res->summary->len + 3;
        sl->width = g_new0(size_t, sl->ncols);
        return tree_lines_snapshot(&sl->lines, listing, ret_snap);
}
