/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The number spaces the caps give each object type: a ConnectX-6 Dx with
 * log_max_qp = 17 hands out QPNs below 2^17, EQNs below 2^log_max_eq,
 * Q counter set ids up to max_qp_cnt.  The population numbers its objects
 * inside these spaces, so whatever a reader probes within the caps covers
 * every object, and no object count exceeds what the caps allow.  The
 * values are read from the caps rules themselves (sim-rules.c,
 * sim-caps-cx6dx.c), so the caps served and the numbers used agree.
 */
#include <string.h>

#include "sim/sim-private.h"

static const struct {
        const char *type;
        const char *cap;        /* field of the general caps page */
        bool log;               /* 2^cap numbers, else numbers up to cap */
} spaces[] = {
        { "qp", "log_max_qp", true },
        { "dct", "log_max_qp", true },  /* DCT numbers come from the QP number space */
        { "cq", "log_max_cq", true },
        { "eq", "log_max_eq", true },
        { "mkey", "log_max_mkey", true },
        { "srq", "log_max_srq", true },
        { "xrc_srq", "log_max_srq", true },
        { "sq", "log_max_sq", true },
        { "rq", "log_max_rq", true },
        { "tir", "log_max_tir", true },
        { "tis", "log_max_tis", true },
        { "rmp", "log_max_rmp", true },
        { "rqt", "log_max_rqt", true },
        { "q_counter", "max_qp_cnt", false },
};

uint32_t sim_id_max(const mlx5_schema_resource *res)
{
        uint32_t width_max = res->id_width >= 32 ? UINT32_MAX : (1u << res->id_width) - 1;

        for (size_t i = 0; i < G_N_ELEMENTS(spaces); i++) {
                const struct sim_rule *rule;
                uint64_t v;

                if (strcmp(spaces[i].type, res->name) != 0)
                        continue;
                rule = sim_rule_find("caps:general", spaces[i].cap);
                /* A space the caps do not bound (a rule table missing the field) stays the id's width. */
                if (!rule || rule->kind != SIM_RULE_VALUE)
                        return width_max;
                v = g_ascii_strtoull(rule->arg, NULL, 0);
                if (spaces[i].log)
                        v = v >= 32 ? UINT32_MAX : (1ull << v) - 1;
                return MIN(v, (uint64_t) width_max);
        }
        return width_max;
}
