/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <glib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include "pci-dma.h"

/* A mailbox or an EQE spans at most two pages; guest RAM is one region. */
#define MAX_SEGMENTS 4

static int dma_access(vfu_ctx_t *ctx, uint64_t addr, void *buf, size_t len, bool write)
{
        g_autofree dma_sg_t *sg = g_malloc0(dma_sg_size() * MAX_SEGMENTS);
        struct iovec iov[MAX_SEGMENTS];
        size_t done = 0;
        int n;

        if (len == 0)
                return 0;
        n = vfu_addr_to_sgl(ctx, (vfu_dma_addr_t) (uintptr_t) addr, len, sg, MAX_SEGMENTS,
                            write ? PROT_READ | PROT_WRITE : PROT_READ);
        if (n < 0 || vfu_sgl_get(ctx, sg, iov, n, 0) < 0)
                return -EFAULT;
        for (int i = 0; i < n; i++) {
                if (write)
                        memcpy(iov[i].iov_base, (const uint8_t *) buf + done, iov[i].iov_len);
                else
                        memcpy((uint8_t *) buf + done, iov[i].iov_base, iov[i].iov_len);
                done += iov[i].iov_len;
        }
        if (write)
                vfu_sgl_mark_dirty(ctx, sg, n);
        vfu_sgl_put(ctx, sg, iov, n);
        return done == len ? 0 : -EFAULT;
}

int pci_dma_read(vfu_ctx_t *ctx, uint64_t addr, void *buf, size_t len)
{
        return dma_access(ctx, addr, buf, len, false);
}

int pci_dma_write(vfu_ctx_t *ctx, uint64_t addr, const void *buf, size_t len)
{
        return dma_access(ctx, addr, (void *) buf, len, true);
}
