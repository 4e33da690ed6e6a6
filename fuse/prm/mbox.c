/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mbox.h"

struct name_value {
        unsigned value;
        const char *name;
};

static const struct name_value opcodes[] = {
        { MLX5_CMD_OP_QUERY_HCA_CAP, "QUERY_HCA_CAP" },
        { MLX5_CMD_OP_QUERY_ADAPTER, "QUERY_ADAPTER" },
        { MLX5_CMD_OP_QUERY_ISSI, "QUERY_ISSI" },
        { MLX5_CMD_OP_QUERY_MKEY, "QUERY_MKEY" },
        { MLX5_CMD_OP_QUERY_EQ, "QUERY_EQ" },
        { MLX5_CMD_OP_QUERY_CQ, "QUERY_CQ" },
        { MLX5_CMD_OP_QUERY_QP, "QUERY_QP" },
        { MLX5_CMD_OP_QUERY_SRQ, "QUERY_SRQ" },
        { MLX5_CMD_OP_QUERY_XRC_SRQ, "QUERY_XRC_SRQ" },
        { MLX5_CMD_OP_QUERY_DCT, "QUERY_DCT" },
        { MLX5_CMD_OP_QUERY_VPORT_STATE, "QUERY_VPORT_STATE" },
        { MLX5_CMD_OP_QUERY_NIC_VPORT_CONTEXT, "QUERY_NIC_VPORT_CONTEXT" },
        { MLX5_CMD_OP_QUERY_HCA_VPORT_CONTEXT, "QUERY_HCA_VPORT_CONTEXT" },
        { MLX5_CMD_OP_QUERY_VPORT_COUNTER, "QUERY_VPORT_COUNTER" },
        { MLX5_CMD_OP_QUERY_Q_COUNTER, "QUERY_Q_COUNTER" },
        { MLX5_CMD_OP_ACCESS_REG, "ACCESS_REG" },
        { MLX5_CMD_OP_NOP, "NOP" },
        { MLX5_CMD_OP_QUERY_TIR, "QUERY_TIR" },
        { MLX5_CMD_OP_QUERY_SQ, "QUERY_SQ" },
        { MLX5_CMD_OP_QUERY_RQ, "QUERY_RQ" },
        { MLX5_CMD_OP_QUERY_RMP, "QUERY_RMP" },
        { MLX5_CMD_OP_QUERY_TIS, "QUERY_TIS" },
        { MLX5_CMD_OP_QUERY_RQT, "QUERY_RQT" },
        { MLX5_CMD_OP_CREATE_UCTX, "CREATE_UCTX" },
        { MLX5_CMD_OP_DESTROY_UCTX, "DESTROY_UCTX" },
        { MLX5_CMD_OP_CREATE_UMEM, "CREATE_UMEM" },
        { MLX5_CMD_OP_DESTROY_UMEM, "DESTROY_UMEM" },
};

static const struct name_value statuses[] = {
        { MLX5_CMD_STAT_OK, "OK" },
        { MLX5_CMD_STAT_INT_ERR, "INT_ERR" },
        { MLX5_CMD_STAT_BAD_OP_ERR, "BAD_OP" },
        { MLX5_CMD_STAT_BAD_PARAM_ERR, "BAD_PARAM" },
        { MLX5_CMD_STAT_BAD_SYS_STATE_ERR, "BAD_SYS_STATE" },
        { MLX5_CMD_STAT_BAD_RES_ERR, "BAD_RES" },
        { MLX5_CMD_STAT_RES_BUSY, "RES_BUSY" },
        { MLX5_CMD_STAT_LIM_ERR, "LIM" },
        { MLX5_CMD_STAT_BAD_RES_STATE_ERR, "BAD_RES_STATE" },
        { MLX5_CMD_STAT_IX_ERR, "IX" },
        { MLX5_CMD_STAT_NO_RES_ERR, "NO_RES" },
        { MLX5_CMD_STAT_BAD_QP_STATE_ERR, "BAD_QP_STATE" },
        { MLX5_CMD_STAT_BAD_PKT_ERR, "BAD_PKT" },
        { MLX5_CMD_STAT_BAD_SIZE_OUTS_CQES_ERR, "BAD_SIZE_OUTS_CQES" },
        { MLX5_CMD_STAT_BAD_INP_LEN_ERR, "BAD_INP_LEN" },
        { MLX5_CMD_STAT_BAD_OUTP_LEN_ERR, "BAD_OUTP_LEN" },
};

static const char *lookup_name(const struct name_value *table, size_t n, unsigned value)
{
        for (size_t i = 0; i < n; i++)
                if (table[i].value == value)
                        return table[i].name;
        return NULL;
}

const char *mlx5_opcode_name(unsigned opcode)
{
        return lookup_name(opcodes, sizeof(opcodes) / sizeof(opcodes[0]), opcode);
}

int mlx5_opcode_parse(const char *s, unsigned *ret_opcode)
{
        char *end;
        unsigned long v;

        for (size_t i = 0; i < sizeof(opcodes) / sizeof(opcodes[0]); i++)
                if (strcmp(opcodes[i].name, s) == 0) {
                        *ret_opcode = opcodes[i].value;
                        return 0;
                }

        errno = 0;
        v = strtoul(s, &end, 0);
        if (errno != 0 || end == s || *end != '\0' || v > 0xffff)
                return -EINVAL;
        *ret_opcode = v;
        return 0;
}

const char *mlx5_status_name(unsigned status)
{
        const char *name = lookup_name(statuses, sizeof(statuses) / sizeof(statuses[0]), status);

        return name ? name : "UNKNOWN";
}
