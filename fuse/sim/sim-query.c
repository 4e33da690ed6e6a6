/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every schema resource's query command, generically: lengths from the
 * schema, the object number from the input at the resource's id field,
 * the answer from the object's fill plan.  An object churn destroyed is
 * gone: BAD_RES, as for a number never used.  A user context reads what
 * sim-uctx.c allows it.
 */
#include "prm/bits.h"
#include "sim/sim-driven.h"

/*
 * Input bits beyond the object number that ask for more than this model
 * serves (mlx5_ifc.h layouts): each refused when set, with its own
 * syndrome, as what firmware would answer is not modelled (stricter).
 */
static const struct {
        unsigned opcode;
        uint16_t bit;
        enum sim_site site;
} unserved_bits[] = {
        /* qpc_ext: the QPC extension after the context; the general caps' qpc_extension reads 0 (sim-rules.c). */
        { MLX5_CMD_OP_QUERY_QP, 0x40, SIM_SITE_QPC_EXT },
        /* pg_access: the mkey's translation entries after its context. */
        { MLX5_CMD_OP_QUERY_MKEY, 0x60, SIM_SITE_PG_ACCESS },
        /* clear: one set's counters from 0 again; the daemon never sends it. */
        { MLX5_CMD_OP_QUERY_Q_COUNTER, 0xc0, SIM_SITE_COUNTER_CLEAR },
        /* aggregate: a vport's sets summed, for eswitch representors (en_rep.c); q_counter_aggregation reads 0. */
        { MLX5_CMD_OP_QUERY_Q_COUNTER, 0xc1, SIM_SITE_Q_AGGREGATE },
};

unsigned sim_cmd_query_resource(struct sim_cmd *cmd, const struct sim_type *t)
{
        const mlx5_schema_resource *res = t->res;
        unsigned status = sim_check_len(cmd, res->inlen, res->outlen);
        uint32_t slot = 0;

        if (status != MLX5_CMD_STAT_OK)
                return status;
        for (size_t i = 0; i < G_N_ELEMENTS(unserved_bits); i++)
                if (unserved_bits[i].opcode == cmd->opcode && mlx5_bits_get(cmd->in, cmd->inlen, unserved_bits[i].bit, 1))
                        return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, unserved_bits[i].site);
        if (sim_created_query(cmd, t, &status))
                return status;
        if (res->has_id) {
                uint64_t id = mlx5_bits_get(cmd->in, cmd->inlen, res->id_bit_off, res->id_width);

                if (id > UINT32_MAX || !sim_index_find(&t->index, id, &slot))
                        return sim_fail(cmd, MLX5_CMD_STAT_BAD_RES_ERR, SIM_SITE_NO_OBJECT);
                /* Another uid's object; which status real firmware gives is not published. */
                if (!sim_uid_may_read_object(cmd->sim, mlx5_mbox_in_uid(cmd->in), t, slot))
                        return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_NOT_PERMITTED);
        }
        sim_object_output(cmd->sim, t, slot, cmd->out, res->outlen);
        return MLX5_CMD_STAT_OK;
}
