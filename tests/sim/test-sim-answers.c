/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulator's answers, pinned: every query of every object and a dump
 * of every menu record for many objects (their PRM query segments, opaque
 * contexts, queue buffers, RDB entries, device-wide records and tables),
 * before and after churn, with the clock held still, hashed answer by
 * answer.  The digest is the one the simulator gave before its fill and
 * dump paths were made cheaper (main at 3a7ffe7): a faster path that
 * changes one byte of one answer fails here.  A change meant to alter the
 * answers (a schema field, a rule, a menu record) updates the digest, which
 * the failure prints, and says so in its commit.  The text and JSON decodes
 * of the query answers are pinned the same way; subset plans (the leaves
 * behind a few fields) are checked against the whole fill.
 */
#include <string.h>

#include "sim-test-util.h"
#include "sim/sim-private.h"

#define GOLDEN_SHA256 "33928fc4d7965b867bc9f40066e538005c1598c14ccd5f161549826628c96ffc"

#define SPEC "seed=11,qp=120,cq=40,mkey=40,sq=24,rq=24,srq=12,eq=12"
#define REG_MBOX_LEN SIM_TEST_REG_MBOX_LEN
#define NUM_ALL 0xffff
#define QUERY_HCA_CAP 0x100
/* Objects of each type whose segments are dumped; queue buffers: fewer, they are long. */
#define DUMPED_OBJECTS 48
#define DUMPED_BUFFERS 3
/* Chunks of one dump: a 2^15-entry buffer of 128-byte entries is 20k. */
#define MAX_CHUNKS 40000

struct answers {
        GChecksum *sum;
        uint64_t bytes, commands, refused;
};

static void take(struct answers *a, const uint8_t *out, size_t len)
{
        g_checksum_update(a->sum, out, len);
        a->bytes += len;
        a->commands++;
        if (out[0] != 0)
                a->refused++;
}

/* One dump, every answer mailbox as it came (status, opaque, seq_num, chunk). */
static void dump(mlx5_sim *sim, struct answers *a, const sim_test_dump_request *req)
{
        uint8_t in[REG_MBOX_LEN], out[REG_MBOX_LEN];

        sim_test_dump_in(in, 1, req);
        for (unsigned chunk = 0; chunk < MAX_CHUNKS; chunk++) {
                sim_test_exec(sim, in, sizeof(in), out, sizeof(out));
                take(a, out, sizeof(out));
                /* more_dump is the register's first bit; the answer carries opaque and seq_num for the next. */
                if (out[0] != 0 || !(out[16] & 0x80))
                        return;
                memcpy(in + 16, out + 16, 0x30);
        }
        g_assert_not_reached();
}

/* Every capability page, maximum and current (the driver lowers some), and the pages no device has. */
static void query_caps(mlx5_sim *sim, struct answers *a)
{
        uint8_t in[16], out[0x1010];

        for (unsigned op_mod = 0; op_mod < 0x80; op_mod++) {
                sim_test_query_in(in, QUERY_HCA_CAP, op_mod, 0);
                sim_test_exec(sim, in, sizeof(in), out, sizeof(out));
                take(a, out, sizeof(out));
        }
}

typedef void (*query_fn)(const mlx5_schema_resource *res, unsigned status, const uint8_t *out, void *data);

/* Every live object's query, type by type. */
static void foreach_query(mlx5_sim *sim, query_fn fn, void *data)
{
        for (unsigned i = 0; i < sim->n_types; i++) {
                const mlx5_schema_resource *res = sim->types[i].res;
                g_autofree uint8_t *out = g_malloc0(res->outlen);
                size_t n = 1;
                g_autofree uint32_t *ids = res->has_id ? mlx5_sim_live_ids(sim, res->name, &n) : NULL;

                for (size_t k = 0; k < n; k++) {
                        unsigned status = sim_test_query_resource(sim, res, ids ? ids[k] : 0, out);

                        fn(res, status, out, data);
                }
        }
}

static void take_query(const mlx5_schema_resource *res, unsigned status, const uint8_t *out, void *data)
{
        take(data, out, res->outlen);
}

static void query_all(mlx5_sim *sim, struct answers *a)
{
        query_caps(sim, a);
        foreach_query(sim, take_query, a);
}

static void dump_record(mlx5_sim *sim, struct answers *a, const struct sim_menu_record *r)
{
        sim_test_dump_request req = { .segment_type = r->type };
        size_t n = 0;
        g_autofree uint32_t *ids = r->object ? mlx5_sim_live_ids(sim, r->object, &n) : NULL;

        switch (r->kind) {
        case SIM_MENU_QUERY:
        case SIM_MENU_OBJECT:
                for (size_t k = 0; k < MIN(n, (size_t) DUMPED_OBJECTS); k++) {
                        req.index1 = ids[k];
                        dump(sim, a, &req);
                }
                return;
        case SIM_MENU_BUFFER:
                for (size_t k = 0; k < MIN(n, (size_t) DUMPED_OBJECTS); k++) {
                        req.index1 = ids[k];
                        /* The whole queue of a few; two entries past the first of the rest (or IX_ERR). */
                        req.index2 = k < DUMPED_BUFFERS ? 0 : 1;
                        req.num_of_obj2 = k < DUMPED_BUFFERS ? NUM_ALL : 2;
                        dump(sim, a, &req);
                }
                return;
        case SIM_MENU_RDB:
                for (size_t k = 0; k < MIN(n, (size_t) DUMPED_OBJECTS); k++) {
                        req.index1 = ids[k];
                        req.index2 = k % 3;
                        dump(sim, a, &req);
                }
                return;
        case SIM_MENU_TABLE:
                req.num_of_obj1 = r->flags & SIM_MENU_ALL_NUM1 ? NUM_ALL : 1;
                dump(sim, a, &req);
                return;
        case SIM_MENU_VNIC_ENV:
        case SIM_MENU_DEVICE:
                req.index1 = r->flags & SIM_MENU_MUST_INDEX1 ? 1 : 0;
                dump(sim, a, &req);
                return;
        }
}

static void answer_all(mlx5_sim *sim, struct answers *a)
{
        size_t n;
        const struct sim_menu_record *records = sim_menu_records(&n);
        const sim_test_dump_request menu = { .segment_type = 0xffff };

        query_all(sim, a);
        dump(sim, a, &menu);
        for (size_t i = 0; i < n; i++)
                dump_record(sim, a, &records[i]);
}

static int64_t still_clock(void)
{
        return (int64_t) 5000 * G_USEC_PER_SEC;
}

/* The spec's function 1, an hour old and held still: COUNTER leaves are a function of the seed alone. */
static mlx5_sim *sim_held_still(void)
{
        mlx5_sim *sim = sim_test_new(SPEC, 1);

        sim->clock_us = still_clock;
        sim->born_us = still_clock() - (int64_t) 3600 * G_USEC_PER_SEC;
        return sim;
}

static void test_golden(void)
{
        g_autoptr(mlx5_sim) sim = sim_held_still();
        struct answers a = { .sum = g_checksum_new(G_CHECKSUM_SHA256) };

        answer_all(sim, &a);
        /* Churn: new objects under new numbers, changed generations and states. */
        g_mutex_lock(&sim->lock);
        sim_churn_steps(sim, 400);
        g_mutex_unlock(&sim->lock);
        answer_all(sim, &a);

        g_test_message("%" G_GUINT64_FORMAT " answers (%" G_GUINT64_FORMAT " refused), %" G_GUINT64_FORMAT
                       " bytes: sha256 %s", a.commands, a.refused, a.bytes, g_checksum_get_string(a.sum));
        /* The walk reaches far: thousands of answers, most of them data. */
        g_assert_cmpuint(a.commands, >, 5000);
        g_assert_cmpuint(a.refused * 4, <, a.commands);
        g_assert_cmpstr(g_checksum_get_string(a.sum), ==, GOLDEN_SHA256);
        g_checksum_free(a.sum);
}

/*
 * What users read of those answers: every object's query output as the
 * text decoder and the JSON decoder show it, and the text's length as
 * counted without building it, pinned the same way (main at 3a7ffe7).
 */
#define DECODED_SHA256 "ec0e5701e2965f9639c26faba5903a2d0a856d7bcd06c52a924207bfa6b2b684"

struct decoded {
        GChecksum *sum;
        uint64_t objects, bytes;
};

static void decode_query(const mlx5_schema_resource *res, unsigned status, const uint8_t *out, void *data)
{
        struct decoded *d = data;
        g_autoptr(GString) text = g_string_new(NULL);
        g_autoptr(GString) json = g_string_new(NULL);
        bool first = true;

        if (status != 0)
                return;
        /* Whole, and cut short (a field past the end is left out). */
        for (size_t len = res->outlen; len > 0; len = len > 40 ? len / 2 : 0) {
                g_autoptr(GString) one = g_string_new(NULL);

                mlx5_decode_resource(one, res, out, len);
                g_assert_cmpuint(mlx5_decode_resource_len(res, out, len), ==, one->len);
                g_string_append_len(text, one->str, one->len);
                mlx5_json_resource_members(json, res, out, len, &first);
        }
        g_checksum_update(d->sum, (const guchar *) text->str, text->len);
        g_checksum_update(d->sum, (const guchar *) json->str, json->len);
        d->bytes += text->len + json->len;
        d->objects++;
}

static void test_decoded(void)
{
        g_autoptr(mlx5_sim) sim = sim_held_still();
        struct decoded d = { .sum = g_checksum_new(G_CHECKSUM_SHA256) };

        foreach_query(sim, decode_query, &d);
        g_test_message("%" G_GUINT64_FORMAT " objects, %" G_GUINT64_FORMAT " bytes decoded: sha256 %s", d.objects,
                       d.bytes, g_checksum_get_string(d.sum));
        g_assert_cmpuint(d.objects, >, 300);
        g_assert_cmpstr(g_checksum_get_string(d.sum), ==, DECODED_SHA256);
        g_checksum_free(d.sum);
}

/* Whether bits [off, off + width) of a and b agree. */
static bool same_bits(const uint8_t *a, const uint8_t *b, uint32_t off, uint32_t width)
{
        for (uint32_t bit = off; bit < off + width; bit++)
                if (((a[bit / 8] ^ b[bit / 8]) >> (7 - bit % 8)) & 1)
                        return false;
        return true;
}

/*
 * A subset plan (what queue sizes and the netlink views are read from)
 * against the whole output: for every type, every leaf alone and random
 * bit ranges across leaves, over objects before and after churn, the
 * subset's fill holds the same bits; and it fills fewer leaves.
 */
static void test_subset_plans(void)
{
        g_autoptr(mlx5_sim) sim = sim_held_still();
        GRand *rand = g_rand_new_with_seed(5);
        uint64_t compared = 0;
        for (unsigned round = 0; round < 2; round++) {
                for (unsigned i = 0; i < sim->n_types; i++) {
                        const struct sim_type *t = &sim->types[i];
                        size_t len = t->res->outlen;
                        g_autofree uint8_t *whole = g_malloc(len);
                        g_autofree uint8_t *part = g_malloc(len);
                        uint32_t n = t->objs ? t->n : 1;

                        for (unsigned k = 0; k < t->plan.n_leaves + 64; k++) {
                                const struct sim_leaf *l = k < t->plan.n_leaves ? &t->plan.leaves[k] : NULL;
                                struct sim_field fields[2] = { { 0, 0 }, { 0, 0 } };
                                struct sim_plan subset;
                                uint32_t slot = g_rand_int_range(rand, 0, n);

                                if (l) {
                                        fields[0] = (struct sim_field) { l->bit_off, MIN(l->width, 64u) };
                                } else {
                                        for (unsigned f = 0; f < 2; f++) {
                                                uint32_t off = g_rand_int_range(rand, 0, len * 8);
                                                uint32_t width = g_rand_int_range(rand, 1, 65);

                                                fields[f] = (struct sim_field) { off, MIN(width, len * 8 - off) };
                                        }
                                }
                                sim_plan_subset(&subset, &t->plan, fields, G_N_ELEMENTS(fields));
                                if (l)
                                        g_assert_cmpuint(subset.n_leaves, >=, 1);
                                g_assert_cmpuint(subset.n_leaves, <=, t->plan.n_leaves);
                                sim_object_output(sim, t, slot, whole, len);
                                sim_object_fill(sim, t, slot, &subset, part, len);
                                for (unsigned f = 0; f < G_N_ELEMENTS(fields); f++) {
                                        g_assert_true(same_bits(whole, part, fields[f].bit_off, fields[f].width));
                                        compared += fields[f].width;
                                }
                                sim_plan_subset_clear(&subset);
                        }
                }
                g_mutex_lock(&sim->lock);
                sim_churn_steps(sim, 400);
                g_mutex_unlock(&sim->lock);
        }
        g_test_message("%" G_GUINT64_FORMAT " bits compared", compared);
        g_assert_cmpuint(compared, >, 100000);
        g_rand_free(rand);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/sim/answers/golden", test_golden);
        g_test_add_func("/sim/answers/subset-plans", test_subset_plans);
        g_test_add_func("/sim/answers/decoded", test_decoded);
        return g_test_run();
}
