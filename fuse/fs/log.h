/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

/*
 * Where GLib's and libfuse's messages go: the journal when daemonized or
 * when stderr is the journal's stream (a systemd service), syslog when
 * daemonized without a journal, stderr otherwise.  debug adds info and
 * debug messages.  May be called again to move the output.
 */
void mlx5dbgfs_log_setup(bool daemonized, bool debug);
