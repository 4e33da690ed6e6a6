/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QUERY_VPORT_COUNTER (0x770): the function's own vport's traffic counters.
 * The counters themselves are the schema resource's fill plan (COUNTER
 * rules, sim-rules.c: they grow with the function's uptime); this checks
 * what the input asks beyond the schema's lengths and op_mod, and clears.
 */
#include "prm/bits.h"
#include "sim/sim-private.h"

/* query_vport_counter_in (mlx5_ifc.h); other_vport, port_num and vport_number: sim-vport.c */
#define IN_CLEAR_BIT            0xc0

unsigned sim_cmd_query_vport_counter(struct sim_cmd *cmd, struct sim_type *t)
{
        unsigned status = sim_check_len(cmd, t->res->inlen, t->res->outlen);

        if (status != MLX5_CMD_STAT_OK)
                return status;
        /* Without the general cap's vport_counters bit, what firmware answers is not published: refused. */
        if (!sim_general_cap(cmd->sim, "vport_counters"))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_OP_ERR, SIM_SITE_CAPS_NOT_SUPPORTED);
        status = sim_vport_check(cmd, true);
        if (status != MLX5_CMD_STAT_OK)
                return status;
        if (!mlx5_bits_get(cmd->in, cmd->inlen, IN_CLEAR_BIT, 1))
                return sim_cmd_query_resource(cmd, t);
        /*
         * clear: mlx5_ifc.h has the bit, taken to mean answer, then count from
         * 0; mlx5_core never sets it (vport.c, en_stats.c, eswitch.c), and
         * whether firmware honours it from a user context (DEVX passes the
         * command through) is not published: uid 0 only, else BAD_PARAM (stricter).
         */
        if (mlx5_mbox_in_uid(cmd->in) != 0)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_COUNTER_CLEAR);
        status = sim_cmd_query_resource(cmd, t);
        if (status == MLX5_CMD_STAT_OK)
                t->cleared_ms = MAX(sim_uptime_ms(cmd->sim), 1);
        return status;
}
