/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <string.h>

#include "device/device.h"
#include "device/fw-limits.h"
#include "device/rscdump-reader.h"
#include "transport/batch.h"
#include "transport/cancel.h"
#include "transport/cmd-stats.h"
#include "prm/mbox.h"
#include "prm/rscdump.h"


/* Info, command and menu headers, 0xffff records, terminate, and room for notices. */
#define MENU_MAX_BYTES (MLX5_RSCDUMP_INFO_LEN + MLX5_RSCDUMP_CMD_LEN + MLX5_RSCDUMP_MENU_RECORDS_BYTE + \
                        0xffffu * MLX5_RSCDUMP_MENU_RECORD_LEN + 4096)

#define LOG_BURST 20     /* firmware-error messages per device per second */

/* A failing command type must not flood the log: at most LOG_BURST a second. */
static bool log_allowed(mlx5_device *dev)
{
        int64_t now = g_get_monotonic_time();
        unsigned suppressed = 0;
        bool allowed;

        g_mutex_lock(&dev->log_lock);
        if (now - dev->log_window_us >= G_USEC_PER_SEC) {
                suppressed = dev->log_suppressed;
                dev->log_window_us = now;
                dev->log_in_window = 0;
                dev->log_suppressed = 0;
        }
        allowed = dev->log_in_window++ < LOG_BURST;
        if (!allowed)
                dev->log_suppressed++;
        g_mutex_unlock(&dev->log_lock);
        if (suppressed)
                g_warning("%s: %u more firmware errors not logged", dev->pci_name, suppressed);
        return allowed;
}

static void log_firmware_error(mlx5_device *dev, unsigned opcode, const char *what, unsigned status,
                               uint32_t syndrome)
{
        const char *name = mlx5_opcode_name(opcode);

        if (!log_allowed(dev))
                return;
        g_warning("%s: %s%s%s failed: firmware status %s (0x%x), syndrome 0x%08x",
                  dev->pci_name, name ? name : "command", what ? " " : "", what ? what : "",
                  mlx5_status_name(status), status, syndrome);
}

/* What a command's transport result and output status mean for its caller (errors logged). */
static int check_answer(mlx5_device *dev, const uint8_t *in, int r, const uint8_t *out, const char *what)
{
        unsigned opcode = mlx5_mbox_in_opcode(in), status;

        if (r < 0) {
                if (r != -ENODEV && r != -EBADMSG && r != -EINTR && r != -EIO && log_allowed(dev))
                        g_warning("%s: %s %s: %s", dev->pci_name, mlx5_opcode_name(opcode) ?: "command",
                                  what ? what : "", g_strerror(-r));
                return r;
        }
        status = mlx5_mbox_out_status(out);
        if (status == MLX5_CMD_STAT_BAD_RES_ERR)
                return -ENOENT;
        if (status != MLX5_CMD_STAT_OK) {
                log_firmware_error(dev, opcode, what, status, mlx5_mbox_out_syndrome(out));
                return -EIO;
        }
        return 0;
}

static int exec_checked(mlx5_device *dev, const uint8_t *in, size_t inlen, size_t outlen, const char *what,
                        GBytes **ret_out)
{
        g_autofree uint8_t *out = g_malloc0(outlen);
        int r;

        r = mlx5_transport_exec(dev->transport, in, inlen, out, outlen);
        r = check_answer(dev, in, r, out, what);
        if (r < 0)
                return r;
        *ret_out = g_bytes_new_take(g_steal_pointer(&out), outlen);
        return 0;
}

/* A resource's query of object id, into in (res->inlen bytes, zeroed). */
static void build_query(const mlx5_schema_resource *res, uint32_t id, uint8_t *in)
{
        mlx5_mbox_in_set_hdr(in, res->opcode, res->op_mod);
        if (res->has_id)
                mlx5_bits_set(in, res->inlen, res->id_bit_off, res->id_width, id);
}

int mlx5_device_query(mlx5_device *dev, const mlx5_schema_resource *res, uint32_t id, GBytes **ret_out)
{
        g_autofree uint8_t *in = g_malloc0(res->inlen);
        char what[32] = "";

        build_query(res, id, in);
        if (res->has_id)
                g_snprintf(what, sizeof(what), "0x%x", id);
        return exec_checked(dev, in, res->inlen, res->outlen, res->has_id ? what : NULL, ret_out);
}

void mlx5_device_run_many(mlx5_device *dev, unsigned n, mlx5_device_each_fn fn, void *data, GDestroyNotify data_free,
                          GDestroyNotify item_free, gpointer *items, int *results)
{
        mlx5_transport_run_many(dev->transport, n, fn, data, data_free, item_free, items, results);
}

struct query_many {
        const mlx5_schema_resource *res;
        const uint32_t *ids;
        struct mlx5_deadline *deadline;         /* or NULL */
        const char *who;
        bool late;                              /* the deadline passed: the rest are not asked */
};

/* Under the transport's lock (batch.h): command i's query, unless the deadline passed. */
static int build_one(unsigned i, uint8_t *in, void *data)
{
        struct query_many *q = data;

        if (q->deadline && !q->late && i % 64 == 0 && mlx5_deadline_check(q->deadline, q->who) < 0)
                q->late = true;
        if (q->late)
                return -ETIMEDOUT;
        build_query(q->res, q->ids[i], in);
        return 0;
}

void mlx5_device_query_many(mlx5_device *dev, const mlx5_schema_resource *res, const uint32_t *ids, unsigned n,
                            struct mlx5_deadline *deadline, uint8_t *raws, int *results)
{
        char who[96];
        struct query_many q = { .res = res, .ids = ids, .deadline = deadline, .who = who };

        g_snprintf(who, sizeof(who), "%s: listing %s", dev->pci_name, res->name);
        /* Straight into raws: the answers are the output mailboxes, each checked below. */
        mlx5_transport_exec_many(dev->transport, n, res->inlen, res->outlen, build_one, &q, raws, results);
        for (unsigned i = 0; i < n; i++) {
                uint8_t in[MLX5_MBOX_HDR_LEN] = { 0 };

                if (results[i] == -ETIMEDOUT || results[i] == -EINTR)
                        continue;
                mlx5_mbox_in_set_hdr(in, res->opcode, res->op_mod);
                if (results[i] < 0 || mlx5_mbox_out_status(raws + (size_t) i * res->outlen) != MLX5_CMD_STAT_OK) {
                        char what[32];

                        g_snprintf(what, sizeof(what), "0x%x", ids[i]);
                        results[i] = check_answer(dev, in, results[i], raws + (size_t) i * res->outlen, what);
                }
        }
}

int mlx5_device_query_caps(mlx5_device *dev, const mlx5_schema_caps *caps, bool current, GBytes **ret_out)
{
        uint8_t in[MLX5_MBOX_HDR_LEN] = { 0 };

        mlx5_mbox_in_set_hdr(in, MLX5_CMD_OP_QUERY_HCA_CAP,
                             (unsigned) caps->type << 1 | (current ? MLX5_CAP_MODE_CUR : MLX5_CAP_MODE_MAX));
        return exec_checked(dev, in, sizeof(in), MLX5_HCA_CAP_OUT_LEN, caps->name, ret_out);
}

/* An answer that breaks its layout: logged (throttled as firmware errors), counted (errors.malformed), EIO. */
static int malformed(mlx5_device *dev, const char *who, const char *what)
{
        mlx5_cmd_stats_malformed(dev->transport->stats);
        if (log_allowed(dev))
                g_warning("%s: %s", who, what);
        return -EIO;
}

/* num_of_obj1 (the caller's): 0 for the menu, as the kernel and mstflint ask; "all" only where a record offers it. */
static int read_dump(mlx5_device *dev, struct mlx5_rscdump_request *req, GByteArray **ret_stream)
{
        unsigned status = 0;
        uint32_t syndrome = 0;
        int r;

        req->vhca_id = dev->vhca_id;
        req->account = dev->account;
        r = mlx5_rscdump_read(dev->transport, req, ret_stream, &status, &syndrome);
        /* No such object, or no such entry of it (a QP without a send queue has no SND_BUFF). */
        if (r == -EIO && (status == MLX5_CMD_STAT_BAD_RES_ERR || status == MLX5_CMD_STAT_IX_ERR))
                return -ENOENT;
        if (r == -EIO && status != 0)
                log_firmware_error(dev, MLX5_CMD_OP_ACCESS_REG, "RESOURCE_DUMP", status, syndrome);
        /* Limits, timeouts and interrupts said why themselves. */
        else if (r < 0 && r != -ENODEV && r != -EFBIG && r != -ETIMEDOUT && r != -EINTR && r != -EIO &&
                 r != -E2BIG && r != -ENOBUFS)
                g_warning("%s: %s", req->who, g_strerror(-r));
        /* The reader said what was wrong with the chunk. */
        if (r == -EPROTO) {
                mlx5_cmd_stats_malformed(dev->transport->stats);
                return -EIO;
        }
        /* What the reader gets: the dump failed. */
        return r == -EFBIG || r == -ETIMEDOUT || r == -E2BIG || r == -ENOBUFS ? -EIO : r;
}

int mlx5_device_dump_request(const mlx5_device *dev, const struct mlx5_menu_record *m, bool per_object,
                             uint32_t index1, struct mlx5_rscdump_request *ret_req)
{
        struct mlx5_rscdump_request req = { .segment_type = m->segment_type, .vhca_id = dev->vhca_id };

        if (per_object != m->must_index1 || (per_object && !m->support_index1))
                return -EINVAL;
        if (per_object) {
                req.index1 = index1;
                /* PRM: 0 and 1 are allowed even where num_of_obj1 is not supported. */
                req.num_of_obj1 = 1;
        } else {
                req.num_of_obj1 = m->num1_active ? MLX5_RSCDUMP_ACTIVE
                                  : m->num1_all  ? MLX5_RSCDUMP_ALL
                                  : m->must_num1 ? 1 : 0;
        }
        /*
         * One entry of a second index (a queue buffer's first WQE, CQE, ...),
         * not "all" even where offered: a CQ's whole buffer is up to 4 MiB,
         * 20k commands of 208 bytes, and a walk of the tree reads every one.
         */
        req.num_of_obj2 = m->must_num2 ? 1 : 0;
        *ret_req = req;
        return 0;
}

int mlx5_device_dump(mlx5_device *dev, const struct mlx5_menu_record *m, bool per_object, uint32_t index1,
                     GBytes **ret_stream)
{
        struct mlx5_rscdump_request req;
        struct mlx5_rscdump_segment seg;
        GByteArray *stream = NULL;
        int r;

        r = mlx5_device_dump_request(dev, m, per_object, index1, &req);
        if (r < 0)
                return r;
        req.who = m->name;
        r = read_dump(dev, &req, &stream);
        if (r < 0)
                return r;
        /* Served as firmware sent it, but only whole: every segment within the stream. */
        for (size_t offset = 0; (r = mlx5_rscdump_next_segment(stream, &offset, &seg)) > 0;)
                ;
        if (r < 0) {
                g_byte_array_unref(stream);
                return malformed(dev, m->name, "malformed segment stream");
        }
        *ret_stream = g_byte_array_free_to_bytes(stream);
        return 0;
}

/* The ids of a listing dump, taken as its chunks come so that a budget stops it early. */
struct id_walk {
        GArray *ids;
        size_t offset;          /* first byte of the stream not walked yet */
        struct mlx5_id_budget budget;
        const char *who;
        bool error_segment;
        bool terminated;        /* the terminate segment came: nothing after it counts */
};

static int walk_ids(const GByteArray *stream, void *user_data)
{
        struct id_walk *w = user_data;
        struct mlx5_rscdump_segment seg;
        int r;

        while (!w->terminated) {
                size_t at = w->offset;
                uint32_t id;

                /* A segment not yet whole waits for the next chunk. */
                if (stream->len - at < MLX5_RSCDUMP_SEG_HDR_LEN ||
                    (size_t) mlx5_bits_get(stream->data + at, stream->len - at, MLX5_RSCDUMP_SEG_LENGTH_DW_BIT, 16) * 4 >
                    stream->len - at)
                        return 0;
                r = mlx5_rscdump_next_segment(stream, &w->offset, &seg);
                if (r < 0)
                        return r;
                if (r == 0) {
                        w->terminated = w->offset != at;
                        return 0;
                }
                if (seg.type == MLX5_RSCDUMP_SEG_ERROR) {
                        w->error_segment = true;
                        return -EIO;
                }
                if (seg.type > MLX5_RSCDUMP_SEG_RESOURCE_MAX)
                        continue;
                if (seg.len < MLX5_RSCDUMP_RES_PAYLOAD_BYTE)
                        return -EBADMSG;
                r = mlx5_id_budget_take(&w->budget, 1, w->who);
                if (r < 0)
                        return r;
                id = mlx5_bits_get(seg.data, seg.len, MLX5_RSCDUMP_RES_INDEX1_BIT, 32);
                g_array_append_val(w->ids, id);
        }
        return 0;
}

int mlx5_device_list(mlx5_device *dev, unsigned resource_index, GArray **ret_ids)
{
        const struct mlx5_device_listing *l = &dev->listing[resource_index];
        const struct mlx5_limits *limits = mlx5_limits_get();
        g_autofree char *who = NULL;
        g_autoptr(GByteArray) stream = NULL;
        g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
        struct mlx5_deadline deadline;
        struct id_walk walk = { .ids = ids };
        struct mlx5_rscdump_request req = { .on_chunk = walk_ids, .user_data = &walk, .deadline = &deadline };
        int r;

        if (l->list_segment < 0)
                return -EOPNOTSUPP;
        who = g_strdup_printf("%s: listing %s", dev->pci_name, l->list_segment_name);
        walk.who = req.who = who;
        req.segment_type = (uint16_t) l->list_segment;
        req.num_of_obj1 = MLX5_RSCDUMP_ALL;
        mlx5_deadline_init(&deadline, MLX5_LIMIT_LIST_TIME, limits->list_max_us);
        mlx5_id_budget_init(&walk.budget, MLX5_LIMIT_LIST_IDS, MIN(limits->list_max_ids, l->caps_max_ids));
        /* Not even a header per object more than the caps allow objects: a longer dump is broken. */
        if (l->caps_max_ids != UINT64_MAX)
                req.max_bytes = (l->caps_max_ids + 16) * MLX5_RSCDUMP_MAX_SEG_LEN;
        r = read_dump(dev, &req, &stream);
        if (r == 0)
                r = walk_ids(stream, &walk);
        /* What is left unwalked at the end is a segment cut short. */
        if (r == 0 && !walk.terminated && walk.offset != stream->len)
                r = -EBADMSG;
        if (walk.error_segment) {
                g_warning("%s: firmware reported an error segment", who);
                return -EIO;
        }
        if (r == -EBADMSG)
                return malformed(dev, who, "malformed segment stream");
        if (r < 0)
                return r;
        *ret_ids = g_steal_pointer(&ids);
        return 0;
}

static void read_name(char *dst, const uint8_t *src)
{
        memcpy(dst, src, MLX5_RSCDUMP_NAME_LEN);
        dst[MLX5_RSCDUMP_NAME_LEN] = '\0';
}

static bool record_flag(const uint8_t *rec, unsigned bit)
{
        return mlx5_bits_get(rec, MLX5_RSCDUMP_MENU_RECORD_LEN, bit, 1);
}

/* The menu segment's records, as firmware lists them. */
static int read_menu(mlx5_device *dev)
{
        g_autoptr(GByteArray) stream = NULL;
        g_autofree char *who = g_strdup_printf("%s: resource dump menu", dev->pci_name);
        /* The most a menu can hold (16-bit num_of_records), so an endless one ends there. */
        struct mlx5_rscdump_request req = { .segment_type = MLX5_RSCDUMP_SEG_MENU, .who = who,
                                            .max_bytes = MENU_MAX_BYTES };
        struct mlx5_rscdump_segment seg;
        size_t offset = 0;
        int r;

        r = read_dump(dev, &req, &stream);
        if (r < 0)
                return r;
        while ((r = mlx5_rscdump_next_segment(stream, &offset, &seg)) > 0) {
                unsigned n;

                if (seg.type != MLX5_RSCDUMP_SEG_MENU)
                        continue;
                n = mlx5_bits_get(seg.data, seg.len, MLX5_RSCDUMP_MENU_NUM_RECORDS_BIT, 16);
                for (unsigned i = 0; i < n; i++) {
                        size_t rec_off = MLX5_RSCDUMP_MENU_RECORDS_BYTE + (size_t) i * MLX5_RSCDUMP_MENU_RECORD_LEN;
                        const uint8_t *rec = seg.data + rec_off;
                        struct mlx5_menu_record m = { 0 };

                        if (rec_off + MLX5_RSCDUMP_MENU_RECORD_LEN > seg.len)
                                return malformed(dev, who, "a menu record past the end of its segment");
                        read_name(m.name, rec + MLX5_RSCDUMP_REC_SEGMENT_NAME_BYTE);
                        read_name(m.index1_name, rec + MLX5_RSCDUMP_REC_INDEX1_NAME_BYTE);
                        read_name(m.index2_name, rec + MLX5_RSCDUMP_REC_INDEX2_NAME_BYTE);
                        m.segment_type = mlx5_bits_get(rec, MLX5_RSCDUMP_MENU_RECORD_LEN,
                                                       MLX5_RSCDUMP_REC_SEGMENT_TYPE_BIT, 16);
                        m.num2_active = record_flag(rec, MLX5_RSCDUMP_REC_NUM_OF_OBJ2_SUPPORTS_ACTIVE_BIT);
                        m.num2_all = record_flag(rec, MLX5_RSCDUMP_REC_NUM_OF_OBJ2_SUPPORTS_ALL_BIT);
                        m.support_num2 = record_flag(rec, MLX5_RSCDUMP_REC_SUPPORT_NUM_OF_OBJ2_BIT);
                        m.must_num2 = record_flag(rec, MLX5_RSCDUMP_REC_MUST_HAVE_NUM_OF_OBJ2_BIT);
                        m.must_num1 = record_flag(rec, MLX5_RSCDUMP_REC_MUST_HAVE_NUM_OF_OBJ1_BIT);
                        m.num1_active = record_flag(rec, MLX5_RSCDUMP_REC_NUM_OF_OBJ1_SUPPORTS_ACTIVE_BIT);
                        m.num1_all = record_flag(rec, MLX5_RSCDUMP_REC_NUM_OF_OBJ1_SUPPORTS_ALL_BIT);
                        m.support_num1 = record_flag(rec, MLX5_RSCDUMP_REC_SUPPORT_NUM_OF_OBJ1_BIT);
                        m.must_index2 = record_flag(rec, MLX5_RSCDUMP_REC_MUST_HAVE_INDEX2_BIT);
                        m.support_index2 = record_flag(rec, MLX5_RSCDUMP_REC_SUPPORT_INDEX2_BIT);
                        m.must_index1 = record_flag(rec, MLX5_RSCDUMP_REC_MUST_HAVE_INDEX1_BIT);
                        m.support_index1 = record_flag(rec, MLX5_RSCDUMP_REC_SUPPORT_INDEX1_BIT);
                        g_array_append_val(dev->menu, m);
                }
        }
        return r < 0 ? malformed(dev, who, "malformed segment stream") : 0;
}

/* A segment of the type's that the menu lets list every object (num_of_obj1 "all"), or -1. */
static int pick_list_segment(mlx5_device *dev, const GPtrArray *names, const char **ret_name)
{
        for (unsigned i = 0; names && i < names->len; i++)
                for (unsigned k = 0; k < dev->menu->len; k++) {
                        const struct mlx5_menu_record *m = &g_array_index(dev->menu, struct mlx5_menu_record, k);

                        if (m->num1_all && strcmp(m->name, names->pdata[i]) == 0) {
                                *ret_name = names->pdata[i];
                                return m->segment_type;
                        }
                }
        return -1;
}

static uint64_t caps_field(GBytes *caps_out, const mlx5_schema_caps *caps, const char *path)
{
        gsize len;
        const uint8_t *p = g_bytes_get_data(caps_out, &len);
        uint64_t v = 0;

        if (mlx5_schema_get(caps->layout, p + MLX5_MBOX_HDR_LEN, len - MLX5_MBOX_HDR_LEN, path, &v) < 0)
                return 0;
        return v;
}

uint64_t mlx5_device_cap(mlx5_device *dev, const mlx5_schema_caps *caps, const char *field)
{
        unsigned i = 0;

        while (i < mlx5_schema_n_caps(dev->schema) && mlx5_schema_caps_at(dev->schema, i) != caps)
                i++;
        if (i == mlx5_schema_n_caps(dev->schema) || !dev->caps_current[i])
                return 0;
        return caps_field(dev->caps_current[i], caps, field);
}

/*
 * How many objects of a type the device can have, from general caps
 * log_max_<type> where there is one (qp, cq, eq, mkey, srq, rq, sq, tir,
 * tis, rmp, rqt); UINT64_MAX otherwise.
 */
static uint64_t caps_max_objects(GBytes *caps_out, const mlx5_schema_caps *general, const char *type)
{
        g_autofree char *path = g_strdup_printf("log_max_%s", type);
        gsize len;
        const uint8_t *p = g_bytes_get_data(caps_out, &len);
        uint64_t v = 0;

        if (mlx5_schema_get(general->layout, p + MLX5_MBOX_HDR_LEN, len - MLX5_MBOX_HDR_LEN, path, &v) < 0 ||
            v >= 32)
                return UINT64_MAX;
        return UINT64_C(1) << v;
}

static int discover(mlx5_device *dev, GError **error)
{
        const mlx5_schema_caps *general = mlx5_schema_find_caps_by_type(dev->schema, MLX5_CAP_TYPE_GENERAL);
        const mlx5_schema_caps *debug = mlx5_schema_find_caps_by_type(dev->schema, MLX5_CAP_TYPE_DEBUG);
        g_autoptr(GBytes) out = NULL;
        unsigned n_res = mlx5_schema_n_resources(dev->schema);
        unsigned n_caps = mlx5_schema_n_caps(dev->schema);
        int r;

        if (!general) {
                g_set_error(error, MLX5_SCHEMA_ERROR, MLX5_SCHEMA_ERROR_INVALID,
                            "the schema has no caps block of type 0 (general); cannot identify devices");
                return -EINVAL;
        }
        r = mlx5_device_query_caps(dev, general, true, &out);
        if (r < 0) {
                g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(-r),
                            "%s: QUERY_HCA_CAP (general) failed: %s", dev->pci_name, g_strerror(-r));
                return r;
        }
        dev->vhca_id = caps_field(out, general, "vhca_id");
        /* From firmware itself: mlx5ctl reports it too, fwctl does not. */
        dev->uctx_caps = caps_field(out, general, "uctx_cap");

        dev->caps_supported = g_new0(bool, n_caps);
        dev->caps_current = g_new0(GBytes *, n_caps);
        for (unsigned i = 0; i < n_caps; i++) {
                const mlx5_schema_caps *c = mlx5_schema_caps_at(dev->schema, i);

                /* Firmware serves a page only when its general caps bit says so: ask for no other. */
                if (c == general)
                        dev->caps_current[i] = g_bytes_ref(out);
                else if (!c->when || caps_field(out, general, c->when))
                        mlx5_device_query_caps(dev, c, true, &dev->caps_current[i]);
                dev->caps_supported[i] = dev->caps_current[i] != NULL;
                if (c == debug && dev->caps_current[i])
                        dev->resource_dump = caps_field(dev->caps_current[i], debug, "resource_dump");
        }

        dev->listing = g_new0(struct mlx5_device_listing, n_res);
        for (unsigned i = 0; i < n_res; i++) {
                const mlx5_schema_resource *res = mlx5_schema_resource_at(dev->schema, i);
                g_autoptr(GBytes) probe = NULL;

                dev->listing[i].caps_max_ids = caps_max_objects(out, general, res->name);
                /* One query of object 0 tells whether the kernel lets the command through at all. */
                r = mlx5_device_query(dev, res, 0, &probe);
                if (r == -ENODEV) {
                        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NODEV, "%s: device went away", dev->pci_name);
                        return r;
                }
                if (r == -EBADMSG || r == -EPERM)
                        dev->listing[i].absent = r == -EBADMSG ? "the kernel refuses its query command"
                                                               : "its query command is not allowed";
        }
        if (dev->resource_dump && read_menu(dev) < 0) {
                /* Not the records read before it broke either: a broken menu is no menu. */
                g_array_set_size(dev->menu, 0);
                g_warning("%s: cannot read the resource dump menu; its segments will not be used", dev->pci_name);
        }
        for (unsigned i = 0; i < n_res; i++) {
                const mlx5_schema_resource *res = mlx5_schema_resource_at(dev->schema, i);

                dev->listing[i].list_segment = res->has_id
                        ? pick_list_segment(dev, res->dump_segments, &dev->listing[i].list_segment_name) : -1;
        }
        return 0;
}

int mlx5_device_open(mlx5_transport *transport, mlx5_host *host, const mlx5_schema *schema,
                     mlx5_device **ret_device, GError **error)
{
        g_autoptr(mlx5_device) dev = g_new0(mlx5_device, 1);
        int r;

        dev->transport = transport;
        dev->host = host;
        mlx5_transport_set_timeout(transport, mlx5_limits_get()->cmd_timeout_us);
        dev->menu = g_array_new(FALSE, TRUE, sizeof(struct mlx5_menu_record));
        dev->schema = schema;
        g_mutex_init(&dev->log_lock);
        dev->pci_name = g_strdup(transport->id.pci_name);
        r = discover(dev, error);
        if (r < 0)
                return r;
        *ret_device = g_steal_pointer(&dev);
        return 0;
}

void mlx5_device_free(mlx5_device *dev)
{
        if (!dev)
                return;
        /* The simulator's host views borrow from its transport. */
        mlx5_host_free(dev->host);
        /* Batch work still in firmware uses the device too: left to process exit with the transport. */
        if (!mlx5_transport_free(dev->transport) && mlx5_transport_batch_busy(dev->transport))
                return;
        g_array_unref(dev->menu);
        for (unsigned i = 0; dev->caps_current && i < mlx5_schema_n_caps(dev->schema); i++)
                g_clear_pointer(&dev->caps_current[i], g_bytes_unref);
        g_free(dev->caps_current);
        g_mutex_clear(&dev->log_lock);
        g_free(dev->pci_name);
        g_free(dev->listing);
        g_free(dev->caps_supported);
        g_free(dev);
}
