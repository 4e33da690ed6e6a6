/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A simulated function driven by a kernel driver (Linux's mlx5_core and
 * mlx5_ib behind an emulated PCI function), rather than populated for
 * --sim: it starts in reset and holds only what the driver creates.
 * The firmware still sees only command mailboxes; what a bus needs from it
 * beyond commands (where an event goes) is asked here, with addresses the
 * driver gave in its commands, which the firmware treats as numbers.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/sim.h"

/*
 * Makes sim a driven function: in reset until ENABLE_HCA, stateful from
 * then on (ISSI, pages, caps the driver sets, INIT/TEARDOWN_HCA, UARs, EQs,
 * and every object the driver creates, which the query commands answer
 * for with the context the driver wrote).  Capabilities then advertise
 * only features this firmware model implements (sim-hca.c).  Call once,
 * before the first command; objects the spec populated are not touched,
 * so build sim with a spec that populates none.
 */
void mlx5_sim_drive(mlx5_sim *sim);

/*
 * Writes len bytes of buf to bus address addr of the host's memory; 0, or
 * -EFAULT when the host gave no such memory.  Firmware writes through it
 * what a command asks to have written into host memory through an mkey
 * (RESOURCE_DUMP with inline_dump 0, as mlx5_core's resource dump does).
 */
typedef int (*mlx5_sim_dma_write_fn)(void *user_data, uint64_t addr, const void *buf, size_t len);
/* The bus behind a driven function; without one such commands are refused. */
void mlx5_sim_set_dma_write(mlx5_sim *sim, mlx5_sim_dma_write_fn fn, void *user_data);

/* MLX5_EVENT_TYPE_CMD: command completion (data: the slot bit mask, be32). */
#define MLX5_SIM_EVENT_CMD 0x0a
#define MLX5_SIM_EQE_LEN 64

/* Where one event queue entry goes, and the interrupt that announces it. */
struct mlx5_sim_eqe {
        uint8_t bytes[MLX5_SIM_EQE_LEN];
        uint64_t addr;                  /* bus address of the entry, from the EQ's page list */
        unsigned vector;                /* the EQ's MSI-X vector (eqc.intr) */
        unsigned eqn;
};

/*
 * The entry firmware writes for an event of type with data (at most 28
 * bytes) into the EQ that subscribed to it, advancing that EQ's producer
 * index.  -ENOENT when no EQ takes the event (firmware then drops it, as
 * before the driver has made its EQs), -EINVAL for data too long.
 */
int mlx5_sim_post_event(mlx5_sim *sim, unsigned type, const void *data, size_t len, struct mlx5_sim_eqe *ret);

/* Whether an EQ takes events of type now. */
bool mlx5_sim_event_subscribed(mlx5_sim *sim, unsigned type);

/* Whether the driver has enabled the function (ENABLE_HCA, no DISABLE_HCA since). */
bool mlx5_sim_enabled(mlx5_sim *sim);
