/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <glib.h>

#include "transport/transport.h"

/*
 * Opens an fwctl node (/dev/fwctl/fwctlN) of an mlx5 device.  Every command
 * goes as FWCTL_RPC with scope DEBUG_READ_ONLY; a command the kernel refuses
 * fails with -EBADMSG, an orphaned fd (device gone) with -ENODEV.
 */
int mlx5_transport_fwctl_open(const char *node, const char *pci_name, unsigned max_inflight,
                              mlx5_transport **ret, GError **error);
