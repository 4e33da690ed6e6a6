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

struct reply {
        mlx5_inventory *inv;
        const struct table *table;      /* NULL: a device dump */
        uint32_t seq;
        const char *rdma_name;
        int dev_index;                  /* device dump: the index found */
        mlx5_inventory_found *found;
        GHashTable *comms;              /* pid -> comm, asked once per pid */
        unsigned entries;
        unsigned malformed;             /* entries or messages that did not parse, skipped */
};

/* Keeps attributes of known types whose payload has the right size. */
static int keep_attr(const struct nlattr *attr, void *data)
{
        const struct nlattr **tb = data;
        unsigned type = mnl_attr_get_type(attr);
        enum mnl_attr_data_type want;

        switch (type) {
        case RDMA_NLDEV_ATTR_DEV_INDEX:
        case RDMA_NLDEV_ATTR_RES_LQPN:
        case RDMA_NLDEV_ATTR_RES_LKEY:
        case RDMA_NLDEV_ATTR_RES_PID:
                want = MNL_TYPE_U32;
                break;
        case RDMA_NLDEV_ATTR_DEV_NAME:
        case RDMA_NLDEV_ATTR_RES_KERN_NAME:
                want = MNL_TYPE_NUL_STRING;
                break;
        case RDMA_NLDEV_ATTR_RES_QP:
        case RDMA_NLDEV_ATTR_RES_MR:
        case RDMA_NLDEV_ATTR_RES_QP_ENTRY:
        case RDMA_NLDEV_ATTR_RES_MR_ENTRY:
                want = MNL_TYPE_NESTED;
                break;
        default:
                return MNL_CB_OK;
        }
        if (mnl_attr_validate(attr, want) < 0)
                return MNL_CB_ERROR;
        tb[type] = attr;
        return MNL_CB_OK;
}

static const char *comm_of(struct reply *rp, uint32_t pid)
{
        char *comm = g_hash_table_lookup(rp->comms, GUINT_TO_POINTER(pid));

        if (!comm) {
                /* A process that exited since: its objects go with it; show its pid alone. */
                if (rp->inv->dev->host->ops->comm(rp->inv->dev->host, pid, &comm) < 0)
                        comm = g_strdup("");
                g_hash_table_insert(rp->comms, GUINT_TO_POINTER(pid), comm);
        }
        return comm;
}

static int parse_entry(struct reply *rp, const struct nlattr *entry)
{
        const struct nlattr *tb[RDMA_NLDEV_ATTR_MAX] = { NULL };
        const char *comm = NULL;
        uint32_t pid = 0;

        if (mnl_attr_parse_nested(entry, keep_attr, tb) != MNL_CB_OK || !tb[rp->table->id_attr])
                return -EBADMSG;
        if (tb[RDMA_NLDEV_ATTR_RES_PID]) {
                pid = mnl_attr_get_u32(tb[RDMA_NLDEV_ATTR_RES_PID]);
                comm = comm_of(rp, pid);
        } else if (tb[RDMA_NLDEV_ATTR_RES_KERN_NAME]) {
                comm = mnl_attr_get_str(tb[RDMA_NLDEV_ATTR_RES_KERN_NAME]);
        }
        if (++rp->entries > MLX5_HOST_MAX_ENTRIES)
                return -E2BIG;
        if (!inventory_found_add(rp->inv, rp->found, mnl_attr_get_u32(tb[rp->table->id_attr]) >> rp->table->id_shift,
                                 MLX5_INV_NETLINK, pid, comm))
                return -E2BIG;
        return 0;
}

static int parse_message(const struct nlmsghdr *nlh, void *data)
{
        struct reply *rp = data;
        const struct nlattr *tb[RDMA_NLDEV_ATTR_MAX] = { NULL };
        const struct nlattr *entry;
        int r;

        if (mnl_attr_parse(nlh, 0, keep_attr, tb) != MNL_CB_OK) {
                rp->malformed++;
                return MNL_CB_OK;
        }
        if (!rp->table) {
                if (tb[RDMA_NLDEV_ATTR_DEV_INDEX] && tb[RDMA_NLDEV_ATTR_DEV_NAME] &&
                    strcmp(mnl_attr_get_str(tb[RDMA_NLDEV_ATTR_DEV_NAME]), rp->rdma_name) == 0)
                        rp->dev_index = (int) mnl_attr_get_u32(tb[RDMA_NLDEV_ATTR_DEV_INDEX]);
                return MNL_CB_OK;
        }
        if (!tb[rp->table->table_attr])
                return MNL_CB_OK;
        mnl_attr_for_each_nested(entry, tb[rp->table->table_attr]) {
                if (mnl_attr_get_type(entry) != rp->table->entry_attr)
                        continue;
                r = parse_entry(rp, entry);
                if (r == -E2BIG) {
                        g_atomic_int_inc(&rp->inv->dev->host->stats.limit_trips);
                        errno = E2BIG;
                        return MNL_CB_ERROR;
                }
                /* Skip what does not parse; the rest of the dump still counts. */
                if (r < 0) {
                        rp->malformed++;
                        continue;
                }
                g_atomic_int_inc(&rp->inv->dev->host->stats.netlink_entries);
        }
        return MNL_CB_OK;
}

static int receive(const void *buf, size_t len, void *user_data)
{
        struct reply *rp = user_data;
        int r = mnl_cb_run(buf, len, rp->seq, 0, parse_message, rp);

        if (r == MNL_CB_ERROR)
                return errno ? -errno : -EBADMSG;
        return r == MNL_CB_STOP ? 0 : 1;
}

static int request(mlx5_inventory *inv, struct reply *rp, unsigned command, int dev_index)
{
        char buf[REQUEST_LEN];
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        int r;

        nlh->nlmsg_type = RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, command);
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
        nlh->nlmsg_seq = rp->seq = (uint32_t) g_get_monotonic_time();
        if (dev_index >= 0)
                mnl_attr_put_u32(nlh, RDMA_NLDEV_ATTR_DEV_INDEX, (uint32_t) dev_index);
        g_atomic_int_inc(&inv->dev->host->stats.netlink_requests);
        errno = 0;
        r = inv->dev->host->ops->netlink(inv->dev->host, buf, nlh->nlmsg_len, receive, rp);
        if (rp->malformed) {
                g_atomic_int_add(&inv->dev->host->stats.malformed, (gint) rp->malformed);
                g_warning("%s: RDMA netlink: %u entries of a reply did not parse and were skipped", inv->dev->pci_name,
                          rp->malformed);
        }
        return r;
}

/* The RDMA netlink index of the function's RDMA device; -ENOENT when it has none. */
static int device_index(mlx5_inventory *inv, const char *rdma_name)
{
        struct reply rp = { .inv = inv, .rdma_name = rdma_name, .dev_index = -1 };
        int r = request(inv, &rp, RDMA_NLDEV_CMD_GET, -1);

        if (r < 0)
                return r;
        return rp.dev_index >= 0 ? rp.dev_index : -ENOENT;
}

int inventory_netlink_collect(mlx5_inventory *inv, const char *type, mlx5_inventory_found *found)
{
        g_autofree char *rdma_name = NULL;
        g_autoptr(GHashTable) comms = g_hash_table_new_full(NULL, NULL, NULL, g_free);
        struct reply rp = { .inv = inv, .table = find_table(type), .found = found, .comms = comms };
        int index, r;

        r = inv->dev->host->ops->rdma_device(inv->dev->host, &rdma_name);
        if (r < 0)
                return r;
        /* The index is looked up once, and again when it stops answering (the device registered anew). */
        for (int attempt = 0; attempt < 2; attempt++) {
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
                r = request(inv, &rp, rp.table->command, index);
                if (r != -EINVAL && r != -ENODEV)
                        return r;
                g_mutex_lock(&inv->lock);
                inv->rdma_index = -1;
                g_mutex_unlock(&inv->lock);
        }
        return r;
}
