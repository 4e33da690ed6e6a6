/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

/* GLib log output: stderr in the foreground, syslog once daemonized; debug adds info and debug. */
void mlx5dbgfs_log_setup(bool to_syslog, bool debug);
