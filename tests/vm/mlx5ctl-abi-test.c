/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mlx5ctl-abi-test: the mlx5ctl ioctl ABI as a program sees it, run in the
 * VM against an emulated device served by mlx5sim-server.  Prints TAP
 * lines without numbers (the VM runner numbers the whole guest run).
 *
 *   mlx5ctl-abi-test suite NODE PCI_NAME INDEX SERVER_LOG
 *   mlx5ctl-abi-test rpc NODE      one QUERY_HCA_CAP; prints ok or the errno name
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "uapi/misc/mlx5ctl.h"
#include "vm-check.h"

#define OP_CREATE_UMEM 0xa08
#define OP_DESTROY_UMEM 0xa0a
#define OP_UNKNOWN 0x7ff
#define UMEM_MAX_BYTES (64ul << 20)

/* VmPin of this process in kB: pages pinned by UMEM registrations. */
static long vm_pin_kb(void)
{
        char line[256];
        long kb = -1;
        FILE *f = fopen("/proc/self/status", "re");

        if (!f)
                return -1;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "VmPin: %ld kB", &kb) == 1)
                        break;
        fclose(f);
        return kb;
}

static int rpc(int fd, const void *in, uint32_t inlen, void *out, uint32_t outlen, uint64_t flags)
{
        struct mlx5ctl_cmdrpc r = {
                .in = (uintptr_t) in,
                .out = (uintptr_t) out,
                .inlen = inlen,
                .outlen = outlen,
                .flags = flags,
        };

        return ioctl(fd, MLX5CTL_IOCTL_CMDRPC, &r);
}

static int info(int fd, struct mlx5ctl_info *ret)
{
        memset(ret, 0xa5, sizeof(*ret));
        return ioctl(fd, MLX5CTL_IOCTL_INFO, ret);
}

static int umem_reg(int fd, const void *addr, uint64_t len, uint32_t *ret_id)
{
        struct mlx5ctl_umem_reg reg = { .addr = (uintptr_t) addr, .len = len };
        int r = ioctl(fd, MLX5CTL_IOCTL_UMEM_REG, &reg);

        *ret_id = reg.umem_id;
        return r;
}

static int umem_unreg(int fd, uint32_t id)
{
        struct mlx5ctl_umem_unreg unreg = { .umem_id = id };

        return ioctl(fd, MLX5CTL_IOCTL_UMEM_UNREG, &unreg);
}

static int query_caps(int fd, unsigned claimed_uid, uint8_t *out)
{
        uint8_t in[16] = { 0 };

        hdr_set(in, OP_QUERY_HCA_CAP, claimed_uid, QUERY_HCA_CAP_GENERAL_CUR);
        return rpc(fd, in, sizeof(in), out, QUERY_HCA_CAP_OUTLEN, 0);
}

static void test_info(const struct suite *t, int fd, struct mlx5ctl_info *ret_info)
{
        struct mlx5ctl_info in;
        char line[512];

        check_ok(info(fd, &in), "INFO");
        check(in.flags == 0 && in.size == sizeof(in), "INFO: flags 0, size %u", in.size);
        check(strcmp((char *) in.devname, t->pci_name) == 0, "INFO: devname %.64s is the PCI name %s",
              (char *) in.devname, t->pci_name);
        check(in.uctx_uid != 0, "INFO: a user context uid (%u)", in.uctx_uid);
        check(in.dev_uctx_cap & UCTX_CAP_TOOLS_RESOURCES, "INFO: firmware supports tools resources (%#x)",
              in.dev_uctx_cap);
        check(in.uctx_cap == UCTX_CAP_TOOLS_RESOURCES, "INFO: CAP_SYS_ADMIN opener gets uctx cap 0x4 (%#x)",
              in.uctx_cap);
        check(in.ucap == 1u << CAP_SYS_ADMIN, "INFO: ucap is the CAP_SYS_ADMIN bit (%#x)", in.ucap);
        check(server_log_last(t->log, t->index, OP_CREATE_UCTX, line, sizeof(line)) &&
              log_field(line, "created_uid=") == in.uctx_uid && log_field(line, "cap=") == in.uctx_cap,
              "firmware created that user context with those caps");
        check(in.reserved1 == 0 && in.reserved2 == 0, "INFO: reserved fields zeroed");
        check_errno(ioctl(fd, MLX5CTL_IOCTL_INFO, (void *) 8), EFAULT, "INFO to a bad pointer");
        *ret_info = in;
}

static void test_cmdrpc(const struct suite *t, int fd, const struct mlx5ctl_info *inf)
{
        static uint8_t in[MLX5CTL_MAX_RPC_SIZE + 16], out[MLX5CTL_MAX_RPC_SIZE + 16];
        char line[512];

        memset(out, 0xff, sizeof(out));
        check_ok(query_caps(fd, 0xbeef, out), "CMDRPC QUERY_HCA_CAP claiming uid 0xbeef");
        check(out[0] == 0, "firmware answered status OK (status %#x syndrome %#x)", out[0], be32(out + 4));
        check(server_log_last(t->log, t->index, OP_QUERY_HCA_CAP, line, sizeof(line)) &&
              log_field(line, "uid=") == inf->uctx_uid,
              "firmware saw the file's uid %#x, not the claimed 0xbeef", inf->uctx_uid);

        memset(in, 0, sizeof(in));
        memset(out, 0xff, sizeof(out));
        hdr_set(in, OP_UNKNOWN, 0, 0);
        check_ok(rpc(fd, in, 16, out, 16, 0), "CMDRPC of an opcode firmware does not know");
        check(out[0] != 0 && be32(out + 4) != 0, "its firmware error is in the outbox (status %#x syndrome %#x)",
              out[0], be32(out + 4));

        hdr_set(in, OP_QUERY_HCA_CAP, 0, QUERY_HCA_CAP_GENERAL_CUR);
        check_errno(rpc(fd, in, 15, out, 16, 0), EINVAL, "CMDRPC inlen 15");
        check_errno(rpc(fd, in, 16, out, 15, 0), EINVAL, "CMDRPC outlen 15");
        check_errno(rpc(fd, in, 0, out, 16, 0), EINVAL, "CMDRPC inlen 0");
        check_errno(rpc(fd, in, MLX5CTL_MAX_RPC_SIZE + 1, out, 16, 0), EINVAL, "CMDRPC inlen 8193");
        check_errno(rpc(fd, in, 16, out, MLX5CTL_MAX_RPC_SIZE + 1, 0), EINVAL, "CMDRPC outlen 8193");
        check_ok(rpc(fd, in, MLX5CTL_MAX_RPC_SIZE, out, MLX5CTL_MAX_RPC_SIZE, 0), "CMDRPC of 8192 bytes each way");
        check_errno(rpc(fd, in, 16, out, 16, 1), EOPNOTSUPP, "CMDRPC flags 1");
        check_errno(rpc(fd, (void *) 16, 16, out, 16, 0), EFAULT, "CMDRPC from a bad inbox pointer");
        check_errno(rpc(fd, in, 16, (void *) 16, 16, 0), EFAULT, "CMDRPC to a bad outbox pointer");
        check_errno(ioctl(fd, MLX5CTL_IOCTL_CMDRPC, (void *) 8), EFAULT, "CMDRPC with a bad argument pointer");
        check_errno(ioctl(fd, _IO(MLX5CTL_IOCTL_MAGIC, 0x10)), ENOTTY, "unknown ioctl nr 0x10");
        check_errno(ioctl(fd, _IOWR(MLX5CTL_IOCTL_MAGIC, 0x1, uint8_t[24]), in), ENOTTY,
                    "CMDRPC number with the wrong size");
}

static void test_privileges(const struct suite *t, int fd, const struct mlx5ctl_info *inf)
{
        struct mlx5ctl_info plain;
        uint8_t in[16] = { 0 }, out[16];
        int fd2;

        if (set_effective_cap(CAP_SYS_ADMIN, false) != 0) {
                check(false, "dropping CAP_SYS_ADMIN: %s", strerror(errno));
                return;
        }
        check_errno(info(fd, &plain), EPERM, "INFO without CAP_SYS_ADMIN");
        hdr_set(in, OP_QUERY_HCA_CAP, 0, QUERY_HCA_CAP_GENERAL_CUR);
        check_errno(rpc(fd, in, 16, out, 16, 0), EPERM, "CMDRPC without CAP_SYS_ADMIN");
        check_errno(umem_unreg(fd, 1), EPERM, "UMEM_UNREG without CAP_SYS_ADMIN");
        fd2 = open(t->node, O_RDWR | O_CLOEXEC);
        check(fd2 >= 0, "open without CAP_SYS_ADMIN succeeds (%s)", fd2 >= 0 ? "ok" : strerror(errno));
        set_effective_cap(CAP_SYS_ADMIN, true);
        if (fd2 < 0)
                return;
        check_ok(info(fd2, &plain), "INFO on it, privileges back");
        check(plain.uctx_cap == 0 && plain.ucap == 0, "it got no uctx caps (uctx_cap %#x ucap %#x)",
              plain.uctx_cap, plain.ucap);
        check(plain.uctx_uid != 0 && plain.uctx_uid != inf->uctx_uid, "each open has its own uid (%u, %u)",
              inf->uctx_uid, plain.uctx_uid);
        close(fd2);
}

static void test_umem(const struct suite *t, int fd, const struct mlx5ctl_info *inf)
{
        const size_t page = sysconf(_SC_PAGESIZE);
        struct mlx5ctl_umem_reg reg = { 0 };
        struct mlx5ctl_umem_unreg unreg = { 0 };
        struct rlimit old_limit, small = { 16 * 4096, 16 * 4096 };
        uint32_t id = 0, id2 = 0, big_id = 0;
        char line[512];
        uint8_t *buf, *big, *gone;
        int fd2;

        buf = mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        big = mmap(NULL, UMEM_MAX_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        gone = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (buf == MAP_FAILED || big == MAP_FAILED || gone == MAP_FAILED) {
                check(false, "mapping test buffers: %s", strerror(errno));
                return;
        }
        munmap(gone, page);

        check(vm_pin_kb() == 0, "nothing pinned before UMEM_REG");
        check_ok(umem_reg(fd, buf + 100, 1 << 20, &id), "UMEM_REG of 1 MB at page offset 100");
        check(id != 0, "it has a firmware umem id (%u)", id);
        check(vm_pin_kb() == (long) (257 * page / 1024), "VmPin counts its 257 pages (%ld kB)", vm_pin_kb());
        check(server_log_last(t->log, t->index, OP_CREATE_UMEM, line, sizeof(line)) &&
              log_field(line, "uid=") == inf->uctx_uid && log_field(line, "num_mtt=") == 257 &&
              log_field(line, "page_offset=") == 100 && log_field(line, "mtt_ok=") == 1,
              "firmware got CREATE_UMEM: file's uid, 257 readable+writable page addresses, offset 100");
        check_ok(umem_reg(fd, buf, page, &id2), "a second UMEM_REG of the same memory");
        check(id2 != 0 && id2 != id, "gets another id (%u)", id2);

        check_ok(umem_unreg(fd, id), "UMEM_UNREG");
        check(server_log_last(t->log, t->index, OP_DESTROY_UMEM, line, sizeof(line)) &&
              log_field(line, "uid=") == inf->uctx_uid && log_field(line, "status=") == 0,
              "firmware destroyed it under the file's uid");
        check(vm_pin_kb() == (long) (page / 1024), "its pages are unpinned (VmPin %ld kB)", vm_pin_kb());
        check_errno(umem_unreg(fd, id), ENOENT, "UMEM_UNREG of it again");
        check_errno(umem_unreg(fd, 0xabcdef), ENOENT, "UMEM_UNREG of an unknown id");
        check_ok(umem_unreg(fd, id2), "UMEM_UNREG of the second");
        check(vm_pin_kb() == 0, "nothing pinned after (VmPin %ld kB)", vm_pin_kb());

        reg.addr = (uintptr_t) buf;
        reg.len = page;
        reg.flags = 1;
        check_errno(ioctl(fd, MLX5CTL_IOCTL_UMEM_REG, &reg), EOPNOTSUPP, "UMEM_REG flags 1");
        reg.flags = 0;
        reg.reserved1 = 1;
        check_errno(ioctl(fd, MLX5CTL_IOCTL_UMEM_REG, &reg), EOPNOTSUPP, "UMEM_REG reserved1 1");
        unreg.flags = 1;
        check_errno(ioctl(fd, MLX5CTL_IOCTL_UMEM_UNREG, &unreg), EOPNOTSUPP, "UMEM_UNREG flags 1");
        check_errno(umem_reg(fd, buf, 0, &id), EINVAL, "UMEM_REG of 0 bytes");
        check_errno(umem_reg(fd, big, UMEM_MAX_BYTES + page, &id), EINVAL, "UMEM_REG of 64 MB + 1 page");
        check_errno(umem_reg(fd, big + 1, UMEM_MAX_BYTES, &id), EINVAL, "UMEM_REG of 64 MB over 64 MB + 1 page");
        check_errno(umem_reg(fd, (void *) (UINTPTR_MAX - 100), 1000, &id), EINVAL, "UMEM_REG wrapping around");
        check_errno(umem_reg(fd, gone, page, &id), EFAULT, "UMEM_REG of unmapped memory");
        check_errno(ioctl(fd, MLX5CTL_IOCTL_UMEM_REG, (void *) 8), EFAULT, "UMEM_REG with a bad argument pointer");
        check(vm_pin_kb() == 0, "failed registrations pin nothing");

        getrlimit(RLIMIT_MEMLOCK, &old_limit);
        if (set_effective_cap(CAP_IPC_LOCK, false) == 0 && setrlimit(RLIMIT_MEMLOCK, &small) == 0) {
                check_errno(umem_reg(fd, buf, 1 << 20, &id), ENOMEM, "UMEM_REG of 1 MB over a 64 kB RLIMIT_MEMLOCK");
                check_ok(umem_reg(fd, buf, 8 * page, &id), "UMEM_REG of 8 pages within it");
                check_ok(umem_unreg(fd, id), "UMEM_UNREG of those");
        } else {
                check(false, "dropping CAP_IPC_LOCK and lowering RLIMIT_MEMLOCK: %s", strerror(errno));
        }
        setrlimit(RLIMIT_MEMLOCK, &old_limit);
        set_effective_cap(CAP_IPC_LOCK, true);

        /* Close with registrations left: close releases them and the uctx. */
        fd2 = open(t->node, O_RDWR | O_CLOEXEC);
        if (fd2 >= 0) {
                struct mlx5ctl_info inf2;

                info(fd2, &inf2);
                check_ok(umem_reg(fd2, big, UMEM_MAX_BYTES, &big_id), "UMEM_REG of exactly 64 MB");
                check(vm_pin_kb() == (long) (UMEM_MAX_BYTES / 1024), "VmPin %ld kB", vm_pin_kb());
                check_ok(close(fd2), "close with that UMEM still registered");
                check(vm_pin_kb() == 0, "close unpinned it (VmPin %ld kB)", vm_pin_kb());
                check(server_log_last(t->log, t->index, OP_DESTROY_UMEM, line, sizeof(line)) &&
                      log_field(line, "uid=") == inf2.uctx_uid && log_field(line, "status=") == 0 &&
                      server_log_last(t->log, t->index, OP_DESTROY_UCTX, line, sizeof(line)) &&
                      log_field(line, "destroyed_uid=") == inf2.uctx_uid && log_field(line, "status=") == 0,
                      "close destroyed its UMEM and user context %u in firmware", inf2.uctx_uid);
        } else {
                check(false, "second open: %s", strerror(errno));
        }
        munmap(buf, 2 << 20);
        munmap(big, UMEM_MAX_BYTES);
}

static void test_removal(const struct suite *t)
{
        char value[128], line[512];
        struct mlx5ctl_info inf;
        uint8_t in[16] = { 0 }, out[16];
        uint32_t id;
        int fd, fd_again;
        uint8_t *buf = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

        fd = open(t->node, O_RDWR | O_CLOEXEC);
        if (fd < 0 || buf == MAP_FAILED) {
                check(false, "removal: open %s: %s", t->node, strerror(errno));
                return;
        }
        info(fd, &inf);
        check_ok(umem_reg(fd, buf, 1 << 20, &id), "removal: a file holds a UMEM");
        snprintf(value, sizeof(value), "%u", t->index);
        check(write_sysfs(EMU_SYSFS "remove_device", value) == 0, "the device is removed under the open file");
        check(access(t->node, F_OK) != 0 && errno == ENOENT, "its node is gone");
        check(vm_pin_kb() == 0, "removal unpinned the file's UMEM (VmPin %ld kB)", vm_pin_kb());
        check(server_log_last(t->log, t->index, OP_DESTROY_UCTX, line, sizeof(line)) &&
              log_field(line, "destroyed_uid=") == inf.uctx_uid && log_field(line, "status=") == 0,
              "removal destroyed the file's user context %u in firmware", inf.uctx_uid);
        check_errno(info(fd, &inf), ENODEV, "INFO after removal");
        hdr_set(in, OP_QUERY_HCA_CAP, 0, QUERY_HCA_CAP_GENERAL_CUR);
        check_errno(rpc(fd, in, 16, out, 16, 0), ENODEV, "CMDRPC after removal");
        check_errno(umem_reg(fd, buf, 4096, &id), ENODEV, "UMEM_REG after removal");
        check_errno(umem_unreg(fd, id), ENODEV, "UMEM_UNREG after removal");
        check_ok(close(fd), "close after removal");
        check(write_sysfs(EMU_SYSFS "remove_device", value) == -ENODEV, "removing it twice fails with ENODEV");

        snprintf(value, sizeof(value), "%u %s", t->index, t->pci_name);
        check(write_sysfs(EMU_SYSFS "add_device", value) == 0, "the device is added back");
        fd_again = open(t->node, O_RDWR | O_CLOEXEC);
        check(fd_again >= 0 && query_caps(fd_again, 0, (uint8_t[QUERY_HCA_CAP_OUTLEN]) { 0 }) == 0,
              "its node works again");
        if (fd_again >= 0)
                close(fd_again);
        munmap(buf, 1 << 20);
}

static int run_suite(const struct suite *t)
{
        struct mlx5ctl_info inf;
        int fd = open(t->node, O_RDWR | O_CLOEXEC);

        check(fd >= 0, "open %s (%s)", t->node, fd >= 0 ? "ok" : strerror(errno));
        if (fd < 0)
                return 1;
        test_info(t, fd, &inf);
        test_cmdrpc(t, fd, &inf);
        test_privileges(t, fd, &inf);
        test_umem(t, fd, &inf);
        check_ok(close(fd), "close");
        test_removal(t);
        return vm_check_failed ? 1 : 0;
}

/* One command, for the shell tests of a stopped or dead firmware. */
static int run_rpc(const char *node)
{
        static uint8_t out[QUERY_HCA_CAP_OUTLEN];
        int fd = open(node, O_RDWR | O_CLOEXEC);

        if (fd < 0) {
                printf("%s\n", errno_name(errno));
                return 1;
        }
        if (query_caps(fd, 0, out) != 0) {
                printf("%s\n", errno_name(errno));
                close(fd);
                return 1;
        }
        close(fd);
        printf("ok status=%#x\n", out[0]);
        return out[0] == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
        struct suite t;

        if (suite_args(argc, argv, &t))
                return run_suite(&t);
        if (argc == 3 && strcmp(argv[1], "rpc") == 0)
                return run_rpc(argv[2]);
        fprintf(stderr, "usage: %s suite NODE PCI_NAME INDEX SERVER_LOG | rpc NODE\n", argv[0]);
        return 2;
}
