/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "transport/transport-mlx5ctl.h"
#include "uapi/misc/mlx5ctl.h"

struct mlx5ctl_transport {
        mlx5_transport base;
        int fd;
};

/* What an errno from the mlx5ctl driver means for the person reading it. */
static const char *mlx5ctl_error_hint(int err)
{
        switch (err) {
        case EACCES:
                return "mlx5ctl nodes are root's only";
        case EPERM:
                return "the mlx5ctl driver needs CAP_SYS_ADMIN";
        case ENOTTY:
                return "not an mlx5ctl node of the V3 ABI";
        case ENODEV:
                return "the device was removed";
        case EREMOTEIO:
                return "firmware refused to create a user context for this open file";
        case ETIMEDOUT:
                return "firmware did not answer in time";
        case ENOTCONN:
                return "no firmware behind it (an emulated device whose server is not running)";
        default:
                return NULL;
        }
}

static int set_error(GError **error, int err, const char *node, const char *what)
{
        const char *hint = mlx5ctl_error_hint(err);

        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err), "%s: %s: %s%s%s", node, what,
                    g_strerror(err), hint ? " — " : "", hint ? hint : "");
        return -err;
}

static int mlx5ctl_exec(mlx5_transport *t, const void *in, size_t inlen, void *out, size_t outlen)
{
        struct mlx5ctl_transport *mt = (struct mlx5ctl_transport *) t;
        struct mlx5ctl_cmdrpc rpc = {
                .in = (uintptr_t) in,
                .out = (uintptr_t) out,
                .inlen = (uint32_t) inlen,
                .outlen = (uint32_t) outlen,
        };

        if (inlen > MLX5CTL_MAX_RPC_SIZE || outlen > MLX5CTL_MAX_RPC_SIZE)
                return -EMSGSIZE;
        /* The driver stamps this file's uid into the header: nothing to set here. */
        if (ioctl(mt->fd, MLX5CTL_IOCTL_CMDRPC, &rpc) < 0)
                return -errno;
        return 0;
}

static void mlx5ctl_destroy(mlx5_transport *t)
{
        struct mlx5ctl_transport *mt = (struct mlx5ctl_transport *) t;

        /* Closing destroys the user context and anything left under it. */
        close(mt->fd);
        g_free(mt);
}

static const struct mlx5_transport_ops mlx5ctl_ops = {
        .exec = mlx5ctl_exec,
        .destroy = mlx5ctl_destroy,
};

int mlx5_transport_mlx5ctl_open(const char *node, unsigned max_inflight, mlx5_transport **ret,
                                GError **error)
{
        struct mlx5ctl_info info = { 0 };
        struct mlx5ctl_transport *mt;
        int fd, r;

        /* Opening creates the firmware user context: firmware errors show here already. */
        fd = open(node, O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return set_error(error, errno, node, "open");
        if (ioctl(fd, MLX5CTL_IOCTL_INFO, &info) < 0) {
                r = set_error(error, errno, node, "MLX5CTL_IOCTL_INFO");
                close(fd);
                return r;
        }
        if (info.size != sizeof(info) || !memchr(info.devname, '\0', sizeof(info.devname)) ||
            !info.devname[0]) {
                g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NODEV,
                            "%s: MLX5CTL_IOCTL_INFO answered %u bytes without a device name; "
                            "the driver's ABI is not V3 (%zu bytes)", node, info.size, sizeof(info));
                close(fd);
                return -ENODEV;
        }

        mt = g_new0(struct mlx5ctl_transport, 1);
        mlx5_transport_init(&mt->base, &mlx5ctl_ops, max_inflight);
        mt->fd = fd;
        g_strlcpy(mt->base.id.kind, "mlx5ctl", sizeof(mt->base.id.kind));
        g_strlcpy(mt->base.id.node, node, sizeof(mt->base.id.node));
        g_strlcpy(mt->base.id.pci_name, (const char *) info.devname, sizeof(mt->base.id.pci_name));
        mt->base.id.uctx_uid = info.uctx_uid;
        mt->base.id.uctx_cap = info.uctx_cap;
        *ret = &mt->base;
        return 0;
}
