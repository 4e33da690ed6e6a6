/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The population as text, one object a line: what the test suites compare
 * the mounted tree against.  Each state is decoded from the object's own
 * query output, so the manifest says what a reader of the device will see:
 * the live objects, which before any command (or with churn off) are the
 * population as built.
 */
#include "prm/bits.h"
#include "sim/sim-private.h"

/* The enum field "state" of a context, or NULL when the type has none. */
static const mlx5_schema_field *state_field(const mlx5_schema_resource *res, uint32_t *ret_bit_off)
{
        const mlx5_schema_field *f;

        if (mlx5_schema_resolve(res->context, "state", &f, ret_bit_off) < 0)
                return NULL;
        if (!f->enumeration || f->enumeration->is_flags || f->width > 64)
                return NULL;
        return f;
}

/* " <creator> <views> <refs>" of the object in slot; buf gets its output. */
static void append_host_view(GString *out, const mlx5_sim *sim, const struct sim_type *t, uint32_t slot,
                             uint8_t *buf)
{
        const struct sim_creator *c = sim_object_creator(sim, t, slot);
        unsigned views = sim_object_views(t, c);
        unsigned any = 0;

        g_string_append_c(out, ' ');
        sim_format_creator(out, c);
        g_string_append_c(out, ' ');
        for (unsigned v = SIM_VIEW_NETLINK; v <= SIM_VIEW_DEBUGFS; v <<= 1)
                if (views & v)
                        g_string_append_printf(out, "%s%s", any++ ? "," : "", sim_view_name(v));
        if (!views)
                g_string_append_c(out, '-');

        g_string_append_c(out, ' ');
        sim_object_output(sim, t, slot, buf, t->res->outlen);
        any = 0;
        for (unsigned i = 0; i < t->plan.n_leaves; i++) {
                const struct sim_leaf *l = &t->plan.leaves[i];

                if (l->rule && l->rule->kind == SIM_RULE_REF)
                        g_string_append_printf(out, "%s%s=0x%" G_GINT64_MODIFIER "x", any++ ? "," : "",
                                               l->field->name, mlx5_bits_get(buf, t->res->outlen, l->bit_off,
                                                                             l->width));
        }
        if (!any)
                g_string_append_c(out, '-');
}

void mlx5_sim_format_manifest(mlx5_sim *sim, GString *out)
{
        g_mutex_lock(&sim->lock);
        for (unsigned i = 0; i < sim->n_types; i++) {
                const struct sim_type *t = &sim->types[i];
                const mlx5_schema_resource *res = t->res;
                g_autofree uint8_t *buf = NULL;
                const mlx5_schema_field *state;
                uint32_t state_off = 0, id, slot;
                uint64_t next = 0;

                if (!res->has_id)
                        continue;
                state = state_field(res, &state_off);
                buf = g_malloc(res->outlen);
                for (; next <= UINT32_MAX && sim_index_next(&t->index, next, &id, &slot); next = (uint64_t) id + 1) {
                        g_string_append_printf(out, "%s %s 0x%x ", sim->pci_name, res->name, id);
                        if (state) {
                                sim_object_output(sim, t, slot, buf, res->outlen);
                                mlx5_decode_value(out, state, mlx5_bits_get(buf, res->outlen,
                                                                            res->context_bit_off + state_off,
                                                                            state->width));
                        } else {
                                g_string_append_c(out, '-');
                        }
                        append_host_view(out, sim, t, slot, buf);
                        g_string_append_c(out, '\n');
                }
        }
        g_mutex_unlock(&sim->lock);
}
