/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <string.h>

#include "prm/mbox.h"
#include "transport/batch.h"
#include "transport/cancel.h"
#include "transport/cmd-stats.h"
#include "transport/transport.h"

/* mlx5_core's own command timeout (MLX5_CMD_TIMEOUT_MSEC). */
#define DEFAULT_TIMEOUT_US (60 * G_USEC_PER_SEC)
/* How long freeing a transport waits for commands still in firmware (shutdown). */
#define FREE_GRACE_US (500 * 1000)
/*
 * query_q_counter_in.clear and query_vport_counter_in.clear, both bit 0xc0:
 * reading with it set resets the counters, a write in all but name.
 */
#define QUERY_COUNTER_CLEAR_BIT 0xc0

/*
 * The read-only allow-list.  Deliberately explicit: a command that changes
 * device state can never be sent, whatever the schema files say.
 */
static const uint16_t query_opcodes[] = {
        MLX5_CMD_OP_QUERY_HCA_CAP,
        MLX5_CMD_OP_QUERY_ADAPTER,
        MLX5_CMD_OP_QUERY_ISSI,
        MLX5_CMD_OP_QUERY_MKEY,
        MLX5_CMD_OP_QUERY_EQ,
        MLX5_CMD_OP_QUERY_CQ,
        MLX5_CMD_OP_QUERY_QP,
        MLX5_CMD_OP_QUERY_SRQ,
        MLX5_CMD_OP_QUERY_XRC_SRQ,
        MLX5_CMD_OP_QUERY_DCT,
        MLX5_CMD_OP_QUERY_VPORT_STATE,
        MLX5_CMD_OP_QUERY_NIC_VPORT_CONTEXT,
        MLX5_CMD_OP_QUERY_HCA_VPORT_CONTEXT,
        MLX5_CMD_OP_QUERY_VPORT_COUNTER,
        MLX5_CMD_OP_QUERY_Q_COUNTER,
        MLX5_CMD_OP_NOP,
        MLX5_CMD_OP_QUERY_TIR,
        MLX5_CMD_OP_QUERY_SQ,
        MLX5_CMD_OP_QUERY_RQ,
        MLX5_CMD_OP_QUERY_RMP,
        MLX5_CMD_OP_QUERY_TIS,
        MLX5_CMD_OP_QUERY_RQT,
};

gboolean mlx5_transport_is_allowed(const uint8_t *in, size_t inlen)
{
        unsigned opcode;

        if (inlen < MLX5_MBOX_HDR_LEN)
                return FALSE;
        opcode = mlx5_mbox_in_opcode(in);

        if (opcode == MLX5_CMD_OP_ACCESS_REG)
                return mlx5_mbox_in_op_mod(in) == MLX5_ACCESS_REG_OP_MOD_READ &&
                       mlx5_bits_get(in, inlen, MLX5_ACCESS_REG_ID_BIT, 16) == MLX5_REG_RESOURCE_DUMP;
        if ((opcode == MLX5_CMD_OP_QUERY_Q_COUNTER || opcode == MLX5_CMD_OP_QUERY_VPORT_COUNTER) &&
            mlx5_bits_get(in, inlen, QUERY_COUNTER_CLEAR_BIT, 1))
                return FALSE;

        for (size_t i = 0; i < G_N_ELEMENTS(query_opcodes); i++)
                if (query_opcodes[i] == opcode)
                        return TRUE;
        return FALSE;
}

/*
 * One command on its way: the sender thread owns the copies of the
 * mailboxes, so the caller may stop waiting (timeout, interrupt) and the
 * late answer lands here, not in the caller's buffer.  Under t->lock.
 */
struct pending {
        gint refcount;                  /* the caller's and the sender's */
        mlx5_transport *t;
        uint8_t *in, *out;
        size_t inlen, outlen;
        int result;
        bool done;
        GCond answered;                 /* its caller's alone: a broadcast would wake every waiting caller */
};

static void pending_unref(struct pending *p)
{
        if (!g_atomic_int_dec_and_test(&p->refcount))
                return;
        g_cond_clear(&p->answered);
        g_free(p->in);
        g_free(p->out);
        g_free(p);
}

void mlx5_transport_record(mlx5_transport *t, const void *in, int r, const void *out, int64_t start)
{
        mlx5_cmd_stats_record(t->stats, mlx5_mbox_in_opcode(in), r, r < 0 ? 0 : mlx5_mbox_out_status(out),
                              (uint64_t) (g_get_monotonic_time() - start) * 1000);
}

void mlx5_transport_put_slot_locked(mlx5_transport *t)
{
        t->inflight--;
        if (t->slot_waiters)
                g_cond_signal(&t->slot_free);
        if (t->inflight == 0)
                g_cond_broadcast(&t->drained);
}

static void send_pending(gpointer data, gpointer user_data)
{
        struct pending *p = data;
        mlx5_transport *t = p->t;
        int64_t start = g_get_monotonic_time();
        int r;

        r = t->ops->exec(t, p->in, p->inlen, p->out, p->outlen);
        mlx5_transport_record(t, p->in, r, p->out, start);

        g_mutex_lock(&t->lock);
        p->result = r;
        p->done = true;
        mlx5_transport_put_slot_locked(t);
        g_cond_signal(&p->answered);
        g_mutex_unlock(&t->lock);
        pending_unref(p);
}

/*
 * GLib keeps 2 idle threads across all shared pools: the rest end half a
 * second after their pool goes quiet, and the next burst starts them again
 * (a clone, a stack mapped and faulted in): 341 thread starts in one cold
 * tar of 10k QPs.  Kept instead, as many as the pools may run at once;
 * GLib still ends a thread idle for its max_idle_time.
 */
void mlx5_pool_threads_keep_idle(int delta)
{
        static GMutex keep_lock;

        g_mutex_lock(&keep_lock);
        g_thread_pool_set_max_unused_threads(MAX(g_thread_pool_get_max_unused_threads(), 0) + delta);
        g_mutex_unlock(&keep_lock);
}

void mlx5_transport_init(mlx5_transport *t, const struct mlx5_transport_ops *ops, unsigned max_inflight)
{
        t->ops = ops;
        t->stats = mlx5_cmd_stats_new();
        t->max_inflight = max_inflight ? max_inflight : 1;
        t->inflight = 0;
        t->timeout_us = DEFAULT_TIMEOUT_US;
        /* One sender per slot: a slot stays taken until its command ends. */
        t->senders = g_thread_pool_new(send_pending, NULL, (gint) t->max_inflight, FALSE, NULL);
        t->batchers = g_thread_pool_new(mlx5_transport_run_batch, NULL, (gint) t->max_inflight, FALSE, NULL);
        mlx5_pool_threads_keep_idle(2 * (int) t->max_inflight);
        g_mutex_init(&t->lock);
        g_cond_init(&t->slot_free);
        g_cond_init(&t->drained);
}

void mlx5_transport_set_timeout(mlx5_transport *t, int64_t timeout_us)
{
        g_mutex_lock(&t->lock);
        t->timeout_us = timeout_us > 0 ? timeout_us : DEFAULT_TIMEOUT_US;
        g_mutex_unlock(&t->lock);
}

void mlx5_transport_set_max_rate(mlx5_transport *t, unsigned per_second)
{
        g_mutex_lock(&t->lock);
        t->rate_interval_us = per_second ? G_USEC_PER_SEC / per_second : 0;
        g_mutex_unlock(&t->lock);
}

/* Reserves the next send time under the rate cap and sleeps until it comes. */
void mlx5_transport_wait_for_rate(mlx5_transport *t)
{
        int64_t now, at;

        g_mutex_lock(&t->lock);
        if (!t->rate_interval_us) {
                g_mutex_unlock(&t->lock);
                return;
        }
        now = g_get_monotonic_time();
        at = MAX(now, t->next_send_us);
        t->next_send_us = at + t->rate_interval_us;
        g_mutex_unlock(&t->lock);
        if (at > now)
                g_usleep((gulong) (at - now));
}

/* Gives up on a command (the lock held): counts it, and logs a timeout. */
int mlx5_transport_give_up_locked(mlx5_transport *t, const void *in, int why, bool sent)
{
        unsigned opcode = mlx5_mbox_in_opcode(in);

        if (why == -EINTR) {
                t->interrupted++;
                return -EINTR;
        }
        t->timeouts++;
        g_warning("%s: limit cmd_timeout (%.1f s) reached: %s (0x%x) %s, failing the request", t->id.pci_name,
                  (double) t->timeout_us / G_USEC_PER_SEC, mlx5_opcode_name(opcode) ?: "command", opcode,
                  sent ? "not answered (its slot stays taken until firmware answers)"
                       : "found no free command slot");
        return -EIO;
}

int mlx5_transport_take_slot_locked(mlx5_transport *t, const void *in)
{
        int64_t deadline = g_get_monotonic_time() + t->timeout_us;
        int r;

        while (t->inflight >= t->max_inflight) {
                t->slot_waiters++;
                r = mlx5_cancel_wait(&t->slot_free, &t->lock, deadline);
                t->slot_waiters--;
                if (r < 0)
                        return mlx5_transport_give_up_locked(t, in, r, false);
        }
        t->inflight++;
        return 0;
}

int mlx5_transport_exec(mlx5_transport *t, const void *in, size_t inlen, void *out, size_t outlen)
{
        struct pending *p;
        int64_t deadline;
        int r = 0;

        if (inlen < MLX5_MBOX_HDR_LEN || outlen < MLX5_MBOX_HDR_LEN)
                return -EINVAL;
        if (!mlx5_transport_is_allowed(in, inlen))
                return -EPERM;
        /* Batch work sends its commands itself (batch.h). */
        r = mlx5_transport_batch_exec(t, in, inlen, out, outlen);
        if (r <= 0)
                return r;

        mlx5_transport_wait_for_rate(t);
        g_mutex_lock(&t->lock);
        r = mlx5_transport_take_slot_locked(t, in);
        deadline = g_get_monotonic_time() + t->timeout_us;
        g_mutex_unlock(&t->lock);
        if (r < 0)
                return r;

        p = g_new0(struct pending, 1);
        p->refcount = 2;
        g_cond_init(&p->answered);
        p->t = t;
        p->in = g_memdup2(in, inlen);
        p->inlen = inlen;
        p->out = g_malloc0(outlen);
        p->outlen = outlen;
        g_thread_pool_push(t->senders, p, NULL);

        g_mutex_lock(&t->lock);
        while (!p->done && (r = mlx5_cancel_wait(&p->answered, &t->lock, deadline)) == 0)
                ;
        if (p->done) {
                r = p->result;
                if (r >= 0)
                        memcpy(out, p->out, outlen);
        } else {
                r = mlx5_transport_give_up_locked(t, in, r, true);
        }
        g_mutex_unlock(&t->lock);
        pending_unref(p);
        return r;
}

bool mlx5_transport_batch_busy(mlx5_transport *t)
{
        bool busy;

        g_mutex_lock(&t->lock);
        busy = t->batch_items > 0;
        g_mutex_unlock(&t->lock);
        return busy;
}

void mlx5_transport_format_stats(mlx5_transport *t, GString *out)
{
        mlx5_cmd_stats_format(t->stats, out);
        g_mutex_lock(&t->lock);
        g_string_append_printf(out, "timeouts: %" G_GUINT64_FORMAT "\n", t->timeouts);
        g_string_append_printf(out, "interrupted: %" G_GUINT64_FORMAT "\n", t->interrupted);
        g_string_append_printf(out, "inflight: %u\n", t->inflight);
        g_mutex_unlock(&t->lock);
        if (t->ops->format_peer_stats)
                t->ops->format_peer_stats(t, out);
}

bool mlx5_transport_free(mlx5_transport *t)
{
        int64_t until = g_get_monotonic_time() + FREE_GRACE_US;
        unsigned left;

        if (!t)
                return true;
        g_mutex_lock(&t->lock);
        while (t->inflight && g_get_monotonic_time() < until)
                g_cond_wait_until(&t->drained, &t->lock, until);
        left = t->inflight;
        g_mutex_unlock(&t->lock);
        if (left) {
                /* Their senders still use it: left to process exit rather than freed under them. */
                g_warning("%s: %u commands still in firmware; not waiting for them", t->id.pci_name, left);
                return false;
        }
        g_thread_pool_free(t->batchers, FALSE, TRUE);
        g_thread_pool_free(t->senders, FALSE, TRUE);
        mlx5_pool_threads_keep_idle(-2 * (int) t->max_inflight);
        mlx5_cmd_stats_free(t->stats);
        g_mutex_clear(&t->lock);
        g_cond_clear(&t->slot_free);
        g_cond_clear(&t->drained);
        t->ops->destroy(t);
        return true;
}
