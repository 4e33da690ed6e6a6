/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vm-check.h"

unsigned vm_check_failed;

void check(bool ok, const char *fmt, ...)
{
        va_list ap;

        printf("%s - ", ok ? "ok" : "not ok");
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
        fflush(stdout);
        if (!ok)
                vm_check_failed++;
}

const char *errno_name(int e)
{
        const char *name = strerrorname_np(e);

        return name ? name : "?";
}

void check_errno(int r, int want, const char *what)
{
        int e = errno;

        check(r == -1 && e == want, "%s fails with %s (got %s)", what, errno_name(want),
              r == -1 ? errno_name(e) : "success");
}

void check_ok(int r, const char *what)
{
        int e = errno;

        check(r == 0, "%s succeeds (got %s)", what, r == 0 ? "0" : errno_name(e));
}

int set_effective_cap(unsigned cap, bool on)
{
        struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct data[2];

        if (syscall(SYS_capget, &hdr, data) != 0)
                return -errno;
        if (on)
                data[cap / 32].effective |= 1u << (cap % 32);
        else
                data[cap / 32].effective &= ~(1u << (cap % 32));
        return syscall(SYS_capset, &hdr, data) == 0 ? 0 : -errno;
}

int write_sysfs(const char *attr, const char *value)
{
        int fd = open(attr, O_WRONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return -errno;
        n = write(fd, value, strlen(value));
        close(fd);
        return n == (ssize_t) strlen(value) ? 0 : -errno;
}

/* Calls fn on every line the server logged for index and opcode. */
static void server_log_scan(const char *log, unsigned index, unsigned opcode,
                            void (*fn)(const char *line, void *data), void *data)
{
        char prefix[64], line[512];
        FILE *f = fopen(log, "re");

        if (!f)
                return;
        snprintf(prefix, sizeof(prefix), "dev=%u op=0x%x ", index, opcode);
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, prefix, strlen(prefix)) == 0)
                        fn(line, data);
        fclose(f);
}

struct last_line {
        char *buf;
        size_t len;
        bool found;
};

static void keep_line(const char *line, void *data)
{
        struct last_line *last = data;

        snprintf(last->buf, last->len, "%s", line);
        last->found = true;
}

bool server_log_last(const char *log, unsigned index, unsigned opcode, char *ret, size_t len)
{
        struct last_line last = { .buf = ret, .len = len };

        server_log_scan(log, index, opcode, keep_line, &last);
        return last.found;
}

static void count_line(const char *line, void *data)
{
        (*(unsigned *) data)++;
}

unsigned server_log_count(const char *log, unsigned index, unsigned opcode)
{
        unsigned n = 0;

        server_log_scan(log, index, opcode, count_line, &n);
        return n;
}

unsigned log_field(const char *line, const char *name)
{
        for (const char *p = strstr(line, name); p; p = strstr(p + 1, name))
                if (p == line || p[-1] == ' ')
                        return (unsigned) strtoul(p + strlen(name), NULL, 0);
        return ~0u;
}

void hdr_set(uint8_t *in, unsigned opcode, unsigned uid, unsigned op_mod)
{
        in[0] = opcode >> 8;
        in[1] = opcode;
        in[2] = uid >> 8;
        in[3] = uid;
        in[6] = op_mod >> 8;
        in[7] = op_mod;
}

uint32_t be32(const uint8_t *p)
{
        return (uint32_t) p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

bool suite_args(int argc, char **argv, struct suite *ret)
{
        if (argc != 6 || strcmp(argv[1], "suite") != 0)
                return false;
        *ret = (struct suite) {
                .node = argv[2],
                .pci_name = argv[3],
                .index = (unsigned) strtoul(argv[4], NULL, 0),
                .log = argv[5],
        };
        return true;
}
