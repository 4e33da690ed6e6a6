/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command queue of the emulated function: 64-byte command layouts in
 * guest memory, inputs and outputs longer than 16 bytes chained through
 * 0x240-byte mailboxes, ownership handed back by clearing bit 0 of
 * status_own, and, once the driver has a command EQ, a completion event
 * (EQE + MSI-X) per command.  Every command goes to the simulated firmware.
 */
#pragma once

#include <stdint.h>
#include <stdio.h>

#include <libvfio-user.h>

#include "sim/sim.h"

/* Commands are 2^5 slots of 2^6 bytes: log_sz + log_stride within one 4 KiB page. */
#define PCI_CMDQ_LOG_SIZE       5
#define PCI_CMDQ_LOG_STRIDE     6
/* Longest input or output a command may chain (mailboxes walked per command). */
#define PCI_CMDQ_MAX_MSG        (4u << 20)

struct pci_cmdq {
        vfu_ctx_t *ctx;
        mlx5_sim *sim;
        uint64_t base;                  /* bus address of slot 0, as the driver wrote it */
        FILE *log;                      /* one line per command; unknown opcodes named */
        uint64_t commands;
        uint64_t unknown_opcodes;
        uint64_t dma_errors;
        uint64_t events;
};

/* The driver rang the doorbell for these slots. */
void pci_cmdq_ring(struct pci_cmdq *q, uint32_t slots);
