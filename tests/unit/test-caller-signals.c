/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An interrupted request ends only for a signal that does more than stop
 * or continue its caller.
 */
#include <glib.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>

#include "fs/caller-signals.h"

static char *status_text(uint64_t thread, uint64_t process, uint64_t blocked)
{
        return g_strdup_printf("Name:\tcat\nState:\tS (sleeping)\nSigQ:\t0/95000\nSigPnd:\t%016" G_GINT64_MODIFIER
                               "x\nShdPnd:\t%016" G_GINT64_MODIFIER "x\nSigBlk:\t%016" G_GINT64_MODIFIER
                               "x\nSigIgn:\t0000000000000000\nSigCgt:\t0000000000000000\n",
                               (guint64) thread, (guint64) process, (guint64) blocked);
}

static uint64_t bit(int sig)
{
        return UINT64_C(1) << (sig - 1);
}

static bool ends(uint64_t thread, uint64_t process, uint64_t blocked)
{
        g_autofree char *text = status_text(thread, process, blocked);

        return mlx5_caller_signals_end_call(text);
}

static void test_pause_only(void)
{
        g_assert_false(ends(0, bit(SIGSTOP), 0));
        g_assert_false(ends(bit(SIGTSTP), 0, 0));
        g_assert_false(ends(0, bit(SIGTTOU) | bit(SIGCONT), 0));
        /* A blocked signal waits: it does not end the call either. */
        g_assert_false(ends(0, bit(SIGTSTP) | bit(SIGINT), bit(SIGINT)));
        /* Nothing pending: another thread took the stop, or the caller is being frozen. */
        g_assert_false(ends(0, 0, 0));
}

static void test_ending(void)
{
        g_assert_true(ends(0, bit(SIGINT), 0));
        g_assert_true(ends(bit(SIGTERM), bit(SIGSTOP), 0));
        g_assert_true(ends(0, bit(SIGKILL), bit(SIGKILL)));     /* cannot be blocked */
        g_assert_true(ends(bit(SIGUSR1), 0, 0));                /* a handler's: EINTR, as a syscall gets */
        /* Masks missing: nothing tells that the call may go on. */
        g_assert_true(mlx5_caller_signals_end_call("Name:\tcat\n"));
        g_assert_true(mlx5_caller_signals_end_call("SigPnd:\tzz\nShdPnd:\t0\nSigBlk:\t0\n"));
}

static void test_proc(void)
{
        /* This thread has nothing pending; a thread that is gone ends its call. */
        g_assert_false(mlx5_caller_interrupted(gettid()));
        g_assert_true(mlx5_caller_interrupted(0));
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/caller-signals/pause-only", test_pause_only);
        g_test_add_func("/caller-signals/ending", test_ending);
        g_test_add_func("/caller-signals/proc", test_proc);
        return g_test_run();
}
