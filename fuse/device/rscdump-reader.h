/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Client side of the RESOURCE_DUMP register: pages through a dump in inline
 * chunks (feeding back seq_num and device_opaque as firmware expects) and
 * walks the resulting segment stream.
 */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "device/fw-limits.h"
#include "transport/transport.h"

struct mlx5_rscdump_request {
        uint16_t segment_type;
        uint16_t vhca_id;
        uint32_t index1;
        uint32_t index2;
        uint16_t num_of_obj1;
        uint16_t num_of_obj2;
        const char *who;                /* names the dump in log lines */
        uint64_t max_bytes;             /* 0: the max_dump_mib limit; else the smaller of both */
        struct mlx5_deadline *deadline; /* or NULL */
        /*
         * Called after each chunk with the stream so far; a negative return
         * ends the dump with that error (e.g. a budget on what it holds).
         */
        int (*on_chunk)(const GByteArray *stream, void *user_data);
        void *user_data;
        /* What the growing buffer is charged to while the dump is read, or NULL. */
        const struct mlx5_mem_account *account;
};

/*
 * Reads one whole dump.  Returns 0 with the concatenated stream in
 * *ret_stream, -EIO on a firmware error (status, syndrome in *ret_status /
 * *ret_syndrome when given) or a broken sequence, -EPROTO (logged) for a
 * chunk that claims more bytes than it holds, -EFBIG when the dump
 * outgrows its byte or chunk budget, -ETIMEDOUT past the deadline, -ENOBUFS
 * when its buffer does not fit in the account (limits logged and counted,
 * see fw-limits.h), or the transport's -errno.  The buffer is uncharged
 * when the call returns: the caller hands it to the cache, which counts it.
 */
int mlx5_rscdump_read(mlx5_transport *t, const struct mlx5_rscdump_request *req,
                      GByteArray **ret_stream, unsigned *ret_status, uint32_t *ret_syndrome);

struct mlx5_rscdump_segment {
        uint16_t type;
        const uint8_t *data;    /* the whole segment, header included */
        size_t len;
};

/*
 * Iterates the segments of a stream: *offset starts at 0.  Returns 1 with the
 * next segment, 0 at the terminate segment or the end, -EBADMSG when a
 * segment header is malformed.
 */
int mlx5_rscdump_next_segment(const GByteArray *stream, size_t *offset, struct mlx5_rscdump_segment *ret_seg);
