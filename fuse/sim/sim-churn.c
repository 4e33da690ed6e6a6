/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Churn: the device under a live workload.  At churn=N a function makes N
 * object changes a second, spread over the types with ids in proportion to
 * their populations.  A step either replaces an object (the one in a slot
 * is destroyed and a new one, under a number no live object has, takes the
 * slot, so populations keep their size) or changes one (its generation
 * moves on, and its state where its type has a lifecycle).
 *
 * There is no thread: each command first applies the steps due since the
 * last one by the monotonic clock, at most a tenth of a second's worth; the
 * rest of a long idle gap is dropped, not made up.  Steps draw from a
 * generator seeded by the spec, so the same step counts give the same
 * device.
 *
 * References: an object that others reference is never destroyed.  Each
 * object counts the REF leaves of live objects that name it (an object
 * naming itself does not count); a replace takes only an unreferenced
 * object and otherwise changes the object instead.  A REF leaf names a slot
 * chosen from the referrer's identity, and the object in that slot cannot
 * go while it is named, so a reference names the same live object for the
 * referrer's whole life.  CQs, EQs and RQs, named by many, thus seldom or
 * never go; QPs, mkeys, SQs and TIRs come and go freely.
 */
#include "prm/bits.h"
#include "sim/sim-private.h"

/* A replace looks at this many objects for an unreferenced one before it changes one instead. */
#define REPLACE_TRIES 4

/* splitmix64 over a counter. */
static uint64_t next_random(struct sim_churn *c)
{
        return sim_mix64(c->rng++);
}

/* Counts (add) or uncounts the references the object in slot makes. */
static void count_references(mlx5_sim *sim, struct sim_type *t, uint32_t slot, bool add)
{
        uint64_t identity = sim_object_identity(sim, t, slot);

        for (unsigned i = 0; i < t->plan.n_leaves; i++) {
                const struct sim_leaf *l = &t->plan.leaves[i];
                struct sim_type *target;
                uint32_t target_slot;

                /* Exactly the REF leaves sim_plan_fill writes. */
                if (!l->rule || l->rule->kind != SIM_RULE_REF || !l->ref || !l->ref->objs || !l->ref->n ||
                    !mlx5_bits_in_range(t->res->outlen, l->bit_off, l->width))
                        continue;
                target = &sim->types[l->ref - sim->types];
                target_slot = sim_leaf_ref_slot(l, target->n, identity);
                if (target == t && target_slot == slot)
                        continue;
                if (add)
                        target->objs[target_slot].refs++;
                else
                        target->objs[target_slot].refs--;
        }
}

/* A type with a chance proportional to its population, or NULL when there are no objects. */
static struct sim_type *pick_type(mlx5_sim *sim, uint64_t r)
{
        uint64_t total = 0;

        for (unsigned i = 0; i < sim->n_types; i++)
                if (sim->types[i].objs)
                        total += sim->types[i].n;
        if (total == 0)
                return NULL;
        r %= total;
        for (unsigned i = 0; i < sim->n_types; i++) {
                struct sim_type *t = &sim->types[i];

                if (!t->objs)
                        continue;
                if (r < t->n)
                        return t;
                r -= t->n;
        }
        return NULL;
}

/* The object in slot goes; a new one takes its slot.  Nothing references the slot. */
static void replace(mlx5_sim *sim, struct sim_type *t, uint32_t slot)
{
        struct sim_obj *o = &t->objs[slot];

        count_references(sim, t, slot, false);
        sim_index_remove(&t->index, o->id);
        sim->churn.destroyed++;

        o->id = sim_fresh_id(sim, t, next_random(&sim->churn));
        /* birth 0 is "built with the function". */
        if (++t->births == 0)
                t->births = 1;
        o->birth = t->births;
        o->gen = 0;
        o->state = t->plan.created;
        sim_index_insert(&t->index, o->id, slot);
        count_references(sim, t, slot, true);
        sim->churn.created++;
}

static bool move_applies(const struct sim_move *m, uint64_t state)
{
        return m->from == state || (m->from == SIM_MOVE_ANY && m->to != state);
}

/* One of the moves that leave state, or state when none does. */
static uint64_t next_state(const struct sim_plan *plan, uint64_t state, uint64_t r)
{
        unsigned n = 0;

        for (unsigned i = 0; i < plan->n_moves; i++)
                n += move_applies(&plan->moves[i], state);
        if (n == 0)
                return state;
        r %= n;
        for (unsigned i = 0; i < plan->n_moves; i++)
                if (move_applies(&plan->moves[i], state) && r-- == 0)
                        return plan->moves[i].to;
        return state;
}

static void change(mlx5_sim *sim, struct sim_type *t, uint32_t slot)
{
        struct sim_obj *o = &t->objs[slot];

        /* Generation 0 is "never changed"; a wrap skips it. */
        if (++o->gen == 0)
                o->gen = 1;
        if (t->plan.lifecycle_leaf >= 0)
                o->state = next_state(&t->plan, o->state, next_random(&sim->churn));
        sim->churn.changed++;
}

static void step(mlx5_sim *sim)
{
        struct sim_churn *c = &sim->churn;
        struct sim_type *t = pick_type(sim, next_random(c));
        uint32_t slot;

        if (!t)
                return;
        slot = next_random(c) % t->n;
        if (next_random(c) & 1) {
                for (unsigned tries = 1; t->objs[slot].refs > 0 && tries < REPLACE_TRIES; tries++)
                        slot = next_random(c) % t->n;
                if (t->objs[slot].refs == 0) {
                        replace(sim, t, slot);
                        return;
                }
        }
        change(sim, t, slot);
}

void sim_churn_init(mlx5_sim *sim, uint64_t rate)
{
        struct sim_churn *c = &sim->churn;

        c->rate = rate;
        c->rng = sim_hash2(sim_hash2(sim->seed, sim->index), sim_hash_str("churn"));
        c->last_us = g_get_monotonic_time();
        for (unsigned i = 0; i < sim->n_types; i++) {
                struct sim_type *t = &sim->types[i];

                for (uint32_t slot = 0; t->objs && slot < t->n; slot++)
                        count_references(sim, t, slot, true);
        }
}

void sim_churn_steps(mlx5_sim *sim, uint64_t n)
{
        for (uint64_t i = 0; i < n; i++)
                step(sim);
}

void sim_churn_tick(mlx5_sim *sim, gint64 now_us)
{
        struct sim_churn *c = &sim->churn;
        uint64_t elapsed, due, cap;

        if (c->rate == 0 || now_us <= c->last_us)
                return;
        elapsed = now_us - c->last_us;
        c->last_us = now_us;
        /* Whole seconds first, so that no gap overflows; the fraction carries over. */
        due = elapsed / G_USEC_PER_SEC * c->rate;
        c->carry += elapsed % G_USEC_PER_SEC * c->rate;
        due += c->carry / G_USEC_PER_SEC;
        c->carry %= G_USEC_PER_SEC;
        cap = MAX(c->rate / 10, 1);
        if (due > cap) {
                c->dropped += due - cap;
                due = cap;
        }
        sim_churn_steps(sim, due);
}

void sim_churn_format_counts(const mlx5_sim *sim, GString *out)
{
        const struct sim_churn *c = &sim->churn;

        if (c->rate == 0)
                return;
        g_string_append_printf(out, "churn.created: %" G_GUINT64_FORMAT "\n", c->created);
        g_string_append_printf(out, "churn.destroyed: %" G_GUINT64_FORMAT "\n", c->destroyed);
        g_string_append_printf(out, "churn.changed: %" G_GUINT64_FORMAT "\n", c->changed);
        g_string_append_printf(out, "churn.dropped: %" G_GUINT64_FORMAT "\n", c->dropped);
}
