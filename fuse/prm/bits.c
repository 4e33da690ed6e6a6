/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <endian.h>
#include <string.h>

#include "bits.h"

/*
 * Every mailbox goes through these, field by field: where the eight bytes
 * from the field's first byte lie inside the buffer and hold the whole field
 * (all but 64-bit fields at odd bits and fields in a buffer's last 7 bytes),
 * one big-endian load (and store) does it; otherwise a byte at a time.
 */
static bool one_word(size_t len, uint64_t bit_off, unsigned width)
{
        return bit_off / 8 + 8 <= len && bit_off % 8 + width <= 64;
}

static uint64_t load_be64(const uint8_t *p)
{
        uint64_t w;

        memcpy(&w, p, sizeof(w));
        return be64toh(w);
}

uint64_t mlx5_bits_get(const uint8_t *buf, size_t len, uint64_t bit_off, unsigned width)
{
        uint64_t v = 0;

        if (width == 0 || width > 64 || !mlx5_bits_in_range(len, bit_off, width))
                return 0;
        if (one_word(len, bit_off, width))
                return load_be64(buf + bit_off / 8) << (bit_off % 8) >> (64 - width);

        for (uint64_t bit = bit_off; bit < bit_off + width;) {
                unsigned in_byte = bit % 8;
                unsigned take = 8 - in_byte;
                unsigned shift;
                uint8_t byte;

                if (take > bit_off + width - bit)
                        take = bit_off + width - bit;
                shift = 8 - in_byte - take;
                byte = (buf[bit / 8] >> shift) & ((1u << take) - 1);
                v = (v << take) | byte;
                bit += take;
        }
        return v;
}

void mlx5_bits_set(uint8_t *buf, size_t len, uint64_t bit_off, unsigned width, uint64_t value)
{
        uint64_t end = bit_off + width;

        if (width == 0 || width > 64 || !mlx5_bits_in_range(len, bit_off, width))
                return;
        if (one_word(len, bit_off, width)) {
                unsigned shift = 64 - bit_off % 8 - width;
                uint64_t mask = (UINT64_MAX >> (64 - width)) << shift;
                uint64_t w = (load_be64(buf + bit_off / 8) & ~mask) | ((value << shift) & mask);

                w = htobe64(w);
                memcpy(buf + bit_off / 8, &w, sizeof(w));
                return;
        }

        /* Walk from the least significant end so value can be shifted down. */
        while (end > bit_off) {
                unsigned last = (end - 1) % 8;          /* bit index in its byte, 0 = MSB */
                unsigned take = last + 1;
                unsigned shift;
                uint8_t mask;

                if (take > end - bit_off)
                        take = end - bit_off;
                shift = 7 - last;
                mask = ((1u << take) - 1) << shift;
                buf[(end - 1) / 8] = (buf[(end - 1) / 8] & ~mask) | ((value << shift) & mask);
                value >>= take;
                end -= take;
        }
}
