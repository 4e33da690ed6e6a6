/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's RDMA resource tracking, as `rdma res show` reads it:
 * RDMA_NL_NLDEV dumps of the function's RDMA device.  QPs come with their
 * hardware number (LQPN) and MRs with their keys (mkey index = lkey >> 8;
 * keys are given to CAP_NET_ADMIN callers only); both with their owner, a
 * process's pid (its comm from the host) or a kernel module's name.  CQ,
 * SRQ and PD numbers there are restrack's own ids, not hardware numbers,
 * so they are not used.
 */
#include <errno.h>
#include <limits.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <rdma/rdma_netlink.h>
#include <string.h>

#include "inventory/inventory.h"

#define REQUEST_LEN 256

struct table {
        const char *type;
        unsigned command;
        int table_attr, entry_attr, id_attr;
        unsigned id_shift;              /* number = attribute >> id_shift */
};

static const struct table tables[] = {
        { "qp", RDMA_NLDEV_CMD_RES_QP_GET, RDMA_NLDEV_ATTR_RES_QP, RDMA_NLDEV_ATTR_RES_QP_ENTRY,
          RDMA_NLDEV_ATTR_RES_LQPN, 0 },
        { "mkey", RDMA_NLDEV_CMD_RES_MR_GET, RDMA_NLDEV_ATTR_RES_MR, RDMA_NLDEV_ATTR_RES_MR_ENTRY,
          RDMA_NLDEV_ATTR_RES_LKEY, 8 },
};

static const struct table *find_table(const char *type)
{
        for (size_t i = 0; i < G_N_ELEMENTS(tables); i++)
                if (strcmp(tables[i].type, type) == 0)
                        return &tables[i];
        return NULL;
}

bool inventory_netlink_serves(const char *type)
{
        return find_table(type) != NULL;
}

/* The payload type of an attribute the parser reads, or -1 for one it skips. */
static int attr_want(unsigned type)
{
        switch (type) {
        case RDMA_NLDEV_ATTR_DEV_INDEX:
        case RDMA_NLDEV_ATTR_RES_LQPN:
        case RDMA_NLDEV_ATTR_RES_LKEY:
        case RDMA_NLDEV_ATTR_RES_PID:
                return MNL_TYPE_U32;
        case RDMA_NLDEV_ATTR_DEV_NAME:
        case RDMA_NLDEV_ATTR_RES_KERN_NAME:
                return MNL_TYPE_NUL_STRING;
        case RDMA_NLDEV_ATTR_RES_QP:
        case RDMA_NLDEV_ATTR_RES_MR:
        case RDMA_NLDEV_ATTR_RES_QP_ENTRY:
        case RDMA_NLDEV_ATTR_RES_MR_ENTRY:
                return MNL_TYPE_NESTED;
        default:
                return -1;
        }
}

/* Keeps attributes of known types whose payload has the right size. */
static int keep_attr(const struct nlattr *attr, void *data)
{
        const struct nlattr **tb = data;
        unsigned type = mnl_attr_get_type(attr);
        int want = attr_want(type);

        if (want < 0)
                return MNL_CB_OK;
        if (mnl_attr_validate(attr, (enum mnl_attr_data_type) want) < 0)
                return MNL_CB_ERROR;
        tb[type] = attr;
        return MNL_CB_OK;
}

/*
 * One entry, by the rules keep_attr applies to a message (any attribute it
 * knows must be well formed; the last of a type counts), without a table of
 * every attribute type per entry: a dump of 1M MRs has 1M entries.
 */
static int parse_entry(struct inventory_nl_parser *p, const struct table *table, const struct nlattr *entry)
{
        const struct nlattr *attr, *id = NULL, *pid = NULL, *kern_name = NULL;
        struct inventory_nl_entry e = { 0 };

        mnl_attr_for_each_nested(attr, entry) {
                unsigned type = mnl_attr_get_type(attr);
                int want = attr_want(type);

                if (want < 0)
                        continue;
                if (mnl_attr_validate(attr, (enum mnl_attr_data_type) want) < 0)
                        return -EBADMSG;
                if ((int) type == table->id_attr)
                        id = attr;
                else if (type == RDMA_NLDEV_ATTR_RES_PID)
                        pid = attr;
                else if (type == RDMA_NLDEV_ATTR_RES_KERN_NAME)
                        kern_name = attr;
        }
        if (!id)
                return -EBADMSG;
        e.number = mnl_attr_get_u32(id) >> table->id_shift;
        if (pid) {
                e.has_pid = true;
                e.pid = mnl_attr_get_u32(pid);
        } else if (kern_name) {
                e.kern_name = mnl_attr_get_str(kern_name);
        }
        if (++p->entries > MLX5_HOST_MAX_ENTRIES)
                return -E2BIG;
        return p->entry ? p->entry(&e, p->user_data) : 0;
}

struct parse_pass {
        struct inventory_nl_parser *p;
        const struct table *table;      /* NULL: a device dump */
        int error;                      /* what stopped the pass */
};

static int parse_message(const struct nlmsghdr *nlh, void *data)
{
        struct parse_pass *pass = data;
        struct inventory_nl_parser *p = pass->p;
        const struct nlattr *tb[RDMA_NLDEV_ATTR_MAX] = { NULL };
        const struct nlattr *entry;
        int r;

        if (mnl_attr_parse(nlh, 0, keep_attr, tb) != MNL_CB_OK) {
                p->malformed++;
                return MNL_CB_OK;
        }
        if (!pass->table) {
                if (tb[RDMA_NLDEV_ATTR_DEV_INDEX] && tb[RDMA_NLDEV_ATTR_DEV_NAME] &&
                    strcmp(mnl_attr_get_str(tb[RDMA_NLDEV_ATTR_DEV_NAME]), p->rdma_name) == 0 &&
                    mnl_attr_get_u32(tb[RDMA_NLDEV_ATTR_DEV_INDEX]) <= INT_MAX)
                        p->dev_index = (int) mnl_attr_get_u32(tb[RDMA_NLDEV_ATTR_DEV_INDEX]);
                return MNL_CB_OK;
        }
        if (!tb[pass->table->table_attr])
                return MNL_CB_OK;
        mnl_attr_for_each_nested(entry, tb[pass->table->table_attr]) {
                if (mnl_attr_get_type(entry) != pass->table->entry_attr)
                        continue;
                r = parse_entry(p, pass->table, entry);
                /* Skip what does not parse; the rest of the dump still counts. */
                if (r == -EBADMSG) {
                        p->malformed++;
                        continue;
                }
                if (r < 0) {
                        pass->error = r;
                        return MNL_CB_ERROR;
                }
        }
        return MNL_CB_OK;
}

void inventory_netlink_parser_init(struct inventory_nl_parser *p, const char *type, uint32_t seq,
                                   const char *rdma_name)
{
        *p = (struct inventory_nl_parser) { .type = type, .seq = seq, .rdma_name = rdma_name, .dev_index = -1 };
}

/*
 * Whether every message fits in the buffer.  libmnl compares a message's
 * length as an int: one of 2^31 or more passes as negative and sends it
 * far past the buffer (or, rounded up to 0, round forever), so the
 * framing is checked here first.
 */
static bool framing_ok(const uint8_t *buf, size_t len)
{
        size_t at = 0;

        while (len - at >= sizeof(struct nlmsghdr)) {
                struct nlmsghdr hdr;
                size_t step;

                memcpy(&hdr, buf + at, sizeof(hdr));
                if (hdr.nlmsg_len < sizeof(hdr) || hdr.nlmsg_len > len - at)
                        return false;
                step = ((size_t) hdr.nlmsg_len + MNL_ALIGNTO - 1) & ~(size_t) (MNL_ALIGNTO - 1);
                if (step >= len - at)
                        break;
                at += step;
        }
        return true;
}

int inventory_netlink_parse(const void *buf, size_t len, void *parser)
{
        struct inventory_nl_parser *p = parser;
        struct parse_pass pass = { .p = p, .table = p->type ? find_table(p->type) : NULL };
        int r;

        if (p->type && !pass.table)
                return -EINVAL;
        if (!framing_ok(buf, len))
                return -EBADMSG;
        errno = 0;
        r = mnl_cb_run(buf, len, p->seq, 0, parse_message, &pass);
        if (r == MNL_CB_ERROR)
                return pass.error ? pass.error : errno ? -errno : -EBADMSG;
        return r == MNL_CB_STOP ? 0 : 1;
}

/* The source's side of a dump: each entry becomes a candidate with its owner. */
struct collect {
        mlx5_inventory *inv;
        mlx5_inventory_found *found;
        GHashTable *comms;              /* pid -> comm, asked once per pid */
        GHashTable *kern_names;         /* kernel owners' names, each once */
        mlx5_inventory_arrived_fn arrived;      /* or NULL */
        void *arrived_data;
};

/* A reply's parse, then (while more is to come) what arrived so far, to whoever watches. */
struct watched_parse {
        struct inventory_nl_parser *p;
        const struct collect *c;
};

static int parse_watched(const void *buf, size_t len, void *data)
{
        struct watched_parse *w = data;
        int r = inventory_netlink_parse(buf, len, w->p);

        if (r > 0 && w->c->arrived)
                w->c->arrived(w->c->found, w->c->arrived_data);
        return r;
}

static const char *comm_of(struct collect *c, uint32_t pid)
{
        char *comm = g_hash_table_lookup(c->comms, GUINT_TO_POINTER(pid));

        if (!comm) {
                /* A process that exited since: its objects go with it; show its pid alone. */
                if (c->inv->dev->host->ops->comm(c->inv->dev->host, pid, &comm) < 0)
                        comm = g_strdup("");
                g_hash_table_insert(c->comms, GUINT_TO_POINTER(pid), comm);
        }
        return comm;
}

/* A kernel owner's name, kept for the whole collection (the entry's is in a reply buffer read over). */
static const char *kern_name_of(struct collect *c, const char *name)
{
        char *kept = g_hash_table_lookup(c->kern_names, name);

        if (!kept) {
                kept = g_strdup(name);
                g_hash_table_add(c->kern_names, kept);
        }
        return kept;
}

static int collect_entry(const struct inventory_nl_entry *e, void *user_data)
{
        struct collect *c = user_data;
        const char *comm = e->has_pid ? comm_of(c, e->pid) : e->kern_name ? kern_name_of(c, e->kern_name) : NULL;

        if (!inventory_found_add(c->inv, c->found, e->number, MLX5_INV_NETLINK, e->pid, comm))
                return -E2BIG;
        g_atomic_int_inc(&c->inv->dev->host->stats.netlink_entries);
        return 0;
}

/*
 * Sends one dump request and parses its reply (telling c's watcher as it
 * arrives; c may be NULL); stats and log lines for what did not parse.
 */
static int request(mlx5_inventory *inv, struct inventory_nl_parser *p, const struct collect *c, unsigned command,
                   int dev_index)
{
        struct watched_parse w = { .p = p, .c = c };
        char buf[REQUEST_LEN];
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        mlx5_host *host = inv->dev->host;
        int r;

        nlh->nlmsg_type = RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, command);
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
        nlh->nlmsg_seq = p->seq;
        if (dev_index >= 0) {
                mnl_attr_put_u32(nlh, RDMA_NLDEV_ATTR_DEV_INDEX, (uint32_t) dev_index);
                /*
                 * As `rdma res show -dd`: without it nldev leaves out QPs of
                 * driver types (mlx5_ib's UMR QP, a kernel QP with its own
                 * hardware number), and their owner with them.
                 */
                mnl_attr_put_u8(nlh, RDMA_NLDEV_ATTR_DRIVER_DETAILS, 1);
        }
        g_atomic_int_inc(&host->stats.netlink_requests);
        if (c && c->arrived)
                r = host->ops->netlink(host, buf, nlh->nlmsg_len, parse_watched, &w);
        else
                r = host->ops->netlink(host, buf, nlh->nlmsg_len, inventory_netlink_parse, p);
        if (p->malformed) {
                g_atomic_int_add(&host->stats.malformed, (gint) p->malformed);
                g_warning("%s: RDMA netlink: %u entries of a reply did not parse and were skipped", inv->dev->pci_name,
                          p->malformed);
                p->malformed = 0;
        }
        if (r == -E2BIG) {
                g_atomic_int_inc(&host->stats.limit_trips);
                g_warning("%s: RDMA netlink: more than %u entries in one dump; the rest are not read",
                          inv->dev->pci_name, MIN(p->entries, MLX5_HOST_MAX_ENTRIES));
        }
        return r;
}

/* The RDMA netlink index of the function's RDMA device; -ENOENT when it has none. */
static int device_index(mlx5_inventory *inv, const char *rdma_name)
{
        struct inventory_nl_parser p;
        int r;

        inventory_netlink_parser_init(&p, NULL, (uint32_t) g_get_monotonic_time(), rdma_name);
        r = request(inv, &p, NULL, RDMA_NLDEV_CMD_GET, -1);
        if (r < 0)
                return r;
        return p.dev_index >= 0 ? p.dev_index : -ENOENT;
}

int inventory_netlink_collect(mlx5_inventory *inv, const char *type, mlx5_inventory_found *found,
                              mlx5_inventory_arrived_fn arrived, void *user_data)
{
        g_autofree char *rdma_name = NULL;
        g_autoptr(GHashTable) comms = g_hash_table_new_full(NULL, NULL, NULL, g_free);
        g_autoptr(GHashTable) kern_names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        struct collect c = {
                .inv = inv, .found = found, .comms = comms, .kern_names = kern_names,
                .arrived = arrived, .arrived_data = user_data,
        };
        const struct table *table = find_table(type);
        int index, r;

        r = inv->dev->host->ops->rdma_device(inv->dev->host, &rdma_name);
        if (r < 0)
                return r;
        /* The index is looked up once, and again when it stops answering (the device registered anew). */
        for (int attempt = 0; attempt < 2; attempt++) {
                struct inventory_nl_parser p;

                g_mutex_lock(&inv->lock);
                index = inv->rdma_index;
                g_mutex_unlock(&inv->lock);
                if (index < 0) {
                        index = device_index(inv, rdma_name);
                        if (index < 0)
                                return index;
                        g_mutex_lock(&inv->lock);
                        inv->rdma_index = index;
                        g_mutex_unlock(&inv->lock);
                }
                inventory_netlink_parser_init(&p, type, (uint32_t) g_get_monotonic_time(), rdma_name);
                p.entry = collect_entry;
                p.user_data = &c;
                r = request(inv, &p, &c, table->command, index);
                if (r != -EINVAL && r != -ENODEV)
                        return r;
                g_mutex_lock(&inv->lock);
                inv->rdma_index = -1;
                g_mutex_unlock(&inv->lock);
        }
        return r;
}
