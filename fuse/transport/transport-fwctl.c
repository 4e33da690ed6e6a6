/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "transport/transport-fwctl.h"
#include "uapi/fwctl/fwctl.h"
#include "uapi/fwctl/mlx5.h"

struct fwctl_transport {
        mlx5_transport base;
        int fd;
};

static int fwctl_exec(mlx5_transport *t, const void *in, size_t inlen, void *out, size_t outlen)
{
        struct fwctl_transport *ft = (struct fwctl_transport *) t;
        struct fwctl_rpc rpc = {
                .size = sizeof(rpc),
                /* Read-only debug: the kernel refuses anything that could change the device. */
                .scope = FWCTL_RPC_DEBUG_READ_ONLY,
                .in_len = (uint32_t) inlen,
                .out_len = (uint32_t) outlen,
                .in = (uintptr_t) in,
                .out = (uintptr_t) out,
        };

        if (ioctl(ft->fd, FWCTL_RPC, &rpc) < 0)
                return -errno;
        return 0;
}

static void fwctl_destroy(mlx5_transport *t)
{
        struct fwctl_transport *ft = (struct fwctl_transport *) t;

        close(ft->fd);
        g_free(ft);
}

static const struct mlx5_transport_ops fwctl_ops = {
        .exec = fwctl_exec,
        .destroy = fwctl_destroy,
};

int mlx5_transport_fwctl_open(const char *node, const char *pci_name, unsigned max_inflight,
                              mlx5_transport **ret, GError **error)
{
        struct fwctl_info_mlx5 mlx5 = { 0 };
        struct fwctl_info info = {
                .size = sizeof(info),
                .device_data_len = sizeof(mlx5),
                .out_device_data = (uintptr_t) &mlx5,
        };
        struct fwctl_transport *ft;
        int fd, r;

        fd = open(node, O_RDWR | O_CLOEXEC);
        if (fd < 0) {
                r = -errno;
                g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(-r), "%s: %s", node, g_strerror(-r));
                return r;
        }
        if (ioctl(fd, FWCTL_INFO, &info) < 0) {
                r = -errno;
                g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(-r), "%s: FWCTL_INFO: %s", node,
                            g_strerror(-r));
                close(fd);
                return r;
        }
        if (info.out_device_type != FWCTL_DEVICE_TYPE_MLX5) {
                g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NODEV,
                            "%s: fwctl device type %u is not mlx5", node, info.out_device_type);
                close(fd);
                return -ENODEV;
        }

        ft = g_new0(struct fwctl_transport, 1);
        mlx5_transport_init(&ft->base, &fwctl_ops, max_inflight);
        ft->fd = fd;
        g_strlcpy(ft->base.id.kind, "fwctl", sizeof(ft->base.id.kind));
        g_strlcpy(ft->base.id.node, node, sizeof(ft->base.id.node));
        g_strlcpy(ft->base.id.pci_name, pci_name, sizeof(ft->base.id.pci_name));
        ft->base.id.uctx_uid = (uint16_t) mlx5.uid;
        ft->base.id.uctx_cap = mlx5.uctx_caps;
        *ret = &ft->base;
        return 0;
}
