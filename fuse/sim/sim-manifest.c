/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The population as text, one object a line: what the test suites compare
 * the mounted tree against.  Each state is decoded from the object's own
 * query output, so the manifest says what a reader of the device will see.
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

void mlx5_sim_format_manifest(const mlx5_sim *sim, GString *out)
{
        for (unsigned i = 0; i < sim->n_types; i++) {
                const struct sim_type *t = &sim->types[i];
                const mlx5_schema_resource *res = t->res;
                g_autofree uint8_t *buf = NULL;
                const mlx5_schema_field *state;
                uint32_t state_off = 0;

                if (!res->has_id)
                        continue;
                state = state_field(res, &state_off);
                buf = g_malloc(res->outlen);
                for (uint32_t pos = 0; pos < t->n; pos++) {
                        g_string_append_printf(out, "%s %s 0x%x ", sim->pci_name, res->name, t->ids[pos]);
                        if (state) {
                                sim_object_output(sim, t, pos, buf, res->outlen);
                                mlx5_decode_value(out, state, mlx5_bits_get(buf, res->outlen,
                                                                            res->context_bit_off + state_off,
                                                                            state->width));
                        } else {
                                g_string_append_c(out, '-');
                        }
                        g_string_append_c(out, '\n');
                }
        }
}
