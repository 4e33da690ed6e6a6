/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cancellation of waits for firmware.  A reader's request carries a token
 * (the FUSE glue fires it on INTERRUPT); every wait on its behalf (a free
 * command slot, a command's answer, another reader's fetch) ends with
 * -EINTR once it fires, and every wait in the process ends at shutdown.
 * The command itself is not recalled: its answer, when it comes, is
 * dropped.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct mlx5_cancel mlx5_cancel;

mlx5_cancel *mlx5_cancel_new(void);
mlx5_cancel *mlx5_cancel_ref(mlx5_cancel *c);
void mlx5_cancel_unref(mlx5_cancel *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(mlx5_cancel, mlx5_cancel_unref)
/* Thread-safe, from any thread; waits already under way end within a poll slice. */
void mlx5_cancel_fire(mlx5_cancel *c);
/* An interruption left unfired: its caller was only stopped or continued (counted for .stats). */
void mlx5_cancel_note_paused(void);
/* "requests.interrupts_fired" and "requests.interrupts_paused" lines of .stats. */
void mlx5_cancel_format_stats(GString *out);

/* The token this thread's waits obey (not referenced: the setter keeps it alive); NULL: none. */
void mlx5_cancel_set_current(mlx5_cancel *c);
mlx5_cancel *mlx5_cancel_current(void);
/* Shutdown: every wait, now and later, ends with -EINTR. */
void mlx5_cancel_all(void);
/* Whether this thread's waits should end now. */
bool mlx5_cancel_requested(void);

/*
 * g_cond_wait with mutex held, until signalled (0; spurious wakeups too, so
 * loop on the condition), the monotonic deadline_us passes (-ETIMEDOUT; 0:
 * none) or the thread's token fires (-EINTR).
 */
int mlx5_cancel_wait(GCond *cond, GMutex *mutex, int64_t deadline_us);
