/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "fs/caller-signals.h"

/* /proc/TID/status is about 1.5 KiB; its signal masks come in the first half. */
#define STATUS_MAX_BYTES 8192

static bool mask_of(const char *status, const char *key, uint64_t *ret_mask)
{
        size_t len = strlen(key);
        char *end;

        for (const char *line = status;;) {
                const char *eol;

                if (strncmp(line, key, len) == 0 && line[len] == ':') {
                        *ret_mask = g_ascii_strtoull(line + len + 1, &end, 16);
                        return end != line + len + 1;
                }
                eol = strchr(line, '\n');
                if (!eol)
                        return false;
                line = eol + 1;
        }
}

static uint64_t bit(int sig)
{
        return UINT64_C(1) << (sig - 1);
}

bool mlx5_caller_signals_end_call(const char *status)
{
        const uint64_t pause_only = bit(SIGSTOP) | bit(SIGTSTP) | bit(SIGTTIN) | bit(SIGTTOU) | bit(SIGCONT);
        uint64_t thread, process, blocked, pending;

        if (!mask_of(status, "SigPnd", &thread) || !mask_of(status, "ShdPnd", &process) ||
            !mask_of(status, "SigBlk", &blocked))
                return true;
        /* SIGKILL and SIGSTOP cannot be blocked, whatever the mask says. */
        pending = (thread | process) & ~(blocked & ~(bit(SIGKILL) | bit(SIGSTOP)));
        /*
         * None pending: a stop another thread took (group stop) or a freeze.
         * A signal that kills shows as SIGKILL on every thread.
         */
        return (pending & ~pause_only) != 0;
}

bool mlx5_caller_interrupted(pid_t tid)
{
        g_autofree char *path = g_strdup_printf("/proc/%d/status", (int) tid);
        g_autofree char *text = NULL;
        gsize len;

        if (tid <= 0 || !g_file_get_contents(path, &text, &len, NULL) || len > STATUS_MAX_BYTES)
                return true;
        return mlx5_caller_signals_end_call(text);
}
