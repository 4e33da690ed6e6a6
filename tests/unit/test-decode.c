/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The decoder on mailboxes written byte by byte from the PRM tables
 * (/work/shared/reference/mlx5-prm.md), never produced by the simulator or
 * by mlx5_schema_set, so a layout or bit-order mistake cannot cancel out.
 */
#include <glib.h>
#include <string.h>

#include "schema/schema.h"

struct decode_case {
        const char *name;
        const char *schema;             /* defines struct "t" */
        uint8_t bytes[32];
        size_t len;
        const char *expected;
};

static const struct decode_case cases[] = {
        {
                "straddle",
                "struct t 64\n"
                "  0x1c 8  x hex        # DW0[3:0] and DW1[31:28]\n"
                "  0x24 12 y            # odd offset, crosses a byte\n"
                "end\n",
                { 0x00, 0x00, 0x00, 0x0a, 0xb5, 0x67, 0x00, 0x00 }, 8,
                "x: 0xab\ny: 1383\n",
        },
        {
                "64-bit",
                "struct t 0xc0\n"
                "  0x20 64 aligned hex\n"
                "  0x64 64 unaligned hex    # starts at byte 12, bit 4\n"
                "end\n",
                { 0, 0, 0, 0, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                  0x0f, 0xed, 0xcb, 0xa9, 0x87, 0x65, 0x43, 0x21, 0x00, 0, 0, 0 }, 24,
                "aligned: 0x123456789abcdef\nunaligned: 0xfedcba9876543210\n",
        },
        {
                "64-bit-dec",
                "struct t 64\n"
                "  0 64 max\n"
                "end\n",
                { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 8,
                "max: 18446744073709551615\n",
        },
        {
                "array",
                "struct t 64\n"
                "  0x30 4  n[4]\n"
                "  0x00 16 v[3] hex\n"
                "end\n",
                { 0x00, 0x01, 0xff, 0xfe, 0x80, 0x00, 0x12, 0x34 }, 8,
                "v[0]: 0x1\nv[1]: 0xfffe\nv[2]: 0x8000\n"
                "n[0]: 1\nn[1]: 2\nn[2]: 3\nn[3]: 4\n",
        },
        {
                "nested",
                "struct t 0x80\n"
                "  0x60 32 last hex\n"
                "  0x20 32 q[2] struct pair     # pair is defined below\n"
                "  0x00 32 p struct pair\n"
                "end\n"
                "struct pair 32\n"
                "  0x08 24 b\n"
                "  0x00 8  a hex\n"
                "end\n",
                { 0x11, 0x00, 0x00, 0x05, 0x22, 0x00, 0x01, 0x00,
                  0x33, 0xff, 0xff, 0xff, 0xde, 0xad, 0xbe, 0xef }, 16,
                "p.a: 0x11\np.b: 5\nq[0].a: 0x22\nq[0].b: 256\n"
                "q[1].a: 0x33\nq[1].b: 16777215\nlast: 0xdeadbeef\n",
        },
        {
                "enum",
                "enum color\n  0x1 RED\n  0x6 ERR\nend\n"
                "struct t 32\n"
                "  0 4 s enum color\n"
                "  4 4 u enum color\n"
                "end\n",
                { 0x65, 0, 0, 0 }, 4,
                "s: ERR\nu: 5\n",
        },
        {
                "flags",
                "flags lro\n  0 IPV4_LRO\n  1 IPV6_LRO\nend\n"
                "struct t 32\n"
                "  0x00 8 none flags lro\n"
                "  0x08 8 both flags lro\n"
                "  0x10 8 some flags lro\n"
                "  0x18 8 unknown flags lro\n"
                "end\n",
                { 0x00, 0x03, 0x09, 0x30 }, 4,
                "none: 0\nboth: IPV4_LRO|IPV6_LRO\nsome: IPV4_LRO|0x8\nunknown: 0x30\n",
        },
        {
                "bytes",
                "struct t 64\n"
                "  0x00 32 mac bytes\n"
                "  0x24 16 shifted bytes    # not byte aligned\n"
                "end\n",
                { 0x00, 0xff, 0x10, 0xab, 0x0c, 0xde, 0xf0, 0x00 }, 8,
                "mac: 00ff10ab\nshifted: cdef\n",
        },
        {
                "ascii",
                "struct t 0x80\n"
                "  0x00 64 name ascii\n"
                "  0x40 64 raw ascii\n"
                "end\n",
                { 'M', 'T', '_', '1', 0, 'z', 'z', 'z',
                  'a', '\n', 'b', 0x01, 0x7f, 0xff, '\\', 'c' }, 16,
                "name: MT_1\nraw: a\\x0ab\\x01\\x7f\\xff\\\\c\n",
        },
        {
                "short-buffer",
                "struct t 64\n"
                "  0x00 16 a hex\n"
                "  0x18 16 c hex    # needs byte 4\n"
                "  0x28 16 b hex\n"
                "end\n",
                { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0 }, 4,
                "a: 0x1234\n",
        },
        {
                "empty-buffer",
                "struct t 32\n  0 32 a hex\nend\n",
                { 0 }, 0,
                "",
        },
};

static void test_decode_case(const void *data)
{
        const struct decode_case *c = data;
        g_autoptr(GError) error = NULL;
        g_autoptr(mlx5_schema) schema = mlx5_schema_load_string("t.schema", c->schema, &error);
        g_autoptr(GString) out = g_string_new(NULL);
        uint8_t *copy;

        g_assert_no_error(error);
        /* A heap copy of exactly len bytes, so valgrind sees any overread. */
        copy = g_memdup2(c->bytes, c->len ? c->len : 1);
        mlx5_decode_struct(out, mlx5_schema_find_struct(schema, "t"), copy, c->len);
        g_free(copy);
        g_assert_cmpstr(out->str, ==, c->expected);
}

/* A backslash is doubled, so that "\x41" in a field cannot read as the escape of 'A'. */
static void test_ascii_backslash(void)
{
        g_autoptr(mlx5_schema) schema = mlx5_schema_load_string("t.schema",
                "struct t 32\n  0 32 s ascii\nend\n", NULL);
        const uint8_t bytes[4] = { '\\', 'x', '4', '1' };
        g_autoptr(GString) out = g_string_new(NULL);

        mlx5_decode_struct(out, mlx5_schema_find_struct(schema, "t"), bytes, sizeof(bytes));
        g_assert_cmpstr(out->str, ==, "s: \\\\x41\n");
}

static void test_decode_value(void)
{
        static const char text[] =
                "enum e\n  2 TWO\nend\n"
                "flags f\n  0 A\n  63 TOP\nend\n"
                "struct t 0x100\n"
                "  0x00 64 h hex\n"
                "  0x40 16 d\n"
                "  0x50 8  en enum e\n"
                "  0x58 8  b bytes\n"
                "  0x60 16 s ascii\n"
                "  0x80 64 fl flags f\n"
                "  0xc0 16 bb bytes\n"
                "end\n";
        g_autoptr(GError) error = NULL;
        g_autoptr(mlx5_schema) schema = mlx5_schema_load_string("t.schema", text, &error);
        const mlx5_schema_struct *t;
        static const struct {
                const char *path;
                uint64_t value;
                const char *expected;
        } values[] = {
                { "h", 0, "0x0" },
                { "h", UINT64_MAX, "0xffffffffffffffff" },
                { "d", 65535, "65535" },
                { "en", 2, "TWO" },
                { "en", 3, "3" },
                { "b", 0x0a, "0a" },
                { "bb", 0xabcd, "abcd" },
                { "s", 0x4142, "AB" },
                { "s", 0x4100, "A" },
                { "s", 0x0041, "" },
                { "fl", 0, "0" },
                { "fl", UINT64_C(1) << 63 | 1, "A|TOP" },
                { "fl", UINT64_C(1) << 62, "0x4000000000000000" },
        };

        g_assert_no_error(error);
        t = mlx5_schema_find_struct(schema, "t");
        for (size_t i = 0; i < G_N_ELEMENTS(values); i++) {
                g_autoptr(GString) out = g_string_new(NULL);
                const mlx5_schema_field *f;

                g_assert_cmpint(mlx5_schema_resolve(t, values[i].path, &f, NULL), ==, 0);
                mlx5_decode_value(out, f, values[i].value);
                g_assert_cmpstr(out->str, ==, values[i].expected);
        }
}

static const char resource_schema[] =
        "enum color\n  0x6 ERR\nend\n"
        "resource thing\n"
        "  query   0x50b\n"
        "  inlen   0x10\n"
        "  outlen  0x20\n"
        "  id      0x48 24\n"
        "  context 0x80 ctx\n"
        "  0xc0 32 extra_word hex\n"
        "end\n"
        "struct ctx 0x40\n"
        "  0x00 4  state enum color\n"
        "  0x20 32 counter\n"
        "end\n";

static void test_decode_resource(void)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(mlx5_schema) schema = mlx5_schema_load_string("t.schema", resource_schema, &error);
        const mlx5_schema_resource *r;
        uint8_t outbox[0x20] = { 0 };

        g_assert_no_error(error);
        r = mlx5_schema_find_resource(schema, "thing");
        g_assert_nonnull(r);

        outbox[0x10] = 0x60;                            /* context state ERR */
        outbox[0x16] = 0x01;                            /* context counter 256 */
        outbox[0x18] = 0xca;                            /* extra_word */
        outbox[0x19] = 0xfe;
        outbox[0x1a] = 0xba;
        outbox[0x1b] = 0xbe;

        for (size_t len = 0; len <= sizeof(outbox); len++) {
                g_autoptr(GString) out = g_string_new(NULL);
                g_autofree uint8_t *copy = g_memdup2(outbox, len ? len : 1);
                const char *expected =
                        len >= 0x1c ? "state: ERR\ncounter: 256\nextra_word: 0xcafebabe\n" :
                        len >= 0x18 ? "state: ERR\ncounter: 256\n" :
                        len >= 0x11 ? "state: ERR\n" : "";

                mlx5_decode_resource(out, r, copy, len);
                g_assert_cmpstr(out->str, ==, expected);
        }
}

/*
 * The length pass (a file's st_size without its text) agrees with the
 * text, for every resource of the shipped schema, over answers of zeros,
 * ones and random bytes (backslashes, NULs, unprintables in ascii fields),
 * whole and cut short.
 */
static void test_length_pass(void)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(mlx5_schema) schema = mlx5_schema_load_dir(MLX5DBGFS_SOURCE_SCHEMA_DIR, &error);
        g_autoptr(GRand) rand = g_rand_new_with_seed(12);
        unsigned checked = 0;

        g_assert_no_error(error);
        for (unsigned i = 0; i < mlx5_schema_n_resources(schema); i++) {
                const mlx5_schema_resource *r = mlx5_schema_resource_at(schema, i);
                g_autofree uint8_t *buf = g_malloc(r->outlen + 1);

                for (unsigned fill = 0; fill < 4; fill++) {
                        size_t lens[] = { r->outlen, (size_t) g_rand_int_range(rand, 0, (gint32) r->outlen + 1),
                                          r->outlen / 2, r->outlen / 3, 1, 0 };

                        for (size_t b = 0; b < r->outlen; b++)
                                buf[b] = fill == 0 ? 0 : fill == 1 ? 0xff : fill == 2 ? (uint8_t) g_rand_int(rand) :
                                         "\\\0a\x7f\x01"[g_rand_int_range(rand, 0, 5)];
                        for (unsigned k = 0; k < G_N_ELEMENTS(lens); k++) {
                                g_autoptr(GString) out = g_string_new(NULL);

                                mlx5_decode_resource(out, r, buf, lens[k]);
                                g_assert_cmpuint(mlx5_decode_resource_len(r, buf, lens[k]), ==, out->len);
                                checked++;
                        }
                }
        }
        g_assert_cmpuint(checked, >, 100);
}

static bool has_line(const char *text, const char *line)
{
        g_autofree char *needle = g_strconcat("\n", line, "\n", NULL);
        g_autofree char *haystack = g_strconcat("\n", text, NULL);

        return strstr(haystack, needle) != NULL;
}

static void count_leaf(const mlx5_schema_field *field, const char *path, uint32_t bit_off,
                       void *user_data)
{
        (*(unsigned *) user_data)++;
}

/* A context field's line, its value formatted the way the schema says. */
static void assert_qpc_line(const mlx5_schema_resource *qp, const uint8_t *outbox, size_t len,
                            const char *text, const char *path, uint64_t hand_value)
{
        g_autoptr(GString) line = g_string_new(path);
        const mlx5_schema_field *f;
        uint64_t value;

        g_assert_cmpint(mlx5_schema_resolve(qp->context, path, &f, NULL), ==, 0);
        g_assert_cmpint(mlx5_schema_get(qp->context, outbox + qp->context_bit_off / 8,
                                        len - qp->context_bit_off / 8, path, &value), ==, 0);
        g_assert_cmphex(value, ==, hand_value);
        g_string_append(line, ": ");
        mlx5_decode_value(line, f, hand_value);
        if (!has_line(text, line->str))
                g_error("no line '%s' in:\n%s", line->str, text);
}

/* query_qp_out written from mlx5-prm.md §4.1, §6.1, §6.2, §11. */
static void test_real_qp(void)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(mlx5_schema) schema = NULL;
        g_autoptr(GString) out = g_string_new(NULL);
        const mlx5_schema_resource *qp;
        uint8_t outbox[0x110] = { 0 };
        unsigned leaves = 0, lines = 0;

        if (!g_file_test(MLX5DBGFS_SOURCE_SCHEMA_DIR, G_FILE_TEST_IS_DIR)) {
                g_test_skip("no schema directory yet");
                return;
        }
        schema = mlx5_schema_load_dir(MLX5DBGFS_SOURCE_SCHEMA_DIR, &error);
        if (!schema && g_error_matches(error, MLX5_SCHEMA_ERROR, MLX5_SCHEMA_ERROR_IO)) {
                g_test_skip(error->message);
                return;
        }
        g_assert_no_error(error);
        qp = mlx5_schema_find_resource(schema, "qp");
        if (!qp) {
                g_test_skip("schema has no qp resource yet");
                return;
        }
        g_assert_cmphex(qp->opcode, ==, 0x50b);
        g_assert_cmphex(qp->context_bit_off, ==, 0xc0);
        g_assert_cmphex(qp->outlen, ==, 0x110);

        outbox[0x18] = 0x60;                    /* qpc.state = ERR (6), DW0[31:28] */
        outbox[0x19] = 0x02;                    /* qpc.st = UD (2), DW0[23:16] */
        outbox[0x1d] = 0x00;                    /* qpc.pd = 0x1234, DW1[23:0] */
        outbox[0x1e] = 0x12;
        outbox[0x1f] = 0x34;
        outbox[0x20] = 0x60;                    /* qpc.mtu = 3, DW2[31:29] */
        outbox[0x22] = 0x28;                    /* qpc.log_sq_size = 5, DW2[14:11] */
        outbox[0x18 + 0x3d] = 0x01;             /* ads @0xc0 + vhca_port_num @0x128 */
        outbox[0x18 + 0x7e] = 0x04;             /* qpc.cqn_snd @0x3e8 = 0x456 */
        outbox[0x18 + 0x7f] = 0x56;
        outbox[0x18 + 0x9e] = 0x07;             /* qpc.cqn_rcv @0x4e8 = 0x789 */
        outbox[0x18 + 0x9f] = 0x89;
        outbox[0x18 + 0xa4] = 0x12;             /* qpc.dbr_addr @0x500, be64 */
        outbox[0x18 + 0xa5] = 0x34;
        outbox[0x18 + 0xa6] = 0x56;
        outbox[0x18 + 0xa7] = 0x78;

        mlx5_decode_resource(out, qp, outbox, sizeof(outbox));
        g_assert_true(has_line(out->str, "state: ERR"));
        g_assert_true(has_line(out->str, "st: UD"));
        assert_qpc_line(qp, outbox, sizeof(outbox), out->str, "pd", 0x1234);
        assert_qpc_line(qp, outbox, sizeof(outbox), out->str, "mtu", 3);
        assert_qpc_line(qp, outbox, sizeof(outbox), out->str, "log_sq_size", 5);
        assert_qpc_line(qp, outbox, sizeof(outbox), out->str, "primary_address_path.vhca_port_num", 1);
        assert_qpc_line(qp, outbox, sizeof(outbox), out->str, "secondary_address_path.vhca_port_num", 0);
        assert_qpc_line(qp, outbox, sizeof(outbox), out->str, "cqn_snd", 0x456);
        assert_qpc_line(qp, outbox, sizeof(outbox), out->str, "cqn_rcv", 0x789);
        assert_qpc_line(qp, outbox, sizeof(outbox), out->str, "dbr_addr", 0x12345678);

        /* One line per leaf of the context and the extra fields. */
        mlx5_schema_foreach_leaf(qp->context, count_leaf, &leaves);
        if (qp->extra)
                mlx5_schema_foreach_leaf(qp->extra, count_leaf, &leaves);
        for (const char *p = out->str; *p; p++)
                lines += *p == '\n';
        g_assert_cmpuint(lines, ==, leaves);
}

/*
 * A real QUERY_CQ answer: the first 80 bytes of `mlx5ctl ... obj cq --id=1135`
 * on a ConnectX-6 Dx (real-device.md §6, the mlx5ctl README); the README
 * elides the rest, which stays zero.  Every field its parseadb decode shows
 * that the schema has, under the schema's name, and dbr_addr in full: the
 * README's parseadb shows only its low 32 bits (0x1bb1e680).
 */
static const uint8_t real_cq[80] = {
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x80,
        0x00, 0x08, 0x00, 0x80, 0x00, 0x00, 0x00, 0x16, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0xff, 0xff, 0xff, 0x00, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x1b, 0xb1, 0xe6, 0x80,
};

static void test_real_cq(void)
{
        static const char *const lines[] = {
                "status: OK",                           /* status: 0x0 OK */
                "dbr_umem_valid: 0",
                "cqe_sz: CQE_SZ_64_BYTES",              /* BYTES_64 */
                "cc: 0",
                "scqe_break_moderation_en: 0",
                "oi: 0",
                "cq_period_mode: START_FROM_EQE",       /* upon_event = 0 */
                "cqe_comp_en: 0",                       /* cqe_compression_en */
                "mini_cqe_res_format: 0",               /* mini_cqe_res_format_1_0 */
                "st: NOTIFICATION_REQUEST_ARMED",       /* 0x9 */
                "cqe_compression_layout: BASIC",        /* BASIC_CQE_COMPRESSION */
                "page_offset: 0",
                "log_cq_size: 10",
                "uar_page: 0x80",
                "cq_period: 8",
                "cq_max_count: 128",
                "c_eqn_or_apu_element: 0x16",           /* c_eqn_or_ext_element 22 */
                "log_page_size: 0",
                "last_notified_index: 16777215",
                "last_solicit_index: 16777215",
                "consumer_counter: 0",
                "producer_counter: 0",
                "dbr_addr: 0x11bb1e680",
        };
        g_autoptr(GError) error = NULL;
        g_autoptr(mlx5_schema) schema = mlx5_schema_load_dir(MLX5DBGFS_SOURCE_SCHEMA_DIR, &error);
        g_autoptr(GString) out = g_string_new(NULL);
        const mlx5_schema_resource *cq;
        uint8_t outbox[0x110] = { 0 };
        uint64_t dbr_addr = 0;

        g_assert_no_error(error);
        cq = mlx5_schema_find_resource(schema, "cq");
        g_assert_nonnull(cq);
        g_assert_cmphex(cq->outlen, ==, sizeof(outbox));
        memcpy(outbox, real_cq, sizeof(real_cq));
        mlx5_decode_resource(out, cq, outbox, sizeof(outbox));
        for (size_t i = 0; i < G_N_ELEMENTS(lines); i++)
                if (!has_line(out->str, lines[i]))
                        g_error("no line '%s' in:\n%s", lines[i], out->str);
        /* The whole 64-bit field, not parseadb's low half. */
        g_assert_cmpint(mlx5_schema_get(cq->context, outbox + cq->context_bit_off / 8,
                                        sizeof(outbox) - cq->context_bit_off / 8, "dbr_addr", &dbr_addr), ==, 0);
        g_assert_cmphex(dbr_addr, ==, 0x11bb1e680ull);
        g_assert_cmphex(dbr_addr & 0xffffffff, ==, 0x1bb1e680);
}

/*
 * JSON: every display as its type, nested structs as objects, arrays as
 * arrays, numbers past 2^53 as strings, text escaped.
 */
static void test_json(void)
{
        static const char text[] =
                "enum e\n  1 ONE\nend\n"
                "flags f\n  0 A\n  2 C\nend\n"
                "struct in 32\n  0 8 x\n  8 8 y hex\nend\n"
                "struct t 0x160\n"
                "  0x00 4  s enum e\n"
                "  0x04 4  u enum e\n"
                "  0x08 8  fl flags f\n"
                "  0x10 16 none flags f\n"
                "  0x20 32 h hex\n"
                "  0x40 64 big\n"
                "  0x80 64 exact\n"
                "  0xc0 32 n[2] struct in\n"
                "  0x100 32 b bytes\n"
                "  0x120 64 a ascii\n"
                "end\n";
        static const uint8_t buf[0x2c] = {
                0x15, 0x0d, 0x00, 0x00,                         /* s = 1, u = 5, fl = 0b1101 */
                0x00, 0x00, 0x0a, 0xbc,                         /* h */
                0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, /* big = 2^53 + 1 */
                0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* exact = 2^53 */
                0x07, 0xff, 0x00, 0x00, 0x08, 0x10, 0x00, 0x00, /* n[0] = {7, 0xff}, n[1] = {8, 0x10} */
                0xde, 0xad, 0xbe, 0xef,                         /* b */
                'q', '"', '\\', '\n', 0xe9, 0x00, 'z', 'z',      /* a, up to the NUL */
        };
        g_autoptr(GError) error = NULL;
        g_autoptr(mlx5_schema) schema = mlx5_schema_load_string("t.schema", text, &error);
        g_autoptr(GString) out = g_string_new("{");
        bool first = true;

        g_assert_no_error(error);
        mlx5_json_struct_members(out, mlx5_schema_find_struct(schema, "t"), buf, sizeof(buf), &first);
        g_string_append_c(out, '}');
        g_assert_cmpstr(out->str, ==,
                        "{\"s\":\"ONE\",\"u\":5,\"fl\":[\"A\",\"C\",\"0x8\"],\"none\":[],\"h\":\"0xabc\","
                        "\"big\":\"9007199254740993\",\"exact\":9007199254740992,"
                        "\"n\":[{\"x\":7,\"y\":\"0xff\"},{\"x\":8,\"y\":\"0x10\"}],\"b\":\"deadbeef\","
                        "\"a\":\"q\\\"\\\\\\n\\u00e9\"}");
        g_assert_false(first);
        /* A field past the buffer is left out, as the text leaves it out. */
        g_string_assign(out, "");
        first = true;
        mlx5_json_struct_members(out, mlx5_schema_find_struct(schema, "t"), buf, 8, &first);
        g_assert_cmpstr(out->str, ==, "\"s\":\"ONE\",\"u\":5,\"fl\":[\"A\",\"C\",\"0x8\"],\"none\":[],\"h\":\"0xabc\"");
        /* Numbers at their ends, formatted without printf: as printf would. */
        g_string_assign(out, "");
        mlx5_json_uint(out, 0);
        g_string_append_c(out, ' ');
        mlx5_json_uint(out, UINT64_MAX);
        g_assert_cmpstr(out->str, ==, "0 \"18446744073709551615\"");
        g_string_assign(out, "");
        first = true;
        mlx5_json_struct_members(out, mlx5_schema_find_struct(schema, "in"), (const uint8_t[4]) { 0 }, 4, &first);
        g_assert_cmpstr(out->str, ==, "\"x\":0,\"y\":\"0x0\"");
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
                g_autofree char *path = g_strdup_printf("/decode/struct/%s", cases[i].name);

                g_test_add_data_func(path, &cases[i], test_decode_case);
        }
        g_test_add_func("/decode/ascii-backslash", test_ascii_backslash);
        g_test_add_func("/decode/value", test_decode_value);
        g_test_add_func("/decode/resource", test_decode_resource);
        g_test_add_func("/decode/length-pass", test_length_pass);
        g_test_add_func("/decode/real-qp", test_real_qp);
        g_test_add_func("/decode/real-cq", test_real_cq);
        g_test_add_func("/decode/json", test_json);
        return g_test_run();
}
