/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The RESOURCE_DUMP register behind ACCESS_REG, inline mode: each call
 * returns the next (at most) 208 bytes of a segment stream — info, command,
 * then the menu or one resource segment per object, then terminate.  A
 * session remembers where the stream stands between calls and is found
 * again by device_opaque; the caller must hand back the seq_num it was
 * given.  The stream is produced one segment at a time from a cursor, so a
 * dump of a million objects never exists in memory at once.
 *
 * Under churn a session walks the live objects as a firmware walks its
 * tables: the cursor is the next object number, and each record is made
 * from the object that holds the next number at or past it when the chunk
 * that starts the record is produced.  Numbers only go up within a session,
 * so no object is listed twice; an object created behind the cursor is
 * missed, one destroyed ahead of it is not listed, one changed before its
 * record shows the change.  Every record is whole: a segment is built in
 * one go, under the lock.
 */
#include <string.h>

#include "prm/bits.h"
#include "sim/sim-private.h"

#define ACCESS_REG_LEN          (MLX5_MBOX_HDR_LEN + MLX5_RSCDUMP_REG_LEN)
#define DUMP_VERSION            1
#define SIM_HW_VERSION          0x20d
#define SIM_FW_VERSION          (22u << 24 | 39u << 16 | 1002u) /* major.minor.subminor */

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
        const struct sim_segment *segment;      /* NULL: the menu */
        uint16_t segment_type, vhca_id;
        uint32_t index1, index2;
        uint16_t num1, num2;
        enum dump_phase phase;
        uint64_t next_id;                       /* the cursor; past UINT32_MAX when done */
        uint32_t left;                          /* objects still to dump */
        GByteArray *seg;                        /* the segment being sent ... */
        size_t seg_off;                         /* ... and how much of it is */
};

void sim_rscdump_session_free(void *session)
{
        struct sim_dump_session *s = session;

        g_byte_array_unref(s->seg);
        g_free(s);
}

static void add_segments(GArray *segments, const struct sim_type *t, const GPtrArray *names,
                         bool payload)
{
        for (guint i = 0; names && i < names->len; i++) {
                const char *name = names->pdata[i];
                struct sim_segment seg = {
                        .type = SIM_SEGMENT_TYPE_BASE + segments->len,
                        .objects = t,
                        .payload = payload,
                };

                /* A menu record holds 16 bytes of name; a longer one cannot be offered. */
                if (strlen(name) > MLX5_RSCDUMP_NAME_LEN || seg.type > MLX5_RSCDUMP_SEG_RESOURCE_MAX)
                        continue;
                g_strlcpy(seg.name, name, sizeof(seg.name));
                g_array_append_val(segments, seg);
        }
}

void sim_rscdump_build_menu(mlx5_sim *sim)
{
        GArray *segments = g_array_new(FALSE, FALSE, sizeof(struct sim_segment));

        for (unsigned i = 0; i < sim->n_types; i++) {
                const struct sim_type *t = &sim->types[i];

                if (!t->res->has_id)
                        continue;
                add_segments(segments, t, t->res->dump_segments, true);
        }
        sim->n_segments = segments->len;
        sim->segments = (struct sim_segment *) (void *) g_array_free(segments, FALSE);
}

/* Starts a segment of len bytes (a multiple of 4) in s->seg; returns its bytes. */
static uint8_t *begin_segment(struct sim_dump_session *s, size_t len, unsigned type)
{
        len = (len + 3) & ~(size_t) 3;
        g_byte_array_set_size(s->seg, len);
        memset(s->seg->data, 0, len);
        s->seg_off = 0;
        mlx5_bits_set(s->seg->data, len, MLX5_RSCDUMP_SEG_LENGTH_DW_BIT, 16, len / 4);
        mlx5_bits_set(s->seg->data, len, MLX5_RSCDUMP_SEG_TYPE_BIT, 16, type);
        return s->seg->data;
}

static void put_name(uint8_t *dst, const char *name)
{
        memset(dst, 0, MLX5_RSCDUMP_NAME_LEN);
        memcpy(dst, name, MIN(strlen(name), (size_t) MLX5_RSCDUMP_NAME_LEN));
}

static void write_menu(const mlx5_sim *sim, struct sim_dump_session *s)
{
        size_t len = MLX5_RSCDUMP_MENU_RECORDS_BYTE + (size_t) sim->n_segments * MLX5_RSCDUMP_MENU_RECORD_LEN;
        uint8_t *p = begin_segment(s, len, MLX5_RSCDUMP_SEG_MENU);

        mlx5_bits_set(p, len, MLX5_RSCDUMP_MENU_NUM_RECORDS_BIT, 16, sim->n_segments);
        for (unsigned i = 0; i < sim->n_segments; i++) {
                const struct sim_segment *seg = &sim->segments[i];
                uint8_t *rec = p + MLX5_RSCDUMP_MENU_RECORDS_BYTE + (size_t) i * MLX5_RSCDUMP_MENU_RECORD_LEN;
                g_autofree char *index_name = g_ascii_strup(seg->objects->res->name, -1);
                g_autofree char *index1_name = g_strconcat(index_name, "N", NULL);

                mlx5_bits_set(rec, MLX5_RSCDUMP_MENU_RECORD_LEN, MLX5_RSCDUMP_REC_SUPPORT_INDEX1_BIT, 1, 1);
                mlx5_bits_set(rec, MLX5_RSCDUMP_MENU_RECORD_LEN, MLX5_RSCDUMP_REC_SUPPORT_NUM_OF_OBJ1_BIT, 1, 1);
                mlx5_bits_set(rec, MLX5_RSCDUMP_MENU_RECORD_LEN, MLX5_RSCDUMP_REC_NUM_OF_OBJ1_SUPPORTS_ALL_BIT, 1, 1);
                mlx5_bits_set(rec, MLX5_RSCDUMP_MENU_RECORD_LEN, MLX5_RSCDUMP_REC_SEGMENT_TYPE_BIT, 16, seg->type);
                put_name(rec + MLX5_RSCDUMP_REC_SEGMENT_NAME_BYTE, seg->name);
                put_name(rec + MLX5_RSCDUMP_REC_INDEX1_NAME_BYTE, index1_name);
        }
}

/* One resource segment for the next object, or false when none is left. */
static bool write_object(const mlx5_sim *sim, struct sim_dump_session *s)
{
        const struct sim_type *t = s->segment->objects;
        size_t payload = s->segment->payload ? t->res->outlen : 0;
        uint32_t id, slot;
        uint8_t *p;
        size_t len;

        if (s->left == 0 || s->next_id > UINT32_MAX || !sim_index_next(&t->index, s->next_id, &id, &slot))
                return false;
        len = MLX5_RSCDUMP_RES_PAYLOAD_BYTE + payload;
        p = begin_segment(s, len, s->segment->type);
        len = s->seg->len;
        mlx5_bits_set(p, len, MLX5_RSCDUMP_RES_INDEX1_BIT, 32, id);
        if (payload)
                sim_object_output(sim, t, slot, p + MLX5_RSCDUMP_RES_PAYLOAD_BYTE, payload);
        s->next_id = (uint64_t) id + 1;
        if (s->left != UINT32_MAX)
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
                if (!s->segment) {
                        write_menu(sim, s);
                        s->phase = PHASE_TERMINATE;
                        return;
                }
                if (write_object(sim, s))
                        return;
                G_GNUC_FALLTHROUGH;     /* no objects left */
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
        if (s->seg_off < s->seg->len)
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
                size_t k = MIN(room - n, s->seg->len - s->seg_off);

                memcpy(dst + n, s->seg->data + s->seg_off, k);
                n += k;
                s->seg_off += k;
        }
        return n;
}

static const struct sim_segment *find_segment(const mlx5_sim *sim, unsigned type)
{
        for (unsigned i = 0; i < sim->n_segments; i++)
                if (sim->segments[i].type == type)
                        return &sim->segments[i];
        return NULL;
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

static unsigned open_session(struct sim_cmd *cmd, const uint8_t *req, struct sim_dump_session **ret_session)
{
        mlx5_sim *sim = cmd->sim;
        unsigned type = mlx5_bits_get(req, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_SEGMENT_TYPE_BIT, 16);
        const struct sim_segment *segment = NULL;
        struct sim_dump_session *s;

        if (type != MLX5_RSCDUMP_SEG_MENU && !(segment = find_segment(sim, type)))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_DUMP_SEGMENT);

        /* Bounded: the oldest abandoned session makes room. */
        if (g_queue_get_length(sim->dump_sessions) >= SIM_MAX_DUMP_SESSIONS)
                sim_rscdump_session_free(g_queue_pop_head(sim->dump_sessions));

        s = g_new0(struct sim_dump_session, 1);
        s->opaque = (uint64_t) (sim->index + 1) << 48 | sim->next_dump_opaque++;
        s->segment = segment;
        s->segment_type = type;
        s->vhca_id = mlx5_bits_get(req, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_VHCA_ID_BIT, 16);
        s->index1 = mlx5_bits_get(req, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_INDEX1_BIT, 32);
        s->index2 = mlx5_bits_get(req, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_INDEX2_BIT, 32);
        s->num1 = mlx5_bits_get(req, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_NUM_OF_OBJ1_BIT, 16);
        s->num2 = mlx5_bits_get(req, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_NUM_OF_OBJ2_BIT, 16);
        s->seg = g_byte_array_new();
        if (segment) {
                /* From index1 on, ascending; 0 objects asked means the one at index1. */
                s->next_id = s->index1;
                s->left = s->num1 == MLX5_RSCDUMP_ALL ? UINT32_MAX : MAX(s->num1, 1);
        }
        g_queue_push_tail(sim->dump_sessions, s);
        *ret_session = s;
        return MLX5_CMD_STAT_OK;
}

static unsigned resource_dump(struct sim_cmd *cmd)
{
        mlx5_sim *sim = cmd->sim;
        const uint8_t *req = cmd->in + MLX5_MBOX_HDR_LEN;
        uint8_t *resp = cmd->out + MLX5_MBOX_HDR_LEN;
        uint64_t opaque = mlx5_bits_get(req, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_DEVICE_OPAQUE_BIT, 64);
        unsigned seq = mlx5_bits_get(req, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_SEQ_NUM_BIT, 4);
        struct sim_dump_session *s = NULL;
        unsigned status;
        size_t size;
        bool more;

        if (!mlx5_bits_get(req, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_INLINE_DUMP_BIT, 1))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_DUMP_NOT_INLINE);
        if (opaque == 0) {
                status = open_session(cmd, req, &s);
                if (status != MLX5_CMD_STAT_OK)
                        return status;
        } else {
                s = find_session(sim, opaque);
                if (!s)
                        return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_DUMP_SESSION);
                if (seq != s->seq)
                        return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_DUMP_SEQ);
        }

        /* The answer is the request with the firmware's fields filled in. */
        memcpy(resp, req, MLX5_RSCDUMP_INLINE_BYTE);
        size = fill_chunk(sim, s, resp + MLX5_RSCDUMP_INLINE_BYTE, MLX5_RSCDUMP_INLINE_LEN);
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

unsigned sim_cmd_access_reg(struct sim_cmd *cmd)
{
        unsigned op_mod = mlx5_mbox_in_op_mod(cmd->in);
        unsigned status;

        if (mlx5_bits_get(cmd->in, cmd->inlen, MLX5_ACCESS_REG_ID_BIT, 16) != MLX5_REG_RESOURCE_DUMP)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_REGISTER);
        /* The kernel writes (op_mod 0) and reads the answer back; tools read (1). */
        if (op_mod != MLX5_ACCESS_REG_OP_MOD_READ && op_mod != 0)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_OP_MOD);
        status = sim_check_len(cmd, ACCESS_REG_LEN, ACCESS_REG_LEN);
        if (status != MLX5_CMD_STAT_OK)
                return status;
        return resource_dump(cmd);
}
