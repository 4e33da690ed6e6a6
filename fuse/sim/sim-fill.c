/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Schema-driven field values.  A plan lists every leaf of an output mailbox
 * once; filling an object walks it and derives each value from (seed,
 * function, type, object number, field path), so the bytes of an object are
 * the same on every query without being stored, and a field added to the
 * schema is filled with no code change.  The rules of sim-rules.c override
 * the leaves they name.
 *
 * Churn adds two things to an object: a generation, mixed into the seed of
 * the leaves no rule names (so a changed object's counters and pointers
 * move while its type, sizes and references stay), and a stored state for
 * the one leaf its lifecycle names.  An object never changed has generation
 * 0 and the plain seed, so without churn nothing differs.
 */
#include <string.h>

#include "prm/bits.h"
#include "sim/sim-private.h"

/* Status and syndrome belong to the command layer, never to a context. */
#define OUT_HDR_RESERVED_BITS 0x40
/* Keeps generation seeds apart from identity seeds ("gen" in ASCII). */
#define SIM_GEN_SALT 0x67656eull
/* COUNTER rates stay below this (units a second), so a century of uptime fits 64 bits. */
#define SIM_COUNTER_MAX_RATE 1000000000ull
/* A COUNTER starts where a day (at most) of its rate before the function was built left it. */
#define SIM_COUNTER_HEADSTART_S 86400u

static uint64_t width_mask(uint32_t width)
{
        return width >= 64 ? UINT64_MAX : (1ull << width) - 1;
}

#define MIX4(i) SIM_MIX64(i), SIM_MIX64((i) + 1), SIM_MIX64((i) + 2), SIM_MIX64((i) + 3)
#define MIX16(i) MIX4(i), MIX4((i) + 4), MIX4((i) + 8), MIX4((i) + 12)

const uint64_t sim_index_mix[SIM_INDEX_MIX_N] = { MIX16(0), MIX16(16), MIX16(32), MIX16(48) };

static uint64_t gcd(uint64_t a, uint64_t b)
{
        while (b) {
                uint64_t t = a % b;

                a = b;
                b = t;
        }
        return a;
}

static bool is_text(const mlx5_schema_field *f)
{
        return f->display == MLX5_DISPLAY_BYTES || f->display == MLX5_DISPLAY_ASCII;
}

/* An enum name of the field's enumeration, or a number. */
static bool choice_value(const mlx5_schema_field *f, const char *token, uint64_t *ret_value)
{
        const mlx5_schema_enum *e = f->enumeration;

        if (g_ascii_isdigit(*token)) {
                *ret_value = g_ascii_strtoull(token, NULL, 0);
                return *ret_value <= width_mask(f->width);
        }
        for (guint i = 0; e && !e->is_flags && i < e->values->len; i++) {
                const mlx5_schema_enum_value *v = &g_array_index(e->values, mlx5_schema_enum_value, i);

                if (strcmp(v->name, token) == 0) {
                        *ret_value = v->value;
                        return true;
                }
        }
        return false;
}

/* Resolves a rule against its leaf once; false when the field cannot hold what it says. */
static bool leaf_bind_rule(struct sim_leaf *l, const mlx5_sim *sim, const char *owner, uint32_t count)
{
        const struct sim_rule *rule = l->rule;
        g_auto(GStrv) tokens = NULL;
        /* Per function and type, so that two types' mixes do not march in step. */
        uint64_t h = sim_leaf_hash(l, sim_hash2(sim->seed, sim->index) ^ sim_hash_str(owner));

        if (is_text(l->field) != (rule->kind == SIM_RULE_TEXT))
                return false;
        switch (rule->kind) {
        case SIM_RULE_SPREAD:
        case SIM_RULE_VALUE:
        case SIM_RULE_RANGE:
                tokens = g_strsplit(rule->arg, " ", -1);
                l->choices = g_new0(uint64_t, g_strv_length(tokens));
                for (char **t = tokens; *t; t++)
                        if (!choice_value(l->field, *t, &l->choices[l->n_choices++]))
                                return false;
                if (l->n_choices == 0 || (rule->kind == SIM_RULE_RANGE && l->n_choices != 2))
                        return false;
                if (rule->kind == SIM_RULE_RANGE && l->choices[0] > l->choices[1])
                        return false;
                if (rule->kind == SIM_RULE_SPREAD) {
                        /* A permutation of positions: every listed value shows up once count allows. */
                        l->stride = h % count;
                        while (l->stride == 0 || gcd(l->stride, count) != 1)
                                l->stride = l->stride % count + 1;
                        l->offset = sim_mix64(h) % count;
                }
                return true;
        case SIM_RULE_COUNTER:
                tokens = g_strsplit(rule->arg, " ", -1);
                l->choices = g_new0(uint64_t, g_strv_length(tokens));
                for (char **t = tokens; *t; t++)
                        if (!choice_value(l->field, *t, &l->choices[l->n_choices++]))
                                return false;
                /* Never wraps in a run: 64 bits; LO <= HI (and MIN <= MAX) below the rate bound. */
                if (l->width != 64 || (l->n_choices != 2 && l->n_choices != 4))
                        return false;
                for (unsigned i = 0; i < l->n_choices; i += 2)
                        if (l->choices[i] > l->choices[i + 1] || l->choices[i + 1] > SIM_COUNTER_MAX_RATE)
                                return false;
                return true;
        case SIM_RULE_REF:
                l->ref = sim_find_type(sim, rule->arg);
                return true;
        case SIM_RULE_TEXT:
        case SIM_RULE_VHCA_ID:
                return true;
        }
        return false;
}

struct plan_builder {
        GArray *leaves;
        mlx5_sim *sim;
        const char *owner;
        uint32_t base_bit_off;
        uint32_t count;
        struct sim_plan *plan;
};

/* Resolves a lifecycle against its leaf once; false when the field cannot hold what it says. */
static bool plan_bind_lifecycle(struct sim_plan *plan, const mlx5_schema_field *f,
                                const struct sim_lifecycle *lc)
{
        g_auto(GStrv) moves = g_strsplit(lc->moves, " ", -1);

        /* A 32-bit state is what struct sim_obj stores. */
        if (!f->enumeration || f->enumeration->is_flags || f->width > 32)
                return false;
        if (!choice_value(f, lc->created, &plan->created))
                return false;
        plan->moves = g_new0(struct sim_move, g_strv_length(moves));
        for (char **m = moves; *m; m++) {
                struct sim_move *move = &plan->moves[plan->n_moves++];
                g_auto(GStrv) ends = g_strsplit(*m, ">", -1);

                if (g_strv_length(ends) != 2 || !choice_value(f, ends[1], &move->to))
                        return false;
                if (strcmp(ends[0], "*") == 0)
                        move->from = SIM_MOVE_ANY;
                else if (!choice_value(f, ends[0], &move->from))
                        return false;
        }
        return plan->n_moves > 0;
}

static enum sim_leaf_fill leaf_fill(const struct sim_leaf *l, const struct sim_plan *plan)
{
        const mlx5_schema_enum *e = l->field->enumeration;

        if (is_text(l->field))
                return SIM_FILL_TEXT;
        if (l->width > 64)
                return SIM_FILL_NONE;
        if (!l->rule && !l->lifecycle && !plan->caps && (!e || e->values->len == 0))
                return SIM_FILL_RANDOM;
        return SIM_FILL_VALUE;
}

static void add_leaf(const mlx5_schema_field *field, const char *path, uint32_t bit_off, void *user_data)
{
        struct plan_builder *b = user_data;
        const char *dot = strrchr(path, '.');
        g_autofree char *group = dot ? g_strndup(path, dot - path) : NULL;
        struct sim_leaf l = {
                .bit_off = b->base_bit_off + bit_off,
                .width = field->width,
                .path_mix = sim_mix64(sim_hash_str(path)),
                .group_hash = sim_hash_str(group ? group : path),
                .field = field,
                .rule = sim_rule_find(b->owner, path),
        };
        const struct sim_lifecycle *lc = sim_lifecycle_find(b->owner, path);

        if (l.bit_off < OUT_HDR_RESERVED_BITS)
                return;
        if (lc && b->plan->lifecycle_leaf < 0) {
                l.lifecycle = plan_bind_lifecycle(b->plan, field, lc);
                if (l.lifecycle) {
                        b->plan->lifecycle_leaf = b->leaves->len;
                } else {
                        /* As for rules: say so; the state then never moves. */
                        g_warning("simulator: lifecycle of %s.%s does not fit the schema field; not moved",
                                  b->owner, path);
                        g_clear_pointer(&b->plan->moves, g_free);
                        b->plan->n_moves = 0;
                }
        }
        if (l.rule && !leaf_bind_rule(&l, b->sim, b->owner, b->count)) {
                /* The rule table and the schema disagree: say so, fill at random. */
                g_warning("simulator: rule for %s.%s does not fit the schema field; filled at random",
                          b->owner, path);
                g_free(l.choices);
                l.choices = NULL;
                l.n_choices = 0;
                l.rule = NULL;
        }
        l.fill = leaf_fill(&l, b->plan);
        g_array_append_val(b->leaves, l);
}

void sim_plan_build(struct sim_plan *plan, mlx5_sim *sim, const char *owner, uint32_t count,
                    const mlx5_schema_struct *st, uint32_t bit_off, const mlx5_schema_struct *extra)
{
        struct plan_builder b = {
                .leaves = g_array_new(FALSE, FALSE, sizeof(struct sim_leaf)),
                .sim = sim,
                .owner = owner,
                .count = count ? count : 1,
                .plan = plan,
        };

        plan->lifecycle_leaf = -1;
        plan->caps = g_str_has_prefix(owner, "caps:");
        b.base_bit_off = bit_off;
        mlx5_schema_foreach_leaf(st, add_leaf, &b);
        if (extra) {
                b.base_bit_off = 0;
                mlx5_schema_foreach_leaf(extra, add_leaf, &b);
        }
        plan->count = b.count;
        plan->n_leaves = b.leaves->len;
        plan->leaves = (struct sim_leaf *) (void *) g_array_free(b.leaves, FALSE);
}

void sim_plan_clear(struct sim_plan *plan)
{
        for (unsigned i = 0; i < plan->n_leaves; i++)
                g_free(plan->leaves[i].choices);
        g_clear_pointer(&plan->leaves, g_free);
        plan->n_leaves = 0;
        g_clear_pointer(&plan->moves, g_free);
        plan->n_moves = 0;
        plan->lifecycle_leaf = -1;
}

struct sim_field sim_context_field(const struct sim_type *t, const char *path)
{
        const mlx5_schema_resource *res = t->res;
        const mlx5_schema_field *f;
        uint32_t off;

        if (!res->context || mlx5_schema_resolve(res->context, path, &f, &off) < 0 || f->width > 64)
                return (struct sim_field) { 0, 0 };
        return (struct sim_field) { res->context_bit_off + off, f->width };
}

uint64_t sim_field_get(const struct sim_field *f, const uint8_t *out, size_t len)
{
        return f->width ? mlx5_bits_get(out, len, f->bit_off, f->width) : 0;
}

static bool leaf_writes(const struct sim_leaf *l, const struct sim_field *fields, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (fields[i].width && l->bit_off < fields[i].bit_off + fields[i].width &&
                    fields[i].bit_off < l->bit_off + l->width)
                        return true;
        return false;
}

void sim_plan_subset(struct sim_plan *ret, const struct sim_plan *plan, const struct sim_field *fields, size_t n)
{
        *ret = *plan;
        ret->leaves = g_new(struct sim_leaf, plan->n_leaves + 1);
        ret->n_leaves = 0;
        /* Its own state and moves are the whole plan's business. */
        ret->lifecycle_leaf = -1;
        ret->moves = NULL;
        ret->n_moves = 0;
        for (unsigned k = 0; k < plan->n_leaves; k++)
                if (leaf_writes(&plan->leaves[k], fields, n))
                        ret->leaves[ret->n_leaves++] = plan->leaves[k];
}

void sim_plan_subset_clear(struct sim_plan *subset)
{
        g_clear_pointer(&subset->leaves, g_free);
        subset->n_leaves = 0;
}

static uint64_t random_value(const mlx5_schema_field *f, uint64_t h)
{
        const mlx5_schema_enum *e = f->enumeration;
        uint64_t v = 0;

        if (!e || e->values->len == 0)
                return h & width_mask(f->width);
        if (!e->is_flags)
                return g_array_index(e->values, mlx5_schema_enum_value, h % e->values->len).value;
        for (guint i = 0; i < e->values->len; i++) {
                uint64_t bit = g_array_index(e->values, mlx5_schema_enum_value, i).value;

                if (bit < f->width && bit < 64 && (sim_hash2_index(h, bit) & 1))
                        v |= 1ull << bit;
        }
        return v;
}

/*
 * A capability no rule names.  Caps are limits a driver sizes things by, so
 * not random bits: flags and enums as chosen, log sizes up to 2^16, counts
 * up to 255, hex fields (masks, ids) within their width.
 */
static uint64_t caps_value(const mlx5_schema_field *f, uint64_t h)
{
        uint64_t mask = width_mask(f->width);

        if (f->enumeration || f->width == 1 || f->display == MLX5_DISPLAY_HEX)
                return random_value(f, h);
        if (g_str_has_prefix(f->name, "log_"))
                return h % (MIN(mask, 16) + 1);
        return h % (MIN(mask, 255) + 1);
}

/*
 * A COUNTER leaf at uptime_ms: a rate and a head start from the identity
 * seed and the leaf's group (so packets and octets of one traffic counter
 * move together), growing linearly.  Monotonic in uptime_ms; overflow-free
 * for a century under SIM_COUNTER_MAX_RATE * the largest MAX a rule names.
 */
static uint64_t counter_at(const struct sim_leaf *l, uint64_t seed, uint64_t uptime_ms)
{
        uint64_t h = sim_hash2(seed, l->group_hash);
        uint64_t rate = l->choices[0] + h % (l->choices[1] - l->choices[0] + 1);
        uint64_t packets = rate * (sim_mix64(h) % SIM_COUNTER_HEADSTART_S) + rate * uptime_ms / 1000;

        if (l->n_choices == 4)
                return packets * (l->choices[2] + sim_hash2(h, 1) % (l->choices[3] - l->choices[2] + 1));
        return packets;
}

static uint64_t rule_value(const struct sim_leaf *l, const struct sim_plan *plan,
                           const struct sim_fill_ctx *ctx, uint64_t h)
{
        switch (l->rule->kind) {
        case SIM_RULE_SPREAD:
                return l->choices[((uint64_t) ctx->pos * l->stride + l->offset) % plan->count % l->n_choices];
        case SIM_RULE_REF:
                /* The slot's object is alive as long as this one: sim-churn.c counts references. */
                if (!l->ref || !l->ref->objs || !l->ref->n)
                        return 0;
                return l->ref->objs[sim_leaf_ref_slot(l, l->ref->n, ctx->identity_seed)].id;
        case SIM_RULE_VALUE:
                return l->choices[0];
        case SIM_RULE_RANGE:
                if (l->choices[1] - l->choices[0] == UINT64_MAX)
                        return h;
                return l->choices[0] + h % (l->choices[1] - l->choices[0] + 1);
        case SIM_RULE_VHCA_ID:
                return ctx->sim->index;
        case SIM_RULE_COUNTER:
                /* Cleared: what it counted since, as firmware restarts a cleared counter from 0. */
                return counter_at(l, ctx->identity_seed, ctx->uptime_ms) -
                       (ctx->cleared_ms ? counter_at(l, ctx->identity_seed, ctx->cleared_ms) : 0);
        case SIM_RULE_TEXT:
                break;
        }
        return 0;
}

/* Random bytes, printable text, or the rule's text, one byte at a time. */
static void fill_text(const struct sim_leaf *l, uint64_t h, uint8_t *out, size_t len)
{
        static const char printable[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
        unsigned n = l->width / 8;
        unsigned text_len = n > 1 ? 1 + h % (n - 1) : n;
        const char *text = l->rule ? l->rule->arg : NULL;
        size_t text_n = text ? strlen(text) : 0;

        for (unsigned i = 0; i < n; i++) {
                uint8_t byte;

                if (text)
                        byte = i < text_n ? (uint8_t) text[i] : 0;
                else if (l->field->display == MLX5_DISPLAY_ASCII)
                        byte = i < text_len ? printable[sim_hash2_index(h, i) % (sizeof(printable) - 1)] : 0;
                else
                        byte = sim_hash2_index(h, i);
                /* The leaf is inside out (sim_plan_fill checked): a byte-aligned one takes its bytes as they are. */
                if (l->bit_off % 8 == 0)
                        out[l->bit_off / 8 + i] = byte;
                else
                        mlx5_bits_set(out, len, l->bit_off + 8 * i, 8, byte);
        }
}

/* Rules hold for an object's whole life; the other leaves move with its generation. */
static uint64_t leaf_hash(const struct sim_leaf *l, const struct sim_fill_ctx *ctx)
{
        return sim_leaf_hash(l, l->rule ? ctx->identity_seed : ctx->object_seed);
}

/* A numeric leaf (at most 64 bits, not text), without the stored state. */
static uint64_t leaf_value(const struct sim_leaf *l, const struct sim_plan *plan, const struct sim_fill_ctx *ctx)
{
        uint64_t h = leaf_hash(l, ctx);
        uint64_t v = l->rule ? rule_value(l, plan, ctx, h) : plan->caps ? caps_value(l->field, h)
                                                                          : random_value(l->field, h);

        /* Caps a driver lowered: current stays within max. */
        if (ctx->lowered && !l->rule && !l->field->enumeration && (sim_mix64(h) & 3) == 0)
                v = v == UINT64_MAX ? sim_mix64(h ^ 1) : sim_mix64(h ^ 1) % (v + 1);
        return v;
}

void sim_plan_fill(const struct sim_plan *plan, const struct sim_fill_ctx *ctx, uint8_t *out, size_t len)
{
        for (unsigned i = 0; i < plan->n_leaves; i++) {
                const struct sim_leaf *l = &plan->leaves[i];
                uint64_t v;

                if (!mlx5_bits_in_range(len, l->bit_off, l->width))
                        continue;
                switch (l->fill) {
                case SIM_FILL_NONE:
                        continue;
                case SIM_FILL_TEXT:
                        fill_text(l, leaf_hash(l, ctx), out, len);
                        continue;
                case SIM_FILL_RANDOM:
                        /* What leaf_value gives it while no caps are lowered (only caps plans are). */
                        if (!ctx->lowered) {
                                v = sim_leaf_hash(l, ctx->object_seed);
                                break;
                        }
                        G_GNUC_FALLTHROUGH;
                case SIM_FILL_VALUE:
                default:
                        v = l->lifecycle && ctx->has_state ? ctx->state : leaf_value(l, plan, ctx);
                        break;
                }
                /* The low width bits: what width_mask keeps (one word store where the field allows). */
                mlx5_bits_set(out, len, l->bit_off, l->width, v);
        }
}

uint64_t sim_plan_lifecycle_value(const struct sim_plan *plan, const struct sim_fill_ctx *ctx)
{
        const struct sim_leaf *l;

        if (plan->lifecycle_leaf < 0)
                return 0;
        l = &plan->leaves[plan->lifecycle_leaf];
        return leaf_value(l, plan, ctx) & width_mask(l->width);
}

uint64_t sim_uptime_ms(const mlx5_sim *sim)
{
        int64_t age = sim->clock_us() - sim->born_us;

        return age > 0 ? (uint64_t) age / 1000 : 0;
}

uint64_t sim_object_identity(const mlx5_sim *sim, const struct sim_type *t, uint32_t slot)
{
        const struct sim_obj *o = t->objs ? &t->objs[slot] : NULL;
        uint64_t h = sim_hash2(sim_hash2(sim->seed, sim->index) ^ t->name_hash, o ? o->id : 0);

        /* A number handed out again after its object went names a different object. */
        return o && o->birth ? sim_hash2(h, o->birth) : h;
}

void sim_object_output(const mlx5_sim *sim, const struct sim_type *t, uint32_t slot, uint8_t *out, size_t len)
{
        sim_object_fill(sim, t, slot, &t->plan, out, len);
}

void sim_object_fill(const mlx5_sim *sim, const struct sim_type *t, uint32_t slot, const struct sim_plan *plan,
                     uint8_t *out, size_t len)
{
        const struct sim_obj *o = t->objs ? &t->objs[slot] : NULL;
        struct sim_fill_ctx ctx = {
                .sim = sim,
                .identity_seed = sim_object_identity(sim, t, slot),
                .pos = slot,
                .has_state = o && t->plan.lifecycle_leaf >= 0,
                .state = o ? o->state : 0,
                .uptime_ms = sim_uptime_ms(sim),
                .cleared_ms = t->cleared_ms,
        };

        ctx.object_seed = o && o->gen ? sim_hash2(ctx.identity_seed ^ SIM_GEN_SALT, o->gen) : ctx.identity_seed;
        memset(out, 0, len);
        sim_plan_fill(plan, &ctx, out, len);
}
