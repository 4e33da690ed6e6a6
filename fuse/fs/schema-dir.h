/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

/*
 * Where the schema comes from: --schema-dir, else $MLX5DBGFS_SCHEMA_DIR (the
 * tests point it at the source tree), else the installed directory.  Never
 * a build path: an installed daemon decodes only what its package shipped.
 */
const char *mlx5dbgfs_schema_dir(const char *option);

/*
 * Running as root, refuses a schema that anyone but root could change: the
 * directory, each of its entries and every directory above it must belong
 * to root and not be group or world writable (a sticky directory above it,
 * like /tmp, is fine).  Otherwise 0.  Negative errno and a message.
 */
int mlx5dbgfs_schema_dir_check_owner(const char *dir, GError **error);
