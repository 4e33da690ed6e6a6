/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <glib.h>
#include <stdio.h>
#include <syslog.h>

#include "fs/log.h"

static bool use_syslog;
static bool verbose;

static int syslog_priority(GLogLevelFlags level)
{
        if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
                return LOG_ERR;
        if (level & G_LOG_LEVEL_WARNING)
                return LOG_WARNING;
        if (level & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO))
                return LOG_INFO;
        return LOG_DEBUG;
}

static GLogWriterOutput write_log(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
        const char *message = NULL;

        if ((level & (G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG)) && !verbose)
                return G_LOG_WRITER_HANDLED;
        for (gsize i = 0; i < n_fields; i++)
                if (g_strcmp0(fields[i].key, "MESSAGE") == 0)
                        message = fields[i].value;
        if (!message)
                return G_LOG_WRITER_UNHANDLED;
        if (use_syslog)
                syslog(syslog_priority(level), "%s", message);
        else
                fprintf(stderr, "mlx5dbgfs: %s\n", message);
        return G_LOG_WRITER_HANDLED;
}

void mlx5dbgfs_log_setup(bool to_syslog, bool debug)
{
        static bool installed;

        use_syslog = to_syslog;
        verbose = debug;
        if (to_syslog)
                openlog("mlx5dbgfs", LOG_PID, LOG_DAEMON);
        /* GLib allows one writer per process; later calls only change where it writes. */
        if (!installed)
                g_log_set_writer_func(write_log, NULL, NULL);
        installed = true;
}
