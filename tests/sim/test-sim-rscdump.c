/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The RESOURCE_DUMP register: the stream's shape, the menu, listing every
 * QP through a list segment in 208-byte chunks, dump records that equal
 * the query output, partial requests, and session checks (seq_num,
 * device_opaque, the session bound).
 */
#include <string.h>

#include "sim-test-util.h"

#define OP_QUERY_QP             0x50b
#define SEG_MENU                0xffff
#define REG_MBOX_LEN            SIM_TEST_REG_MBOX_LEN

static void test_menu(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("", 0);
        const mlx5_schema *schema = sim_test_schema();
        const sim_test_dump_request req = { .segment_type = SEG_MENU };
        g_autoptr(GByteArray) stream = sim_test_dump(sim, &req, NULL);
        g_autoptr(GArray) segs = sim_test_split(stream);
        const sim_test_segment *cmd = &g_array_index(segs, sim_test_segment, 1);
        const sim_test_segment *menu = &g_array_index(segs, sim_test_segment, 2);
        unsigned n, expected = 0;

        /* command segment: segment_called echoes the request */
        g_assert_cmpuint(sim_test_be16(cmd->data + 4), ==, SEG_MENU);
        g_assert_cmpuint(menu->type, ==, SEG_MENU);
        n = sim_test_be16(menu->data + 6);
        g_assert_cmpuint(menu->len, ==, 8 + n * 52);
        for (unsigned i = 0; i < mlx5_schema_n_resources(schema); i++) {
                const mlx5_schema_resource *res = mlx5_schema_resource_at(schema, i);

                for (guint k = 0; res->has_id && res->dump_segments && k < res->dump_segments->len; k++)
                        expected += strlen(res->dump_segments->pdata[k]) <= 16;
        }
        g_assert_cmpuint(n, ==, expected);
        for (unsigned i = 0; i < n; i++) {
                const uint8_t *rec = menu->data + 8 + i * 52;
                unsigned type = sim_test_be16(rec + 2);

                g_assert_cmpuint(type, <=, 0xfeff);
                g_assert_cmpuint(rec[1] & 0x40, ==, 0x40);      /* num_of_obj1_supports_all */
                g_assert_cmpuint(rec[1] & 0x01, ==, 0x01);      /* support_index1 */
                g_assert_cmpuint(rec[4], !=, 0);                /* a name */
                for (unsigned j = 0; j < i; j++)
                        g_assert_cmpuint(sim_test_be16(menu->data + 8 + j * 52 + 2), !=, type);
        }
        g_assert_cmpint(sim_test_menu_lookup(sim, "QP_LIST"), >=, 0);
        g_assert_cmpint(sim_test_menu_lookup(sim, "PRM_QUERY_QP"), >=, 0);
        g_assert_cmpint(sim_test_menu_lookup(sim, "NO_SUCH_SEGMENT"), ==, -1);
}

static void test_list_all_qps(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("qp=2000", 0);
        int type = sim_test_menu_lookup(sim, "QP_LIST");
        const sim_test_dump_request req = { .segment_type = type, .num_of_obj1 = 0xffff };
        g_autoptr(GByteArray) stream = NULL;
        g_autoptr(GArray) segs = NULL;
        size_t n;
        const uint32_t *ids = mlx5_sim_object_ids(sim, "qp", &n);
        unsigned calls;

        g_assert_cmpint(type, >=, 0);
        stream = sim_test_dump(sim, &req, &calls);
        segs = sim_test_split(stream);
        /* 2000 records of 16 bytes: many chunks, seq_num wrapped many times */
        g_assert_cmpuint(calls, ==, (stream->len + 207) / 208);
        g_assert_cmpuint(calls, >, 16 * 4);
        g_assert_cmpuint(segs->len, ==, n + 3);
        for (size_t k = 0; k < n; k++) {
                const sim_test_segment *s = &g_array_index(segs, sim_test_segment, k + 2);

                g_assert_cmpuint(s->type, ==, (unsigned) type);
                g_assert_cmpuint(s->len, ==, 16);               /* no payload */
                g_assert_cmpuint(sim_test_be32(s->data + 8), ==, ids[k]);
        }
}

static void test_dump_records_equal_queries(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("qp=50", 0);
        int type = sim_test_menu_lookup(sim, "PRM_QUERY_QP");
        size_t n;
        const uint32_t *ids = mlx5_sim_object_ids(sim, "qp", &n);
        const sim_test_dump_request req = { .segment_type = type, .index1 = ids[10] - 1, .num_of_obj1 = 5 };
        g_autoptr(GByteArray) stream = sim_test_dump(sim, &req, NULL);
        g_autoptr(GArray) segs = sim_test_split(stream);

        /* From index1 on (ids[10] - 1 is no QP): five records, ids[10] to ids[14]. */
        g_assert_cmpuint(segs->len, ==, 5 + 3);
        for (unsigned k = 0; k < 5; k++) {
                const sim_test_segment *s = &g_array_index(segs, sim_test_segment, k + 2);
                uint8_t out[0x110];

                g_assert_cmpuint(sim_test_be32(s->data + 8), ==, ids[10 + k]);
                g_assert_cmpuint(s->len, ==, 16 + sizeof(out));
                g_assert_cmpuint(sim_test_query(sim, OP_QUERY_QP, ids[10 + k], out, sizeof(out)), ==, 0);
                g_assert_cmpmem(s->data + 16, sizeof(out), out, sizeof(out));
        }
}

static void test_index_past_the_end(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("", 0);
        const sim_test_dump_request req = {
                .segment_type = sim_test_menu_lookup(sim, "CQ_LIST"), .index1 = 0xffffff, .num_of_obj1 = 0xffff,
        };
        g_autoptr(GByteArray) stream = sim_test_dump(sim, &req, NULL);
        g_autoptr(GArray) segs = sim_test_split(stream);

        g_assert_cmpuint(segs->len, ==, 3);
}

/* The first call of a listing of all objects; in is left ready for the second. */
static void first_call(mlx5_sim *sim, unsigned type, uint8_t in[REG_MBOX_LEN], uint8_t out[REG_MBOX_LEN])
{
        const sim_test_dump_request req = { .segment_type = type, .num_of_obj1 = 0xffff };

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
        g_autoptr(mlx5_sim) sim = sim_test_new("qp=1000", 0);
        unsigned type = sim_test_menu_lookup(sim, "QP_LIST");
        uint8_t in[REG_MBOX_LEN], out[REG_MBOX_LEN], oldest[REG_MBOX_LEN];
        uint32_t syndromes[3];

        /* A wrong seq_num is refused, and the session still continues afterwards. */
        first_call(sim, type, in, out);
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
        first_call(sim, type, oldest, out);
        for (unsigned i = 0; i < 100; i++)
                first_call(sim, type, in, out);
        g_assert_cmpuint(sim_test_exec(sim, oldest, REG_MBOX_LEN, out, REG_MBOX_LEN), ==, 0x3);
        syndromes[2] = sim_test_be32(out + 4);
        g_assert_cmpuint(sim_test_exec(sim, in, REG_MBOX_LEN, out, REG_MBOX_LEN), ==, 0);

        g_assert_cmpuint(syndromes[0], !=, syndromes[1]);
        g_assert_cmpuint(syndromes[1], ==, syndromes[2]);
}

/* The kernel's way: write (op_mod 0) in one buffer, feeding every answer back. */
static void test_kernel_style_in_place(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("qp=300", 0);
        unsigned type = sim_test_menu_lookup(sim, "QP_LIST");
        const sim_test_dump_request req = { .segment_type = type, .num_of_obj1 = 0xffff };
        uint8_t buf[REG_MBOX_LEN];
        size_t total = 0;
        unsigned calls = 0;

        sim_test_dump_in(buf, 0, &req);
        do {
                uint8_t hdr[16];

                /* The answer replaces the header; the request header goes back in. */
                memcpy(hdr, buf, 16);
                g_assert_cmpuint(sim_test_exec(sim, buf, sizeof(buf), buf, sizeof(buf)), ==, 0);
                total += sim_test_be32(buf + 16 + 0x24);
                memcpy(buf, hdr, 16);
                g_assert_cmpuint(++calls, <, 1000);
        } while (buf[16] & 0x80);
        /* info 16 + command 20 + 300 records + terminate 4 */
        g_assert_cmpuint(total, ==, 16 + 20 + 300 * 16 + 4);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/sim/rscdump/menu", test_menu);
        g_test_add_func("/sim/rscdump/list-all-qps", test_list_all_qps);
        g_test_add_func("/sim/rscdump/dump-records-equal-queries", test_dump_records_equal_queries);
        g_test_add_func("/sim/rscdump/index-past-the-end", test_index_past_the_end);
        g_test_add_func("/sim/rscdump/sessions", test_sessions);
        g_test_add_func("/sim/rscdump/kernel-style-in-place", test_kernel_style_in_place);
        return g_test_run();
}
