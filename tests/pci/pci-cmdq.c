/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Layouts (include/linux/mlx5/device.h): struct mlx5_cmd_layout (type,
 * inlen, in_ptr, in[16 bytes], out[16 bytes], out_ptr, outlen, token, sig,
 * status_own) and struct mlx5_cmd_prot_block (512 data bytes, next at
 * 0x230, block_num, token).  Checksums are off (mlx5_core clears
 * cmdif_checksum), so signatures are neither checked nor written.
 */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "pci-cmdq.h"
#include "pci-dma.h"
#include "prm/bits.h"
#include "prm/mbox.h"
#include "sim/sim-driver.h"

#define LAY_INLEN       0x04
#define LAY_IN_PTR      0x08
#define LAY_IN          0x10
#define LAY_OUT         0x20
#define LAY_OUT_PTR     0x30
#define LAY_OUTLEN      0x38
#define LAY_STATUS_OWN  0x3f
#define LAY_LEN         0x40
#define INLINE_LEN      16
#define ACCESS_REG_ID_BYTE 0x08 /* access_register_in.register_id, low 16 bits of the dword */
#define OUT_MIN_LEN     8       /* status and syndrome */

#define BLOCK_DATA      512
#define BLOCK_NEXT      0x230
#define BLOCK_LEN       0x240

#define OWNER_HW        0x1
/* Delivery status (status_own bits 7:1), from cmd.c. */
#define DELIVERY_OUT_PTR_ERR    0x4
#define DELIVERY_IN_PTR_ERR     0x5
#define DELIVERY_IN_LENGTH_ERR  0x7
#define DELIVERY_OUT_LENGTH_ERR 0x8

/* Syndrome sites of the firmware (sim-private.h SIM_SITE_BAD_OPCODE) as it tags them. */
#define SYNDROME_BAD_OPCODE(op) (0x51u << 24 | 1u << 16 | (op))

static uint64_t be64(const uint8_t *p)
{
        return (uint64_t) mlx5_be32_get(p) << 32 | mlx5_be32_get(p + 4);
}

/*
 * Walks the mailbox chain from ptr for len bytes beyond the inline 16,
 * reading into (write) or writing from (!write) msg + INLINE_LEN.
 */
static int walk_mailboxes(struct pci_cmdq *q, uint64_t ptr, uint8_t *msg, size_t len, bool write)
{
        uint8_t block[BLOCK_LEN];
        size_t done = INLINE_LEN;

        while (done < len) {
                size_t n = MIN(BLOCK_DATA, len - done);

                if (!ptr || pci_dma_read(q->ctx, ptr, block, BLOCK_LEN) < 0)
                        return -EFAULT;
                if (write) {
                        if (pci_dma_write(q->ctx, ptr, msg + done, n) < 0)
                                return -EFAULT;
                } else {
                        memcpy(msg + done, block, n);
                }
                done += n;
                ptr = be64(block + BLOCK_NEXT);
        }
        return 0;
}

static void log_command(struct pci_cmdq *q, unsigned slot, const uint8_t *in, const uint8_t *out)
{
        unsigned opcode = mlx5_mbox_in_opcode(in);
        unsigned status = mlx5_mbox_out_status(out);
        uint32_t syndrome = mlx5_mbox_out_syndrome(out);
        const char *name = mlx5_opcode_name(opcode);

        if (status == MLX5_CMD_STAT_BAD_OP_ERR && syndrome == SYNDROME_BAD_OPCODE(opcode)) {
                q->unknown_opcodes++;
                fprintf(q->log, "firmware: unknown opcode 0x%x (op_mod 0x%x, uid 0x%x): BAD_OP, syndrome 0x%x\n",
                        opcode, mlx5_mbox_in_op_mod(in), mlx5_mbox_in_uid(in), syndrome);
        }
        fprintf(q->log, "cmd slot=%u op=0x%x%s%s op_mod=0x%x uid=0x%x status=0x%x syndrome=0x%x", slot, opcode,
                name ? " " : "", name ? name : "", mlx5_mbox_in_op_mod(in), mlx5_mbox_in_uid(in), status,
                syndrome);
        if (opcode == MLX5_CMD_OP_ACCESS_REG)
                fprintf(q->log, " register=0x%x", mlx5_be32_get(in + ACCESS_REG_ID_BYTE) & 0xffff);
        fputc('\n', q->log);
        fflush(q->log);
}

/* Announces completion of slot through the command EQ, once the driver has one. */
static void complete_by_event(struct pci_cmdq *q, unsigned slot)
{
        uint8_t vector[4];
        struct mlx5_sim_eqe eqe;

        mlx5_be32_set(vector, 1u << slot);
        if (mlx5_sim_post_event(q->sim, MLX5_SIM_EVENT_CMD, vector, sizeof(vector), &eqe) < 0)
                return;
        /* The entry first, its owner byte last: the driver polls owner. */
        if (pci_dma_write(q->ctx, eqe.addr, eqe.bytes, MLX5_SIM_EQE_LEN - 1) < 0 ||
            pci_dma_write(q->ctx, eqe.addr + MLX5_SIM_EQE_LEN - 1, eqe.bytes + MLX5_SIM_EQE_LEN - 1, 1) < 0) {
                q->dma_errors++;
                fprintf(q->log, "pci: EQE of EQ %u at 0x%" G_GINT64_MODIFIER "x: not guest memory\n", eqe.eqn,
                        eqe.addr);
                return;
        }
        q->events++;
        if (vfu_irq_trigger(q->ctx, eqe.vector) < 0)
                fprintf(q->log, "pci: MSI-X vector %u of EQ %u: %s\n", eqe.vector, eqe.eqn, g_strerror(errno));
}

static void run_slot(struct pci_cmdq *q, unsigned slot)
{
        uint64_t addr = q->base + ((uint64_t) slot << PCI_CMDQ_LOG_STRIDE);
        uint8_t lay[LAY_LEN];
        g_autofree uint8_t *in = NULL, *out = NULL;
        uint32_t inlen, outlen;
        uint8_t delivery = 0;
        /* Events only for commands issued once the command EQ exists, as the driver expects. */
        bool by_event;

        if (pci_dma_read(q->ctx, addr, lay, LAY_LEN) < 0) {
                q->dma_errors++;
                fprintf(q->log, "pci: command slot %u at 0x%" G_GINT64_MODIFIER "x: not guest memory\n", slot,
                        addr);
                return;
        }
        if (!(lay[LAY_STATUS_OWN] & OWNER_HW))
                return;
        by_event = mlx5_sim_event_subscribed(q->sim, MLX5_SIM_EVENT_CMD);
        q->commands++;
        inlen = mlx5_be32_get(lay + LAY_INLEN);
        outlen = mlx5_be32_get(lay + LAY_OUTLEN);
        if (inlen < MLX5_MBOX_HDR_LEN || inlen > PCI_CMDQ_MAX_MSG) {
                delivery = DELIVERY_IN_LENGTH_ERR;
        } else if (outlen < OUT_MIN_LEN || outlen > PCI_CMDQ_MAX_MSG) {
                delivery = DELIVERY_OUT_LENGTH_ERR;
        } else {
                in = g_malloc0(MAX(inlen, INLINE_LEN));
                /* Some outputs are 12 bytes (status, syndrome, reserved); firmware writes a whole header. */
                out = g_malloc0(MAX(outlen, INLINE_LEN));
                memcpy(in, lay + LAY_IN, INLINE_LEN);
                if (walk_mailboxes(q, be64(lay + LAY_IN_PTR), in, inlen, false) < 0) {
                        delivery = DELIVERY_IN_PTR_ERR;
                } else {
                        mlx5_sim_exec(q->sim, in, inlen, out, MAX(outlen, INLINE_LEN));
                        log_command(q, slot, in, out);
                        if (walk_mailboxes(q, be64(lay + LAY_OUT_PTR), out, outlen, true) < 0)
                                delivery = DELIVERY_OUT_PTR_ERR;
                        memcpy(lay + LAY_OUT, out, MIN(outlen, INLINE_LEN));
                }
        }
        if (delivery)
                fprintf(q->log, "pci: slot %u: delivery status 0x%x (inlen %u, outlen %u)\n", slot, delivery,
                        inlen, outlen);
        lay[LAY_STATUS_OWN] = delivery << 1;
        if (pci_dma_write(q->ctx, addr + LAY_OUT, lay + LAY_OUT, INLINE_LEN) < 0 ||
            pci_dma_write(q->ctx, addr + LAY_STATUS_OWN, lay + LAY_STATUS_OWN, 1) < 0) {
                q->dma_errors++;
                return;
        }
        if (by_event)
                complete_by_event(q, slot);
}

void pci_cmdq_ring(struct pci_cmdq *q, uint32_t slots)
{
        for (unsigned slot = 0; slot < (1u << PCI_CMDQ_LOG_SIZE); slot++)
                if (slots & (1u << slot))
                        run_slot(q, slot);
}
