/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PRM command mailbox: the 16-byte input and output headers every
 * command starts with, the opcodes this project speaks, and firmware status
 * codes.  Shared by the daemon and the simulated firmware.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "bits.h"

#define MLX5_MBOX_HDR_LEN 16

enum mlx5_opcode {
        MLX5_CMD_OP_QUERY_HCA_CAP = 0x100,
        MLX5_CMD_OP_QUERY_ADAPTER = 0x101,
        MLX5_CMD_OP_QUERY_ISSI = 0x10a,
        MLX5_CMD_OP_QUERY_MKEY = 0x201,
        MLX5_CMD_OP_QUERY_EQ = 0x303,
        MLX5_CMD_OP_QUERY_CQ = 0x402,
        MLX5_CMD_OP_QUERY_QP = 0x50b,
        MLX5_CMD_OP_QUERY_SRQ = 0x702,
        MLX5_CMD_OP_QUERY_XRC_SRQ = 0x707,
        MLX5_CMD_OP_QUERY_DCT = 0x713,
        MLX5_CMD_OP_QUERY_VPORT_STATE = 0x750,
        MLX5_CMD_OP_QUERY_NIC_VPORT_CONTEXT = 0x754,
        MLX5_CMD_OP_QUERY_HCA_VPORT_CONTEXT = 0x762,
        MLX5_CMD_OP_QUERY_VPORT_COUNTER = 0x770,
        MLX5_CMD_OP_QUERY_Q_COUNTER = 0x773,
        MLX5_CMD_OP_ACCESS_REG = 0x805,
        MLX5_CMD_OP_NOP = 0x80d,
        MLX5_CMD_OP_QUERY_TIR = 0x903,
        MLX5_CMD_OP_QUERY_SQ = 0x907,
        MLX5_CMD_OP_QUERY_RQ = 0x90b,
        MLX5_CMD_OP_QUERY_RMP = 0x90f,
        MLX5_CMD_OP_QUERY_TIS = 0x915,
        MLX5_CMD_OP_QUERY_RQT = 0x919,
        MLX5_CMD_OP_CREATE_UCTX = 0xa04,
        MLX5_CMD_OP_DESTROY_UCTX = 0xa06,
        MLX5_CMD_OP_CREATE_UMEM = 0xa08,
        MLX5_CMD_OP_DESTROY_UMEM = 0xa0a,
};

enum mlx5_cmd_status {
        MLX5_CMD_STAT_OK = 0x0,
        MLX5_CMD_STAT_INT_ERR = 0x1,
        MLX5_CMD_STAT_BAD_OP_ERR = 0x2,
        MLX5_CMD_STAT_BAD_PARAM_ERR = 0x3,
        MLX5_CMD_STAT_BAD_SYS_STATE_ERR = 0x4,
        MLX5_CMD_STAT_BAD_RES_ERR = 0x5,
        MLX5_CMD_STAT_RES_BUSY = 0x6,
        MLX5_CMD_STAT_LIM_ERR = 0x8,
        MLX5_CMD_STAT_BAD_RES_STATE_ERR = 0x9,
        MLX5_CMD_STAT_IX_ERR = 0xa,
        MLX5_CMD_STAT_NO_RES_ERR = 0xf,
        MLX5_CMD_STAT_BAD_QP_STATE_ERR = 0x10,
        MLX5_CMD_STAT_BAD_PKT_ERR = 0x30,
        MLX5_CMD_STAT_BAD_SIZE_OUTS_CQES_ERR = 0x40,
        MLX5_CMD_STAT_BAD_INP_LEN_ERR = 0x50,
        MLX5_CMD_STAT_BAD_OUTP_LEN_ERR = 0x51,
};

/* ACCESS_REG op_mod: 1 reads the register, 0 writes it. */
#define MLX5_ACCESS_REG_OP_MOD_READ 1
#define MLX5_REG_RESOURCE_DUMP 0xc000
/* access_register_in.register_id, bit 0x50, 16 bits */
#define MLX5_ACCESS_REG_ID_BIT 0x50

/* QUERY_HCA_CAP: op_mod = cap_type << 1 | mode; the capability (hca_cap_union) follows the header */
#define MLX5_HCA_CAP_LEN 0x1000
#define MLX5_HCA_CAP_OUT_LEN (MLX5_MBOX_HDR_LEN + MLX5_HCA_CAP_LEN)
enum mlx5_cap_mode {
        MLX5_CAP_MODE_MAX = 0,
        MLX5_CAP_MODE_CUR = 1,
};

enum mlx5_cap_type {
        MLX5_CAP_TYPE_GENERAL = 0x0,
        MLX5_CAP_TYPE_DEBUG = 0xd,
};

#define MLX5_UCTX_CAP_RAW_TX 0x1
#define MLX5_UCTX_CAP_TOOLS_RESOURCES 0x4

/* "QUERY_QP" for a known opcode, NULL otherwise. */
const char *mlx5_opcode_name(unsigned opcode);
/* Accepts a name ("QUERY_QP") or a number ("0x50b"); -EINVAL otherwise. */
int mlx5_opcode_parse(const char *s, unsigned *ret_opcode);
/* "BAD_RES" style short names, as firmware status codes are usually quoted. */
const char *mlx5_status_name(unsigned status);

static inline unsigned mlx5_mbox_in_opcode(const uint8_t *in)
{
        return (unsigned) in[0] << 8 | in[1];
}

static inline unsigned mlx5_mbox_in_uid(const uint8_t *in)
{
        return (unsigned) in[2] << 8 | in[3];
}

static inline unsigned mlx5_mbox_in_op_mod(const uint8_t *in)
{
        return (unsigned) in[6] << 8 | in[7];
}

static inline void mlx5_mbox_in_set_hdr(uint8_t *in, unsigned opcode, unsigned op_mod)
{
        in[0] = opcode >> 8;
        in[1] = opcode;
        in[6] = op_mod >> 8;
        in[7] = op_mod;
}

static inline unsigned mlx5_mbox_out_status(const uint8_t *out)
{
        return out[0];
}

static inline uint32_t mlx5_mbox_out_syndrome(const uint8_t *out)
{
        return mlx5_be32_get(out + 4);
}
