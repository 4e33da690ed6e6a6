/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * prm/bits.h against hand-computed PRM bit positions (bit 0 is the most
 * significant bit of byte 0), and against a one-bit-at-a-time reference.
 */
#include <glib.h>
#include <string.h>

#include "prm/bits.h"

static const uint8_t pattern[12] = {
        0xde, 0xad, 0xbe, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
};

/* The obvious definition, to compare the real helpers with. */
static unsigned ref_bit(const uint8_t *buf, uint64_t bit)
{
        return buf[bit / 8] >> (7 - bit % 8) & 1;
}

static void test_get_known(void)
{
        g_assert_cmphex(mlx5_bits_get(pattern, sizeof(pattern), 0, 1), ==, 1);
        g_assert_cmphex(mlx5_bits_get(pattern, sizeof(pattern), 2, 1), ==, 0);
        g_assert_cmphex(mlx5_bits_get(pattern, sizeof(pattern), 3, 1), ==, 1);
        g_assert_cmphex(mlx5_bits_get(pattern, sizeof(pattern), 0, 4), ==, 0xd);
        g_assert_cmphex(mlx5_bits_get(pattern, sizeof(pattern), 4, 4), ==, 0xe);
        /* odd offset across a byte boundary: 0xde 0xad -> bits 5..14 */
        g_assert_cmphex(mlx5_bits_get(pattern, sizeof(pattern), 5, 10), ==, 0x356);
        g_assert_cmphex(mlx5_bits_get(pattern, sizeof(pattern), 4, 8), ==, 0xea);
        /* a 24-bit field as in qpc.pd (DW[23:0]) */
        g_assert_cmphex(mlx5_bits_get(pattern, sizeof(pattern), 8, 24), ==, 0xadbeef);
        /* across the dword boundary: low nibble of 0xef, high nibble of 0x01 */
        g_assert_cmphex(mlx5_bits_get(pattern, sizeof(pattern), 28, 8), ==, 0xf0);
        g_assert_cmphex(mlx5_bits_get(pattern, sizeof(pattern), 0, 32), ==, 0xdeadbeef);
        g_assert_cmphex(mlx5_bits_get(pattern, sizeof(pattern), 32, 32), ==, 0x01234567);
        /* 64-bit, dword aligned (like dbr_addr) and not aligned at all */
        g_assert_cmphex(mlx5_bits_get(pattern, sizeof(pattern), 32, 64), ==, 0x0123456789abcdefull);
        g_assert_cmphex(mlx5_bits_get(pattern, sizeof(pattern), 0, 64), ==, 0xdeadbeef01234567ull);
        g_assert_cmphex(mlx5_bits_get(pattern, sizeof(pattern), 4, 64), ==, 0xeadbeef012345678ull);
        g_assert_cmphex(mlx5_bits_get(pattern, sizeof(pattern), 31, 64), ==, 0x8091a2b3c4d5e6f7ull);
        /* the last bits of the buffer */
        g_assert_cmphex(mlx5_bits_get(pattern, sizeof(pattern), 95, 1), ==, 1);
        g_assert_cmphex(mlx5_bits_get(pattern, sizeof(pattern), 84, 12), ==, 0xdef);
}

static void test_set_known(void)
{
        uint8_t buf[12] = { 0 };
        uint8_t ones[4];

        /* across a dword: 0xab into bits 28..35 */
        mlx5_bits_set(buf, sizeof(buf), 28, 8, 0xab);
        g_assert_cmphex(buf[3], ==, 0x0a);
        g_assert_cmphex(buf[4], ==, 0xb0);
        g_assert_cmphex(buf[2], ==, 0);
        g_assert_cmphex(buf[5], ==, 0);

        /* neighbours keep their bits */
        memset(ones, 0xff, sizeof(ones));
        mlx5_bits_set(ones, sizeof(ones), 5, 6, 0);
        g_assert_cmphex(ones[0], ==, 0xf8);
        g_assert_cmphex(ones[1], ==, 0x1f);
        g_assert_cmphex(ones[2], ==, 0xff);

        /* the 4-bit QP state ERR in the high nibble */
        memset(buf, 0, sizeof(buf));
        mlx5_bits_set(buf, sizeof(buf), 0, 4, 0x6);
        g_assert_cmphex(buf[0], ==, 0x60);

        /* 64-bit at an odd offset */
        memset(buf, 0, sizeof(buf));
        mlx5_bits_set(buf, sizeof(buf), 4, 64, 0xeadbeef012345678ull);
        g_assert_cmphex(buf[0], ==, 0x0e);
        g_assert_cmphex(buf[1], ==, 0xad);
        g_assert_cmphex(buf[7], ==, 0x67);
        g_assert_cmphex(buf[8], ==, 0x80);
        g_assert_cmphex(buf[9], ==, 0);

        /* only the low width bits of value are written */
        memset(buf, 0, sizeof(buf));
        mlx5_bits_set(buf, sizeof(buf), 8, 4, 0xfff5);
        g_assert_cmphex(buf[0], ==, 0);
        g_assert_cmphex(buf[1], ==, 0x50);
}

/*
 * Every offset 0..70 and width 1..64, in buffers that end right after the
 * field or up to 9 bytes later (the helpers take a word at a time only where
 * one fits): set then get, and nothing else moves.
 */
static void test_round_trip(void)
{
        GRand *rand = g_rand_new_with_seed(7);

        for (unsigned off = 0; off <= 70; off++) {
                for (unsigned width = 1; width <= 64; width++) {
                        for (unsigned slack = 0; slack <= 9; slack++) {
                                size_t len = (off + width + 7) / 8 + slack;
                                uint8_t buf[32], before[32];
                                uint64_t value = (uint64_t) g_rand_int(rand) << 32 | g_rand_int(rand);
                                uint64_t field = width < 64 ? value & ((UINT64_C(1) << width) - 1) : value;

                                /* Bits of value above width are ignored. */
                                if (slack % 2)
                                        value = field;
                                for (unsigned i = 0; i < sizeof(buf); i++)
                                        buf[i] = g_rand_int(rand);
                                memcpy(before, buf, sizeof(buf));

                                mlx5_bits_set(buf, len, off, width, value);
                                g_assert_cmphex(mlx5_bits_get(buf, len, off, width), ==, field);
                                for (unsigned bit = 0; bit < sizeof(buf) * 8; bit++) {
                                        unsigned want = bit < off || bit >= off + width ?
                                                        ref_bit(before, bit) :
                                                        (unsigned) (field >> (off + width - 1 - bit) & 1);

                                        g_assert_cmpuint(ref_bit(buf, bit), ==, want);
                                }
                        }
                }
        }
        g_rand_free(rand);
}

static void test_range(void)
{
        uint8_t buf[4] = { 0x12, 0x34, 0x56, 0x78 };

        g_assert_true(mlx5_bits_in_range(4, 0, 32));
        g_assert_true(mlx5_bits_in_range(4, 31, 1));
        g_assert_true(mlx5_bits_in_range(4, 32, 0));
        g_assert_false(mlx5_bits_in_range(4, 1, 32));
        g_assert_false(mlx5_bits_in_range(4, 32, 1));
        g_assert_false(mlx5_bits_in_range(0, 0, 1));
        g_assert_false(mlx5_bits_in_range(4, 0, 33));
        /* no wrap-around for absurd offsets or widths */
        g_assert_false(mlx5_bits_in_range(4, UINT64_MAX, 1));
        g_assert_false(mlx5_bits_in_range(4, 1, UINT64_MAX));
        g_assert_false(mlx5_bits_in_range(4, UINT64_MAX - 2, 8));

        /* out of range reads zero and writes nothing */
        g_assert_cmphex(mlx5_bits_get(buf, sizeof(buf), 25, 8), ==, 0);
        g_assert_cmphex(mlx5_bits_get(buf, sizeof(buf), UINT64_MAX - 3, 8), ==, 0);
        g_assert_cmphex(mlx5_bits_get(buf, sizeof(buf), 0, 0), ==, 0);
        g_assert_cmphex(mlx5_bits_get(buf, sizeof(buf), 0, 65), ==, 0);
        mlx5_bits_set(buf, sizeof(buf), 25, 8, 0xff);
        mlx5_bits_set(buf, sizeof(buf), 0, 0, 0xff);
        mlx5_bits_set(buf, sizeof(buf), 0, 65, 0xff);
        mlx5_bits_set(buf, sizeof(buf), UINT64_MAX - 3, 8, 0xff);
        g_assert_cmphex(mlx5_be32_get(buf), ==, 0x12345678);
}

static void test_be32(void)
{
        uint8_t buf[4];

        mlx5_be32_set(buf, 0xdeadbeef);
        g_assert_cmphex(buf[0], ==, 0xde);
        g_assert_cmphex(buf[3], ==, 0xef);
        g_assert_cmphex(mlx5_be32_get(pattern + 4), ==, 0x01234567);
        g_assert_cmphex(mlx5_be32_get(buf), ==, mlx5_bits_get(buf, sizeof(buf), 0, 32));
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/bits/get-known", test_get_known);
        g_test_add_func("/bits/set-known", test_set_known);
        g_test_add_func("/bits/round-trip", test_round_trip);
        g_test_add_func("/bits/range", test_range);
        g_test_add_func("/bits/be32", test_be32);
        return g_test_run();
}
