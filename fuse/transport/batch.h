/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Work sent as one batch.  The transport's batch threads, one per command
 * slot, take the batch's items in order and send each item's commands
 * themselves (the ioctl on the thread that waits for it: no hand-off to a
 * sender, no wake-up per command), and the caller sleeps once for the whole
 * batch.
 *
 * Each command still goes through everything a lone one does
 * (transport.h): the allow-list, the rate cap, a slot, its count and its
 * timeout.  Past cmd_timeout the item's result is -EIO (logged, counted)
 * while its thread stays in the command and its slot stays taken until it
 * ends; the caller's cancel token (cancel.h) gives -EINTR to every item not
 * done yet.  Either way the caller returns at once, and its buffers are not
 * touched after that.
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

/*
 * Item i of a batch of work: any number of mlx5_transport_exec calls (sent
 * from the batch thread itself), its result returned and what it made in
 * *ret_item.  It starts no batch of its own: the threads it would need are
 * the ones it runs on.
 */
typedef int (*mlx5_batch_run_fn)(unsigned i, void *data, gpointer *ret_item);

/*
 * results[i] = run(i, data, &items[i]) for every i < n.  An item given up
 * (timeout, cancel) keeps -EIO or -EINTR and a NULL item; whatever it makes
 * later is freed with item_free.  data belongs to the batch: freed with
 * data_free (may be NULL) once the last item ended, which can be after
 * this returns.
 */
void mlx5_transport_run_many(mlx5_transport *t, unsigned n, mlx5_batch_run_fn run, void *data,
                             GDestroyNotify data_free, GDestroyNotify item_free, gpointer *items, int *results);

/* For transport.c: on one of t's batch threads, sends the command from there (returns 1 elsewhere). */
int mlx5_transport_batch_exec(mlx5_transport *t, const void *in, size_t inlen, void *out, size_t outlen);

/* A batch thread's work (the transport's batchers pool). */
void mlx5_transport_run_batch(gpointer batch, gpointer unused);
