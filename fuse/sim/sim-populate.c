/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The population of one function: for every schema resource with an id,
 * an ascending array of object numbers that look like a real device's
 * (QPNs sparse from 0x100, small dense EQNs), and the slots churn works on,
 * one small record per object.  No bytes are stored; each object's come
 * from its fill plan on demand.  New objects get numbers the way firmware
 * hands them out: onwards from the newest, wrapping at the id's width.
 * Types that share a number space (sim-limits.c) never share a number.
 */
#include <string.h>

#include "sim/sim-private.h"

/* Where numbering starts and the largest step between two objects. */
struct numbering {
        const char *type;
        uint32_t base;
        uint32_t max_gap;
};

/*
 * The first type of a shared space is its primary: numbered as if alone
 * (while the space has room for the others), the others take numbers it
 * left free.
 */
static const struct numbering numberings[] = {
        { "qp", 0x100, 8 },     /* below 0x100: special QPs; SQs, RQs and DCTs too */
        { "srq", 0x10, 4 },     /* XRC SRQs and RMPs too */
        { "cq", 0x400, 3 },
        { "mkey", 0x10, 4 },    /* mkey indices; the key is index << 8 | variant */
};

/* Narrow ids (EQNs, counter sets) are dense from 1; others sparse from 0x10; a shared space's as its primary's. */
static struct numbering type_numbering(const mlx5_schema_resource *res)
{
        struct numbering n = { res->name, res->id_width <= 8 ? 1 : 0x10, res->id_width <= 8 ? 1 : 4 };

        for (size_t i = 0; i < G_N_ELEMENTS(numberings); i++)
                if (sim_same_space(numberings[i].type, res->name))
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

uint64_t sim_space_size(const mlx5_schema_resource *res)
{
        struct numbering n = type_numbering(res);

        if (!res->has_id || n.base > max_id(res))
                return 0;
        return (uint64_t) max_id(res) - n.base + 1;
}

uint32_t sim_type_limit(const mlx5_schema_resource *res)
{
        /* Gaps shrink to 1 when many objects share the space. */
        return MIN((uint64_t) SIM_MAX_OBJECTS, sim_space_size(res));
}

uint32_t sim_type_default_count(const mlx5_schema_resource *res)
{
        uint32_t count = OTHER_DEFAULT_COUNT;

        for (size_t i = 0; i < G_N_ELEMENTS(default_counts); i++)
                if (strcmp(default_counts[i].type, res->name) == 0)
                        count = default_counts[i].count;
        return MIN(count, sim_type_limit(res));
}

static int compare_ids(const void *a, const void *b)
{
        uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;

        return x < y ? -1 : x > y;
}

/*
 * Numbers t's objects in its space: ascending from the space's base with
 * steps of up to max_gap, shrunk so that `count` numbers fit in `span`.  A
 * secondary type of a shared space skips the numbers already handed out
 * (taken, a bitmap over the space) and, past the end, starts again from
 * the base: the space has room for every member.
 */
static void number_objects(struct sim_type *t, const mlx5_sim *sim, uint64_t span, uint64_t count,
                           uint8_t *taken)
{
        uint64_t h = sim_hash2(sim_hash2(sim->seed, sim->index), t->name_hash);
        uint32_t base = t->id_base, id = base, max = t->id_max;
        bool wrapped = false;
        /* Within the caps' number space, whatever the count. */
        uint32_t gap = count ? MAX(1, MIN(t->id_gap, span / count)) : 1;

        t->ids = g_new(uint32_t, MAX(t->n, 1));
        for (uint32_t k = 0; k < t->n; k++) {
                while (taken && taken[(id - base) / 8] & 1u << (id - base) % 8) {
                        if (++id > max) {
                                id = base;
                                wrapped = true;
                        }
                }
                t->ids[k] = id;
                if (taken)
                        taken[(id - base) / 8] |= 1u << (id - base) % 8;
                id += 1 + sim_hash2(h, k) % gap;
                if (id > max) {
                        id = base;
                        wrapped = true;
                }
        }
        if (wrapped)
                qsort(t->ids, t->n, sizeof(*t->ids), compare_ids);
}

/*
 * Every type of the space of sim->types[first], the primary first: the
 * primary numbered as if alone while the space holds the others too, the
 * others among the numbers it left.
 */
static void number_space(mlx5_sim *sim, unsigned first)
{
        struct sim_type *primary = &sim->types[first];
        struct numbering n = type_numbering(primary->res);
        uint64_t room = (uint64_t) primary->id_max - primary->id_base + 1, others = 0;
        g_autofree uint8_t *taken = NULL;
        unsigned n_members = 0;

        for (unsigned i = 0; i < sim->n_types; i++) {
                struct sim_type *t = &sim->types[i];

                if (!t->res->has_id || t->space != primary->space)
                        continue;
                n_members++;
                if (strcmp(t->res->name, n.type) == 0)
                        primary = t;
        }
        if (n_members == 1) {
                number_objects(primary, sim, room, primary->n, NULL);
                return;
        }
        for (unsigned i = 0; i < sim->n_types; i++)
                if (sim->types[i].res->has_id && &sim->types[i] != primary && sim->types[i].space == primary->space)
                        others += sim->types[i].n;
        taken = g_malloc0(room / 8 + 1);
        number_objects(primary, sim, room - MIN(others, room), primary->n, taken);
        for (unsigned i = 0; i < sim->n_types; i++) {
                struct sim_type *t = &sim->types[i];

                if (t->res->has_id && !t->ids && t->space == primary->space)
                        number_objects(t, sim, room, primary->n + others, taken);
        }
}

/* Slot k holds ids[k], in the state its plan gives it (needs the plans). */
static void fill_slots(const mlx5_sim *sim, struct sim_type *t)
{
        t->objs = g_new0(struct sim_obj, MAX(t->n, 1));
        for (uint32_t k = 0; k < t->n; k++)
                t->objs[k].id = t->ids[k];
        sim_index_init(&t->index, t->ids, t->n);
        t->last_id = t->n ? t->ids[t->n - 1] : t->id_base;
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

                t->res = mlx5_schema_resource_at(sim->schema, i);
                t->name_hash = sim_hash_str(t->res->name);
                t->n = t->res->has_id ? 0 : 1;
                /* Once here: churn asks which types share a number for every number it tries. */
                t->space = i;
                for (unsigned j = 0; j < i && t->res->has_id; j++)
                        if (sim->types[j].res->has_id && sim_same_space(sim->types[j].res->name, t->res->name)) {
                                t->space = sim->types[j].space;
                                break;
                        }
                if (t->res->has_id) {
                        struct numbering n = type_numbering(t->res);

                        t->id_base = n.base;
                        t->id_gap = n.max_gap;
                        t->id_max = max_id(t->res);
                }
                t->verbs_percent = GPOINTER_TO_UINT(g_hash_table_lookup(spec->verbs_shares, t->res->name));
        }
        for (unsigned i = 0; i < sim->n_types; i++) {
                struct sim_type *t = &sim->types[i];
                gpointer count;

                /* The spec refused named counts past their space (sim-spec.c); MIN keeps numbering finite anyway. */
                if (g_hash_table_lookup_extended(spec->counts, t->res->name, NULL, &count))
                        t->n = MIN(GPOINTER_TO_UINT(count), sim_space_room(sim, t));
        }
        /* Default counts after the named ones: a shared space's room left over (the spec checked the named fit). */
        for (unsigned i = 0; i < sim->n_types; i++) {
                struct sim_type *t = &sim->types[i];

                if (t->res->has_id && !g_hash_table_contains(spec->counts, t->res->name))
                        t->n = MIN(sim_type_default_count(t->res), sim_space_room(sim, t));
        }
        for (unsigned i = 0; i < sim->n_types; i++)
                if (sim->types[i].res->has_id && !sim->types[i].ids)
                        number_space(sim, i);

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

uint32_t sim_space_room(const mlx5_sim *sim, const struct sim_type *t)
{
        uint64_t used = 0;

        for (unsigned i = 0; i < sim->n_types; i++)
                if (&sim->types[i] != t && sim->types[i].res->has_id && sim->types[i].space == t->space)
                        used += sim->types[i].n;
        return MIN(sim_type_limit(t->res), sim_space_size(t->res) - MIN(used, sim_space_size(t->res)));
}

/* Whether a live object of t's space (t or a type sharing its numbers) has number id. */
static bool space_has(const mlx5_sim *sim, const struct sim_type *t, uint32_t id)
{
        for (unsigned i = 0; i < sim->n_types; i++) {
                const struct sim_type *o = &sim->types[i];

                if (o->objs && o->space == t->space && sim_index_find(&o->index, id, NULL))
                        return true;
        }
        return false;
}

uint32_t sim_fresh_id(const mlx5_sim *sim, struct sim_type *t, uint64_t r)
{
        uint64_t id = (uint64_t) t->last_id + 1 + r % t->id_gap, max = t->id_max;

        /*
         * Onwards, one number at a time past live ones of the space.  The
         * caller has just freed a number, so the search ends within one lap.
         */
        for (;;) {
                if (id > max || id < t->id_base)
                        id = t->id_base;
                if (!space_has(sim, t, id))
                        break;
                id++;
        }
        t->last_id = id;
        return id;
}
