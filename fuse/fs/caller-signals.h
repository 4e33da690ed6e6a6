/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whether a FUSE request the kernel interrupted must end now: the kernel
 * interrupts a request for any signal pending on its caller, also one that
 * only stops it (Ctrl-Z, SIGTTOU) or continues it.  Answered EINTR, such a
 * caller's open() or getdents() fails although nothing asked it to
 * (tar: "Cannot open: Interrupted system call"), so those requests go on.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/*
 * From the text of /proc/TID/status: true when a signal pending on the
 * thread or its process, and not blocked, does more than stop or continue
 * it.  None pending is a stop another thread took or a freeze: false.  A
 * text without the masks says nothing: true.
 */
bool mlx5_caller_signals_end_call(const char *status);

/* The same for thread tid, read now; true when it cannot be read (the caller is gone). */
bool mlx5_caller_interrupted(pid_t tid);
