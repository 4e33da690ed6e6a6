/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which vport a command names, and the queries that may name one:
 * QUERY_NIC_VPORT_CONTEXT, QUERY_HCA_VPORT_CONTEXT, QUERY_VPORT_STATE of
 * the function's own vport (their contexts are the schema resources' fill
 * plans; this checks what the input asks beyond them) and QUERY_Q_COUNTER.
 * Layouts: mlx5_ifc.h query_{nic,hca}_vport_context_in,
 * query_vport_state_in, query_vport_counter_in, query_q_counter_in:
 * other_vport at bit 0x40, vport_number 16 bits at 0x50, port_num (HCA
 * vport context and counters) 4 bits at 0x4c.
 */
#include "prm/bits.h"
#include "sim/sim-private.h"

#define IN_OTHER_VPORT_BIT      0x40
#define IN_PORT_NUM_BIT         0x4c
#define IN_VPORT_NUMBER_BIT     0x50
/* query_nic_vport_context_in.allowed_list_type: UC 0, MC 1, VLAN 2 (MLX5_NVPRT_LIST_TYPE_*). */
#define IN_ALLOWED_LIST_TYPE_BIT 0x65
#define ALLOWED_LIST_TYPE_MAX   2

/* This model has no VFs, SFs or ECPF: the device's one vport is 0, the function's own. */
#define OWN_VPORT               0

unsigned sim_vport_check(struct sim_cmd *cmd, bool port_num)
{
        unsigned vport = mlx5_bits_get(cmd->in, cmd->inlen, IN_VPORT_NUMBER_BIT, 16);
        uint64_t num_ports;

        /*
         * other_vport names a vport a vport group or eswitch manager manages
         * (mlx5_core sets it only when its caps say it is one: vport.c,
         * eswitch.c), and only one the device has.
         */
        if (mlx5_bits_get(cmd->in, cmd->inlen, IN_OTHER_VPORT_BIT, 1)) {
                if (!sim_general_cap(cmd->sim, "vport_group_manager") && !sim_general_cap(cmd->sim, "eswitch_manager"))
                        return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_OTHER_VPORT);
                /* Which status firmware gives for a vport the device lacks is not published: BAD_PARAM. */
                if (vport != OWN_VPORT)
                        return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_NO_VPORT);
        } else if (vport) {
                /* Whether firmware ignores vport_number without other_vport is not published: refused (stricter). */
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_VPORT_NUMBER);
        }
        if (!port_num)
                return MLX5_CMD_STAT_OK;
        /* mlx5_core names a port only on a two-port device (num_ports == 2, vport.c); else 0. */
        num_ports = sim_general_cap(cmd->sim, "num_ports");
        if (mlx5_bits_get(cmd->in, cmd->inlen, IN_PORT_NUM_BIT, 4) > (num_ports == 2 ? 2u : 0u))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_PORT_NUM);
        return MLX5_CMD_STAT_OK;
}

unsigned sim_cmd_query_vport(struct sim_cmd *cmd, const struct sim_type *t)
{
        unsigned status = sim_check_len(cmd, t->res->inlen, t->res->outlen);

        if (status == MLX5_CMD_STAT_OK)
                status = sim_vport_check(cmd, cmd->opcode == MLX5_CMD_OP_QUERY_HCA_VPORT_CONTEXT);
        if (status != MLX5_CMD_STAT_OK)
                return status;
        /* A list type mlx5_ifc.h does not name: what firmware does with it is not published, refused. */
        if (cmd->opcode == MLX5_CMD_OP_QUERY_NIC_VPORT_CONTEXT &&
            mlx5_bits_get(cmd->in, cmd->inlen, IN_ALLOWED_LIST_TYPE_BIT, 3) > ALLOWED_LIST_TYPE_MAX)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_LIST_TYPE);
        return sim_cmd_query_resource(cmd, t);
}

unsigned sim_cmd_query_q_counter(struct sim_cmd *cmd, const struct sim_type *t)
{
        unsigned status = sim_check_len(cmd, t->res->inlen, t->res->outlen);

        /* query_q_counter_in has other_vport and vport_number where the vport commands do. */
        if (status == MLX5_CMD_STAT_OK)
                status = sim_vport_check(cmd, false);
        if (status != MLX5_CMD_STAT_OK)
                return status;
        if (mlx5_bits_get(cmd->in, cmd->inlen, IN_OTHER_VPORT_BIT, 1) && !sim_general_cap(cmd->sim, "q_counter_other_vport"))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_Q_OTHER_VPORT);
        return sim_cmd_query_resource(cmd, t);
}
