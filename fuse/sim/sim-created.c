/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Objects a driver creates on a driven function: EQs, CQs, QPs (with their
 * state machine), SRQs (RMPs at ISSI 1), XRC SRQs, MKEYs, Q counters, and the handles without a query
 * command (PDs, transport domains, XRC domains).  Each object keeps the
 * output mailbox its query command answers: the context the driver wrote
 * at creation, with later modifications applied; firmware adds only what
 * it owns (a QP's state, an EQ's producer index).  Layouts: mlx5_ifc.h
 * create_*_in/out, destroy_*_in, the modify-QP commands, query_*_out.
 */
#include <errno.h>
#include <string.h>

#include "prm/bits.h"
#include "sim/sim-driven.h"

/* QP state (qpc.state, 4 bits at the context's start); mlx5_ifc MLX5_QPC_STATE_*. */
enum { QPS_RST = 0, QPS_INIT = 1, QPS_RTR = 2, QPS_RTS = 3, QPS_SQER = 4, QPS_ERR = 6, QPS_SQD = 7 };
#define QPS_ANY 0xff

#define QPC_BYTE                0x18    /* *_qp_in.qpc and query_qp_out.qpc */
#define QP_ID_BIT               0x48
#define EQC_BYTE                0x10
#define EQC_LOG_SIZE_BIT        0x63    /* eqc.log_eq_size, 5 bits */
#define EQC_INTR_BIT            0xb4    /* eqc.intr, 12 bits */
#define EQC_LOG_PAGE_BIT        0xc3    /* eqc.log_page_size, 5 bits (+12) */
#define EQ_EVENT_BITMASK_BYTE   0x58    /* create_eq_in.event_bitmask[0], query_eq_out.event_bitmask */
#define EQ_PAS_BYTE             0x110
#define EQE_TYPE_BYTE           1
#define EQE_DATA_BYTE           0x20
#define EQE_DATA_LEN            28
#define EQE_OWNER_BYTE          0x3f

/* One kind of object: how its commands name it and where its context goes. */
struct kind {
        const char *name;               /* the schema resource that queries it, or a handle's name */
        const char *space;              /* kinds numbered from one space share it (SRQs, RMPs, XRC SRQs) */
        unsigned create, destroy;
        unsigned id_bit, id_width;      /* in the create output and the destroy input */
        unsigned ctx_byte, ctx_len;     /* create input bytes kept at the same place of the query output */
        uint32_t first_id;
};

static const struct kind kinds[] = {
        { "eq", "eq", 0x301, 0x302, 0x58, 8, 0x10, 0x50, 0 },
        { "cq", "cq", 0x400, 0x401, 0x48, 24, 0x10, 0x40, 0x400 },
        { "qp", "qp", 0x500, 0x501, 0x48, 24, 0x10, 0x100, 0x100 },
        { "srq", "srq", 0x700, 0x701, 0x48, 24, 0x10, 0x40, 0x10 },
        { "mkey", "mkey", 0x200, 0x202, 0x48, 24, 0x10, 0x40, 0x10 },
        { "rmp", "srq", 0x90c, 0x90e, 0x48, 24, 0x20, 0xf0, 0x10 },   /* SRQs at ISSI 1 */
        { "xrc_srq", "srq", 0x705, 0x706, 0x48, 24, 0x10, 0x40, 0x10 },
        { "q_counter", "q_counter", 0x771, 0x772, 0x58, 8, 0, 0, 1 },
        { "pd", "pd", 0x800, 0x801, 0x48, 24, 0, 0, 1 },
        { "transport_domain", "transport_domain", 0x816, 0x817, 0x48, 24, 0, 0, 1 },
        { "xrcd", "xrcd", 0x80e, 0x80f, 0x48, 24, 0, 0, 1 },
};

/* QP transitions: opcode, the state it needs (QPS_ANY: any), the state it leaves, whether it carries a qpc. */
static const struct transition {
        unsigned opcode;
        unsigned from, to;
        bool has_qpc;
} transitions[] = {
        { 0x502, QPS_RST, QPS_INIT, true },     /* RST2INIT_QP */
        { 0x503, QPS_INIT, QPS_RTR, true },     /* INIT2RTR_QP */
        { 0x504, QPS_RTR, QPS_RTS, true },      /* RTR2RTS_QP */
        { 0x505, QPS_RTS, QPS_RTS, true },      /* RTS2RTS_QP */
        { 0x506, QPS_SQER, QPS_RTS, true },     /* SQERR2RTS_QP */
        { 0x507, QPS_ANY, QPS_ERR, false },     /* 2ERR_QP */
        { 0x50a, QPS_ANY, QPS_RST, false },     /* 2RST_QP */
        { 0x50c, QPS_SQD, QPS_RTS, true },      /* SQD_RTS_QP */
        { 0x50e, QPS_INIT, QPS_INIT, true },    /* INIT2INIT_QP */
};

struct object {
        uint32_t id;
        unsigned uid;                   /* the creator's user context (0: the kernel) */
        uint8_t *out;                   /* the query output mailbox; NULL for handles */
        size_t outlen;
        /* EQs: the buffer pages, the events taken and the producer index. */
        uint64_t *pas;
        unsigned n_pas;
        uint64_t events;
        uint32_t pi;
};

struct sim_created {
        GHashTable *objects[G_N_ELEMENTS(kinds)];       /* id -> struct object */
        uint32_t next_id[G_N_ELEMENTS(kinds)];
};

static void object_free(gpointer p)
{
        struct object *o = p;

        g_free(o->out);
        g_free(o->pas);
        g_free(o);
}

struct sim_created *sim_created_new(void)
{
        struct sim_created *c = g_new0(struct sim_created, 1);

        for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
                c->objects[k] = g_hash_table_new_full(NULL, NULL, NULL, object_free);
                c->next_id[k] = kinds[k].first_id;
        }
        return c;
}

void sim_created_clear(struct sim_created *c)
{
        for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
                g_hash_table_remove_all(c->objects[k]);
                c->next_id[k] = kinds[k].first_id;
        }
}

void sim_created_free(struct sim_created *c)
{
        if (!c)
                return;
        for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++)
                g_hash_table_unref(c->objects[k]);
        g_free(c);
}

static int kind_index(const char *name)
{
        for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++)
                if (strcmp(kinds[k].name, name) == 0)
                        return k;
        return -1;
}

static struct object *lookup(struct sim_created *c, int k, uint32_t id)
{
        return k < 0 ? NULL : g_hash_table_lookup(c->objects[k], GUINT_TO_POINTER(id));
}

/* Whether id is used in kind k's number space (the kernel keeps SRQs, RMPs and XRC SRQs in one table). */
static bool number_taken(struct sim_created *c, size_t k, uint32_t id)
{
        for (size_t j = 0; j < G_N_ELEMENTS(kinds); j++)
                if (strcmp(kinds[j].space, kinds[k].space) == 0 && lookup(c, j, id))
                        return true;
        return false;
}

/* The next free number of kind k, from first_id up, wrapping within its width. */
static bool allocate_id(struct sim_created *c, size_t k, uint32_t *ret_id)
{
        uint32_t mask = (uint32_t) ((1ull << kinds[k].id_width) - 1);
        uint64_t tries = (uint64_t) mask + 1;

        while (tries--) {
                uint32_t id = c->next_id[k] & mask;

                c->next_id[k] = id + 1 > mask ? kinds[k].first_id : id + 1;
                if (id >= kinds[k].first_id && !number_taken(c, k, id)) {
                        *ret_id = id;
                        return true;
                }
        }
        return false;
}

static const mlx5_schema_resource *resource_of(const mlx5_sim *sim, const char *name)
{
        const struct sim_type *t = sim_find_type(sim, name);

        return t ? t->res : NULL;
}

/* EQs keep their buffer's pages and the events they take, for sim_created_post_event. */
static unsigned keep_eq_buffer(struct sim_cmd *cmd, struct object *o)
{
        unsigned log_size = mlx5_bits_get(cmd->in, cmd->inlen, EQC_BYTE * 8 + EQC_LOG_SIZE_BIT, 5);
        unsigned log_page = mlx5_bits_get(cmd->in, cmd->inlen, EQC_BYTE * 8 + EQC_LOG_PAGE_BIT, 5);
        uint64_t bytes = (uint64_t) MLX5_SIM_EQE_LEN << log_size;
        uint64_t page = 4096ull << log_page;
        uint64_t n = (bytes + page - 1) / page;

        if (log_page != 0 || n > SIM_CREATED_MAX_PAS)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_UMEM_MTT);
        if (cmd->inlen < EQ_PAS_BYTE + n * 8)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_INP_LEN_ERR, SIM_SITE_INLEN);
        o->pas = g_new(uint64_t, n);
        o->n_pas = n;
        for (unsigned i = 0; i < n; i++)
                o->pas[i] = mlx5_bits_get(cmd->in, cmd->inlen, (EQ_PAS_BYTE + i * 8) * 8, 64);
        o->events = mlx5_bits_get(cmd->in, cmd->inlen, EQ_EVENT_BITMASK_BYTE * 8, 64);
        return MLX5_CMD_STAT_OK;
}

static unsigned create(struct sim_cmd *cmd, size_t k)
{
        struct sim_created *c = cmd->sim->hca->created;
        const struct kind *kd = &kinds[k];
        const mlx5_schema_resource *res = resource_of(cmd->sim, kd->name);
        g_autofree struct object *o = g_new0(struct object, 1);
        unsigned status = sim_check_len(cmd, MAX(kd->ctx_byte + kd->ctx_len, MLX5_MBOX_HDR_LEN),
                                        MLX5_MBOX_HDR_LEN);

        if (status != MLX5_CMD_STAT_OK)
                return status;
        if (g_hash_table_size(c->objects[k]) >= SIM_CREATED_MAX || !allocate_id(c, k, &o->id))
                return sim_fail(cmd, MLX5_CMD_STAT_LIM_ERR, SIM_SITE_UMEM_LIMIT);
        o->uid = mlx5_mbox_in_uid(cmd->in);
        if (res) {
                o->outlen = MAX(res->outlen, kd->ctx_byte + kd->ctx_len);
                o->out = g_malloc0(o->outlen);
                memcpy(o->out + kd->ctx_byte, cmd->in + kd->ctx_byte, kd->ctx_len);
        }
        if (strcmp(kd->name, "eq") == 0) {
                status = keep_eq_buffer(cmd, o);
                if (status != MLX5_CMD_STAT_OK) {
                        g_free(o->out);
                        return status;
                }
        }
        if (strcmp(kd->name, "qp") == 0)
                /* A new QP is in RST, whatever the context said. */
                mlx5_bits_set(o->out, o->outlen, QPC_BYTE * 8, 4, QPS_RST);
        mlx5_bits_set(cmd->out, cmd->outlen, kd->id_bit, kd->id_width, o->id);
        g_hash_table_insert(c->objects[k], GUINT_TO_POINTER(o->id), o);
        o = NULL;
        return MLX5_CMD_STAT_OK;
}

/* The kernel (uid 0) may change any object, a user context only its own. */
static bool may_change(const struct object *o, const struct sim_cmd *cmd)
{
        unsigned uid = mlx5_mbox_in_uid(cmd->in);

        return uid == 0 || uid == o->uid;
}

static unsigned destroy(struct sim_cmd *cmd, size_t k)
{
        struct sim_created *c = cmd->sim->hca->created;
        uint32_t id = mlx5_bits_get(cmd->in, cmd->inlen, kinds[k].id_bit, kinds[k].id_width);
        struct object *o = lookup(c, k, id);

        if (!o)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_RES_ERR, SIM_SITE_NO_OBJECT);
        if (!may_change(o, cmd))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_UMEM_OWNER);
        g_hash_table_remove(c->objects[k], GUINT_TO_POINTER(id));
        return MLX5_CMD_STAT_OK;
}

struct merge {
        const uint8_t *from;
        uint8_t *to;
        size_t len;
};

/* A field the modify command sets (non-zero) replaces the stored one. */
static void merge_leaf(const mlx5_schema_field *field, const char *path, uint32_t bit_off, void *user_data)
{
        struct merge *m = user_data;
        uint64_t v;

        if (field->display == MLX5_DISPLAY_BYTES || field->display == MLX5_DISPLAY_ASCII || field->width > 64)
                return;
        v = mlx5_bits_get(m->from, m->len, bit_off, field->width);
        if (v)
                mlx5_bits_set(m->to, m->len, bit_off, field->width, v);
}

/*
 * A modify-QP command: legal only from its state; the fields its qpc sets
 * are merged into the stored context (the driver writes those a
 * transition needs; a field it leaves 0 keeps its value), then the state.
 */
static unsigned modify_qp(struct sim_cmd *cmd, const struct transition *tr)
{
        struct sim_created *c = cmd->sim->hca->created;
        const mlx5_schema_resource *res = resource_of(cmd->sim, "qp");
        struct object *o;
        unsigned state, status;

        status = sim_check_len(cmd, tr->has_qpc ? QPC_BYTE + 0xe8 : MLX5_MBOX_HDR_LEN, MLX5_MBOX_HDR_LEN);
        if (status != MLX5_CMD_STAT_OK)
                return status;
        o = lookup(c, kind_index("qp"), mlx5_bits_get(cmd->in, cmd->inlen, QP_ID_BIT, 24));
        if (!o)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_RES_ERR, SIM_SITE_NO_OBJECT);
        if (!may_change(o, cmd))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_UMEM_OWNER);
        state = mlx5_bits_get(o->out, o->outlen, QPC_BYTE * 8, 4);
        if (tr->from != QPS_ANY && state != tr->from)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_QP_STATE_ERR, SIM_SITE_OP_MOD);
        if (tr->has_qpc && res && res->context) {
                struct merge m = {
                        .from = cmd->in + QPC_BYTE,
                        .to = o->out + QPC_BYTE,
                        .len = MIN(cmd->inlen, o->outlen) - QPC_BYTE,
                };

                mlx5_schema_foreach_leaf(res->context, merge_leaf, &m);
        }
        mlx5_bits_set(o->out, o->outlen, QPC_BYTE * 8, 4, tr->to);
        return MLX5_CMD_STAT_OK;
}

bool sim_created_dispatch(struct sim_cmd *cmd, unsigned *ret_status)
{
        for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
                if (cmd->opcode == kinds[k].create) {
                        *ret_status = create(cmd, k);
                        return true;
                }
                if (cmd->opcode == kinds[k].destroy) {
                        *ret_status = destroy(cmd, k);
                        return true;
                }
        }
        for (size_t i = 0; i < G_N_ELEMENTS(transitions); i++) {
                if (cmd->opcode == transitions[i].opcode) {
                        *ret_status = modify_qp(cmd, &transitions[i]);
                        return true;
                }
        }
        return false;
}

const uint8_t *sim_created_output(struct sim_created *c, const mlx5_schema_resource *res, uint32_t id,
                                  size_t *ret_len, unsigned *ret_uid)
{
        struct object *o = lookup(c, kind_index(res->name), id);

        if (!o || !o->out)
                return NULL;
        *ret_len = o->outlen;
        *ret_uid = o->uid;
        return o->out;
}

bool sim_created_query(struct sim_cmd *cmd, const struct sim_type *t, unsigned *ret_status)
{
        const mlx5_schema_resource *res = t->res;
        const uint8_t *out;
        size_t outlen;
        unsigned uid;

        /* Singletons (adapter, vport) are the firmware's own: answered as built. */
        if (!cmd->sim->hca || !res->has_id)
                return false;
        out = sim_created_output(cmd->sim->hca->created, res,
                                 mlx5_bits_get(cmd->in, cmd->inlen, res->id_bit_off, res->id_width), &outlen, &uid);
        if (!out) {
                *ret_status = sim_fail(cmd, MLX5_CMD_STAT_BAD_RES_ERR, SIM_SITE_NO_OBJECT);
                return true;
        }
        /* The user-context rule of sim-uctx.c: its own objects, or all with TOOLS_RESOURCES. */
        if (uid != mlx5_mbox_in_uid(cmd->in) && !sim_uid_may_read_device(cmd->sim, mlx5_mbox_in_uid(cmd->in))) {
                *ret_status = sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_NOT_PERMITTED);
                return true;
        }
        memcpy(cmd->out + MLX5_MBOX_HDR_LEN, out + MLX5_MBOX_HDR_LEN, MIN(cmd->outlen, outlen) - MLX5_MBOX_HDR_LEN);
        *ret_status = MLX5_CMD_STAT_OK;
        return true;
}

/* A field of a created mkey's context (mkc), by its schema name; 0 if the schema lacks it. */
static uint64_t mkc_field(const mlx5_schema_resource *res, const struct object *o, const char *name)
{
        uint64_t v = 0;

        if (mlx5_schema_get(res->context, o->out + res->context_bit_off / 8, o->outlen - res->context_bit_off / 8,
                            name, &v) < 0)
                return 0;
        return v;
}

unsigned sim_created_mkey_target(struct sim_cmd *cmd, uint32_t mkey, uint64_t addr, uint64_t len,
                                 uint64_t *ret_bus)
{
        const mlx5_schema_resource *res = resource_of(cmd->sim, "mkey");
        struct object *o = lookup(cmd->sim->hca->created, kind_index("mkey"), mkey >> 8);
        unsigned uid = mlx5_mbox_in_uid(cmd->in);
        uint64_t start, length, mode;

        /* The key is the index and the variant byte the creator chose: both must match, and the mkey be in use. */
        if (!res || !res->context || !o || !o->out || mkc_field(res, o, "mkey_7_0") != (mkey & 0xff) ||
            mkc_field(res, o, "free"))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_RES_ERR, SIM_SITE_DUMP_MKEY_UNKNOWN);
        if (uid != 0 && uid != o->uid)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_DUMP_MKEY_OWNER);
        /*
         * Firmware writes locally: lw is required.  Only PA translation is
         * modelled (what mlx5_core's resource dump creates); a real device
         * would walk an MTT or KLM mkey too, refused here as the stricter way.
         */
        mode = mkc_field(res, o, "access_mode_4_2") << 2 | mkc_field(res, o, "access_mode_1_0");
        if (!mkc_field(res, o, "lw") || mode != 0)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_DUMP_MKEY_ACCESS);
        start = mkc_field(res, o, "start_addr");
        length = mkc_field(res, o, "len");
        if (addr + len < addr ||
            (!mkc_field(res, o, "length64") && (addr < start || len > length || addr - start > length - len)))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_DUMP_MKEY_RANGE);
        /* PA mode: the mkey's addresses are bus addresses. */
        *ret_bus = addr;
        return MLX5_CMD_STAT_OK;
}

bool sim_created_subscribed(struct sim_created *c, unsigned type)
{
        GHashTableIter iter;
        gpointer value;

        g_hash_table_iter_init(&iter, c->objects[kind_index("eq")]);
        while (g_hash_table_iter_next(&iter, NULL, &value))
                if (type < 64 && (((struct object *) value)->events & 1ull << type))
                        return true;
        return false;
}

int sim_created_post_event(struct sim_created *c, unsigned type, const void *data, size_t len,
                           struct mlx5_sim_eqe *ret)
{
        int k = kind_index("eq");
        GHashTableIter iter;
        gpointer value;

        if (len > EQE_DATA_LEN || type >= 64)
                return -EINVAL;
        g_hash_table_iter_init(&iter, c->objects[k]);
        while (g_hash_table_iter_next(&iter, NULL, &value)) {
                struct object *o = value;
                unsigned log_size = mlx5_bits_get(o->out, o->outlen, EQC_BYTE * 8 + EQC_LOG_SIZE_BIT, 5);
                uint64_t off = (uint64_t) (o->pi & ((1u << log_size) - 1)) * MLX5_SIM_EQE_LEN;

                if (!(o->events & 1ull << type))
                        continue;
                memset(ret, 0, sizeof(*ret));
                ret->bytes[EQE_TYPE_BYTE] = type;
                memcpy(ret->bytes + EQE_DATA_BYTE, data, len);
                /* The owner bit flips on every pass over the queue; the driver starts it at 1. */
                ret->bytes[EQE_OWNER_BYTE] = (o->pi >> log_size) & 1;
                ret->addr = o->pas[off / 4096] + off % 4096;
                ret->vector = mlx5_bits_get(o->out, o->outlen, EQC_BYTE * 8 + EQC_INTR_BIT, 12);
                ret->eqn = o->id;
                o->pi++;
                return 0;
        }
        return -ENOENT;
}
