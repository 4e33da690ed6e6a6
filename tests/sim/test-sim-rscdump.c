/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The RESOURCE_DUMP register: the menu equals the real ConnectX-6 Dx's
 * (tests/sim/cx6dx-menu.txt, transcribed from real-device.md §1) record by
 * record and byte count; PRM_QUERY_* records equal the query output; queue
 * buffers one entry or all of them; device-wide segments; every refusal
 * with its status and its own syndrome; user contexts; session checks
 * (seq_num, device_opaque, the session bound) and the kernel's in-place
 * way, over a stream of many chunks.
 */
#include <errno.h>
#include <string.h>

#include "sim-test-util.h"
#include "sim/sim-driver.h"

#define OP_QUERY_QP             0x50b
#define OP_QUERY_CQ             0x402
#define OP_QUERY_MKEY           0x201
#define SEG_MENU                0xffff
#define REG_MBOX_LEN            SIM_TEST_REG_MBOX_LEN

#define ST_OK                   0x0
#define ST_BAD_PARAM            0x3
#define ST_BAD_RES              0x5
#define ST_IX                   0xa

#define ALL                     0xffff
#define ACTIVE                  0xfffe

/* Context fields, at output-mailbox bit offsets (mlx5-prm.md §4: qpc at 0xc0, cqc/eqc at 0x80). */
#define QP_NO_SQ_BIT            (0xc0 + 0x50)
#define QP_LOG_SQ_SIZE_BIT      (0xc0 + 0x51)
#define QP_LOG_RRA_MAX_BIT      (0xc0 + 0x488)
#define QP_LOG_RQ_SIZE_BIT      (0xc0 + 0x49)
#define QP_LOG_RQ_STRIDE_BIT    (0xc0 + 0x4d)
#define QP_RQ_TYPE_BIT          (0xc0 + 0x565)
#define CQ_CQE_SZ_BIT           (0x80 + 0x8)
#define CQ_LOG_SIZE_BIT         (0x80 + 0x63)
#define EQ_LOG_SIZE_BIT         (0x80 + 0x63)

/* ---- the menu ---- */

struct fixture_record {
        unsigned type;
        char name[17], index1[17], index2[17];
        unsigned flags[12];     /* support_index1, must_have_index1, support_index2, ... in the table's order */
};

/* The fixture's rows: "| # | type | name | index1 | index2 | s/m | s/m | s/m/a/a | s/m/a/a |". */
static GArray *load_fixture(void)
{
        g_autofree char *text = NULL;
        g_auto(GStrv) lines = NULL;
        g_autoptr(GError) error = NULL;
        GArray *records = g_array_new(FALSE, TRUE, sizeof(struct fixture_record));

        g_assert_true(g_file_get_contents(SIM_TEST_FIXTURE_DIR "/cx6dx-menu.txt", &text, NULL, &error));
        g_assert_no_error(error);
        lines = g_strsplit(text, "\n", -1);
        for (char **l = lines; *l; l++) {
                g_auto(GStrv) cols = NULL;
                struct fixture_record r = { 0 };
                unsigned k = 0;

                if (**l != '|')
                        continue;
                cols = g_strsplit(*l, "|", -1);
                g_assert_cmpuint(g_strv_length(cols), ==, 11);
                for (char **c = cols; *c; c++)
                        g_strstrip(*c);
                g_assert_cmpuint(strtoul(cols[1], NULL, 10), ==, records->len);
                r.type = strtoul(cols[2], NULL, 16);
                g_strlcpy(r.name, cols[3], sizeof(r.name));
                g_strlcpy(r.index1, cols[4], sizeof(r.index1));
                g_strlcpy(r.index2, cols[5], sizeof(r.index2));
                for (unsigned c = 6; c <= 9; c++) {
                        g_auto(GStrv) bits = g_strsplit(cols[c], "/", -1);

                        g_assert_cmpuint(g_strv_length(bits), ==, c <= 7 ? 2 : 4);
                        for (char **b = bits; *b; b++)
                                r.flags[k++] = strtoul(*b, NULL, 10);
                }
                g_array_append_val(records, r);
        }
        return records;
}

/* The record's flag bits in the fixture's column order (mlx5_ifc resource_dump_menu_record). */
static const unsigned flag_bits[12] = {
        0xf, 0xe,               /* support_index1, must_have_index1 */
        0xd, 0xc,               /* support_index2, must_have_index2 */
        0xb, 0xa, 0x9, 0x8,     /* num_of_obj1: support, must_have, supports_all, supports_active */
        0x7, 0x6, 0x5, 0x4,     /* num_of_obj2: the same */
};

static void expect_name(const uint8_t *field, const char *name)
{
        char got[17] = { 0 };

        memcpy(got, field, 16);
        g_assert_cmpstr(got, ==, name);
        /* NUL-padded after the name */
        for (size_t i = strlen(name); i < 16; i++)
                g_assert_cmpuint(field[i], ==, 0);
}

static void test_menu(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("", 0);
        const sim_test_dump_request req = { .segment_type = SEG_MENU };
        g_autoptr(GByteArray) stream = sim_test_dump(sim, &req, NULL);
        g_autoptr(GArray) segs = sim_test_split(stream);
        g_autoptr(GArray) fixture = load_fixture();
        const sim_test_segment *cmd = &g_array_index(segs, sim_test_segment, 1);
        const sim_test_segment *menu = &g_array_index(segs, sim_test_segment, 2);
        unsigned n;

        g_assert_cmpuint(fixture->len, ==, 45);
        /* "Resource dump menu size 2388 num of records 45" */
        g_assert_cmpuint(stream->len, ==, 2388);
        g_assert_cmpuint(segs->len, ==, 4);
        g_assert_cmpuint(sim_test_be16(cmd->data + 4), ==, SEG_MENU);    /* segment_called */
        g_assert_cmpuint(menu->type, ==, SEG_MENU);
        n = sim_test_be16(menu->data + 6);
        g_assert_cmpuint(n, ==, fixture->len);
        g_assert_cmpuint(menu->len, ==, 8 + n * 52);
        for (unsigned i = 0; i < n; i++) {
                const uint8_t *rec = menu->data + 8 + i * 52;
                const struct fixture_record *f = &g_array_index(fixture, struct fixture_record, i);

                g_test_message("record %u: %s", i, f->name);
                g_assert_cmpuint(sim_test_be16(rec + 2), ==, f->type);
                expect_name(rec + 4, f->name);
                expect_name(rec + 0x14, f->index1);
                expect_name(rec + 0x24, f->index2);
                for (unsigned k = 0; k < 12; k++)
                        g_assert_cmpuint(sim_test_get_bits(rec, flag_bits[k], 1), ==, f->flags[k]);
                g_assert_cmpuint(sim_test_get_bits(rec, 0, 4), ==, 0);  /* reserved */
        }
        /* No list segment, no "all" for num_of_obj1 anywhere. */
        g_assert_cmpint(sim_test_menu_lookup(sim, "QP_LIST"), ==, -1);
        g_assert_cmpint(sim_test_menu_lookup(sim, "PRM_QUERY_QP"), ==, 0x4000);
        for (unsigned i = 0; i < n; i++)
                g_assert_cmpuint(sim_test_get_bits(menu->data + 8 + i * 52, 0x9, 1), ==, 0);
}

/* ---- answers ---- */

static uint32_t id_at(mlx5_sim *sim, const char *type, size_t k)
{
        size_t n;
        const uint32_t *ids = mlx5_sim_object_ids(sim, type, &n);

        g_assert_cmpuint(k, <, n);
        return ids[k];
}

/* A number no object of the type has, between two that exist. */
static uint32_t hole(mlx5_sim *sim, const char *type)
{
        size_t n;
        const uint32_t *ids = mlx5_sim_object_ids(sim, type, &n);

        for (size_t k = 1; k < n; k++)
                if (ids[k] > ids[k - 1] + 1)
                        return ids[k - 1] + 1;
        g_error("no hole among %s numbers", type);
}

static void test_prm_query_records(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("qp=50", 0);
        static const struct {
                const char *segment, *type;
                unsigned opcode;
                size_t outlen;
        } cases[] = {
                { "PRM_QUERY_QP", "qp", OP_QUERY_QP, 0x110 },
                { "PRM_QUERY_CQ", "cq", OP_QUERY_CQ, 0x110 },
                { "PRM_QUERY_MKEY", "mkey", OP_QUERY_MKEY, 0x130 },
        };

        for (size_t c = 0; c < G_N_ELEMENTS(cases); c++)
                for (size_t k = 0; k < 5; k++) {
                        uint32_t id = id_at(sim, cases[c].type, k * 3);
                        sim_test_dump_request req = {
                                .segment_type = sim_test_menu_lookup(sim, cases[c].segment), .index1 = id,
                                .num_of_obj1 = k % 2,
                        };
                        g_autoptr(GByteArray) stream = sim_test_dump(sim, &req, NULL);
                        g_autoptr(GArray) segs = sim_test_split(stream);
                        const sim_test_segment *s = &g_array_index(segs, sim_test_segment, 2);
                        g_autofree uint8_t *out = g_malloc0(cases[c].outlen);

                        /* Exactly one record: that object's query output. */
                        g_assert_cmpuint(segs->len, ==, 4);
                        g_assert_cmpuint(s->type, ==, req.segment_type);
                        g_assert_cmpuint(sim_test_be32(s->data + 8), ==, id);
                        g_assert_cmpuint(s->len, ==, 16 + cases[c].outlen);
                        g_assert_cmpuint(sim_test_query(sim, cases[c].opcode, id, out, cases[c].outlen), ==, ST_OK);
                        g_assert_cmpmem(s->data + 16, cases[c].outlen, out, cases[c].outlen);
                }
}

/* The records of a dump, after info and command, before terminate. */
static GArray *records(mlx5_sim *sim, const sim_test_dump_request *req, GByteArray **ret_stream)
{
        GByteArray *stream = sim_test_dump(sim, req, NULL);
        g_autoptr(GArray) segs = sim_test_split(stream);
        GArray *recs = g_array_new(FALSE, FALSE, sizeof(sim_test_segment));

        for (guint k = 2; k + 1 < segs->len; k++)
                g_array_append_val(recs, g_array_index(segs, sim_test_segment, k));
        *ret_stream = stream;
        return recs;
}

/* A whole queue buffer, then each entry alone: the same bytes, index2 = the entry. */
static void check_buffer(mlx5_sim *sim, const char *segment, uint32_t id, uint64_t entries, size_t entry_len)
{
        sim_test_dump_request req = {
                .segment_type = sim_test_menu_lookup(sim, segment), .index1 = id, .num_of_obj2 = ALL,
        };
        g_autoptr(GByteArray) stream = NULL;
        g_autoptr(GArray) all = records(sim, &req, &stream);
        uint32_t syndrome;

        g_test_message("%s of 0x%x: %" G_GUINT64_FORMAT " entries of %zu bytes", segment, id, entries, entry_len);
        g_assert_cmpuint(all->len, ==, entries);
        for (guint k = 0; k < all->len; k++) {
                const sim_test_segment *s = &g_array_index(all, sim_test_segment, k);

                g_assert_cmpuint(s->len, ==, 16 + entry_len);
                g_assert_cmpuint(sim_test_be32(s->data + 8), ==, id);
                g_assert_cmpuint(sim_test_be32(s->data + 12), ==, k);
        }
        for (guint k = 0; k < all->len; k += MAX(all->len / 7, 1)) {
                g_autoptr(GByteArray) one_stream = NULL;
                g_autoptr(GArray) one = NULL;

                req.index2 = k;
                req.num_of_obj2 = k % 2;
                one = records(sim, &req, &one_stream);
                g_assert_cmpuint(one->len, ==, 1);
                g_assert_cmpmem(g_array_index(one, sim_test_segment, 0).data,
                                g_array_index(one, sim_test_segment, 0).len,
                                g_array_index(all, sim_test_segment, k).data,
                                g_array_index(all, sim_test_segment, k).len);
        }
        /* Past the end of the queue. */
        req.index2 = entries;
        req.num_of_obj2 = 1;
        g_assert_cmpuint(sim_test_dump_status(sim, &req, &syndrome), ==, ST_IX);
        req.index2 = entries - 1;
        req.num_of_obj2 = 2;
        g_assert_cmpuint(sim_test_dump_status(sim, &req, &syndrome), ==, ST_IX);
}

/* RDB_CONTEXT: one entry per request, RDB_IX below 2^log_rra_max. */
static void check_rdb(mlx5_sim *sim, uint32_t qpn, uint32_t entries)
{
        sim_test_dump_request req = { .segment_type = 0x5, .index1 = qpn };

        for (uint32_t k = 0; k < entries; k++) {
                g_autoptr(GByteArray) stream = NULL;
                g_autoptr(GArray) recs = NULL;

                req.index2 = k;
                recs = records(sim, &req, &stream);
                g_assert_cmpuint(recs->len, ==, 1);
                g_assert_cmpuint(sim_test_be32(g_array_index(recs, sim_test_segment, 0).data + 8), ==, qpn);
                g_assert_cmpuint(sim_test_be32(g_array_index(recs, sim_test_segment, 0).data + 12), ==, k);
        }
        req.index2 = entries;
        g_assert_cmpuint(sim_test_dump_status(sim, &req, NULL), ==, ST_IX);
        req.index2 = 0;
        req.num_of_obj2 = ALL;
        g_assert_cmpuint(sim_test_dump_status(sim, &req, NULL), ==, ST_BAD_PARAM);
}

static void test_buffers(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("cq=8,eq=4,qp=8,srq=4", 0);
        unsigned sq = 0, rq = 0, no_rq = 0;
        uint8_t out[0x110];

        for (size_t k = 0; k < 3; k++) {
                uint32_t cqn = id_at(sim, "cq", k), eqn = id_at(sim, "eq", k), srqn = id_at(sim, "srq", k);

                g_assert_cmpuint(sim_test_query(sim, OP_QUERY_CQ, cqn, out, sizeof(out)), ==, ST_OK);
                check_buffer(sim, "CQ_BUFF", cqn, 1ull << sim_test_get_bits(out, CQ_LOG_SIZE_BIT, 5),
                             sim_test_get_bits(out, CQ_CQE_SZ_BIT, 3) == 1 ? 128 : 64);
                g_assert_cmpuint(sim_test_query(sim, 0x303, eqn, out, sizeof(out)), ==, ST_OK);
                check_buffer(sim, "EQ_BUFF", eqn, 1ull << sim_test_get_bits(out, EQ_LOG_SIZE_BIT, 5), 64);
                /* srqc at 0x80: log_srq_size 0x4 (4 bits), log_rq_stride 0x25 (3 bits) */
                g_assert_cmpuint(sim_test_query(sim, 0x702, srqn, out, sizeof(out)), ==, ST_OK);
                check_buffer(sim, "SRQ_BUFF", srqn,
                             1ull << (sim_test_get_bits(out, 0x80 + 0x4, 4) + sim_test_get_bits(out, 0x80 + 0x25, 3)),
                             16);
        }
        for (size_t k = 0; k < 8; k++) {
                uint32_t qpn = id_at(sim, "qp", k);
                sim_test_dump_request req = { .segment_type = 0x1002, .index1 = qpn };

                g_assert_cmpuint(sim_test_query(sim, OP_QUERY_QP, qpn, out, sizeof(out)), ==, ST_OK);
                if (!sim_test_get_bits(out, QP_NO_SQ_BIT, 1)) {
                        check_buffer(sim, "SND_BUFF", qpn, 1ull << sim_test_get_bits(out, QP_LOG_SQ_SIZE_BIT, 4), 64);
                        sq++;
                }
                if (sim_test_get_bits(out, QP_RQ_TYPE_BIT, 3) == 0) {
                        check_buffer(sim, "RCV_BUFF", qpn, 1ull << (sim_test_get_bits(out, QP_LOG_RQ_SIZE_BIT, 4) +
                                                                    sim_test_get_bits(out, QP_LOG_RQ_STRIDE_BIT, 3)),
                                     16);
                        rq++;
                } else {
                        /* An SRQ-attached or zero-length RQ has no buffer of its own: no entry exists. */
                        g_assert_cmpuint(sim_test_dump_status(sim, &req, NULL), ==, ST_IX);
                        no_rq++;
                }
                check_rdb(sim, qpn, 1u << sim_test_get_bits(out, QP_LOG_RRA_MAX_BIT, 3));
        }
        g_assert_cmpuint(sq, >, 0);
        g_assert_cmpuint(rq, >, 0);
        g_assert_cmpuint(no_rq, >, 0);
}

/* One record of the given payload size (0: any, but not empty); the same bytes on a second dump. */
static void check_single(mlx5_sim *sim, const char *segment, size_t payload)
{
        const sim_test_dump_request req = { .segment_type = sim_test_menu_lookup(sim, segment) };
        g_autoptr(GByteArray) a_stream = NULL, b_stream = NULL;
        g_autoptr(GArray) a = records(sim, &req, &a_stream);

        /* The same request again: the same stream. */
        g_array_unref(records(sim, &req, &b_stream));

        g_test_message("%s", segment);
        g_assert_cmpuint(a->len, ==, 1);
        if (payload)
                g_assert_cmpuint(g_array_index(a, sim_test_segment, 0).len, ==, 16 + payload);
        g_assert_cmpuint(g_array_index(a, sim_test_segment, 0).len, >, 16);
        g_assert_cmpmem(a_stream->data, a_stream->len, b_stream->data, b_stream->len);
}

static void test_device_wide(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("", 0);
        static const char *const opaque[] = {
                "FUNC_SYND_REC", "SHARED_BUFFER", "PAGE_HISTOGRAM", "VQOS_TREE", "VQOS_DISTLIST", "VLQ_GVMI_VLQ_SQ",
        };

        /* query_vnic_env_out: 0x210 bytes. */
        check_single(sim, "QUERY_VNIC_ENV", 0x210);
        for (size_t i = 0; i < G_N_ELEMENTS(opaque); i++)
                check_single(sim, opaque[i], 0);
}

static void test_tables(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("", 0);
        static const char *const empty[] = { "STE_ALL", "MDFY_HDR_ALL", "QUERY_FT_ALL" };
        sim_test_dump_request req = { .segment_type = sim_test_menu_lookup(sim, "SX_SLICE_ALL") };
        g_autoptr(GByteArray) all_stream = NULL;
        g_autoptr(GArray) all = records(sim, &req, &all_stream);

        /* SX_SLICE_ALL is every SX_SLICE, in order. */
        g_assert_cmpuint(all->len, >, 0);
        for (guint k = 0; k < all->len; k++) {
                sim_test_dump_request one = { .segment_type = sim_test_menu_lookup(sim, "SX_SLICE"), .index1 = k };
                g_autoptr(GByteArray) stream = NULL;
                g_autoptr(GArray) recs = records(sim, &one, &stream);
                const sim_test_segment *a = &g_array_index(all, sim_test_segment, k);
                const sim_test_segment *b = &g_array_index(recs, sim_test_segment, 0);

                g_assert_cmpuint(recs->len, ==, 1);
                g_assert_cmpuint(sim_test_be32(a->data + 8), ==, k);
                /* Same slice, different segment type: same payload. */
                g_assert_cmpmem(a->data + 8, a->len - 8, b->data + 8, b->len - 8);
                g_assert_cmpuint(a->type, ==, 0x3001);
                g_assert_cmpuint(b->type, ==, 0x3000);
        }
        /* No steering object exists in the simulation: the device-wide dumps hold none. */
        for (size_t i = 0; i < G_N_ELEMENTS(empty); i++) {
                g_autoptr(GByteArray) stream = NULL;
                g_autoptr(GArray) recs = NULL;

                req.segment_type = sim_test_menu_lookup(sim, empty[i]);
                recs = records(sim, &req, &stream);
                g_assert_cmpuint(recs->len, ==, 0);
        }
        /* SCHEDQ_INFO "active": every queue from the index on. */
        req = (sim_test_dump_request) { .segment_type = 0x1040, .index1 = 2, .num_of_obj1 = ACTIVE };
        {
                g_autoptr(GByteArray) stream = NULL;
                g_autoptr(GArray) recs = records(sim, &req, &stream);

                g_assert_cmpuint(recs->len, >, 0);
                g_assert_cmpuint(sim_test_be32(g_array_index(recs, sim_test_segment, 0).data + 8), ==, 2);
        }
        /* ICMC_INFO: three sets from 1. */
        req = (sim_test_dump_request) { .segment_type = 0x2020, .index1 = 1, .num_of_obj1 = 3 };
        {
                g_autoptr(GByteArray) stream = NULL;
                g_autoptr(GArray) recs = records(sim, &req, &stream);

                g_assert_cmpuint(recs->len, ==, 3);
                g_assert_cmpuint(sim_test_be32(g_array_index(recs, sim_test_segment, 2).data + 8), ==, 3);
        }
}

/* ---- refusals ---- */

struct refusal {
        const char *what;
        sim_test_dump_request req;
        unsigned status;
};

static void test_refusals(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("", 0);
        uint32_t qpn = id_at(sim, "qp", 0), cqn = id_at(sim, "cq", 0);
        size_t n_qp;
        const uint32_t *qps = mlx5_sim_object_ids(sim, "qp", &n_qp);
        const struct refusal cases[] = {
                { "unknown segment type", { .segment_type = 0x0fff }, ST_BAD_PARAM },
                { "a list segment real firmware lacks", { .segment_type = 0x4001 }, ST_BAD_PARAM },
                { "menu with num_of_obj1 all", { .segment_type = SEG_MENU, .num_of_obj1 = ALL }, ST_BAD_PARAM },
                { "PRM_QUERY_QP without QPN", { .segment_type = 0x4000 }, ST_BAD_PARAM },
                { "PRM_QUERY_QP of no QP", { .segment_type = 0x4000, .index1 = hole(sim, "qp") }, ST_BAD_RES },
                { "PRM_QUERY_QP past the last QP", { .segment_type = 0x4000, .index1 = qps[n_qp - 1] + 1 }, ST_BAD_RES },
                { "PRM_QUERY_CQ of no CQ", { .segment_type = 0x4020, .index1 = hole(sim, "cq") }, ST_BAD_RES },
                { "PRM_QUERY_QP all", { .segment_type = 0x4000, .index1 = qpn, .num_of_obj1 = ALL }, ST_BAD_PARAM },
                { "PRM_QUERY_QP active", { .segment_type = 0x4000, .index1 = qpn, .num_of_obj1 = ACTIVE }, ST_BAD_PARAM },
                { "PRM_QUERY_QP two objects", { .segment_type = 0x4000, .index1 = qpn, .num_of_obj1 = 2 }, ST_BAD_PARAM },
                { "PRM_QUERY_QP reserved count", { .segment_type = 0x4000, .index1 = qpn, .num_of_obj1 = 0xfff5 },
                  ST_BAD_PARAM },
                { "PRM_QUERY_QP with index2", { .segment_type = 0x4000, .index1 = qpn, .index2 = 1 }, ST_BAD_PARAM },
                { "PRM_QUERY_QP num_of_obj2 all", { .segment_type = 0x4000, .index1 = qpn, .num_of_obj2 = ALL },
                  ST_BAD_PARAM },
                { "PRM_QUERY_QP num_of_obj2 2", { .segment_type = 0x4000, .index1 = qpn, .num_of_obj2 = 2 },
                  ST_BAD_PARAM },
                { "CQ_BUFF num_of_obj2 active", { .segment_type = 0x1201, .index1 = cqn, .num_of_obj2 = ACTIVE },
                  ST_BAD_PARAM },
                { "CQ_BUFF num_of_obj2 reserved", { .segment_type = 0x1201, .index1 = cqn, .num_of_obj2 = 0xfff1 },
                  ST_BAD_PARAM },
                { "CQ_BUFF past the queue", { .segment_type = 0x1201, .index1 = cqn, .index2 = 1u << 30 }, ST_IX },
                { "SX_SLICE_ALL with an index", { .segment_type = 0x3001, .index1 = 1 }, ST_BAD_PARAM },
                { "SX_SLICE of no slice", { .segment_type = 0x3000, .index1 = 1000 }, ST_BAD_RES },
                { "ICMC_INFO without num_of_obj1", { .segment_type = 0x2020 }, ST_BAD_PARAM },
                { "STE_RANGE of no STE", { .segment_type = 0x1310, .index1 = 5 }, ST_BAD_RES },
                { "QUERY_FT of no table", { .segment_type = 0x4010, .index1 = 1 }, ST_BAD_RES },
                { "VQOS_TREE with SKIP_LOCK 2", { .segment_type = 0x104b, .index1 = 2 }, ST_BAD_PARAM },
                { "another function's vhca_id",
                  { .segment_type = 0x4000, .index1 = qpn, .vhca_id_valid = true, .vhca_id = 5 }, ST_BAD_PARAM },
        };
        g_autoptr(GHashTable) syndromes = g_hash_table_new(NULL, NULL);

        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                uint32_t syndrome = 0;

                g_test_message("%s", cases[i].what);
                g_assert_cmpuint(sim_test_dump_status(sim, &cases[i].req, &syndrome), ==, cases[i].status);
                g_hash_table_add(syndromes, GUINT_TO_POINTER(syndrome));
        }
        /* Each check has its syndrome: the ones that fail the same check share it. */
        g_assert_cmpuint(g_hash_table_size(syndromes), >=, 18);
        /* The own vhca_id, said valid, is fine. */
        {
                const sim_test_dump_request own = {
                        .segment_type = 0x4000, .index1 = qpn, .vhca_id_valid = true, .vhca_id = 0,
                };

                g_assert_cmpuint(sim_test_dump_status(sim, &own, NULL), ==, ST_OK);
        }
}

/*
 * Random requests, valid and not: each is refused with a status and a
 * syndrome, or answers a whole stream whose records are of the segment
 * asked for and, for a per-object segment, of that very object.
 */
static void test_random_requests(void)
{
        /* The per-object segments, with the type their index1 names. */
        static const struct {
                unsigned type;
                const char *objects;
        } segments[] = {
                { 0x2, "qp" }, { 0x3, "qp" }, { 0x4, "qp" }, { 0x1000, "qp" }, { 0x1001, "qp" }, { 0x1002, "qp" },
                { 0x5, "qp" }, { 0x4000, "qp" }, { 0x1100, "srq" }, { 0x1101, "srq" }, { 0x1200, "cq" },
                { 0x1201, "cq" }, { 0x4020, "cq" }, { 0x1300, "eq" }, { 0x1301, "eq" }, { 0x21, "mkey" },
                { 0x4030, "mkey" },
                /* Not per object: any index1 they answer for is their own entry. */
                { 0x3000, NULL }, { 0x3001, NULL }, { 0x1310, NULL }, { 0x2020, NULL }, { 0x4008, NULL },
                { 0x4012, NULL }, { 0x1040, NULL }, { 0x104b, NULL }, { 0x1053, NULL }, { 0x4001, NULL },
        };
        static const unsigned numbers[] = { 0, 0, 0, 1, 1, 1, 2, 3, 0xfff0, 0xfff1, 0xfffe, 0xffff };
        g_autoptr(mlx5_sim) sim = sim_test_new("qp=40,cq=20,eq=6,srq=6,mkey=20", 0);
        GRand *rng = g_rand_new_with_seed(11);
        unsigned answered = 0, refused = 0;

        for (unsigned i = 0; i < 3000; i++) {
                size_t pick = g_rand_int_range(rng, 0, G_N_ELEMENTS(segments)), n = 0;
                const uint32_t *ids = segments[pick].objects ? mlx5_sim_object_ids(sim, segments[pick].objects, &n)
                                                             : NULL;
                sim_test_dump_request req = {
                        .segment_type = segments[pick].type,
                        .index2 = g_rand_boolean(rng) ? 0 : g_rand_int_range(rng, 0, 70),
                        .num_of_obj1 = numbers[g_rand_int_range(rng, 0, G_N_ELEMENTS(numbers))],
                        .num_of_obj2 = numbers[g_rand_int_range(rng, 0, G_N_ELEMENTS(numbers))],
                };
                uint32_t syndrome = 0;
                g_autoptr(GByteArray) stream = NULL;
                g_autoptr(GArray) recs = NULL;

                /* An object's number, a neighbour of one, or anything. */
                switch (g_rand_int_range(rng, 0, 4)) {
                case 0:
                case 1:
                        req.index1 = n ? ids[g_rand_int_range(rng, 0, n)] : (uint32_t) g_rand_int_range(rng, 0, 4);
                        break;
                case 2:
                        req.index1 = n ? ids[g_rand_int_range(rng, 0, n)] + 1 : (uint32_t) g_rand_int_range(rng, 0, 16);
                        break;
                default:
                        req.index1 = g_rand_int(rng);
                }
                if (sim_test_dump_status(sim, &req, &syndrome) != ST_OK) {
                        g_assert_cmpuint(syndrome, !=, 0);
                        refused++;
                        continue;
                }
                answered++;
                recs = records(sim, &req, &stream);
                for (guint k = 0; k < recs->len; k++) {
                        const sim_test_segment *r = &g_array_index(recs, sim_test_segment, k);

                        g_assert_cmpuint(r->type, ==, req.segment_type);
                        /* Never another object: the one index1 names, which exists. */
                        if (segments[pick].objects) {
                                bool known = false;

                                g_assert_cmpuint(sim_test_be32(r->data + 8), ==, req.index1);
                                for (size_t j = 0; j < n; j++)
                                        known |= ids[j] == req.index1;
                                g_assert_true(known);
                        }
                }
        }
        g_test_message("%u answered, %u refused", answered, refused);
        g_assert_cmpuint(answered, >, 150);
        g_assert_cmpuint(refused, >, 300);
        g_rand_free(rng);
}

/* ---- user contexts ---- */

static unsigned create_uctx(mlx5_sim *sim, uint32_t cap)
{
        unsigned uid;

        g_assert_cmpuint(sim_test_create_uctx(sim, cap, &uid), ==, ST_OK);
        return uid;
}

static void test_user_contexts(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("", 0);
        unsigned tools = create_uctx(sim, 0x4), plain = create_uctx(sim, 0x0);
        uint32_t qpn = id_at(sim, "qp", 0);
        sim_test_dump_request req = { .segment_type = SEG_MENU, .uid = plain };
        uint8_t in[REG_MBOX_LEN], out[REG_MBOX_LEN];

        /* Everyone reads the menu. */
        g_assert_cmpuint(sim_test_dump_status(sim, &req, NULL), ==, ST_OK);
        /* Kernel objects and device state: TOOLS_RESOURCES (or the kernel) only. */
        req = (sim_test_dump_request) { .segment_type = 0x4000, .index1 = qpn, .uid = plain };
        g_assert_cmpuint(sim_test_dump_status(sim, &req, NULL), ==, ST_BAD_PARAM);
        req.uid = tools;
        g_assert_cmpuint(sim_test_dump_status(sim, &req, NULL), ==, ST_OK);
        req = (sim_test_dump_request) { .segment_type = 0x4008, .uid = plain };
        g_assert_cmpuint(sim_test_dump_status(sim, &req, NULL), ==, ST_BAD_PARAM);
        req.uid = tools;
        g_assert_cmpuint(sim_test_dump_status(sim, &req, NULL), ==, ST_OK);
        /* The plain query too. */
        sim_test_query_in(in, OP_QUERY_QP, 0, qpn);
        in[2] = plain >> 8;
        in[3] = plain;
        g_assert_cmpuint(sim_test_exec(sim, in, 16, out, 0x110), ==, ST_BAD_PARAM);
        in[2] = tools >> 8;
        in[3] = tools;
        g_assert_cmpuint(sim_test_exec(sim, in, 16, out, 0x110), ==, ST_OK);

        /* A session is its opener's: another uid cannot continue it. */
        req = (sim_test_dump_request) { .segment_type = SEG_MENU, .uid = tools };
        sim_test_dump_in(in, 1, &req);
        g_assert_cmpuint(sim_test_exec(sim, in, REG_MBOX_LEN, out, REG_MBOX_LEN), ==, ST_OK);
        g_assert_cmpuint(out[16] & 0x80, ==, 0x80);
        in[16] |= 0x80;
        in[17] = out[17];
        memcpy(in + 16 + 0x18, out + 16 + 0x18, 8);
        in[2] = plain >> 8;
        in[3] = plain;
        g_assert_cmpuint(sim_test_exec(sim, in, REG_MBOX_LEN, out, REG_MBOX_LEN), ==, ST_BAD_PARAM);
        in[2] = tools >> 8;
        in[3] = tools;
        g_assert_cmpuint(sim_test_exec(sim, in, REG_MBOX_LEN, out, REG_MBOX_LEN), ==, ST_OK);
}

/* ---- sessions ---- */

/* A CQ whose whole buffer is a long stream. */
static uint32_t big_cq(mlx5_sim *sim, unsigned min_log)
{
        size_t n;
        const uint32_t *ids = mlx5_sim_object_ids(sim, "cq", &n);
        uint8_t out[0x110];

        for (size_t k = 0; k < n; k++) {
                g_assert_cmpuint(sim_test_query(sim, OP_QUERY_CQ, ids[k], out, sizeof(out)), ==, ST_OK);
                if (sim_test_get_bits(out, CQ_LOG_SIZE_BIT, 5) >= min_log &&
                    sim_test_get_bits(out, CQ_LOG_SIZE_BIT, 5) <= 12)
                        return ids[k];
        }
        g_error("no CQ of at least 2^%u entries", min_log);
}

/* The first call of a long dump; in is left ready for the second. */
static void first_call(mlx5_sim *sim, uint32_t cqn, uint8_t in[REG_MBOX_LEN], uint8_t out[REG_MBOX_LEN])
{
        const sim_test_dump_request req = { .segment_type = 0x1201, .index1 = cqn, .num_of_obj2 = ALL };

        sim_test_dump_in(in, 1, &req);
        g_assert_cmpuint(sim_test_exec(sim, in, REG_MBOX_LEN, out, REG_MBOX_LEN), ==, 0);
        g_assert_cmpuint(out[16] & 0x80, ==, 0x80);
        /* continue with what firmware returned */
        in[16] |= 0x80;
        in[16 + 1] = out[16 + 1];
        memcpy(in + 16 + 0x18, out + 16 + 0x18, 8);
}

static void test_sessions(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("", 0);
        uint32_t cqn = big_cq(sim, 8);
        uint8_t in[REG_MBOX_LEN], out[REG_MBOX_LEN], oldest[REG_MBOX_LEN];
        uint32_t syndromes[3];

        /* A wrong seq_num is refused, and the session still continues afterwards. */
        first_call(sim, cqn, in, out);
        in[16 + 1] = (in[16 + 1] + 5) & 0xf;
        g_assert_cmpuint(sim_test_exec(sim, in, REG_MBOX_LEN, out, REG_MBOX_LEN), ==, 0x3);
        syndromes[0] = sim_test_be32(out + 4);
        in[16 + 1] = (in[16 + 1] - 5) & 0xf;
        g_assert_cmpuint(sim_test_exec(sim, in, REG_MBOX_LEN, out, REG_MBOX_LEN), ==, 0);
        g_assert_cmpuint(sim_test_be32(out + 16 + 0x24), ==, 208);

        /* Replaying the same call is a wrong seq_num too. */
        g_assert_cmpuint(sim_test_exec(sim, in, REG_MBOX_LEN, out, REG_MBOX_LEN), ==, 0x3);

        /* A device_opaque no session has. */
        memset(in + 16 + 0x18, 0x77, 8);
        g_assert_cmpuint(sim_test_exec(sim, in, REG_MBOX_LEN, out, REG_MBOX_LEN), ==, 0x3);
        syndromes[1] = sim_test_be32(out + 4);

        /* Sessions are bounded: 100 abandoned ones drop the oldest. */
        first_call(sim, cqn, oldest, out);
        for (unsigned i = 0; i < 100; i++)
                first_call(sim, cqn, in, out);
        g_assert_cmpuint(sim_test_exec(sim, oldest, REG_MBOX_LEN, out, REG_MBOX_LEN), ==, 0x3);
        syndromes[2] = sim_test_be32(out + 4);
        g_assert_cmpuint(sim_test_exec(sim, in, REG_MBOX_LEN, out, REG_MBOX_LEN), ==, 0);

        g_assert_cmpuint(syndromes[0], !=, syndromes[1]);
        g_assert_cmpuint(syndromes[1], ==, syndromes[2]);
}

/* The kernel's way: write (op_mod 0) in one buffer, feeding every answer back; many chunks. */
static void test_kernel_style_in_place(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("", 0);
        uint32_t cqn = big_cq(sim, 10);
        const sim_test_dump_request req = { .segment_type = 0x1201, .index1 = cqn, .num_of_obj2 = ALL };
        uint8_t buf[REG_MBOX_LEN], out[0x110];
        size_t total = 0, entries, entry_len;
        unsigned calls = 0;

        g_assert_cmpuint(sim_test_query(sim, OP_QUERY_CQ, cqn, out, sizeof(out)), ==, ST_OK);
        entries = 1u << sim_test_get_bits(out, CQ_LOG_SIZE_BIT, 5);
        entry_len = sim_test_get_bits(out, CQ_CQE_SZ_BIT, 3) == 1 ? 128 : 64;
        sim_test_dump_in(buf, 0, &req);
        do {
                uint8_t hdr[16];

                /* The answer replaces the header; the request header goes back in. */
                memcpy(hdr, buf, 16);
                g_assert_cmpuint(sim_test_exec(sim, buf, sizeof(buf), buf, sizeof(buf)), ==, 0);
                total += sim_test_be32(buf + 16 + 0x24);
                memcpy(buf, hdr, 16);
                g_assert_cmpuint(++calls, <, 100000);
        } while (buf[16] & 0x80);
        /* info 16 + command 20 + the entries + terminate 4; seq_num wrapped many times */
        g_assert_cmpuint(total, ==, 16 + 20 + entries * (16 + entry_len) + 4);
        g_assert_cmpuint(calls, >, 16 * 4);
}

/* ---- inline_dump 0: through an mkey the driver created, into its memory ---- */

#define OP_ENABLE_HCA           0x104
#define OP_CREATE_MKEY          0x200
#define CREATE_MKEY_IN_LEN      0x110
#define MKC_BIT                 0x80            /* create_mkey_in.memory_key_mkey_entry */
#define REG_MKEY_BYTE           0x20            /* resource_dump.mkey, size, address */
#define REG_SIZE_BYTE           0x24
#define REG_ADDRESS_BYTE        0x28
#define HOST_BASE               0x10000ull      /* the fake host memory the test's bus holds */
#define HOST_LEN                0x8000u

struct fake_bus {
        uint8_t mem[HOST_LEN];
        unsigned writes;
        bool fail;
};

static int bus_write(void *user_data, uint64_t addr, const void *buf, size_t len)
{
        struct fake_bus *bus = user_data;

        if (bus->fail || addr < HOST_BASE || len > HOST_LEN || addr - HOST_BASE > HOST_LEN - len)
                return -EFAULT;
        memcpy(bus->mem + (addr - HOST_BASE), buf, len);
        bus->writes++;
        return 0;
}

/* A driven function, enabled, with nothing but what the test creates. */
static mlx5_sim *driven_function(void)
{
        const mlx5_schema *schema = sim_test_schema();
        g_autoptr(GString) spec = g_string_new("devices=1");
        uint8_t in[16], out[16];
        mlx5_sim *sim;

        for (unsigned i = 0; i < mlx5_schema_n_resources(schema); i++)
                if (mlx5_schema_resource_at(schema, i)->has_id)
                        g_string_append_printf(spec, ",%s=0", mlx5_schema_resource_at(schema, i)->name);
        sim = sim_test_new(spec->str, 0);
        mlx5_sim_drive(sim);
        sim_test_query_in(in, OP_ENABLE_HCA, 0, 0);
        g_assert_cmpuint(sim_test_exec(sim, in, sizeof(in), out, sizeof(out)), ==, ST_OK);
        return sim;
}

/* CREATE_MKEY in PA mode over [start, start + len) (len 0: length64), key byte key; the mkey. */
static uint32_t create_pa_mkey(mlx5_sim *sim, bool lw, uint64_t start, uint64_t len, unsigned key)
{
        uint8_t in[CREATE_MKEY_IN_LEN] = { 0 }, out[16];

        sim_test_query_in(in, OP_CREATE_MKEY, 0, 0);
        sim_test_put_bits(in, MKC_BIT + 0x14, 1, lw);           /* lw */
        sim_test_put_bits(in, MKC_BIT + 0x15, 1, 1);            /* lr */
        sim_test_put_bits(in, MKC_BIT + 0x20, 24, 0xffffff);    /* qpn */
        sim_test_put_bits(in, MKC_BIT + 0x38, 8, key);          /* mkey_7_0 */
        sim_test_put_bits(in, MKC_BIT + 0x60, 1, len == 0);     /* length64 */
        sim_test_put_bits(in, MKC_BIT + 0x80, 64, start);
        sim_test_put_bits(in, MKC_BIT + 0xc0, 64, len);
        g_assert_cmpuint(sim_test_exec(sim, in, sizeof(in), out, sizeof(out)), ==, ST_OK);
        return (uint32_t) sim_test_get_bits(out, 0x48, 24) << 8 | key;
}

/* The first menu call through mkey to addr, size bytes; its status, syndrome in *ret_syndrome. */
static unsigned dma_menu_call(mlx5_sim *sim, uint8_t in[REG_MBOX_LEN], uint8_t out[REG_MBOX_LEN], uint32_t mkey,
                              uint64_t addr, uint32_t size, uint32_t *ret_syndrome)
{
        const sim_test_dump_request req = { .segment_type = SEG_MENU };
        unsigned status;

        sim_test_dump_in(in, 0, &req);
        in[16] &= ~0x40;                                        /* inline_dump 0 */
        sim_test_put_bits(in + 16, REG_MKEY_BYTE * 8, 32, mkey);
        sim_test_put_bits(in + 16, REG_SIZE_BYTE * 8, 32, size);
        sim_test_put_bits(in + 16, REG_ADDRESS_BYTE * 8, 64, addr);
        status = sim_test_exec(sim, in, REG_MBOX_LEN, out, REG_MBOX_LEN);
        *ret_syndrome = sim_test_be32(out + 4);
        return status;
}

static void test_mkey_dma(void)
{
        g_autoptr(mlx5_sim) sim = driven_function();
        g_autoptr(mlx5_sim) populated = sim_test_new("", 0);
        const sim_test_dump_request menu = { .segment_type = SEG_MENU };
        g_autofree struct fake_bus *bus = g_new0(struct fake_bus, 1);
        g_autoptr(GByteArray) inline_stream = sim_test_dump(populated, &menu, NULL);
        g_autoptr(GHashTable) syndromes = g_hash_table_new(NULL, NULL);
        uint8_t in[REG_MBOX_LEN], out[REG_MBOX_LEN];
        uint32_t mkey, all, no_lw, syndrome;
        size_t total = 0;
        unsigned calls = 0;

        /* No bus: nothing to write into, whatever the mkey. */
        mkey = create_pa_mkey(sim, true, HOST_BASE, HOST_LEN, 0x5a);
        g_assert_cmpuint(dma_menu_call(sim, in, out, mkey, HOST_BASE, 4096, &syndrome), ==, ST_BAD_PARAM);
        g_hash_table_add(syndromes, GUINT_TO_POINTER(syndrome));
        /* Nor on the embedded device, which has no bus either. */
        g_assert_cmpuint(dma_menu_call(populated, in, out, mkey, HOST_BASE, 4096, &syndrome), ==, ST_BAD_PARAM);

        mlx5_sim_set_dma_write(sim, bus_write, bus);
        all = create_pa_mkey(sim, true, 0, 0, 0x11);
        no_lw = create_pa_mkey(sim, false, HOST_BASE, HOST_LEN, 0x22);

        /* Good: the menu arrives in 1000-byte chunks, the same bytes the inline mode gives. */
        g_assert_cmpuint(dma_menu_call(sim, in, out, mkey, HOST_BASE, 1000, &syndrome), ==, ST_OK);
        for (;;) {
                uint32_t size = sim_test_get_bits(out + 16, REG_SIZE_BYTE * 8, 32);

                g_assert_cmpuint(size, <=, 1000);
                g_assert_cmpuint(bus->writes, ==, calls + 1);
                g_assert_cmpmem(bus->mem + total, size, inline_stream->data + total, size);
                total += size;
                if (!(out[16] & 0x80))
                        break;
                g_assert_cmpuint(size, ==, 1000);
                g_assert_cmpuint(++calls, <, 100);
                /* The kernel's way: the answer is the next request, the address moves on. */
                memcpy(in + 16, out + 16, REG_MBOX_LEN - 16);
                sim_test_put_bits(in + 16, REG_ADDRESS_BYTE * 8, 64, HOST_BASE + total);
                sim_test_put_bits(in + 16, REG_SIZE_BYTE * 8, 32, 1000);
                g_assert_cmpuint(sim_test_exec(sim, in, REG_MBOX_LEN, out, REG_MBOX_LEN), ==, ST_OK);
        }
        g_assert_cmpuint(total, ==, inline_stream->len);
        g_assert_cmpuint(calls, >, 0);
        /* length64: the whole address space. */
        g_assert_cmpuint(dma_menu_call(sim, in, out, all, HOST_BASE + 0x4000, 4096, &syndrome), ==, ST_OK);
        g_assert_cmpmem(bus->mem + 0x4000, 16, inline_stream->data, 16);

        /* Refusals: nothing written, each its own syndrome. */
        bus->writes = 0;
        g_assert_cmpuint(dma_menu_call(sim, in, out, mkey, HOST_BASE + HOST_LEN - 4095, 4096, &syndrome), ==,
                         ST_BAD_PARAM);                         /* one byte past the end */
        g_hash_table_add(syndromes, GUINT_TO_POINTER(syndrome));
        g_assert_cmpuint(dma_menu_call(sim, in, out, mkey, HOST_BASE - 4, 4096, &syndrome), ==, ST_BAD_PARAM);
        g_assert_cmpuint(dma_menu_call(sim, in, out, mkey, HOST_BASE, 0, &syndrome), ==, ST_BAD_PARAM);
        g_hash_table_add(syndromes, GUINT_TO_POINTER(syndrome));
        g_assert_cmpuint(dma_menu_call(sim, in, out, mkey + 0x100, HOST_BASE, 4096, &syndrome), ==, ST_BAD_RES);
        g_hash_table_add(syndromes, GUINT_TO_POINTER(syndrome));
        g_assert_cmpuint(dma_menu_call(sim, in, out, mkey ^ 0xff, HOST_BASE, 4096, &syndrome), ==, ST_BAD_RES);
        g_assert_cmpuint(dma_menu_call(sim, in, out, no_lw, HOST_BASE, 4096, &syndrome), ==, ST_BAD_PARAM);
        g_hash_table_add(syndromes, GUINT_TO_POINTER(syndrome));
        g_assert_cmpuint(bus->writes, ==, 0);
        /* The bus refuses the write (no host memory there): an error, not an OK with nothing written. */
        g_assert_cmpuint(dma_menu_call(sim, in, out, all, HOST_BASE + HOST_LEN, 4096, &syndrome), ==, ST_BAD_PARAM);
        g_hash_table_add(syndromes, GUINT_TO_POINTER(syndrome));
        g_assert_cmpuint(g_hash_table_size(syndromes), ==, 6);
        g_assert_false(g_hash_table_contains(syndromes, GUINT_TO_POINTER(0)));
}

/* A driven function's PRM_QUERY_MKEY of the mkey the driver created is its QUERY_MKEY; other segments refuse it. */
static void test_driven_prm_query(void)
{
        g_autoptr(mlx5_sim) sim = driven_function();
        uint32_t mkey = create_pa_mkey(sim, true, HOST_BASE, HOST_LEN, 0x33);
        sim_test_dump_request req = {
                .segment_type = sim_test_menu_lookup(sim, "PRM_QUERY_MKEY"), .index1 = mkey >> 8,
        };
        g_autoptr(GByteArray) stream = sim_test_dump(sim, &req, NULL);
        g_autoptr(GArray) segs = sim_test_split(stream);
        const sim_test_segment *seg = &g_array_index(segs, sim_test_segment, 2);
        uint8_t out[0x130];

        g_assert_cmpuint(segs->len, ==, 4);
        g_assert_cmpuint(sim_test_be32(seg->data + 8), ==, mkey >> 8);
        g_assert_cmpuint(seg->len, ==, 16 + sizeof(out));
        g_assert_cmpuint(sim_test_query(sim, OP_QUERY_MKEY, mkey >> 8, out, sizeof(out)), ==, ST_OK);
        g_assert_cmpmem(seg->data + 16, sizeof(out), out, sizeof(out));
        g_assert_cmpuint(sim_test_get_bits(seg->data + 16, MKC_BIT + 0x38, 8), ==, 0x33);
        req.index1 = (mkey >> 8) + 1;
        g_assert_cmpuint(sim_test_dump_status(sim, &req, NULL), ==, ST_BAD_RES);
        req = (sim_test_dump_request) { .segment_type = sim_test_menu_lookup(sim, "MKEY_CONTEXT"), .index1 = mkey >> 8 };
        g_assert_cmpuint(sim_test_dump_status(sim, &req, NULL), ==, ST_BAD_RES);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/sim/rscdump/menu", test_menu);
        g_test_add_func("/sim/rscdump/prm-query-records", test_prm_query_records);
        g_test_add_func("/sim/rscdump/buffers", test_buffers);
        g_test_add_func("/sim/rscdump/device-wide", test_device_wide);
        g_test_add_func("/sim/rscdump/tables", test_tables);
        g_test_add_func("/sim/rscdump/refusals", test_refusals);
        g_test_add_func("/sim/rscdump/random-requests", test_random_requests);
        g_test_add_func("/sim/rscdump/user-contexts", test_user_contexts);
        g_test_add_func("/sim/rscdump/sessions", test_sessions);
        g_test_add_func("/sim/rscdump/kernel-style-in-place", test_kernel_style_in_place);
        g_test_add_func("/sim/rscdump/mkey-dma", test_mkey_dma);
        g_test_add_func("/sim/rscdump/driven-prm-query", test_driven_prm_query);
        return g_test_run();
}
