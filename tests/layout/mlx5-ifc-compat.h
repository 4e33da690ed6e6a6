/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel types mlx5_ifc.h needs, so that the system header compiles in
 * userspace as it is.  With u8 a byte, each `u8 name[N]` of a _bits struct
 * takes N bytes for N bits: offsetof() is the bit offset, sizeof() the width.
 */
#pragma once

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef unsigned short __be16;
typedef unsigned int __be32;
typedef unsigned long long __be64;

#ifndef BIT
#define BIT(n) (1UL << (n))
#endif
#ifndef BIT_ULL
#define BIT_ULL(n) (1ULL << (n))
#endif

#include <mlx5_ifc.h>
