/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every schema resource's query command, generically: lengths from the
 * schema, the object number from the input at the resource's id field,
 * the answer from the object's fill plan.  An object churn destroyed is
 * gone: BAD_RES, as for a number never used.  A user context reads what
 * sim-uctx.c allows it.
 */
#include "prm/bits.h"
#include "sim/sim-private.h"

unsigned sim_cmd_query_resource(struct sim_cmd *cmd, const struct sim_type *t)
{
        const mlx5_schema_resource *res = t->res;
        unsigned status = sim_check_len(cmd, res->inlen, res->outlen);
        uint32_t slot = 0;

        if (status != MLX5_CMD_STAT_OK)
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
