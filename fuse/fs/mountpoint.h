/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

/*
 * Whether mlx5dbgfs may mount on path, before any device is opened: a
 * directory (the default one is created), not already an mlx5dbgfs mount,
 * not a dead FUSE mount (ENOTCONN: the error says to run fusermount3 -u),
 * and empty unless nonempty.  Negative errno and a message naming path.
 */
int mlx5dbgfs_check_mountpoint(const char *path, bool nonempty, bool create, GError **error);
