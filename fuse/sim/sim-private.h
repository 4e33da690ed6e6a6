/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the simulated firmware: the spec, the population built from it and
 * the churn that changes it, the fill plans that turn (seed, object, field)
 * into bytes, and the mutable command state (counters, user contexts, dump
 * sessions).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "prm/mbox.h"
#include "prm/rscdump.h"
#include "sim/sim.h"
#include "sim/sim-driver.h"
#include "sim/sim-faults.h"

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
#define SIM_MAX_CHURN           100000u         /* object changes per second and function */
#define SIM_MAX_UNPLUG_MS       3600000u

#define SIM_DEFAULT_SEED        1
#define SIM_DEFAULT_SLOTS       32

struct mlx5_sim_spec {
        /* Numbers the spec sets directly (sim-spec.c numeric_keys), each bounded there. */
        uint64_t devices;
        uint64_t seed;
        uint64_t latency_us;
        uint64_t slots;
        uint64_t churn;
        unsigned fail[SIM_MAX_FAIL];    /* opcodes that answer BAD_SYS_STATE */
        unsigned n_fail;
        int unplug_index;               /* the function unplugged, or -1 */
        uint64_t unplug_ms;             /* this long after it was built */
        GHashTable *counts;             /* resource name -> object count, when given */
        GHashTable *verbs_shares;       /* resource name -> percent made by verbs processes (verbs.TYPE=) */
        struct sim_faults faults;       /* fault= keys (sim-faults.c) */
};

/* ---- deterministic values ---- */

/* splitmix64's finaliser: a good bijective mix of 64 bits; a macro so that tables of it fold at compile time. */
#define SIM_MIX64_ADD(x) ((uint64_t) (x) + 0x9e3779b97f4a7c15ull)
#define SIM_MIX64_XM(x, s, m) (((x) ^ ((x) >> (s))) * (m))
#define SIM_MIX64(x) \
        ((SIM_MIX64_XM(SIM_MIX64_XM(SIM_MIX64_ADD(x), 30, 0xbf58476d1ce4e5b9ull), 27, 0x94d049bb133111ebull)) ^ \
         (SIM_MIX64_XM(SIM_MIX64_XM(SIM_MIX64_ADD(x), 30, 0xbf58476d1ce4e5b9ull), 27, 0x94d049bb133111ebull) >> 31))

static inline uint64_t sim_mix64(uint64_t x)
{
        return SIM_MIX64(x);
}

static inline uint64_t sim_hash2(uint64_t a, uint64_t b)
{
        return sim_mix64(a ^ sim_mix64(b));
}

/* sim_mix64(i) for i below this, folded at compile time (sim-fill.c). */
#define SIM_INDEX_MIX_N 64
extern const uint64_t sim_index_mix[SIM_INDEX_MIX_N];

/* sim_hash2(a, i), one mix at run time for a small index (a byte of a text, a word of opaque bytes). */
static inline uint64_t sim_hash2_index(uint64_t a, uint64_t i)
{
        return i < SIM_INDEX_MIX_N ? sim_mix64(a ^ sim_index_mix[i]) : sim_hash2(a, i);
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
        /*
         * A 64-bit counter that grows with the function's uptime: "LO HI" units
         * a second, or "LO HI MIN MAX" for octets: its sibling packets counter
         * (same rate, LO HI) times MIN..MAX bytes a packet.
         */
        SIM_RULE_COUNTER,
};

struct sim_rule {
        const char *owner;      /* resource name, or "caps:<name>" */
        const char *path;       /* leaf path; "[*]" matches any index */
        enum sim_rule_kind kind;
        const char *arg;
};

/* The published capability values of the modelled device (sim-caps-cx6dx.c). */
const struct sim_rule *sim_cx6dx_caps(size_t *ret_n);
/* The rule for one leaf of owner (sim-rules.c first, then the device's caps), or NULL. */
const struct sim_rule *sim_rule_find(const char *owner, const char *path);
/* Every rule, for tests that prove each still names a schema field. */
const struct sim_rule *sim_rules(size_t *ret_n);

/*
 * How churn moves one enum leaf of a type (its state): the value a new
 * object starts with, and "FROM>TO" moves, FROM "*" meaning any other value;
 * a move listed twice is twice as likely.
 */
struct sim_lifecycle {
        const char *owner;
        const char *path;
        const char *created;
        const char *moves;
};

/* The lifecycle of owner's leaf path, or NULL. */
const struct sim_lifecycle *sim_lifecycle_find(const char *owner, const char *path);
const struct sim_lifecycle *sim_lifecycles(size_t *ret_n);

/* ---- fill plans (sim-fill.c) ---- */

struct sim_type;

/* How sim_plan_fill produces a leaf, decided at plan build. */
enum sim_leaf_fill {
        SIM_FILL_VALUE,                 /* a number: rule, enumeration, cap or state (leaf_value) */
        SIM_FILL_RANDOM,                /* a number no rule, enumeration or cap shapes: the hash's low bits */
        SIM_FILL_TEXT,                  /* bytes or ascii, a byte at a time */
        SIM_FILL_NONE,                  /* wider than 64 bits and not text: left zero */
};

struct sim_leaf {
        uint32_t bit_off;               /* in the output mailbox */
        uint32_t width;
        uint64_t path_mix;              /* sim_mix64 of the path's hash: sim_hash2(seed, path hash) is sim_mix64(seed ^ it) */
        uint64_t group_hash;            /* the path up to its last '.': a counter's packets and octets share it */
        const mlx5_schema_field *field;
        const struct sim_rule *rule;
        const struct sim_type *ref;     /* REF: the referenced type */
        uint64_t *choices;              /* SPREAD values, RANGE lo/hi; owned */
        unsigned n_choices;
        uint64_t stride, offset;        /* SPREAD: position permutation */
        bool lifecycle;                 /* the value comes from the object's stored state */
        enum sim_leaf_fill fill;
};

/* A lifecycle move; from is SIM_MOVE_ANY for "*". */
struct sim_move {
        uint64_t from, to;
};

#define SIM_MOVE_ANY UINT64_MAX

/* How to produce one output mailbox: a leaf list, built once per function. */
struct sim_plan {
        struct sim_leaf *leaves;
        unsigned n_leaves;
        uint32_t count;                 /* objects that share the plan */
        bool caps;                      /* a capability page: coherent values, not random */
        int lifecycle_leaf;             /* index of the leaf churn moves, or -1 */
        uint64_t created;               /* its value in a new object */
        struct sim_move *moves;         /* owned */
        unsigned n_moves;
};

/* What varies between two objects of one plan. */
struct sim_fill_ctx {
        const mlx5_sim *sim;
        uint64_t identity_seed;         /* one object, its whole life: rule-driven values */
        uint64_t object_seed;           /* changes with every churn change: the other values */
        uint32_t pos;                   /* the object's slot (ascending ids as built) */
        bool lowered;                   /* caps "current": some values below max */
        bool has_state;                 /* state overrides the lifecycle leaf */
        uint64_t state;
        uint64_t uptime_ms;             /* COUNTER leaves: the function's age */
        uint64_t cleared_ms;            /* COUNTER leaves count from here (0: from before it was built) */
};

/*
 * The plan of an output mailbox holding st at bit_off and extra's fields at
 * their own offsets; owner names the rules that apply, count the objects.
 */
void sim_plan_build(struct sim_plan *plan, mlx5_sim *sim, const char *owner, uint32_t count,
                    const mlx5_schema_struct *st, uint32_t bit_off, const mlx5_schema_struct *extra);
void sim_plan_clear(struct sim_plan *plan);
void sim_plan_fill(const struct sim_plan *plan, const struct sim_fill_ctx *ctx, uint8_t *out, size_t len);
/* The lifecycle leaf's value as the plan alone gives it (ignoring ctx->state). */
uint64_t sim_plan_lifecycle_value(const struct sim_plan *plan, const struct sim_fill_ctx *ctx);

/* A field of an output mailbox, located once; width 0: the schema has no such field (or none of 64 bits or less). */
struct sim_field {
        uint32_t bit_off, width;
};

/* Context field path of t's query output. */
struct sim_field sim_context_field(const struct sim_type *t, const char *path);
/* Field f of out, 0 for a field the schema lacks. */
uint64_t sim_field_get(const struct sim_field *f, const uint8_t *out, size_t len);
/*
 * The leaves of plan that write bits of fields[0..n), in plan's order: an
 * output filled with it holds those fields as the whole plan fills them
 * (each leaf writes its own bits only), at a fraction of the cost.  The
 * leaves are plan's, choices too: sim_plan_subset_clear frees the array.
 */
void sim_plan_subset(struct sim_plan *ret, const struct sim_plan *plan, const struct sim_field *fields, size_t n);
void sim_plan_subset_clear(struct sim_plan *subset);

/* sim_hash2(seed, the leaf's path hash), its second mix done once at plan build. */
static inline uint64_t sim_leaf_hash(const struct sim_leaf *l, uint64_t seed)
{
        return sim_mix64(seed ^ l->path_mix);
}

/* The slot of l->ref that a REF leaf names in the object whose identity seed this is. */
static inline uint32_t sim_leaf_ref_slot(const struct sim_leaf *l, uint32_t ref_n, uint64_t identity_seed)
{
        return sim_leaf_hash(l, identity_seed) % ref_n;
}

/* ---- the live object numbers of one type (sim-index.c) ---- */

struct sim_index_block;

struct sim_index {
        struct sim_index_block **blocks;        /* ascending, none empty */
        uint32_t *bounds;                       /* per block, where its numbers start (sim-index.c): one array to search */
        uint32_t n_blocks, alloc;
};

/* ids ascending; ids[k] gets slot k. */
void sim_index_init(struct sim_index *x, const uint32_t *ids, uint32_t n);
void sim_index_clear(struct sim_index *x);
/* ret_slot may be NULL. */
bool sim_index_find(const struct sim_index *x, uint32_t id, uint32_t *ret_slot);
/* The smallest live number >= id and its slot; false when there is none. */
bool sim_index_next(const struct sim_index *x, uint32_t id, uint32_t *ret_id, uint32_t *ret_slot);
/* id must not be present / must be present. */
void sim_index_insert(struct sim_index *x, uint32_t id, uint32_t slot);
void sim_index_remove(struct sim_index *x, uint32_t id);
uint32_t sim_index_count(const struct sim_index *x);

/* ---- population (sim-populate.c) ---- */

/*
 * One live object, in a slot of its type.  Churn replaces a slot's object
 * with a new one (the population stays the same size) or changes it; an
 * object's bytes are a function of this record, its slot and the plan, so
 * untouched objects answer the same bytes on every query.
 */
struct sim_obj {
        uint32_t id;
        uint32_t birth;                 /* 0: built with the function, else a serial per type */
        uint32_t gen;                   /* changes since birth */
        uint32_t refs;                  /* REF leaves of other live objects that name it */
        uint32_t state;                 /* the lifecycle leaf's value (plan.lifecycle_leaf >= 0) */
};

/*
 * One schema resource on this function; singletons have ids == objs == NULL,
 * n == 1.  The ids, n and the plan are immutable; objs, index, last_id and
 * births change with churn, under the function's lock.
 */
struct sim_type {
        const mlx5_schema_resource *res;
        uint64_t name_hash;
        uint32_t *ids;                  /* as built, ascending: slot k started as ids[k] */
        uint32_t n;
        struct sim_plan plan;
        struct sim_obj *objs;           /* n slots */
        struct sim_index index;         /* live id -> slot */
        unsigned space;                 /* the first type index of its number space: types that share one, share it */
        uint32_t id_base, id_gap, id_max;       /* its numbering: first number, largest step, largest number */
        uint32_t last_id;               /* the newest number handed out */
        uint32_t births;
        unsigned verbs_percent;         /* objects made by verbs processes, before the mix (verbs.TYPE=) */
        uint64_t cleared_ms;            /* uptime its COUNTER leaves were last cleared at, or 0 */
};

struct sim_caps {
        const mlx5_schema_caps *caps;
        uint64_t name_hash;
        struct sim_plan plan;
};

/* ---- the resource-dump menu (sim-menu.c) ---- */

/* What a menu record's segment holds. */
enum sim_menu_kind {
        SIM_MENU_QUERY,         /* one object: its query output (PRM_QUERY_*) */
        SIM_MENU_OBJECT,        /* one object: its firmware-internal context (opaque) */
        SIM_MENU_BUFFER,        /* entries of one object's queue buffer (opaque) */
        SIM_MENU_RDB,           /* one read-data-buffer entry of a QP (opaque) */
        SIM_MENU_VNIC_ENV,      /* the function's query_vnic_env_out */
        SIM_MENU_DEVICE,        /* one device-wide record (opaque) */
        SIM_MENU_TABLE,         /* firmware-internal entries numbered from 0 (opaque) */
};

/* The queue a buffer segment walks, sized by the object's context. */
enum sim_queue {
        SIM_QUEUE_NONE,
        SIM_QUEUE_SQ,
        SIM_QUEUE_RQ,
        SIM_QUEUE_SRQ,
        SIM_QUEUE_CQ,
        SIM_QUEUE_EQ,
};

/* query_vnic_env_out: header and vnic_diagnostic_statistics (mlx5_ifc.h). */
#define SIM_VNIC_ENV_OUT_LEN    0x210

/* The flags of a menu record: its first 16 bits, PRM bit 15 (support_index1) as bit 0. */
enum {
        SIM_MENU_SUPPORT_INDEX1 = 1u << 0,
        SIM_MENU_MUST_INDEX1 = 1u << 1,
        SIM_MENU_SUPPORT_INDEX2 = 1u << 2,
        SIM_MENU_MUST_INDEX2 = 1u << 3,
        SIM_MENU_SUPPORT_NUM1 = 1u << 4,
        SIM_MENU_MUST_NUM1 = 1u << 5,
        SIM_MENU_ALL_NUM1 = 1u << 6,
        SIM_MENU_ACTIVE_NUM1 = 1u << 7,
        SIM_MENU_SUPPORT_NUM2 = 1u << 8,
        SIM_MENU_MUST_NUM2 = 1u << 9,
        SIM_MENU_ALL_NUM2 = 1u << 10,
        SIM_MENU_ACTIVE_NUM2 = 1u << 11,
};

struct sim_menu_record {
        uint16_t type;
        const char *name, *index1_name, *index2_name;
        uint16_t flags;                 /* SIM_MENU_SUPPORT_INDEX1 ... */
        enum sim_menu_kind kind;
        const char *object;             /* QUERY, OBJECT, BUFFER, RDB: the schema resource */
        uint32_t bytes;                 /* payload (or buffer entry) bytes; QUERY: the query's outlen */
        enum sim_queue queue;           /* BUFFER */
        uint32_t count;                 /* TABLE: entries 0..count-1 */
        bool every;                     /* TABLE: no index, every entry */
        uint32_t index_limit;           /* DEVICE with an optional index: it is below this */
};

/* The menu in its order. */
const struct sim_menu_record *sim_menu_records(size_t *ret_n);
/* The record of a segment type, or NULL. */
const struct sim_menu_record *sim_menu_find(unsigned segment_type);

/* The largest object number of a type: its id field, bounded by the caps of its space (sim-limits.c). */
uint32_t sim_id_max(const mlx5_schema_resource *res);
/* Whether types a and b draw their numbers from one space (QPs, SQs, RQs, DCTs; SRQs, XRC SRQs, RMPs). */
bool sim_same_space(const char *a, const char *b);
/* How many numbers the space of res holds (every type of a shared space: the same). */
uint64_t sim_space_size(const mlx5_schema_resource *res);
/* Largest count a spec may ask for, so that every object number fits its id field. */
uint32_t sim_type_limit(const mlx5_schema_resource *res);
/* Default count of a type when the spec names none. */
uint32_t sim_type_default_count(const mlx5_schema_resource *res);

void sim_populate(mlx5_sim *sim, const mlx5_sim_spec *spec);
void sim_populate_clear(mlx5_sim *sim);
const struct sim_type *sim_find_type(const mlx5_sim *sim, const char *name);
/* How many objects of res its space has room for beside the other types' counts so far. */
uint32_t sim_space_room(const mlx5_sim *sim, const struct sim_type *t);
/* A number no live object of t's space has, for a new object (r: randomness). */
uint32_t sim_fresh_id(const mlx5_sim *sim, struct sim_type *t, uint64_t r);
/* The seed of everything that stays fixed while the object in slot lives. */
uint64_t sim_object_identity(const mlx5_sim *sim, const struct sim_type *t, uint32_t slot);
/* The whole query output mailbox of the object in slot (len >= t->res->outlen). */
void sim_object_output(const mlx5_sim *sim, const struct sim_type *t, uint32_t slot, uint8_t *out, size_t len);
/* The same with only plan's leaves (a subset of t's plan: the fields a caller reads), the rest zero. */
void sim_object_fill(const mlx5_sim *sim, const struct sim_type *t, uint32_t slot, const struct sim_plan *plan,
                     uint8_t *out, size_t len);

/* ---- who made each object, and where the host's kernel shows it (sim-host.c) ---- */

enum sim_creator_kind {
        SIM_CREATOR_CORE,       /* mlx5_core itself: EQs */
        SIM_CREATOR_ETH,        /* the Ethernet driver, mlx5e */
        SIM_CREATOR_ULP,        /* a kernel RDMA consumer through ib_core */
        SIM_CREATOR_VERBS,      /* a process through libibverbs and ib_core */
        SIM_CREATOR_DEVX,       /* a process through DEVX: no kernel tracking */
};

struct sim_creator {
        enum sim_creator_kind kind;
        const char *name;       /* kernel module, or the process's comm */
        uint32_t pid;           /* processes only */
};

/* Host views that show an object. */
#define SIM_VIEW_NETLINK        1u
#define SIM_VIEW_DEBUGFS        2u

/* Fixed for the object's life: a function of its identity. */
const struct sim_creator *sim_object_creator(const mlx5_sim *sim, const struct sim_type *t, uint32_t slot);
unsigned sim_object_views(const struct sim_type *t, const struct sim_creator *c);
/* Whether verbs processes make objects of this type (so verbs.TYPE= can weigh them). */
bool sim_type_has_verbs_creators(const char *type);
const char *sim_view_name(unsigned view);
/* "[mlx5e]" for a kernel creator, "ib_send_bw:4242" for a process. */
void sim_format_creator(GString *out, const struct sim_creator *c);
/* The user context a creator's objects carry: 0 for the kernel, each process its own (from the seed). */
unsigned sim_creator_uid(const mlx5_sim *sim, const struct sim_creator *c);
/* Every creator a function's objects may have. */
const struct sim_creator *sim_creators(size_t *ret_n);
/* The live user contexts of the population's processes (caller: mlx5_sim_new, before any command). */
void sim_uctx_add_processes(mlx5_sim *sim);

/* ---- churn (sim-churn.c) ---- */

struct sim_churn {
        uint64_t rate;                  /* steps per second; 0: only sim_churn_steps */
        uint64_t rng;                   /* splitmix64 state, from the seed */
        gint64 last_us;                 /* monotonic time steps were last counted to */
        uint64_t carry;                 /* step-microseconds short of a whole step */
        uint64_t created, destroyed, changed, dropped;
};

/* Counts the references among the population and arms the clock. */
void sim_churn_init(mlx5_sim *sim, uint64_t rate);
/* Applies the steps due by now_us, at most rate / 10 (caller holds the lock). */
void sim_churn_tick(mlx5_sim *sim, gint64 now_us);
/* Applies n steps now, whatever the rate (caller holds the lock). */
void sim_churn_steps(mlx5_sim *sim, uint64_t n);
/* "churn.created: N" lines, when churn is on (caller holds the lock). */
void sim_churn_format_counts(const mlx5_sim *sim, GString *out);

/* ---- the function ---- */

struct sim_opstat {
        uint64_t count;
        unsigned last_uid;
};

struct sim_dump_session;
struct sim_dump_sizes;
struct sim_hca;

struct mlx5_sim {
        const mlx5_schema *schema;
        unsigned index;
        char pci_name[16];
        char rdma_name[16];             /* the RDMA device it registers: mlx5_<index> */
        uint64_t seed;
        unsigned latency_us;
        unsigned slots;
        unsigned fail[SIM_MAX_FAIL];
        unsigned n_fail;
        int64_t unplug_at_us;           /* monotonic time it goes away, or 0 */
        int64_t (*clock_us)(void);      /* COUNTER leaves' clock: g_get_monotonic_time (tests hold it still) */
        int64_t born_us;                /* clock_us when it was built: COUNTER leaves grow from it */
        struct sim_faults faults;       /* injected faults (sim-faults.c) */

        /* Immutable after mlx5_sim_new, but for the types' live objects (under lock). */
        struct sim_type *types;         /* per schema resource index */
        unsigned n_types;
        struct sim_caps *caps;          /* per schema caps index */
        unsigned n_caps;

        /*
         * Command slots: more commands than slots wait, like a command queue.
         * in_flight and slot_waiters are atomic: a command that finds a slot
         * free takes no lock for it (sim-device.c).
         */
        GMutex slot_lock;
        GCond slot_free;
        gint in_flight;
        gint slot_waiters;              /* commands waiting on slot_free: none, no wake-up (a futex call) */
        gint peak_in_flight;            /* the most commands ever in slots at once */
        uint64_t slot_waits;            /* commands that found every slot taken (under slot_lock) */

        /* Everything below is under lock. */
        GMutex lock;
        GHashTable *opstats;            /* opcode -> struct sim_opstat */
        GHashTable *uctx;               /* uid -> cap */
        unsigned next_uid;
        GHashTable *umem;               /* umem_id -> owning uid */
        unsigned next_umem;
        GQueue *dump_sessions;          /* of struct sim_dump_session, oldest first */
        struct sim_dump_sizes *dump_sizes; /* per type (sim-rscdump.c); immutable */
        uint64_t next_dump_opaque;
        struct sim_churn churn;
        struct sim_hca *hca;            /* a driven function (sim-driver.h), or NULL */
        mlx5_sim_dma_write_fn dma_write; /* its bus (sim-driver.h), or NULL */
        void *dma_user_data;
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
        SIM_SITE_DUMP_MENU_ARGS,
        SIM_SITE_DUMP_VHCA,
        SIM_SITE_DUMP_INDEX1_UNSUPPORTED,
        SIM_SITE_DUMP_INDEX2_UNSUPPORTED,
        SIM_SITE_DUMP_INDEX1_MISSING,
        SIM_SITE_DUMP_INDEX1_RANGE,
        SIM_SITE_DUMP_NUM1_UNSUPPORTED,
        SIM_SITE_DUMP_NUM1_MISSING,
        SIM_SITE_DUMP_NUM1_ALL,
        SIM_SITE_DUMP_NUM1_ACTIVE,
        SIM_SITE_DUMP_NUM1_RESERVED,
        SIM_SITE_DUMP_NUM2_UNSUPPORTED,
        SIM_SITE_DUMP_NUM2_MISSING,
        SIM_SITE_DUMP_NUM2_ALL,
        SIM_SITE_DUMP_NUM2_ACTIVE,
        SIM_SITE_DUMP_NUM2_RESERVED,
        SIM_SITE_DUMP_NO_OBJECT,
        SIM_SITE_DUMP_NO_ENTRY,
        SIM_SITE_DUMP_ENTRY_RANGE,
        SIM_SITE_DUMP_NOT_PERMITTED,
        SIM_SITE_DUMP_OTHER_UID,
        SIM_SITE_NOT_PERMITTED,
        SIM_SITE_CAPS_NOT_SUPPORTED,
        SIM_SITE_REG_WRITE,
        SIM_SITE_REG_GROUP,
        SIM_SITE_OTHER_VPORT,
        SIM_SITE_PORT_NUM,
        SIM_SITE_COUNTER_CLEAR,
        SIM_SITE_NO_VPORT,
        SIM_SITE_VPORT_NUMBER,
        SIM_SITE_LIST_TYPE,
        SIM_SITE_QPC_EXT,
        SIM_SITE_PG_ACCESS,
        SIM_SITE_Q_AGGREGATE,
        SIM_SITE_Q_OTHER_VPORT,
        SIM_SITE_CAPS_FUNCTION_ID,
        SIM_SITE_DUMP_MKEY_UNKNOWN,
        SIM_SITE_DUMP_MKEY_ACCESS,
        SIM_SITE_DUMP_MKEY_RANGE,
        SIM_SITE_DUMP_MKEY_OWNER,
        SIM_SITE_DUMP_DMA_SIZE,
        SIM_SITE_DUMP_DMA_FAULT,
};

/*
 * Who may see an object (sim-uctx.c).  uid 0 is the kernel and sees
 * everything; a user context with TOOLS_RESOURCES may read every object;
 * one without it only objects created under its own uid.
 */
bool sim_uid_may_read_object(const mlx5_sim *sim, unsigned uid, const struct sim_type *t, uint32_t slot);
/* Device-wide state (dumps that are not one of its own objects): uid 0 or TOOLS_RESOURCES. */
bool sim_uid_may_read_device(const mlx5_sim *sim, unsigned uid);

/* Records the syndrome of site and returns status, for "return sim_fail(...)". */
unsigned sim_fail(struct sim_cmd *cmd, unsigned status, enum sim_site site);
/* BAD_INP_LEN / BAD_OUTP_LEN when the buffers are shorter than the command needs. */
unsigned sim_check_len(struct sim_cmd *cmd, size_t need_in, size_t need_out);
/* True when uid names a live user context (caller holds the lock). */
bool sim_uid_exists(const mlx5_sim *sim, unsigned uid);

unsigned sim_cmd_query_resource(struct sim_cmd *cmd, const struct sim_type *t);
/*
 * The vport a vport command's input names (other_vport, vport_number and,
 * when port_num, its port): OK for the function's own, else the refusal
 * (sim-vport.c).
 */
unsigned sim_vport_check(struct sim_cmd *cmd, bool port_num);
/* QUERY_NIC_VPORT_CONTEXT, QUERY_HCA_VPORT_CONTEXT, QUERY_VPORT_STATE: the checks, then the resource's query. */
unsigned sim_cmd_query_vport(struct sim_cmd *cmd, const struct sim_type *t);
/* QUERY_Q_COUNTER: another vport's sets only where the caps allow (sim-vport.c), then the resource's query. */
unsigned sim_cmd_query_q_counter(struct sim_cmd *cmd, const struct sim_type *t);
/* QUERY_VPORT_COUNTER's own input checks and clear, around the resource's query (sim-vport-counter.c). */
unsigned sim_cmd_query_vport_counter(struct sim_cmd *cmd, struct sim_type *t);
/* The function's age in milliseconds, what COUNTER leaves grow with. */
uint64_t sim_uptime_ms(const mlx5_sim *sim);
unsigned sim_cmd_query_hca_cap(struct sim_cmd *cmd);
unsigned sim_cmd_access_reg(struct sim_cmd *cmd);
unsigned sim_cmd_resource_dump(struct sim_cmd *cmd);
unsigned sim_cmd_query_issi(struct sim_cmd *cmd);
unsigned sim_cmd_create_uctx(struct sim_cmd *cmd);
unsigned sim_cmd_destroy_uctx(struct sim_cmd *cmd);
unsigned sim_cmd_create_umem(struct sim_cmd *cmd);
unsigned sim_cmd_destroy_umem(struct sim_cmd *cmd);

/* The QUERY_HCA_CAP output mailbox of c, current or max values. */
void sim_caps_output(const mlx5_sim *sim, const struct sim_caps *c, bool current, uint8_t *out, size_t len);
/* A field of the general caps page (current values); 0 when the schema has no such field. */
uint64_t sim_general_cap(const mlx5_sim *sim, const char *name);

/* Resource dump (sim-rscdump.c): the session table; what each type's queue sizes are read from. */
void sim_rscdump_session_free(void *session);
void sim_rscdump_init(mlx5_sim *sim);
void sim_rscdump_clear(mlx5_sim *sim);
