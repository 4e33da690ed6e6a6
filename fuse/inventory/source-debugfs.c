/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mlx5 debugfs (core/debugfs.c): the function's QPs/ (made through
 * mlx5_ib), CQs/ (made through mlx5_core: mlx5e's and mlx5_ib's) and EQs/,
 * one directory per object named "0x%x" by its hardware number.  Only
 * where debugfs is mounted and readable (root).
 */
#include <errno.h>
#include <string.h>

#include "inventory/inventory.h"

static const struct {
        const char *type;
        const char *dir;
} dirs[] = {
        { "qp", "QPs" },
        { "cq", "CQs" },
        { "eq", "EQs" },
};

static const char *find_dir(const char *type)
{
        for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++)
                if (strcmp(dirs[i].type, type) == 0)
                        return dirs[i].dir;
        return NULL;
}

bool inventory_debugfs_serves(const char *type)
{
        return find_dir(type) != NULL;
}

/* "0x1a3" and nothing else: the kernel's sprintf("0x%x"), so one number has one name. */
bool inventory_debugfs_parse_name(const char *name, uint32_t *ret_id)
{
        const char *digits = name + 2;
        size_t n;
        uint32_t v = 0;

        if (name[0] != '0' || name[1] != 'x')
                return false;
        n = strnlen(digits, 9);
        if (n == 0 || n > 8 || (digits[0] == '0' && n > 1))
                return false;
        for (size_t i = 0; i < n; i++) {
                int d = g_ascii_xdigit_value(digits[i]);

                if (d < 0 || g_ascii_isupper(digits[i]))
                        return false;
                v = v << 4 | (uint32_t) d;
        }
        *ret_id = v;
        return true;
}

int inventory_debugfs_collect(mlx5_inventory *inv, const char *type, mlx5_inventory_found *found)
{
        mlx5_host *host = inv->dev->host;
        g_autoptr(GPtrArray) names = NULL;
        unsigned bad = 0;
        int r;

        r = host->ops->debugfs_list(host, find_dir(type), &names);
        if (r < 0)
                return r;
        for (guint i = 0; i < names->len; i++) {
                uint32_t id;

                if (!inventory_debugfs_parse_name(names->pdata[i], &id)) {
                        bad++;
                        continue;
                }
                if (!inventory_found_add(inv, found, id, MLX5_INV_DEBUGFS, 0, NULL))
                        break;
        }
        g_atomic_int_add(&host->stats.debugfs_entries, (gint) names->len);
        if (bad) {
                g_atomic_int_add(&host->stats.malformed, (gint) bad);
                g_warning("%s: debugfs %s: %u entries are not object numbers", inv->dev->pci_name, find_dir(type), bad);
        }
        return 0;
}
