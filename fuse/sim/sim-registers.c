/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ACCESS_REG: the registers a debugging user reads on a ConnectX-6 Dx
 * (real-device.md §3) — NODE_DESC, DTOR, MCAM, PCAM — and RESOURCE_DUMP
 * (sim-rscdump.c), with what that device answers where the mlx5ctl README
 * shows it.  Any other register id is BAD_PARAM.  Layouts:
 * mlx5_ifc.h access_register_in/out, dtor_reg, mcam_reg, pcam_reg; the
 * capability masks advertise exactly the registers of their group this
 * firmware answers, so a reader that trusts MCAM/PCAM never hits a refusal.
 *
 * Writes (op_mod 0) go to RESOURCE_DUMP only, which the kernel drives by
 * writing and reading the answer back; the simulated firmware takes no
 * configuration, so every other register write is refused, whoever sends
 * it (stricter than a kernel-owned device; a user context could not write
 * them anyway).
 */
#include <string.h>

#include "prm/bits.h"
#include "sim/sim-private.h"

#define REG_DATA_BYTE           MLX5_MBOX_HDR_LEN       /* register_data, in and out */

#define REG_NODE_DESC           0x6001
#define REG_PCAM                0x507f
#define REG_MCAM                0x907f
#define REG_DTOR                0xc00e

#define NODE_DESC_LEN           64
#define DTOR_LEN                64      /* dtor_reg: 0x200 bits */
#define MCAM_LEN                72      /* mcam_reg: 0x240 bits */
#define PCAM_LEN                80      /* pcam_reg: 0x280 bits */

/* The NODE_DESC text of the ConnectX-6 Dx the mlx5ctl README reads. */
#define SIM_NODE_DESC           "MT4125 ConnectX6Dx Mellanox Technologies"

/* mcam_reg/pcam_reg: access_reg_group at bit 0x18; the 128-bit register mask at 0x40, register base + n at bit 0x40 + 127 - n. */
#define CAM_GROUP_BIT           0x18
#define CAM_MASK_BIT            0x40

/*
 * dtor_reg as that device answers it (the README's bytes): each
 * default_timeout is to_multiplier (3 bits; 1 = seconds) and to_value (20
 * bits at +0xc).
 */
#define DTOR_SECONDS            1
static const struct {
        uint16_t bit;
        uint32_t seconds;
} dtor_timeouts[] = {
        { 0x020, 2 },           /* pcie_toggle_to */
        { 0x0a0, 2 },           /* health_poll_to */
        { 0x0c0, 60 },          /* full_crdump_to */
        { 0x0e0, 60 },          /* fw_reset_to */
        { 0x100, 2 },           /* flush_on_err_to */
        { 0x120, 2 },           /* pci_sync_update_to */
        { 0x140, 10 },          /* tear_down_to */
        { 0x160, 5 },           /* fsm_reactivate_to */
        { 0x180, 5 },           /* reclaim_pages_to */
        { 0x1a0, 120 },         /* reclaim_vfs_pages_to */
};

static void read_dtor(uint8_t *data, size_t len)
{
        for (size_t i = 0; i < G_N_ELEMENTS(dtor_timeouts); i++) {
                mlx5_bits_set(data, len, dtor_timeouts[i].bit, 3, DTOR_SECONDS);
                mlx5_bits_set(data, len, dtor_timeouts[i].bit + 0xc, 20, dtor_timeouts[i].seconds);
        }
}

/* A *CAM register of group 0: it answers for itself, the only register of its range this firmware has. */
static unsigned read_cam(struct sim_cmd *cmd, uint8_t *data, size_t len, unsigned reg_id)
{
        const uint8_t *in_data = cmd->in + REG_DATA_BYTE;

        if (mlx5_bits_get(in_data, len, CAM_GROUP_BIT, 8) != 0)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_REG_GROUP);
        mlx5_bits_set(data, len, CAM_MASK_BIT + 127 - (reg_id & 0x7f), 1, 1);
        return MLX5_CMD_STAT_OK;
}

static unsigned read_register(struct sim_cmd *cmd, unsigned reg_id)
{
        size_t len = reg_id == REG_NODE_DESC ? NODE_DESC_LEN
                   : reg_id == REG_DTOR ? DTOR_LEN
                   : reg_id == REG_MCAM ? MCAM_LEN : PCAM_LEN;
        unsigned status = sim_check_len(cmd, REG_DATA_BYTE + len, REG_DATA_BYTE + len);
        uint8_t *data = cmd->out + REG_DATA_BYTE;

        if (status != MLX5_CMD_STAT_OK)
                return status;
        switch (reg_id) {
        case REG_NODE_DESC:
                memcpy(data, SIM_NODE_DESC, strlen(SIM_NODE_DESC));
                return MLX5_CMD_STAT_OK;
        case REG_DTOR:
                read_dtor(data, len);
                return MLX5_CMD_STAT_OK;
        default:
                return read_cam(cmd, data, len, reg_id);
        }
}

unsigned sim_cmd_access_reg(struct sim_cmd *cmd)
{
        unsigned op_mod = mlx5_mbox_in_op_mod(cmd->in);
        unsigned reg_id;
        unsigned status = sim_check_len(cmd, REG_DATA_BYTE, REG_DATA_BYTE);

        if (status != MLX5_CMD_STAT_OK)
                return status;
        reg_id = mlx5_bits_get(cmd->in, cmd->inlen, MLX5_ACCESS_REG_ID_BIT, 16);
        if (op_mod != MLX5_ACCESS_REG_OP_MOD_READ && op_mod != 0)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_OP_MOD);
        switch (reg_id) {
        case MLX5_REG_RESOURCE_DUMP:
                /* The kernel writes (op_mod 0) and reads the answer back; tools read (1). */
                return sim_cmd_resource_dump(cmd);
        case REG_NODE_DESC:
        case REG_DTOR:
        case REG_MCAM:
        case REG_PCAM:
                if (op_mod == 0)
                        return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_REG_WRITE);
                return read_register(cmd, reg_id);
        default:
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_REGISTER);
        }
}
