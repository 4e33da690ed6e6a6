/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the guest's ioctl test programs share: TAP lines without numbers
 * (the VM runner numbers the whole guest run), capabilities, the firmware
 * server's log and command headers.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EMU_SYSFS "/sys/class/misc/mlx5ctl_emu/"

#define OP_QUERY_HCA_CAP 0x100
#define OP_CREATE_UCTX 0xa04
#define OP_DESTROY_UCTX 0xa06
#define QUERY_HCA_CAP_GENERAL_CUR 0x1
#define QUERY_HCA_CAP_OUTLEN 0x1010
#define UCTX_CAP_TOOLS_RESOURCES 0x4

/* What a suite run is told: `PROGRAM suite NODE PCI_NAME INDEX SERVER_LOG`. */
struct suite {
        const char *node;       /* the device node under test */
        const char *pci_name;   /* the PCI function it hangs on */
        unsigned index;         /* the emulated function's index (the server log's dev=) */
        const char *log;        /* the firmware server's log */
};

/* Fills ret from argv when it asks for the suite. */
bool suite_args(int argc, char **argv, struct suite *ret);

/* Failed checks so far. */
extern unsigned vm_check_failed;

/* One TAP line: "ok - ..." or "not ok - ...". */
void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* r is -1 with errno want. */
void check_errno(int r, int want, const char *what);
void check_ok(int r, const char *what);

const char *errno_name(int e);

/* Turns one capability of the effective set on or off: 0 or -errno. */
int set_effective_cap(unsigned cap, bool on);

/* Writes value to a sysfs attribute: 0 or -errno. */
int write_sysfs(const char *attr, const char *value);

/*
 * The last line mlx5sim-server logged for dev index and opcode; the server
 * writes it before it answers, so it is there when the ioctl returns.
 */
bool server_log_last(const char *log, unsigned index, unsigned opcode, char *ret, size_t len);
/* How many lines the server logged for dev index and opcode. */
unsigned server_log_count(const char *log, unsigned index, unsigned opcode);
/* The value of "name" (e.g. "uid=") in a server log line; ~0 when absent. */
unsigned log_field(const char *line, const char *name);

/* A command header: opcode, uid and op_mod, big endian. */
void hdr_set(uint8_t *in, unsigned opcode, unsigned uid, unsigned op_mod);
uint32_t be32(const uint8_t *p);
