/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "transport/transport.h"

/*
 * Opens an mlx5ctl node (/dev/mlx5ctl-<auxiliary device>, the V3 misc
 * driver in kernel/mlx5ctl).  The open file is a firmware user context of
 * its own; identity from MLX5CTL_IOCTL_INFO, commands by
 * MLX5CTL_IOCTL_CMDRPC.  exec() returns 0 when firmware answered (status in
 * the outbox), -ENODEV once the device is removed, -EMSGSIZE for a
 * mailbox over the driver's 8 KiB, another -errno from the driver.
 */
int mlx5_transport_mlx5ctl_open(const char *node, unsigned max_inflight, mlx5_transport **ret,
                                GError **error);

