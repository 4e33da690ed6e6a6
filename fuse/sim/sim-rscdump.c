/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The RESOURCE_DUMP register behind ACCESS_REG, inline mode: each call
 * returns the next (at most) 208 bytes of a segment stream — info, command,
 * then the menu or the records of one segment, then terminate.  A session
 * remembers where the stream stands between calls and is found again by
 * device_opaque; the caller must hand back the seq_num it was given.
 *
 * A request is checked against its menu record (sim-menu.c) the way the PRM
 * words the fields: an index the record does not support, a count above 1
 * where num_of_obj is not supported (0 and 1 are always allowed), 0xffff
 * ("all") or 0xfffe ("active") where the record does not offer them, a
 * required count of 0, a nonexistent object or entry: each is an error
 * status with its own syndrome, never another object's records.
 *
 * "Missing": the register has no valid bit for index1/index2 (mstflint
 * checks must_have_index* client-side, from whether the user gave one), so
 * firmware sees 0.  For a required index naming an object (QPN, CQN, EQN,
 * SRQN, mkey index) the simulation never hands out 0, and 0 reads as the
 * index missing; for entry indexes (RDB_IX, slices, table entries) 0 is an
 * entry like any other.
 *
 * What real firmware answers to each refusal (an error status, or an OK
 * stream with an error segment) is not published; this one takes the
 * stricter way everywhere: the command fails.
 */
#include <string.h>

#include "prm/bits.h"
#include "sim/sim-driven.h"

#define ACCESS_REG_LEN          (MLX5_MBOX_HDR_LEN + MLX5_RSCDUMP_REG_LEN)
#define DUMP_VERSION            1
#define SIM_HW_VERSION          0x212           /* ConnectX-6 Dx device id 0x101d's hw_rev */
#define SIM_FW_VERSION          (22u << 24 | 39u << 16 | 1002u) /* major.minor.subminor */

/* resource_dump.vhca_id_valid (mstflint 0x0.29): otherwise "dump resources on my vhca_id". */
#define RSCDUMP_VHCA_ID_VALID_BIT 0x2
/* num_of_obj range is 0..0xfff0; 0xfffe "active", 0xffff "all"; the rest reserved. */
#define NUM_OF_OBJ_MAX          0xfff0
#define NUM_OF_OBJ_ACTIVE       0xfffe
/* Bytes one call writes through an mkey, whatever size asks: bounds the buffer it is built in. */
#define SIM_MAX_DUMP_DMA        (1u << 20)
/* A queue's entries: log sizes are bounded by the caps; this guards the walk. */
#define SIM_MAX_BUFFER_ENTRIES  (1u << 22)

enum dump_phase {
        PHASE_INFO,
        PHASE_COMMAND,
        PHASE_BODY,
        PHASE_TERMINATE,
        PHASE_DONE,
};

struct sim_dump_session {
        uint64_t opaque;
        unsigned seq;                           /* seq_num of the last answer */
        unsigned uid;                           /* only its opener continues it (not published; the stricter way) */
        const struct sim_menu_record *rec;      /* NULL: the menu */
        uint16_t segment_type, vhca_id;
        uint32_t index1, index2;
        uint16_t num1, num2;
        enum dump_phase phase;
        /* Object segments: the object as it was at open; its records never describe another. */
        const struct sim_type *t;
        uint32_t slot;
        uint64_t identity;
        uint8_t *created;                       /* a driven function's object: its query output at open */
        uint32_t entry_bytes;
        /* Records still to produce, and the entry number of the next. */
        uint32_t next, left;
        uint8_t *seg;                           /* the segment being sent (seg_len bytes of seg_alloc) ... */
        size_t seg_len, seg_alloc;
        size_t seg_off;                         /* ... and how much of it is */
};

void sim_rscdump_session_free(void *session)
{
        struct sim_dump_session *s = session;

        g_free(s->seg);
        g_free(s->created);
        g_free(s);
}

/* A session's first buffer: room for every segment but the menu and the larger records. */
#define SEG_FIRST_ALLOC 512

/* Starts a segment of len bytes (a multiple of 4) in s->seg; returns its bytes. */
static uint8_t *begin_segment(struct sim_dump_session *s, size_t len, unsigned type)
{
        len = (len + 3) & ~(size_t) 3;
        if (len > s->seg_alloc) {
                s->seg_alloc = MAX(len, (size_t) SEG_FIRST_ALLOC);
                s->seg = g_realloc(s->seg, s->seg_alloc);
        }
        s->seg_len = len;
        memset(s->seg, 0, len);
        s->seg_off = 0;
        mlx5_bits_set(s->seg, len, MLX5_RSCDUMP_SEG_LENGTH_DW_BIT, 16, len / 4);
        mlx5_bits_set(s->seg, len, MLX5_RSCDUMP_SEG_TYPE_BIT, 16, type);
        return s->seg;
}

static void put_name(uint8_t *dst, const char *name)
{
        memset(dst, 0, MLX5_RSCDUMP_NAME_LEN);
        memcpy(dst, name, MIN(strlen(name), (size_t) MLX5_RSCDUMP_NAME_LEN));
}

static void write_menu(struct sim_dump_session *s)
{
        size_t n;
        const struct sim_menu_record *records = sim_menu_records(&n);
        size_t len = MLX5_RSCDUMP_MENU_RECORDS_BYTE + n * MLX5_RSCDUMP_MENU_RECORD_LEN;
        uint8_t *p = begin_segment(s, len, MLX5_RSCDUMP_SEG_MENU);

        mlx5_bits_set(p, len, MLX5_RSCDUMP_MENU_NUM_RECORDS_BIT, 16, n);
        for (size_t i = 0; i < n; i++) {
                const struct sim_menu_record *r = &records[i];
                uint8_t *rec = p + MLX5_RSCDUMP_MENU_RECORDS_BYTE + i * MLX5_RSCDUMP_MENU_RECORD_LEN;

                for (unsigned b = 0; b < 12; b++)
                        mlx5_bits_set(rec, MLX5_RSCDUMP_MENU_RECORD_LEN, MLX5_RSCDUMP_REC_SUPPORT_INDEX1_BIT - b, 1,
                                      (r->flags >> b) & 1);
                mlx5_bits_set(rec, MLX5_RSCDUMP_MENU_RECORD_LEN, MLX5_RSCDUMP_REC_SEGMENT_TYPE_BIT, 16, r->type);
                put_name(rec + MLX5_RSCDUMP_REC_SEGMENT_NAME_BYTE, r->name);
                put_name(rec + MLX5_RSCDUMP_REC_INDEX1_NAME_BYTE, r->index1_name);
                put_name(rec + MLX5_RSCDUMP_REC_INDEX2_NAME_BYTE, r->index2_name);
        }
}

/* Deterministic bytes standing for a payload whose format is not public. */
static void fill_opaque(uint8_t *p, size_t len, uint64_t seed)
{
        size_t i = 0;
        uint64_t v;

        /* Each hash's bytes least significant first: one store of 8, not 8 shifts and stores. */
        for (; i + 8 <= len; i += 8) {
                v = GUINT64_TO_LE(sim_hash2_index(seed, i / 8));
                memcpy(p + i, &v, 8);
        }
        if (i < len) {
                v = GUINT64_TO_LE(sim_hash2_index(seed, i / 8));
                memcpy(p + i, &v, len - i);
        }
}

/* query_vnic_env_out's named counters (vnic_diagnostic_statistics at 0x80): small, as on a healthy port. */
static void fill_vnic_env(const mlx5_sim *sim, uint8_t *p, size_t len)
{
        static const struct {
                uint16_t bit, width;
        } counters[] = {
                { 0x80, 32 }, { 0xa0, 32 }, { 0xc0, 32 }, { 0x100, 64 }, { 0x140, 64 }, { 0x180, 64 },
                { 0x1c0, 32 }, { 0x1e0, 32 }, { 0x220, 32 }, { 0x240, 32 }, { 0x260, 32 }, { 0x280, 32 },
                { 0x2a0, 32 },
        };
        uint64_t seed = sim_hash2(sim_hash2(sim->seed, sim->index), sim_hash_str("vnic_env"));

        for (size_t i = 0; i < G_N_ELEMENTS(counters); i++)
                mlx5_bits_set(p, len, counters[i].bit, counters[i].width, sim_hash2(seed, i) % 16);
}

/* The seed of record entry of segment type in the object (or device) whose identity this is. */
static uint64_t record_seed(const struct sim_dump_session *s, uint64_t identity, uint32_t gen, uint32_t entry)
{
        return sim_hash2(sim_hash2(identity, gen), (uint64_t) s->segment_type << 32 | entry);
}

/* The object still in its slot, as at open; false when churn took it. */
static bool object_alive(const mlx5_sim *sim, const struct sim_dump_session *s)
{
        return s->created || (s->t->objs && sim_object_identity(sim, s->t, s->slot) == s->identity);
}

/* One resource segment for the next record, or false when none is left. */
static bool write_record(const mlx5_sim *sim, struct sim_dump_session *s)
{
        const struct sim_menu_record *r = s->rec;
        uint64_t device = sim_hash2(sim->seed, sim->index);
        uint32_t gen = 0, entry = s->next;
        size_t len, payload;
        uint8_t *p;

        if (s->left == 0)
                return false;
        if (s->t) {
                if (!object_alive(sim, s))
                        return false;
                gen = s->created ? 0 : s->t->objs[s->slot].gen;
        }
        payload = r->kind == SIM_MENU_QUERY ? s->t->res->outlen : s->entry_bytes;
        len = MLX5_RSCDUMP_RES_PAYLOAD_BYTE + payload;
        p = begin_segment(s, len, r->type);
        len = s->seg_len;
        switch (r->kind) {
        case SIM_MENU_QUERY:
        case SIM_MENU_OBJECT:
        case SIM_MENU_BUFFER:
        case SIM_MENU_RDB:
                mlx5_bits_set(p, len, MLX5_RSCDUMP_RES_INDEX1_BIT, 32, s->created ? s->index1 : s->t->objs[s->slot].id);
                if (r->kind == SIM_MENU_BUFFER || r->kind == SIM_MENU_RDB)
                        mlx5_bits_set(p, len, MLX5_RSCDUMP_RES_INDEX2_BIT, 32, entry);
                if (s->created)
                        memcpy(p + MLX5_RSCDUMP_RES_PAYLOAD_BYTE, s->created, payload);
                else if (r->kind == SIM_MENU_QUERY)
                        sim_object_output(sim, s->t, s->slot, p + MLX5_RSCDUMP_RES_PAYLOAD_BYTE, payload);
                else
                        fill_opaque(p + MLX5_RSCDUMP_RES_PAYLOAD_BYTE, payload, record_seed(s, s->identity, gen, entry));
                break;
        case SIM_MENU_VNIC_ENV:
                fill_vnic_env(sim, p + MLX5_RSCDUMP_RES_PAYLOAD_BYTE, payload);
                break;
        case SIM_MENU_DEVICE:
        case SIM_MENU_TABLE:
                mlx5_bits_set(p, len, MLX5_RSCDUMP_RES_INDEX1_BIT, 32, r->kind == SIM_MENU_TABLE ? entry : s->index1);
                fill_opaque(p + MLX5_RSCDUMP_RES_PAYLOAD_BYTE, payload, record_seed(s, device, 0, entry));
                break;
        }
        s->next++;
        s->left--;
        return true;
}

/* Produces the next segment of the stream into s->seg. */
static void next_segment(const mlx5_sim *sim, struct sim_dump_session *s)
{
        uint8_t *p;

        switch (s->phase) {
        case PHASE_INFO:
                p = begin_segment(s, MLX5_RSCDUMP_INFO_LEN, MLX5_RSCDUMP_SEG_INFO);
                mlx5_bits_set(p, MLX5_RSCDUMP_INFO_LEN, MLX5_RSCDUMP_INFO_DUMP_VERSION_BIT, 8, DUMP_VERSION);
                mlx5_bits_set(p, MLX5_RSCDUMP_INFO_LEN, MLX5_RSCDUMP_INFO_HW_VERSION_BIT, 32, SIM_HW_VERSION);
                mlx5_bits_set(p, MLX5_RSCDUMP_INFO_LEN, MLX5_RSCDUMP_INFO_FW_VERSION_BIT, 32, SIM_FW_VERSION);
                s->phase = PHASE_COMMAND;
                return;
        case PHASE_COMMAND:
                p = begin_segment(s, MLX5_RSCDUMP_CMD_LEN, MLX5_RSCDUMP_SEG_COMMAND);
                mlx5_bits_set(p, MLX5_RSCDUMP_CMD_LEN, MLX5_RSCDUMP_CMD_SEGMENT_CALLED_BIT, 16, s->segment_type);
                mlx5_bits_set(p, MLX5_RSCDUMP_CMD_LEN, MLX5_RSCDUMP_CMD_VHCA_ID_BIT, 16, s->vhca_id);
                mlx5_bits_set(p, MLX5_RSCDUMP_CMD_LEN, MLX5_RSCDUMP_CMD_INDEX1_BIT, 32, s->index1);
                mlx5_bits_set(p, MLX5_RSCDUMP_CMD_LEN, MLX5_RSCDUMP_CMD_INDEX2_BIT, 32, s->index2);
                mlx5_bits_set(p, MLX5_RSCDUMP_CMD_LEN, MLX5_RSCDUMP_CMD_NUM_OF_OBJ1_BIT, 16, s->num1);
                mlx5_bits_set(p, MLX5_RSCDUMP_CMD_LEN, MLX5_RSCDUMP_CMD_NUM_OF_OBJ2_BIT, 16, s->num2);
                s->phase = PHASE_BODY;
                return;
        case PHASE_BODY:
                if (!s->rec) {
                        write_menu(s);
                        s->phase = PHASE_TERMINATE;
                        return;
                }
                if (write_record(sim, s))
                        return;
                G_GNUC_FALLTHROUGH;     /* no records left */
        case PHASE_TERMINATE:
                begin_segment(s, MLX5_RSCDUMP_SEG_HDR_LEN, MLX5_RSCDUMP_SEG_TERMINATE);
                s->phase = PHASE_DONE;
                return;
        case PHASE_DONE:
                return;
        }
}

/* True while unsent bytes remain; loads the next segment when needed. */
static bool stream_has_more(const mlx5_sim *sim, struct sim_dump_session *s)
{
        if (s->seg_off < s->seg_len)
                return true;
        if (s->phase == PHASE_DONE)
                return false;
        next_segment(sim, s);
        return true;
}

static size_t fill_chunk(const mlx5_sim *sim, struct sim_dump_session *s, uint8_t *dst, size_t room)
{
        size_t n = 0;

        while (n < room && stream_has_more(sim, s)) {
                size_t k = MIN(room - n, s->seg_len - s->seg_off);

                memcpy(dst + n, s->seg + s->seg_off, k);
                n += k;
                s->seg_off += k;
        }
        return n;
}

static struct sim_dump_session *find_session(mlx5_sim *sim, uint64_t opaque)
{
        for (GList *l = sim->dump_sessions->head; l; l = l->next) {
                struct sim_dump_session *s = l->data;

                if (s->opaque == opaque)
                        return s;
        }
        return NULL;
}

struct count_sites {
        unsigned support, must, all, active;
        enum sim_site unsupported, missing, site_all, site_active, reserved;
};

static const struct count_sites num1_sites = {
        SIM_MENU_SUPPORT_NUM1, SIM_MENU_MUST_NUM1, SIM_MENU_ALL_NUM1, SIM_MENU_ACTIVE_NUM1,
        SIM_SITE_DUMP_NUM1_UNSUPPORTED, SIM_SITE_DUMP_NUM1_MISSING, SIM_SITE_DUMP_NUM1_ALL,
        SIM_SITE_DUMP_NUM1_ACTIVE, SIM_SITE_DUMP_NUM1_RESERVED,
};

static const struct count_sites num2_sites = {
        SIM_MENU_SUPPORT_NUM2, SIM_MENU_MUST_NUM2, SIM_MENU_ALL_NUM2, SIM_MENU_ACTIVE_NUM2,
        SIM_SITE_DUMP_NUM2_UNSUPPORTED, SIM_SITE_DUMP_NUM2_MISSING, SIM_SITE_DUMP_NUM2_ALL,
        SIM_SITE_DUMP_NUM2_ACTIVE, SIM_SITE_DUMP_NUM2_RESERVED,
};

/* A num_of_obj field against the record's flags (PRM: 0 and 1 are allowed even if not supported). */
static unsigned check_count(struct sim_cmd *cmd, unsigned flags, unsigned num, const struct count_sites *c)
{
        if (num == 0 && (flags & c->must))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, c->missing);
        if (num == MLX5_RSCDUMP_ALL)
                return flags & c->all ? MLX5_CMD_STAT_OK : sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, c->site_all);
        if (num == NUM_OF_OBJ_ACTIVE)
                return flags & c->active ? MLX5_CMD_STAT_OK
                                         : sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, c->site_active);
        if (num > NUM_OF_OBJ_MAX)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, c->reserved);
        if (num > 1 && !(flags & c->support))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, c->unsupported);
        return MLX5_CMD_STAT_OK;
}

/* The generic checks of a request against its record. */
static unsigned check_request(struct sim_cmd *cmd, const struct sim_menu_record *r, const struct sim_dump_session *s)
{
        unsigned status;

        if (s->index1 != 0 && !(r->flags & SIM_MENU_SUPPORT_INDEX1))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_DUMP_INDEX1_UNSUPPORTED);
        if (s->index2 != 0 && !(r->flags & SIM_MENU_SUPPORT_INDEX2))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_DUMP_INDEX2_UNSUPPORTED);
        status = check_count(cmd, r->flags, s->num1, &num1_sites);
        if (status != MLX5_CMD_STAT_OK)
                return status;
        return check_count(cmd, r->flags, s->num2, &num2_sites);
}

/* The context fields a queue buffer (or the RDB) is sized by; a type has those of its queues. */
enum size_field {
        SIZE_LOG_RRA_MAX,
        SIZE_NO_SQ,
        SIZE_LOG_SQ_SIZE,
        SIZE_RQ_TYPE,
        SIZE_LOG_RQ_SIZE,
        SIZE_LOG_RQ_STRIDE,
        SIZE_LOG_SRQ_SIZE,
        SIZE_CQE_SZ,
        SIZE_LOG_CQ_SIZE,
        SIZE_LOG_EQ_SIZE,
        N_SIZE_FIELDS,
};

static const char *const size_field_paths[N_SIZE_FIELDS] = {
        [SIZE_LOG_RRA_MAX] = "log_rra_max",
        [SIZE_NO_SQ] = "no_sq",
        [SIZE_LOG_SQ_SIZE] = "log_sq_size",
        [SIZE_RQ_TYPE] = "rq_type",
        [SIZE_LOG_RQ_SIZE] = "log_rq_size",
        [SIZE_LOG_RQ_STRIDE] = "log_rq_stride",
        [SIZE_LOG_SRQ_SIZE] = "log_srq_size",
        [SIZE_CQE_SZ] = "cqe_sz",
        [SIZE_LOG_CQ_SIZE] = "log_cq_size",
        [SIZE_LOG_EQ_SIZE] = "log_eq_size",
};

/*
 * Per type, located once: the size fields and the leaves of its plan that
 * fill them, so that opening a buffer dump fills those leaves of the
 * object, not its whole query output (the values are the query's).
 */
struct sim_dump_sizes {
        struct sim_field fields[N_SIZE_FIELDS];
        struct sim_plan plan;
};

void sim_rscdump_init(mlx5_sim *sim)
{
        sim->dump_sizes = g_new0(struct sim_dump_sizes, sim->n_types);
        for (unsigned i = 0; i < sim->n_types; i++) {
                struct sim_dump_sizes *z = &sim->dump_sizes[i];

                for (unsigned f = 0; f < N_SIZE_FIELDS; f++)
                        z->fields[f] = sim_context_field(&sim->types[i], size_field_paths[f]);
                sim_plan_subset(&z->plan, &sim->types[i].plan, z->fields, N_SIZE_FIELDS);
        }
}

void sim_rscdump_clear(mlx5_sim *sim)
{
        for (unsigned i = 0; sim->dump_sizes && i < sim->n_types; i++)
                sim_plan_subset_clear(&sim->dump_sizes[i].plan);
        g_clear_pointer(&sim->dump_sizes, g_free);
}

/* Entries of the object's queue (or RDB) and their size, from its context. */
static uint64_t queue_entries(const mlx5_sim *sim, struct sim_dump_session *s)
{
        const struct sim_type *t = s->t;
        const struct sim_dump_sizes *z = &sim->dump_sizes[t - sim->types];
        size_t len = t->res->outlen;
        g_autofree uint8_t *out = g_malloc(len);
        uint64_t v[N_SIZE_FIELDS], log;

        sim_object_fill(sim, t, s->slot, &z->plan, out, len);
        for (unsigned f = 0; f < N_SIZE_FIELDS; f++)
                v[f] = sim_field_get(&z->fields[f], out, len);
        s->entry_bytes = s->rec->bytes;
        if (s->rec->kind == SIM_MENU_RDB)
                return 1ull << v[SIZE_LOG_RRA_MAX];
        switch (s->rec->queue) {
        case SIM_QUEUE_SQ:
                if (v[SIZE_NO_SQ])
                        return 0;
                log = v[SIZE_LOG_SQ_SIZE];
                break;
        case SIM_QUEUE_RQ:
                /* Only a regular RQ (rq_type 0) has a buffer of its own: not SRQ-attached, not zero-size. */
                if (v[SIZE_RQ_TYPE] != 0)
                        return 0;
                log = v[SIZE_LOG_RQ_SIZE] + v[SIZE_LOG_RQ_STRIDE];
                break;
        case SIM_QUEUE_SRQ:
                log = v[SIZE_LOG_SRQ_SIZE] + v[SIZE_LOG_RQ_STRIDE];
                break;
        case SIM_QUEUE_CQ:
                /* cqe_sz 1: 128-byte CQEs. */
                if (v[SIZE_CQE_SZ] == 1)
                        s->entry_bytes *= 2;
                log = v[SIZE_LOG_CQ_SIZE];
                break;
        case SIM_QUEUE_EQ:
                log = v[SIZE_LOG_EQ_SIZE];
                break;
        case SIM_QUEUE_NONE:
        default:
                return 0;
        }
        return MIN(1ull << MIN(log, 63), (uint64_t) SIM_MAX_BUFFER_ENTRIES);
}

/* Records first..first+count-1 of n entries; "all"/"active" take the rest from first. */
static unsigned select_entries(struct sim_cmd *cmd, struct sim_dump_session *s, uint64_t n, uint32_t first,
                               unsigned num, unsigned status_past)
{
        uint64_t count = num <= 1 ? 1 : num;

        if (num == MLX5_RSCDUMP_ALL || num == NUM_OF_OBJ_ACTIVE) {
                /* Every entry the segment holds is in use: "active" is the same as "all". */
                if (first > 0 && first >= n)
                        return sim_fail(cmd, status_past, SIM_SITE_DUMP_ENTRY_RANGE);
                count = first < n ? n - first : 0;
        } else if (first >= n || count > n - first) {
                /* Past the end: whether firmware clips is not published; refused. */
                return sim_fail(cmd, status_past, first >= n ? SIM_SITE_DUMP_NO_ENTRY : SIM_SITE_DUMP_ENTRY_RANGE);
        }
        s->next = first;
        s->left = count;
        return MLX5_CMD_STAT_OK;
}

/*
 * An object a driver created on a driven function: its PRM query segment
 * is the query output, as at open.  Its other segments (contexts, queue
 * buffers) need state this model keeps only for populated objects: no
 * such object, never records of another.
 */
static unsigned open_created(struct sim_cmd *cmd, struct sim_dump_session *s, unsigned uid)
{
        const uint8_t *out;
        size_t outlen;
        unsigned owner;

        if (s->rec->kind != SIM_MENU_QUERY || !s->t)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_RES_ERR, SIM_SITE_DUMP_NO_OBJECT);
        out = sim_created_output(cmd->sim->hca->created, s->t->res, s->index1, &outlen, &owner);
        if (!out)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_RES_ERR, SIM_SITE_DUMP_NO_OBJECT);
        if (owner != uid && !sim_uid_may_read_device(cmd->sim, uid))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_DUMP_NOT_PERMITTED);
        s->created = g_malloc0(s->t->res->outlen);
        memcpy(s->created, out, MIN(outlen, (size_t) s->t->res->outlen));
        s->entry_bytes = s->rec->bytes;
        s->next = 0;
        s->left = 1;
        return MLX5_CMD_STAT_OK;
}

/* The object named by index1 of an object segment. */
static unsigned open_object(struct sim_cmd *cmd, struct sim_dump_session *s, unsigned uid)
{
        const mlx5_sim *sim = cmd->sim;
        const struct sim_menu_record *r = s->rec;
        uint64_t entries;

        s->t = sim_find_type(sim, r->object);
        if (s->index1 == 0)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_DUMP_INDEX1_MISSING);
        if (sim->hca)
                return open_created(cmd, s, uid);
        if (!s->t || !s->t->objs || !sim_index_find(&s->t->index, s->index1, &s->slot))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_RES_ERR, SIM_SITE_DUMP_NO_OBJECT);
        if (!sim_uid_may_read_object(sim, uid, s->t, s->slot))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_DUMP_NOT_PERMITTED);
        s->identity = sim_object_identity(sim, s->t, s->slot);
        s->entry_bytes = r->bytes;
        s->next = 0;
        s->left = 1;
        if (r->kind == SIM_MENU_QUERY || r->kind == SIM_MENU_OBJECT)
                return MLX5_CMD_STAT_OK;
        entries = queue_entries(sim, s);
        if (r->kind == SIM_MENU_RDB)
                return select_entries(cmd, s, entries, s->index2, 1, MLX5_CMD_STAT_IX_ERR);
        return select_entries(cmd, s, entries, s->index2, s->num2, MLX5_CMD_STAT_IX_ERR);
}

/* The records a request asks for, once the generic checks passed. */
static unsigned open_body(struct sim_cmd *cmd, struct sim_dump_session *s, unsigned uid)
{
        const struct sim_menu_record *r = s->rec;

        switch (r->kind) {
        case SIM_MENU_QUERY:
        case SIM_MENU_OBJECT:
        case SIM_MENU_BUFFER:
        case SIM_MENU_RDB:
                return open_object(cmd, s, uid);
        case SIM_MENU_VNIC_ENV:
        case SIM_MENU_DEVICE:
                break;
        case SIM_MENU_TABLE:
                if (!sim_uid_may_read_device(cmd->sim, uid))
                        return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_DUMP_NOT_PERMITTED);
                if (r->every) {
                        s->next = 0;
                        s->left = r->count;
                        return MLX5_CMD_STAT_OK;
                }
                return select_entries(cmd, s, r->count, s->index1, s->num1, MLX5_CMD_STAT_BAD_RES_ERR);
        }
        if (!sim_uid_may_read_device(cmd->sim, uid))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_DUMP_NOT_PERMITTED);
        if (r->index_limit && s->index1 >= r->index_limit)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_DUMP_INDEX1_RANGE);
        s->entry_bytes = r->bytes;
        s->next = 0;
        s->left = 1;
        return MLX5_CMD_STAT_OK;
}

static unsigned open_session(struct sim_cmd *cmd, const uint8_t *req, struct sim_dump_session **ret_session)
{
        mlx5_sim *sim = cmd->sim;
        unsigned uid = mlx5_mbox_in_uid(cmd->in);
        g_autofree struct sim_dump_session *s = g_new0(struct sim_dump_session, 1);
        unsigned status;

        s->uid = uid;
        s->segment_type = mlx5_bits_get(req, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_SEGMENT_TYPE_BIT, 16);
        s->vhca_id = mlx5_bits_get(req, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_VHCA_ID_BIT, 16);
        s->index1 = mlx5_bits_get(req, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_INDEX1_BIT, 32);
        s->index2 = mlx5_bits_get(req, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_INDEX2_BIT, 32);
        s->num1 = mlx5_bits_get(req, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_NUM_OF_OBJ1_BIT, 16);
        s->num2 = mlx5_bits_get(req, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_NUM_OF_OBJ2_BIT, 16);

        /* This function manages no other: another vhca_id has nothing to dump here. */
        if (mlx5_bits_get(req, MLX5_RSCDUMP_REG_LEN, RSCDUMP_VHCA_ID_VALID_BIT, 1) && s->vhca_id != sim->index)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_DUMP_VHCA);
        if (s->segment_type == MLX5_RSCDUMP_SEG_MENU) {
                /* No record offers the menu indexes or counts; what firmware does with them is not published: refused. */
                if (s->index1 || s->index2 || s->num1 > 1 || s->num2 > 1)
                        return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_DUMP_MENU_ARGS);
        } else {
                s->rec = sim_menu_find(s->segment_type);
                if (!s->rec)
                        return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_DUMP_SEGMENT);
                status = check_request(cmd, s->rec, s);
                if (status == MLX5_CMD_STAT_OK)
                        status = open_body(cmd, s, uid);
                if (status != MLX5_CMD_STAT_OK)
                        return status;
        }

        /* Bounded: the oldest abandoned session makes room. */
        if (g_queue_get_length(sim->dump_sessions) >= SIM_MAX_DUMP_SESSIONS)
                sim_rscdump_session_free(g_queue_pop_head(sim->dump_sessions));
        s->opaque = (uint64_t) (sim->index + 1) << 48 | sim->next_dump_opaque++;
        g_queue_push_tail(sim->dump_sessions, s);
        *ret_session = g_steal_pointer(&s);
        return MLX5_CMD_STAT_OK;
}

/*
 * inline_dump 0: the chunk goes to the request's address through its mkey,
 * at most size bytes of it.  The embedded --sim device has no bus behind
 * it (no host memory to write into), so there such a request is refused.
 * size 0 leaves no room; whether firmware refuses it is not published:
 * refused.
 */
static unsigned dma_target(struct sim_cmd *cmd, const uint8_t *req, uint64_t *ret_bus, size_t *ret_room)
{
        uint32_t mkey = mlx5_bits_get(req, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_MKEY_BIT, 32);
        uint32_t size = mlx5_bits_get(req, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_SIZE_BIT, 32);
        uint64_t addr = mlx5_bits_get(req, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_ADDRESS_BIT, 64);

        if (!cmd->sim->hca || !cmd->sim->dma_write)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_DUMP_NOT_INLINE);
        if (size == 0)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_DUMP_DMA_SIZE);
        *ret_room = MIN(size, SIM_MAX_DUMP_DMA);
        return sim_created_mkey_target(cmd, mkey, addr, size, ret_bus);
}

static unsigned resource_dump(struct sim_cmd *cmd)
{
        mlx5_sim *sim = cmd->sim;
        const uint8_t *req = cmd->in + MLX5_MBOX_HDR_LEN;
        uint8_t *resp = cmd->out + MLX5_MBOX_HDR_LEN;
        uint64_t opaque = mlx5_bits_get(req, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_DEVICE_OPAQUE_BIT, 64);
        unsigned seq = mlx5_bits_get(req, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_SEQ_NUM_BIT, 4);
        bool by_dma = !mlx5_bits_get(req, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_INLINE_DUMP_BIT, 1);
        g_autofree uint8_t *chunk = NULL;
        struct sim_dump_session *s = NULL;
        size_t size, room = MLX5_RSCDUMP_INLINE_LEN;
        uint64_t bus = 0;
        unsigned status;
        bool more;

        if (by_dma) {
                status = dma_target(cmd, req, &bus, &room);
                if (status != MLX5_CMD_STAT_OK)
                        return status;
        }
        if (sim_faults_dump(cmd, &status))
                return status;
        if (opaque == 0) {
                status = open_session(cmd, req, &s);
                if (status != MLX5_CMD_STAT_OK)
                        return status;
        } else {
                s = find_session(sim, opaque);
                if (!s)
                        return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_DUMP_SESSION);
                if (s->uid != mlx5_mbox_in_uid(cmd->in))
                        return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_DUMP_OTHER_UID);
                if (seq != s->seq)
                        return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_DUMP_SEQ);
        }

        /* The answer is the request with the firmware's fields filled in. */
        memcpy(resp, req, MLX5_RSCDUMP_INLINE_BYTE);
        if (!by_dma) {
                size = fill_chunk(sim, s, resp + MLX5_RSCDUMP_INLINE_BYTE, room);
        } else {
                chunk = g_malloc(room);
                size = fill_chunk(sim, s, chunk, room);
                if (sim->dma_write(sim->dma_user_data, bus, chunk, size) < 0) {
                        /* The stream moved on past bytes the host never got: the session ends. */
                        g_queue_remove(sim->dump_sessions, s);
                        sim_rscdump_session_free(s);
                        memset(resp, 0, MLX5_RSCDUMP_INLINE_BYTE);
                        return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_DUMP_DMA_FAULT);
                }
        }
        more = stream_has_more(sim, s);
        s->seq = (seq + 1) & 0xf;
        mlx5_bits_set(resp, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_MORE_DUMP_BIT, 1, more);
        mlx5_bits_set(resp, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_SEQ_NUM_BIT, 4, s->seq);
        mlx5_bits_set(resp, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_DEVICE_OPAQUE_BIT, 64, s->opaque);
        mlx5_bits_set(resp, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_SIZE_BIT, 32, size);
        if (!more) {
                g_queue_remove(sim->dump_sessions, s);
                sim_rscdump_session_free(s);
        }
        return MLX5_CMD_STAT_OK;
}

unsigned sim_cmd_resource_dump(struct sim_cmd *cmd)
{
        unsigned status = sim_check_len(cmd, ACCESS_REG_LEN, ACCESS_REG_LEN);

        if (status != MLX5_CMD_STAT_OK)
                return status;
        return resource_dump(cmd);
}
