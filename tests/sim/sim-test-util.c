/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "sim-test-util.h"

/* PRM offsets, typed from mlx5-prm.md §4 and §8 on purpose: not the project's headers. */
#define ACCESS_REG_OPCODE       0x805
#define CREATE_UCTX_OPCODE      0xa04
#define REG_RESOURCE_DUMP       0xc000
#define REG_LEN                 256
#define INLINE_LEN              208
#define SEG_INFO                0xfffe
#define SEG_COMMAND             0xfffa
#define SEG_TERMINATE           0xfffb

const mlx5_schema *sim_test_schema(void)
{
        static mlx5_schema *schema;

        if (!schema) {
                g_autoptr(GError) error = NULL;

                schema = mlx5_schema_load_dir(MLX5DBGFS_SOURCE_SCHEMA_DIR, &error);
                g_assert_no_error(error);
        }
        return schema;
}

mlx5_sim *sim_test_new(const char *spec_text, unsigned index)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(mlx5_sim_spec) spec = mlx5_sim_spec_parse(spec_text, sim_test_schema(), &error);

        g_assert_no_error(error);
        return mlx5_sim_new(sim_test_schema(), spec, index);
}

uint32_t sim_test_be32(const uint8_t *p)
{
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

uint16_t sim_test_be16(const uint8_t *p)
{
        return (uint16_t) (p[0] << 8 | p[1]);
}

static void put_be32(uint8_t *p, uint32_t v)
{
        p[0] = v >> 24;
        p[1] = v >> 16;
        p[2] = v >> 8;
        p[3] = v;
}

unsigned sim_test_exec(mlx5_sim *sim, const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen)
{
        g_assert_cmpint(mlx5_sim_exec(sim, in, inlen, out, outlen), ==, 0);
        if (out[0] != 0)
                g_assert_cmpuint(sim_test_be32(out + 4), !=, 0);
        else
                g_assert_cmpuint(sim_test_be32(out + 4), ==, 0);
        return out[0];
}

void sim_test_put_bits(uint8_t *buf, uint32_t bit_off, uint32_t width, uint64_t value)
{
        for (uint32_t b = 0; b < width; b++) {
                uint32_t bit = bit_off + b;
                uint8_t mask = 0x80 >> (bit % 8);

                if ((value >> (width - 1 - b)) & 1)
                        buf[bit / 8] |= mask;
                else
                        buf[bit / 8] &= ~mask;
        }
}

uint64_t sim_test_get_bits(const uint8_t *buf, uint32_t bit_off, uint32_t width)
{
        uint64_t v = 0;

        for (uint32_t b = 0; b < width; b++) {
                uint32_t bit = bit_off + b;

                v = v << 1 | ((buf[bit / 8] >> (7 - bit % 8)) & 1);
        }
        return v;
}

unsigned sim_test_query_resource(mlx5_sim *sim, const mlx5_schema_resource *res, uint32_t id, uint8_t *out)
{
        g_autofree uint8_t *in = g_malloc0(MAX(res->inlen, 16));

        sim_test_query_in(in, res->opcode, res->op_mod, 0);
        if (res->has_id)
                sim_test_put_bits(in, res->id_bit_off, res->id_width, id);
        return sim_test_exec(sim, in, res->inlen, out, res->outlen);
}

void sim_test_query_in(uint8_t in[16], unsigned opcode, unsigned op_mod, uint32_t id)
{
        memset(in, 0, 16);
        in[0] = opcode >> 8;
        in[1] = opcode;
        in[6] = op_mod >> 8;
        in[7] = op_mod;
        in[9] = id >> 16;
        in[10] = id >> 8;
        in[11] = id;
}

unsigned sim_test_query(mlx5_sim *sim, unsigned opcode, uint32_t id, uint8_t *out, size_t outlen)
{
        uint8_t in[16];

        sim_test_query_in(in, opcode, 0, id);
        return sim_test_exec(sim, in, sizeof(in), out, outlen);
}

void sim_test_dump_in(uint8_t in[SIM_TEST_REG_MBOX_LEN], unsigned op_mod, const sim_test_dump_request *req)
{
        uint8_t *reg = in + 16;

        memset(in, 0, SIM_TEST_REG_MBOX_LEN);
        in[0] = ACCESS_REG_OPCODE >> 8;
        in[1] = ACCESS_REG_OPCODE & 0xff;
        in[7] = op_mod;
        in[10] = REG_RESOURCE_DUMP >> 8;                /* register_id, byte 0xa */
        in[11] = REG_RESOURCE_DUMP & 0xff;
        in[2] = req->uid >> 8;
        in[3] = req->uid;
        reg[0] = 0x40 | (req->vhca_id_valid ? 0x20 : 0);  /* inline_dump, bit 1; vhca_id_valid, bit 2 */
        reg[2] = req->segment_type >> 8;
        reg[3] = req->segment_type;
        reg[6] = req->vhca_id >> 8;
        reg[7] = req->vhca_id;
        put_be32(reg + 8, req->index1);
        put_be32(reg + 0xc, req->index2);
        reg[0x10] = req->num_of_obj1 >> 8;
        reg[0x11] = req->num_of_obj1;
        reg[0x12] = req->num_of_obj2 >> 8;
        reg[0x13] = req->num_of_obj2;
}

unsigned sim_test_dump_status(mlx5_sim *sim, const sim_test_dump_request *req, uint32_t *ret_syndrome)
{
        uint8_t in[SIM_TEST_REG_MBOX_LEN], out[SIM_TEST_REG_MBOX_LEN];
        unsigned status;

        sim_test_dump_in(in, 1, req);
        status = sim_test_exec(sim, in, sizeof(in), out, sizeof(out));
        if (ret_syndrome)
                *ret_syndrome = sim_test_be32(out + 4);
        return status;
}

GByteArray *sim_test_dump(mlx5_sim *sim, const sim_test_dump_request *req, unsigned *ret_calls)
{
        return sim_test_dump_with(sim, req, ret_calls, NULL, NULL);
}

GByteArray *sim_test_dump_with(mlx5_sim *sim, const sim_test_dump_request *req, unsigned *ret_calls,
                               void (*between)(void *data), void *data)
{
        GByteArray *stream = g_byte_array_new();
        uint8_t in[SIM_TEST_REG_MBOX_LEN], out[SIM_TEST_REG_MBOX_LEN];
        uint8_t *reg = in + 16, *ans = out + 16;
        unsigned calls = 0;

        sim_test_dump_in(in, 1, req);
        for (;;) {
                unsigned seq_in = reg[1] & 0xf, size;

                g_assert_cmpuint(sim_test_exec(sim, in, sizeof(in), out, sizeof(out)), ==, 0);
                calls++;
                g_assert_cmpuint(ans[1] & 0xf, ==, (seq_in + 1) & 0xf);
                size = sim_test_be32(ans + 0x24);
                g_assert_cmpuint(size, <=, INLINE_LEN);
                /* Nothing past size. */
                for (unsigned i = 0x30 + size; i < REG_LEN; i++)
                        g_assert_cmpuint(ans[i], ==, 0);
                g_byte_array_append(stream, ans + 0x30, size);
                if (!(ans[0] & 0x80))
                        break;
                g_assert_cmpuint(size, >, 0);
                g_assert_cmpuint(calls, <, 1u << 20);
                /* Feed back what firmware returned: seq_num, device_opaque, more_dump. */
                reg[0] = (reg[0] & 0x7f) | (ans[0] & 0x80);
                reg[1] = ans[1];
                memcpy(reg + 0x18, ans + 0x18, 8);
                if (between)
                        between(data);
        }
        if (ret_calls)
                *ret_calls = calls;
        return stream;
}

GArray *sim_test_split(const GByteArray *stream)
{
        GArray *segs = g_array_new(FALSE, FALSE, sizeof(sim_test_segment));
        size_t off = 0;

        while (off < stream->len) {
                sim_test_segment s;

                g_assert_cmpuint(stream->len - off, >=, 4);
                s.data = stream->data + off;
                s.len = sim_test_be16(s.data) * 4;
                s.type = sim_test_be16(s.data + 2);
                g_assert_cmpuint(s.len, >=, 4);
                g_assert_cmpuint(s.len, <=, stream->len - off);
                g_array_append_val(segs, s);
                off += s.len;
        }
        g_assert_cmpuint(segs->len, >=, 3);
        g_assert_cmpuint(g_array_index(segs, sim_test_segment, 0).type, ==, SEG_INFO);
        g_assert_cmpuint(g_array_index(segs, sim_test_segment, 1).type, ==, SEG_COMMAND);
        g_assert_cmpuint(g_array_index(segs, sim_test_segment, segs->len - 1).type, ==, SEG_TERMINATE);
        g_assert_cmpuint(g_array_index(segs, sim_test_segment, segs->len - 1).len, ==, 4);
        return segs;
}

int sim_test_menu_lookup(mlx5_sim *sim, const char *name)
{
        const sim_test_dump_request req = { .segment_type = 0xffff };
        g_autoptr(GByteArray) stream = sim_test_dump(sim, &req, NULL);

        for (size_t off = 0; off + 4 <= stream->len;) {
                const uint8_t *seg = stream->data + off;
                size_t len = sim_test_be16(seg) * 4;

                g_assert_cmpuint(len, >=, 4);
                if (sim_test_be16(seg + 2) == 0xffff) {
                        unsigned n = sim_test_be16(seg + 6);

                        for (unsigned i = 0; i < n; i++) {
                                const uint8_t *rec = seg + 8 + i * 52;

                                if (strncmp((const char *) rec + 4, name, 16) == 0)
                                        return sim_test_be16(rec + 2);
                        }
                }
                off += len;
        }
        return -1;
}

void sim_test_expect_spec_error(const char *text, const char *needle)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(mlx5_sim_spec) spec = mlx5_sim_spec_parse(text, sim_test_schema(), &error);

        g_assert_null(spec);
        g_assert_nonnull(error);
        g_test_message("%s -> %s", text, error->message);
        if (!strstr(error->message, needle))
                g_error("error for '%s' does not name '%s': %s", text, needle, error->message);
}

unsigned sim_test_create_uctx(mlx5_sim *sim, uint32_t cap, unsigned *ret_uid)
{
        uint8_t in[0x40] = { 0 }, out[16];
        unsigned status;

        sim_test_query_in(in, CREATE_UCTX_OPCODE, 0, 0);
        in[0x10] = cap >> 24;
        in[0x11] = cap >> 16;
        in[0x12] = cap >> 8;
        in[0x13] = cap;
        status = sim_test_exec(sim, in, sizeof(in), out, sizeof(out));
        *ret_uid = sim_test_be16(out + 0xa);
        return status;
}
