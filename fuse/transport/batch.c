/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <string.h>

#include "prm/mbox.h"
#include "transport/batch.h"
#include "transport/cancel.h"

struct batch;

/* What one batch thread is doing; under t->lock. */
struct batch_thread {
        struct batch *b;
        const uint8_t *in;      /* the command it is in (its input mailbox) */
        unsigned i;             /* the item it works on */
        bool busy;              /* it has an item without a result yet */
        int64_t deadline;       /* monotonic µs past which the caller gives up on its command; 0: in none */
        bool given_up;          /* the caller has the item's result already: the rest is dropped */
};

/* Everything but refcount under t->lock. */
struct batch {
        gint refcount;          /* the caller's and each thread's */
        mlx5_transport *t;
        unsigned n, next, resolved;
        /* Commands (exec_many): */
        size_t inlen, outlen;
        mlx5_batch_build_fn build;
        uint8_t *outs;
        /* Or work (run_many): */
        mlx5_batch_run_fn run;
        GDestroyNotify data_free, item_free;
        gpointer *items;
        void *data;
        int *results;
        mlx5_cancel *cancel;    /* a reference to the caller's token, or NULL */
        bool left;              /* the caller returned: outs, items and results are not ours any more */
        GCond done;             /* the caller's: every item has its result */
        struct batch_thread *threads;
        unsigned n_threads;
        gint next_thread;
};

/* The batch thread this thread is, while it runs an item of work. */
static GPrivate current_thread;

static void batch_unref(struct batch *b)
{
        if (!g_atomic_int_dec_and_test(&b->refcount))
                return;
        if (b->data_free)
                b->data_free(b->data);
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

/*
 * One command from the batch thread me, t->lock held (dropped while it is
 * in firmware): the slot, then the command with its deadline set for the
 * caller to watch.  Nothing is sent for an item already given up.
 */
static int send_locked(struct batch_thread *me, const uint8_t *in, size_t inlen, void *out, size_t outlen)
{
        struct batch *b = me->b;
        mlx5_transport *t = b->t;
        int64_t start;
        int r;

        if (t->rate_interval_us) {
                g_mutex_unlock(&t->lock);
                mlx5_transport_wait_for_rate(t);
                g_mutex_lock(&t->lock);
        }
        if (b->left || me->given_up || mlx5_cancel_requested())
                return -EINTR;
        r = mlx5_transport_take_slot_locked(t, in);
        if (r < 0)
                return r;
        me->in = in;
        start = g_get_monotonic_time();
        me->deadline = start + t->timeout_us;
        g_mutex_unlock(&t->lock);

        r = t->ops->exec(t, in, inlen, out, outlen);
        mlx5_transport_record(t, in, r, out, start);

        g_mutex_lock(&t->lock);
        mlx5_transport_put_slot_locked(t);
        me->deadline = 0;
        return r;
}

int mlx5_transport_batch_exec(mlx5_transport *t, const void *in, size_t inlen, void *out, size_t outlen)
{
        struct batch_thread *me = g_private_get(&current_thread);
        int r;

        if (!me || me->b->t != t)
                return 1;
        g_mutex_lock(&t->lock);
        r = send_locked(me, in, inlen, out, outlen);
        g_mutex_unlock(&t->lock);
        return r;
}

/* exec_many's item i, t->lock held. */
static void command_locked(struct batch_thread *me, unsigned i, uint8_t *in, uint8_t *out)
{
        struct batch *b = me->b;
        int r;

        memset(in, 0, b->inlen);
        r = b->build(i, in, b->data);
        if (r == 0 && !mlx5_transport_is_allowed(in, b->inlen))
                r = -EPERM;
        if (r == 0)
                r = send_locked(me, in, b->inlen, out, b->outlen);
        if (b->left || me->given_up)
                return;
        if (r >= 0)
                memcpy(b->outs + (size_t) i * b->outlen, out, b->outlen);
        resolve_locked(b, i, r);
}

/* run_many's item i, t->lock held (dropped while it runs). */
static void work_locked(struct batch_thread *me, unsigned i)
{
        struct batch *b = me->b;
        gpointer item = NULL;
        int r;

        b->t->batch_items++;
        g_mutex_unlock(&b->t->lock);
        g_private_set(&current_thread, me);
        r = b->run(i, b->data, &item);
        g_private_set(&current_thread, NULL);
        g_mutex_lock(&b->t->lock);
        b->t->batch_items--;
        if (b->left || me->given_up) {
                if (item) {
                        g_mutex_unlock(&b->t->lock);
                        b->item_free(item);
                        g_mutex_lock(&b->t->lock);
                }
                return;
        }
        b->items[i] = item;
        resolve_locked(b, i, r);
}

void mlx5_transport_run_batch(gpointer data, gpointer unused)
{
        struct batch *b = data;
        mlx5_transport *t = b->t;
        struct batch_thread *me = &b->threads[g_atomic_int_add(&b->next_thread, 1)];
        g_autofree uint8_t *in = b->run ? NULL : g_malloc(b->inlen);
        g_autofree uint8_t *out = b->run ? NULL : g_malloc(b->outlen);

        mlx5_cancel_set_current(b->cancel);
        g_mutex_lock(&t->lock);
        while (!b->left && b->next < b->n && !mlx5_cancel_requested()) {
                unsigned i = b->next++;

                me->i = i;
                me->busy = true;
                me->given_up = false;
                if (b->run)
                        work_locked(me, i);
                else
                        command_locked(me, i, in, out);
                me->busy = false;
        }
        g_mutex_unlock(&t->lock);
        mlx5_cancel_set_current(NULL);
        batch_unref(b);
}

/* The earliest deadline of a command in flight that the caller still waits for; 0: none. */
static int64_t first_deadline_locked(const struct batch *b)
{
        int64_t first = 0;

        for (unsigned k = 0; k < b->n_threads; k++) {
                const struct batch_thread *th = &b->threads[k];

                if (th->deadline && !th->given_up && (!first || th->deadline < first))
                        first = th->deadline;
        }
        return first;
}

/*
 * Gives up on the items whose command is past its deadline (why
 * -ETIMEDOUT), or on every item under way (-EINTR; those not in firmware
 * keep the -EINTR they were given at the start, uncounted).
 */
static void give_up_locked(struct batch *b, int why)
{
        int64_t now = g_get_monotonic_time();

        for (unsigned k = 0; k < b->n_threads; k++) {
                struct batch_thread *th = &b->threads[k];

                if (!th->busy || th->given_up || (why == -ETIMEDOUT && (!th->deadline || th->deadline > now)))
                        continue;
                th->given_up = true;
                if (th->deadline)
                        resolve_locked(b, th->i, mlx5_transport_give_up_locked(b->t, th->in, why, true));
        }
}

/* Whether every thread of b is in a command given up on: then no other item of b can go on. */
static bool all_stuck_locked(const struct batch *b)
{
        for (unsigned k = 0; k < b->n_threads; k++)
                if (!b->threads[k].deadline || !b->threads[k].given_up)
                        return false;
        return true;
}

/*
 * The items no thread took, given up as a lone command is that finds no
 * free slot within the timeout: -EIO, counted, one log line for them all.
 */
static void give_up_unclaimed_locked(struct batch *b)
{
        unsigned left = b->n - b->next;

        if (!left)
                return;
        for (unsigned i = b->next; i < b->n; i++)
                b->results[i] = -EIO;
        b->t->timeouts += left - 1;
        mlx5_transport_give_up_locked(b->t, b->threads[0].in, -ETIMEDOUT, false);
        b->next = b->n;
        b->resolved += left;
}

/* Starts a batch like proto, its threads, and waits for every item's result (or gives up on it). */
static void run_and_wait(const struct batch *proto, unsigned n, int *results)
{
        struct batch *b = g_memdup2(proto, sizeof(*proto));
        mlx5_transport *t = b->t;
        mlx5_cancel *cancel = mlx5_cancel_current();
        int64_t stuck_since = 0;

        /* What an item not done when the caller is cancelled keeps. */
        for (unsigned i = 0; i < n; i++)
                results[i] = -EINTR;
        b->n = n;
        b->results = results;
        b->n_threads = MIN(n, t->max_inflight);
        b->refcount = (gint) b->n_threads + 1;
        b->cancel = cancel ? mlx5_cancel_ref(cancel) : NULL;
        g_cond_init(&b->done);
        b->threads = g_new0(struct batch_thread, b->n_threads);
        for (unsigned k = 0; k < b->n_threads; k++) {
                b->threads[k].b = b;
                g_thread_pool_push(t->batchers, b, NULL);
        }

        g_mutex_lock(&t->lock);
        while (b->resolved < n) {
                int64_t until = first_deadline_locked(b);
                int r;

                /* Every thread hung: the rest wait for one to come back as long as for a free slot. */
                if (!all_stuck_locked(b))
                        stuck_since = 0;
                else if (!stuck_since)
                        stuck_since = g_get_monotonic_time();
                if (stuck_since)
                        until = stuck_since + t->timeout_us;
                r = mlx5_cancel_wait(&b->done, &t->lock, until);
                if (r == -EINTR) {
                        give_up_locked(b, -EINTR);
                        break;
                }
                if (r == -ETIMEDOUT && stuck_since && all_stuck_locked(b)) {
                        give_up_unclaimed_locked(b);
                        break;
                }
                if (r == -ETIMEDOUT)
                        give_up_locked(b, -ETIMEDOUT);
        }
        b->left = true;
        g_mutex_unlock(&t->lock);
        batch_unref(b);
}

void mlx5_transport_exec_many(mlx5_transport *t, unsigned n, size_t inlen, size_t outlen, mlx5_batch_build_fn build,
                              void *data, uint8_t *outs, int *results)
{
        if (n == 0)
                return;
        if (inlen < MLX5_MBOX_HDR_LEN || outlen < MLX5_MBOX_HDR_LEN) {
                for (unsigned i = 0; i < n; i++)
                        results[i] = -EINVAL;
                return;
        }
        run_and_wait(&(struct batch) { .t = t, .inlen = inlen, .outlen = outlen, .build = build, .data = data,
                                       .outs = outs },
                     n, results);
}

void mlx5_transport_run_many(mlx5_transport *t, unsigned n, mlx5_batch_run_fn run, void *data,
                             GDestroyNotify data_free, GDestroyNotify item_free, gpointer *items, int *results)
{
        for (unsigned i = 0; i < n; i++)
                items[i] = NULL;
        if (n == 0) {
                if (data_free)
                        data_free(data);
                return;
        }
        run_and_wait(&(struct batch) { .t = t, .run = run, .data = data, .data_free = data_free,
                                       .item_free = item_free, .items = items },
                     n, results);
}
