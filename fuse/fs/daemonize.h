/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Going to the background.  Threads do not survive fork(): a process that
 * forks after its devices started their command pools (or the simulator
 * its churn) keeps pools whose threads are gone, and hangs at exit waiting
 * for them.  So the daemon forks first, before it opens any device, and the
 * parent waits for the child's word that the mount is up: it exits 0 then,
 * or with the child's exit status if the child ends first (whose messages
 * went to the same stderr).
 */
#pragma once

#include <stdbool.h>

/* In the foreground: nothing.  Else forks; only the child returns (0), or -errno when fork fails. */
int mlx5dbgfs_daemon_fork(bool foreground);
/* The mount is up: the child leaves the terminal (cwd /, stdio /dev/null) and lets the parent exit 0. */
void mlx5dbgfs_daemon_ready(void);
