/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QUERY_HCA_CAP: one capability page per schema `caps` block, selected by
 * op_mod = type << 1 | (1 current, 0 max).  Values: the published ones of a
 * ConnectX-6 Dx (sim-caps-cx6dx.c) and coherent ones elsewhere; current
 * values are the maximum ones with some numbers lowered, as a driver's
 * SET_HCA_CAP would leave them, so current never exceeds max.
 *
 * A page is served exactly when its bit in the general page says the
 * device has it (the bits mlx5_core's mlx5_query_hca_caps() reads), and the
 * general page sets those bits exactly for the pages this simulation has a
 * layout for: a reader that trusts the bits never meets a refusal, and
 * every refusal is one a reader could have predicted.
 */
#include <string.h>

#include "prm/bits.h"
#include "sim/sim-private.h"

/*
 * query_hca_cap_in: other_function, ec_vf_function, function_id_type (4 bits
 * from 0x40) and function_id name another function; this one manages none.
 */
#define QUERY_HCA_CAP_OTHER_FUNCTION_BIT 0x40
#define QUERY_HCA_CAP_FUNCTION_ID_BIT   0x50
/* The capability page starts after the output header. */
#define CAP_BIT                 (MLX5_MBOX_HDR_LEN * 8)

/* The general-page bits that say a page exists (mlx5_core main.c, mlx5_query_hca_caps). */
static const struct {
        uint16_t type;
        const char *bits[2];    /* either one set: the page exists */
} page_bits[] = {
        { 0x1, { "eth_net_offloads" } },
        { 0x2, { "pg" } },
        { 0x3, { "atomic" } },
        { 0x4, { "roce" } },
        { 0x5, { "ipoib_basic_offloads" } },
        { 0x6, { "ipoib_enhanced_offloads" } },
        { 0x7, { "nic_flow_table" } },
        { 0x8, { "eswitch_manager" } },
        { 0x9, { "vport_group_manager" } },
        { 0xb, { "vector_calc" } },
        { 0xc, { "qos" } },
        { 0xd, { "debug" } },
        { 0xf, { "device_memory" } },
        { 0x11, { "tls_tx", "tls_rx" } },
        { 0x14, { "event_cap" } },
        { 0x15, { "ipsec_offload" } },
        { 0x1a, { "crypto" } },
        { 0x1d, { "shampo" } },
        { 0x20, { "hca_cap_2" } },
        { 0x25, { "port_selection_cap" } },
};

/*
 * DEBUG fields the schema (and Debian's mlx5_ifc.h) lack, at the offsets of
 * mstflint's reg_access_hca_debug_cap, with the README's values.
 */
static const struct {
        uint16_t bit, width;
        uint32_t value;
} debug_extra[] = {
        { 0x04, 5, 8 },         /* log_cr_dump_to_mem_size */
        { 0x0b, 5, 4 },         /* log_min_resource_dump_eq */
        { 0x18, 8, 14 },        /* log_max_samples */
};

static const struct sim_caps *find_caps(const mlx5_sim *sim, unsigned type)
{
        for (unsigned i = 0; i < sim->n_caps; i++)
                if (sim->caps[i].caps->type == type)
                        return &sim->caps[i];
        return NULL;
}

/* Each page bit the schema has: set exactly when this simulation serves the page. */
static void set_page_bits(const mlx5_sim *sim, const struct sim_caps *general, uint8_t *out, size_t len)
{
        for (size_t i = 0; i < G_N_ELEMENTS(page_bits); i++) {
                bool served = find_caps(sim, page_bits[i].type) != NULL;

                for (size_t k = 0; k < G_N_ELEMENTS(page_bits[i].bits) && page_bits[i].bits[k]; k++) {
                        const mlx5_schema_field *f;
                        uint32_t off;

                        if (mlx5_schema_resolve(general->caps->layout, page_bits[i].bits[k], &f, &off) < 0)
                                continue;
                        /* One bit names the page; a second (tls_rx) stays clear. */
                        mlx5_bits_set(out, len, CAP_BIT + off, f->width, served && k == 0);
                }
        }
}

void sim_caps_output(const mlx5_sim *sim, const struct sim_caps *c, bool current, uint8_t *out, size_t len)
{
        struct sim_fill_ctx ctx = {
                .sim = sim,
                /* One device model, one set of caps: not the population's seed, not the function. */
                .identity_seed = sim_mix64(c->name_hash),
                .lowered = current,
        };

        /* Capabilities never change: one seed for every leaf. */
        ctx.object_seed = ctx.identity_seed;
        memset(out, 0, len);
        sim_plan_fill(&c->plan, &ctx, out, len);
        if (c->caps->type == MLX5_CAP_TYPE_GENERAL)
                set_page_bits(sim, c, out, len);
        if (c->caps->type == MLX5_CAP_TYPE_DEBUG)
                for (size_t i = 0; i < G_N_ELEMENTS(debug_extra); i++)
                        mlx5_bits_set(out, len, CAP_BIT + debug_extra[i].bit, debug_extra[i].width,
                                      debug_extra[i].value);
}

uint64_t sim_general_cap(const mlx5_sim *sim, const char *name)
{
        const struct sim_caps *c = find_caps(sim, MLX5_CAP_TYPE_GENERAL);
        g_autofree uint8_t *out = NULL;
        uint64_t value = 0;

        if (!c)
                return 0;
        out = g_malloc(MLX5_HCA_CAP_OUT_LEN);
        sim_caps_output(sim, c, true, out, MLX5_HCA_CAP_OUT_LEN);
        if (mlx5_schema_get(c->caps->layout, out + MLX5_MBOX_HDR_LEN, MLX5_HCA_CAP_LEN, name, &value) < 0)
                return 0;
        return value;
}

/* Whether the general page says the device has page type. */
static bool page_offered(const mlx5_sim *sim, unsigned type)
{
        if (type == MLX5_CAP_TYPE_GENERAL)
                return true;
        for (size_t i = 0; i < G_N_ELEMENTS(page_bits); i++) {
                if (page_bits[i].type != type)
                        continue;
                for (size_t k = 0; k < G_N_ELEMENTS(page_bits[i].bits) && page_bits[i].bits[k]; k++)
                        if (sim_general_cap(sim, page_bits[i].bits[k]))
                                return true;
        }
        return false;
}

unsigned sim_cmd_query_hca_cap(struct sim_cmd *cmd)
{
        unsigned op_mod = mlx5_mbox_in_op_mod(cmd->in);
        unsigned status = sim_check_len(cmd, MLX5_MBOX_HDR_LEN, MLX5_HCA_CAP_OUT_LEN);
        const struct sim_caps *c;

        if (status != MLX5_CMD_STAT_OK)
                return status;
        if (mlx5_bits_get(cmd->in, cmd->inlen, QUERY_HCA_CAP_OTHER_FUNCTION_BIT, 4))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_CAPS_OTHER_FUNCTION);
        /* A function_id without other_function: whether firmware ignores it is not published, refused. */
        if (mlx5_bits_get(cmd->in, cmd->inlen, QUERY_HCA_CAP_FUNCTION_ID_BIT, 16))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_CAPS_FUNCTION_ID);
        c = find_caps(cmd->sim, op_mod >> 1);
        if (!page_offered(cmd->sim, op_mod >> 1))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, c ? SIM_SITE_CAPS_NOT_SUPPORTED : SIM_SITE_CAPS_TYPE);
        if (!c)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_CAPS_TYPE);
        sim_caps_output(cmd->sim, c, op_mod & 1, cmd->out, MLX5_HCA_CAP_OUT_LEN);
        return MLX5_CMD_STAT_OK;
}
