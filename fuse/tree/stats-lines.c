/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The .stats text as records, for the views made from it (.stats.json,
 * metrics): the same snapshot the reader's .stats shows, so all three
 * agree.  A line is "[<pci>.]<key>: <value>"; a PCI address holds dots of
 * its own, so it is recognised by its shape, not split.
 */
#include <string.h>

#include "tree/stats-lines.h"

/* "dddd:bb:dd.f" in hex digits: the shape of a PCI function's name. */
size_t tree_pci_name_len(const char *s)
{
        static const char shape[] = "xxxx:xx:xx.x";

        for (size_t i = 0; i < sizeof(shape) - 1; i++)
                if (shape[i] == 'x' ? !g_ascii_isxdigit(s[i]) : s[i] != shape[i])
                        return 0;
        return sizeof(shape) - 1;
}

static void line_clear(gpointer data)
{
        struct tree_stats_line *l = data;

        g_free(l->device);
        g_free(l->key);
        g_free(l->value);
}

GArray *tree_stats_lines(GBytes *text)
{
        GArray *lines = g_array_new(FALSE, TRUE, sizeof(struct tree_stats_line));
        gsize len;
        const char *p = g_bytes_get_data(text, &len), *end = p + len;

        g_array_set_clear_func(lines, line_clear);
        while (p < end) {
                const char *eol = memchr(p, '\n', (size_t) (end - p));
                const char *colon;
                struct tree_stats_line l = { 0 };
                size_t pci;

                if (!eol)
                        eol = end;
                colon = memchr(p, ':', (size_t) (eol - p));
                pci = tree_pci_name_len(p) && (size_t) (eol - p) > 13 && p[12] == '.' ? 12 : 0;
                /* The PCI name has colons of its own: the separator is the first ": " after it. */
                colon = pci ? strstr(p + pci, ": ") : colon;
                if (colon && colon < eol && colon + 1 < eol && colon[1] == ' ') {
                        l.device = pci ? g_strndup(p, pci) : NULL;
                        l.key = g_strndup(p + (pci ? pci + 1 : 0), (gsize) (colon - p) - (pci ? pci + 1 : 0));
                        l.value = g_strndup(colon + 2, (gsize) (eol - colon - 2));
                        g_array_append_val(lines, l);
                }
                p = eol + 1;
        }
        return lines;
}
