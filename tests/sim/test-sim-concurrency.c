/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Commands in flight at once: latency is spent outside the lock, so several
 * threads overlap; with fewer slots than threads they queue.
 */
#include <string.h>

#include "sim-test-util.h"
#include "sim/sim-private.h"

#define OP_QUERY_QP     0x50b
#define THREADS         8
#define PER_THREAD      5
#define LATENCY_US      20000

struct worker {
        mlx5_sim *sim;
        uint32_t qpn;
        const uint8_t *expected;
        unsigned failures;
};

static gpointer run_worker(gpointer data)
{
        struct worker *w = data;

        for (unsigned i = 0; i < PER_THREAD; i++) {
                uint8_t in[16], out[0x110];

                sim_test_query_in(in, OP_QUERY_QP, 0, w->qpn);
                if (mlx5_sim_exec(w->sim, in, sizeof(in), out, sizeof(out)) != 0 ||
                    memcmp(out, w->expected, sizeof(out)) != 0)
                        w->failures++;
        }
        return NULL;
}

/*
 * Runs THREADS x PER_THREAD queries; returns the wall time in microseconds,
 * and the most commands that were in slots at once and how many commands
 * found every slot taken.
 */
static gint64 run_threads(const char *spec, unsigned *ret_peak, uint64_t *ret_waits)
{
        g_autoptr(mlx5_sim) sim = sim_test_new(spec, 0);
        size_t n;
        const uint32_t *ids = mlx5_sim_object_ids(sim, "qp", &n);
        uint8_t expected[0x110];
        struct worker workers[THREADS];
        GThread *threads[THREADS];
        gint64 start;

        g_assert_cmpuint(sim_test_query(sim, OP_QUERY_QP, ids[0], expected, sizeof(expected)), ==, 0);
        start = g_get_monotonic_time();
        for (unsigned i = 0; i < THREADS; i++) {
                workers[i] = (struct worker) { sim, ids[0], expected, 0 };
                threads[i] = g_thread_new("query", run_worker, &workers[i]);
        }
        for (unsigned i = 0; i < THREADS; i++) {
                g_thread_join(threads[i]);
                g_assert_cmpuint(workers[i].failures, ==, 0);
        }
        g_assert_cmpuint(mlx5_sim_count(sim, OP_QUERY_QP), ==, 1 + THREADS * PER_THREAD);
        /* Every slot given back. */
        g_assert_cmpint(g_atomic_int_get(&sim->in_flight), ==, 0);
        g_assert_cmpint(g_atomic_int_get(&sim->slot_waiters), ==, 0);
        *ret_peak = (unsigned) g_atomic_int_get(&sim->peak_in_flight);
        *ret_waits = sim->slot_waits;
        return g_get_monotonic_time() - start;
}

static void test_overlap(void)
{
        unsigned peak;
        uint64_t waits;
        gint64 elapsed = run_threads("latency_us=20000", &peak, &waits);
        gint64 serial = (gint64) THREADS * PER_THREAD * LATENCY_US;

        /* The default slots outnumber the threads: nobody ever waited for one. */
        g_assert_cmpuint(peak, <=, THREADS);
        g_assert_cmpuint(waits, ==, 0);

        g_test_message("%d commands of %d us each took %" G_GINT64_FORMAT " us", THREADS * PER_THREAD,
                       LATENCY_US, elapsed);
        g_assert_cmpint(elapsed, >=, (gint64) PER_THREAD * LATENCY_US);
        g_assert_cmpint(elapsed, <, serial / 2);
}

static void test_slots_queue(void)
{
        unsigned peak;
        uint64_t waits;
        gint64 elapsed = run_threads("latency_us=20000,slots=2", &peak, &waits);

        /* Never more than two in slots; with eight threads, some commands waited for one. */
        g_assert_cmpuint(peak, ==, 2);
        g_assert_cmpuint(waits, >, 0);

        /* Two at a time: at least half the serial time. */
        g_test_message("with 2 slots: %" G_GINT64_FORMAT " us", elapsed);
        g_assert_cmpint(elapsed, >=, (gint64) THREADS * PER_THREAD / 2 * LATENCY_US);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/sim/concurrency/overlap", test_overlap);
        g_test_add_func("/sim/concurrency/slots-queue", test_slots_queue);
        return g_test_run();
}
