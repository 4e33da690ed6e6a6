/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The RESOURCE_DUMP register (read through ACCESS_REG) and the segment
 * stream it returns.  Offsets are PRM bit offsets (mlx5_ifc.h
 * resource_dump_*_bits); both the daemon's reader and the simulated
 * firmware's writer use these, so the two cannot drift apart.
 */
#pragma once

/* resource_dump register: 0x800 bits, register_data at byte 0x10 of the mailboxes */
#define MLX5_RSCDUMP_REG_LEN            256
#define MLX5_RSCDUMP_INLINE_LEN         208     /* inline_data[52][0x20] */
#define MLX5_RSCDUMP_INLINE_BYTE        0x30

#define MLX5_RSCDUMP_MORE_DUMP_BIT      0x0     /* 1 */
#define MLX5_RSCDUMP_INLINE_DUMP_BIT    0x1     /* 1 */
#define MLX5_RSCDUMP_SEQ_NUM_BIT        0xc     /* 4 */
#define MLX5_RSCDUMP_SEGMENT_TYPE_BIT   0x10    /* 16 */
#define MLX5_RSCDUMP_VHCA_ID_BIT        0x30    /* 16 */
#define MLX5_RSCDUMP_INDEX1_BIT         0x40    /* 32 */
#define MLX5_RSCDUMP_INDEX2_BIT         0x60    /* 32 */
#define MLX5_RSCDUMP_NUM_OF_OBJ1_BIT    0x80    /* 16 */
#define MLX5_RSCDUMP_NUM_OF_OBJ2_BIT    0x90    /* 16 */
#define MLX5_RSCDUMP_DEVICE_OPAQUE_BIT  0xc0    /* 64 */
#define MLX5_RSCDUMP_MKEY_BIT           0x100   /* 32 */
#define MLX5_RSCDUMP_SIZE_BIT           0x120   /* 32 */
#define MLX5_RSCDUMP_ADDRESS_BIT        0x140   /* 64 */

#define MLX5_RSCDUMP_ALL                0xffff  /* num_of_obj: every object */
#define MLX5_RSCDUMP_ACTIVE             0xfffe  /* num_of_obj: every active object */

enum mlx5_rscdump_segment_type {
        MLX5_RSCDUMP_SEG_RESOURCE_MAX = 0xfeff,
        MLX5_RSCDUMP_SEG_NOTICE = 0xfff9,
        MLX5_RSCDUMP_SEG_COMMAND = 0xfffa,
        MLX5_RSCDUMP_SEG_TERMINATE = 0xfffb,
        MLX5_RSCDUMP_SEG_ERROR = 0xfffc,
        MLX5_RSCDUMP_SEG_REFERENCE = 0xfffd,
        MLX5_RSCDUMP_SEG_INFO = 0xfffe,
        MLX5_RSCDUMP_SEG_MENU = 0xffff,
};

/* resource_dump_segment_header: length_dw counts dwords, header included */
#define MLX5_RSCDUMP_SEG_LENGTH_DW_BIT  0x0     /* 16 */
#define MLX5_RSCDUMP_SEG_TYPE_BIT       0x10    /* 16 */
#define MLX5_RSCDUMP_SEG_HDR_LEN        4
/* Longest segment the 16-bit length_dw can describe. */
#define MLX5_RSCDUMP_MAX_SEG_LEN        (0xffffu * 4)

/* resource_dump_resource_segment */
#define MLX5_RSCDUMP_RES_INDEX1_BIT     0x40
#define MLX5_RSCDUMP_RES_INDEX2_BIT     0x60
#define MLX5_RSCDUMP_RES_PAYLOAD_BYTE   0x10

/* resource_dump_info_segment (0x80 bits) */
#define MLX5_RSCDUMP_INFO_LEN           16
#define MLX5_RSCDUMP_INFO_DUMP_VERSION_BIT 0x38 /* 8 */
#define MLX5_RSCDUMP_INFO_HW_VERSION_BIT 0x40   /* 32 */
#define MLX5_RSCDUMP_INFO_FW_VERSION_BIT 0x60   /* 32 */

/* resource_dump_command_segment (0xa0 bits) */
#define MLX5_RSCDUMP_CMD_LEN            20
#define MLX5_RSCDUMP_CMD_SEGMENT_CALLED_BIT 0x20 /* 16 */
#define MLX5_RSCDUMP_CMD_VHCA_ID_BIT    0x30
#define MLX5_RSCDUMP_CMD_INDEX1_BIT     0x40
#define MLX5_RSCDUMP_CMD_INDEX2_BIT     0x60
#define MLX5_RSCDUMP_CMD_NUM_OF_OBJ1_BIT 0x80
#define MLX5_RSCDUMP_CMD_NUM_OF_OBJ2_BIT 0x90

/* resource_dump_error_segment (0x180 bits) */
#define MLX5_RSCDUMP_ERROR_LEN          48
#define MLX5_RSCDUMP_ERROR_SYNDROME_BIT 0x30    /* 16 */
#define MLX5_RSCDUMP_ERROR_TEXT_BYTE    0x10    /* 32 ASCII bytes */

/* resource_dump_menu_segment: header, num_of_records, then records */
#define MLX5_RSCDUMP_MENU_NUM_RECORDS_BIT 0x30  /* 16 */
#define MLX5_RSCDUMP_MENU_RECORDS_BYTE  0x8
#define MLX5_RSCDUMP_MENU_RECORD_LEN    52
/* resource_dump_menu_record: one flag bit each */
#define MLX5_RSCDUMP_REC_NUM_OF_OBJ2_SUPPORTS_ACTIVE_BIT 0x4
#define MLX5_RSCDUMP_REC_NUM_OF_OBJ2_SUPPORTS_ALL_BIT 0x5
#define MLX5_RSCDUMP_REC_MUST_HAVE_NUM_OF_OBJ2_BIT 0x6
#define MLX5_RSCDUMP_REC_SUPPORT_NUM_OF_OBJ2_BIT 0x7
#define MLX5_RSCDUMP_REC_NUM_OF_OBJ1_SUPPORTS_ACTIVE_BIT 0x8
#define MLX5_RSCDUMP_REC_NUM_OF_OBJ1_SUPPORTS_ALL_BIT 0x9
#define MLX5_RSCDUMP_REC_MUST_HAVE_NUM_OF_OBJ1_BIT 0xa
#define MLX5_RSCDUMP_REC_SUPPORT_NUM_OF_OBJ1_BIT 0xb
#define MLX5_RSCDUMP_REC_MUST_HAVE_INDEX2_BIT 0xc
#define MLX5_RSCDUMP_REC_SUPPORT_INDEX2_BIT 0xd
#define MLX5_RSCDUMP_REC_MUST_HAVE_INDEX1_BIT 0xe
#define MLX5_RSCDUMP_REC_SUPPORT_INDEX1_BIT 0xf
#define MLX5_RSCDUMP_REC_SEGMENT_TYPE_BIT 0x10  /* 16 */
#define MLX5_RSCDUMP_REC_SEGMENT_NAME_BYTE 0x4  /* 16 ASCII bytes */
#define MLX5_RSCDUMP_REC_INDEX1_NAME_BYTE 0x14
#define MLX5_RSCDUMP_REC_INDEX2_NAME_BYTE 0x24
#define MLX5_RSCDUMP_NAME_LEN           16
