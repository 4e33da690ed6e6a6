/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Churn: objects destroyed, created and changed while they are read.  Most
 * tests drive the steps themselves (churn=0 and sim_churn_steps), so they
 * know which objects a step touched and can demand exact answers: untouched
 * objects keep their bytes, touched ones do not, gone ones answer BAD_RES,
 * every reference names a live object, a dump answers its own object or
 * nothing.  The
 * live tests run the clock and check what holds whatever the timing.
 */
#include <string.h>

#include "sim-test-util.h"
#include "sim/sim-private.h"

/* From the PRM (mlx5-prm.md §2.2, §4, §6.1, §6.6). */
#define OP_QUERY_QP             0x50b
#define OP_QUERY_CQ             0x402
#define ST_OK                   0x0
#define ST_BAD_RES              0x5
#define QUERY_OUT_LEN           0x110           /* QUERY_QP and QUERY_CQ */
#define QPC_BIT                 0xc0            /* qpc in query_qp_out */
#define QPC_CQN_SND_BIT         (QPC_BIT + 0x3e8)

enum { QP_RST = 0, QP_INIT = 1, QP_RTR = 2, QP_RTS = 3, QP_SQER = 4, QP_ERR = 6, QP_SQD = 7 };
enum { SQ_RST = 0, SQ_RDY = 1, SQ_ERR = 3 };

/* Steps applied as a command applies them, under the function's lock. */
static void churn_steps(mlx5_sim *sim, uint64_t n)
{
        g_mutex_lock(&sim->lock);
        sim_churn_steps(sim, n);
        g_mutex_unlock(&sim->lock);
}

/* A counter of mlx5_sim_format_counts, or -1 when there is no such line. */
static int64_t count_line(mlx5_sim *sim, const char *name)
{
        g_autoptr(GString) counts = g_string_new(NULL);
        g_autofree char *prefix = g_strdup_printf("%s: ", name);
        g_auto(GStrv) lines = NULL;

        mlx5_sim_format_counts(sim, counts);
        lines = g_strsplit(counts->str, "\n", -1);
        for (char **l = lines; *l; l++)
                if (g_str_has_prefix(*l, prefix))
                        return g_ascii_strtoll(*l + strlen(prefix), NULL, 10);
        return -1;
}

static const mlx5_schema_resource *resource(const char *name)
{
        const mlx5_schema_resource *res = mlx5_schema_find_resource(sim_test_schema(), name);

        g_assert_nonnull(res);
        return res;
}

static int resource_index(const char *name)
{
        const mlx5_schema *schema = sim_test_schema();

        for (unsigned i = 0; i < mlx5_schema_n_resources(schema); i++)
                if (strcmp(mlx5_schema_resource_at(schema, i)->name, name) == 0)
                        return i;
        return -1;
}

/* The "state" field of a query output, through the schema. */
static unsigned state_of(const mlx5_schema_resource *res, const uint8_t *out)
{
        const mlx5_schema_field *f;
        uint32_t off;

        g_assert_cmpint(mlx5_schema_resolve(res->context, "state", &f, &off), ==, 0);
        return sim_test_get_bits(out, res->context_bit_off + off, f->width);
}

/* ---- snapshots: every live object, as a reader and as the firmware see it ---- */

struct object {
        struct sim_obj rec;             /* the firmware's record: birth and generation */
        uint8_t *out;                   /* the query answer */
};

static void object_free(gpointer p)
{
        struct object *o = p;

        g_free(o->out);
        g_free(o);
}

static void table_unref(gpointer p)
{
        if (p)
                g_hash_table_unref(p);
}

/* Per schema resource index: id -> struct object, NULL for singletons. */
typedef struct {
        GPtrArray *types;
} snapshot;

static void snapshot_free(snapshot *s)
{
        g_ptr_array_unref(s->types);
        g_free(s);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(snapshot, snapshot_free)

static GHashTable *snapshot_type(const snapshot *s, const char *name)
{
        return s->types->pdata[resource_index(name)];
}

/* Queries a live object and reads its record. */
static struct object *read_object(mlx5_sim *sim, const mlx5_schema_resource *res, uint32_t id)
{
        const struct sim_type *t = sim_find_type(sim, res->name);
        struct object *o = g_new0(struct object, 1);
        uint32_t slot = 0;
        bool found;

        o->out = g_malloc(res->outlen);
        g_assert_cmpuint(sim_test_query_resource(sim, res, id, o->out), ==, ST_OK);
        g_mutex_lock(&sim->lock);
        found = sim_index_find(&t->index, id, &slot);
        o->rec = t->objs[slot];
        g_mutex_unlock(&sim->lock);
        g_assert_true(found);
        g_assert_cmpuint(o->rec.id, ==, id);
        return o;
}

/* Lists and queries every live object; call with no churn due (churn=0). */
static snapshot *take_snapshot(mlx5_sim *sim)
{
        const mlx5_schema *schema = sim_test_schema();
        snapshot *s = g_new0(snapshot, 1);

        s->types = g_ptr_array_new_with_free_func(table_unref);
        for (unsigned i = 0; i < mlx5_schema_n_resources(schema); i++) {
                const mlx5_schema_resource *res = mlx5_schema_resource_at(schema, i);
                const struct sim_type *t = sim_find_type(sim, res->name);
                g_autofree uint32_t *ids = NULL;
                GHashTable *table = NULL;
                size_t n = 0;

                if (res->has_id) {
                        table = g_hash_table_new_full(NULL, NULL, NULL, object_free);
                        ids = mlx5_sim_live_ids(sim, res->name, &n);
                        /* Populations keep their size. */
                        g_assert_cmpuint(n, ==, t->n);
                }
                for (size_t k = 0; k < n; k++) {
                        if (k > 0)
                                g_assert_cmpuint(ids[k - 1], <, ids[k]);
                        g_hash_table_insert(table, GUINT_TO_POINTER(ids[k]), read_object(sim, res, ids[k]));
                }
                g_ptr_array_add(s->types, table);
        }
        return s;
}

struct diff {
        unsigned gone, born, same, changed;
};

/*
 * What happened between two snapshots, object by object: gone ones answer
 * BAD_RES, untouched ones the same bytes, changed ones other bytes.
 * type_changed[i] is set for each type with an object changed in place.
 */
static struct diff compare(mlx5_sim *sim, const snapshot *a, const snapshot *b, bool *type_changed)
{
        const mlx5_schema *schema = sim_test_schema();
        struct diff d = { 0 };

        for (unsigned i = 0; i < a->types->len; i++) {
                const mlx5_schema_resource *res = mlx5_schema_resource_at(schema, i);
                GHashTable *ta = a->types->pdata[i], *tb = b->types->pdata[i];
                g_autofree uint8_t *out = g_malloc(res->outlen);
                GHashTableIter it;
                gpointer key, value;

                if (!ta)
                        continue;
                g_assert_cmpuint(g_hash_table_size(ta), ==, g_hash_table_size(tb));
                g_hash_table_iter_init(&it, ta);
                while (g_hash_table_iter_next(&it, &key, &value)) {
                        const struct object *oa = value, *ob = g_hash_table_lookup(tb, key);

                        if (!ob) {
                                g_assert_cmpuint(sim_test_query_resource(sim, res, GPOINTER_TO_UINT(key), out), ==,
                                                 ST_BAD_RES);
                                d.gone++;
                                continue;
                        }
                        /* A number comes back only after a lap of its id space. */
                        g_assert_cmpuint(ob->rec.birth, ==, oa->rec.birth);
                        if (ob->rec.gen == oa->rec.gen) {
                                g_assert_cmpmem(oa->out, res->outlen, ob->out, res->outlen);
                                d.same++;
                        } else {
                                if (memcmp(oa->out, ob->out, res->outlen) == 0)
                                        g_error("%s 0x%x changed (generation %u -> %u) but kept its bytes",
                                                res->name, GPOINTER_TO_UINT(key), oa->rec.gen, ob->rec.gen);
                                d.changed++;
                                if (type_changed)
                                        type_changed[i] = true;
                        }
                }
                g_hash_table_iter_init(&it, tb);
                while (g_hash_table_iter_next(&it, &key, &value)) {
                        if (g_hash_table_contains(ta, key))
                                continue;
                        g_assert_cmpuint(((const struct object *) value)->rec.birth, !=, 0);
                        d.born++;
                }
        }
        return d;
}

struct ref_walk {
        const snapshot *snap;
        const char *owner;
        const uint8_t *out;
        uint32_t context_bit_off;
        unsigned checked;
};

static void check_ref_leaf(const mlx5_schema_field *f, const char *path, uint32_t bit_off, void *user_data)
{
        struct ref_walk *w = user_data;
        const struct sim_rule *rule = sim_rule_find(w->owner, path);
        GHashTable *targets;
        uint64_t id;

        if (!rule || rule->kind != SIM_RULE_REF)
                return;
        targets = snapshot_type(w->snap, rule->arg);
        g_assert_nonnull(targets);
        id = sim_test_get_bits(w->out, w->context_bit_off + bit_off, f->width);
        if (!g_hash_table_contains(targets, GUINT_TO_POINTER((uint32_t) id)))
                g_error("%s.%s = 0x%" G_GINT64_MODIFIER "x names no live %s", w->owner, path, id, rule->arg);
        w->checked++;
}

/* Every reference of every live object names a live object; returns how many were checked. */
static unsigned check_references(const snapshot *s)
{
        const mlx5_schema *schema = sim_test_schema();
        unsigned checked = 0;

        for (unsigned i = 0; i < s->types->len; i++) {
                const mlx5_schema_resource *res = mlx5_schema_resource_at(schema, i);
                GHashTable *table = s->types->pdata[i];
                GHashTableIter it;
                gpointer value;

                if (!table)
                        continue;
                g_hash_table_iter_init(&it, table);
                while (g_hash_table_iter_next(&it, NULL, &value)) {
                        struct ref_walk w = { s, res->name, ((struct object *) value)->out, res->context_bit_off, 0 };

                        mlx5_schema_foreach_leaf(res->context, check_ref_leaf, &w);
                        checked += w.checked;
                }
        }
        return checked;
}

/* ---- the spec ---- */

static void test_spec(void)
{
        const char *good[] = { "churn=0", "churn=1", "churn=100000", "churn=0x10,qp=5" };

        for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(mlx5_sim_spec) spec = mlx5_sim_spec_parse(good[i], sim_test_schema(), &error);

                g_assert_no_error(error);
                g_assert_nonnull(spec);
        }
        sim_test_expect_spec_error("churn=abc", "churn=abc");
        sim_test_expect_spec_error("churn=-1", "churn=-1");
        sim_test_expect_spec_error("churn=", "churn=");
        sim_test_expect_spec_error("churn=100001", "churn=100001");
        sim_test_expect_spec_error("churn=100001", "100000");
        sim_test_expect_spec_error("churn=99999999999999999999999", "churn=");
        /* An unknown key's message lists churn among the known ones. */
        sim_test_expect_spec_error("churm=5", "churn");
}

/* ---- churn off ---- */

static void test_off(void)
{
        const char *specs[] = { "", "churn=0" };

        for (size_t i = 0; i < G_N_ELEMENTS(specs); i++) {
                g_autoptr(mlx5_sim) sim = sim_test_new(specs[i], 0);
                g_autoptr(snapshot) before = take_snapshot(sim);
                g_autoptr(snapshot) after = NULL;
                g_autofree uint32_t *live = NULL;
                const uint32_t *built;
                size_t n_live, n_built;
                struct diff d;

                /* Time passes and commands run: nothing may move. */
                for (unsigned k = 0; k < 5; k++) {
                        g_usleep(50000);
                        snapshot_free(take_snapshot(sim));
                }
                after = take_snapshot(sim);
                d = compare(sim, before, after, NULL);
                g_assert_cmpuint(d.gone + d.born + d.changed, ==, 0);
                g_assert_cmpuint(d.same, >, 300);
                built = mlx5_sim_object_ids(sim, "qp", &n_built);
                live = mlx5_sim_live_ids(sim, "qp", &n_live);
                g_assert_cmpmem(built, n_built * sizeof(*built), live, n_live * sizeof(*live));
                g_assert_cmpint(count_line(sim, "churn.created"), ==, -1);
                g_assert_cmpuint(sim->churn.created + sim->churn.changed + sim->churn.dropped, ==, 0);
        }
}

/* ---- driven steps: exact answers ---- */

static void test_steps(void)
{
        const mlx5_schema *schema = sim_test_schema();
        g_autoptr(mlx5_sim) sim = sim_test_new("seed=11", 0);
        g_autoptr(snapshot) before = take_snapshot(sim);
        g_autofree bool *type_changed = g_new0(bool, mlx5_schema_n_resources(schema));
        struct diff total = { 0 };
        unsigned refs = 0;

        for (unsigned round = 0; round < 10; round++) {
                g_autoptr(snapshot) after = NULL;
                struct diff d;

                churn_steps(sim, 300);
                after = take_snapshot(sim);
                d = compare(sim, before, after, type_changed);
                refs += check_references(after);
                total.gone += d.gone;
                total.born += d.born;
                total.same += d.same;
                total.changed += d.changed;
                g_clear_pointer(&before, snapshot_free);
                before = g_steal_pointer(&after);
        }
        g_test_message("gone %u, born %u, changed %u, untouched %u, references checked %u",
                       total.gone, total.born, total.changed, total.same, refs);
        g_assert_cmpuint(total.gone, >, 100);
        g_assert_cmpuint(total.born, ==, total.gone);           /* each replace is one of each */
        g_assert_cmpuint(total.changed, >, 100);
        g_assert_cmpuint(total.same, >, 1000);
        g_assert_cmpuint(refs, >, 10 * 500);

        /* Every step is a replace or a change; the firmware counted them. */
        g_assert_cmpuint(sim->churn.created, ==, sim->churn.destroyed);
        g_assert_cmpuint(sim->churn.created, >=, total.born);
        g_assert_cmpuint(sim->churn.created + sim->churn.changed, ==, 10 * 300);

        /* Every type with objects had some changed in place, and each showed it in its bytes. */
        for (unsigned i = 0; i < mlx5_schema_n_resources(schema); i++) {
                const mlx5_schema_resource *res = mlx5_schema_resource_at(schema, i);

                if (res->has_id && !type_changed[i])
                        g_error("no %s was changed in 3000 steps", res->name);
        }
}

static bool qp_move(unsigned from, unsigned to)
{
        switch (from) {
        case QP_RST:
                return to == QP_INIT || to == QP_ERR;
        case QP_INIT:
                return to == QP_RTR || to == QP_ERR;
        case QP_RTR:
                return to == QP_RTS || to == QP_ERR;
        case QP_RTS:
                return to == QP_SQD || to == QP_SQER || to == QP_ERR;
        case QP_SQD:
        case QP_SQER:
                return to == QP_RTS || to == QP_ERR;
        case QP_ERR:
                return to == QP_RST;
        }
        return false;
}

static bool qp_state_known(unsigned state)
{
        return state <= QP_SQER || state == QP_ERR || state == QP_SQD;
}

static bool sq_move(unsigned from, unsigned to)
{
        return (from == SQ_RST && to == SQ_RDY) || (from == SQ_RDY && to == SQ_ERR) ||
               (from == SQ_ERR && to == SQ_RST);
}

/*
 * Checks each object of type changed exactly once between a and b against
 * move(), and that new objects start in state created; marks the states moved to.
 */
static unsigned check_moves(const snapshot *a, const snapshot *b, const char *type,
                            bool (*move)(unsigned, unsigned), unsigned created, bool reached[16])
{
        const mlx5_schema_resource *res = resource(type);
        GHashTable *ta = snapshot_type(a, type), *tb = snapshot_type(b, type);
        GHashTableIter it;
        gpointer key, value;
        unsigned checked = 0;

        g_hash_table_iter_init(&it, tb);
        while (g_hash_table_iter_next(&it, &key, &value)) {
                const struct object *ob = value, *oa = g_hash_table_lookup(ta, key);
                unsigned to = state_of(res, ob->out);

                if (ob->rec.birth != 0 && ob->rec.gen == 0) {
                        g_assert_cmpuint(to, ==, created);
                        checked++;
                }
                if (!oa || ob->rec.gen != oa->rec.gen + 1)
                        continue;
                if (!move(state_of(res, oa->out), to))
                        g_error("%s 0x%x moved from state %u to %u", type, GPOINTER_TO_UINT(key),
                                state_of(res, oa->out), to);
                reached[to & 0xf] = true;
                checked++;
        }
        return checked;
}

static void test_lifecycle(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("qp=400,sq=100,seed=4", 0);
        g_autoptr(snapshot) before = take_snapshot(sim);
        bool qp_reached[16] = { false }, sq_reached[16] = { false };
        static const unsigned qp_states[] = { QP_RST, QP_INIT, QP_RTR, QP_RTS, QP_SQER, QP_ERR, QP_SQD };
        unsigned checked = 0;

        for (unsigned round = 0; round < 60; round++) {
                g_autoptr(snapshot) after = NULL;

                churn_steps(sim, 20);
                after = take_snapshot(sim);
                checked += check_moves(before, after, "qp", qp_move, QP_RST, qp_reached);
                checked += check_moves(before, after, "sq", sq_move, SQ_RST, sq_reached);
                g_clear_pointer(&before, snapshot_free);
                before = g_steal_pointer(&after);
        }
        g_test_message("%u moves and new objects checked", checked);
        g_assert_cmpuint(checked, >, 200);
        for (size_t i = 0; i < G_N_ELEMENTS(qp_states); i++)
                if (!qp_reached[qp_states[i]])
                        g_error("no QP moved to state %u", qp_states[i]);
        g_assert_true(sq_reached[SQ_RDY] && sq_reached[SQ_ERR] && sq_reached[SQ_RST]);
}

/* Every live object's answer and the manifest, concatenated. */
static GByteArray *fingerprint(mlx5_sim *sim)
{
        const mlx5_schema *schema = sim_test_schema();
        GByteArray *all = g_byte_array_new();
        g_autoptr(GString) manifest = g_string_new(NULL);

        for (unsigned i = 0; i < mlx5_schema_n_resources(schema); i++) {
                const mlx5_schema_resource *res = mlx5_schema_resource_at(schema, i);
                g_autofree uint8_t *out = g_malloc(res->outlen);
                g_autofree uint32_t *ids = NULL;
                size_t n = 0;

                if (!res->has_id)
                        continue;
                ids = mlx5_sim_live_ids(sim, res->name, &n);
                for (size_t k = 0; k < n; k++) {
                        g_assert_cmpuint(sim_test_query_resource(sim, res, ids[k], out), ==, ST_OK);
                        g_byte_array_append(all, out, res->outlen);
                }
        }
        mlx5_sim_format_manifest(sim, manifest);
        g_byte_array_append(all, (const uint8_t *) manifest->str, manifest->len);
        return all;
}

static void test_determinism(void)
{
        static const unsigned counts[] = { 1, 10, 250, 3, 2000 };
        g_autoptr(mlx5_sim) a = sim_test_new("qp=300,seed=5", 0);
        g_autoptr(mlx5_sim) b = sim_test_new("qp=300,seed=5", 0);
        g_autoptr(mlx5_sim) at_once = sim_test_new("qp=300,seed=5", 0);
        g_autoptr(mlx5_sim) as_built = sim_test_new("qp=300,seed=5", 0);
        g_autoptr(GByteArray) fa = NULL;
        g_autoptr(GByteArray) fb = NULL;
        g_autoptr(GByteArray) f_once = NULL;
        g_autoptr(GByteArray) f_built = fingerprint(as_built);
        unsigned total = 0;

        for (size_t i = 0; i < G_N_ELEMENTS(counts); i++) {
                churn_steps(a, counts[i]);
                churn_steps(b, counts[i]);
                total += counts[i];
                g_clear_pointer(&fa, g_byte_array_unref);
                g_clear_pointer(&fb, g_byte_array_unref);
                fa = fingerprint(a);
                fb = fingerprint(b);
                g_assert_cmpmem(fa->data, fa->len, fb->data, fb->len);
        }
        /* Steps are steps: how they were grouped does not matter. */
        churn_steps(at_once, total);
        f_once = fingerprint(at_once);
        g_assert_cmpmem(fa->data, fa->len, f_once->data, f_once->len);
        /* And they did something. */
        g_assert_false(fa->len == f_built->len && memcmp(fa->data, f_built->data, fa->len) == 0);
}

/* The Q counter space (ids 1..max_qp_cnt = 127) nearly full: numbers are handed out again, each time to a new object. */
static void test_wrap(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("q_counter=120,seed=6", 0);
        const mlx5_schema_resource *res = resource("q_counter");
        g_autoptr(GHashTable) last = g_hash_table_new_full(NULL, NULL, NULL, object_free);
        unsigned reused = 0;

        g_assert_cmpuint(res->id_width, ==, 8);
        for (unsigned round = 0; round < 400; round++) {
                g_autofree uint32_t *ids = NULL;
                size_t n;

                churn_steps(sim, 5);
                ids = mlx5_sim_live_ids(sim, "q_counter", &n);
                g_assert_cmpuint(n, ==, 120);
                for (size_t k = 0; k < n; k++) {
                        struct object *o = read_object(sim, res, ids[k]);
                        const struct object *prev = g_hash_table_lookup(last, GUINT_TO_POINTER(ids[k]));

                        g_assert_cmpuint(ids[k], >=, 1);
                        g_assert_cmpuint(ids[k], <=, 127);
                        if (k > 0)
                                g_assert_cmpuint(ids[k - 1], <, ids[k]);
                        if (prev && prev->rec.birth != o->rec.birth) {
                                g_assert_true(memcmp(prev->out, o->out, res->outlen) != 0);
                                reused++;
                        }
                        g_hash_table_insert(last, GUINT_TO_POINTER(ids[k]), o);
                }
        }
        g_test_message("%u numbers handed out again", reused);
        g_assert_cmpuint(reused, >, 20);
}

/* A full block split by an insert at each position keeps every number, in order. */
static void test_index_split(void)
{
        enum { FULL = 256 };            /* sim-index.c's block length */
        uint32_t even[FULL];

        for (uint32_t k = 0; k < FULL; k++)
                even[k] = 2 * k + 2;
        for (uint32_t pos = 0; pos <= FULL; pos++) {
                struct sim_index x;
                uint32_t id, slot, next = 0, n = 0;

                sim_index_init(&x, even, FULL);
                sim_index_insert(&x, 2 * pos + 1, 1000);
                while (sim_index_next(&x, next, &id, &slot)) {
                        /* 2, 4, ... with 2 * pos + 1 between */
                        g_assert_cmpuint(id, ==, n == pos ? 2 * pos + 1 : 2 * (n - (n > pos)) + 2);
                        g_assert_cmpuint(slot, ==, n == pos ? 1000 : n - (n > pos));
                        next = id + 1;
                        n++;
                }
                g_assert_cmpuint(n, ==, FULL + 1);
                g_assert_cmpuint(sim_index_count(&x), ==, FULL + 1);
                sim_index_clear(&x);
        }
}

/* The index against a plain model: random inserts and removals all over a small id space. */
static void test_index(void)
{
        enum { SPACE = 5000 };
        g_autoptr(GRand) rand = g_rand_new_with_seed(17);
        g_autofree uint32_t *initial = g_new(uint32_t, SPACE / 2);
        g_autofree int64_t *model = g_new(int64_t, SPACE);      /* id -> slot, -1 when absent */
        struct sim_index x;
        uint32_t n = 0;

        for (uint32_t id = 0; id < SPACE; id++)
                model[id] = -1;
        for (uint32_t id = 1; id < SPACE; id += 2) {
                model[id] = n;
                initial[n++] = id;
        }
        sim_index_init(&x, initial, n);
        for (unsigned op = 0; op < 200000; op++) {
                uint32_t id = g_rand_int_range(rand, 0, SPACE), slot = 0, next_id = 0, next_slot = 0, want = id;
                /* Mostly empty, then mostly full, then in between. */
                bool add = g_rand_int_range(rand, 0, 100) < (op < 60000 ? 20 : op < 120000 ? 80 : 50);

                if (add && model[id] < 0) {
                        model[id] = op;
                        sim_index_insert(&x, id, op);
                        n++;
                } else if (!add && model[id] >= 0) {
                        model[id] = -1;
                        sim_index_remove(&x, id);
                        n--;
                }
                g_assert_cmpint(sim_index_find(&x, id, &slot), ==, model[id] >= 0);
                if (model[id] >= 0)
                        g_assert_cmpuint(slot, ==, model[id]);
                while (want < SPACE && model[want] < 0)
                        want++;
                g_assert_cmpint(sim_index_next(&x, id, &next_id, &next_slot), ==, want < SPACE);
                if (want < SPACE) {
                        g_assert_cmpuint(next_id, ==, want);
                        g_assert_cmpuint(next_slot, ==, model[want]);
                }
                if (op % 1000 == 0)
                        g_assert_cmpuint(sim_index_count(&x), ==, n);
        }
        g_assert_cmpuint(sim_index_count(&x), ==, n);
        sim_index_clear(&x);
}

/* ---- dumps across churn ---- */

struct stepper {
        mlx5_sim *sim;
        unsigned steps;
};

static void step_between(void *data)
{
        struct stepper *s = data;

        churn_steps(s->sim, s->steps);
}

#define SEG_PRM_QUERY_QP        0x4000
#define SEG_SND_BUFF            0x1001

/* The records of a dump (after info and command, before terminate), each of type and payload_len. */
static GArray *dump_records(const GByteArray *stream, unsigned type, size_t payload_len)
{
        g_autoptr(GArray) segs = sim_test_split(stream);
        GArray *recs = g_array_new(FALSE, FALSE, sizeof(sim_test_segment));

        for (guint k = 2; k + 1 < segs->len; k++) {
                const sim_test_segment *s = &g_array_index(segs, sim_test_segment, k);

                g_assert_cmpuint(s->type, ==, type);
                if (payload_len)
                        g_assert_cmpuint(s->len, ==, 16 + payload_len);
                g_array_append_val(recs, *s);
        }
        return recs;
}

/*
 * One QP per dump while churn moves the population: a dump of a QP that
 * lives answers that QP, whole, and nothing else; one of a QP churn took
 * is refused as nonexistent, never answered with another.
 */
static void test_dumps_across_steps(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("qp=500,seed=8", 0);
        size_t n;
        const uint32_t *built = mlx5_sim_object_ids(sim, "qp", &n);
        unsigned answered = 0, refused = 0, untouched = 0;

        for (size_t k = 0; k < n; k++) {
                sim_test_dump_request req = { .segment_type = SEG_PRM_QUERY_QP, .index1 = built[k] };
                g_autoptr(snapshot) before = take_snapshot(sim);
                const struct object *o = g_hash_table_lookup(snapshot_type(before, "qp"), GUINT_TO_POINTER(built[k]));
                g_autoptr(GByteArray) stream = NULL;
                g_autoptr(GArray) recs = NULL;

                if (!o) {
                        uint32_t syndrome;

                        g_assert_cmpuint(sim_test_dump_status(sim, &req, &syndrome), ==, ST_BAD_RES);
                        refused++;
                } else {
                        stream = sim_test_dump(sim, &req, NULL);
                        recs = dump_records(stream, SEG_PRM_QUERY_QP, QUERY_OUT_LEN);
                        g_assert_cmpuint(recs->len, ==, 1);
                        g_assert_cmpuint(sim_test_be32(g_array_index(recs, sim_test_segment, 0).data + 8), ==,
                                         built[k]);
                        /* No step between the snapshot and the dump: exactly the query's bytes. */
                        g_assert_cmpmem(g_array_index(recs, sim_test_segment, 0).data + 16, QUERY_OUT_LEN,
                                        o->out, QUERY_OUT_LEN);
                        g_assert_true(qp_state_known(state_of(resource("qp"), o->out)));
                        untouched += o->rec.gen == 0;
                        answered++;
                }
                churn_steps(sim, 2);
        }
        g_test_message("%u QPs answered (%u never changed), %u gone and refused", answered, untouched, refused);
        g_assert_cmpuint(answered, >, 100);
        g_assert_cmpuint(refused, >, 0);
        g_assert_cmpuint(untouched, >, 0);
}

/*
 * A queue buffer dumped across steps: every record is an entry of that QP,
 * in order from 0; if churn takes the QP mid-dump the stream ends there,
 * with no record of whichever object takes its slot.
 */
static void test_buffer_across_steps(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("qp=300,seed=8", 0);
        size_t n;
        const uint32_t *built = mlx5_sim_object_ids(sim, "qp", &n);
        struct stepper st = { sim, 3 };
        unsigned whole = 0, cut = 0;

        for (size_t k = 0; k < n && (whole < 5 || cut < 1); k++) {
                sim_test_dump_request req = { .segment_type = SEG_SND_BUFF, .index1 = built[k], .num_of_obj2 = 0xffff };
                uint8_t out[QUERY_OUT_LEN];
                g_autoptr(GByteArray) stream = NULL;
                g_autoptr(GArray) recs = NULL;
                uint32_t entries;

                if (sim_test_query(sim, OP_QUERY_QP, built[k], out, sizeof(out)) != ST_OK)
                        continue;
                /* qpc.no_sq (0x50), log_sq_size (0x51, 4 bits) */
                if (sim_test_get_bits(out, QPC_BIT + 0x50, 1))
                        continue;
                entries = 1u << sim_test_get_bits(out, QPC_BIT + 0x51, 4);
                stream = sim_test_dump_with(sim, &req, NULL, step_between, &st);
                recs = dump_records(stream, SEG_SND_BUFF, 64);
                for (guint i = 0; i < recs->len; i++) {
                        g_assert_cmpuint(sim_test_be32(g_array_index(recs, sim_test_segment, i).data + 8), ==, built[k]);
                        g_assert_cmpuint(sim_test_be32(g_array_index(recs, sim_test_segment, i).data + 12), ==, i);
                }
                g_assert_cmpuint(recs->len, <=, entries);
                if (recs->len == entries)
                        whole++;
                else
                        cut++;
        }
        g_test_message("%u buffers whole, %u cut short by their QP's end", whole, cut);
        g_assert_cmpuint(whole, >=, 5);
        g_assert_cmpuint(cut, >=, 1);
}

/* ---- the clock ---- */

static unsigned query_status(mlx5_sim *sim, unsigned opcode, uint32_t id, uint8_t out[QUERY_OUT_LEN])
{
        unsigned status = sim_test_query(sim, opcode, id, out, QUERY_OUT_LEN);

        g_assert_true(status == ST_OK || status == ST_BAD_RES);
        return status;
}

static void test_live(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("qp=200,cq=40,churn=4000,seed=3", 0);
        size_t n_built;
        const uint32_t *built = mlx5_sim_object_ids(sim, "qp", &n_built);
        g_autoptr(GHashTable) built_set = g_hash_table_new(NULL, NULL);
        g_autoptr(GHashTable) gone = g_hash_table_new(NULL, NULL);
        g_autoptr(GHashTable) states = g_hash_table_new(NULL, NULL);       /* id -> state + 1 */
        unsigned appeared = 0, moved = 0, refs = 0, dumps = 0;
        gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

        for (size_t k = 0; k < n_built; k++)
                g_hash_table_add(built_set, GUINT_TO_POINTER(built[k]));
        while (g_get_monotonic_time() < deadline &&
               (g_hash_table_size(gone) < 5 || appeared < 5 || moved < 5 || refs < 1000 || dumps < 10)) {
                size_t n_live;
                g_autofree uint32_t *ids = mlx5_sim_live_ids(sim, "qp", &n_live);
                uint8_t out[QUERY_OUT_LEN], cq[QUERY_OUT_LEN];

                /* The live population as the firmware holds it (no firmware command lists it). */
                dumps++;
                for (size_t k = 0; k < n_live; k++) {
                        uint32_t id = ids[k];
                        unsigned state, last;

                        /* Listed a moment ago; it may have gone since. */
                        if (query_status(sim, OP_QUERY_QP, id, out) != ST_OK)
                                continue;
                        appeared += !g_hash_table_contains(built_set, GUINT_TO_POINTER(id));
                        state = state_of(resource("qp"), out);
                        last = GPOINTER_TO_UINT(g_hash_table_lookup(states, GUINT_TO_POINTER(id)));
                        moved += last && last != state + 1;
                        g_hash_table_insert(states, GUINT_TO_POINTER(id), GUINT_TO_POINTER(state + 1));

                        /*
                         * Its send CQ lives as long as it does.  Numbers are not reused within
                         * seconds, so a CQ gone while its QP still answers is a dangling reference.
                         */
                        if (query_status(sim, OP_QUERY_CQ, sim_test_get_bits(out, QPC_CQN_SND_BIT, 24), cq) == ST_OK)
                                refs++;
                        else
                                g_assert_cmpuint(query_status(sim, OP_QUERY_QP, id, out), ==, ST_BAD_RES);
                }
                for (size_t k = 0; k < n_built; k++)
                        if (query_status(sim, OP_QUERY_QP, built[k], out) == ST_BAD_RES)
                                g_hash_table_add(gone, GUINT_TO_POINTER(built[k]));
        }
        g_test_message("%u dumps: %u built QPs gone, %u new ones answered, %u state moves, %u CQ references",
                       dumps, g_hash_table_size(gone), appeared, moved, refs);
        g_assert_cmpuint(g_hash_table_size(gone), >=, 5);
        g_assert_cmpuint(appeared, >=, 5);
        g_assert_cmpuint(moved, >=, 5);
        g_assert_cmpuint(refs, >=, 1000);
        g_assert_cmpint(count_line(sim, "churn.created"), >, 0);
        g_assert_cmpint(count_line(sim, "churn.destroyed"), ==, count_line(sim, "churn.created"));
        g_assert_cmpint(count_line(sim, "churn.changed"), >, 0);
        g_assert_cmpint(count_line(sim, "churn.dropped"), >=, 0);
}

static void test_idle_gap(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("churn=1000", 0);
        uint8_t out[QUERY_OUT_LEN];
        size_t n;
        const uint32_t *ids = mlx5_sim_object_ids(sim, "qp", &n);

        /* 400 steps are due at the first command: it makes a tenth of a second's worth. */
        g_usleep(400000);
        query_status(sim, OP_QUERY_QP, ids[0], out);
        g_assert_cmpint(count_line(sim, "churn.created") + count_line(sim, "churn.changed"), ==, 100);
        g_assert_cmpint(count_line(sim, "churn.dropped"), >=, 290);
}

static void test_large(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("qp=100000,cq=20000,churn=100000", 0);
        uint8_t out[QUERY_OUT_LEN];
        size_t n;
        const uint32_t *ids = mlx5_sim_object_ids(sim, "qp", &n);
        gint64 start, took;

        g_usleep(200000);
        start = g_get_monotonic_time();
        query_status(sim, OP_QUERY_QP, ids[n / 2], out);
        took = g_get_monotonic_time() - start;
        g_test_message("a command with 10000 steps due among 120k objects took %" G_GINT64_FORMAT " us", took);
        g_assert_cmpint(count_line(sim, "churn.created") + count_line(sim, "churn.changed"), ==, 10000);
        g_assert_cmpint(took, <, G_USEC_PER_SEC);
        /* A few words per object, whatever the population. */
        g_assert_cmpuint(sizeof(struct sim_obj), <=, 24);
}

/* ---- concurrent readers ---- */

struct reader {
        mlx5_sim *sim;
        bool dumper;
        gint64 until;
        unsigned answers;
};

static gpointer run_reader(gpointer data)
{
        struct reader *r = data;
        size_t n;
        const uint32_t *ids = mlx5_sim_object_ids(r->sim, "qp", &n);

        for (unsigned i = 0; g_get_monotonic_time() < r->until; i++) {
                uint8_t out[QUERY_OUT_LEN];

                if (r->dumper) {
                        /* One QP's record, as the kernel's restrack reads it: that QP or a refusal. */
                        const sim_test_dump_request req = {
                                .segment_type = SEG_PRM_QUERY_QP, .index1 = ids[i * 97 % n], .num_of_obj1 = 1,
                        };
                        uint8_t in[SIM_TEST_REG_MBOX_LEN], ans[SIM_TEST_REG_MBOX_LEN];
                        const uint8_t *rec = ans + 16 + 0x30 + 16 + 20;  /* after info and command */
                        unsigned status;

                        sim_test_dump_in(in, 1, &req);
                        status = sim_test_exec(r->sim, in, sizeof(in), ans, sizeof(ans));
                        g_assert_true(status == ST_OK || status == ST_BAD_RES);
                        if (status == ST_OK) {
                                g_assert_cmpuint(sim_test_be16(rec + 2), ==, SEG_PRM_QUERY_QP);
                                g_assert_cmpuint(sim_test_be32(rec + 8), ==, req.index1);
                                r->answers++;
                        }
                        continue;
                }
                /* Built QPs, and numbers past them where new ones appear. */
                query_status(r->sim, OP_QUERY_QP, i % 2 ? ids[i % n] : ids[n - 1] + 1 + i % 4096, out);
                query_status(r->sim, OP_QUERY_CQ, sim_test_get_bits(out, QPC_CQN_SND_BIT, 24), out);
                r->answers++;
        }
        return NULL;
}

static void test_concurrent(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("qp=3000,cq=300,churn=20000,latency_us=20", 0);
        struct reader readers[4];
        GThread *threads[G_N_ELEMENTS(readers)];
        g_autoptr(snapshot) frozen = NULL;

        for (size_t i = 0; i < G_N_ELEMENTS(readers); i++) {
                readers[i] = (struct reader) { sim, i == 0, g_get_monotonic_time() + G_USEC_PER_SEC, 0 };
                threads[i] = g_thread_new("reader", run_reader, &readers[i]);
        }
        for (size_t i = 0; i < G_N_ELEMENTS(readers); i++) {
                g_thread_join(threads[i]);
                g_assert_cmpuint(readers[i].answers, >, 0);
        }
        g_assert_cmpint(count_line(sim, "churn.created"), >, 1000);

        /* Stop the clock, then the device must be whole: sizes, numbers, references. */
        g_mutex_lock(&sim->lock);
        sim->churn.rate = 0;
        g_mutex_unlock(&sim->lock);
        frozen = take_snapshot(sim);
        g_assert_cmpuint(check_references(frozen), >, 3000 * 3);
}

/* ---- the manifest follows the live objects ---- */

static void test_manifest(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("qp=50,cq=10,seed=2", 0);
        const mlx5_schema_resource *qp = resource("qp");
        g_autoptr(GString) manifest = g_string_new(NULL);
        g_autoptr(GString) expected = g_string_new(NULL);
        static const char *const names[16] = {
                [QP_RST] = "RST", [QP_INIT] = "INIT", [QP_RTR] = "RTR", [QP_RTS] = "RTS",
                [QP_SQER] = "SQER", [QP_ERR] = "ERR", [QP_SQD] = "SQD",
        };
        g_autofree uint32_t *ids = NULL;
        g_auto(GStrv) lines = NULL;
        size_t n, qp_lines = 0;

        churn_steps(sim, 400);
        ids = mlx5_sim_live_ids(sim, "qp", &n);
        mlx5_sim_format_manifest(sim, manifest);
        lines = g_strsplit(manifest->str, "\n", -1);
        for (char **l = lines; *l; l++)
                qp_lines += strstr(*l, " qp ") != NULL;
        g_assert_cmpuint(qp_lines, ==, n);
        /* Each live QP, in order, with the state its query shows (creator, views and refs follow). */
        for (size_t k = 0; k < n; k++) {
                uint8_t out[QUERY_OUT_LEN];

                g_assert_cmpuint(sim_test_query(sim, OP_QUERY_QP, ids[k], out, sizeof(out)), ==, ST_OK);
                g_assert_nonnull(names[state_of(qp, out)]);
                g_string_printf(expected, "0000:08:00.0 qp 0x%x %s ", ids[k], names[state_of(qp, out)]);
                g_assert_nonnull(strstr(manifest->str, expected->str));
        }
        /* Some of them are new. */
        g_assert_cmpuint(sim->churn.created, >, 0);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/sim/churn/spec", test_spec);
        g_test_add_func("/sim/churn/off", test_off);
        g_test_add_func("/sim/churn/steps", test_steps);
        g_test_add_func("/sim/churn/lifecycle", test_lifecycle);
        g_test_add_func("/sim/churn/determinism", test_determinism);
        g_test_add_func("/sim/churn/wrap", test_wrap);
        g_test_add_func("/sim/churn/index-split", test_index_split);
        g_test_add_func("/sim/churn/index", test_index);
        g_test_add_func("/sim/churn/dumps-across-steps", test_dumps_across_steps);
        g_test_add_func("/sim/churn/buffer-across-steps", test_buffer_across_steps);
        g_test_add_func("/sim/churn/live", test_live);
        g_test_add_func("/sim/churn/idle-gap", test_idle_gap);
        g_test_add_func("/sim/churn/large", test_large);
        g_test_add_func("/sim/churn/concurrent", test_concurrent);
        g_test_add_func("/sim/churn/manifest", test_manifest);
        return g_test_run();
}
