/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The HCA of a driven function, as mlx5_core brings it up and down:
 * ENABLE_HCA, QUERY/SET_ISSI, QUERY_PAGES and MANAGE_PAGES (boot and init
 * pages the driver must give, taken back on teardown), SET_HCA_CAP (by the
 * kernel only, before INIT_HCA), INIT/TEARDOWN_HCA, ALLOC/DEALLOC_UAR, the
 * HOST_ENDIANNESS register, DISABLE_HCA.  Before ENABLE_HCA the function
 * answers nothing else.
 *
 * Capabilities: a driver acts on every bit it sees, so a driven function
 * advertises only what this model implements (caps_view below): other
 * fields read 0, and the kept ones stay within the range the model was
 * exercised with.  What SET_HCA_CAP wrote is then the current value.
 * Layouts: mlx5_ifc.h (enable_hca_in, query_issi_out, set_issi_in,
 * query_pages_out, manage_pages_in/out, set_hca_cap_in, alloc_uar_out,
 * dealloc_uar_in, access_register_in).
 */
#include <errno.h>
#include <string.h>

#include "prm/bits.h"
#include "sim/sim-driven.h"

#define OP_QUERY_HCA_CAP        0x100
#define OP_INIT_HCA             0x102
#define OP_TEARDOWN_HCA         0x103
#define OP_ENABLE_HCA           0x104
#define OP_DISABLE_HCA          0x105
#define OP_QUERY_PAGES          0x107
#define OP_MANAGE_PAGES         0x108
#define OP_SET_HCA_CAP          0x109
#define OP_QUERY_ISSI           0x10a
#define OP_SET_ISSI             0x10b
#define OP_ALLOC_UAR            0x802
#define OP_DEALLOC_UAR          0x803
#define OP_ACCESS_REG           0x805

#define ISSI_BIT                0x50    /* query_issi_out.current_issi, set_issi_in.current_issi */
#define SUPPORTED_ISSI_BYTE     0x6c    /* query_issi_out.supported_issi_dw0 */
#define SUPPORTED_ISSI          0x3     /* ISSI 0 and 1, as ConnectX-4 and later */
#define QUERY_PAGES_NUM_BIT     0x60
#define MANAGE_PAGES_IN_NUM_BIT 0x60
#define MANAGE_PAGES_OUT_NUM_BIT 0x40
#define PAS_BYTE                0x10    /* manage_pages_in/out.pas */
#define SET_HCA_CAP_OTHER_BIT   0x40
#define SET_HCA_CAP_BYTE        0x10
#define UAR_BIT                 0x48    /* alloc_uar_out.uar, dealloc_uar_in.uar; 24 bits */
#define REG_ID_BIT              0x50
#define REG_DATA_BYTE           0x10
#define REG_HOST_ENDIANNESS     0x7004

#define SHARED_RESOURCE_UID     0xffff

enum { PAGES_BOOT = 1, PAGES_INIT = 2, PAGES_REGULAR = 3 };
enum { MANAGE_CANT_GIVE = 0, MANAGE_GIVE = 1, MANAGE_TAKE = 2 };

/*
 * Pages firmware asks for before INIT_HCA (boot) and for it (init).  A
 * real ConnectX-6 Dx asks for thousands; these are enough to exercise
 * giving and taking back without holding much guest memory.
 */
#define BOOT_PAGES              16
#define INIT_PAGES              64

/* UAR pages below this index hold the init segment and the MSI-X table. */
#define FIRST_UAR               8

/* One capability field a driver may see, kept within [lo, hi]. */
struct caps_field {
        const char *name;
        uint64_t lo, hi;
};

/*
 * What this model implements, per capability page.  Ranges: a ConnectX-6
 * Dx's values (../shared/reference/real-device.md) as the upper end where
 * known.  Left out on purpose, each a feature the model cannot serve:
 * Ethernet offloads and flow steering (no mlx5e), eswitch and vport
 * management, SR-IOV/SFs, DC, ODP, atomics, tag matching, LAG, QoS, the
 * access registers mlx5_core polls (pcam/mcam/qcam), the tracer (and
 * so the core dumps it would act on), general_2, general objects, blue
 * flame.  Resource dump is offered, as on a ConnectX-6 Dx: mlx5_core reads
 * its menu at probe through a PA mkey it creates (sim-rscdump.c).
 */
static const struct caps_field general_view[] = {
        { "vhca_id", 0, 0xffff },
        { "port_type", 1, 1 },                  /* Ethernet */
        { "num_ports", 1, 1 },
        { "native_port_num", 1, 1 },
        { "log_max_srq_sz", 8, 15 },
        { "log_max_qp_sz", 8, 15 },
        { "log_max_qp", 12, 17 },
        { "log_max_srq", 12, 23 },
        { "log_max_cq_sz", 8, 22 },
        { "log_max_cq", 12, 24 },
        { "log_max_eq_sz", 8, 22 },
        { "log_max_eq", 4, 7 },
        { "log_max_mkey", 12, 24 },
        { "log_max_mrw_sz", 32, 64 },
        { "log_max_klm_list_size", 0, 16 },
        { "log_max_ra_req_qp", 0, 4 },
        { "log_max_ra_res_qp", 0, 4 },
        { "max_indirection", 0, 4 },
        { "max_qp_cnt", 1, 127 },
        { "pkey_table_size", 0, 0 },            /* 128 entries, as mlx5_core sets it */
        { "local_ca_ack_delay", 16, 16 },
        { "log_max_msg", 16, 30 },
        { "stat_rate_support", 0, 0xffff },
        { "cqe_version", 1, 1 },
        { "cq_resize", 1, 1 },
        { "cq_moderation", 1, 1 },
        { "rc", 1, 1 },
        { "uc", 1, 1 },
        { "ud", 1, 1 },
        { "xrc", 1, 1 },
        { "roce", 1, 1 },
        { "log_pg_sz", 12, 12 },
        { "uar_sz", 0, 0 },                     /* 4 KiB */
        { "log_max_pd", 16, 23 },
        { "log_max_xrcd", 16, 24 },
        { "log_max_transport_domain", 12, 24 },
        { "max_wqe_sz_sq", 448, 1024 },
        { "max_wqe_sz_rq", 256, 512 },
        { "max_wqe_sz_sq_dc", 0, 0 },
        { "log_max_rq", 12, 23 },
        { "log_max_sq", 12, 23 },
        { "log_max_tir", 12, 23 },
        { "log_max_tis", 12, 23 },
        { "log_max_rmp", 12, 23 },
        { "log_max_rqt", 12, 23 },
        { "log_max_rqt_size", 0, 20 },
        { "log_max_wq_sz", 0, 17 },
        { "log_max_uctx", 4, 8 },
        { "uctx_cap", 0x3, 0x7 },               /* RAW_TX, INTERNAL_DEV_RES; TOOLS_RESOURCES */
        { "log_max_umem", 0, 24 },
        { "num_of_uars_per_page", 1, 1 },
        { "device_frequency_khz", 156250, 1000000 },
        { "dtor", 0, 1 },                       /* the DTOR register (sim-registers.c) */
        { "debug", 1, 1 },                      /* the DEBUG page: resource dump */
        /*
         * The model executes no work requests, so no UMR: this bit (a
         * ConnectX-4 quirk, 0 on a ConnectX-6 Dx) makes mlx5_ib load an
         * MR's pages with CREATE_MKEY instead of a UMR it would wait on.
         */
        { "umr_modify_entity_size_disabled", 1, 1 },
};

static const struct caps_field roce_view[] = {
        { "roce_version", 5, 5 },               /* RoCE v1 and v2 */
        { "l3_type", 7, 7 },                    /* GRH, IPv4, IPv6 */
        { "r_roce_dest_udp_port", 4791, 4791 },
        { "r_roce_min_src_udp_port", 49152, 49152 },
        { "r_roce_max_src_udp_port", 65535, 65535 },
        { "roce_address_table_size", 1, 255 },
};

static const struct caps_field debug_view[] = {
        { "resource_dump", 1, 1 },
};

static const struct {
        const char *caps;
        const struct caps_field *fields;
        size_t n;
} caps_views[] = {
        { "general", general_view, G_N_ELEMENTS(general_view) },
        { "roce", roce_view, G_N_ELEMENTS(roce_view) },
        { "debug", debug_view, G_N_ELEMENTS(debug_view) },
};

void mlx5_sim_drive(mlx5_sim *sim)
{
        struct sim_hca *hca = g_new0(struct sim_hca, 1);

        hca->pages = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        hca->uars = g_hash_table_new(NULL, NULL);
        hca->next_uar = FIRST_UAR;
        hca->created = sim_created_new();
        g_mutex_lock(&sim->lock);
        sim->hca = hca;
        g_mutex_unlock(&sim->lock);
}

void mlx5_sim_set_dma_write(mlx5_sim *sim, mlx5_sim_dma_write_fn fn, void *user_data)
{
        g_mutex_lock(&sim->lock);
        sim->dma_write = fn;
        sim->dma_user_data = user_data;
        g_mutex_unlock(&sim->lock);
}

static void reset_caps(struct sim_hca *hca)
{
        for (size_t i = 0; i < G_N_ELEMENTS(hca->set_caps); i++)
                g_clear_pointer(&hca->set_caps[i], g_free);
}

void sim_hca_free(struct sim_hca *hca)
{
        if (!hca)
                return;
        reset_caps(hca);
        g_array_unref(hca->pages);
        g_hash_table_unref(hca->uars);
        sim_created_free(hca->created);
        g_free(hca->vport);
        g_free(hca);
}

bool mlx5_sim_enabled(mlx5_sim *sim)
{
        bool enabled;

        g_mutex_lock(&sim->lock);
        enabled = sim->hca && sim->hca->enabled;
        g_mutex_unlock(&sim->lock);
        return enabled;
}

int mlx5_sim_post_event(mlx5_sim *sim, unsigned type, const void *data, size_t len, struct mlx5_sim_eqe *ret)
{
        int r = -ENOENT;

        g_mutex_lock(&sim->lock);
        if (sim->hca && sim->hca->enabled)
                r = sim_created_post_event(sim->hca->created, type, data, len, ret);
        g_mutex_unlock(&sim->lock);
        return r;
}

bool mlx5_sim_event_subscribed(mlx5_sim *sim, unsigned type)
{
        bool r;

        g_mutex_lock(&sim->lock);
        r = sim->hca && sim->hca->enabled && sim_created_subscribed(sim->hca->created, type);
        g_mutex_unlock(&sim->lock);
        return r;
}

/* The driver's view of one capability page in out (a QUERY_HCA_CAP answer). */
static void apply_caps_view(const struct sim_caps *c, uint8_t *out)
{
        const mlx5_schema_struct *layout = c->caps->layout;
        g_autofree uint8_t *kept = g_malloc0(MLX5_HCA_CAP_LEN);
        uint8_t *cap = out + MLX5_MBOX_HDR_LEN;

        for (size_t v = 0; v < G_N_ELEMENTS(caps_views); v++) {
                if (strcmp(caps_views[v].caps, c->caps->name) != 0)
                        continue;
                for (size_t i = 0; i < caps_views[v].n; i++) {
                        const struct caps_field *f = &caps_views[v].fields[i];
                        uint64_t value = 0;

                        if (mlx5_schema_get(layout, cap, MLX5_HCA_CAP_LEN, f->name, &value) < 0)
                                continue;
                        value = CLAMP(value, f->lo, f->hi);
                        mlx5_schema_set(layout, kept, MLX5_HCA_CAP_LEN, f->name, value);
                }
        }
        memcpy(cap, kept, MLX5_HCA_CAP_LEN);
}

static bool has_view(const struct sim_caps *c)
{
        for (size_t v = 0; v < G_N_ELEMENTS(caps_views); v++)
                if (strcmp(caps_views[v].caps, c->caps->name) == 0)
                        return true;
        return false;
}

static const struct sim_caps *caps_of_type(const mlx5_sim *sim, unsigned type)
{
        for (unsigned i = 0; i < sim->n_caps; i++)
                if (sim->caps[i].caps->type == type)
                        return &sim->caps[i];
        return NULL;
}

static unsigned query_caps(struct sim_cmd *cmd)
{
        struct sim_hca *hca = cmd->sim->hca;
        unsigned op_mod = mlx5_mbox_in_op_mod(cmd->in), type = op_mod >> 1;
        unsigned status = sim_cmd_query_hca_cap(cmd);
        const struct sim_caps *c = caps_of_type(cmd->sim, type);

        if (status != MLX5_CMD_STAT_OK || !c)
                return status;
        /* A page whose feature the view turns off is not offered, as firmware refuses such pages. */
        if (!has_view(c)) {
                memset(cmd->out, 0, cmd->outlen);
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_CAPS_NOT_SUPPORTED);
        }
        if ((op_mod & 1) && type < G_N_ELEMENTS(hca->set_caps) && hca->set_caps[type])
                memcpy(cmd->out + MLX5_MBOX_HDR_LEN, hca->set_caps[type], MLX5_HCA_CAP_LEN);
        else
                apply_caps_view(c, cmd->out);
        return MLX5_CMD_STAT_OK;
}

/*
 * SET_HCA_CAP: the kernel's own (uid 0), between ENABLE_HCA and INIT_HCA,
 * for this function, for a page it serves.  A user context gets BAD_PARAM
 * (the status real firmware gives is not published; refusing is the point).
 */
static unsigned set_caps(struct sim_cmd *cmd)
{
        struct sim_hca *hca = cmd->sim->hca;
        unsigned type = mlx5_mbox_in_op_mod(cmd->in) >> 1;
        unsigned status = sim_check_len(cmd, SET_HCA_CAP_BYTE + MLX5_HCA_CAP_LEN, MLX5_MBOX_HDR_LEN);

        if (status != MLX5_CMD_STAT_OK)
                return status;
        if (mlx5_mbox_in_uid(cmd->in) != 0)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_UNKNOWN_UID);
        if (mlx5_bits_get(cmd->in, cmd->inlen, SET_HCA_CAP_OTHER_BIT, 1))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_CAPS_OTHER_FUNCTION);
        if (hca->initialized)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_SYS_STATE_ERR, SIM_SITE_OP_MOD);
        if (type >= G_N_ELEMENTS(hca->set_caps) || !caps_of_type(cmd->sim, type))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_CAPS_TYPE);
        g_free(hca->set_caps[type]);
        hca->set_caps[type] = g_memdup2(cmd->in + SET_HCA_CAP_BYTE, MLX5_HCA_CAP_LEN);
        return MLX5_CMD_STAT_OK;
}

/* Pages firmware still wants for this stage; negative: it has some to give back. */
static int64_t pages_wanted(const struct sim_hca *hca, unsigned op_mod)
{
        int64_t want = op_mod == PAGES_BOOT ? BOOT_PAGES : BOOT_PAGES + INIT_PAGES;

        return want - (int64_t) hca->pages->len;
}

static unsigned query_pages(struct sim_cmd *cmd)
{
        unsigned op_mod = mlx5_mbox_in_op_mod(cmd->in);
        unsigned status = sim_check_len(cmd, MLX5_MBOX_HDR_LEN, MLX5_MBOX_HDR_LEN);
        int64_t n = 0;

        if (status != MLX5_CMD_STAT_OK)
                return status;
        if (op_mod < PAGES_BOOT || op_mod > PAGES_REGULAR)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_OP_MOD);
        /* Regular pages: this model never asks for more at run time. */
        if (op_mod != PAGES_REGULAR)
                n = MAX(pages_wanted(cmd->sim->hca, op_mod), 0);
        mlx5_bits_set(cmd->out, cmd->outlen, QUERY_PAGES_NUM_BIT, 32, (uint32_t) n);
        return MLX5_CMD_STAT_OK;
}

static unsigned manage_pages(struct sim_cmd *cmd)
{
        struct sim_hca *hca = cmd->sim->hca;
        unsigned op_mod = mlx5_mbox_in_op_mod(cmd->in);
        uint32_t n = mlx5_bits_get(cmd->in, cmd->inlen, MANAGE_PAGES_IN_NUM_BIT, 32);
        unsigned status;

        switch (op_mod) {
        case MANAGE_CANT_GIVE:
                return MLX5_CMD_STAT_OK;
        case MANAGE_GIVE:
                status = sim_check_len(cmd, PAS_BYTE + (size_t) n * 8, MLX5_MBOX_HDR_LEN);
                if (status != MLX5_CMD_STAT_OK)
                        return status;
                if (hca->pages->len + (uint64_t) n > SIM_HCA_MAX_PAGES)
                        return sim_fail(cmd, MLX5_CMD_STAT_LIM_ERR, SIM_SITE_UMEM_LIMIT);
                for (uint32_t i = 0; i < n; i++) {
                        uint64_t addr = mlx5_bits_get(cmd->in, cmd->inlen, (PAS_BYTE + i * 8) * 8, 64);

                        if (addr & 0xfff)
                                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_UMEM_MTT);
                        g_array_append_val(hca->pages, addr);
                }
                return MLX5_CMD_STAT_OK;
        case MANAGE_TAKE:
                /* As many as asked for and held, newest first; the output says how many. */
                n = MIN(n, hca->pages->len);
                n = MIN(n, (cmd->outlen - MIN(cmd->outlen, PAS_BYTE)) / 8);
                for (uint32_t i = 0; i < n; i++) {
                        uint64_t addr = g_array_index(hca->pages, uint64_t, hca->pages->len - 1);

                        mlx5_bits_set(cmd->out, cmd->outlen, (PAS_BYTE + i * 8) * 8, 64, addr);
                        g_array_set_size(hca->pages, hca->pages->len - 1);
                }
                mlx5_bits_set(cmd->out, cmd->outlen, MANAGE_PAGES_OUT_NUM_BIT, 32, n);
                return MLX5_CMD_STAT_OK;
        default:
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_OP_MOD);
        }
}

static unsigned alloc_uar(struct sim_cmd *cmd)
{
        struct sim_hca *hca = cmd->sim->hca;
        unsigned uar;

        if (g_hash_table_size(hca->uars) >= SIM_HCA_MAX_UARS)
                return sim_fail(cmd, MLX5_CMD_STAT_LIM_ERR, SIM_SITE_UCTX_LIMIT);
        while (g_hash_table_contains(hca->uars, GUINT_TO_POINTER(hca->next_uar)) ||
               hca->next_uar >= FIRST_UAR + SIM_HCA_MAX_UARS)
                hca->next_uar = hca->next_uar >= FIRST_UAR + SIM_HCA_MAX_UARS ? FIRST_UAR : hca->next_uar + 1;
        uar = hca->next_uar++;
        g_hash_table_add(hca->uars, GUINT_TO_POINTER(uar));
        mlx5_bits_set(cmd->out, cmd->outlen, UAR_BIT, 24, uar);
        return MLX5_CMD_STAT_OK;
}

static unsigned dealloc_uar(struct sim_cmd *cmd)
{
        unsigned uar = mlx5_bits_get(cmd->in, cmd->inlen, UAR_BIT, 24);

        if (!g_hash_table_remove(cmd->sim->hca->uars, GUINT_TO_POINTER(uar)))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_RES_ERR, SIM_SITE_NO_OBJECT);
        return MLX5_CMD_STAT_OK;
}

/* Registers the driver writes; reads and other registers go on to sim_cmd_access_reg. */
static bool access_reg(struct sim_cmd *cmd, unsigned *ret_status)
{
        unsigned reg = mlx5_bits_get(cmd->in, cmd->inlen, REG_ID_BIT, 16);

        if (sim_port_access_reg(cmd, ret_status))
                return true;
        if (reg != REG_HOST_ENDIANNESS || mlx5_mbox_in_op_mod(cmd->in) != 0)
                return false;
        /* The host is little-endian: nothing to change in how firmware writes. */
        *ret_status = sim_check_len(cmd, REG_DATA_BYTE + 16, MLX5_MBOX_HDR_LEN);
        return true;
}

static void disable(struct sim_hca *hca)
{
        hca->enabled = hca->initialized = false;
        hca->issi = 0;
        reset_caps(hca);
        g_hash_table_remove_all(hca->uars);
        sim_created_clear(hca->created);
        g_clear_pointer(&hca->vport, g_free);
        /* Pages stay with firmware until the driver takes them back, or the function resets. */
}

bool sim_hca_dispatch(struct sim_cmd *cmd, unsigned *ret_status)
{
        struct sim_hca *hca = cmd->sim->hca;
        unsigned status = MLX5_CMD_STAT_OK;

        unsigned uid = mlx5_mbox_in_uid(cmd->in);

        /* The kernel's own (0), a user context's, or objects shared with every context (mlx5_ib's counters). */
        if (uid != 0 && uid != SHARED_RESOURCE_UID && !sim_uid_exists(cmd->sim, uid)) {
                *ret_status = sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_UNKNOWN_UID);
                return true;
        }
        if (!hca->enabled && cmd->opcode != OP_ENABLE_HCA) {
                *ret_status = sim_fail(cmd, MLX5_CMD_STAT_BAD_SYS_STATE_ERR, SIM_SITE_OP_MOD);
                return true;
        }
        switch (cmd->opcode) {
        case OP_ENABLE_HCA:
                if (hca->enabled)
                        status = sim_fail(cmd, MLX5_CMD_STAT_BAD_SYS_STATE_ERR, SIM_SITE_OP_MOD);
                else
                        hca->enabled = true;
                break;
        case OP_DISABLE_HCA:
                disable(hca);
                break;
        case OP_QUERY_ISSI:
                status = sim_check_len(cmd, MLX5_MBOX_HDR_LEN, SUPPORTED_ISSI_BYTE + 4);
                if (status != MLX5_CMD_STAT_OK)
                        break;
                mlx5_bits_set(cmd->out, cmd->outlen, ISSI_BIT, 16, hca->issi);
                mlx5_be32_set(cmd->out + SUPPORTED_ISSI_BYTE, SUPPORTED_ISSI);
                break;
        case OP_SET_ISSI: {
                unsigned issi = mlx5_bits_get(cmd->in, cmd->inlen, ISSI_BIT, 16);

                if (issi >= 32 || !(SUPPORTED_ISSI & 1u << issi))
                        status = sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_OP_MOD);
                else
                        hca->issi = issi;
                break;
        }
        case OP_QUERY_PAGES:
                status = query_pages(cmd);
                break;
        case OP_MANAGE_PAGES:
                status = manage_pages(cmd);
                break;
        case OP_QUERY_HCA_CAP:
                status = query_caps(cmd);
                break;
        case OP_SET_HCA_CAP:
                status = set_caps(cmd);
                break;
        case OP_INIT_HCA:
                if (hca->initialized || pages_wanted(hca, PAGES_INIT) > 0)
                        status = sim_fail(cmd, MLX5_CMD_STAT_BAD_SYS_STATE_ERR, SIM_SITE_OP_MOD);
                else
                        hca->initialized = true;
                break;
        case OP_TEARDOWN_HCA:
                if (!hca->initialized) {
                        status = sim_fail(cmd, MLX5_CMD_STAT_BAD_SYS_STATE_ERR, SIM_SITE_OP_MOD);
                        break;
                }
                hca->initialized = false;
                sim_created_clear(hca->created);
                g_hash_table_remove_all(hca->uars);
                break;
        case OP_ALLOC_UAR:
                status = alloc_uar(cmd);
                break;
        case OP_DEALLOC_UAR:
                status = dealloc_uar(cmd);
                break;
        case OP_ACCESS_REG:
                return access_reg(cmd, ret_status);
        default:
                return sim_port_dispatch(cmd, ret_status) || sim_created_dispatch(cmd, ret_status);
        }
        *ret_status = status;
        return true;
}
