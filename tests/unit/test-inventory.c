/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The inventory's sources against fixtures read the way the real things
 * are: RDMA netlink replies built with libmnl in the kernel's nldev shapes
 * (what `rdma res show -j` prints from: lqpn, pid and its comm, or a kernel
 * owner's name), a debugfs-shaped directory, and probes and references on
 * the simulated device, with the commands each listing costs.
 */
#include <errno.h>
#include <glib/gstdio.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <rdma/rdma_netlink.h>
#include <string.h>

#include "host/host-sim.h"
#include "inventory/inventory.h"
#include "prm/mbox.h"
#include "sim/sim.h"
#include "transport/transport-sim.h"

static mlx5_schema *schema;

/* ---- a host whose netlink replies are fixtures ---- */

struct fixture_host {
        mlx5_host base;
        GPtrArray *replies;             /* GByteArray: one buffer per recv, per request in order */
        guint next;
        GPtrArray *requests;            /* GByteArray: what the inventory sent */
};

static int fixture_rdma_device(mlx5_host *host, char **ret_name)
{
        *ret_name = g_strdup("mlx5_1");
        return 0;
}

static int fixture_netlink(mlx5_host *host, const void *req, size_t len, mlx5_host_netlink_fn fn, void *data)
{
        struct fixture_host *fh = (struct fixture_host *) host;
        GByteArray *copy = g_byte_array_new();
        int r = 1;

        g_byte_array_append(copy, req, (guint) len);
        g_ptr_array_add(fh->requests, copy);
        while (r > 0 && fh->next < fh->replies->len) {
                GByteArray *b = fh->replies->pdata[fh->next++];

                r = fn(b->data, b->len, data);
        }
        return r;
}

static int fixture_debugfs_list(mlx5_host *host, const char *dir, GPtrArray **ret_names)
{
        return -ENOENT;
}

static int fixture_comm(mlx5_host *host, uint32_t pid, char **ret_comm)
{
        if (pid != 4242)
                return -ESRCH;
        *ret_comm = g_strdup("ib_send_bw");
        return 0;
}

static void fixture_destroy(mlx5_host *host)
{
        struct fixture_host *fh = (struct fixture_host *) host;

        g_ptr_array_unref(fh->replies);
        g_ptr_array_unref(fh->requests);
        g_free(fh);
}

static const struct mlx5_host_ops fixture_ops = {
        .rdma_device = fixture_rdma_device,
        .netlink = fixture_netlink,
        .debugfs_list = fixture_debugfs_list,
        .comm = fixture_comm,
        .destroy = fixture_destroy,
};

/* A reply buffer being built: messages of one kind. */
static GByteArray *reply_new(void)
{
        GByteArray *b = g_byte_array_new();

        g_byte_array_set_size(b, 16384);
        memset(b->data, 0, b->len);
        g_byte_array_set_size(b, 0);
        return b;
}

static struct nlmsghdr *msg_begin(GByteArray *b, unsigned command, uint32_t seq)
{
        struct nlmsghdr *nlh;

        g_byte_array_set_size(b, b->len);
        nlh = mnl_nlmsg_put_header(b->data + b->len);
        nlh->nlmsg_type = RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, command);
        nlh->nlmsg_flags = NLM_F_MULTI;
        nlh->nlmsg_seq = seq;
        return nlh;
}

static void msg_end(GByteArray *b, struct nlmsghdr *nlh)
{
        b->len += nlh->nlmsg_len;
}

static void put_done(GByteArray *b)
{
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(b->data + b->len);

        nlh->nlmsg_type = NLMSG_DONE;
        nlh->nlmsg_flags = NLM_F_MULTI;
        *(int32_t *) mnl_nlmsg_put_extra_header(nlh, sizeof(int32_t)) = 0;
        b->len += nlh->nlmsg_len;
}

static void put_device(GByteArray *b, unsigned index, const char *name)
{
        struct nlmsghdr *nlh = msg_begin(b, RDMA_NLDEV_CMD_GET, 0);

        mnl_attr_put_u32(nlh, RDMA_NLDEV_ATTR_DEV_INDEX, index);
        mnl_attr_put_strz(nlh, RDMA_NLDEV_ATTR_DEV_NAME, name);
        msg_end(b, nlh);
}

/* One QP entry as nldev fills it: LQPN, IB type and state, then the owner. */
static void put_qp(struct nlmsghdr *nlh, uint32_t lqpn, uint32_t pid, const char *kern_name)
{
        struct nlattr *entry = mnl_attr_nest_start(nlh, RDMA_NLDEV_ATTR_RES_QP_ENTRY);

        mnl_attr_put_u32(nlh, RDMA_NLDEV_ATTR_RES_LQPN, lqpn);
        mnl_attr_put_u8(nlh, RDMA_NLDEV_ATTR_RES_TYPE, 2);      /* IB_QPT_RC */
        mnl_attr_put_u8(nlh, RDMA_NLDEV_ATTR_RES_STATE, 3);     /* IB_QPS_RTS */
        if (kern_name)
                mnl_attr_put_strz(nlh, RDMA_NLDEV_ATTR_RES_KERN_NAME, kern_name);
        else
                mnl_attr_put_u32(nlh, RDMA_NLDEV_ATTR_RES_PID, pid);
        mnl_attr_nest_end(nlh, entry);
}

static mlx5_device *open_sim_device(const char *spec_text, mlx5_host *host, mlx5_sim **ret_sim)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(mlx5_sim_spec) spec = mlx5_sim_spec_parse(spec_text, schema, &error);
        mlx5_sim *sim;
        mlx5_transport *t;
        mlx5_device *dev = NULL;

        g_assert_no_error(error);
        sim = mlx5_sim_new(schema, spec, 0);
        t = mlx5_transport_sim_new(sim, 8);
        g_assert_cmpint(mlx5_device_open(t, host ? host : mlx5_host_sim_new(sim), schema, &dev, &error), ==, 0);
        if (ret_sim)
                *ret_sim = sim;
        return dev;
}

static unsigned res_index(const char *name)
{
        for (unsigned i = 0; i < mlx5_schema_n_resources(schema); i++)
                if (strcmp(mlx5_schema_resource_at(schema, i)->name, name) == 0)
                        return i;
        g_assert_not_reached();
}

static const struct mlx5_object_owner *owner_of(const mlx5_inventory_found *found, guint i)
{
        uint16_t o = g_array_index(found->owner_of, uint16_t, i);

        return o ? found->owners->pdata[o - 1] : NULL;
}

static void test_netlink_fixture(void)
{
        struct fixture_host *fh = g_new0(struct fixture_host, 1);
        g_autoptr(mlx5_device) dev = NULL;
        g_autoptr(mlx5_inventory_found) found = NULL;
        GByteArray *devices = reply_new(), *qps = reply_new(), *qps2 = reply_new();
        const struct nlmsghdr *req;
        struct nlmsghdr *nlh;
        struct nlattr *table, *entry;
        mlx5_inventory *inv;

        mlx5_host_init(&fh->base, &fixture_ops, "fixture");
        fh->replies = g_ptr_array_new_with_free_func((GDestroyNotify) g_byte_array_unref);
        fh->requests = g_ptr_array_new_with_free_func((GDestroyNotify) g_byte_array_unref);

        /* The device dump: two RDMA devices; the function's is mlx5_1, index 5. */
        put_device(devices, 3, "mlx5_0");
        put_device(devices, 5, "mlx5_1");
        put_done(devices);
        g_ptr_array_add(fh->replies, devices);

        /* The QP dump, in two buffers as a socket delivers them. */
        nlh = msg_begin(qps, RDMA_NLDEV_CMD_RES_QP_GET, 0);
        mnl_attr_put_u32(nlh, RDMA_NLDEV_ATTR_DEV_INDEX, 5);
        mnl_attr_put_strz(nlh, RDMA_NLDEV_ATTR_DEV_NAME, "mlx5_1");
        table = mnl_attr_nest_start(nlh, RDMA_NLDEV_ATTR_RES_QP);
        put_qp(nlh, 0x1a3, 4242, NULL);         /* a verbs process's */
        put_qp(nlh, 0x108, 0, "ib_ipoib");      /* a kernel consumer's */
        put_qp(nlh, 0x2000, 999999, NULL);      /* a process gone since */
        mnl_attr_nest_end(nlh, table);
        msg_end(qps, nlh);
        g_ptr_array_add(fh->replies, qps);

        nlh = msg_begin(qps2, RDMA_NLDEV_CMD_RES_QP_GET, 0);
        mnl_attr_put_u32(nlh, RDMA_NLDEV_ATTR_DEV_INDEX, 5);
        table = mnl_attr_nest_start(nlh, RDMA_NLDEV_ATTR_RES_QP);
        entry = mnl_attr_nest_start(nlh, RDMA_NLDEV_ATTR_RES_QP_ENTRY);         /* no LQPN: skipped */
        mnl_attr_put_u32(nlh, RDMA_NLDEV_ATTR_RES_PID, 4242);
        mnl_attr_nest_end(nlh, entry);
        entry = mnl_attr_nest_start(nlh, RDMA_NLDEV_ATTR_RES_QP_ENTRY);         /* LQPN of the wrong size */
        mnl_attr_put_u8(nlh, RDMA_NLDEV_ATTR_RES_LQPN, 7);
        mnl_attr_nest_end(nlh, entry);
        put_qp(nlh, 0x1a3, 4242, NULL);         /* the first one again */
        mnl_attr_nest_end(nlh, table);
        msg_end(qps2, nlh);
        put_done(qps2);
        g_ptr_array_add(fh->replies, qps2);

        dev = open_sim_device("qp=4", &fh->base, NULL);
        inv = mlx5_inventory_new(dev);
        g_assert_cmpint(mlx5_inventory_collect(inv, res_index("qp"), NULL, &found), ==, 0);

        /* Requests: a device dump, then a QP dump of index 5. */
        g_assert_cmpuint(fh->requests->len, ==, 2);
        req = (const struct nlmsghdr *) ((GByteArray *) fh->requests->pdata[1])->data;
        g_assert_cmphex(req->nlmsg_type, ==, RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, RDMA_NLDEV_CMD_RES_QP_GET));
        g_assert_cmphex(req->nlmsg_flags & (NLM_F_REQUEST | NLM_F_DUMP), ==, NLM_F_REQUEST | NLM_F_DUMP);
        g_assert_cmpuint(mnl_attr_get_u32(mnl_nlmsg_get_payload(req)), ==, 5);

        /* Sorted, once each; the malformed ones skipped and counted. */
        g_assert_cmpuint(found->ids->len, ==, 3);
        g_assert_cmphex(g_array_index(found->ids, uint32_t, 0), ==, 0x108);
        g_assert_cmphex(g_array_index(found->ids, uint32_t, 1), ==, 0x1a3);
        g_assert_cmphex(g_array_index(found->ids, uint32_t, 2), ==, 0x2000);
        for (guint i = 0; i < 3; i++)
                g_assert_cmpuint(g_array_index(found->found_by, uint8_t, i), ==, MLX5_INV_NETLINK);
        g_assert_cmpuint(owner_of(found, 0)->pid, ==, 0);
        g_assert_cmpstr(owner_of(found, 0)->comm, ==, "ib_ipoib");
        g_assert_cmpuint(owner_of(found, 1)->pid, ==, 4242);
        g_assert_cmpstr(owner_of(found, 1)->comm, ==, "ib_send_bw");
        g_assert_cmpuint(owner_of(found, 2)->pid, ==, 999999);
        g_assert_cmpstr(owner_of(found, 2)->comm, ==, "");
        g_assert_cmpint(g_atomic_int_get(&fh->base.stats.malformed), ==, 2);
        g_assert_cmpint(g_atomic_int_get(&fh->base.stats.netlink_entries), ==, 4);
        mlx5_inventory_free(inv);
}

/* One MR entry as nldev fills it: keys, length, restrack id, then the owner. */
static void put_mr(struct nlmsghdr *nlh, uint32_t index, uint32_t mrn, uint32_t pid, const char *kern_name)
{
        struct nlattr *entry = mnl_attr_nest_start(nlh, RDMA_NLDEV_ATTR_RES_MR_ENTRY);

        mnl_attr_put_u32(nlh, RDMA_NLDEV_ATTR_RES_RKEY, index << 8 | 0x42);
        mnl_attr_put_u32(nlh, RDMA_NLDEV_ATTR_RES_LKEY, index << 8 | 0x42);
        mnl_attr_put_u64(nlh, RDMA_NLDEV_ATTR_RES_MRLEN, 4096);
        mnl_attr_put_u32(nlh, RDMA_NLDEV_ATTR_RES_MRN, mrn);
        if (kern_name)
                mnl_attr_put_strz(nlh, RDMA_NLDEV_ATTR_RES_KERN_NAME, kern_name);
        else
                mnl_attr_put_u32(nlh, RDMA_NLDEV_ATTR_RES_PID, pid);
        mnl_attr_nest_end(nlh, entry);
}

struct arrivals {
        GArray *lens;           /* guint: candidates at each call */
        guint ascending_calls;  /* calls whose candidates so far ascended (they need not) */
};

static void record_arrival(const mlx5_inventory_found *found, void *user_data)
{
        struct arrivals *a = user_data;
        bool ascending = true;

        g_array_append_val(a->lens, found->ids->len);
        for (guint i = 1; i < found->ids->len; i++)
                ascending &= g_array_index(found->ids, uint32_t, i - 1) < g_array_index(found->ids, uint32_t, i);
        a->ascending_calls += ascending;
}

/*
 * An MR dump in restrack's order (allocation, not mkey index), over
 * several reads: the watcher is told after each read but the last, with
 * the candidates so far in the order they came; the collection then has
 * them ascending, each once, each with its own owner (kernel owners'
 * names outlive the buffer they came in).
 */
static void test_netlink_watched(void)
{
        struct fixture_host *fh = g_new0(struct fixture_host, 1);
        g_autoptr(mlx5_device) dev = NULL;
        g_autoptr(mlx5_inventory_found) found = NULL;
        g_autoptr(GArray) lens = g_array_new(FALSE, FALSE, sizeof(guint));
        struct arrivals a = { .lens = lens };
        GByteArray *devices = reply_new();
        const unsigned reads = 4, per_read = 300, n = reads * per_read;
        mlx5_inventory *inv;

        mlx5_host_init(&fh->base, &fixture_ops, "fixture");
        fh->replies = g_ptr_array_new_with_free_func((GDestroyNotify) g_byte_array_unref);
        fh->requests = g_ptr_array_new_with_free_func((GDestroyNotify) g_byte_array_unref);
        put_device(devices, 5, "mlx5_1");
        put_done(devices);
        g_ptr_array_add(fh->replies, devices);
        for (unsigned r = 0; r < reads; r++) {
                GByteArray *b = g_byte_array_new();

                g_byte_array_set_size(b, 65536);
                memset(b->data, 0, b->len);
                g_byte_array_set_size(b, 0);
                for (unsigned m = 0; m < per_read / 50; m++) {
                        struct nlmsghdr *nlh = msg_begin(b, RDMA_NLDEV_CMD_RES_MR_GET, 0);
                        struct nlattr *table;

                        mnl_attr_put_u32(nlh, RDMA_NLDEV_ATTR_DEV_INDEX, 5);
                        table = mnl_attr_nest_start(nlh, RDMA_NLDEV_ATTR_RES_MR);
                        for (unsigned e = 0; e < 50; e++) {
                                unsigned k = r * per_read + m * 50 + e;
                                /* mkey indices in no order: a permutation of 1..n */
                                uint32_t index = 1 + (k * 7919u) % n;

                                /* each read's kernel owner another, at the same places in its buffer */
                                if (k % 3 == 0)
                                        put_mr(nlh, index, k + 1, 0, r % 2 ? "rdma_cm" : "ib_ipoib");
                                else
                                        put_mr(nlh, index, k + 1, 4242, NULL);
                        }
                        mnl_attr_nest_end(nlh, table);
                        msg_end(b, nlh);
                }
                if (r == reads - 1)
                        put_done(b);
                g_ptr_array_add(fh->replies, b);
        }

        dev = open_sim_device("qp=4", &fh->base, NULL);
        inv = mlx5_inventory_new(dev);
        g_assert_cmpint(mlx5_inventory_collect_watched(inv, res_index("mkey"), NULL, record_arrival, &a, &found), ==,
                        0);
        g_assert_cmpuint(lens->len, ==, reads - 1);
        for (guint i = 0; i < lens->len; i++)
                g_assert_cmpuint(g_array_index(lens, guint, i), ==, (i + 1) * per_read);
        /* They came in restrack's order, not by number. */
        g_assert_cmpuint(a.ascending_calls, ==, 0);

        g_assert_cmpuint(found->ids->len, ==, n);
        for (guint i = 0; i < n; i++) {
                uint32_t index = g_array_index(found->ids, uint32_t, i);
                /* k of the entry that named it: index - 1 = k * 7919 mod n */
                unsigned k = 0;

                g_assert_cmpuint(index, ==, i + 1);
                while ((k * 7919u) % n != index - 1)
                        k++;
                if (k % 3 == 0) {
                        g_assert_cmpuint(owner_of(found, i)->pid, ==, 0);
                        g_assert_cmpstr(owner_of(found, i)->comm, ==, (k / per_read) % 2 ? "rdma_cm" : "ib_ipoib");
                } else {
                        g_assert_cmpuint(owner_of(found, i)->pid, ==, 4242);
                        g_assert_cmpstr(owner_of(found, i)->comm, ==, "ib_send_bw");
                }
        }
        /* Three owners, each made once. */
        g_assert_cmpuint(found->owners->len, ==, 3);
        g_assert_cmpint(g_atomic_int_get(&fh->base.stats.netlink_entries), ==, (gint) n);
        mlx5_inventory_free(inv);
}

/* An NLMSG_ERROR reply fails the source, not the listing. */
static void test_netlink_error(void)
{
        struct fixture_host *fh = g_new0(struct fixture_host, 1);
        g_autoptr(mlx5_device) dev = NULL;
        g_autoptr(mlx5_inventory_found) found = NULL;
        GByteArray *err = reply_new();
        struct nlmsghdr *nlh;
        struct nlmsgerr *e;
        mlx5_inventory *inv;

        mlx5_host_init(&fh->base, &fixture_ops, "fixture");
        fh->replies = g_ptr_array_new_with_free_func((GDestroyNotify) g_byte_array_unref);
        fh->requests = g_ptr_array_new_with_free_func((GDestroyNotify) g_byte_array_unref);
        nlh = mnl_nlmsg_put_header(err->data);
        nlh->nlmsg_type = NLMSG_ERROR;
        e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
        e->error = -EPERM;
        err->len = nlh->nlmsg_len;
        g_ptr_array_add(fh->replies, err);

        dev = open_sim_device("qp=4", &fh->base, NULL);
        inv = mlx5_inventory_new(dev);
        g_assert_cmpint(mlx5_inventory_collect(inv, res_index("qp"), NULL, &found), ==, 0);
        g_assert_cmpuint(found->ids->len, ==, 0);
        mlx5_inventory_free(inv);
}

/* The real host's debugfs reader on a debugfs-shaped directory. */
static void test_debugfs_fixture(void)
{
        g_autofree char *root = g_dir_make_tmp("mlx5dbgfs-debugfs-XXXXXX", NULL);
        g_autofree char *qps = g_build_filename(root, "mlx5", "0000:08:00.0", "QPs", NULL);
        g_autofree char *cqs = g_build_filename(root, "mlx5", "0000:08:00.0", "CQs", NULL);
        /* Only the kernel's "0x%x": not upper case, not a leading zero (one number, one name). */
        static const char *const names[] = { "0x1a3", "0x100", "0x2", "abc", "0x", "0X12", "12", "0x1g", "0x123456789",
                                             "0x1A4", "0x0101", "0x00", "0x1a3 " };
        g_autofree char *rm_cmd = NULL;
        g_autoptr(mlx5_device) dev = NULL;
        g_autoptr(mlx5_inventory_found) found = NULL;
        g_autoptr(mlx5_inventory_found) none = NULL;
        mlx5_inventory *inv;

        g_assert_cmpint(g_mkdir_with_parents(qps, 0755), ==, 0);
        for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
                g_autofree char *d = g_build_filename(qps, names[i], NULL);

                g_assert_cmpint(g_mkdir(d, 0755), ==, 0);
        }
        g_setenv("MLX5DBGFS_DEBUGFS_ROOT", root, TRUE);
        g_setenv("MLX5DBGFS_SYSFS_ROOT", root, TRUE);   /* no RDMA device there: netlink is not asked */
        dev = open_sim_device("qp=4", mlx5_host_linux_new("0000:08:00.0", NULL), NULL);
        inv = mlx5_inventory_new(dev);
        g_assert_cmpint(mlx5_inventory_collect(inv, res_index("qp"), NULL, &found), ==, 0);
        g_assert_cmpuint(found->ids->len, ==, 3);
        g_assert_cmphex(g_array_index(found->ids, uint32_t, 0), ==, 0x2);
        g_assert_cmphex(g_array_index(found->ids, uint32_t, 1), ==, 0x100);
        g_assert_cmphex(g_array_index(found->ids, uint32_t, 2), ==, 0x1a3);
        g_assert_cmpuint(g_array_index(found->found_by, uint8_t, 0), ==, MLX5_INV_DEBUGFS);
        g_assert_cmpint(g_atomic_int_get(&dev->host->stats.malformed), ==, 10);
        /* No CQs/ directory (debugfs not mounted, or not root): no candidates, no error. */
        g_assert_false(g_file_test(cqs, G_FILE_TEST_EXISTS));
        g_assert_cmpint(mlx5_inventory_collect(inv, res_index("cq"), NULL, &none), ==, 0);
        g_assert_cmpuint(none->ids->len, ==, 0);
        mlx5_inventory_free(inv);
        g_clear_pointer(&dev, mlx5_device_free);

        /* -o debugfs_root wins over the environment's. */
        g_setenv("MLX5DBGFS_DEBUGFS_ROOT", "/nonexistent", TRUE);
        dev = open_sim_device("qp=4", mlx5_host_linux_new("0000:08:00.0", root), NULL);
        inv = mlx5_inventory_new(dev);
        g_clear_pointer(&found, mlx5_inventory_found_free);
        g_assert_cmpint(mlx5_inventory_collect(inv, res_index("qp"), NULL, &found), ==, 0);
        g_assert_cmpuint(found->ids->len, ==, 3);
        mlx5_inventory_free(inv);
        g_unsetenv("MLX5DBGFS_DEBUGFS_ROOT");
        g_unsetenv("MLX5DBGFS_SYSFS_ROOT");
        rm_cmd = g_strdup_printf("rm -rf '%s'", root);
        g_assert_cmpint(system(rm_cmd), ==, 0);
}

/* The simulator's host views through the same readers: what its manifest says they show. */
static void test_sim_views(void)
{
        mlx5_sim *sim = NULL;
        g_autoptr(mlx5_device) dev = open_sim_device("qp=300,cq=50,mkey=40,eq=6", NULL, &sim);
        g_autoptr(GString) manifest = g_string_new(NULL);
        g_auto(GStrv) lines = NULL;
        mlx5_inventory *inv = mlx5_inventory_new(dev);
        const char *const types[] = { "qp", "cq", "eq", "mkey" };

        mlx5_sim_format_manifest(sim, manifest);
        lines = g_strsplit(manifest->str, "\n", -1);
        for (size_t t = 0; t < G_N_ELEMENTS(types); t++) {
                g_autoptr(mlx5_inventory_found) found = NULL;
                g_autoptr(GHashTable) want = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
                unsigned seen = 0;

                for (char **l = lines; *l && **l; l++) {
                        g_auto(GStrv) f = g_strsplit(*l, " ", -1);
                        bool netlink = strstr(f[5], "netlink") != NULL, debugfs = strstr(f[5], "debugfs") != NULL;

                        if (strcmp(f[1], types[t]) == 0 && (netlink || debugfs))
                                g_hash_table_insert(want, g_strdup(f[2]),
                                                    GUINT_TO_POINTER((netlink ? MLX5_INV_NETLINK : 0) |
                                                                     (debugfs ? MLX5_INV_DEBUGFS : 0)));
                }
                g_assert_cmpint(mlx5_inventory_collect(inv, res_index(types[t]), NULL, &found), ==, 0);
                for (guint i = 0; i < found->ids->len; i++) {
                        g_autofree char *id = g_strdup_printf("0x%x", g_array_index(found->ids, uint32_t, i));
                        uint8_t by = g_array_index(found->found_by, uint8_t, i) & MLX5_INV_CONFIRMING;

                        if (!by)
                                continue;       /* only probed */
                        g_assert_cmpuint(by, ==, GPOINTER_TO_UINT(g_hash_table_lookup(want, id)));
                        seen++;
                }
                g_assert_cmpuint(seen, ==, g_hash_table_size(want));
                g_assert_cmpuint(seen, >, 0);
        }
        mlx5_inventory_free(inv);
}

/* How many of a type's objects the inventory finds through RDMA netlink. */
static guint netlink_found(const char *spec_text, const char *type)
{
        g_autoptr(mlx5_device) dev = open_sim_device(spec_text, NULL, NULL);
        g_autoptr(mlx5_inventory_found) found = NULL;
        mlx5_inventory *inv = mlx5_inventory_new(dev);
        guint n = 0;

        g_assert_cmpint(mlx5_inventory_collect(inv, res_index(type), NULL, &found), ==, 0);
        for (guint i = 0; i < found->ids->len; i++)
                n += (g_array_index(found->found_by, uint8_t, i) & MLX5_INV_NETLINK) != 0;
        mlx5_inventory_free(inv);
        return n;
}

/*
 * verbs.mkey=P: P% of the MRs are a verbs process's, which RDMA netlink
 * lists; the rest keep the usual mix (mlx5e's and DEVX mkeys, which no
 * host source lists, among them).
 */
static void test_verbs_share(void)
{
        guint mixed = netlink_found("mkey=3000", "mkey");
        guint half = netlink_found("mkey=3000,verbs.mkey=50", "mkey");
        guint all = netlink_found("mkey=3000,verbs.mkey=100", "mkey");

        g_test_message("netlink lists %u, %u, %u of 3000 MRs at the usual mix, 50%% and 100%% verbs", mixed, half, all);
        /* The usual mix: 3 of 5 kinds are ib_core's. */
        g_assert_cmpuint(mixed, >, 3000 * 55 / 100);
        g_assert_cmpuint(mixed, <, 3000 * 65 / 100);
        /* Half verbs, the other half mixed: 80%. */
        g_assert_cmpuint(half, >, 3000 * 75 / 100);
        g_assert_cmpuint(half, <, 3000 * 85 / 100);
        g_assert_cmpuint(all, ==, 3000);
}

/* Probes stop at the caps bound and at the id field's width; references are masked to it. */
static void test_probe_and_refs(void)
{
        g_autoptr(mlx5_device) dev = open_sim_device("eq=6", NULL, NULL);
        g_autoptr(mlx5_inventory_found) found = NULL;
        g_autoptr(GArray) refs = g_array_new(FALSE, FALSE, sizeof(uint32_t));
        const mlx5_schema_resource *eq = mlx5_schema_resource_at(schema, res_index("eq"));
        uint64_t log_max_eq = mlx5_device_cap(dev, eq->probe->caps, eq->probe->field);
        uint64_t bound = MIN(UINT64_C(1) << log_max_eq, UINT64_C(1) << eq->id_width);
        mlx5_inventory *inv = mlx5_inventory_new(dev);
        const uint32_t named[] = { 3, 3, 0x105, 1u << 30 };
        guint probed = 0;

        g_array_append_vals(refs, named, G_N_ELEMENTS(named));
        g_assert_cmpint(mlx5_inventory_collect(inv, res_index("eq"), refs, &found), ==, 0);
        for (guint i = 0; i < found->ids->len; i++) {
                uint8_t by = g_array_index(found->found_by, uint8_t, i);

                probed += (by & MLX5_INV_PROBE) != 0;
                g_assert_cmpuint(g_array_index(found->ids, uint32_t, i), <, bound);
                if (g_array_index(found->ids, uint32_t, i) == 3)
                        g_assert_true(by & MLX5_INV_REF);
        }
        g_assert_cmpuint(probed, ==, bound);
        mlx5_inventory_free(inv);
}

int main(int argc, char **argv)
{
        g_autoptr(GError) error = NULL;
        int r;

        g_test_init(&argc, &argv, NULL);
        g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL);
        schema = mlx5_schema_load_dir(MLX5DBGFS_SOURCE_SCHEMA_DIR, &error);
        g_assert_no_error(error);
        g_test_add_func("/inventory/netlink-fixture", test_netlink_fixture);
        g_test_add_func("/inventory/netlink-watched", test_netlink_watched);
        g_test_add_func("/inventory/netlink-error", test_netlink_error);
        g_test_add_func("/inventory/debugfs-fixture", test_debugfs_fixture);
        g_test_add_func("/inventory/sim-views", test_sim_views);
        g_test_add_func("/inventory/verbs-share", test_verbs_share);
        g_test_add_func("/inventory/probe-and-refs", test_probe_and_refs);
        r = g_test_run();
        mlx5_schema_free(schema);
        return r;
}
