/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command interface: header checks, every error status with its
 * syndrome, queries decoded byte by byte against the PRM tables, caps,
 * QUERY_ADAPTER, user contexts and memory, counters and injected failures.
 */
#include <errno.h>
#include <string.h>

#include "sim-test-util.h"
#include "sim/sim-private.h"

/* Opcodes and statuses from the PRM (mlx5-prm.md §2.2, §3). */
#define OP_QUERY_HCA_CAP        0x100
#define OP_QUERY_ADAPTER        0x101
#define OP_QUERY_ISSI           0x10a
#define OP_QUERY_VPORT_STATE    0x750
#define OP_QUERY_NIC_VPORT_CONTEXT 0x754
#define OP_QUERY_HCA_VPORT_CONTEXT 0x762
#define OP_QUERY_MKEY           0x201
#define OP_QUERY_EQ             0x303
#define OP_QUERY_CQ             0x402
#define OP_QUERY_QP             0x50b
#define OP_QUERY_VPORT_COUNTER  0x770
#define OP_QUERY_Q_COUNTER      0x773
#define OP_ACCESS_REG           0x805
#define OP_CREATE_UCTX          0xa04
#define OP_DESTROY_UCTX         0xa06
#define OP_CREATE_UMEM          0xa08
#define OP_DESTROY_UMEM         0xa0a

#define ST_OK                   0x0
#define ST_BAD_OP               0x2
#define ST_BAD_PARAM            0x3
#define ST_BAD_SYS_STATE        0x4
#define ST_BAD_RES              0x5
#define ST_LIM                  0x8
#define ST_BAD_RES_STATE        0x9
#define ST_BAD_INP_LEN          0x50
#define ST_BAD_OUTP_LEN         0x51

#define QUERY_QP_OUT_LEN        0x110
#define HCA_CAP_OUT_LEN         0x1010

static uint32_t first_id(mlx5_sim *sim, const char *type)
{
        size_t n;
        const uint32_t *ids = mlx5_sim_object_ids(sim, type, &n);

        g_assert_nonnull(ids);
        g_assert_cmpuint(n, >, 0);
        return ids[0];
}

static void test_short_buffers(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("", 0);
        uint8_t in[16], out[QUERY_QP_OUT_LEN];

        sim_test_query_in(in, OP_QUERY_QP, 0, first_id(sim, "qp"));
        g_assert_cmpint(mlx5_sim_exec(sim, in, 15, out, sizeof(out)), ==, -EINVAL);
        g_assert_cmpint(mlx5_sim_exec(sim, in, sizeof(in), out, 15), ==, -EINVAL);
        g_assert_cmpint(mlx5_sim_exec(sim, NULL, sizeof(in), out, sizeof(out)), ==, -EINVAL);
        g_assert_cmpint(mlx5_sim_exec(sim, in, sizeof(in), NULL, sizeof(out)), ==, -EINVAL);
        /* Refused before it is a command: not counted. */
        g_assert_cmpuint(mlx5_sim_count(sim, OP_QUERY_QP), ==, 0);
}

struct error_case {
        const char *name;
        unsigned status;
        uint32_t syndrome;
};

/* Runs in with out pre-filled with junk; checks status and that all but the header is zero. */
static void expect_error(mlx5_sim *sim, GArray *seen, const char *name, const uint8_t *in, size_t inlen,
                         size_t outlen, unsigned status)
{
        g_autofree uint8_t *out = g_malloc(outlen);
        struct error_case c = { name, status, 0 };

        memset(out, 0xa5, outlen);
        g_test_message("%s", name);
        g_assert_cmpuint(sim_test_exec(sim, in, inlen, out, outlen), ==, status);
        c.syndrome = sim_test_be32(out + 4);
        for (size_t i = 1; i < outlen; i++)
                if (i < 4 || i >= 8)
                        g_assert_cmpuint(out[i], ==, 0);
        for (guint i = 0; i < seen->len; i++) {
                const struct error_case *o = &g_array_index(seen, struct error_case, i);

                if (o->syndrome == c.syndrome)
                        g_error("%s and %s share syndrome 0x%08x", o->name, name, c.syndrome);
        }
        g_array_append_val(seen, c);
}

static void test_error_statuses(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("fail=QUERY_EQ,fail=0x999", 0);
        g_autoptr(GArray) seen = g_array_new(FALSE, FALSE, sizeof(struct error_case));
        uint32_t qpn = first_id(sim, "qp");
        uint8_t in[0x120] = { 0 };

        sim_test_query_in(in, 0x0999 - 1, 0, 0);
        expect_error(sim, seen, "unknown opcode", in, 16, 16, ST_BAD_OP);
        sim_test_query_in(in, 0x999, 0, 0);
        expect_error(sim, seen, "fail= of an unknown opcode", in, 16, 16, ST_BAD_SYS_STATE);
        sim_test_query_in(in, OP_QUERY_EQ, 0, first_id(sim, "eq"));
        expect_error(sim, seen, "fail=QUERY_EQ", in, 16, QUERY_QP_OUT_LEN, ST_BAD_SYS_STATE);

        sim_test_query_in(in, OP_QUERY_Q_COUNTER, 0, 0);
        expect_error(sim, seen, "QUERY_Q_COUNTER needs 0x20 input bytes", in, 16, 0x100, ST_BAD_INP_LEN);
        sim_test_query_in(in, OP_QUERY_QP, 0, qpn);
        expect_error(sim, seen, "QUERY_QP output too short", in, 16, QUERY_QP_OUT_LEN - 4, ST_BAD_OUTP_LEN);
        sim_test_query_in(in, OP_QUERY_QP, 1, qpn);
        expect_error(sim, seen, "QUERY_QP op_mod 1", in, 16, QUERY_QP_OUT_LEN, ST_BAD_PARAM);
        sim_test_query_in(in, OP_QUERY_QP, 0, 0x1);
        expect_error(sim, seen, "QUERY_QP of QP 1", in, 16, QUERY_QP_OUT_LEN, ST_BAD_RES);
        sim_test_query_in(in, OP_QUERY_QP, 0, qpn);
        in[2] = 0x12;                                   /* uid 0x1234: no such uctx */
        in[3] = 0x34;
        expect_error(sim, seen, "unknown uid", in, 16, QUERY_QP_OUT_LEN, ST_BAD_PARAM);

        sim_test_query_in(in, OP_QUERY_HCA_CAP, 0x55 << 1 | 1, 0);
        expect_error(sim, seen, "cap type 0x55", in, 16, HCA_CAP_OUT_LEN, ST_BAD_PARAM);
        sim_test_query_in(in, OP_QUERY_HCA_CAP, 1, 0);
        expect_error(sim, seen, "caps output too short", in, 16, 0x110, ST_BAD_OUTP_LEN);
        sim_test_query_in(in, OP_QUERY_HCA_CAP, 1, 0);
        in[8] = 0x80;                                   /* other_function */
        expect_error(sim, seen, "caps of another function", in, 16, HCA_CAP_OUT_LEN, ST_BAD_PARAM);

        sim_test_query_in(in, OP_ACCESS_REG, 1, 0);
        in[10] = 0x90;                                  /* register 0x9020 (MGIR) */
        in[11] = 0x20;
        expect_error(sim, seen, "unknown register", in, 0x110, 0x110, ST_BAD_PARAM);
        sim_test_query_in(in, OP_ACCESS_REG, 2, 0);
        in[10] = 0xc0;
        expect_error(sim, seen, "ACCESS_REG op_mod 2", in, 0x110, 0x110, ST_BAD_PARAM);
        sim_test_query_in(in, OP_ACCESS_REG, 1, 0);
        in[10] = 0xc0;
        expect_error(sim, seen, "RESOURCE_DUMP input short", in, 0x100, 0x110, ST_BAD_INP_LEN);
        in[0x10] = 0x00;                                /* inline_dump 0 */
        in[0x12] = 0xff;
        in[0x13] = 0xff;
        expect_error(sim, seen, "RESOURCE_DUMP not inline", in, 0x110, 0x110, ST_BAD_PARAM);
        in[0x10] = 0x40;
        in[0x12] = 0x0f;                                /* segment 0x0fff: not offered */
        expect_error(sim, seen, "RESOURCE_DUMP unknown segment", in, 0x110, 0x110, ST_BAD_PARAM);

        sim_test_query_in(in, OP_DESTROY_UCTX, 0, 0);
        in[10] = 0x00;
        in[11] = 0x07;
        expect_error(sim, seen, "DESTROY_UCTX of no uctx", in, 16, 16, ST_BAD_RES);
        sim_test_query_in(in, OP_DESTROY_UMEM, 0, 0x77);
        expect_error(sim, seen, "DESTROY_UMEM of no umem", in, 16, 16, ST_BAD_RES);
        sim_test_query_in(in, OP_CREATE_UMEM, 0, 0);
        expect_error(sim, seen, "CREATE_UMEM without mtt", in, 0x30, 16, ST_BAD_PARAM);
        memset(in, 0, sizeof(in));
        sim_test_query_in(in, OP_CREATE_UCTX, 0, 0);
        in[0x13] = 0x80;                                /* cap bit 7: not advertised */
        expect_error(sim, seen, "CREATE_UCTX with unknown cap", in, 0x40, 16, ST_BAD_PARAM);
}

/* The answer of QUERY_QP, decoded with mlx5-prm.md §11 recipes. */
static void test_query_qp_round_trip(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("qp=64,cq=16", 0);
        static const unsigned valid_states[] = { 0, 1, 2, 3, 4, 6, 7 };
        static const unsigned valid_st[] = { 0, 1, 2, 3, 5 };
        size_t n_qp, n_cq;
        const uint32_t *qps = mlx5_sim_object_ids(sim, "qp", &n_qp);
        const uint32_t *cqs = mlx5_sim_object_ids(sim, "cq", &n_cq);
        uint8_t out[0x200];

        for (size_t i = 0; i < n_qp; i++) {
                uint32_t dw = 0;
                bool ok = false;

                memset(out, 0x5a, sizeof(out));
                g_assert_cmpuint(sim_test_query(sim, OP_QUERY_QP, qps[i], out, sizeof(out)), ==, ST_OK);
                for (size_t k = 1; k < 0x10; k++)       /* header and reserved dwords */
                        g_assert_cmpuint(out[k], ==, 0);
                for (size_t k = QUERY_QP_OUT_LEN; k < sizeof(out); k++)
                        g_assert_cmpuint(out[k], ==, 0);

                dw = sim_test_be32(out + 0x18);
                for (size_t k = 0; k < G_N_ELEMENTS(valid_states); k++)
                        ok |= (dw >> 28) == valid_states[k];
                g_assert_true(ok);
                ok = false;
                for (size_t k = 0; k < G_N_ELEMENTS(valid_st); k++)
                        ok |= ((dw >> 16) & 0xff) == valid_st[k];
                g_assert_true(ok);
                /* primary_address_path (qpc 0xc0) .vhca_port_num (ads 0x128): byte 0x18 + 0x18 + 0x25 */
                g_assert_cmpuint(out[0x55], ==, 1);
                /* cqn_snd, cqn_rcv name CQs of this function. */
                ok = false;
                for (size_t k = 0; k < n_cq; k++)
                        ok |= (sim_test_be32(out + 0x18 + 0x7c) & 0xffffff) == cqs[k];
                g_assert_true(ok);
                ok = false;
                for (size_t k = 0; k < n_cq; k++)
                        ok |= (sim_test_be32(out + 0x18 + 0x9c) & 0xffffff) == cqs[k];
                g_assert_true(ok);
        }
}

/* Current never exceeds max, field by field, for every caps block of the schema. */
struct caps_pair {
        const uint8_t *cur, *max;
        size_t len;
        unsigned lowered, fields;
};

static void compare_cap_leaf(const mlx5_schema_field *f, const char *path, uint32_t bit_off, void *user_data)
{
        struct caps_pair *p = user_data;
        uint64_t cur = 0, max = 0;

        if (f->width > 64 || f->display == MLX5_DISPLAY_BYTES || f->display == MLX5_DISPLAY_ASCII)
                return;
        for (uint32_t b = 0; b < f->width; b++) {
                uint32_t bit = bit_off + b;

                cur = cur << 1 | ((p->cur[bit / 8] >> (7 - bit % 8)) & 1);
                max = max << 1 | ((p->max[bit / 8] >> (7 - bit % 8)) & 1);
        }
        if (cur > max)
                g_error("caps %s: current %" G_GUINT64_FORMAT " > max %" G_GUINT64_FORMAT, path, cur, max);
        p->lowered += cur < max;
        p->fields++;
}

static void test_caps(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("devices=4", 3);
        const mlx5_schema *schema = sim_test_schema();
        g_autofree uint8_t *cur = g_malloc(HCA_CAP_OUT_LEN), *max = g_malloc(HCA_CAP_OUT_LEN);
        unsigned lowered = 0;

        g_assert_cmpuint(mlx5_schema_n_caps(schema), >, 0);
        for (unsigned i = 0; i < mlx5_schema_n_caps(schema); i++) {
                const mlx5_schema_caps *c = mlx5_schema_caps_at(schema, i);
                uint8_t in[16];
                struct caps_pair p = { cur + 16, max + 16, 0x1000 };

                sim_test_query_in(in, OP_QUERY_HCA_CAP, c->type << 1 | 1, 0);
                g_assert_cmpuint(sim_test_exec(sim, in, 16, cur, HCA_CAP_OUT_LEN), ==, ST_OK);
                sim_test_query_in(in, OP_QUERY_HCA_CAP, c->type << 1, 0);
                g_assert_cmpuint(sim_test_exec(sim, in, 16, max, HCA_CAP_OUT_LEN), ==, ST_OK);
                mlx5_schema_foreach_leaf(c->layout, compare_cap_leaf, &p);
                lowered += p.lowered;
                g_assert_cmpuint(p.fields, >, 0);
                if (c->type == 0) {
                        /* vhca_id (cap 0x30, 16 bits) = the function index */
                        g_assert_cmpuint(sim_test_be32(cur + 0x10 + 0x4) & 0xffff, ==, 3);
                        g_assert_cmpuint(sim_test_be32(max + 0x10 + 0x4) & 0xffff, ==, 3);
                        /* uctx_cap (cap 0x6a0) has TOOLS_RESOURCES */
                        g_assert_cmpuint(sim_test_be32(cur + 0x10 + 0xd4) & 0x4, ==, 0x4);
                }
                if (c->type == 0xd)     /* debug resource_dump: cap bit 0x9 */
                        g_assert_cmpuint(cur[0x10 + 1] & 0x40, ==, 0x40);
        }
        /* A driver lowered something: current is not simply a copy of max. */
        g_assert_cmpuint(lowered, >, 0);
}

/* A page of a caps block (current or max), through the schema's layout; NULL when refused. */
static uint8_t *caps_page(mlx5_sim *sim, unsigned type, bool current, unsigned *ret_status)
{
        uint8_t *out = g_malloc(HCA_CAP_OUT_LEN);
        uint8_t in[16];

        sim_test_query_in(in, OP_QUERY_HCA_CAP, type << 1 | current, 0);
        *ret_status = sim_test_exec(sim, in, 16, out, HCA_CAP_OUT_LEN);
        if (*ret_status != ST_OK)
                g_clear_pointer(&out, g_free);
        return out;
}

static uint64_t cap_field(const uint8_t *page, const char *caps_name, const char *field)
{
        const mlx5_schema_caps *c = mlx5_schema_find_caps(sim_test_schema(), caps_name);
        uint64_t v = 0;

        g_assert_nonnull(c);
        if (mlx5_schema_get(c->layout, page + 16, 0x1000, field, &v) < 0)
                g_error("caps %s has no field %s", caps_name, field);
        return v;
}

/* real-device.md §2: the values the mlx5ctl README printed for a real ConnectX-6 Dx. */
static void test_caps_published(void)
{
        static const struct {
                const char *caps;
                unsigned type;
                const char *field;
                uint64_t value;
        } published[] = {
                { "general", 0, "log_max_qp", 17 }, { "general", 0, "log_max_qp_sz", 15 },
                { "general", 0, "log_max_cq", 24 }, { "general", 0, "log_max_cq_sz", 22 },
                { "general", 0, "log_max_eq", 7 }, { "general", 0, "log_max_eq_sz", 22 },
                { "general", 0, "log_max_mkey", 24 }, { "general", 0, "log_max_srq", 23 },
                { "general", 0, "log_max_srq_sz", 15 }, { "general", 0, "max_qp_cnt", 127 },
                { "general", 0, "num_ports", 1 }, { "general", 0, "port_type", 1 }, { "general", 0, "debug", 1 },
                { "general", 0, "vhca_id", 0 }, { "general", 0, "log_max_msg", 30 },
                { "general", 0, "local_ca_ack_delay", 16 }, { "general", 0, "cqe_version", 1 },
                { "general", 0, "max_tc", 0 }, { "general", 0, "max_indirection", 4 },
                { "debug", 0xd, "resource_dump", 1 }, { "debug", 0xd, "core_dump_general", 1 },
                { "debug", 0xd, "core_dump_qp", 1 },
                { "roce", 4, "roce_version", 5 }, { "roce", 4, "r_roce_dest_udp_port", 4791 },
                { "roce", 4, "r_roce_min_src_udp_port", 49152 }, { "roce", 4, "r_roce_max_src_udp_port", 65535 },
                { "roce", 4, "roce_address_table_size", 255 }, { "roce", 4, "l3_type", 7 },
        };
        g_autoptr(mlx5_sim) sim = sim_test_new("", 0);

        for (size_t i = 0; i < G_N_ELEMENTS(published); i++)
                for (unsigned current = 0; current <= 1; current++) {
                        unsigned status;
                        g_autofree uint8_t *page = caps_page(sim, published[i].type, current, &status);

                        g_test_message("%s.%s", published[i].caps, published[i].field);
                        g_assert_cmpuint(status, ==, ST_OK);
                        g_assert_cmpuint(cap_field(page, published[i].caps, published[i].field), ==, published[i].value);
                }
        /* DEBUG fields the schema lacks, at mstflint's debug_cap offsets: log_min_resource_dump_eq, log_max_samples. */
        {
                unsigned status;
                g_autofree uint8_t *page = caps_page(sim, 0xd, true, &status);

                g_assert_cmpuint(sim_test_get_bits(page + 16, 0xb, 5), ==, 4);
                g_assert_cmpuint(sim_test_get_bits(page + 16, 0x18, 8), ==, 14);
        }
}

/* Which general-cap bit says a page exists (mlx5_core main.c, mlx5_query_hca_caps()). */
static const struct {
        unsigned type;
        const char *bit;
} page_bits[] = {
        { 0x1, "eth_net_offloads" }, { 0x2, "pg" }, { 0x3, "atomic" }, { 0x4, "roce" },
        { 0x5, "ipoib_basic_offloads" }, { 0x6, "ipoib_enhanced_offloads" }, { 0x7, "nic_flow_table" },
        { 0x8, "eswitch_manager" }, { 0x9, "vport_group_manager" }, { 0xb, "vector_calc" }, { 0xc, "qos" },
        { 0xd, "debug" }, { 0xf, "device_memory" }, { 0x11, "tls_tx" }, { 0x14, "event_cap" },
        { 0x15, "ipsec_offload" }, { 0x1a, "crypto" }, { 0x20, "hca_cap_2" }, { 0x25, "port_selection_cap" },
};

static void test_caps_pages(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("", 0);
        unsigned status, served = 0, refused = 0;
        g_autofree uint8_t *general = caps_page(sim, 0, true, &status);

        g_assert_cmpuint(status, ==, ST_OK);
        for (size_t i = 0; i < G_N_ELEMENTS(page_bits); i++) {
                bool bit = cap_field(general, "general", page_bits[i].bit);

                for (unsigned current = 0; current <= 1; current++) {
                        g_free(caps_page(sim, page_bits[i].type, current, &status));

                        g_test_message("page 0x%x (%s = %d): status 0x%x", page_bits[i].type, page_bits[i].bit, bit,
                                       status);
                        g_assert_cmpuint(status, ==, bit ? ST_OK : ST_BAD_PARAM);
                }
                served += bit;
                refused += !bit;
        }
        /* The schema's pages are all offered; pages it has no layout for are not. */
        g_assert_cmpuint(served, ==, mlx5_schema_n_caps(sim_test_schema()) - 1);
        g_assert_cmpuint(refused, >, 0);
        g_assert_null(caps_page(sim, 0x55, true, &status));
        g_assert_cmpuint(status, ==, ST_BAD_PARAM);
}

static void check_log_leaf(const mlx5_schema_field *f, const char *path, uint32_t bit_off, void *user_data)
{
        const uint8_t *page = user_data;
        uint64_t v;

        if (!g_str_has_prefix(f->name, "log_") || f->width > 64 || f->enumeration)
                return;
        v = sim_test_get_bits(page, bit_off, f->width);
        /* Within the field (by construction) and sane: 2^64 is the largest size anything has (log_max_mrw_sz). */
        if (v > 64)
                g_error("caps %s = %" G_GUINT64_FORMAT ": not a sane log size", path, v);
}

struct min_max {
        const mlx5_schema_struct *layout;
        const uint8_t *page;
        unsigned pairs;
};

/* A "min" field is at most its "max" namesake (log_min_stride_sz_rq and log_max_stride_sz_rq, ...). */
static void check_min_leaf(const mlx5_schema_field *f, const char *path, uint32_t bit_off, void *user_data)
{
        struct min_max *m = user_data;
        const char *at = strstr(path, "min");
        g_autofree char *max_path = NULL;
        const mlx5_schema_field *mf;
        uint32_t max_off;
        uint64_t lo, hi;

        if (!at || f->width > 64 || f->enumeration)
                return;
        max_path = g_strdup(path);
        memcpy(max_path + (at - path), "max", 3);
        if (mlx5_schema_resolve(m->layout, max_path, &mf, &max_off) < 0 || mf->width > 64)
                return;
        lo = sim_test_get_bits(m->page, bit_off, f->width);
        hi = sim_test_get_bits(m->page, max_off, mf->width);
        if (lo > hi)
                g_error("caps %s = %" G_GUINT64_FORMAT " > %s = %" G_GUINT64_FORMAT, path, lo, max_path, hi);
        m->pairs++;
}

/* Every page: logs sane; one device model, one set of caps, whatever the seed and function (but vhca_id). */
static void test_caps_coherent(void)
{
        g_autoptr(mlx5_sim) a = sim_test_new("seed=1", 0);
        g_autoptr(mlx5_sim) b = sim_test_new("seed=77,devices=4", 2);
        const mlx5_schema *schema = sim_test_schema();
        unsigned pairs = 0;

        for (unsigned i = 0; i < mlx5_schema_n_caps(schema); i++) {
                const mlx5_schema_caps *c = mlx5_schema_caps_at(schema, i);

                for (unsigned current = 0; current <= 1; current++) {
                        unsigned sa, sb;
                        g_autofree uint8_t *pa = caps_page(a, c->type, current, &sa);
                        g_autofree uint8_t *pb = caps_page(b, c->type, current, &sb);
                        struct min_max m = { c->layout, pa + 16, 0 };

                        g_assert_cmpuint(sa, ==, ST_OK);
                        g_assert_cmpuint(sb, ==, ST_OK);
                        mlx5_schema_foreach_leaf(c->layout, check_log_leaf, pa + 16);
                        mlx5_schema_foreach_leaf(c->layout, check_min_leaf, &m);
                        pairs += m.pairs;
                        if (c->type == 0) {
                                /* vhca_id: cap 0x30, 16 bits */
                                g_assert_cmpuint(sim_test_get_bits(pb + 16, 0x30, 16), ==, 2);
                                sim_test_put_bits(pb + 16, 0x30, 16, 0);
                        }
                        g_assert_cmpmem(pa, HCA_CAP_OUT_LEN, pb, HCA_CAP_OUT_LEN);
                }
        }
        g_test_message("%u min/max pairs", pairs);
        g_assert_cmpuint(pairs, >=, 5);
}

/* A context field of every object of a type is at most the caps value. */
static void check_contexts(mlx5_sim *sim, const char *type, const char *field, uint64_t limit)
{
        const mlx5_schema_resource *res = mlx5_schema_find_resource(sim_test_schema(), type);
        size_t n;
        const uint32_t *ids = mlx5_sim_object_ids(sim, type, &n);
        g_autofree uint8_t *out = g_malloc(res->outlen);

        g_assert_cmpuint(n, >, 0);
        for (size_t k = 0; k < n; k++) {
                uint64_t v;

                g_assert_cmpuint(sim_test_query_resource(sim, res, ids[k], out), ==, ST_OK);
                g_assert_cmpint(mlx5_schema_get(res->context, out + res->context_bit_off / 8,
                                                res->outlen - res->context_bit_off / 8, field, &v), ==, 0);
                if (v > limit)
                        g_error("%s 0x%x: %s = %" G_GUINT64_FORMAT " > %" G_GUINT64_FORMAT, type, ids[k], field, v,
                                limit);
        }
}

/* The population inside the caps: numbers in their spaces, sizes within the limits. */
static void test_population_fits_caps(void)
{
        static const struct {
                const char *type, *cap;
                bool log;
        } spaces[] = {
                { "qp", "log_max_qp", true }, { "cq", "log_max_cq", true }, { "eq", "log_max_eq", true },
                { "mkey", "log_max_mkey", true }, { "srq", "log_max_srq", true }, { "sq", "log_max_sq", true },
                { "rq", "log_max_rq", true }, { "tir", "log_max_tir", true }, { "tis", "log_max_tis", true },
                { "rmp", "log_max_rmp", true }, { "rqt", "log_max_rqt", true }, { "q_counter", "max_qp_cnt", false },
        };
        g_autoptr(mlx5_sim) sim = sim_test_new("qp=130000,eq=127,q_counter=127,cq=3000,tir=60000", 0);
        unsigned status;
        g_autofree uint8_t *general = caps_page(sim, 0, true, &status);

        for (size_t i = 0; i < G_N_ELEMENTS(spaces); i++) {
                uint64_t cap = cap_field(general, "general", spaces[i].cap);
                uint64_t max = spaces[i].log ? (1ull << cap) - 1 : cap;
                size_t n;
                const uint32_t *ids = mlx5_sim_object_ids(sim, spaces[i].type, &n);

                g_test_message("%s: %zu objects, largest 0x%x, %s %" G_GUINT64_FORMAT, spaces[i].type, n,
                               n ? ids[n - 1] : 0, spaces[i].cap, cap);
                g_assert_cmpuint(n, >, 0);
                g_assert_cmpuint(n, <=, max + 1);
                g_assert_cmpuint(ids[n - 1], <=, max);
        }
        /* Contexts: on a population small enough to read whole, with every type. */
        g_clear_pointer(&sim, mlx5_sim_free);
        sim = sim_test_new("qp=600,cq=300,eq=40,srq=60,sq=100,rq=100", 0);
        check_contexts(sim, "cq", "log_cq_size", cap_field(general, "general", "log_max_cq_sz"));
        check_contexts(sim, "cq", "c_eqn_or_apu_element", (1u << cap_field(general, "general", "log_max_eq")) - 1);
        check_contexts(sim, "eq", "log_eq_size", cap_field(general, "general", "log_max_eq_sz"));
        check_contexts(sim, "srq", "log_srq_size", cap_field(general, "general", "log_max_srq_sz"));
        check_contexts(sim, "qp", "log_sq_size", cap_field(general, "general", "log_max_qp_sz"));
        check_contexts(sim, "qp", "log_rq_size", cap_field(general, "general", "log_max_qp_sz"));
        check_contexts(sim, "qp", "log_msg_max", cap_field(general, "general", "log_max_msg"));
        check_contexts(sim, "qp", "log_rra_max", cap_field(general, "general", "log_max_ra_res_qp"));
        check_contexts(sim, "qp", "log_sra_max", cap_field(general, "general", "log_max_ra_req_qp"));
        check_contexts(sim, "qp", "counter_set_id", cap_field(general, "general", "max_qp_cnt"));
        check_contexts(sim, "sq", "wq.log_wq_sz", cap_field(general, "general", "log_max_wq_sz"));
        check_contexts(sim, "rq", "wq.log_wq_sz", cap_field(general, "general", "log_max_wq_sz"));
}

static void test_query_issi(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("", 0);
        uint8_t in[16], out[0x70];

        sim_test_query_in(in, OP_QUERY_ISSI, 0, 0);
        g_assert_cmpuint(sim_test_exec(sim, in, 16, out, sizeof(out)), ==, ST_OK);
        /* query_issi_out: current_issi at 0x50 (16 bits), supported_issi_dw0 at 0x360 */
        g_assert_cmpuint(sim_test_get_bits(out, 0x50, 16), ==, 1);
        g_assert_cmpuint(sim_test_be32(out + 0x6c), ==, 0x3);
        g_assert_cmpuint(sim_test_exec(sim, in, 16, out, 0x60), ==, ST_BAD_OUTP_LEN);
        sim_test_query_in(in, OP_QUERY_ISSI, 1, 0);
        g_assert_cmpuint(sim_test_exec(sim, in, 16, out, sizeof(out)), ==, ST_BAD_PARAM);
}

static unsigned read_register(mlx5_sim *sim, unsigned reg_id, unsigned op_mod, unsigned uid, uint8_t *data,
                              size_t len)
{
        g_autofree uint8_t *in = g_malloc0(16 + len), *out = g_malloc0(16 + len);
        unsigned status;

        sim_test_query_in(in, OP_ACCESS_REG, op_mod, 0);
        in[2] = uid >> 8;
        in[3] = uid;
        in[10] = reg_id >> 8;                           /* register_id, byte 0xa */
        in[11] = reg_id;
        status = sim_test_exec(sim, in, 16 + len, out, 16 + len);
        memcpy(data, out + 16, len);
        return status;
}

static void test_registers(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("", 0);
        /* The README's DTOR bytes of that device: every timeout in seconds (multiplier 1). */
        static const uint8_t dtor[64] = {
                0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x02, 0x20, 0x00, 0x00, 0x3c, 0x20, 0x00, 0x00, 0x3c,
                0x20, 0x00, 0x00, 0x02, 0x20, 0x00, 0x00, 0x02, 0x20, 0x00, 0x00, 0x0a, 0x20, 0x00, 0x00, 0x05,
                0x20, 0x00, 0x00, 0x05, 0x20, 0x00, 0x00, 0x78, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        };
        uint8_t data[80];
        unsigned uid;

        g_assert_cmpuint(sim_test_create_uctx(sim, 0, &uid), ==, ST_OK);
        /* A user context without TOOLS_RESOURCES reads them too (real-device.md §5). */
        g_assert_cmpuint(read_register(sim, 0x6001, 1, uid, data, 64), ==, ST_OK);
        g_assert_cmpstr((const char *) data, ==, "MT4125 ConnectX6Dx Mellanox Technologies");
        g_assert_cmpuint(read_register(sim, 0xc00e, 1, uid, data, 64), ==, ST_OK);
        g_assert_cmpmem(data, 64, dtor, sizeof(dtor));
        /* MCAM, PCAM: group 0's mask names exactly the registers answered there: themselves. */
        g_assert_cmpuint(read_register(sim, 0x907f, 1, 0, data, 72), ==, ST_OK);
        for (unsigned n = 0; n < 128; n++)
                g_assert_cmpuint(sim_test_get_bits(data, 0x40 + 127 - n, 1), ==, n == 0x7f);
        g_assert_cmpuint(read_register(sim, 0x507f, 1, 0, data, 80), ==, ST_OK);
        for (unsigned n = 0; n < 128; n++)
                g_assert_cmpuint(sim_test_get_bits(data, 0x40 + 127 - n, 1), ==, n == 0x7f);
        /* Too short for the register. */
        g_assert_cmpuint(read_register(sim, 0x507f, 1, 0, data, 64), ==, ST_BAD_INP_LEN);
        /* Writes: refused, from a user context and from the kernel alike. */
        g_assert_cmpuint(read_register(sim, 0x6001, 0, uid, data, 64), ==, ST_BAD_PARAM);
        g_assert_cmpuint(read_register(sim, 0x6001, 0, 0, data, 64), ==, ST_BAD_PARAM);
        g_assert_cmpuint(read_register(sim, 0xc00e, 0, 0, data, 64), ==, ST_BAD_PARAM);
        /* Registers this firmware does not answer, though the README knows them. */
        g_assert_cmpuint(read_register(sim, 0x5008, 1, 0, data, 64), ==, ST_BAD_PARAM);        /* PPCNT */
        g_assert_cmpuint(read_register(sim, 0x5004, 1, 0, data, 64), ==, ST_BAD_PARAM);        /* PTYS */
}

static void test_query_adapter(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("", 0);
        uint8_t out[0x110];

        g_assert_cmpuint(sim_test_query(sim, OP_QUERY_ADAPTER, 0, out, sizeof(out)), ==, ST_OK);
        /* query_adapter_param_block at 0x10: ieee_vendor_id 0xc8, vsd_vendor_id 0xf0, psid 0x780 */
        g_assert_cmpuint(sim_test_be32(out + 0x10 + 0x18) & 0xffffff, ==, 0x2c9);
        g_assert_cmpuint(sim_test_be16(out + 0x10 + 0x1e), ==, 0x15b3);
        g_assert_cmpstr((const char *) out + 0x10 + 0xf0, ==, "MT_0000000838");
}

static unsigned uid_cmd(mlx5_sim *sim, unsigned opcode, unsigned header_uid, unsigned id, size_t inlen,
                        unsigned num_mtt, uint8_t *out)
{
        g_autofree uint8_t *in = g_malloc0(inlen);

        sim_test_query_in(in, opcode, 0, id);
        in[2] = header_uid >> 8;
        in[3] = header_uid;
        if (opcode == OP_DESTROY_UCTX) {
                in[9] = 0;
                in[10] = id >> 8;
                in[11] = id;
        }
        if (opcode == OP_CREATE_UMEM)
                in[0x2f] = num_mtt;             /* umem.num_of_mtt, low byte */
        return sim_test_exec(sim, in, inlen, out, 16);
}

static void test_uctx_umem(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("", 0);
        uint32_t qpn = first_id(sim, "qp");
        unsigned uid, uid2, umem;
        uint8_t out[QUERY_QP_OUT_LEN], in[16];

        g_assert_cmpuint(sim_test_create_uctx(sim, 0x4, &uid), ==, ST_OK);
        g_assert_cmpuint(uid, !=, 0);
        g_assert_cmpuint(sim_test_create_uctx(sim, 0, &uid2), ==, ST_OK);
        g_assert_cmpuint(uid2, !=, uid);

        /* A command carrying the uid works, and the firmware saw the uid. */
        sim_test_query_in(in, OP_QUERY_QP, 0, qpn);
        in[2] = uid >> 8;
        in[3] = uid;
        g_assert_cmpuint(sim_test_exec(sim, in, 16, out, sizeof(out)), ==, ST_OK);
        g_assert_cmpuint(mlx5_sim_last_uid(sim, OP_QUERY_QP), ==, uid);
        g_assert_cmpuint(sim_test_query(sim, OP_QUERY_QP, qpn, out, sizeof(out)), ==, ST_OK);
        g_assert_cmpuint(mlx5_sim_last_uid(sim, OP_QUERY_QP), ==, 0);

        /* UMEM: the mtt list must fit the input; the owner's uid destroys it. */
        g_assert_cmpuint(uid_cmd(sim, OP_CREATE_UMEM, uid, 0, 0x38, 2, out), ==, ST_BAD_INP_LEN);
        g_assert_cmpuint(uid_cmd(sim, OP_CREATE_UMEM, uid, 0, 0x38, 1, out), ==, ST_OK);
        umem = sim_test_be32(out + 8) & 0xffffff;
        g_assert_cmpuint(umem, !=, 0);
        g_assert_cmpuint(uid_cmd(sim, OP_DESTROY_UCTX, 0, uid, 16, 0, out), ==, ST_BAD_RES_STATE);
        g_assert_cmpuint(uid_cmd(sim, OP_DESTROY_UMEM, uid2, umem, 16, 0, out), ==, ST_BAD_PARAM);
        g_assert_cmpuint(uid_cmd(sim, OP_DESTROY_UMEM, uid, umem, 16, 0, out), ==, ST_OK);
        g_assert_cmpuint(uid_cmd(sim, OP_DESTROY_UMEM, uid, umem, 16, 0, out), ==, ST_BAD_RES);
        g_assert_cmpuint(uid_cmd(sim, OP_DESTROY_UCTX, 0, uid, 16, 0, out), ==, ST_OK);
        g_assert_cmpuint(uid_cmd(sim, OP_DESTROY_UCTX, 0, uid, 16, 0, out), ==, ST_BAD_RES);

        /* Gone: its uid is refused again. */
        g_assert_cmpuint(sim_test_exec(sim, in, 16, out, sizeof(out)), ==, ST_BAD_PARAM);
}

/* The rule across every schema resource: kernel objects for TOOLS_RESOURCES only; singletons for all. */
static void test_uctx_rule(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("", 0);
        const mlx5_schema *schema = sim_test_schema();
        unsigned tools, plain, refused = 0;

        g_assert_cmpuint(sim_test_create_uctx(sim, 0x4, &tools), ==, ST_OK);
        g_assert_cmpuint(sim_test_create_uctx(sim, 0x3, &plain), ==, ST_OK);
        for (unsigned i = 0; i < mlx5_schema_n_resources(schema); i++) {
                const mlx5_schema_resource *res = mlx5_schema_resource_at(schema, i);
                size_t n = 0;
                const uint32_t *ids = mlx5_sim_object_ids(sim, res->name, &n);
                g_autofree uint8_t *in = g_malloc0(MAX(res->inlen, 16));
                g_autofree uint8_t *out = g_malloc0(res->outlen);

                if (res->has_id && n == 0)
                        continue;
                sim_test_query_in(in, res->opcode, res->op_mod, 0);
                if (res->has_id)
                        sim_test_put_bits(in, res->id_bit_off, res->id_width, ids[0]);
                in[2] = tools >> 8;
                in[3] = tools;
                g_assert_cmpuint(sim_test_exec(sim, in, res->inlen, out, res->outlen), ==, ST_OK);
                in[2] = plain >> 8;
                in[3] = plain;
                g_test_message("%s", res->name);
                g_assert_cmpuint(sim_test_exec(sim, in, res->inlen, out, res->outlen), ==,
                                 res->has_id ? ST_BAD_PARAM : ST_OK);
                refused += res->has_id;
        }
        g_assert_cmpuint(refused, >=, 10);
}

/* The query of object id of res under uid; the status. */
static unsigned query_as(mlx5_sim *sim, const mlx5_schema_resource *res, uint32_t id, unsigned uid)
{
        g_autofree uint8_t *in = g_malloc0(MAX(res->inlen, 16));
        g_autofree uint8_t *out = g_malloc0(res->outlen);

        sim_test_query_in(in, res->opcode, res->op_mod, 0);
        sim_test_put_bits(in, res->id_bit_off, res->id_width, id);
        sim_test_put_bits(in, 0x10, 16, uid);
        return sim_test_exec(sim, in, res->inlen, out, res->outlen);
}

/*
 * Objects carry their creator's uid: the kernel's 0, each verbs or DEVX
 * process its own, the same for the same seed.  A process's uid reads its
 * own objects only; another process, a new plain context, a kernel object:
 * refused; TOOLS_RESOURCES and uid 0 read them all.  A process's context
 * lives with its objects.
 */
static void test_uctx_process_uids(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("seed=9,qp=300,mkey=200,dct=40,sq=60", 0);
        g_autoptr(mlx5_sim) twin = sim_test_new("seed=9,qp=300,mkey=200,dct=40,sq=60", 0);
        g_autoptr(mlx5_sim) other_seed = sim_test_new("seed=10", 0);
        const mlx5_schema *schema = sim_test_schema();
        g_autoptr(GHashTable) uids = g_hash_table_new(NULL, NULL);
        unsigned tools, plain, own = 0, foreign = 0, kernel = 0, differ = 0;
        size_t n_creators;
        const struct sim_creator *creators = sim_creators(&n_creators);
        uint8_t in[16], out[16];

        g_assert_cmpuint(sim_test_create_uctx(sim, 0x4, &tools), ==, ST_OK);
        g_assert_cmpuint(sim_test_create_uctx(sim, 0x0, &plain), ==, ST_OK);
        for (size_t i = 0; i < n_creators; i++) {
                unsigned uid = sim_creator_uid(sim, &creators[i]);

                g_assert_cmpuint(uid, ==, sim_creator_uid(twin, &creators[i]));
                differ += uid != sim_creator_uid(other_seed, &creators[i]);
                if (!creators[i].pid) {
                        g_assert_cmpuint(uid, ==, 0);
                        continue;
                }
                g_assert_cmpuint(uid, !=, 0);
                g_assert_cmpuint(uid, !=, tools);
                g_assert_cmpuint(uid, !=, plain);
                g_assert_false(g_hash_table_contains(uids, GUINT_TO_POINTER(uid)));
                g_hash_table_add(uids, GUINT_TO_POINTER(uid));
                /* Its context lives while its objects do. */
                sim_test_query_in(in, OP_DESTROY_UCTX, 0, 0);
                sim_test_put_bits(in, 0x50, 16, uid);
                g_assert_cmpuint(sim_test_exec(sim, in, sizeof(in), out, sizeof(out)), ==, ST_BAD_RES_STATE);
        }
        g_assert_cmpuint(g_hash_table_size(uids), >=, 4);
        g_assert_cmpuint(differ, >, 0);

        for (unsigned r = 0; r < mlx5_schema_n_resources(schema); r++) {
                const mlx5_schema_resource *res = mlx5_schema_resource_at(schema, r);
                const struct sim_type *t = sim_find_type(sim, res->name);

                if (!res->has_id)
                        continue;
                for (uint32_t slot = 0; slot < t->n; slot++) {
                        const struct sim_creator *c = sim_object_creator(sim, t, slot);
                        unsigned uid = sim_creator_uid(sim, c);
                        uint32_t id = t->objs[slot].id;
                        GHashTableIter it;
                        gpointer other;

                        g_assert_cmpuint(query_as(sim, res, id, 0), ==, ST_OK);
                        g_assert_cmpuint(query_as(sim, res, id, tools), ==, ST_OK);
                        g_assert_cmpuint(query_as(sim, res, id, plain), ==, ST_BAD_PARAM);
                        if (!c->pid) {
                                g_hash_table_iter_init(&it, uids);
                                g_assert_true(g_hash_table_iter_next(&it, &other, NULL));
                                g_assert_cmpuint(query_as(sim, res, id, GPOINTER_TO_UINT(other)), ==, ST_BAD_PARAM);
                                kernel++;
                                continue;
                        }
                        g_assert_cmpuint(query_as(sim, res, id, uid), ==, ST_OK);
                        own++;
                        g_hash_table_iter_init(&it, uids);
                        while (g_hash_table_iter_next(&it, &other, NULL))
                                if (GPOINTER_TO_UINT(other) != uid) {
                                        g_assert_cmpuint(query_as(sim, res, id, GPOINTER_TO_UINT(other)), ==,
                                                         ST_BAD_PARAM);
                                        foreign++;
                                }
                }
        }
        g_test_message("%u objects read by their own process, %u refused to others, %u kernel objects", own, foreign,
                       kernel);
        g_assert_cmpuint(own, >=, 100);
        g_assert_cmpuint(kernel, >=, 100);
        g_assert_cmpuint(foreign, >=, 3 * own);
}

static void test_uctx_limit(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("", 0);
        unsigned uid, created = 0, status;

        while ((status = sim_test_create_uctx(sim, 0x4, &uid)) == ST_OK)
                g_assert_cmpuint(++created, <=, 0x10000);
        g_assert_cmpuint(status, ==, ST_LIM);
        g_assert_cmpuint(created, >=, 16);
}

/* query_vport_counter_in/out (mlx5_ifc.h): 12 traffic counters of packets and octets from byte 0x10. */
#define VPORT_COUNTER_IN_LEN    0x20
#define VPORT_COUNTER_OUT_LEN   0x210
#define VPORT_COUNTERS          12
#define VPORT_IB_FIRST          2       /* received_ib_unicast .. transmitted_ib_multicast */
#define VPORT_IB_LAST           5
#define VPORT_RX_ETH_UNICAST    8

static int64_t test_clock_now;

static int64_t test_clock(void)
{
        return test_clock_now;
}

static uint64_t be64_at(const uint8_t *p)
{
        return (uint64_t) sim_test_be32(p) << 32 | sim_test_be32(p + 4);
}

static uint64_t vport_packets(const uint8_t *out, unsigned i)
{
        return be64_at(out + 0x10 + 16 * i);
}

static uint64_t vport_octets(const uint8_t *out, unsigned i)
{
        return be64_at(out + 0x10 + 16 * i + 8);
}

static unsigned query_vport_counter(mlx5_sim *sim, unsigned uid, bool other_vport, unsigned port_num,
                                    unsigned vport_number, bool clear, uint8_t out[VPORT_COUNTER_OUT_LEN])
{
        uint8_t in[VPORT_COUNTER_IN_LEN] = { 0 };

        sim_test_query_in(in, OP_QUERY_VPORT_COUNTER, 0, 0);
        sim_test_put_bits(in, 0x10, 16, uid);
        sim_test_put_bits(in, 0x40, 1, other_vport);
        sim_test_put_bits(in, 0x4c, 4, port_num);
        sim_test_put_bits(in, 0x50, 16, vport_number);
        sim_test_put_bits(in, 0xc0, 1, clear);
        return sim_test_exec(sim, in, sizeof(in), out, VPORT_COUNTER_OUT_LEN);
}

/*
 * The own vport's counters: a function of (seed, uptime), growing, octets
 * 64..1518 bytes a packet, no InfiniBand traffic on an Ethernet port;
 * another vport or port refused; clear restarts them from 0.
 */
static void test_vport_counter(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("seed=3", 0);
        g_autoptr(mlx5_sim) twin = sim_test_new("seed=3", 0);
        uint8_t first[VPORT_COUNTER_OUT_LEN], later[VPORT_COUNTER_OUT_LEN], out[VPORT_COUNTER_OUT_LEN];
        uint8_t in[16];
        unsigned uid;

        test_clock_now = (int64_t) 5000 * G_USEC_PER_SEC;
        sim->clock_us = twin->clock_us = test_clock;
        sim->born_us = twin->born_us = test_clock_now - 10 * G_USEC_PER_SEC;

        g_assert_cmpuint(query_vport_counter(sim, 0, false, 0, 0, false, first), ==, ST_OK);
        g_assert_cmpuint(query_vport_counter(twin, 0, false, 0, 0, false, out), ==, ST_OK);
        g_assert_cmpmem(first, sizeof(first), out, sizeof(out));
        for (unsigned i = 0; i < VPORT_COUNTERS; i++) {
                if (i >= VPORT_IB_FIRST && i <= VPORT_IB_LAST) {
                        g_assert_cmpuint(vport_packets(first, i), ==, 0);
                        g_assert_cmpuint(vport_octets(first, i), ==, 0);
                        continue;
                }
                g_assert_cmpuint(vport_octets(first, i), >=, 64 * vport_packets(first, i));
                g_assert_cmpuint(vport_octets(first, i), <=, 1518 * vport_packets(first, i));
        }
        g_assert_cmpuint(vport_packets(first, VPORT_RX_ETH_UNICAST), >, 0);

        /* A second on: nothing went back, unicast traffic went on (10k packets a second at least). */
        test_clock_now += G_USEC_PER_SEC;
        g_assert_cmpuint(query_vport_counter(sim, 0, false, 0, 0, false, later), ==, ST_OK);
        for (unsigned i = 0; i < VPORT_COUNTERS; i++) {
                g_assert_cmpuint(vport_packets(later, i), >=, vport_packets(first, i));
                g_assert_cmpuint(vport_octets(later, i), >=, vport_octets(first, i));
        }
        g_assert_cmpuint(vport_packets(later, VPORT_RX_ETH_UNICAST) - vport_packets(first, VPORT_RX_ETH_UNICAST),
                         >=, 10000);

        /* Not this function's vport, not a port a one-port device has, too short: refused. */
        g_assert_cmpuint(query_vport_counter(sim, 0, true, 0, 1, false, out), ==, ST_BAD_PARAM);
        g_assert_cmpuint(query_vport_counter(sim, 0, true, 0, 0, false, out), ==, ST_BAD_PARAM);
        g_assert_cmpuint(query_vport_counter(sim, 0, false, 0, 1, false, out), ==, ST_BAD_PARAM);
        g_assert_cmpuint(query_vport_counter(sim, 0, false, 1, 0, false, out), ==, ST_BAD_PARAM);
        sim_test_query_in(in, OP_QUERY_VPORT_COUNTER, 0, 0);
        g_assert_cmpuint(sim_test_exec(sim, in, sizeof(in), out, sizeof(out)), ==, ST_BAD_INP_LEN);

        /* clear from a user context: refused, nothing cleared. */
        g_assert_cmpuint(sim_test_create_uctx(sim, 0, &uid), ==, ST_OK);
        g_assert_cmpuint(query_vport_counter(sim, uid, false, 0, 0, true, out), ==, ST_BAD_PARAM);
        g_assert_cmpuint(query_vport_counter(sim, uid, false, 0, 0, false, out), ==, ST_OK);
        g_assert_cmpmem(out, sizeof(out), later, sizeof(later));

        /* clear from the kernel: the answer is the count so far, then they start again from 0. */
        g_assert_cmpuint(query_vport_counter(sim, 0, false, 0, 0, true, out), ==, ST_OK);
        g_assert_cmpmem(out, sizeof(out), later, sizeof(later));
        g_assert_cmpuint(query_vport_counter(sim, 0, false, 0, 0, false, out), ==, ST_OK);
        for (unsigned i = 0; i < VPORT_COUNTERS; i++)
                g_assert_cmpuint(vport_packets(out, i), ==, 0);
        test_clock_now += G_USEC_PER_SEC;
        g_assert_cmpuint(query_vport_counter(sim, 0, false, 0, 0, false, out), ==, ST_OK);
        g_assert_cmpuint(vport_packets(out, VPORT_RX_ETH_UNICAST), >=, 10000);
        g_assert_cmpuint(vport_packets(out, VPORT_RX_ETH_UNICAST), <, vport_packets(later, VPORT_RX_ETH_UNICAST));
        /* The twin never cleared. */
        g_assert_cmpuint(query_vport_counter(twin, 0, false, 0, 0, false, out), ==, ST_OK);
        g_assert_cmpuint(vport_packets(out, VPORT_RX_ETH_UNICAST), >, vport_packets(later, VPORT_RX_ETH_UNICAST));
}

static int compare_names(gconstpointer a, gconstpointer b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/*
 * The source schema with a capability page of type 0x9 (MLX5_CAP_ESWITCH,
 * the page vport_group_manager gates): a simulator built from it serves that
 * page, so its general caps say it is a vport group manager.
 */
static mlx5_schema *manager_schema(void)
{
        g_autoptr(GString) text = g_string_new(NULL);
        g_autoptr(GError) error = NULL;
        g_autoptr(GDir) dir = g_dir_open(MLX5DBGFS_SOURCE_SCHEMA_DIR, 0, &error);
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        mlx5_schema *schema;
        const char *name;

        g_assert_no_error(error);
        while ((name = g_dir_read_name(dir)))
                if (g_str_has_suffix(name, ".schema"))
                        g_ptr_array_add(names, g_strdup(name));
        /* In name order, as mlx5_schema_load_dir reads them. */
        g_ptr_array_sort(names, compare_names);
        for (guint i = 0; i < names->len; i++) {
                g_autofree char *path = g_build_filename(MLX5DBGFS_SOURCE_SCHEMA_DIR, names->pdata[i], NULL);
                g_autofree char *body = NULL;

                g_assert_true(g_file_get_contents(path, &body, NULL, &error));
                g_string_append_printf(text, "%s\n", body);
        }
        g_string_append(text, "struct e_switch_cap 0x800\n  0x000  1  vport_svlan_strip\nend\n"
                              "caps eswitch\n  type 0x9\n  layout e_switch_cap\n  when vport_group_manager\nend\n");
        schema = mlx5_schema_load_string("manager.schema", text->str, &error);
        g_assert_no_error(error);
        return schema;
}

/* A 16-byte QUERY_*VPORT* input (mlx5_ifc.h): other_vport 0x40, port_num 0x4c (4), vport_number 0x50 (16). */
static void vport_in(uint8_t in[16], unsigned opcode, unsigned op_mod, bool other_vport, unsigned port_num,
                     unsigned vport_number)
{
        sim_test_query_in(in, opcode, op_mod, 0);
        sim_test_put_bits(in, 0x40, 1, other_vport);
        sim_test_put_bits(in, 0x4c, 4, port_num);
        sim_test_put_bits(in, 0x50, 16, vport_number);
}

/*
 * QUERY_NIC_VPORT_CONTEXT, QUERY_HCA_VPORT_CONTEXT, QUERY_VPORT_STATE: the
 * own vport answers; another vport is refused unless the function is a
 * vport group manager and the vport exists (only 0, its own, here); a
 * vport_number without other_vport, a port on a one-port device, an
 * unnamed list type, an eswitch op_mod: each refused with its own syndrome.
 */
static void test_vport_queries(void)
{
        static const struct {
                unsigned opcode, outlen;
                const char *name;
        } cmds[] = {
                { OP_QUERY_NIC_VPORT_CONTEXT, 0x110, "QUERY_NIC_VPORT_CONTEXT" },
                { OP_QUERY_HCA_VPORT_CONTEXT, 0x210, "QUERY_HCA_VPORT_CONTEXT" },
                { OP_QUERY_VPORT_STATE, 0x10, "QUERY_VPORT_STATE" },
        };
        g_autoptr(mlx5_schema) schema = manager_schema();
        g_autoptr(mlx5_sim_spec) spec = mlx5_sim_spec_parse("", schema, NULL);
        g_autoptr(mlx5_sim) sim = sim_test_new("", 0);
        g_autoptr(mlx5_sim) manager = mlx5_sim_new(schema, spec, 0);
        uint8_t in[16], own[0x210], out[0x210];

        g_assert_cmpuint(sim_general_cap(sim, "vport_group_manager"), ==, 0);
        g_assert_cmpuint(sim_general_cap(sim, "eswitch_manager"), ==, 0);
        g_assert_cmpuint(sim_general_cap(manager, "vport_group_manager"), ==, 1);
        for (size_t i = 0; i < G_N_ELEMENTS(cmds); i++) {
                g_autoptr(GArray) seen = g_array_new(FALSE, FALSE, sizeof(struct error_case));
        
                g_test_message("%s", cmds[i].name);
                vport_in(in, cmds[i].opcode, 0, false, 0, 0);
                g_assert_cmpuint(sim_test_exec(sim, in, sizeof(in), own, cmds[i].outlen), ==, ST_OK);

                vport_in(in, cmds[i].opcode, 0, true, 0, 0);
                expect_error(sim, seen, "other_vport, not a manager", in, sizeof(in), cmds[i].outlen, ST_BAD_PARAM);
                vport_in(in, cmds[i].opcode, 0, true, 0, 1);
                g_assert_cmpuint(sim_test_exec(sim, in, sizeof(in), out, cmds[i].outlen), ==, ST_BAD_PARAM);
                vport_in(in, cmds[i].opcode, 0, false, 0, 1);
                expect_error(sim, seen, "vport_number without other_vport", in, sizeof(in), cmds[i].outlen,
                             ST_BAD_PARAM);

                /* A manager names its own vport 0 and gets the same answer; vport 1 does not exist. */
                vport_in(in, cmds[i].opcode, 0, false, 0, 0);
                g_assert_cmpuint(sim_test_exec(manager, in, sizeof(in), own, cmds[i].outlen), ==, ST_OK);
                vport_in(in, cmds[i].opcode, 0, true, 0, 0);
                g_assert_cmpuint(sim_test_exec(manager, in, sizeof(in), out, cmds[i].outlen), ==, ST_OK);
                g_assert_cmpmem(out, cmds[i].outlen, own, cmds[i].outlen);
                vport_in(in, cmds[i].opcode, 0, true, 0, 1);
                expect_error(manager, seen, "manager, vport 1", in, sizeof(in), cmds[i].outlen, ST_BAD_PARAM);
                vport_in(in, cmds[i].opcode, 0, true, 0, 0xffff);
                g_assert_cmpuint(sim_test_exec(manager, in, sizeof(in), out, cmds[i].outlen), ==, ST_BAD_PARAM);

                /* Short output: the length check comes first. */
                vport_in(in, cmds[i].opcode, 0, true, 0, 1);
                if (cmds[i].outlen > 0x10)
                        expect_error(sim, seen, "short output", in, sizeof(in), cmds[i].outlen - 4, ST_BAD_OUTP_LEN);
                if (cmds[i].opcode == OP_QUERY_HCA_VPORT_CONTEXT) {
                        /* num_ports is 1: mlx5_core leaves port_num 0 (vport.c). */
                        vport_in(in, cmds[i].opcode, 0, false, 1, 0);
                        expect_error(sim, seen, "port_num 1", in, sizeof(in), cmds[i].outlen, ST_BAD_PARAM);
                }
                if (cmds[i].opcode == OP_QUERY_NIC_VPORT_CONTEXT) {
                        vport_in(in, cmds[i].opcode, 0, false, 0, 0);
                        sim_test_put_bits(in, 0x65, 3, 2);              /* VLAN: a list type */
                        g_assert_cmpuint(sim_test_exec(sim, in, sizeof(in), out, cmds[i].outlen), ==, ST_OK);
                        sim_test_put_bits(in, 0x65, 3, 3);              /* no such list type */
                        expect_error(sim, seen, "allowed_list_type 3", in, sizeof(in), cmds[i].outlen, ST_BAD_PARAM);
                }
                if (cmds[i].opcode == OP_QUERY_VPORT_STATE) {
                        /* ESW_VPORT and UPLINK: an eswitch manager's. */
                        vport_in(in, cmds[i].opcode, 1, false, 0, 0);
                        expect_error(sim, seen, "op_mod ESW_VPORT", in, sizeof(in), cmds[i].outlen, ST_BAD_PARAM);
                        vport_in(in, cmds[i].opcode, 2, false, 0, 0);
                        g_assert_cmpuint(sim_test_exec(sim, in, sizeof(in), out, cmds[i].outlen), ==, ST_BAD_PARAM);
                }
        }
}

/*
 * Input bits asking for more than the model serves, and other functions'
 * caps: QUERY_QP qpc_ext (qpc_extension reads 0), QUERY_MKEY pg_access,
 * QUERY_Q_COUNTER clear, aggregate and another vport's sets, QUERY_HCA_CAP
 * function_id without other_function: each refused with its own syndrome,
 * the plain query of the same object answered.
 */
static void test_unserved_inputs(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("", 0);
        g_autoptr(GArray) seen = g_array_new(FALSE, FALSE, sizeof(struct error_case));
        g_autofree uint8_t *general = NULL;
        uint8_t in[0x20], out[HCA_CAP_OUT_LEN];
        unsigned status;

        general = caps_page(sim, 0, true, &status);
        g_assert_cmpuint(status, ==, ST_OK);
        g_assert_cmpuint(cap_field(general, "general", "qpc_extension"), ==, 0);
        g_assert_cmpuint(cap_field(general, "general", "q_counter_aggregation"), ==, 0);

        sim_test_query_in(in, OP_QUERY_QP, 0, first_id(sim, "qp"));
        g_assert_cmpuint(sim_test_exec(sim, in, 16, out, QUERY_QP_OUT_LEN), ==, ST_OK);
        sim_test_put_bits(in, 0x40, 1, 1);
        expect_error(sim, seen, "QUERY_QP qpc_ext", in, 16, QUERY_QP_OUT_LEN, ST_BAD_PARAM);

        sim_test_query_in(in, OP_QUERY_MKEY, 0, first_id(sim, "mkey"));
        g_assert_cmpuint(sim_test_exec(sim, in, 16, out, 0x130), ==, ST_OK);
        sim_test_put_bits(in, 0x60, 1, 1);
        expect_error(sim, seen, "QUERY_MKEY pg_access", in, 16, 0x130, ST_BAD_PARAM);

        memset(in, 0, sizeof(in));
        sim_test_query_in(in, OP_QUERY_Q_COUNTER, 0, 0);
        sim_test_put_bits(in, 0xf8, 8, first_id(sim, "q_counter"));
        g_assert_cmpuint(sim_test_exec(sim, in, sizeof(in), out, 0x100), ==, ST_OK);
        sim_test_put_bits(in, 0xc0, 1, 1);
        expect_error(sim, seen, "QUERY_Q_COUNTER clear", in, sizeof(in), 0x100, ST_BAD_PARAM);
        sim_test_put_bits(in, 0xc0, 2, 1);
        expect_error(sim, seen, "QUERY_Q_COUNTER aggregate", in, sizeof(in), 0x100, ST_BAD_PARAM);
        sim_test_put_bits(in, 0xc0, 2, 0);
        sim_test_put_bits(in, 0x40, 1, 1);
        expect_error(sim, seen, "QUERY_Q_COUNTER other_vport", in, sizeof(in), 0x100, ST_BAD_PARAM);
        sim_test_put_bits(in, 0x40, 1, 0);
        sim_test_put_bits(in, 0x50, 16, 1);
        expect_error(sim, seen, "QUERY_Q_COUNTER vport_number", in, sizeof(in), 0x100, ST_BAD_PARAM);

        sim_test_query_in(in, OP_QUERY_HCA_CAP, 1, 0);
        g_assert_cmpuint(sim_test_exec(sim, in, 16, out, HCA_CAP_OUT_LEN), ==, ST_OK);
        sim_test_put_bits(in, 0x50, 16, 1);
        expect_error(sim, seen, "QUERY_HCA_CAP function_id 1", in, 16, HCA_CAP_OUT_LEN, ST_BAD_PARAM);
        sim_test_query_in(in, OP_QUERY_HCA_CAP, 1, 0);
        sim_test_put_bits(in, 0x43, 1, 1);
        g_assert_cmpuint(sim_test_exec(sim, in, 16, out, HCA_CAP_OUT_LEN), ==, ST_BAD_PARAM);
}

static void test_counts(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("", 0);
        g_autoptr(GString) text = g_string_new(NULL);
        uint32_t cqn = first_id(sim, "cq");
        uint8_t out[QUERY_QP_OUT_LEN], in[16];

        for (unsigned i = 0; i < 7; i++)
                sim_test_query(sim, OP_QUERY_CQ, cqn, out, sizeof(out));
        sim_test_query(sim, OP_QUERY_QP, 0x1, out, sizeof(out));       /* errors count too */
        sim_test_query_in(in, 0x9ab, 0, 0);
        sim_test_exec(sim, in, 16, out, 16);

        g_assert_cmpuint(mlx5_sim_count(sim, OP_QUERY_CQ), ==, 7);
        g_assert_cmpuint(mlx5_sim_count(sim, OP_QUERY_QP), ==, 1);
        g_assert_cmpuint(mlx5_sim_count(sim, OP_QUERY_EQ), ==, 0);
        mlx5_sim_format_counts(sim, text);
        g_assert_cmpstr(text->str, ==, "QUERY_CQ: 7\nQUERY_QP: 1\n0x9ab: 1\n");
}

static void test_fail_spec(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("fail=QUERY_CQ", 0);
        uint8_t out[QUERY_QP_OUT_LEN];

        g_assert_cmpuint(sim_test_query(sim, OP_QUERY_CQ, first_id(sim, "cq"), out, sizeof(out)), ==,
                         ST_BAD_SYS_STATE);
        g_assert_cmpuint(sim_test_query(sim, OP_QUERY_QP, first_id(sim, "qp"), out, sizeof(out)), ==, ST_OK);
        g_assert_cmpuint(mlx5_sim_count(sim, OP_QUERY_CQ), ==, 1);
}

/* unplug=INDEX@MS takes that function, and only it, away after MS milliseconds. */
static void test_unplug_spec(void)
{
        /*
         * The other two first: the time of the one that goes starts when it is built.  A
         * second, not 50 ms: a loaded machine under ASan took longer than 50 ms to get here.
         */
        g_autoptr(mlx5_sim) stays = sim_test_new("devices=2,unplug=1@1000", 0);
        g_autoptr(mlx5_sim) plain = sim_test_new("devices=2", 1);
        g_autoptr(mlx5_sim) gone = sim_test_new("devices=2,unplug=1@1000", 1);

        g_assert_false(mlx5_sim_unplugged(gone));
        g_usleep(1100 * 1000);
        g_assert_true(mlx5_sim_unplugged(gone));
        g_assert_false(mlx5_sim_unplugged(stays));
        g_assert_false(mlx5_sim_unplugged(plain));
        sim_test_expect_spec_error("devices=2,unplug=2@10", "there is no function 2 (devices=2)");
        sim_test_expect_spec_error("unplug=0", "unplug=0: not INDEX@MILLISECONDS");
        sim_test_expect_spec_error("unplug=x@10", "unplug index=x: not a number");
        sim_test_expect_spec_error("unplug=0@3600001", "must be between 0 and 3600000");
}

/* The kernel hands firmware one buffer for both directions. */
static void test_in_place(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("", 0);
        uint32_t qpn = first_id(sim, "qp");
        uint8_t buf[QUERY_QP_OUT_LEN] = { 0 }, ref[QUERY_QP_OUT_LEN];

        g_assert_cmpuint(sim_test_query(sim, OP_QUERY_QP, qpn, ref, sizeof(ref)), ==, ST_OK);
        sim_test_query_in(buf, OP_QUERY_QP, 0, qpn);
        g_assert_cmpuint(sim_test_exec(sim, buf, 16, buf, sizeof(buf)), ==, ST_OK);
        g_assert_cmpmem(buf, sizeof(buf), ref, sizeof(ref));
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/sim/commands/short-buffers", test_short_buffers);
        g_test_add_func("/sim/commands/error-statuses", test_error_statuses);
        g_test_add_func("/sim/commands/query-qp-round-trip", test_query_qp_round_trip);
        g_test_add_func("/sim/commands/caps", test_caps);
        g_test_add_func("/sim/commands/caps-published", test_caps_published);
        g_test_add_func("/sim/commands/caps-pages", test_caps_pages);
        g_test_add_func("/sim/commands/caps-coherent", test_caps_coherent);
        g_test_add_func("/sim/commands/population-fits-caps", test_population_fits_caps);
        g_test_add_func("/sim/commands/query-issi", test_query_issi);
        g_test_add_func("/sim/commands/registers", test_registers);
        g_test_add_func("/sim/commands/query-adapter", test_query_adapter);
        g_test_add_func("/sim/commands/uctx-umem", test_uctx_umem);
        g_test_add_func("/sim/commands/uctx-rule", test_uctx_rule);
        g_test_add_func("/sim/commands/uctx-limit", test_uctx_limit);
        g_test_add_func("/sim/commands/uctx-process-uids", test_uctx_process_uids);
        g_test_add_func("/sim/commands/vport-counter", test_vport_counter);
        g_test_add_func("/sim/commands/vport-queries", test_vport_queries);
        g_test_add_func("/sim/commands/unserved-inputs", test_unserved_inputs);
        g_test_add_func("/sim/commands/counts", test_counts);
        g_test_add_func("/sim/commands/fail-spec", test_fail_spec);
        g_test_add_func("/sim/commands/unplug-spec", test_unplug_spec);
        g_test_add_func("/sim/commands/in-place", test_in_place);
        return g_test_run();
}
