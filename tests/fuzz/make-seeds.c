/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writes the seed corpora of fuzz-netlink and fuzz-debugfs from the
 * simulator's host views, which answer in the kernel's own shapes
 * (fuse/sim/sim-host.c): RDMA netlink device and resource dumps as the
 * socket delivers them, and debugfs QPs/, CQs/, EQs/ listings.  Usage:
 * make-seeds CORPUS_DIR (writes CORPUS_DIR/netlink/ and CORPUS_DIR/debugfs/).
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <rdma/rdma_netlink.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz-common.h"
#include "sim/sim.h"

/* The fuzz target's framing: a 16-bit little-endian length, then the buffer. */
static int frame(const void *buf, size_t len, void *user_data)
{
        GByteArray *out = user_data;
        uint8_t hdr[2] = { (uint8_t) len, (uint8_t) (len >> 8) };

        g_assert(len <= UINT16_MAX);
        g_byte_array_append(out, hdr, 2);
        g_byte_array_append(out, buf, (guint) len);
        return 1;
}

static void write_seed(const char *dir, const char *name, const void *data, size_t len)
{
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_autoptr(GError) error = NULL;

        if (!g_file_set_contents(path, data, (gssize) len, &error)) {
                fprintf(stderr, "make-seeds: %s\n", error->message);
                exit(1);
        }
}

/* One request to the simulator, its reply framed behind the selector byte (0 device, 1 qp, 2 mkey). */
static void netlink_seed(mlx5_sim *sim, const char *dir, const char *name, uint8_t selector, unsigned command,
                         int dev_index)
{
        char req[256];
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
        g_autoptr(GByteArray) out = g_byte_array_new();

        nlh->nlmsg_type = RDMA_NL_GET_TYPE(RDMA_NL_NLDEV, command);
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
        nlh->nlmsg_seq = 1;
        if (dev_index >= 0)
                mnl_attr_put_u32(nlh, RDMA_NLDEV_ATTR_DEV_INDEX, (uint32_t) dev_index);
        g_byte_array_append(out, &selector, 1);
        mlx5_sim_netlink(sim, req, nlh->nlmsg_len, frame, out);
        write_seed(dir, name, out->data, out->len);
}

static void debugfs_seed(mlx5_sim *sim, const char *dir, const char *sub)
{
        g_autoptr(GPtrArray) names = NULL;
        g_autoptr(GString) text = g_string_new(NULL);

        if (mlx5_sim_debugfs_list(sim, sub, &names) < 0)
                return;
        for (guint i = 0; i < names->len; i++)
                g_string_append_printf(text, "%s%s", i ? "/" : "", (char *) names->pdata[i]);
        write_seed(dir, sub, text->str, text->len);
}

int main(int argc, char **argv)
{
        const mlx5_schema *schema = fuzz_schema();
        g_autoptr(GError) error = NULL;
        g_autoptr(mlx5_sim_spec) spec = NULL;
        g_autoptr(mlx5_sim) sim = NULL;
        g_autofree char *nl_dir = NULL, *dfs_dir = NULL;

        if (argc != 2) {
                fprintf(stderr, "usage: make-seeds CORPUS_DIR\n");
                return 2;
        }
        /* Small enough that every seed stays under the runs' -max_len of 4096 bytes. */
        spec = mlx5_sim_spec_parse("qp=24,mkey=24,cq=12,eq=4", schema, &error);
        if (!spec) {
                fprintf(stderr, "make-seeds: %s\n", error->message);
                return 1;
        }
        sim = mlx5_sim_new(schema, spec, 0);
        nl_dir = g_build_filename(argv[1], "netlink", NULL);
        dfs_dir = g_build_filename(argv[1], "debugfs", NULL);
        g_mkdir_with_parents(nl_dir, 0755);
        g_mkdir_with_parents(dfs_dir, 0755);
        netlink_seed(sim, nl_dir, "devices", 0, RDMA_NLDEV_CMD_GET, -1);
        netlink_seed(sim, nl_dir, "qps", 1, RDMA_NLDEV_CMD_RES_QP_GET, 0);
        netlink_seed(sim, nl_dir, "mrs", 2, RDMA_NLDEV_CMD_RES_MR_GET, 0);
        /* nldev's answer to a dump of another device's index: an NLMSG_ERROR. */
        netlink_seed(sim, nl_dir, "qps-wrong-device", 1, RDMA_NLDEV_CMD_RES_QP_GET, 7);
        debugfs_seed(sim, dfs_dir, "QPs");
        debugfs_seed(sim, dfs_dir, "CQs");
        debugfs_seed(sim, dfs_dir, "EQs");
        return 0;
}
