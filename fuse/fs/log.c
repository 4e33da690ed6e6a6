/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#include <unistd.h>

#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include <fuse_lowlevel.h>

#include "fs/log.h"

#define IDENTIFIER "mlx5dbgfs"
/* Where journald listens for native messages. */
#define JOURNAL_SOCKET "/run/systemd/journal/socket"

enum log_target {
        TARGET_STDERR,
        TARGET_JOURNAL,
        TARGET_SYSLOG,
};

static enum log_target target = TARGET_STDERR;
static bool verbose;

/* True if stderr is the stream systemd connected to the journal (JOURNAL_STREAM=dev:ino). */
static bool stderr_is_journal(void)
{
        const char *stream = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;

        if (!stream || sscanf(stream, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) < 0)
                return false;
        return st.st_dev == (dev_t) dev && st.st_ino == (ino_t) ino;
}

static void write_message(int priority, const char *message, const char *code_file, const char *code_line,
                          const char *code_func)
{
        if (priority >= LOG_INFO && !verbose)
                return;
        if (target == TARGET_JOURNAL) {
                g_autofree char *m = g_strconcat("MESSAGE=", message, NULL);
                g_autofree char *p = g_strdup_printf("PRIORITY=%d", priority);
                g_autofree char *f = code_file ? g_strconcat("CODE_FILE=", code_file, NULL) : NULL;
                g_autofree char *l = code_line ? g_strconcat("CODE_LINE=", code_line, NULL) : NULL;
                g_autofree char *fn = code_func ? g_strconcat("CODE_FUNC=", code_func, NULL) : NULL;
                struct iovec iov[6];
                int n = 0;

                iov[n++] = (struct iovec) { m, strlen(m) };
                iov[n++] = (struct iovec) { p, strlen(p) };
                iov[n++] = (struct iovec) { (char *) "SYSLOG_IDENTIFIER=" IDENTIFIER,
                                            strlen("SYSLOG_IDENTIFIER=" IDENTIFIER) };
                if (f)
                        iov[n++] = (struct iovec) { f, strlen(f) };
                if (l)
                        iov[n++] = (struct iovec) { l, strlen(l) };
                if (fn)
                        iov[n++] = (struct iovec) { fn, strlen(fn) };
                if (sd_journal_sendv(iov, n) >= 0)
                        return;
                /* The journal went away: syslog is the next best place. */
        }
        if (target != TARGET_STDERR)
                syslog(priority, "%s", message);
        else
                fprintf(stderr, IDENTIFIER ": %s\n", message);
}

static int glib_priority(GLogLevelFlags level)
{
        if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
                return LOG_ERR;
        if (level & G_LOG_LEVEL_WARNING)
                return LOG_WARNING;
        if (level & G_LOG_LEVEL_MESSAGE)
                return LOG_NOTICE;
        if (level & G_LOG_LEVEL_INFO)
                return LOG_INFO;
        return LOG_DEBUG;
}

static GLogWriterOutput write_glib(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
        const char *message = NULL, *file = NULL, *line = NULL, *func = NULL;

        for (gsize i = 0; i < n_fields; i++) {
                if (fields[i].length >= 0)
                        continue;       /* only the text fields below */
                if (strcmp(fields[i].key, "MESSAGE") == 0)
                        message = fields[i].value;
                else if (strcmp(fields[i].key, "CODE_FILE") == 0)
                        file = fields[i].value;
                else if (strcmp(fields[i].key, "CODE_LINE") == 0)
                        line = fields[i].value;
                else if (strcmp(fields[i].key, "CODE_FUNC") == 0)
                        func = fields[i].value;
        }
        if (!message)
                return G_LOG_WRITER_UNHANDLED;
        write_message(glib_priority(level), message, file, line, func);
        return G_LOG_WRITER_HANDLED;
}

/* libfuse's own messages (mount errors, -d traces) take the same way; its levels are syslog's. */
static void write_fuse(enum fuse_log_level level, const char *fmt, va_list ap) G_GNUC_PRINTF(2, 0);
static void write_fuse(enum fuse_log_level level, const char *fmt, va_list ap)
{
        g_autofree char *text = g_strdup_vprintf(fmt, ap);
        g_autofree char *message = NULL;

        g_strchomp(text);
        if (!*text)
                return;
        message = g_strconcat("libfuse: ", text, NULL);
        write_message((int) level, message, NULL, NULL, NULL);
}

void mlx5dbgfs_log_setup(bool daemonized, bool debug)
{
        static bool installed;
        enum log_target was = target;

        verbose = debug;
        if (daemonized)
                target = access(JOURNAL_SOCKET, W_OK) == 0 ? TARGET_JOURNAL : TARGET_SYSLOG;
        else
                target = stderr_is_journal() ? TARGET_JOURNAL : TARGET_STDERR;
        if (target != TARGET_STDERR && was == TARGET_STDERR)
                openlog(IDENTIFIER, LOG_PID, LOG_DAEMON);
        /* GLib allows one writer per process; later calls only change where it writes. */
        if (!installed) {
                g_log_set_writer_func(write_glib, NULL, NULL);
                fuse_set_log_func(write_fuse);
        }
        installed = true;
}
