/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Commands sent as one batch.  The transport's batch threads, one per
 * command slot, take the batch's commands in order and each sends its own
 * (the ioctl on the thread that waits for it: no hand-off to a sender, no
 * wake-up per command), and the caller sleeps once for the whole batch.
 *
 * Each command still goes through everything a lone one does
 * (transport.h): the allow-list, the rate cap, a slot, its count and its
 * timeout.  Past cmd_timeout its result is -EIO (logged, counted) while its
 * thread stays in it and its slot stays taken until it ends; the caller's
 * cancel token (cancel.h) gives -EINTR to every command not answered yet.
 * The caller's buffers are not touched once it has returned.
 */
#pragma once

#include "transport/transport.h"

/*
 * Writes command i's input mailbox into in (the batch's inlen bytes,
 * zeroed); returns 0 to send it, or a -errno to be command i's result
 * without sending it.  Called under the transport's lock: brief, and no
 * transport call.
 */
typedef int (*mlx5_batch_build_fn)(unsigned i, uint8_t *in, void *data);

/*
 * Sends n commands: results[i] is 0 when firmware answered command i (its
 * output mailbox, status and syndrome included, at outs + i * outlen), or a
 * -errno as mlx5_transport_exec gives, or build's.
 */
void mlx5_transport_exec_many(mlx5_transport *t, unsigned n, size_t inlen, size_t outlen, mlx5_batch_build_fn build,
                              void *data, uint8_t *outs, int *results);

/* A batch thread's work (the transport's batchers pool). */
void mlx5_transport_run_batch(gpointer batch, gpointer unused);
