/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QUERY_ISSI: the interface step sequence ids this firmware supports and
 * the one the driver chose.  ConnectX-4 and later support ISSI 0 and 1, and
 * mlx5_core moves every such device to 1 at load (SET_ISSI), so a running
 * device reports current_issi 1 and supported bits 0 and 1.  Layout:
 * mlx5_ifc.h query_issi_out.
 */
#include "prm/bits.h"
#include "sim/sim-private.h"

#define QUERY_ISSI_OUT_LEN              0x70
#define QUERY_ISSI_CURRENT_BIT          0x50    /* 16 bits */
#define QUERY_ISSI_SUPPORTED_DW0_BIT    0x360   /* 32 bits: bit n = ISSI n */

unsigned sim_cmd_query_issi(struct sim_cmd *cmd)
{
        unsigned status = sim_check_len(cmd, MLX5_MBOX_HDR_LEN, QUERY_ISSI_OUT_LEN);

        if (status != MLX5_CMD_STAT_OK)
                return status;
        if (mlx5_mbox_in_op_mod(cmd->in) != 0)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_OP_MOD);
        mlx5_bits_set(cmd->out, cmd->outlen, QUERY_ISSI_CURRENT_BIT, 16, 1);
        mlx5_bits_set(cmd->out, cmd->outlen, QUERY_ISSI_SUPPORTED_DW0_BIT, 32, 0x3);
        return MLX5_CMD_STAT_OK;
}
