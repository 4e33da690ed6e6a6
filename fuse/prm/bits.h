/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PRM layouts are big-endian bit streams: bit 0 is the most significant bit
 * of byte 0.  These helpers read and write a field of up to 64 bits at any
 * bit offset, so fields that straddle dwords need no special casing.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when [bit_off, bit_off + width) lies inside a buffer of len bytes. */
static inline bool mlx5_bits_in_range(size_t len, uint64_t bit_off, uint64_t width)
{
        return width <= (uint64_t) len * 8 && bit_off <= (uint64_t) len * 8 - width;
}

/* Callers check the range first; out-of-range bits read as zero. */
uint64_t mlx5_bits_get(const uint8_t *buf, size_t len, uint64_t bit_off, unsigned width);
void mlx5_bits_set(uint8_t *buf, size_t len, uint64_t bit_off, unsigned width, uint64_t value);

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
