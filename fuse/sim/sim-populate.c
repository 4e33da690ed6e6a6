/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The population of one function: for every schema resource with an id,
 * an ascending array of object numbers that look like a real device's
 * (QPNs sparse from 0x100, small dense EQNs), and the slots churn works on,
 * one small record per object.  No bytes are stored; each object's come
 * from its fill plan on demand.  New objects get numbers the way firmware
 * hands them out: onwards from the newest, wrapping at the id's width.
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

static uint32_t max_id(const mlx5_schema_resource *res)
{
        return sim_id_max(res);
}

uint32_t sim_type_limit(const mlx5_schema_resource *res)
{
        struct numbering n = type_numbering(res);

        if (!res->has_id || n.base > max_id(res))
                return 0;
        /* Gaps shrink to 1 when many objects share the space. */
        return MIN((uint64_t) SIM_MAX_OBJECTS, (uint64_t) max_id(res) - n.base + 1);
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
        /* Within the caps' number space, whatever the count. */
        uint32_t gap = t->n ? MAX(1, MIN(n.max_gap, ((uint64_t) max_id(t->res) - n.base + 1) / t->n)) : 1;

        t->ids = g_new(uint32_t, MAX(t->n, 1));
        for (uint32_t k = 0; k < t->n; k++) {
                t->ids[k] = id;
                id += 1 + sim_hash2(h, k) % gap;
        }
}

/* Slot k holds ids[k], in the state its plan gives it (needs the plans). */
static void fill_slots(const mlx5_sim *sim, struct sim_type *t)
{
        t->objs = g_new0(struct sim_obj, MAX(t->n, 1));
        for (uint32_t k = 0; k < t->n; k++)
                t->objs[k].id = t->ids[k];
        sim_index_init(&t->index, t->ids, t->n);
        t->last_id = t->n ? t->ids[t->n - 1] : type_numbering(t->res).base;
        for (uint32_t k = 0; k < t->n && t->plan.lifecycle_leaf >= 0; k++) {
                struct sim_fill_ctx ctx = {
                        .sim = sim,
                        .identity_seed = sim_object_identity(sim, t, k),
                        .pos = k,
                };

                ctx.object_seed = ctx.identity_seed;
                t->objs[k].state = sim_plan_lifecycle_value(&t->plan, &ctx);
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
        for (unsigned i = 0; i < sim->n_types; i++)
                if (sim->types[i].ids)
                        fill_slots(sim, &sim->types[i]);

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

void sim_populate_clear(mlx5_sim *sim)
{
        for (unsigned i = 0; i < sim->n_types; i++) {
                sim_plan_clear(&sim->types[i].plan);
                sim_index_clear(&sim->types[i].index);
                g_free(sim->types[i].objs);
                g_free(sim->types[i].ids);
        }
        g_clear_pointer(&sim->types, g_free);
        for (unsigned i = 0; i < sim->n_caps; i++)
                sim_plan_clear(&sim->caps[i].plan);
        g_clear_pointer(&sim->caps, g_free);
}

const struct sim_type *sim_find_type(const mlx5_sim *sim, const char *name)
{
        for (unsigned i = 0; i < sim->n_types; i++)
                if (strcmp(sim->types[i].res->name, name) == 0)
                        return &sim->types[i];
        return NULL;
}

uint32_t sim_fresh_id(struct sim_type *t, uint64_t r)
{
        struct numbering n = type_numbering(t->res);
        uint64_t id = (uint64_t) t->last_id + 1 + r % n.max_gap;

        /*
         * Onwards, one number at a time past live ones.  The caller has just
         * freed a number, so the search ends within one lap of the id space.
         */
        for (;;) {
                if (id > max_id(t->res) || id < n.base)
                        id = n.base;
                if (!sim_index_find(&t->index, id, NULL))
                        break;
                id++;
        }
        t->last_id = id;
        return id;
}
