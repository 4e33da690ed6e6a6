/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The resource-dump reader and the menu parser, through the device model:
 * a device whose every answer comes from the input opens (caps, menu) and
 * lists every type.  Per command the input gives one control byte, then:
 *   bit 7 set: the next byte is the status (a failed command);
 *   ACCESS_REG: more_dump = bit 0, seq_num the expected one if bit 1 else
 *     bits 2-5, then a size byte and that many inline bytes;
 *   anything else: up to the output's length of bytes.
 * When the input runs out, commands fail as if the device were gone.
 */
#include <errno.h>
#include <string.h>

#include "device/device.h"
#include "fuzz-common.h"
#include "prm/mbox.h"
#include "prm/rscdump.h"

struct fuzz_transport {
        mlx5_transport base;
        const uint8_t *data;
        size_t size, at;
        GMutex lock;
};

static bool take(struct fuzz_transport *ft, size_t n, const uint8_t **ret)
{
        if (ft->size - ft->at < n)
                return false;
        *ret = ft->data + ft->at;
        ft->at += n;
        return true;
}

static int fuzz_exec(mlx5_transport *t, const void *in, size_t inlen, void *out, size_t outlen)
{
        struct fuzz_transport *ft = (struct fuzz_transport *) t;
        const uint8_t *ctl, *p;
        uint8_t *o = out;
        int r = 0;

        g_mutex_lock(&ft->lock);
        memset(out, 0, outlen);
        if (!take(ft, 1, &ctl)) {
                r = -ENODEV;
        } else if (*ctl & 0x80) {
                if (take(ft, 1, &p))
                        o[0] = *p ? *p : MLX5_CMD_STAT_BAD_PARAM_ERR;
        } else if (mlx5_mbox_in_opcode(in) == MLX5_CMD_OP_ACCESS_REG && outlen >= MLX5_MBOX_HDR_LEN + MLX5_RSCDUMP_REG_LEN) {
                const uint8_t *req = (const uint8_t *) in + MLX5_MBOX_HDR_LEN;
                uint8_t *resp = o + MLX5_MBOX_HDR_LEN;
                unsigned seq = mlx5_bits_get(req, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_SEQ_NUM_BIT, 4);
                const uint8_t *len;

                memcpy(resp, req, MLX5_RSCDUMP_INLINE_BYTE);
                mlx5_bits_set(resp, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_MORE_DUMP_BIT, 1, *ctl & 1);
                mlx5_bits_set(resp, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_SEQ_NUM_BIT, 4,
                              *ctl & 2 ? (seq + 1) & 0xf : (*ctl >> 2) & 0xf);
                mlx5_bits_set(resp, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_DEVICE_OPAQUE_BIT, 64, 1);
                if (take(ft, 1, &len)) {
                        size_t n = MIN(*len, ft->size - ft->at);

                        mlx5_bits_set(resp, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_SIZE_BIT, 32, *len);
                        memcpy(resp + MLX5_RSCDUMP_INLINE_BYTE, ft->data + ft->at,
                               MIN(n, (size_t) MLX5_RSCDUMP_INLINE_LEN));
                        ft->at += n;
                }
        } else {
                size_t n = MIN(outlen - MLX5_MBOX_HDR_LEN, ft->size - ft->at);

                memcpy(o + MLX5_MBOX_HDR_LEN, ft->data + ft->at, n);
                ft->at += n;
        }
        g_mutex_unlock(&ft->lock);
        return r;
}

static void fuzz_destroy(mlx5_transport *t)
{
        struct fuzz_transport *ft = (struct fuzz_transport *) t;

        g_mutex_clear(&ft->lock);
        g_free(ft);
}

static const struct mlx5_transport_ops fuzz_ops = {
        .exec = fuzz_exec,
        .destroy = fuzz_destroy,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const mlx5_schema *schema = fuzz_schema();
        struct fuzz_transport *ft = g_new0(struct fuzz_transport, 1);
        g_autoptr(mlx5_device) dev = NULL;

        /* One slot: commands come in a fixed order, so an input replays the same run. */
        mlx5_transport_init(&ft->base, &fuzz_ops, 1);
        g_mutex_init(&ft->lock);
        ft->data = data;
        ft->size = size;
        g_strlcpy(ft->base.id.kind, "fuzz", sizeof(ft->base.id.kind));
        g_strlcpy(ft->base.id.pci_name, "fuzz", sizeof(ft->base.id.pci_name));
        if (mlx5_device_open(&ft->base, NULL, schema, &dev, NULL) < 0)
                return 0;
        for (unsigned i = 0; i < mlx5_schema_n_resources(schema); i++) {
                g_autoptr(GArray) ids = NULL;

                mlx5_device_list(dev, i, &ids);
        }
        return 0;
}
