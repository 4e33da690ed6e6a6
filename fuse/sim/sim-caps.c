/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QUERY_HCA_CAP: one capability struct per schema `caps` block, selected by
 * op_mod = type << 1 | (1 current, 0 max).  Current values are the maximum
 * ones with some numbers lowered, as a driver's SET_HCA_CAP would leave
 * them, so current never exceeds max.
 */
#include <string.h>

#include "prm/bits.h"
#include "sim/sim-private.h"

/* query_hca_cap_in.other_function: this function manages no others. */
#define QUERY_HCA_CAP_OTHER_FUNCTION_BIT 0x40

void sim_caps_output(const mlx5_sim *sim, const struct sim_caps *c, bool current, uint8_t *out, size_t len)
{
        struct sim_fill_ctx ctx = {
                .sim = sim,
                .identity_seed = sim_hash2(sim_hash2(sim->seed, sim->index), c->name_hash),
                .lowered = current,
        };

        /* Capabilities never change: one seed for every leaf. */
        ctx.object_seed = ctx.identity_seed;
        memset(out, 0, len);
        sim_plan_fill(&c->plan, &ctx, out, len);
}

unsigned sim_cmd_query_hca_cap(struct sim_cmd *cmd)
{
        unsigned op_mod = mlx5_mbox_in_op_mod(cmd->in);
        unsigned status = sim_check_len(cmd, MLX5_MBOX_HDR_LEN, MLX5_HCA_CAP_OUT_LEN);

        if (status != MLX5_CMD_STAT_OK)
                return status;
        if (mlx5_bits_get(cmd->in, cmd->inlen, QUERY_HCA_CAP_OTHER_FUNCTION_BIT, 1))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_CAPS_OTHER_FUNCTION);
        for (unsigned i = 0; i < cmd->sim->n_caps; i++) {
                const struct sim_caps *c = &cmd->sim->caps[i];

                if (c->caps->type == op_mod >> 1) {
                        sim_caps_output(cmd->sim, c, op_mod & 1, cmd->out, MLX5_HCA_CAP_OUT_LEN);
                        return MLX5_CMD_STAT_OK;
                }
        }
        return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_CAPS_TYPE);
}
