/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside a driven function (sim-driver.h): the HCA's life cycle and what
 * the driver gave it (sim-hca.c), and the objects its commands created
 * (sim-created.c).  Everything here is under the function's lock.
 */
#pragma once

#include "sim/sim-driver.h"
#include "sim/sim-private.h"

/* Limits: a driver cannot make the firmware allocate without bound. */
#define SIM_HCA_MAX_PAGES       (1u << 16)      /* pages held for firmware */
#define SIM_HCA_MAX_UARS        4096
#define SIM_CREATED_MAX         (1u << 18)      /* objects of one kind */
#define SIM_CREATED_MAX_PAS     512             /* EQ buffer pages */

struct sim_created;

struct sim_hca {
        bool enabled;                   /* ENABLE_HCA .. DISABLE_HCA */
        bool initialized;               /* INIT_HCA .. TEARDOWN_HCA */
        unsigned issi;
        GArray *pages;                  /* uint64_t: pages the driver gave, in order */
        uint8_t *set_caps[0x40];        /* per cap type: what SET_HCA_CAP wrote, current */
        GHashTable *uars;               /* live UAR indexes */
        unsigned next_uar;
        struct sim_created *created;
        uint8_t *vport;                 /* nic_vport_context, made on first use */
};

/* Handles the opcodes of a driven function; false: not one of them (dispatch goes on). */
bool sim_hca_dispatch(struct sim_cmd *cmd, unsigned *ret_status);
void sim_hca_free(struct sim_hca *hca);

/* The port's registers and the NIC vport (sim-port.c); false: not one of them. */
bool sim_port_access_reg(struct sim_cmd *cmd, unsigned *ret_status);
bool sim_port_dispatch(struct sim_cmd *cmd, unsigned *ret_status);

/* ---- created objects (sim-created.c) ---- */

struct sim_created *sim_created_new(void);
void sim_created_free(struct sim_created *c);
/* Create, destroy and modify commands; false: not one of them. */
bool sim_created_dispatch(struct sim_cmd *cmd, unsigned *ret_status);
/*
 * The query of resource t for an object the driver created: true with the
 * status when the function is driven (an object it did not create is then
 * BAD_RES), false on a populated function.
 */
bool sim_created_query(struct sim_cmd *cmd, const struct sim_type *t, unsigned *ret_status);
/*
 * Where len bytes written at addr through mkey land: the bus address, for
 * a write firmware makes on the command's behalf (sim-rscdump.c).  The
 * mkey must be one the command's user context created (the kernel's: any),
 * with local write, in PA mode, and [addr, addr + len) within its range;
 * otherwise the error status, with the syndrome in cmd.
 */
unsigned sim_created_mkey_target(struct sim_cmd *cmd, uint32_t mkey, uint64_t addr, uint64_t len,
                                 uint64_t *ret_bus);
/*
 * The query output of object id of resource t that the driver created (its
 * length in *ret_len, its creator's uid in *ret_uid), or NULL.  Valid until
 * the next command.
 */
const uint8_t *sim_created_output(struct sim_created *c, const mlx5_schema_resource *res, uint32_t id,
                                  size_t *ret_len, unsigned *ret_uid);
/* Every object, as on DISABLE_HCA. */
void sim_created_clear(struct sim_created *c);
bool sim_created_subscribed(struct sim_created *c, unsigned type);
int sim_created_post_event(struct sim_created *c, unsigned type, const void *data, size_t len,
                           struct mlx5_sim_eqe *ret);
