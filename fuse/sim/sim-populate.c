/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The population of one function: for every schema resource with an id,
 * an ascending array of object numbers that look like a real device's
 * (QPNs sparse from 0x100, small dense EQNs).  Only the numbers are stored;
 * each object's bytes come from its fill plan on demand.
 */
#include <string.h>

#include "sim/sim-private.h"

/* Where numbering starts and the largest step between two objects. */
struct numbering {
        const char *type;
        uint32_t base;
        uint32_t max_gap;
};

static const struct numbering numberings[] = {
        { "qp", 0x100, 8 },     /* below 0x100: special QPs */
        { "cq", 0x400, 3 },
        { "mkey", 0x10, 4 },    /* mkey indices; the key is index << 8 | variant */
};

/* Narrow ids (EQNs, counter sets) are dense from 1; others sparse from 0x10. */
static struct numbering type_numbering(const mlx5_schema_resource *res)
{
        struct numbering n = { res->name, res->id_width <= 8 ? 1 : 0x10, res->id_width <= 8 ? 1 : 4 };

        for (size_t i = 0; i < G_N_ELEMENTS(numberings); i++)
                if (strcmp(numberings[i].type, res->name) == 0)
                        return numberings[i];
        return n;
}

static const struct {
        const char *type;
        uint32_t count;
} default_counts[] = {
        { "eq", 8 }, { "cq", 64 }, { "qp", 128 }, { "sq", 32 }, { "rq", 32 }, { "mkey", 64 },
};

#define OTHER_DEFAULT_COUNT 8

uint32_t sim_type_limit(const mlx5_schema_resource *res)
{
        struct numbering n = type_numbering(res);
        uint64_t max_id = res->id_width >= 32 ? UINT32_MAX : (1ull << res->id_width) - 1;

        if (!res->has_id || n.base > max_id)
                return 0;
        return MIN((uint64_t) SIM_MAX_OBJECTS, (max_id - n.base) / n.max_gap + 1);
}

uint32_t sim_type_default_count(const mlx5_schema_resource *res)
{
        uint32_t count = OTHER_DEFAULT_COUNT;

        for (size_t i = 0; i < G_N_ELEMENTS(default_counts); i++)
                if (strcmp(default_counts[i].type, res->name) == 0)
                        count = default_counts[i].count;
        return MIN(count, sim_type_limit(res));
}

static void number_objects(struct sim_type *t, const mlx5_sim *sim)
{
        struct numbering n = type_numbering(t->res);
        uint64_t h = sim_hash2(sim_hash2(sim->seed, sim->index), t->name_hash);
        uint32_t id = n.base;

        t->ids = g_new(uint32_t, MAX(t->n, 1));
        for (uint32_t k = 0; k < t->n; k++) {
                t->ids[k] = id;
                id += 1 + sim_hash2(h, k) % n.max_gap;
        }
}

void sim_populate(mlx5_sim *sim, const mlx5_sim_spec *spec)
{
        sim->n_types = mlx5_schema_n_resources(sim->schema);
        sim->types = g_new0(struct sim_type, sim->n_types);
        for (unsigned i = 0; i < sim->n_types; i++) {
                struct sim_type *t = &sim->types[i];
                gpointer count;

                t->res = mlx5_schema_resource_at(sim->schema, i);
                t->name_hash = sim_hash_str(t->res->name);
                t->n = 1;
                if (!t->res->has_id)
                        continue;
                if (g_hash_table_lookup_extended(spec->counts, t->res->name, NULL, &count))
                        t->n = MIN(GPOINTER_TO_UINT(count), sim_type_limit(t->res));
                else
                        t->n = sim_type_default_count(t->res);
                number_objects(t, sim);
        }

        /* Plans after numbering: references need the other types' objects. */
        for (unsigned i = 0; i < sim->n_types; i++) {
                struct sim_type *t = &sim->types[i];

                sim_plan_build(&t->plan, sim, t->res->name, t->n, t->res->context, t->res->context_bit_off,
                               t->res->extra);
        }

        sim->n_caps = mlx5_schema_n_caps(sim->schema);
        sim->caps = g_new0(struct sim_caps, sim->n_caps);
        for (unsigned i = 0; i < sim->n_caps; i++) {
                struct sim_caps *c = &sim->caps[i];
                g_autofree char *owner = NULL;

                c->caps = mlx5_schema_caps_at(sim->schema, i);
                owner = g_strdup_printf("caps:%s", c->caps->name);
                c->name_hash = sim_hash_str(owner);
                sim_plan_build(&c->plan, sim, owner, 1, c->caps->layout, MLX5_MBOX_HDR_LEN * 8, NULL);
        }
}

const struct sim_type *sim_find_type(const mlx5_sim *sim, const char *name)
{
        for (unsigned i = 0; i < sim->n_types; i++)
                if (strcmp(sim->types[i].res->name, name) == 0)
                        return &sim->types[i];
        return NULL;
}

uint32_t sim_lower_bound(const struct sim_type *t, uint32_t id)
{
        uint32_t lo = 0, hi = t->ids ? t->n : 0;

        while (lo < hi) {
                uint32_t mid = lo + (hi - lo) / 2;

                if (t->ids[mid] < id)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

int64_t sim_find_object(const struct sim_type *t, uint32_t id)
{
        uint32_t pos = sim_lower_bound(t, id);

        if (!t->ids || pos >= t->n || t->ids[pos] != id)
                return -1;
        return pos;
}
