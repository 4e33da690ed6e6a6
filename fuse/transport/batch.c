/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <string.h>

#include "prm/mbox.h"
#include "transport/batch.h"
#include "transport/cancel.h"

/* What one batch thread is in; under t->lock. */
struct batch_thread {
        const uint8_t *in;      /* its command's input mailbox (its own buffer) */
        unsigned i;             /* that command's index */
        int64_t deadline;       /* monotonic µs past which the caller gives up on it; 0: in no command */
        bool given_up;          /* the caller has its result already: the answer is dropped */
};

/* Everything but refcount under t->lock. */
struct batch {
        gint refcount;          /* the caller's and each thread's */
        mlx5_transport *t;
        unsigned n, next, resolved;
        size_t inlen, outlen;
        mlx5_batch_build_fn build;
        void *data;
        uint8_t *outs;
        int *results;
        mlx5_cancel *cancel;    /* a reference to the caller's token, or NULL */
        bool left;              /* the caller returned: data, outs and results are not ours any more */
        GCond done;             /* the caller's: every command has its result */
        struct batch_thread *threads;
        gint next_thread;
};

static void batch_unref(struct batch *b)
{
        if (!g_atomic_int_dec_and_test(&b->refcount))
                return;
        mlx5_cancel_unref(b->cancel);
        g_cond_clear(&b->done);
        g_free(b->threads);
        g_free(b);
}

static void resolve_locked(struct batch *b, unsigned i, int r)
{
        b->results[i] = r;
        if (++b->resolved == b->n)
                g_cond_signal(&b->done);
}

void mlx5_transport_run_batch(gpointer data, gpointer unused)
{
        struct batch *b = data;
        mlx5_transport *t = b->t;
        struct batch_thread *me = &b->threads[g_atomic_int_add(&b->next_thread, 1)];
        g_autofree uint8_t *in = g_malloc(b->inlen);
        g_autofree uint8_t *out = g_malloc(b->outlen);

        mlx5_cancel_set_current(b->cancel);
        me->in = in;
        g_mutex_lock(&t->lock);
        while (!b->left && b->next < b->n && !mlx5_cancel_requested()) {
                unsigned i = b->next++;
                int64_t start;
                int r;

                memset(in, 0, b->inlen);
                r = b->build(i, in, b->data);
                if (r == 0 && !mlx5_transport_is_allowed(in, b->inlen))
                        r = -EPERM;
                if (r == 0 && t->rate_interval_us) {
                        g_mutex_unlock(&t->lock);
                        mlx5_transport_wait_for_rate(t);
                        g_mutex_lock(&t->lock);
                }
                if (r == 0)
                        r = mlx5_transport_take_slot_locked(t, in);
                if (r < 0) {
                        if (!b->left)
                                resolve_locked(b, i, r);
                        continue;
                }
                me->i = i;
                me->given_up = false;
                start = g_get_monotonic_time();
                me->deadline = start + t->timeout_us;
                g_mutex_unlock(&t->lock);

                r = t->ops->exec(t, in, b->inlen, out, b->outlen);
                mlx5_transport_record(t, in, r, out, start);

                g_mutex_lock(&t->lock);
                mlx5_transport_put_slot_locked(t);
                me->deadline = 0;
                if (b->left || me->given_up)
                        continue;
                if (r >= 0)
                        memcpy(b->outs + (size_t) i * b->outlen, out, b->outlen);
                resolve_locked(b, i, r);
        }
        g_mutex_unlock(&t->lock);
        mlx5_cancel_set_current(NULL);
        batch_unref(b);
}

/* The earliest deadline of a command in flight that the caller still waits for; 0: none. */
static int64_t first_deadline_locked(const struct batch *b, unsigned n_threads)
{
        int64_t first = 0;

        for (unsigned k = 0; k < n_threads; k++) {
                const struct batch_thread *th = &b->threads[k];

                if (th->deadline && !th->given_up && (!first || th->deadline < first))
                        first = th->deadline;
        }
        return first;
}

/* Gives up on the commands in flight past their deadline (why -ETIMEDOUT), or on all of them (-EINTR). */
static void give_up_locked(struct batch *b, unsigned n_threads, int why)
{
        int64_t now = g_get_monotonic_time();

        for (unsigned k = 0; k < n_threads; k++) {
                struct batch_thread *th = &b->threads[k];

                if (!th->deadline || th->given_up || (why == -ETIMEDOUT && th->deadline > now))
                        continue;
                th->given_up = true;
                resolve_locked(b, th->i, mlx5_transport_give_up_locked(b->t, th->in, why, true));
        }
}

void mlx5_transport_exec_many(mlx5_transport *t, unsigned n, size_t inlen, size_t outlen, mlx5_batch_build_fn build,
                              void *data, uint8_t *outs, int *results)
{
        unsigned n_threads = MIN(n, t->max_inflight);
        mlx5_cancel *cancel = mlx5_cancel_current();
        struct batch *b;

        if (n == 0)
                return;
        if (inlen < MLX5_MBOX_HDR_LEN || outlen < MLX5_MBOX_HDR_LEN) {
                for (unsigned i = 0; i < n; i++)
                        results[i] = -EINVAL;
                return;
        }
        /* What a command not answered when the caller is cancelled keeps. */
        for (unsigned i = 0; i < n; i++)
                results[i] = -EINTR;
        b = g_new0(struct batch, 1);
        b->refcount = (gint) n_threads + 1;
        b->t = t;
        b->n = n;
        b->inlen = inlen;
        b->outlen = outlen;
        b->build = build;
        b->data = data;
        b->outs = outs;
        b->results = results;
        b->cancel = cancel ? mlx5_cancel_ref(cancel) : NULL;
        g_cond_init(&b->done);
        b->threads = g_new0(struct batch_thread, n_threads);
        for (unsigned k = 0; k < n_threads; k++)
                g_thread_pool_push(t->batchers, b, NULL);

        g_mutex_lock(&t->lock);
        while (b->resolved < n) {
                int r = mlx5_cancel_wait(&b->done, &t->lock, first_deadline_locked(b, n_threads));

                if (r == -EINTR) {
                        give_up_locked(b, n_threads, -EINTR);
                        break;
                }
                if (r == -ETIMEDOUT)
                        give_up_locked(b, n_threads, -ETIMEDOUT);
        }
        b->left = true;
        g_mutex_unlock(&t->lock);
        batch_unref(b);
}
