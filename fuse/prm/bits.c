/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "bits.h"

uint64_t mlx5_bits_get_bytes(const uint8_t *buf, size_t len, uint64_t bit_off, unsigned width)
{
        uint64_t v = 0;

        if (width == 0 || width > 64 || !mlx5_bits_in_range(len, bit_off, width))
                return 0;

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

void mlx5_bits_set_bytes(uint8_t *buf, size_t len, uint64_t bit_off, unsigned width, uint64_t value)
{
        uint64_t end = bit_off + width;

        if (width == 0 || width > 64 || !mlx5_bits_in_range(len, bit_off, width))
                return;

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
