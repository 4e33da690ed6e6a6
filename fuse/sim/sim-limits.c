/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The number spaces the caps give each object type: a ConnectX-6 Dx with
 * log_max_qp = 17 hands out QPNs below 2^17, EQNs below 2^log_max_eq,
 * Q counter set ids up to max_qp_cnt.  The population numbers its objects
 * inside these spaces, so whatever a reader probes within the caps covers
 * every object, and no object count exceeds what the caps allow.  The
 * values are read from the caps rules themselves (sim-rules.c,
 * sim-caps-cx6dx.c), so the caps served and the numbers used agree.
 *
 * Some types draw their numbers from one space, as on hardware: QPs, SQs,
 * RQs and DCTs from the QPN space (the real menu numbers HW_SQPC and
 * HW_RQPC by QPN; mlx5e's devlink reporters dump FULL_QPC of an SQ or RQ by
 * its number; a raw packet QP's number is its SQ's or RQ's, in ib_core's one
 * table of QP numbers; a DCT's number is what DC initiators put where a QPN
 * goes), and SRQs, XRC SRQs and RMPs from the SRQ space (mlx5_ib keeps them
 * in one table by number and makes its SRQs as RMPs; qpc.srqn_rmpn_xrqn
 * holds any of them).  A space's numbers fit every member's caps.
 */
#include <string.h>

#include "sim/sim-private.h"

static const struct {
        const char *type;
        const char *cap;        /* field of the general caps page */
        bool log;               /* 2^cap numbers, else numbers up to cap */
        const char *space;      /* types with the same space share its numbers */
} spaces[] = {
        { "qp", "log_max_qp", true, "qpn" },
        { "sq", "log_max_sq", true, "qpn" },
        { "rq", "log_max_rq", true, "qpn" },
        { "dct", "log_max_qp", true, "qpn" },
        { "cq", "log_max_cq", true, NULL },
        { "eq", "log_max_eq", true, NULL },
        { "mkey", "log_max_mkey", true, NULL },
        { "srq", "log_max_srq", true, "srqn" },
        { "xrc_srq", "log_max_srq", true, "srqn" },
        { "rmp", "log_max_rmp", true, "srqn" },
        { "tir", "log_max_tir", true, NULL },
        { "tis", "log_max_tis", true, NULL },
        { "rqt", "log_max_rqt", true, NULL },
        { "q_counter", "max_qp_cnt", false, NULL },
};

static int space_row(const char *type)
{
        for (size_t i = 0; i < G_N_ELEMENTS(spaces); i++)
                if (strcmp(spaces[i].type, type) == 0)
                        return (int) i;
        return -1;
}

/* The largest number the caps give one row's type. */
static uint64_t row_max(size_t i)
{
        const struct sim_rule *rule = sim_rule_find("caps:general", spaces[i].cap);
        uint64_t v;

        /* A space the caps do not bound (a rule table missing the field): any number. */
        if (!rule || rule->kind != SIM_RULE_VALUE)
                return UINT32_MAX;
        v = g_ascii_strtoull(rule->arg, NULL, 0);
        if (spaces[i].log)
                v = v >= 32 ? UINT32_MAX : (1ull << v) - 1;
        return v;
}

uint32_t sim_id_max(const mlx5_schema_resource *res)
{
        uint64_t max = res->id_width >= 32 ? UINT32_MAX : (1u << res->id_width) - 1;
        int row = space_row(res->name);

        if (row < 0)
                return max;
        /* A shared space: every member's bound applies to every number in it. */
        for (size_t i = 0; i < G_N_ELEMENTS(spaces); i++)
                if (i == (size_t) row || (spaces[row].space && spaces[i].space &&
                                          strcmp(spaces[i].space, spaces[row].space) == 0))
                        max = MIN(max, row_max(i));
        return max;
}

bool sim_same_space(const char *a, const char *b)
{
        int ra = space_row(a), rb = space_row(b);

        if (strcmp(a, b) == 0)
                return true;
        return ra >= 0 && rb >= 0 && spaces[ra].space && spaces[rb].space &&
               strcmp(spaces[ra].space, spaces[rb].space) == 0;
}
