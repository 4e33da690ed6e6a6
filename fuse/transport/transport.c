/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>

#include "prm/mbox.h"
#include "transport/cmd-stats.h"
#include "transport/transport.h"

/* query_q_counter_in.clear (bit 0xc0): reading with it set resets counters. */
#define QUERY_Q_COUNTER_CLEAR_BIT 0xc0

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
        if (opcode == MLX5_CMD_OP_QUERY_Q_COUNTER &&
            mlx5_bits_get(in, inlen, QUERY_Q_COUNTER_CLEAR_BIT, 1))
                return FALSE;

        for (size_t i = 0; i < G_N_ELEMENTS(query_opcodes); i++)
                if (query_opcodes[i] == opcode)
                        return TRUE;
        return FALSE;
}

void mlx5_transport_init(mlx5_transport *t, const struct mlx5_transport_ops *ops, unsigned max_inflight)
{
        t->ops = ops;
        t->stats = mlx5_cmd_stats_new();
        t->max_inflight = max_inflight ? max_inflight : 1;
        t->inflight = 0;
        g_mutex_init(&t->lock);
        g_cond_init(&t->slot_free);
}

void mlx5_transport_set_max_rate(mlx5_transport *t, unsigned per_second)
{
        g_mutex_lock(&t->lock);
        t->rate_interval_us = per_second ? G_USEC_PER_SEC / per_second : 0;
        g_mutex_unlock(&t->lock);
}

/* Reserves the next send time under the rate cap and sleeps until it comes. */
static void wait_for_rate(mlx5_transport *t)
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

int mlx5_transport_exec(mlx5_transport *t, const void *in, size_t inlen, void *out, size_t outlen)
{
        int64_t start;
        int r;

        if (inlen < MLX5_MBOX_HDR_LEN || outlen < MLX5_MBOX_HDR_LEN)
                return -EINVAL;
        if (!mlx5_transport_is_allowed(in, inlen))
                return -EPERM;

        wait_for_rate(t);
        g_mutex_lock(&t->lock);
        while (t->inflight >= t->max_inflight)
                g_cond_wait(&t->slot_free, &t->lock);
        t->inflight++;
        g_mutex_unlock(&t->lock);

        start = g_get_monotonic_time();
        r = t->ops->exec(t, in, inlen, out, outlen);
        mlx5_cmd_stats_record(t->stats, mlx5_mbox_in_opcode(in), r,
                              r < 0 ? 0 : mlx5_mbox_out_status(out),
                              (uint64_t) (g_get_monotonic_time() - start) * 1000);

        g_mutex_lock(&t->lock);
        t->inflight--;
        g_cond_signal(&t->slot_free);
        g_mutex_unlock(&t->lock);
        return r;
}

void mlx5_transport_format_stats(mlx5_transport *t, GString *out)
{
        mlx5_cmd_stats_format(t->stats, out);
        if (t->ops->format_peer_stats)
                t->ops->format_peer_stats(t, out);
}

void mlx5_transport_free(mlx5_transport *t)
{
        if (!t)
                return;
        mlx5_cmd_stats_free(t->stats);
        g_mutex_clear(&t->lock);
        g_cond_clear(&t->slot_free);
        t->ops->destroy(t);
}
