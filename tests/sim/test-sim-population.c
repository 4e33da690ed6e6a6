/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The population: the spec and its errors, object numbering, determinism,
 * cross references that hold for every object, the manifest, and a
 * population of 100k QPs.
 */
#include <string.h>

#include "sim-test-util.h"
#include "sim/sim-private.h"

#define OP_QUERY_QP 0x50b
#define OP_QUERY_SRQ 0x702
#define OP_QUERY_SQ 0x907
#define OP_QUERY_RQ 0x90b
#define OP_QUERY_RMP 0x90f
#define OP_QUERY_DCT 0x713
#define ST_OK 0x0
#define ST_BAD_RES 0x5

static void test_spec(void)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(mlx5_sim_spec) defaults = mlx5_sim_spec_parse("", sim_test_schema(), &error);
        g_autoptr(mlx5_sim_spec) spec = NULL;

        g_assert_no_error(error);
        g_assert_cmpuint(mlx5_sim_spec_devices(defaults), ==, 1);
        spec = mlx5_sim_spec_parse(" devices=2 , qp=0x10,cq=2000,seed=7,latency_us=50,slots=4,fail=QUERY_CQ,", 
                                   sim_test_schema(), &error);
        g_assert_no_error(error);
        g_assert_cmpuint(mlx5_sim_spec_devices(spec), ==, 2);

        sim_test_expect_spec_error("bogus=1", "bogus");
        sim_test_expect_spec_error("qp=abc", "qp=abc");
        sim_test_expect_spec_error("qp=-1", "qp=-1");
        sim_test_expect_spec_error("qp=12x", "qp=12x");
        /* The caps' spaces: QPNs below 2^log_max_qp (17) above the 0x100 special ones, EQNs below 2^7. */
        sim_test_expect_spec_error("qp=2000000", "between 0 and 130816");
        sim_test_expect_spec_error("qp=130817", "between 0 and 130816");
        sim_test_expect_spec_error("eq=300", "eq=300");
        sim_test_expect_spec_error("eq=128", "between 0 and 127");
        sim_test_expect_spec_error("q_counter=128", "between 0 and 127");       /* max_qp_cnt */
        sim_test_expect_spec_error("devices=0", "devices=0");
        sim_test_expect_spec_error("devices=65", "64");
        sim_test_expect_spec_error("slots=0", "slots=0");
        sim_test_expect_spec_error("latency_us=99999999", "latency_us");
        sim_test_expect_spec_error("seed=99999999999999999999999", "seed=");
        sim_test_expect_spec_error("fail=NOT_AN_OPCODE", "NOT_AN_OPCODE");
        sim_test_expect_spec_error("qp", "'qp'");
        sim_test_expect_spec_error("adapter=3", "adapter");     /* a singleton has no count */
        /* verbs.TYPE: a percentage, of a type verbs processes make. */
        g_clear_pointer(&spec, mlx5_sim_spec_free);
        spec = mlx5_sim_spec_parse("mkey=100,verbs.mkey=95,verbs.qp=0", sim_test_schema(), &error);
        g_assert_no_error(error);
        sim_test_expect_spec_error("verbs.mkey=101", "between 0 and 100");
        sim_test_expect_spec_error("verbs.eq=50", "verbs processes make no 'eq' objects");
        sim_test_expect_spec_error("verbs.nosuch=50", "no 'nosuch' objects");
        sim_test_expect_spec_error("verbs.=50", "no '' objects");
        /* QPs, SQs, RQs and DCTs share the QPN space, named counts and all. */
        sim_test_expect_spec_error("qp=130000,sq=800,dct=17", "dct=17,qp=130000,sq=800: these types share one");
}

static void test_numbering(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("", 0);
        const mlx5_schema *schema = sim_test_schema();
        size_t n;
        const uint32_t *ids;

        g_assert_cmpstr(mlx5_sim_pci_name(sim), ==, "0000:08:00.0");
        ids = mlx5_sim_object_ids(sim, "qp", &n);
        g_assert_cmpuint(n, ==, 128);
        g_assert_cmpuint(ids[0], >=, 0x100);
        g_assert_cmpuint(ids[n - 1] - ids[0], >, n);    /* sparse */
        ids = mlx5_sim_object_ids(sim, "eq", &n);
        g_assert_cmpuint(n, ==, 8);
        g_assert_cmpuint(ids[n - 1], <, 0x100);
        g_assert_null(mlx5_sim_object_ids(sim, "adapter", &n));
        g_assert_null(mlx5_sim_object_ids(sim, "no_such_type", &n));

        /* Every type with an id is populated, ascending and unique. */
        for (unsigned i = 0; i < mlx5_schema_n_resources(schema); i++) {
                const mlx5_schema_resource *res = mlx5_schema_resource_at(schema, i);

                if (!res->has_id)
                        continue;
                ids = mlx5_sim_object_ids(sim, res->name, &n);
                g_assert_cmpuint(n, >, 0);
                for (size_t k = 1; k < n; k++)
                        g_assert_cmpuint(ids[k - 1], <, ids[k]);
                g_assert_cmpuint(ids[n - 1] >> res->id_width, ==, 0);
        }
}

static void test_pci_names(void)
{
        g_autoptr(mlx5_sim) second = sim_test_new("devices=16", 1);
        g_autoptr(mlx5_sim) ninth = sim_test_new("devices=16", 9);

        g_assert_cmpstr(mlx5_sim_pci_name(second), ==, "0000:08:00.1");
        g_assert_cmpstr(mlx5_sim_pci_name(ninth), ==, "0000:08:01.1");
}

/* Every object's output of every type, concatenated. */
static GByteArray *all_outputs(mlx5_sim *sim)
{
        const mlx5_schema *schema = sim_test_schema();
        GByteArray *all = g_byte_array_new();

        for (unsigned i = 0; i < mlx5_schema_n_resources(schema); i++) {
                const mlx5_schema_resource *res = mlx5_schema_resource_at(schema, i);
                g_autofree uint8_t *out = g_malloc(res->outlen);
                size_t n = 1;
                const uint32_t *ids = res->has_id ? mlx5_sim_object_ids(sim, res->name, &n) : NULL;

                for (size_t k = 0; k < n; k++) {
                        g_assert_cmpuint(sim_test_query_resource(sim, res, ids ? ids[k] : 0, out), ==, 0);
                        g_byte_array_append(all, out, res->outlen);
                }
        }
        return all;
}

static int64_t still_clock(void)
{
        return (int64_t) 1000 * G_USEC_PER_SEC;
}

/* Every function a minute old, for as long as the test runs: counters that grow hold still. */
static mlx5_sim *sim_held_still(const char *spec, unsigned index)
{
        mlx5_sim *sim = sim_test_new(spec, index);

        sim->clock_us = still_clock;
        sim->born_us = still_clock() - 60 * G_USEC_PER_SEC;
        return sim;
}

static void test_determinism(void)
{
        g_autoptr(mlx5_sim) a = sim_held_still("seed=7,qp=300", 1);
        g_autoptr(mlx5_sim) b = sim_held_still("seed=7,qp=300", 1);
        g_autoptr(mlx5_sim) other_seed = sim_held_still("seed=8,qp=300", 1);
        g_autoptr(mlx5_sim) other_device = sim_held_still("seed=7,qp=300", 0);
        g_autoptr(GByteArray) out_a = all_outputs(a);
        g_autoptr(GByteArray) out_b = all_outputs(b);
        g_autoptr(GByteArray) again = all_outputs(a);
        g_autoptr(GByteArray) out_seed = all_outputs(other_seed);
        g_autoptr(GByteArray) out_device = all_outputs(other_device);

        g_assert_cmpmem(out_a->data, out_a->len, out_b->data, out_b->len);
        g_assert_cmpmem(out_a->data, out_a->len, again->data, again->len);
        g_assert_false(out_a->len == out_seed->len && memcmp(out_a->data, out_seed->data, out_a->len) == 0);
        g_assert_false(out_a->len == out_device->len && memcmp(out_a->data, out_device->data, out_a->len) == 0);
}

struct ref_check {
        mlx5_sim *sim;
        const char *owner;
        const uint8_t *out;
        size_t outlen;
        uint32_t context_bit_off;
        unsigned checked;
};

/* A REF leaf must name an object the referenced type's query answers OK for. */
static void check_ref_leaf(const mlx5_schema_field *f, const char *path, uint32_t bit_off, void *user_data)
{
        struct ref_check *c = user_data;
        const struct sim_rule *rule = sim_rule_find(c->owner, path);
        const mlx5_schema_resource *target;
        g_autofree uint8_t *out = NULL;
        uint64_t id;

        if (!rule || rule->kind != SIM_RULE_REF)
                return;
        target = mlx5_schema_find_resource(sim_test_schema(), rule->arg);
        if (!target)
                return;
        id = sim_test_get_bits(c->out, c->context_bit_off + bit_off, f->width);
        out = g_malloc(target->outlen);
        if (id > UINT32_MAX || sim_test_query_resource(c->sim, target, id, out) != 0)
                g_error("%s.%s = 0x%" G_GINT64_MODIFIER "x names no %s", c->owner, path, id, rule->arg);
        c->checked++;
}

static void test_cross_references(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("qp=500,cq=40,eq=5,sq=60,rq=60,tis=3,rqt=4", 0);
        const mlx5_schema *schema = sim_test_schema();
        unsigned checked = 0;

        for (unsigned i = 0; i < mlx5_schema_n_resources(schema); i++) {
                const mlx5_schema_resource *res = mlx5_schema_resource_at(schema, i);
                g_autofree uint8_t *out = g_malloc(res->outlen);
                size_t n;
                const uint32_t *ids = mlx5_sim_object_ids(sim, res->name, &n);

                for (size_t k = 0; ids && k < n; k++) {
                        struct ref_check c = { sim, res->name, out, res->outlen, res->context_bit_off, 0 };

                        g_assert_cmpuint(sim_test_query_resource(sim, res, ids[k], out), ==, 0);
                        mlx5_schema_foreach_leaf(res->context, check_ref_leaf, &c);
                        checked += c.checked;
                }
        }
        /* qp: cqn_snd, cqn_rcv, remote_qpn (...) for 500 QPs at least. */
        g_assert_cmpuint(checked, >, 1500);
}

/* Every rule of the table still names a leaf the schema has. */
struct rule_use {
        const char *owner;
        GHashTable *used;
};

static void mark_rule(const mlx5_schema_field *f, const char *path, uint32_t bit_off, void *user_data)
{
        struct rule_use *u = user_data;
        const struct sim_rule *rule = sim_rule_find(u->owner, path);

        if (rule)
                g_hash_table_add(u->used, (gpointer) rule);
}

static void test_rules_name_schema_fields(void)
{
        const mlx5_schema *schema = sim_test_schema();
        g_autoptr(GHashTable) used = g_hash_table_new(NULL, NULL);
        size_t n;
        const struct sim_rule *rules = sim_rules(&n);

        for (unsigned i = 0; i < mlx5_schema_n_resources(schema); i++) {
                const mlx5_schema_resource *res = mlx5_schema_resource_at(schema, i);
                struct rule_use u = { res->name, used };

                mlx5_schema_foreach_leaf(res->context, mark_rule, &u);
                if (res->extra)
                        mlx5_schema_foreach_leaf(res->extra, mark_rule, &u);
        }
        for (unsigned i = 0; i < mlx5_schema_n_caps(schema); i++) {
                const mlx5_schema_caps *c = mlx5_schema_caps_at(schema, i);
                g_autofree char *owner = g_strdup_printf("caps:%s", c->name);
                struct rule_use u = { owner, used };

                mlx5_schema_foreach_leaf(c->layout, mark_rule, &u);
        }
        for (size_t i = 0; i < n; i++)
                if (!g_hash_table_contains(used, &rules[i]))
                        g_error("rule %s.%s names no schema field", rules[i].owner, rules[i].path);
        /* The device's published caps too: each names a field, none is shadowed by a rule. */
        rules = sim_cx6dx_caps(&n);
        g_assert_cmpuint(n, >, 250);
        for (size_t i = 0; i < n; i++)
                if (!g_hash_table_contains(used, &rules[i]))
                        g_error("caps value %s.%s names no schema field, or a rule overrides it", rules[i].owner,
                                rules[i].path);
}

static void test_every_qp_state(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("qp=40", 0);
        static const char *const names[16] = {
                [0] = "RST", [1] = "INIT", [2] = "RTR", [3] = "RTS", [4] = "SQER", [6] = "ERR", [7] = "SQD",
        };
        unsigned seen[16] = { 0 };
        size_t n;
        const uint32_t *ids = mlx5_sim_object_ids(sim, "qp", &n);
        g_autoptr(GString) manifest = g_string_new(NULL);
        g_auto(GStrv) lines = NULL;
        unsigned qp_lines = 0;

        mlx5_sim_format_manifest(sim, manifest);
        lines = g_strsplit(manifest->str, "\n", -1);
        for (size_t k = 0; k < n; k++) {
                uint8_t out[0x110];
                unsigned state;
                g_autofree char *expected = NULL;

                g_assert_cmpuint(sim_test_query(sim, OP_QUERY_QP, ids[k], out, sizeof(out)), ==, 0);
                state = out[0x18] >> 4;
                g_assert_nonnull(names[state]);
                seen[state]++;
                expected = g_strdup_printf("0000:08:00.0 qp 0x%x %s ", ids[k], names[state]);
                for (char **l = lines; *l; l++)
                        if (g_str_has_prefix(*l, expected))
                                qp_lines++;
        }
        g_assert_cmpuint(qp_lines, ==, n);
        for (unsigned s = 0; s < 16; s++)
                if (names[s])
                        g_assert_cmpuint(seen[s], >, 0);
}

static void test_manifest(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("devices=2,qp=7,cq=3,mkey=2", 1);
        g_autoptr(GString) manifest = g_string_new(NULL);
        g_auto(GStrv) lines = NULL;
        size_t expected = 0, n = 0;

        for (unsigned i = 0; i < mlx5_schema_n_resources(sim_test_schema()); i++) {
                const mlx5_schema_resource *res = mlx5_schema_resource_at(sim_test_schema(), i);

                if (res->has_id && mlx5_sim_object_ids(sim, res->name, &n))
                        expected += n;
        }
        mlx5_sim_format_manifest(sim, manifest);
        lines = g_strsplit(manifest->str, "\n", -1);
        g_assert_cmpuint(g_strv_length(lines), ==, expected + 1);     /* the last line ends in \n */
        for (char **l = lines; **l; l++) {
                g_auto(GStrv) f = g_strsplit(*l, " ", -1);

                g_assert_cmpuint(g_strv_length(f), ==, 7);
                g_assert_cmpstr(f[0], ==, "0000:08:00.1");
                g_assert_true(g_str_has_prefix(f[2], "0x"));
                /* creator: "[module]" or "comm:pid" */
                g_assert_true((f[4][0] == '[' && g_str_has_suffix(f[4], "]")) || strchr(f[4], ':'));
                g_assert_true(g_strv_contains((const char *const[]) { "-", "netlink", "debugfs", "netlink,debugfs",
                                                                      NULL }, f[5]));
                g_assert_true(strcmp(f[6], "-") == 0 || strstr(f[6], "=0x"));
        }
        g_assert_nonnull(strstr(manifest->str, " mkey "));
        g_assert_nonnull(strstr(manifest->str, " mkey 0x"));
}

static void test_large_population(void)
{
        gint64 start = g_get_monotonic_time();
        g_autoptr(mlx5_sim) sim = sim_test_new("qp=100000,cq=20000", 0);
        size_t n;
        const uint32_t *ids = mlx5_sim_object_ids(sim, "qp", &n);
        uint8_t out[0x110];

        g_assert_cmpuint(n, ==, 100000);
        g_assert_cmpuint(ids[n - 1] >> 24, ==, 0);
        g_assert_cmpuint(sim_test_query(sim, OP_QUERY_QP, ids[n - 1], out, sizeof(out)), ==, 0);
        g_assert_cmpuint(sim_test_query(sim, OP_QUERY_QP, ids[n / 2], out, sizeof(out)), ==, 0);
        /* Only numbers are stored, so building it is quick. */
        g_assert_cmpint(g_get_monotonic_time() - start, <, 2 * G_USEC_PER_SEC);
}

/* The number spaces hardware shares between types (README "Simulated firmware"). */
static const char *const spaces[][4] = {
        { "qp", "sq", "rq", "dct" },
        { "srq", "xrc_srq", "rmp" },
};

/* No number is two live objects of one space; returns how many numbers the space holds. */
static size_t check_spaces_disjoint(mlx5_sim *sim)
{
        size_t total = 0;

        for (size_t s = 0; s < G_N_ELEMENTS(spaces); s++) {
                g_autoptr(GHashTable) seen = g_hash_table_new(NULL, NULL);

                for (size_t k = 0; k < G_N_ELEMENTS(spaces[s]) && spaces[s][k]; k++) {
                        size_t n;
                        g_autofree uint32_t *ids = mlx5_sim_live_ids(sim, spaces[s][k], &n);

                        for (size_t i = 0; i < n; i++) {
                                const char *other = g_hash_table_lookup(seen, GUINT_TO_POINTER(ids[i]));

                                if (other)
                                        g_error("0x%x is both a %s and a %s", ids[i], other, spaces[s][k]);
                                g_hash_table_insert(seen, GUINT_TO_POINTER(ids[i]), (gpointer) spaces[s][k]);
                                if (i)
                                        g_assert_cmpuint(ids[i], >, ids[i - 1]);
                        }
                        total += n;
                }
        }
        return total;
}

/*
 * QPs, SQs, RQs and DCTs never share a number, nor SRQs, XRC SRQs and RMPs:
 * as built, after churn, in a crowded space; the query of one type with
 * another's number is BAD_RES; QPs keep the numbers they had alone.
 */
static void test_shared_spaces(void)
{
        g_autoptr(mlx5_sim) sim = sim_test_new("seed=5,sq=300,rq=300,dct=200,rmp=50,xrc_srq=50,churn=1", 0);
        g_autoptr(mlx5_sim) crowded = sim_test_new("qp=130000,sq=400,rq=400,dct=16", 0);
        g_autoptr(mlx5_sim) full = sim_test_new("qp=130816", 0);
        uint8_t out[0x200];
        size_t n, n_sq, n_rmp;
        const uint32_t *ids;
        const uint32_t *sqs = mlx5_sim_object_ids(sim, "sq", &n_sq);
        const uint32_t *rmps = mlx5_sim_object_ids(sim, "rmp", &n_rmp);

        g_assert_cmpuint(check_spaces_disjoint(sim), ==, 128 + 300 + 300 + 200 + 8 + 50 + 50);
        /* The QPN space starts above the special QPs for every member. */
        g_assert_cmpuint(sqs[0], >=, 0x100);
        for (size_t i = 0; i < 5; i++) {
                g_assert_cmpuint(sim_test_query(sim, OP_QUERY_SQ, sqs[i], out, 0x110), ==, ST_OK);
                g_assert_cmpuint(sim_test_query(sim, OP_QUERY_QP, sqs[i], out, 0x110), ==, ST_BAD_RES);
                g_assert_cmpuint(sim_test_query(sim, OP_QUERY_RQ, sqs[i], out, 0x110), ==, ST_BAD_RES);
                g_assert_cmpuint(sim_test_query(sim, OP_QUERY_DCT, sqs[i], out, 0x110), ==, ST_BAD_RES);
                g_assert_cmpuint(sim_test_query(sim, OP_QUERY_RMP, rmps[i], out, 0x110), ==, ST_OK);
                g_assert_cmpuint(sim_test_query(sim, OP_QUERY_SRQ, rmps[i], out, 0x110), ==, ST_BAD_RES);
        }
        ids = mlx5_sim_object_ids(sim, "qp", &n);
        g_assert_cmpuint(sim_test_query(sim, OP_QUERY_SQ, ids[0], out, 0x110), ==, ST_BAD_RES);

        /* Churn hands out numbers no live object of the space has. */
        for (unsigned round = 0; round < 20; round++) {
                g_mutex_lock(&sim->lock);
                sim_churn_steps(sim, 200);
                g_mutex_unlock(&sim->lock);
                check_spaces_disjoint(sim);
        }

        /* A crowded space: every number of the QPN space but 0 to 0xff and the spare ones. */
        g_assert_cmpuint(check_spaces_disjoint(crowded), ==, 130000 + 800 + 16 + 8 + 8 + 8);
        ids = mlx5_sim_object_ids(crowded, "sq", &n);
        g_assert_cmpuint(n, ==, 400);
        g_assert_cmpuint(ids[n - 1], <=, 0x1ffff);
        /* All of it to QPs: the default SQs, RQs and DCTs have no room left. */
        mlx5_sim_object_ids(full, "qp", &n);
        g_assert_cmpuint(n, ==, 130816);
        mlx5_sim_object_ids(full, "dct", &n);
        g_assert_cmpuint(n, ==, 0);
        g_assert_cmpuint(check_spaces_disjoint(full), ==, 130816 + 8 + 8 + 8);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/sim/population/spec", test_spec);
        g_test_add_func("/sim/population/numbering", test_numbering);
        g_test_add_func("/sim/population/shared-spaces", test_shared_spaces);
        g_test_add_func("/sim/population/pci-names", test_pci_names);
        g_test_add_func("/sim/population/determinism", test_determinism);
        g_test_add_func("/sim/population/cross-references", test_cross_references);
        g_test_add_func("/sim/population/rules-name-schema-fields", test_rules_name_schema_fields);
        g_test_add_func("/sim/population/every-qp-state", test_every_qp_state);
        g_test_add_func("/sim/population/manifest", test_manifest);
        g_test_add_func("/sim/population/large", test_large_population);
        return g_test_run();
}
