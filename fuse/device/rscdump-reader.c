/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <string.h>

#include "device/rscdump-reader.h"
#include "prm/mbox.h"
#include "prm/rscdump.h"

#define ACCESS_REG_LEN (MLX5_MBOX_HDR_LEN + MLX5_RSCDUMP_REG_LEN)

/* Fields firmware returns that the next request must carry back. */
static const struct {
        unsigned bit, width;
} continued_fields[] = {
        { MLX5_RSCDUMP_MORE_DUMP_BIT, 1 },
        { MLX5_RSCDUMP_SEQ_NUM_BIT, 4 },
        { MLX5_RSCDUMP_INDEX1_BIT, 32 },
        { MLX5_RSCDUMP_INDEX2_BIT, 32 },
        { MLX5_RSCDUMP_NUM_OF_OBJ1_BIT, 16 },
        { MLX5_RSCDUMP_NUM_OF_OBJ2_BIT, 16 },
        { MLX5_RSCDUMP_DEVICE_OPAQUE_BIT, 64 },
};

/*
 * Charges the account for a buffer of len bytes: what glib allocates for it
 * (the next power of two), so that the charge follows the real memory.
 */
static int charge_for(const struct mlx5_rscdump_request *req, size_t len, size_t *charged, const char *who)
{
        size_t need = len ? (size_t) 1 << g_bit_storage(len - 1) : 0;
        int r;

        if (!req->account || need <= *charged)
                return 0;
        r = req->account->charge(req->account->data, need - *charged, who);
        if (r < 0)
                return r;
        *charged = need;
        return 0;
}

static int read_chunks(mlx5_transport *t, const struct mlx5_rscdump_request *req, GByteArray *stream,
                       size_t *charged, unsigned *ret_status, uint32_t *ret_syndrome)
{
        uint8_t in[ACCESS_REG_LEN] = { 0 }, out[ACCESS_REG_LEN];
        uint8_t *reg_in = in + MLX5_MBOX_HDR_LEN, *reg_out = out + MLX5_MBOX_HDR_LEN;
        const char *who = req->who ? req->who : "resource dump";
        uint64_t max_bytes;

        mlx5_mbox_in_set_hdr(in, MLX5_CMD_OP_ACCESS_REG, MLX5_ACCESS_REG_OP_MOD_READ);
        mlx5_bits_set(in, sizeof(in), MLX5_ACCESS_REG_ID_BIT, 16, MLX5_REG_RESOURCE_DUMP);
        mlx5_bits_set(reg_in, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_INLINE_DUMP_BIT, 1, 1);
        mlx5_bits_set(reg_in, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_SEGMENT_TYPE_BIT, 16, req->segment_type);
        mlx5_bits_set(reg_in, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_VHCA_ID_BIT, 16, req->vhca_id);
        mlx5_bits_set(reg_in, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_INDEX1_BIT, 32, req->index1);
        mlx5_bits_set(reg_in, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_NUM_OF_OBJ1_BIT, 16, req->num_of_obj1);
        mlx5_bits_set(reg_in, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_INDEX2_BIT, 32, req->index2);
        mlx5_bits_set(reg_in, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_NUM_OF_OBJ2_BIT, 16, req->num_of_obj2);

        max_bytes = mlx5_limits_get()->dump_max_bytes;
        if (req->max_bytes)
                max_bytes = MIN(max_bytes, req->max_bytes);
        for (uint64_t chunks = 0;; chunks++) {
                unsigned seq_in = mlx5_bits_get(reg_in, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_SEQ_NUM_BIT, 4);
                unsigned seq_out;
                uint64_t size;
                int r;

                if (chunks >= mlx5_limits_get()->dump_max_chunks) {
                        mlx5_limit_trip(MLX5_LIMIT_DUMP_CHUNKS, who, "firmware still says more_dump after %" G_GUINT64_FORMAT " chunks", chunks);
                        return -EFBIG;
                }
                if (req->deadline) {
                        r = mlx5_deadline_check(req->deadline, who);
                        if (r < 0)
                                return r;
                }
                memset(out, 0, sizeof(out));
                r = mlx5_transport_exec(t, in, sizeof(in), out, sizeof(out));
                if (r < 0)
                        return r;
                if (mlx5_mbox_out_status(out) != MLX5_CMD_STAT_OK) {
                        if (ret_status)
                                *ret_status = mlx5_mbox_out_status(out);
                        if (ret_syndrome)
                                *ret_syndrome = mlx5_mbox_out_syndrome(out);
                        return -EIO;
                }

                /*
                 * Firmware must advance the sequence by one (mod 16).  The kernel also
                 * takes 0 at any point; no firmware is known to need that, and a
                 * sequence stuck at 0 would then never stop a looping dump: stricter.
                 */
                seq_out = mlx5_bits_get(reg_out, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_SEQ_NUM_BIT, 4);
                if (seq_out != ((seq_in + 1) & 0xf)) {
                        mlx5_limit_trip(MLX5_LIMIT_DUMP_SEQ, who, "chunk %" G_GUINT64_FORMAT " has seq_num %u, expected %u",
                                        chunks, seq_out, (seq_in + 1) & 0xf);
                        return -EIO;
                }

                size = mlx5_bits_get(reg_out, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_SIZE_BIT, 32);
                if (size > MLX5_RSCDUMP_INLINE_LEN) {
                        g_warning("%s: firmware says a chunk holds %" G_GUINT64_FORMAT " bytes, more than the %u inline",
                                  who, size, MLX5_RSCDUMP_INLINE_LEN);
                        return -EPROTO;
                }
                if (stream->len + size > max_bytes) {
                        mlx5_limit_trip(MLX5_LIMIT_DUMP_BYTES, who, "dump longer than %" G_GUINT64_FORMAT " bytes",
                                        max_bytes);
                        return -EFBIG;
                }
                r = charge_for(req, stream->len + size, charged, who);
                if (r < 0)
                        return r;
                g_byte_array_append(stream, reg_out + MLX5_RSCDUMP_INLINE_BYTE, size);
                if (req->on_chunk && (r = req->on_chunk(stream, req->user_data)) < 0)
                        return r;

                if (!mlx5_bits_get(reg_out, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_MORE_DUMP_BIT, 1))
                        break;
                /* An empty chunk that still says "more" would loop forever. */
                if (size == 0) {
                        g_warning("%s: firmware sent an empty chunk that says more_dump", who);
                        return -EIO;
                }
                for (size_t i = 0; i < G_N_ELEMENTS(continued_fields); i++)
                        mlx5_bits_set(reg_in, MLX5_RSCDUMP_REG_LEN, continued_fields[i].bit,
                                      continued_fields[i].width,
                                      mlx5_bits_get(reg_out, MLX5_RSCDUMP_REG_LEN,
                                                    continued_fields[i].bit, continued_fields[i].width));
        }
        return 0;
}

int mlx5_rscdump_read(mlx5_transport *t, const struct mlx5_rscdump_request *req,
                      GByteArray **ret_stream, unsigned *ret_status, uint32_t *ret_syndrome)
{
        g_autoptr(GByteArray) stream = g_byte_array_new();
        size_t charged = 0;
        int r;

        r = read_chunks(t, req, stream, &charged, ret_status, ret_syndrome);
        if (charged)
                req->account->uncharge(req->account->data, charged);
        if (r < 0)
                return r;
        *ret_stream = g_steal_pointer(&stream);
        return 0;
}

int mlx5_rscdump_next_segment(const GByteArray *stream, size_t *offset, struct mlx5_rscdump_segment *ret_seg)
{
        const uint8_t *p;
        size_t left, len;

        if (*offset >= stream->len)
                return 0;
        left = stream->len - *offset;
        if (left < MLX5_RSCDUMP_SEG_HDR_LEN)
                return -EBADMSG;
        p = stream->data + *offset;
        len = (size_t) mlx5_bits_get(p, left, MLX5_RSCDUMP_SEG_LENGTH_DW_BIT, 16) * 4;
        if (len < MLX5_RSCDUMP_SEG_HDR_LEN || len > left)
                return -EBADMSG;

        ret_seg->type = mlx5_bits_get(p, left, MLX5_RSCDUMP_SEG_TYPE_BIT, 16);
        ret_seg->data = p;
        ret_seg->len = len;
        *offset += len;
        return ret_seg->type == MLX5_RSCDUMP_SEG_TERMINATE ? 0 : 1;
}
