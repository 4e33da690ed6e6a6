/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the benchmark helpers: a monotonic clock in microseconds and the
 * summary line bench/run parses ("median_us: 71.3 min_us: ... max_us: ...").
 */
#pragma once

#include <glib.h>
#include <stdio.h>
#include <time.h>

static inline double bench_now_us(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e6 + (double) ts.tv_nsec / 1e3;
}

static inline gint bench_cmp_double(gconstpointer a, gconstpointer b)
{
        double x = *(const double *) a, y = *(const double *) b;

        return (x > y) - (x < y);
}

/* Sorts samples and prints "n: N median_us: M min_us: A max_us: B". */
static inline void bench_print_summary(GArray *samples)
{
        const double *v;
        double median;
        guint n = samples->len;

        if (n == 0) {
                printf("n: 0\n");
                return;
        }
        g_array_sort(samples, bench_cmp_double);
        v = (const double *) (void *) samples->data;
        median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        printf("n: %u median_us: %.1f min_us: %.1f max_us: %.1f\n", n, median, v[0], v[n - 1]);
}
