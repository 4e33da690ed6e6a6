/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

/* One "[<pci>.]<key>: <value>" line of .stats. */
struct tree_stats_line {
        char *device;           /* the PCI function, or NULL for the daemon's own figures */
        char *key;
        char *value;
};

/* The lines of a .stats text (GArray of struct tree_stats_line, which it frees). */
GArray *tree_stats_lines(GBytes *text);
/* The length of the PCI function name s starts with ("0000:08:00.0"), or 0. */
size_t tree_pci_name_len(const char *s);
