/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <fuse_lowlevel.h>

#include "tree/tree.h"

/* Low-level operations; the session's userdata is the mlx5_tree. */
extern const struct fuse_lowlevel_ops mlx5_fs_ops;

/* Runs requests that may wait for firmware on n threads of their own. */
void mlx5_fs_start_workers(unsigned n);
/*
 * Ends every wait for firmware (readers get EINTR) and waits for those
 * requests to finish; call after the session loop ends.
 */
void mlx5_fs_stop_workers(void);
/* Frees the handles the kernel never released (it releases none after an unmount). */
void mlx5_fs_release_all(mlx5_tree *tree);

/* The session notifications go to; set once it exists. */
void mlx5_fs_set_session(struct fuse_session *se);
/* Makes the kernel forget a cached name (from threads that serve no request). */
void mlx5_fs_invalidate_entry(fuse_ino_t parent, const char *name);

