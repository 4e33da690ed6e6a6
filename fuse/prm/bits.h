/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PRM layouts are big-endian bit streams: bit 0 is the most significant bit
 * of byte 0.  These helpers read and write a field of up to 64 bits at any
 * bit offset, so fields that straddle dwords need no special casing.
 */
#pragma once

#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* True when [bit_off, bit_off + width) lies inside a buffer of len bytes. */
static inline bool mlx5_bits_in_range(size_t len, uint64_t bit_off, uint64_t width)
{
        return width <= (uint64_t) len * 8 && bit_off <= (uint64_t) len * 8 - width;
}

/* A byte at a time, any field in range (bits.c); out-of-range bits read as zero and are not written. */
uint64_t mlx5_bits_get_bytes(const uint8_t *buf, size_t len, uint64_t bit_off, unsigned width);
void mlx5_bits_set_bytes(uint8_t *buf, size_t len, uint64_t bit_off, unsigned width, uint64_t value);

/*
 * Every mailbox goes through these, field by field, so they are inline:
 * where the eight bytes from the field's first byte lie inside the buffer
 * and hold the whole field (all but 64-bit fields at odd bits and fields in
 * a buffer's last 7 bytes), one big-endian load (and store) does it.
 */
static inline bool mlx5_bits_one_word(size_t len, uint64_t bit_off, unsigned width)
{
        return width - 1u < 64u && bit_off / 8 + 8 <= len && bit_off % 8 + width <= 64;
}

static inline uint64_t mlx5_load_be64(const uint8_t *p)
{
        uint64_t w;

        memcpy(&w, p, sizeof(w));
        return be64toh(w);
}

/* Callers check the range first; out-of-range bits read as zero. */
static inline uint64_t mlx5_bits_get(const uint8_t *buf, size_t len, uint64_t bit_off, unsigned width)
{
        if (mlx5_bits_one_word(len, bit_off, width))
                return mlx5_load_be64(buf + bit_off / 8) << (bit_off % 8) >> (64 - width);
        return mlx5_bits_get_bytes(buf, len, bit_off, width);
}

/* The one word's part of a field width bits wide at bit_off: its bits, shifted this far from the word's end. */
static inline unsigned mlx5_word_shift(uint64_t bit_off, unsigned width)
{
        return 64 - bit_off % 8 - width;
}

static inline uint64_t mlx5_word_mask(uint64_t bit_off, unsigned width)
{
        return (UINT64_MAX >> (64 - width)) << mlx5_word_shift(bit_off, width);
}

/* The field under mask of the eight bytes at p becomes value (its low bits) shifted. */
static inline void mlx5_word_set(uint8_t *p, unsigned shift, uint64_t mask, uint64_t value)
{
        uint64_t w = htobe64((mlx5_load_be64(p) & ~mask) | ((value << shift) & mask));

        memcpy(p, &w, sizeof(w));
}

/* Only the low width bits of value are written. */
static inline void mlx5_bits_set(uint8_t *buf, size_t len, uint64_t bit_off, unsigned width, uint64_t value)
{
        if (mlx5_bits_one_word(len, bit_off, width)) {
                mlx5_word_set(buf + bit_off / 8, mlx5_word_shift(bit_off, width), mlx5_word_mask(bit_off, width), value);
                return;
        }
        mlx5_bits_set_bytes(buf, len, bit_off, width, value);
}

static inline uint32_t mlx5_be32_get(const uint8_t *p)
{
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static inline void mlx5_be32_set(uint8_t *p, uint32_t v)
{
        p[0] = v >> 24;
        p[1] = v >> 16;
        p[2] = v >> 8;
        p[3] = v;
}
