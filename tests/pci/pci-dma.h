/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest memory as the emulated function reaches it: bus addresses the
 * driver gave, mapped through libvfio-user (the guest RAM is a shared
 * memfd, so every access is a direct mapping, never a socket round trip).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libvfio-user.h>

/* 0, or -EFAULT when [addr, addr + len) is not guest memory the client shared. */
int pci_dma_read(vfu_ctx_t *ctx, uint64_t addr, void *buf, size_t len);
int pci_dma_write(vfu_ctx_t *ctx, uint64_t addr, const void *buf, size_t len);
