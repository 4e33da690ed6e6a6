/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The port and the NIC vport of a driven function, as mlx5_core and
 * mlx5_ib read and set them: the NODE_DESC, PTYS, PMTU and PAOS registers,
 * QUERY/MODIFY_NIC_VPORT_CONTEXT (RoCE enable, MTU, addresses) and
 * QUERY_VPORT_STATE, QUERY_HCA_VPORT_PKEY, MAD_IFC.  No cable is modelled: the port is administratively
 * up and its link down, so no speed is operational.  Layouts: mlx5_ifc.h
 * access_register_in/out, node_desc, ptys_reg, pmtu_reg, paos_reg,
 * query/modify_nic_vport_context_in/out, modify_nic_vport_field_select,
 * nic_vport_context, query_vport_state_in/out.
 */
#include <string.h>

#include "prm/bits.h"
#include "sim/sim-driven.h"

#define OP_QUERY_VPORT_STATE            0x750
#define OP_QUERY_NIC_VPORT_CONTEXT      0x754
#define OP_MODIFY_NIC_VPORT_CONTEXT     0x755
#define OP_QUERY_HCA_VPORT_PKEY         0x765
#define OP_MAD_IFC                      0x50d

#define REG_ID_BIT              0x50
#define REG_DATA_BYTE           0x10
#define REG_PMTU                0x5003
#define REG_PTYS                0x5004
#define REG_PAOS                0x5006
#define REG_LOCAL_PORT_BIT      0x08    /* ptys, pmtu, paos: local_port, 8 bits */

/* PTYS: proto_mask (3 bits at 0x1d) ETH; the legacy Ethernet protocols of a 100G part. */
#define PTYS_PROTO_MASK_BIT     0x1d
#define PTYS_PROTO_ETH          0x4
#define PTYS_ETH_CAP_BIT        0x60
#define PTYS_ETH_ADMIN_BIT      0xc0
/* 10GBASE_KR 4, 40GBASE_CR4 6, 40GBASE_KR4 7, 100GBASE_CR4 20, 25GBASE_CR 27, 50GBASE_CR2 30 */
#define PTYS_ETH_PROTOS         (1u << 4 | 1u << 6 | 1u << 7 | 1u << 20 | 1u << 27 | 1u << 30)

#define PMTU_MAX_BIT            0x20
#define PMTU_ADMIN_BIT          0x40
#define PMTU_OPER_BIT           0x60
#define PORT_MAX_MTU            9978    /* ConnectX-6 Dx */

#define PAOS_ADMIN_BIT          0x14    /* admin_status, 4 bits: 1 up */
#define PAOS_OPER_BIT           0x1c    /* oper_status, 4 bits: 2 down */

#define VPORT_CTX_OUT_BYTE      0x10
#define VPORT_CTX_IN_BYTE       0x100
#define VPORT_CTX_LEN           0x100
#define VPORT_FIELD_SELECT_BIT  0x60
#define VPORT_STATE_ADMIN_BIT   0x78
#define VPORT_STATE_OPER_BIT    0x7c
#define PKEY_PORT_BIT           0x4c    /* query_hca_vport_pkey_in.port_num, 4 bits */
#define PKEY_INDEX_BIT          0x70    /* pkey_index, 16 bits; 0xffff: the whole table */
#define PKEY_ALL                0xffff
#define PKEY_OUT_BYTE           0x10    /* one 32-bit entry each, the pkey in its low 16 bits */
/* mlx5_core sets the table to 128 entries; only the default (full member) key is in it. */
#define PKEY_TABLE_LEN          128
#define PKEY_DEFAULT            0xffff

static uint8_t *vport_context(struct sim_hca *hca, const mlx5_sim *sim)
{
        if (!hca->vport) {
                /* A MAC in NVIDIA/Mellanox's b8:ce:f6 block, GUIDs from it (EUI-64). */
                uint64_t serial = sim_hash2(sim->seed, sim->index) & 0xffffff;
                uint64_t mac = 0xb8cef6000000ull | serial;
                uint64_t guid = (mac >> 24) << 40 | 0xfffeull << 24 | serial;

                hca->vport = g_malloc0(VPORT_CTX_LEN);
                mlx5_bits_set(hca->vport, VPORT_CTX_LEN, 0x130, 16, 1500);
                mlx5_bits_set(hca->vport, VPORT_CTX_LEN, 0x140, 64, guid);
                mlx5_bits_set(hca->vport, VPORT_CTX_LEN, 0x180, 64, guid);
                mlx5_bits_set(hca->vport, VPORT_CTX_LEN, 0x1c0, 64, guid);
                mlx5_bits_set(hca->vport, VPORT_CTX_LEN, 0x7a0, 64, mac);
        }
        return hca->vport;
}

/* The field_select bits this model applies: mlx5_ifc modify_nic_vport_field_select, LSB first. */
enum {
        SELECT_DISABLE_UC_LB = 1u << 11,
        SELECT_DISABLE_MC_LB = 1u << 10,
        SELECT_NODE_GUID = 1u << 9,
        SELECT_PORT_GUID = 1u << 8,
        SELECT_MIN_INLINE = 1u << 7,
        SELECT_MTU = 1u << 6,
        SELECT_CHANGE_EVENT = 1u << 5,
        SELECT_PROMISC = 1u << 4,
        SELECT_PERMANENT_ADDRESS = 1u << 3,
        SELECT_ROCE_EN = 1u << 1,
};

static const struct {
        unsigned select, bit, width;
} selected_fields[] = {
        { SELECT_DISABLE_UC_LB, 0x1e, 1 },
        { SELECT_DISABLE_MC_LB, 0x1d, 1 },
        { SELECT_NODE_GUID, 0x1c0, 64 },
        { SELECT_PORT_GUID, 0x180, 64 },
        { SELECT_MIN_INLINE, 0x5, 3 },
        { SELECT_MTU, 0x130, 16 },
        { SELECT_CHANGE_EVENT, 0x20, 1 },
        { SELECT_PROMISC, 0x780, 3 },
        { SELECT_PERMANENT_ADDRESS, 0x7a0, 64 },
        { SELECT_ROCE_EN, 0x1f, 1 },
};

static unsigned modify_vport(struct sim_cmd *cmd, struct sim_hca *hca)
{
        uint8_t *ctx = vport_context(hca, cmd->sim);
        uint32_t select = mlx5_bits_get(cmd->in, cmd->inlen, VPORT_FIELD_SELECT_BIT, 32);
        unsigned known = 0, status = sim_check_len(cmd, VPORT_CTX_IN_BYTE + VPORT_CTX_LEN, MLX5_MBOX_HDR_LEN);

        if (status != MLX5_CMD_STAT_OK)
                return status;
        for (size_t i = 0; i < G_N_ELEMENTS(selected_fields); i++)
                known |= selected_fields[i].select;
        /* Affiliation and address lists belong to an eswitch this model does not have. */
        if (select & ~known)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_OP_MOD);
        for (size_t i = 0; i < G_N_ELEMENTS(selected_fields); i++) {
                unsigned bit = selected_fields[i].bit, width = selected_fields[i].width;

                if (select & selected_fields[i].select)
                        mlx5_bits_set(ctx, VPORT_CTX_LEN, bit, width,
                                      mlx5_bits_get(cmd->in + VPORT_CTX_IN_BYTE, VPORT_CTX_LEN, bit, width));
        }
        return MLX5_CMD_STAT_OK;
}

static unsigned query_pkey(struct sim_cmd *cmd)
{
        unsigned index = mlx5_bits_get(cmd->in, cmd->inlen, PKEY_INDEX_BIT, 16);
        unsigned first = index == PKEY_ALL ? 0 : index, n = index == PKEY_ALL ? PKEY_TABLE_LEN : 1;
        unsigned status = sim_check_len(cmd, MLX5_MBOX_HDR_LEN, PKEY_OUT_BYTE + n * 4);

        if (status != MLX5_CMD_STAT_OK)
                return status;
        if (mlx5_bits_get(cmd->in, cmd->inlen, PKEY_PORT_BIT, 4) > 1 || first >= PKEY_TABLE_LEN)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_NO_OBJECT);
        for (unsigned i = 0; i < n; i++)
                mlx5_be32_set(cmd->out + PKEY_OUT_BYTE + i * 4, first + i == 0 ? PKEY_DEFAULT : 0);
        return MLX5_CMD_STAT_OK;
}

/* MAD_IFC: the MAD at 0x10 of the input, the response at 0x10 of the output (256 bytes each). */
#define MAD_BYTE                0x10
#define MAD_LEN                 256
#define MAD_METHOD_BYTE         3
#define MAD_STATUS_BYTE         4
#define MAD_METHOD_GET          0x01
#define MAD_METHOD_GET_RESP     0x81
#define MAD_STATUS_UNSUPPORTED  0x000c  /* unsupported method / attribute */

/*
 * An Ethernet (RoCE) port has no subnet manager agent: every MAD given to
 * the firmware's agent comes back as a response with the "unsupported
 * method/attribute" status, the command itself succeeding.
 */
static unsigned mad_ifc(struct sim_cmd *cmd)
{
        uint8_t *mad = cmd->out + MAD_BYTE;
        unsigned status = sim_check_len(cmd, MAD_BYTE + MAD_LEN, MAD_BYTE + MAD_LEN);

        if (status != MLX5_CMD_STAT_OK)
                return status;
        memcpy(mad, cmd->in + MAD_BYTE, MAD_LEN);
        if (mad[MAD_METHOD_BYTE] == MAD_METHOD_GET)
                mad[MAD_METHOD_BYTE] = MAD_METHOD_GET_RESP;
        mad[MAD_STATUS_BYTE] = MAD_STATUS_UNSUPPORTED >> 8;
        mad[MAD_STATUS_BYTE + 1] = MAD_STATUS_UNSUPPORTED & 0xff;
        return MLX5_CMD_STAT_OK;
}

bool sim_port_dispatch(struct sim_cmd *cmd, unsigned *ret_status)
{
        struct sim_hca *hca = cmd->sim->hca;

        if (cmd->opcode == OP_MAD_IFC) {
                *ret_status = mad_ifc(cmd);
                return true;
        }
        switch (cmd->opcode) {
        case OP_QUERY_NIC_VPORT_CONTEXT:
        case OP_MODIFY_NIC_VPORT_CONTEXT:
        case OP_QUERY_VPORT_STATE:
        case OP_QUERY_HCA_VPORT_PKEY:
                break;
        default:
                return false;
        }
        /* Only the function's own vport (each input has other_vport and vport_number where sim-vport.c reads them). */
        *ret_status = sim_vport_check(cmd, false);
        if (*ret_status != MLX5_CMD_STAT_OK)
                return true;
        switch (cmd->opcode) {
        case OP_QUERY_NIC_VPORT_CONTEXT:
                *ret_status = sim_check_len(cmd, MLX5_MBOX_HDR_LEN, VPORT_CTX_OUT_BYTE + VPORT_CTX_LEN);
                if (*ret_status == MLX5_CMD_STAT_OK)
                        memcpy(cmd->out + VPORT_CTX_OUT_BYTE, vport_context(hca, cmd->sim), VPORT_CTX_LEN);
                break;
        case OP_MODIFY_NIC_VPORT_CONTEXT:
                *ret_status = modify_vport(cmd, hca);
                break;
        case OP_QUERY_HCA_VPORT_PKEY:
                *ret_status = query_pkey(cmd);
                break;
        default:
                *ret_status = sim_check_len(cmd, MLX5_MBOX_HDR_LEN, MLX5_MBOX_HDR_LEN);
                if (*ret_status == MLX5_CMD_STAT_OK) {
                        /* Administratively up, link down: no cable. */
                        mlx5_bits_set(cmd->out, cmd->outlen, VPORT_STATE_ADMIN_BIT, 4, 1);
                        mlx5_bits_set(cmd->out, cmd->outlen, VPORT_STATE_OPER_BIT, 4, 0);
                }
                break;
        }
        return true;
}

/* Register reads (op_mod 1) and writes (0) of the port; false: not one of these registers. */
bool sim_port_access_reg(struct sim_cmd *cmd, unsigned *ret_status)
{
        unsigned reg = mlx5_bits_get(cmd->in, cmd->inlen, REG_ID_BIT, 16);
        bool read = mlx5_mbox_in_op_mod(cmd->in) == 1;
        const uint8_t *in_data = cmd->in + REG_DATA_BYTE;
        uint8_t *data = cmd->out + REG_DATA_BYTE;
        size_t len = cmd->outlen - MIN(cmd->outlen, REG_DATA_BYTE);
        unsigned status;

        if (reg != REG_PTYS && reg != REG_PMTU && reg != REG_PAOS)
                return false;
        status = sim_check_len(cmd, REG_DATA_BYTE + 16, REG_DATA_BYTE + 16);
        if (status == MLX5_CMD_STAT_OK &&
            mlx5_bits_get(in_data, cmd->inlen - REG_DATA_BYTE, REG_LOCAL_PORT_BIT, 8) != 1)
                status = sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_REGISTER);
        if (status != MLX5_CMD_STAT_OK) {
                *ret_status = status;
                return true;
        }
        memcpy(data, in_data, MIN(len, cmd->inlen - REG_DATA_BYTE));
        switch (reg) {
        case REG_PTYS:
                if (!read || !(mlx5_bits_get(in_data, 16, PTYS_PROTO_MASK_BIT, 3) & PTYS_PROTO_ETH)) {
                        *ret_status = sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_REGISTER);
                        return true;
                }
                mlx5_bits_set(data, len, PTYS_ETH_CAP_BIT, 32, PTYS_ETH_PROTOS);
                mlx5_bits_set(data, len, PTYS_ETH_ADMIN_BIT, 32, PTYS_ETH_PROTOS);
                break;
        case REG_PMTU:
                if (!read) {
                        *ret_status = sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_REGISTER);
                        return true;
                }
                mlx5_bits_set(data, len, PMTU_MAX_BIT, 16, PORT_MAX_MTU);
                mlx5_bits_set(data, len, PMTU_ADMIN_BIT, 16, PORT_MAX_MTU);
                mlx5_bits_set(data, len, PMTU_OPER_BIT, 16, PORT_MAX_MTU);
                break;
        case REG_PAOS:
                if (!read) {
                        *ret_status = sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_REGISTER);
                        return true;
                }
                mlx5_bits_set(data, len, PAOS_ADMIN_BIT, 4, 1);
                mlx5_bits_set(data, len, PAOS_OPER_BIT, 4, 2);
                break;
        }
        *ret_status = MLX5_CMD_STAT_OK;
        return true;
}
