/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fwctl-abi-test: the fwctl ioctl ABI as a program sees it, run in the VM
 * against fwctl_emu.ko's node for an emulated function served by
 * mlx5sim-server.  Prints TAP lines without numbers.
 *
 *   fwctl-abi-test suite NODE PCI_NAME INDEX SERVER_LOG
 *
 * The function must offer fwctl only; the suite removes and re-adds it.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "uapi/fwctl/fwctl.h"
#include "uapi/fwctl/mlx5.h"
#include "vm-check.h"

#define REFUSE_PARAM "/sys/module/fwctl_emu/parameters/refuse_opcode"
#define MAX_RPC_LEN (2u << 20)

#define OP_QUERY_ADAPTER 0x101
#define OP_QUERY_QP 0x50b
#define OP_ACCESS_REG 0x805
#define OP_SET_DIAGNOSTIC_PARAMS 0x820
#define OP_UNKNOWN 0x7ff

/* FWCTL_INFO with the mlx5 device data, into ret. */
static int info(int fd, struct fwctl_info *cmd, struct fwctl_info_mlx5 *ret)
{
        memset(ret, 0xa5, sizeof(*ret));
        *cmd = (struct fwctl_info) {
                .size = sizeof(*cmd),
                .device_data_len = sizeof(*ret),
                .out_device_data = (uintptr_t) ret,
        };
        return ioctl(fd, FWCTL_INFO, cmd);
}

static int rpc(int fd, unsigned scope, const void *in, uint32_t in_len, void *out, uint32_t out_len)
{
        struct fwctl_rpc r = {
                .size = sizeof(r),
                .scope = scope,
                .in_len = in_len,
                .out_len = out_len,
                .in = (uintptr_t) in,
                .out = (uintptr_t) out,
        };

        return ioctl(fd, FWCTL_RPC, &r);
}

/* One command of just a header, with a header-sized answer. */
static int rpc_op(int fd, unsigned scope, unsigned opcode, unsigned op_mod)
{
        uint8_t in[16] = { 0 }, out[16];

        hdr_set(in, opcode, 0, op_mod);
        return rpc(fd, scope, in, sizeof(in), out, sizeof(out));
}

static int query_caps(int fd, unsigned scope, unsigned claimed_uid, uint8_t *out)
{
        uint8_t in[16] = { 0 };

        hdr_set(in, OP_QUERY_HCA_CAP, claimed_uid, QUERY_HCA_CAP_GENERAL_CUR);
        return rpc(fd, scope, in, sizeof(in), out, QUERY_HCA_CAP_OUTLEN);
}

static int refuse(unsigned opcode)
{
        char value[32];

        snprintf(value, sizeof(value), "%u", opcode);
        return write_sysfs(REFUSE_PARAM, value);
}

static void test_info(const struct suite *t, int fd, struct fwctl_info_mlx5 *ret_mlx5)
{
        struct fwctl_info cmd;
        struct fwctl_info_mlx5 mlx5;
        uint8_t big[16], raw[40] = { 0 };
        char line[512];

        check_ok(info(fd, &cmd, &mlx5), "FWCTL_INFO");
        check(cmd.out_device_type == FWCTL_DEVICE_TYPE_MLX5, "FWCTL_INFO: device type MLX5 (%u)",
              cmd.out_device_type);
        check(cmd.device_data_len == sizeof(mlx5), "FWCTL_INFO: 8 bytes of mlx5 data (%u)", cmd.device_data_len);
        check(mlx5.uid != 0 && mlx5.uid <= 0xffff, "FWCTL_INFO: a user context uid (%u)", mlx5.uid);
        check(mlx5.uctx_caps == UCTX_CAP_TOOLS_RESOURCES, "FWCTL_INFO: uctx caps are tools resources (%#x)",
              mlx5.uctx_caps);
        check(server_log_last(t->log, t->index, OP_CREATE_UCTX, line, sizeof(line)) &&
              log_field(line, "created_uid=") == mlx5.uid && log_field(line, "cap=") == mlx5.uctx_caps,
              "firmware created that user context at open, with those caps");
        *ret_mlx5 = mlx5;

        /* The caller's whole buffer is written: the data, then zeroes. */
        memset(big, 0xa5, sizeof(big));
        cmd = (struct fwctl_info) { .size = sizeof(cmd), .device_data_len = 16, .out_device_data = (uintptr_t) big };
        check(ioctl(fd, FWCTL_INFO, &cmd) == 0 && memcmp(big, &mlx5, 8) == 0 &&
              memcmp(big + 8, (uint8_t[8]) { 0 }, 8) == 0 && cmd.device_data_len == 8,
              "FWCTL_INFO into 16 bytes: the data, zero padded, and length 8");
        memset(big, 0xa5, sizeof(big));
        cmd = (struct fwctl_info) { .size = sizeof(cmd), .device_data_len = 4, .out_device_data = (uintptr_t) big };
        check(ioctl(fd, FWCTL_INFO, &cmd) == 0 && memcmp(big, &mlx5, 4) == 0 && big[4] == 0xa5 &&
              cmd.device_data_len == 8, "FWCTL_INFO into 4 bytes writes 4 and says 8");
        cmd = (struct fwctl_info) { .size = sizeof(cmd) };
        check(ioctl(fd, FWCTL_INFO, &cmd) == 0 && cmd.out_device_type == FWCTL_DEVICE_TYPE_MLX5,
              "FWCTL_INFO without a buffer still gives the type");

        cmd = (struct fwctl_info) { .size = 16 };
        check_errno(ioctl(fd, FWCTL_INFO, &cmd), EINVAL, "FWCTL_INFO of size 16 (below 24)");
        cmd = (struct fwctl_info) { .size = 0 };
        check_errno(ioctl(fd, FWCTL_INFO, &cmd), EINVAL, "FWCTL_INFO of size 0");
        /* A newer program's longer struct: fine while the bytes we do not know are zero. */
        memcpy(raw, &(struct fwctl_info) { .size = 40 }, sizeof(struct fwctl_info));
        check_ok(ioctl(fd, FWCTL_INFO, raw), "FWCTL_INFO of size 40, zero tail");
        raw[39] = 1;
        check_errno(ioctl(fd, FWCTL_INFO, raw), E2BIG, "FWCTL_INFO of size 40 with a non-zero tail");
        cmd = (struct fwctl_info) { .size = sizeof(cmd), .flags = 1 };
        check_errno(ioctl(fd, FWCTL_INFO, &cmd), EOPNOTSUPP, "FWCTL_INFO flags 1");
        cmd = (struct fwctl_info) { .size = sizeof(cmd), .device_data_len = 8, .out_device_data = 16 };
        check_errno(ioctl(fd, FWCTL_INFO, &cmd), EFAULT, "FWCTL_INFO to a bad data pointer");
        check_errno(ioctl(fd, FWCTL_INFO, (void *) 8), EFAULT, "FWCTL_INFO with a bad argument pointer");
}

static void test_rpc(const struct suite *t, int fd, const struct fwctl_info_mlx5 *mlx5)
{
        static uint8_t in[MAX_RPC_LEN + 16], out[MAX_RPC_LEN + 16];
        struct fwctl_rpc r;
        uint8_t raw[48] = { 0 };
        char line[512];

        memset(out, 0xff, QUERY_HCA_CAP_OUTLEN);
        check_ok(query_caps(fd, FWCTL_RPC_DEBUG_READ_ONLY, 0xbeef, out),
                 "FWCTL_RPC QUERY_HCA_CAP, scope DEBUG_READ_ONLY, claiming uid 0xbeef");
        check(out[0] == 0, "firmware answered status OK (status %#x syndrome %#x)", out[0], be32(out + 4));
        check(server_log_last(t->log, t->index, OP_QUERY_HCA_CAP, line, sizeof(line)) &&
              log_field(line, "uid=") == mlx5->uid,
              "firmware saw the file's uid %#x, not the claimed 0xbeef", mlx5->uid);

        memset(in, 0, sizeof(in));
        hdr_set(in, OP_QUERY_HCA_CAP, 0, QUERY_HCA_CAP_GENERAL_CUR);
        r = (struct fwctl_rpc) { .size = sizeof(r), .scope = FWCTL_RPC_DEBUG_READ_ONLY, .in_len = 16,
                                 .out_len = QUERY_HCA_CAP_OUTLEN + 64, .in = (uintptr_t) in,
                                 .out = (uintptr_t) out };
        check(ioctl(fd, FWCTL_RPC, &r) == 0 && r.out_len == QUERY_HCA_CAP_OUTLEN + 64,
              "FWCTL_RPC keeps out_len at the caller's size (%u)", r.out_len);
        check_errno(rpc(fd, FWCTL_RPC_DEBUG_READ_ONLY, in, 15, out, 16), EMSGSIZE, "FWCTL_RPC in_len 15");
        check_errno(rpc(fd, FWCTL_RPC_DEBUG_READ_ONLY, in, 16, out, 15), EMSGSIZE, "FWCTL_RPC out_len 15");
        check_errno(rpc(fd, FWCTL_RPC_DEBUG_READ_ONLY, in, MAX_RPC_LEN + 1, out, 16), EMSGSIZE,
                    "FWCTL_RPC in_len 2 MiB + 1");
        check_errno(rpc(fd, FWCTL_RPC_DEBUG_READ_ONLY, in, 16, out, MAX_RPC_LEN + 1), EMSGSIZE,
                    "FWCTL_RPC out_len 2 MiB + 1");
        check_ok(rpc(fd, FWCTL_RPC_DEBUG_READ_ONLY, in, MAX_RPC_LEN, out, MAX_RPC_LEN),
                 "FWCTL_RPC of 2 MiB each way");
        check_errno(rpc(fd, 4, in, 16, out, 16), EOPNOTSUPP, "FWCTL_RPC scope 4");
        check_errno(rpc(fd, ~0u, in, 16, out, 16), EOPNOTSUPP, "FWCTL_RPC scope 0xffffffff");
        check_errno(rpc(fd, FWCTL_RPC_DEBUG_READ_ONLY, (void *) 16, 16, out, 16), EFAULT,
                    "FWCTL_RPC from a bad inbox pointer");
        check_errno(rpc(fd, FWCTL_RPC_DEBUG_READ_ONLY, in, 16, (void *) 16, 16), EFAULT,
                    "FWCTL_RPC to a bad outbox pointer");
        check_errno(ioctl(fd, FWCTL_RPC, (void *) 8), EFAULT, "FWCTL_RPC with a bad argument pointer");
        r = (struct fwctl_rpc) { .size = 24 };
        check_errno(ioctl(fd, FWCTL_RPC, &r), EINVAL, "FWCTL_RPC of size 24 (below 32)");
        memcpy(raw, &(struct fwctl_rpc) { .size = sizeof(raw), .scope = FWCTL_RPC_DEBUG_READ_ONLY, .in_len = 16,
                                          .out_len = 16, .in = (uintptr_t) in, .out = (uintptr_t) out },
               sizeof(struct fwctl_rpc));
        check_ok(ioctl(fd, FWCTL_RPC, raw), "FWCTL_RPC of size 48, zero tail");
        raw[40] = 1;
        check_errno(ioctl(fd, FWCTL_RPC, raw), E2BIG, "FWCTL_RPC of size 48 with a non-zero tail");

        check_errno(ioctl(fd, _IO(FWCTL_TYPE, 2)), ENOTTY, "unknown ioctl nr 2");
        check_errno(ioctl(fd, _IOWR(FWCTL_TYPE, FWCTL_CMD_RPC, struct fwctl_rpc), &r), ENOTTY,
                    "FWCTL_RPC's number with a size encoded");
        check_errno(ioctl(fd, _IO(FWCTL_TYPE + 1, FWCTL_CMD_INFO), &r), ENOTTY, "FWCTL_INFO's number, other type");
}

static void test_allow_list(const struct suite *t, int fd)
{
        /* What the daemon asks: the schema's query commands, the caps, the dump register. */
        static const unsigned daemon_ops[] = {
                0x100, 0x101, 0x201, 0x303, 0x402, 0x50b, 0x702, 0x707, 0x713, 0x750, 0x754,
                0x762, 0x773, 0x903, 0x907, 0x90b, 0x90f, 0x915, 0x919,
        };
        unsigned bad = 0, refused_before;

        check_ok(rpc_op(fd, FWCTL_RPC_CONFIGURATION, OP_QUERY_ADAPTER, 0),
                 "QUERY_ADAPTER is allowed at scope CONFIGURATION");
        check_errno(rpc_op(fd, FWCTL_RPC_CONFIGURATION, OP_QUERY_QP, 0), EBADMSG,
                    "QUERY_QP at scope CONFIGURATION");
        check_ok(rpc_op(fd, FWCTL_RPC_DEBUG_READ_ONLY, OP_QUERY_QP, 0), "QUERY_QP at scope DEBUG_READ_ONLY");
        check_errno(rpc_op(fd, FWCTL_RPC_CONFIGURATION, OP_ACCESS_REG, 1), EBADMSG,
                    "ACCESS_REG read (op_mod 1) at scope CONFIGURATION");
        check_ok(rpc_op(fd, FWCTL_RPC_DEBUG_READ_ONLY, OP_ACCESS_REG, 1),
                 "ACCESS_REG read at scope DEBUG_READ_ONLY");
        for (size_t i = 0; i < sizeof(daemon_ops) / sizeof(daemon_ops[0]); i++)
                if (rpc_op(fd, FWCTL_RPC_DEBUG_READ_ONLY, daemon_ops[i], 0) != 0) {
                        printf("# opcode %#x: %s\n", daemon_ops[i], errno_name(errno));
                        bad++;
                }
        check(bad == 0, "every query the daemon sends passes at DEBUG_READ_ONLY (%u refused)", bad);

        refused_before = server_log_count(t->log, t->index, OP_CREATE_UCTX) +
                         server_log_count(t->log, t->index, OP_UNKNOWN) +
                         server_log_count(t->log, t->index, OP_SET_DIAGNOSTIC_PARAMS);
        check_errno(rpc_op(fd, FWCTL_RPC_DEBUG_READ_ONLY, OP_SET_DIAGNOSTIC_PARAMS, 0), EBADMSG,
                    "SET_DIAGNOSTIC_PARAMS (DEBUG_WRITE) at scope DEBUG_READ_ONLY");
        check_errno(rpc_op(fd, FWCTL_RPC_DEBUG_READ_ONLY, OP_UNKNOWN, 0), EBADMSG,
                    "an opcode outside the allow-list");
        check_errno(rpc_op(fd, FWCTL_RPC_DEBUG_READ_ONLY, OP_CREATE_UCTX, 0), EBADMSG,
                    "CREATE_UCTX (creates an object)");
        if (set_effective_cap(CAP_SYS_RAWIO, false) == 0) {
                check_errno(rpc_op(fd, FWCTL_RPC_DEBUG_WRITE_FULL, OP_QUERY_ADAPTER, 0), EPERM,
                            "scope DEBUG_WRITE_FULL without CAP_SYS_RAWIO");
                set_effective_cap(CAP_SYS_RAWIO, true);
        } else {
                check(false, "dropping CAP_SYS_RAWIO: %s", strerror(errno));
        }
        check_errno(rpc_op(fd, FWCTL_RPC_DEBUG_WRITE_FULL, OP_CREATE_UCTX, 0), EBADMSG,
                    "CREATE_UCTX even at scope DEBUG_WRITE_FULL");
        check(server_log_count(t->log, t->index, OP_CREATE_UCTX) + server_log_count(t->log, t->index, OP_UNKNOWN) +
              server_log_count(t->log, t->index, OP_SET_DIAGNOSTIC_PARAMS) == refused_before,
              "none of the refused commands reached firmware");

        check(refuse(OP_QUERY_QP) == 0, "refuse_opcode=QUERY_QP is accepted");
        check_errno(rpc_op(fd, FWCTL_RPC_DEBUG_READ_ONLY, OP_QUERY_QP, 0), EBADMSG,
                    "QUERY_QP once refused by the module parameter");
        check_ok(rpc_op(fd, FWCTL_RPC_DEBUG_READ_ONLY, OP_QUERY_ADAPTER, 0), "other opcodes meanwhile");
        refuse(0);
        check_ok(rpc_op(fd, FWCTL_RPC_DEBUG_READ_ONLY, OP_QUERY_QP, 0), "QUERY_QP again with refuse_opcode=0");
}

static void test_contexts(const struct suite *t, const struct fwctl_info_mlx5 *mlx5)
{
        struct fwctl_info cmd;
        struct fwctl_info_mlx5 other;
        uint8_t out[QUERY_HCA_CAP_OUTLEN];
        char line[512];
        int fd2;

        /* fwctl checks no capability at open or for read scopes: the node's mode is the gate. */
        if (set_effective_cap(CAP_SYS_ADMIN, false) != 0) {
                check(false, "dropping CAP_SYS_ADMIN: %s", strerror(errno));
                return;
        }
        fd2 = open(t->node, O_RDWR | O_CLOEXEC);
        check(fd2 >= 0 && info(fd2, &cmd, &other) == 0 && query_caps(fd2, FWCTL_RPC_DEBUG_READ_ONLY, 0, out) == 0,
              "without CAP_SYS_ADMIN: open, FWCTL_INFO and a read RPC work");
        set_effective_cap(CAP_SYS_ADMIN, true);
        if (fd2 < 0)
                return;
        check(other.uid != 0 && other.uid != mlx5->uid, "each open has its own uid (%u, %u)", mlx5->uid,
              other.uid);
        check_ok(close(fd2), "close");
        check(server_log_last(t->log, t->index, OP_DESTROY_UCTX, line, sizeof(line)) &&
              log_field(line, "destroyed_uid=") == other.uid && log_field(line, "status=") == 0,
              "close destroyed its user context %u in firmware", other.uid);
}

/* The fwctl node of the PCI function, or "" when it has none. */
static void node_of(const char *pci_name, char *ret, size_t len)
{
        char pattern[256];
        glob_t g;

        snprintf(pattern, sizeof(pattern), "/sys/bus/pci/devices/%s/fwctl/fwctl*", pci_name);
        ret[0] = '\0';
        if (glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc == 1)
                snprintf(ret, len, "/dev/fwctl/%s", strrchr(g.gl_pathv[0], '/') + 1);
        globfree(&g);
}

static void test_removal(const struct suite *t)
{
        struct fwctl_info cmd;
        struct fwctl_info_mlx5 mlx5;
        uint8_t out[QUERY_HCA_CAP_OUTLEN];
        char value[128], line[512], node[128];
        int fd, fd_again;

        fd = open(t->node, O_RDWR | O_CLOEXEC);
        if (fd < 0 || info(fd, &cmd, &mlx5) != 0) {
                check(false, "removal: open %s: %s", t->node, strerror(errno));
                return;
        }
        snprintf(value, sizeof(value), "%u", t->index);
        check(write_sysfs(EMU_SYSFS "remove_device", value) == 0, "the function is removed under an open file");
        check(access(t->node, F_OK) != 0 && errno == ENOENT, "its fwctl node is gone");
        node_of(t->pci_name, node, sizeof(node));
        check(node[0] == '\0', "and its class device under %s", t->pci_name);
        check(server_log_last(t->log, t->index, OP_DESTROY_UCTX, line, sizeof(line)) &&
              log_field(line, "destroyed_uid=") == mlx5.uid && log_field(line, "status=") == 0,
              "removal destroyed the file's user context %u in firmware", mlx5.uid);
        check_errno(info(fd, &cmd, &mlx5), ENODEV, "FWCTL_INFO on the orphaned file");
        check_errno(query_caps(fd, FWCTL_RPC_DEBUG_READ_ONLY, 0, out), ENODEV, "FWCTL_RPC on the orphaned file");
        check_ok(close(fd), "close of the orphaned file");
        check(write_sysfs(EMU_SYSFS "remove_device", value) == -ENODEV, "removing it twice fails with ENODEV");

        snprintf(value, sizeof(value), "%u %s fwctl", t->index, t->pci_name);
        check(write_sysfs(EMU_SYSFS "add_device", value) == 0, "the function is added back");
        node_of(t->pci_name, node, sizeof(node));
        fd_again = node[0] ? open(node, O_RDWR | O_CLOEXEC) : -1;
        check(fd_again >= 0 && query_caps(fd_again, FWCTL_RPC_DEBUG_READ_ONLY, 0, out) == 0 && out[0] == 0,
              "its new node %s works", node);
        if (fd_again >= 0)
                close(fd_again);
}

static int run_suite(const struct suite *t)
{
        struct fwctl_info_mlx5 mlx5;
        int fd = open(t->node, O_RDWR | O_CLOEXEC);

        check(fd >= 0, "open %s (%s)", t->node, fd >= 0 ? "ok" : strerror(errno));
        if (fd < 0)
                return 1;
        test_info(t, fd, &mlx5);
        test_rpc(t, fd, &mlx5);
        test_allow_list(t, fd);
        test_contexts(t, &mlx5);
        check_ok(close(fd), "close");
        test_removal(t);
        return vm_check_failed ? 1 : 0;
}

int main(int argc, char **argv)
{
        struct suite t;

        if (suite_args(argc, argv, &t))
                return run_suite(&t);
        fprintf(stderr, "usage: %s suite NODE PCI_NAME INDEX SERVER_LOG\n", argv[0]);
        return 2;
}
