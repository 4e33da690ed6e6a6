/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The transport's read-only allow-list: queries pass, anything that changes
 * device state does not, counter queries only without their clear bit.
 */
#include <glib.h>
#include <stdbool.h>

#include "transport/transport.h"

/* Opcodes and bits from the PRM (mlx5-prm.md §3, mlx5_ifc.h query_*_counter_in). */
#define OP_QUERY_QP             0x50b
#define OP_QUERY_VPORT_COUNTER  0x770
#define OP_ALLOC_Q_COUNTER      0x771
#define OP_QUERY_Q_COUNTER      0x773
#define OP_ACCESS_REG           0x805
#define OP_CREATE_UCTX          0xa04
#define COUNTER_IN_LEN          0x20
#define CLEAR_BYTE              (0xc0 / 8)      /* clear is bit 0xc0: the top bit of byte 0x18 */

static gboolean allowed(unsigned opcode, bool clear, size_t inlen)
{
        uint8_t in[COUNTER_IN_LEN] = { 0 };

        in[0] = opcode >> 8;
        in[1] = opcode;
        if (clear)
                in[CLEAR_BYTE] = 0x80;
        return mlx5_transport_is_allowed(in, inlen);
}

static void test_counter_clear(void)
{
        /* Reading counters is a query; reading them with clear set resets them: never sent. */
        g_assert_true(allowed(OP_QUERY_VPORT_COUNTER, false, COUNTER_IN_LEN));
        g_assert_false(allowed(OP_QUERY_VPORT_COUNTER, true, COUNTER_IN_LEN));
        g_assert_true(allowed(OP_QUERY_Q_COUNTER, false, COUNTER_IN_LEN));
        g_assert_false(allowed(OP_QUERY_Q_COUNTER, true, COUNTER_IN_LEN));
        /* Another query's byte 0x18 is its own business. */
        g_assert_true(allowed(OP_QUERY_QP, true, COUNTER_IN_LEN));
}

static void test_not_queries(void)
{
        g_assert_false(allowed(OP_ALLOC_Q_COUNTER, false, COUNTER_IN_LEN));
        g_assert_false(allowed(OP_CREATE_UCTX, false, COUNTER_IN_LEN));
        /* ACCESS_REG op_mod 0 writes the register. */
        g_assert_false(allowed(OP_ACCESS_REG, false, COUNTER_IN_LEN));
        /* Shorter than a header: nothing to judge. */
        g_assert_false(allowed(OP_QUERY_VPORT_COUNTER, false, 15));
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/transport/allow-list/counter-clear", test_counter_clear);
        g_test_add_func("/transport/allow-list/not-queries", test_not_queries);
        return g_test_run();
}
