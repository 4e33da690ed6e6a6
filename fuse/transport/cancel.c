/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>

#include "transport/cancel.h"

/*
 * Waiters poll their token this often rather than registering with it: a
 * token then needs no list of the conditions its thread waits on (and no
 * lock order against them), and 20 ms is far inside the second a killed
 * reader may take.
 */
#define CANCEL_POLL_US (20 * 1000)

struct mlx5_cancel {
        gint refcount;
        gint fired;
};

static gint shutting_down;
static GPrivate current_token;

mlx5_cancel *mlx5_cancel_new(void)
{
        mlx5_cancel *c = g_new0(mlx5_cancel, 1);

        c->refcount = 1;
        return c;
}

mlx5_cancel *mlx5_cancel_ref(mlx5_cancel *c)
{
        g_atomic_int_inc(&c->refcount);
        return c;
}

void mlx5_cancel_unref(mlx5_cancel *c)
{
        if (c && g_atomic_int_dec_and_test(&c->refcount))
                g_free(c);
}

/* Interruptions that ended their request, and those left to run (their callers only paused). */
static guint64 fired_count, paused_count;

void mlx5_cancel_fire(mlx5_cancel *c)
{
        __atomic_fetch_add(&fired_count, 1, __ATOMIC_RELAXED);
        g_atomic_int_set(&c->fired, 1);
}

void mlx5_cancel_set_current(mlx5_cancel *c)
{
        g_private_set(&current_token, c);
}

mlx5_cancel *mlx5_cancel_current(void)
{
        return g_private_get(&current_token);
}

void mlx5_cancel_note_paused(void)
{
        __atomic_fetch_add(&paused_count, 1, __ATOMIC_RELAXED);
}

void mlx5_cancel_format_stats(GString *out)
{
        g_string_append_printf(out, "requests.interrupts_fired: %" G_GUINT64_FORMAT "\n",
                               (guint64) __atomic_load_n(&fired_count, __ATOMIC_RELAXED));
        g_string_append_printf(out, "requests.interrupts_paused: %" G_GUINT64_FORMAT "\n",
                               (guint64) __atomic_load_n(&paused_count, __ATOMIC_RELAXED));
}

void mlx5_cancel_all(void)
{
        g_atomic_int_set(&shutting_down, 1);
}

bool mlx5_cancel_requested(void)
{
        mlx5_cancel *c = g_private_get(&current_token);

        return g_atomic_int_get(&shutting_down) || (c && g_atomic_int_get(&c->fired));
}

int mlx5_cancel_wait(GCond *cond, GMutex *mutex, int64_t deadline_us)
{
        int64_t now = g_get_monotonic_time(), until = now + CANCEL_POLL_US;

        if (mlx5_cancel_requested())
                return -EINTR;
        if (deadline_us) {
                if (now >= deadline_us)
                        return -ETIMEDOUT;
                until = MIN(until, deadline_us);
        }
        g_cond_wait_until(cond, mutex, until);
        if (mlx5_cancel_requested())
                return -EINTR;
        if (deadline_us && g_get_monotonic_time() >= deadline_us)
                return -ETIMEDOUT;
        return 0;
}
