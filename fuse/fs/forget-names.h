/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdint.h>

/* Starts the thread that has the kernel forget names; once the session is set. */
void mlx5_fs_forget_names_start(void);
/* Forgets what is pending, then ends the thread: before the session goes. */
void mlx5_fs_forget_names_stop(void);
/*
 * The kernel forgets name in the directory parent, and all below it, soon:
 * from any thread, without waiting (a mlx5_tree_forget_name_fn).
 */
void mlx5_fs_forget_name(uint64_t parent, const char *name, void *unused);
