/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the simulated firmware: the spec, the immutable population built
 * from it, the fill plans that turn (seed, object, field) into bytes, and
 * the mutable command state (counters, user contexts, dump sessions).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "prm/mbox.h"
#include "prm/rscdump.h"
#include "sim/sim.h"

/* Limits: a spec cannot make the simulator allocate without bound. */
#define SIM_MAX_DEVICES         64
#define SIM_MAX_OBJECTS         (1u << 20)      /* per type and function */
#define SIM_MAX_LATENCY_US      1000000u
#define SIM_MAX_SLOTS           1024u
#define SIM_MAX_FAIL            16
#define SIM_MAX_UCTX            256
#define SIM_MAX_UMEM            4096
#define SIM_MAX_UMEM_MTT        (1u << 16)
#define SIM_MAX_DUMP_SESSIONS   64

#define SIM_DEFAULT_SEED        1
#define SIM_DEFAULT_SLOTS       32

/* The resource-dump segment numbers this firmware assigns, in menu order. */
#define SIM_SEGMENT_TYPE_BASE   0x1000

struct mlx5_sim_spec {
        /* Numbers the spec sets directly (sim-spec.c numeric_keys), each bounded there. */
        uint64_t devices;
        uint64_t seed;
        uint64_t latency_us;
        uint64_t slots;
        unsigned fail[SIM_MAX_FAIL];    /* opcodes that answer BAD_SYS_STATE */
        unsigned n_fail;
        GHashTable *counts;             /* resource name -> object count, when given */
};

/* ---- deterministic values ---- */

/* splitmix64's finaliser: a good bijective mix of 64 bits. */
static inline uint64_t sim_mix64(uint64_t x)
{
        x += 0x9e3779b97f4a7c15ull;
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
        return x ^ (x >> 31);
}

static inline uint64_t sim_hash2(uint64_t a, uint64_t b)
{
        return sim_mix64(a ^ sim_mix64(b));
}

/* FNV-1a: names hash the same in every process and on every run. */
static inline uint64_t sim_hash_str(const char *s)
{
        uint64_t h = 0xcbf29ce484222325ull;

        for (; *s; s++)
                h = (h ^ (uint8_t) *s) * 0x100000001b3ull;
        return h;
}

/* ---- semantic rules (sim-rules.c) ---- */

enum sim_rule_kind {
        SIM_RULE_SPREAD,        /* a mix of the listed values; all present when there are enough objects */
        SIM_RULE_REF,           /* the number of an existing object of another type (0 when none) */
        SIM_RULE_VALUE,         /* one number */
        SIM_RULE_RANGE,         /* "lo hi": uniform */
        SIM_RULE_TEXT,          /* ASCII text */
        SIM_RULE_VHCA_ID,       /* this function's vhca_id */
};

struct sim_rule {
        const char *owner;      /* resource name, or "caps:<name>" */
        const char *path;       /* leaf path; "[*]" matches any index */
        enum sim_rule_kind kind;
        const char *arg;
};

/* The rule for one leaf of owner, or NULL. */
const struct sim_rule *sim_rule_find(const char *owner, const char *path);
/* Every rule, for tests that prove each still names a schema field. */
const struct sim_rule *sim_rules(size_t *ret_n);

/* ---- fill plans (sim-fill.c) ---- */

struct sim_type;

struct sim_leaf {
        uint32_t bit_off;               /* in the output mailbox */
        uint32_t width;
        uint64_t path_hash;
        const mlx5_schema_field *field;
        const struct sim_rule *rule;
        const struct sim_type *ref;     /* REF: the referenced type */
        uint64_t *choices;              /* SPREAD values, RANGE lo/hi; owned */
        unsigned n_choices;
        uint64_t stride, offset;        /* SPREAD: position permutation */
};

/* How to produce one output mailbox: a leaf list, built once per function. */
struct sim_plan {
        struct sim_leaf *leaves;
        unsigned n_leaves;
        uint32_t count;                 /* objects that share the plan */
};

/* What varies between two objects of one plan. */
struct sim_fill_ctx {
        const mlx5_sim *sim;
        uint64_t object_seed;
        uint32_t pos;                   /* position among its type, ascending ids */
        bool lowered;                   /* caps "current": some values below max */
};

/*
 * The plan of an output mailbox holding st at bit_off and extra's fields at
 * their own offsets; owner names the rules that apply, count the objects.
 */
void sim_plan_build(struct sim_plan *plan, mlx5_sim *sim, const char *owner, uint32_t count,
                    const mlx5_schema_struct *st, uint32_t bit_off, const mlx5_schema_struct *extra);
void sim_plan_clear(struct sim_plan *plan);
void sim_plan_fill(const struct sim_plan *plan, const struct sim_fill_ctx *ctx, uint8_t *out, size_t len);

/* ---- population (sim-populate.c) ---- */

/* One schema resource on this function; singletons have ids == NULL, n == 1. */
struct sim_type {
        const mlx5_schema_resource *res;
        uint64_t name_hash;
        uint32_t *ids;                  /* ascending */
        uint32_t n;
        struct sim_plan plan;
};

struct sim_caps {
        const mlx5_schema_caps *caps;
        uint64_t name_hash;
        struct sim_plan plan;
};

/* One resource-dump segment of the menu. */
struct sim_segment {
        char name[MLX5_RSCDUMP_NAME_LEN + 1];
        uint16_t type;
        const struct sim_type *objects;
        bool payload;                   /* dump segment: records carry the query output */
};

/* Largest count a spec may ask for, so that every object number fits its id field. */
uint32_t sim_type_limit(const mlx5_schema_resource *res);
/* Default count of a type when the spec names none. */
uint32_t sim_type_default_count(const mlx5_schema_resource *res);

void sim_populate(mlx5_sim *sim, const mlx5_sim_spec *spec);
const struct sim_type *sim_find_type(const mlx5_sim *sim, const char *name);
/* Position of id among t's objects, or -1. */
int64_t sim_find_object(const struct sim_type *t, uint32_t id);
/* First position whose id is >= id (t->n when none). */
uint32_t sim_lower_bound(const struct sim_type *t, uint32_t id);
/* The whole query output mailbox of the object at pos (len >= t->res->outlen). */
void sim_object_output(const mlx5_sim *sim, const struct sim_type *t, uint32_t pos, uint8_t *out, size_t len);

/* ---- the function ---- */

struct sim_opstat {
        uint64_t count;
        unsigned last_uid;
};

struct sim_dump_session;

struct mlx5_sim {
        const mlx5_schema *schema;
        unsigned index;
        char pci_name[16];
        uint64_t seed;
        unsigned latency_us;
        unsigned slots;
        unsigned fail[SIM_MAX_FAIL];
        unsigned n_fail;

        /* Immutable after mlx5_sim_new. */
        struct sim_type *types;         /* per schema resource index */
        unsigned n_types;
        struct sim_caps *caps;          /* per schema caps index */
        unsigned n_caps;
        struct sim_segment *segments;
        unsigned n_segments;

        /* Command slots: more commands than slots wait, like a command queue. */
        GMutex slot_lock;
        GCond slot_free;
        unsigned in_flight;

        /* Everything below is under lock. */
        GMutex lock;
        GHashTable *opstats;            /* opcode -> struct sim_opstat */
        GHashTable *uctx;               /* uid -> cap */
        unsigned next_uid;
        GHashTable *umem;               /* umem_id -> owning uid */
        unsigned next_umem;
        GQueue *dump_sessions;          /* of struct sim_dump_session, oldest first */
        uint64_t next_dump_opaque;
};

/* ---- commands ---- */

/* One command in flight; handlers fill out and return a status. */
struct sim_cmd {
        mlx5_sim *sim;
        const uint8_t *in;
        size_t inlen;
        uint8_t *out;
        size_t outlen;
        unsigned opcode;
        uint32_t syndrome;              /* set with the failing status */
};

/* Each place that can fail a command; the syndrome is unique per site and opcode. */
enum sim_site {
        SIM_SITE_BAD_OPCODE = 1,
        SIM_SITE_FAIL_INJECTED,
        SIM_SITE_UNKNOWN_UID,
        SIM_SITE_INLEN,
        SIM_SITE_OUTLEN,
        SIM_SITE_OP_MOD,
        SIM_SITE_NO_OBJECT,
        SIM_SITE_CAPS_TYPE,
        SIM_SITE_CAPS_OTHER_FUNCTION,
        SIM_SITE_REGISTER,
        SIM_SITE_DUMP_NOT_INLINE,
        SIM_SITE_DUMP_SEGMENT,
        SIM_SITE_DUMP_SESSION,
        SIM_SITE_DUMP_SEQ,
        SIM_SITE_UCTX_CAP,
        SIM_SITE_UCTX_LIMIT,
        SIM_SITE_UCTX_UNKNOWN,
        SIM_SITE_UCTX_BUSY,
        SIM_SITE_UMEM_MTT,
        SIM_SITE_UMEM_LIMIT,
        SIM_SITE_UMEM_UNKNOWN,
        SIM_SITE_UMEM_OWNER,
};

/* Records the syndrome of site and returns status, for "return sim_fail(...)". */
unsigned sim_fail(struct sim_cmd *cmd, unsigned status, enum sim_site site);
/* BAD_INP_LEN / BAD_OUTP_LEN when the buffers are shorter than the command needs. */
unsigned sim_check_len(struct sim_cmd *cmd, size_t need_in, size_t need_out);
/* True when uid names a live user context (caller holds the lock). */
bool sim_uid_exists(const mlx5_sim *sim, unsigned uid);

unsigned sim_cmd_query_resource(struct sim_cmd *cmd, const struct sim_type *t);
unsigned sim_cmd_query_hca_cap(struct sim_cmd *cmd);
unsigned sim_cmd_access_reg(struct sim_cmd *cmd);
unsigned sim_cmd_create_uctx(struct sim_cmd *cmd);
unsigned sim_cmd_destroy_uctx(struct sim_cmd *cmd);
unsigned sim_cmd_create_umem(struct sim_cmd *cmd);
unsigned sim_cmd_destroy_umem(struct sim_cmd *cmd);

/* The QUERY_HCA_CAP output mailbox of c, current or max values. */
void sim_caps_output(const mlx5_sim *sim, const struct sim_caps *c, bool current, uint8_t *out, size_t len);

/* Resource dump (sim-rscdump.c): the menu and the session table. */
void sim_rscdump_build_menu(mlx5_sim *sim);
void sim_rscdump_session_free(void *session);
