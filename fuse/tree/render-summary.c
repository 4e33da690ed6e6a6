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

int tree_summary_content(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap)
{
        const mlx5_schema_resource *res = mlx5_schema_resource_at(tree->schema, n->sub);
        g_autoptr(mlx5_snapshot) listing = NULL;
        g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func(g_free);
        g_autofree size_t *width = NULL;
        const struct mlx5_listing *l;
        unsigned ncols = res->summary->len + 3, nrows;
        GString *text;
        int r;

        if (!has_summary(res))
                return -ENOENT;
        r = tree_listing(tree, n->dev, n->sub, &listing);
        if (r < 0)
                return r;
        l = listing->listing;
        nrows = l->ids->len + 1;

        /* The header, then a row per object: every cell first, to know each column's width. */
        g_ptr_array_add(cells, g_strdup("id"));
        for (guint c = 0; c < res->summary->len; c++)
                g_ptr_array_add(cells, g_strdup(g_array_index(res->summary, mlx5_schema_column, c).name));
        g_ptr_array_add(cells, g_strdup("pid"));
        g_ptr_array_add(cells, g_strdup("comm"));
        for (guint i = 0; i < l->ids->len; i++) {
                const uint8_t *raw = l->has_raw[i] ? (const uint8_t *) g_bytes_get_data(l->raws, NULL) +
                                                             (size_t) i * l->outlen
                                                   : NULL;
                const struct mlx5_object_owner *o;
                bool owned = tree_listing_owner(l, (int) i, &o);

                g_ptr_array_add(cells, g_strdup_printf("0x%x", g_array_index(l->ids, uint32_t, i)));
                for (guint c = 0; c < res->summary->len; c++)
                        g_ptr_array_add(cells, column_value(&g_array_index(res->summary, mlx5_schema_column, c),
                                                            raw, l->outlen));
                g_ptr_array_add(cells, owned ? g_strdup_printf("%u", o->pid) : g_strdup("-"));
                if (owned) {
                        g_autofree char *comm = o->pid ? g_strdup(o->comm) : g_strdup_printf("[%s]", o->comm);

                        g_ptr_array_add(cells, cell(comm));
                } else {
                        g_ptr_array_add(cells, g_strdup("-"));
                }
        }

        width = g_new0(size_t, ncols);
        for (unsigned i = 0; i < nrows * ncols; i++)
                width[i % ncols] = MAX(width[i % ncols], strlen(cells->pdata[i]));
        text = g_string_sized_new(nrows * 128);
        for (unsigned i = 0; i < nrows * ncols && r == 0; i++) {
                const char *v = cells->pdata[i];
                bool last = i % ncols == ncols - 1;

                g_string_append(text, v);
                if (last) {
                        g_string_append_c(text, '\n');
                        r = tree_view_check_size(text, "summary");
                } else {
                        g_string_append_printf(text, "%*s", (int) (width[i % ncols] - strlen(v) + 2), "");
                }
        }
        if (r < 0) {
                g_string_free(text, TRUE);
                return r;
        }
        *ret_snap = tree_snapshot_like(text, listing);
        return 0;
}
