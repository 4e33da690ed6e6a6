/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the host's kernel shows of the simulated function, besides its
 * firmware: who created each object (mlx5_core, the Ethernet driver, a
 * kernel RDMA consumer, a verbs process, a DEVX process) and therefore
 * where a real host would see it — the RDMA resource tracking that
 * `rdma res show` reads over netlink (QPs and MRs made through ib_core),
 * mlx5 debugfs (QPs made through mlx5_ib, CQs made through mlx5_core, all
 * EQs) — and nothing else.  Requests and answers have the kernel's own
 * shapes (RDMA_NL_NLDEV messages, "0x%x" debugfs names), so the daemon's
 * inventory reads them with the code it uses on a real host.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <rdma/rdma_netlink.h>
#include <string.h>

#include "prm/bits.h"
#include "sim/sim-private.h"

/* The creators a function's objects come from: kernel modules, and the processes of a busy host. */
static const struct sim_creator creators[] = {
        { SIM_CREATOR_CORE, "mlx5_core", 0 },
        { SIM_CREATOR_ETH, "mlx5e", 0 },
        { SIM_CREATOR_ULP, "ib_ipoib", 0 },
        { SIM_CREATOR_ULP, "rdma_cm", 0 },
        { SIM_CREATOR_VERBS, "ib_send_bw", 4242 },
        { SIM_CREATOR_VERBS, "ib_write_lat", 4311 },
        { SIM_CREATOR_VERBS, "rping", 5150 },
        { SIM_CREATOR_DEVX, "dpdk-testpmd", 6001 },
};

/*
 * Who makes each type, by kind; a kind listed twice is twice as common.
 * SQs, RQs, TIRs, TISs, RQTs and RMPs come from the Ethernet driver or
 * DEVX; DCTs and XRC SRQs from verbs; EQs and Q counters from the kernel.
 */
static const struct {
        const char *type;
        enum sim_creator_kind kinds[6];
        unsigned n;
} mixes[] = {
        { "qp", { SIM_CREATOR_VERBS, SIM_CREATOR_VERBS, SIM_CREATOR_VERBS, SIM_CREATOR_ULP, SIM_CREATOR_ULP,
                  SIM_CREATOR_DEVX }, 6 },
        { "cq", { SIM_CREATOR_ETH, SIM_CREATOR_ETH, SIM_CREATOR_ULP, SIM_CREATOR_VERBS, SIM_CREATOR_VERBS,
                  SIM_CREATOR_DEVX }, 6 },
        { "mkey", { SIM_CREATOR_VERBS, SIM_CREATOR_VERBS, SIM_CREATOR_ULP, SIM_CREATOR_ETH, SIM_CREATOR_DEVX }, 5 },
        { "srq", { SIM_CREATOR_VERBS, SIM_CREATOR_VERBS, SIM_CREATOR_ULP }, 3 },
        { "xrc_srq", { SIM_CREATOR_VERBS }, 1 },
        { "dct", { SIM_CREATOR_VERBS }, 1 },
        { "q_counter", { SIM_CREATOR_ULP }, 1 },
        { "sq", { SIM_CREATOR_ETH, SIM_CREATOR_ETH, SIM_CREATOR_ETH, SIM_CREATOR_DEVX }, 4 },
        { "rq", { SIM_CREATOR_ETH, SIM_CREATOR_ETH, SIM_CREATOR_ETH, SIM_CREATOR_DEVX }, 4 },
        { "tir", { SIM_CREATOR_ETH, SIM_CREATOR_ETH, SIM_CREATOR_ETH, SIM_CREATOR_DEVX }, 4 },
        { "tis", { SIM_CREATOR_ETH, SIM_CREATOR_ETH, SIM_CREATOR_ETH, SIM_CREATOR_DEVX }, 4 },
        { "rqt", { SIM_CREATOR_ETH, SIM_CREATOR_ETH, SIM_CREATOR_ETH, SIM_CREATOR_DEVX }, 4 },
        { "rmp", { SIM_CREATOR_ETH, SIM_CREATOR_DEVX }, 2 },
};

#define KIND(k) (1u << (k))
#define IB_CORE_KINDS (KIND(SIM_CREATOR_ULP) | KIND(SIM_CREATOR_VERBS))

/*
 * Where the kernel shows an object: restrack tracks what ib_core made (QPs
 * and MRs with their hardware numbers; its CQ and SRQ numbers are its own
 * ids, so they are not shown); DCTs are not tracked (mlx5_ib opts them
 * out).  debugfs has the QPs mlx5_ib made, the CQs mlx5_core made (mlx5e's
 * and mlx5_ib's) and every EQ.  DEVX objects are nowhere.
 */
static const struct {
        const char *type;
        unsigned view;
        const char *debugfs_dir;        /* SIM_VIEW_DEBUGFS */
        unsigned kinds;
} views[] = {
        { "qp", SIM_VIEW_NETLINK, NULL, IB_CORE_KINDS },
        { "mkey", SIM_VIEW_NETLINK, NULL, IB_CORE_KINDS },
        { "qp", SIM_VIEW_DEBUGFS, "QPs", IB_CORE_KINDS },
        { "cq", SIM_VIEW_DEBUGFS, "CQs", IB_CORE_KINDS | KIND(SIM_CREATOR_ETH) },
        { "eq", SIM_VIEW_DEBUGFS, "EQs", KIND(SIM_CREATOR_CORE) },
};

/* Reply buffers: as large as a dump reply the kernel sends. */
#define NETLINK_BUF_LEN 32768
/* Entries per reply message, so that a message stays well inside a buffer. */
#define NETLINK_ENTRIES_PER_MSG 64

/* ib_verbs.h values, which the uapi does not export. */
enum {
        IB_QPT_RC = 2, IB_QPT_UC = 3, IB_QPT_UD = 4, IB_QPT_XRC_INI = 9, IB_QPT_DRIVER = 0xff,
};
enum {
        IB_QPS_RESET, IB_QPS_INIT, IB_QPS_RTR, IB_QPS_RTS, IB_QPS_SQD, IB_QPS_SQE, IB_QPS_ERR,
};

/*
 * A process's user context: mlx5_ib stamps the uid of the process's DEVX
 * context into what it creates for it, and DEVX objects carry it by
 * definition; kernel objects are uid 0.  Each process of a function has
 * its own uid, a function of the seed: consecutive from a point the seed
 * picks, so no two processes share one.
 */
#define PROCESS_UID_SPAN 0x8000u        /* below CREATE_UCTX's 16 bits, leaving room above */

unsigned sim_creator_uid(const mlx5_sim *sim, const struct sim_creator *c)
{
        uint64_t first = sim_hash2(sim_hash2(sim->seed, sim->index), sim_hash_str("uid")) % PROCESS_UID_SPAN;
        unsigned ordinal = 0;

        if (!c->pid)
                return 0;
        for (size_t i = 0; i < G_N_ELEMENTS(creators) && &creators[i] != c; i++)
                ordinal += creators[i].pid != 0;
        return 1 + (unsigned) ((first + ordinal) % PROCESS_UID_SPAN);
}

const struct sim_creator *sim_creators(size_t *ret_n)
{
        *ret_n = G_N_ELEMENTS(creators);
        return creators;
}

const struct sim_creator *sim_object_creator(const mlx5_sim *sim, const struct sim_type *t, uint32_t slot)
{
        uint64_t h = sim_hash2(sim_object_identity(sim, t, slot), sim_hash_str("creator"));
        enum sim_creator_kind kind = SIM_CREATOR_CORE;
        unsigned members = 0, pick;

        /* verbs.TYPE=P: P% made by verbs processes (say, one application registering many MRs), the rest mixed. */
        if (t->verbs_percent && sim_hash2(h, sim_hash_str("verbs")) % 100 < t->verbs_percent)
                kind = SIM_CREATOR_VERBS;
        else
                for (size_t i = 0; i < G_N_ELEMENTS(mixes); i++)
                        if (strcmp(mixes[i].type, t->res->name) == 0)
                                kind = mixes[i].kinds[h % mixes[i].n];
        for (size_t i = 0; i < G_N_ELEMENTS(creators); i++)
                members += creators[i].kind == kind;
        pick = (unsigned) ((h >> 32) % members);
        for (size_t i = 0; i < G_N_ELEMENTS(creators); i++)
                if (creators[i].kind == kind && pick-- == 0)
                        return &creators[i];
        g_assert_not_reached();
}

bool sim_type_has_verbs_creators(const char *type)
{
        for (size_t i = 0; i < G_N_ELEMENTS(mixes); i++)
                if (strcmp(mixes[i].type, type) == 0)
                        for (unsigned k = 0; k < mixes[i].n; k++)
                                if (mixes[i].kinds[k] == SIM_CREATOR_VERBS)
                                        return true;
        return false;
}

unsigned sim_object_views(const struct sim_type *t, const struct sim_creator *c)
{
        unsigned v = 0;

        for (size_t i = 0; i < G_N_ELEMENTS(views); i++)
                if (strcmp(views[i].type, t->res->name) == 0 && (views[i].kinds & KIND(c->kind)))
                        v |= views[i].view;
        return v;
}

const char *sim_view_name(unsigned view)
{
        return view == SIM_VIEW_NETLINK ? "netlink" : view == SIM_VIEW_DEBUGFS ? "debugfs" : "?";
}

void sim_format_creator(GString *out, const struct sim_creator *c)
{
        if (c->pid)
                g_string_append_printf(out, "%s:%u", c->name, c->pid);
        else
                g_string_append_printf(out, "[%s]", c->name);
}

const char *mlx5_sim_rdma_name(const mlx5_sim *sim)
{
        return sim->rdma_name;
}

int mlx5_sim_comm(const mlx5_sim *sim, uint32_t pid, char **ret_comm)
{
        for (size_t i = 0; i < G_N_ELEMENTS(creators); i++)
                if (creators[i].pid && creators[i].pid == pid) {
                        *ret_comm = g_strdup(creators[i].name);
                        return 0;
                }
        return -ESRCH;
}

int mlx5_sim_debugfs_list(mlx5_sim *sim, const char *dir, GPtrArray **ret_names)
{
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        const struct sim_type *t = NULL;
        unsigned kinds = 0;
        uint32_t id, slot;

        for (size_t i = 0; i < G_N_ELEMENTS(views); i++)
                if (views[i].debugfs_dir && strcmp(views[i].debugfs_dir, dir) == 0) {
                        t = sim_find_type(sim, views[i].type);
                        kinds = views[i].kinds;
                }
        if (!t || !t->res->has_id)
                return -ENOENT;
        g_mutex_lock(&sim->lock);
        for (uint64_t next = 0; next <= UINT32_MAX && sim_index_next(&t->index, next, &id, &slot);
             next = (uint64_t) id + 1)
                if (kinds & KIND(sim_object_creator(sim, t, slot)->kind))
                        g_ptr_array_add(names, g_strdup_printf("0x%x", id));
        g_mutex_unlock(&sim->lock);
        sim_faults_host_names(&sim->faults, names);
        *ret_names = g_steal_pointer(&names);
        return 0;
}

/* ---- RDMA netlink ---- */

struct nl_reply {
        mlx5_sim *sim;
        uint32_t seq;
        unsigned command;
        char buf[NETLINK_BUF_LEN];
        size_t len;
};

static struct nlmsghdr *reply_msg(struct nl_reply *rp, uint16_t type, uint16_t flags)
{
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(rp->buf + rp->len);

        nlh->nlmsg_type = type;
        nlh->nlmsg_flags = flags;
        nlh->nlmsg_seq = rp->seq;
        return nlh;
}

static void reply_error(struct nl_reply *rp, int error, const struct nlmsghdr *req)
{
        struct nlmsghdr *nlh = reply_msg(rp, NLMSG_ERROR, 0);
        struct nlmsgerr *err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));

        err->error = error;
        err->msg = *req;
        rp->len += nlh->nlmsg_len;
}

static void reply_done(struct nl_reply *rp)
{
        struct nlmsghdr *nlh = reply_msg(rp, NLMSG_DONE, NLM_F_MULTI);
        int32_t *status = mnl_nlmsg_put_extra_header(nlh, sizeof(*status));

        *status = 0;
        rp->len += nlh->nlmsg_len;
}

static struct nlmsghdr *reply_device_msg(struct nl_reply *rp)
{
        struct nlmsghdr *nlh = reply_msg(rp, RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, rp->command), NLM_F_MULTI);

        mnl_attr_put_u32(nlh, RDMA_NLDEV_ATTR_DEV_INDEX, rp->sim->index);
        mnl_attr_put_strz(nlh, RDMA_NLDEV_ATTR_DEV_NAME, rp->sim->rdma_name);
        return nlh;
}

struct res_dump {
        const struct sim_type *t;
        int table_attr, entry_attr;
        bool mr;                        /* restrack ids in allocation order (MRN), not the hardware number's */
        /*
         * The kernel reports what it holds in memory (ib_mr's keys and length,
         * ib_qp's type and state), not a firmware query: the leaves of t's
         * plan behind those fields alone.
         */
        struct sim_plan kept;
        struct sim_field fields[2];     /* MR: mkey_7_0, len; QP: st, state */
};

static void res_dump_init(struct res_dump *d, const struct sim_type *t, bool mr)
{
        static const char *const paths[2][2] = { { "st", "state" }, { "mkey_7_0", "len" } };

        d->t = t;
        d->mr = mr;
        d->table_attr = mr ? RDMA_NLDEV_ATTR_RES_MR : RDMA_NLDEV_ATTR_RES_QP;
        d->entry_attr = mr ? RDMA_NLDEV_ATTR_RES_MR_ENTRY : RDMA_NLDEV_ATTR_RES_QP_ENTRY;
        for (unsigned i = 0; i < G_N_ELEMENTS(d->fields); i++)
                d->fields[i] = sim_context_field(t, paths[mr][i]);
        sim_plan_subset(&d->kept, &t->plan, d->fields, G_N_ELEMENTS(d->fields));
}

static void res_dump_clear(struct res_dump *d)
{
        sim_plan_subset_clear(&d->kept);
}

static uint64_t kept_value(const struct res_dump *d, const uint8_t *out, unsigned field)
{
        return sim_field_get(&d->fields[field], out, d->t->res->outlen);
}

/* The IB QP type and state of a QP, from its PRM context. */
static void put_qp_entry(struct nlmsghdr *nlh, const struct res_dump *d, uint32_t id, const uint8_t *out)
{
        static const uint8_t ib_type[] = {
                [0] = IB_QPT_RC, [1] = IB_QPT_UC, [2] = IB_QPT_UD, [3] = IB_QPT_XRC_INI,
        };
        static const uint8_t ib_state[] = {
                [0] = IB_QPS_RESET, [1] = IB_QPS_INIT, [2] = IB_QPS_RTR, [3] = IB_QPS_RTS,
                [4] = IB_QPS_SQE, [5] = IB_QPS_ERR, [6] = IB_QPS_ERR, [7] = IB_QPS_SQD,
        };
        uint64_t st = kept_value(d, out, 0), state = kept_value(d, out, 1);

        mnl_attr_put_u32(nlh, RDMA_NLDEV_ATTR_RES_LQPN, id);
        /* Driver QPs (DCI) are IB_QPT_DRIVER to ib_core. */
        mnl_attr_put_u8(nlh, RDMA_NLDEV_ATTR_RES_TYPE, st < G_N_ELEMENTS(ib_type) ? ib_type[st] : IB_QPT_DRIVER);
        mnl_attr_put_u8(nlh, RDMA_NLDEV_ATTR_RES_STATE, state < G_N_ELEMENTS(ib_state) ? ib_state[state]
                                                                                    : IB_QPS_ERR);
}

static void put_mr_entry(struct nlmsghdr *nlh, const struct res_dump *d, uint32_t id, uint32_t slot,
                         const uint8_t *out)
{
        uint32_t key = id << 8 | (uint32_t) kept_value(d, out, 0);

        /* Keys go to CAP_NET_ADMIN callers only; the daemon is one. */
        mnl_attr_put_u32(nlh, RDMA_NLDEV_ATTR_RES_RKEY, key);
        mnl_attr_put_u32(nlh, RDMA_NLDEV_ATTR_RES_LKEY, key);
        mnl_attr_put_u64(nlh, RDMA_NLDEV_ATTR_RES_MRLEN, kept_value(d, out, 1));
        /* restrack's own id, not a hardware number */
        mnl_attr_put_u32(nlh, RDMA_NLDEV_ATTR_RES_MRN, slot + 1);
}

static void put_owner(struct nlmsghdr *nlh, const struct sim_creator *c)
{
        if (c->kind == SIM_CREATOR_VERBS)
                mnl_attr_put_u32(nlh, RDMA_NLDEV_ATTR_RES_PID, c->pid);
        else
                mnl_attr_put_strz(nlh, RDMA_NLDEV_ATTR_RES_KERN_NAME, c->name);
}

/*
 * The tracked object after cursor, in restrack's order, as nldev walks its
 * xarray: a QP's restrack id is its number; an MR's is allocated in turn
 * (here its slot, which MRN reports), whatever mkey index firmware gave it.
 */
static bool next_object(const struct res_dump *d, uint64_t *cursor, uint32_t *ret_id, uint32_t *ret_slot)
{
        if (d->mr) {
                if (!d->t->objs || *cursor >= d->t->n)
                        return false;
                *ret_slot = (uint32_t) *cursor;
                *ret_id = d->t->objs[*ret_slot].id;
                ++*cursor;
                return true;
        }
        if (*cursor > UINT32_MAX || !sim_index_next(&d->t->index, (uint32_t) *cursor, ret_id, ret_slot))
                return false;
        *cursor = (uint64_t) *ret_id + 1;
        return true;
}

/*
 * Fills rp->buf with messages of the tracked objects from *cursor on, under
 * the lock; returns false when none is left.  The cursor is where restrack's
 * walk resumes, as a kernel dump resumes in its next read.
 */
static bool fill_res_batch(struct nl_reply *rp, const struct res_dump *d, uint64_t *cursor)
{
        mlx5_sim *sim = rp->sim;
        g_autofree uint8_t *out = g_malloc(d->t->res->outlen);
        bool any = false, more = true;
        uint32_t id, slot;

        g_mutex_lock(&sim->lock);
        while (more && rp->len + 4096 < sizeof(rp->buf)) {
                struct nlmsghdr *nlh = NULL;
                struct nlattr *table = NULL;
                unsigned n = 0;

                while (n < NETLINK_ENTRIES_PER_MSG && (more = next_object(d, cursor, &id, &slot))) {
                        const struct sim_creator *c = sim_object_creator(sim, d->t, slot);
                        struct nlattr *entry;

                        if (!(sim_object_views(d->t, c) & SIM_VIEW_NETLINK))
                                continue;
                        if (!nlh) {
                                nlh = reply_device_msg(rp);
                                table = mnl_attr_nest_start(nlh, d->table_attr);
                        }
                        sim_object_fill(sim, d->t, slot, &d->kept, out, d->t->res->outlen);
                        entry = mnl_attr_nest_start(nlh, d->entry_attr);
                        if (d->mr)
                                put_mr_entry(nlh, d, id, slot, out);
                        else
                                put_qp_entry(nlh, d, id, out);
                        put_owner(nlh, c);
                        mnl_attr_nest_end(nlh, entry);
                        n++;
                }
                if (!nlh)
                        break;
                mnl_attr_nest_end(nlh, table);
                rp->len += nlh->nlmsg_len;
                any = true;
        }
        g_mutex_unlock(&sim->lock);
        return any;
}

static int send_reply(struct nl_reply *rp, mlx5_sim_netlink_fn fn, void *user_data)
{
        int r = fn(rp->buf, rp->len, user_data);

        rp->len = 0;
        return r;
}

static int dump_resources(struct nl_reply *rp, const struct res_dump *d, mlx5_sim_netlink_fn fn, void *user_data)
{
        uint64_t cursor = 0;
        int r;

        while (fill_res_batch(rp, d, &cursor)) {
                r = send_reply(rp, fn, user_data);
                if (r <= 0)
                        return r;
        }
        reply_done(rp);
        return send_reply(rp, fn, user_data);
}

static int parse_request_attr(const struct nlattr *attr, void *data)
{
        const struct nlattr **tb = data;
        int type = mnl_attr_get_type(attr);

        if (type == RDMA_NLDEV_ATTR_DEV_INDEX && mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
                tb[type] = attr;
        return MNL_CB_OK;
}

int mlx5_sim_netlink(mlx5_sim *sim, const void *req, size_t len, mlx5_sim_netlink_fn fn, void *user_data)
{
        const struct nlmsghdr *nlh = req;
        const struct nlattr *tb[RDMA_NLDEV_ATTR_MAX] = { NULL };
        g_autofree struct nl_reply *rp = g_new0(struct nl_reply, 1);
        const struct sim_type *t = NULL;
        struct res_dump d = { 0 };
        int r;

        if (len < sizeof(*nlh) || !mnl_nlmsg_ok(nlh, (int) len))
                return -EINVAL;
        rp->sim = sim;
        rp->seq = nlh->nlmsg_seq;
        rp->command = nlh->nlmsg_type & ((1u << 10) - 1);
        if (nlh->nlmsg_type >> 10 != RDMA_NL_NLDEV || !(nlh->nlmsg_flags & NLM_F_DUMP)) {
                reply_error(rp, -EOPNOTSUPP, nlh);
                return send_reply(rp, fn, user_data);
        }
        if (rp->command == RDMA_NLDEV_CMD_GET) {
                nlh = reply_device_msg(rp);
                rp->len += nlh->nlmsg_len;
                reply_done(rp);
                return send_reply(rp, fn, user_data);
        }
        mnl_attr_parse(nlh, 0, parse_request_attr, tb);
        /* Like nldev: a resource dump names its device, and only that one answers. */
        if (!tb[RDMA_NLDEV_ATTR_DEV_INDEX] || mnl_attr_get_u32(tb[RDMA_NLDEV_ATTR_DEV_INDEX]) != sim->index) {
                reply_error(rp, -EINVAL, req);
                return send_reply(rp, fn, user_data);
        }
        if (rp->command == RDMA_NLDEV_CMD_RES_QP_GET || rp->command == RDMA_NLDEV_CMD_RES_MR_GET)
                t = sim_find_type(sim, rp->command == RDMA_NLDEV_CMD_RES_MR_GET ? "mkey" : "qp");
        if (!t || !t->res->has_id) {
                reply_error(rp, -EOPNOTSUPP, req);
                return send_reply(rp, fn, user_data);
        }
        res_dump_init(&d, t, rp->command == RDMA_NLDEV_CMD_RES_MR_GET);
        r = dump_resources(rp, &d, fn, user_data);
        res_dump_clear(&d);
        return r;
}
