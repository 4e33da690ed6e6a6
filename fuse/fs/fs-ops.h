/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <fuse_lowlevel.h>

#include "tree/tree.h"

/* Low-level operations; the session's userdata is the mlx5_tree. */
extern const struct fuse_lowlevel_ops mlx5_fs_ops;

/* Seconds the kernel may keep directory entries and attributes. */
void mlx5_fs_set_dir_timeout(double seconds);
