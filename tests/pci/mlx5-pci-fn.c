/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mlx5-pci-fn: a ConnectX-6 Dx PCI function served over vfio-user (QEMU's
 * vfio-user-pci device connects to its socket), answered by the project's
 * simulated firmware (fuse/sim, the same library as the daemon's --sim),
 * for Linux's own mlx5_core, mlx5_ib and mlx5_fwctl.  Test-only.
 *
 *   mlx5-pci-fn --socket PATH [--log FILE] [--counts FILE]
 *
 * This file is the PCI side: config space (15b3:101d, MSI-X, a vendor
 * capability), BAR0 with the init segment (firmware revision, command
 * interface revision 5, command queue address, doorbell, initializing,
 * health buffer and a health counter that moves on every read, the
 * internal timer) and UAR pages (doorbells: accepted, no traffic flows).
 * The command queue is pci-cmdq.c; the firmware knows nothing of PCI.
 * When the client goes (device_del, QEMU exits) the function resets and
 * waits for the next one; --counts gets the per-opcode command counts then.
 * SIGTERM / SIGINT end it.
 */
#include <errno.h>
#include <glib.h>
#include <inttypes.h>
#include <linux/pci_regs.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libvfio-user.h>
#include <pci_caps/common.h>
#include <pci_caps/msix.h>

#include "pci-cmdq.h"
#include "pci-dma.h"
#include "prm/bits.h"
#include "schema/schema.h"
#include "sim/sim-driver.h"
#include "sim/sim.h"

#define VENDOR_MELLANOX         0x15b3
#define DEVICE_CX6DX            0x101d
#define CLASS_NETWORK           0x02

/*
 * BAR0: 32 MiB like the real part; the init segment, the MSI-X table and
 * PBA where a ConnectX-6 Dx has them, then UARs (the firmware hands out UAR
 * pages from index 8).  Where the table lives makes no difference to QEMU
 * 11.1.3's abort on device_del (tests/pci/README.md, "Hot removal").
 */
#define BAR0_SIZE               (32u << 20)
#define MSIX_VECTORS            32
#define MSIX_TABLE_OFF          0x2000
#define MSIX_PBA_OFF            0x3000
#define VSC_SIZE                0x18

/* Init segment (struct mlx5_init_seg). */
#define ISEG_FW_REV             0x000
#define ISEG_CMDIF_REV_FW_SUB   0x004
#define ISEG_CMDQ_ADDR_H        0x010
#define ISEG_CMDQ_ADDR_L_SZ     0x014
#define ISEG_CMD_DBELL          0x018
#define ISEG_INITIALIZING       0x1fc
#define ISEG_HEALTH_FW_VER      0x230
#define ISEG_INTERNAL_TIMER_H   0x1000
#define ISEG_INTERNAL_TIMER_L   0x1004
#define ISEG_HEALTH_COUNTER     0x1010
#define ISEG_REAL_TIME_H        0x1040
#define ISEG_REAL_TIME_L        0x1044
#define ISEG_END                0x1048
#define CMDIF_REV               5

/* Firmware 22.39.1002: a ConnectX-6 Dx release line (major 22). */
#define FW_MAJOR                22
#define FW_MINOR                39
#define FW_SUB                  1002

struct function {
        const mlx5_schema *schema;
        mlx5_sim_spec *spec;
        vfu_ctx_t *ctx;
        struct pci_cmdq cmdq;
        uint32_t cmdq_h, cmdq_l;
        uint32_t health_counter;
        char *counts_path;
        unsigned resets;
};

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
        stop_requested = 1;
}

static uint64_t now_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint32_t iseg_read(struct function *f, uint32_t off)
{
        /* The internal timer counts nanoseconds: a 1 GHz clock. */
        uint64_t t = g_get_monotonic_time() * 1000ull;

        switch (off) {
        case ISEG_FW_REV:
        case ISEG_HEALTH_FW_VER:
                return FW_MINOR << 16 | FW_MAJOR;
        case ISEG_CMDIF_REV_FW_SUB:
                return CMDIF_REV << 16 | FW_SUB;
        case ISEG_CMDQ_ADDR_H:
                return f->cmdq_h;
        case ISEG_CMDQ_ADDR_L_SZ:
                /* Bits 10:8 (NIC interface) stay 0: the full driver interface. */
                return (f->cmdq_l & ~0xfffu) | PCI_CMDQ_LOG_SIZE << 4 | PCI_CMDQ_LOG_STRIDE;
        case ISEG_INITIALIZING:
                return 0;       /* bit 31 clear: firmware is up */
        case ISEG_HEALTH_COUNTER:
                return ++f->health_counter;
        case ISEG_INTERNAL_TIMER_H:
                return t >> 32;
        case ISEG_INTERNAL_TIMER_L:
                return (uint32_t) t;
        case ISEG_REAL_TIME_H:
                return now_ns() / 1000000000ull;
        case ISEG_REAL_TIME_L:
                return now_ns() % 1000000000ull;
        default:
                return 0;
        }
}

static void iseg_write(struct function *f, uint32_t off, uint32_t value)
{
        switch (off) {
        case ISEG_CMDQ_ADDR_H:
                f->cmdq_h = value;
                break;
        case ISEG_CMDQ_ADDR_L_SZ:
                f->cmdq_l = value & ~0xfffu;
                f->cmdq.base = (uint64_t) f->cmdq_h << 32 | f->cmdq_l;
                break;
        case ISEG_CMD_DBELL:
                pci_cmdq_ring(&f->cmdq, value);
                break;
        default:
                /* EQ, CQ and send doorbells in UAR pages: no traffic to start. */
                break;
        }
}

/*
 * BAR0: the init segment, big-endian dwords.  Reads of any size (the
 * health sensors read single bytes) take the bytes of the dwords they
 * cover; writes act on whole dwords (the driver writes registers with
 * iowrite32be) and ignore anything smaller.
 */
static ssize_t bar0_access(vfu_ctx_t *ctx, char *buf, size_t count, loff_t offset, bool is_write)
{
        struct function *f = vfu_get_private(ctx);

        if (offset < 0 || count > 8 || (uint64_t) offset + count > BAR0_SIZE) {
                errno = EINVAL;
                return -1;
        }
        if (is_write) {
                for (size_t i = 0; (offset & 3) == 0 && i + 4 <= count; i += 4)
                        if (offset + i < ISEG_END)
                                iseg_write(f, offset + i, mlx5_be32_get((const uint8_t *) buf + i));
                return count;
        }
        /* Each register read once per access: the health counter moves once per poll. */
        for (uint64_t dw = offset & ~3ull; dw < (uint64_t) offset + count; dw += 4) {
                uint8_t word[4];

                mlx5_be32_set(word, dw < ISEG_END ? iseg_read(f, dw) : 0);
                for (unsigned b = 0; b < 4; b++)
                        if (dw + b >= (uint64_t) offset && dw + b < (uint64_t) offset + count)
                                buf[dw + b - offset] = word[b];
        }
        return count;
}

/* libvfio-user maps guest memory itself; these only make direct mapping (vfu_sgl_get) available. */
static void dma_register(vfu_ctx_t *ctx, vfu_dma_info_t *info)
{
}

static void dma_unregister(vfu_ctx_t *ctx, vfu_dma_info_t *info)
{
}

/* What firmware writes into guest memory itself (a resource dump through an mkey), one log line each. */
static int bus_write(void *user_data, uint64_t addr, const void *buf, size_t len)
{
        struct pci_cmdq *q = user_data;
        int r = pci_dma_write(q->ctx, addr, buf, len);

        if (r < 0)
                q->dma_errors++;
        fprintf(q->log, "pci: firmware wrote %zu bytes at 0x%" PRIx64 "%s\n", len, addr,
                r < 0 ? ": not guest memory" : "");
        fflush(q->log);
        return r;
}

static mlx5_sim *new_firmware(struct function *f)
{
        mlx5_sim *sim = mlx5_sim_new(f->schema, f->spec, 0);

        mlx5_sim_drive(sim);
        mlx5_sim_set_dma_write(sim, bus_write, &f->cmdq);
        return sim;
}

static void write_counts(struct function *f)
{
        g_autoptr(GString) text = g_string_new(NULL);
        g_autoptr(GError) error = NULL;

        if (!f->counts_path)
                return;
        g_string_append_printf(text, "# function reset %u: %" PRIu64 " commands, %" PRIu64
                               " unknown opcodes, %" PRIu64 " events, %" PRIu64 " DMA errors\n",
                               f->resets, f->cmdq.commands, f->cmdq.unknown_opcodes, f->cmdq.events,
                               f->cmdq.dma_errors);
        mlx5_sim_format_counts(f->cmdq.sim, text);
        if (!g_file_set_contents(f->counts_path, text->str, text->len, &error))
                fprintf(stderr, "mlx5-pci-fn: %s\n", error->message);
}

/* A new client (or a reset) meets a function fresh from power-on. */
static void reset_function(struct function *f)
{
        write_counts(f);
        mlx5_sim_free(f->cmdq.sim);
        f->cmdq.sim = new_firmware(f);
        f->cmdq.base = 0;
        f->cmdq_h = f->cmdq_l = 0;
        f->resets++;
        fprintf(f->cmdq.log, "pci: function reset %u\n", f->resets);
        fflush(f->cmdq.log);
}

static int device_reset(vfu_ctx_t *ctx, vfu_reset_type_t type)
{
        reset_function(vfu_get_private(ctx));
        return 0;
}

static int setup_pci(struct function *f)
{
        struct msixcap msix = {
                .hdr.id = PCI_CAP_ID_MSIX,
                .mxc.ts = MSIX_VECTORS - 1,
                .mtab = { .tbir = 0, .to = MSIX_TABLE_OFF >> 3 },
                .mpba = { .pbir = 0, .pbao = MSIX_PBA_OFF >> 3 },
        };
        uint8_t vsc[VSC_SIZE] = { PCI_CAP_ID_VNDR, 0, VSC_SIZE };
        vfu_ctx_t *ctx = f->ctx;

        if (vfu_pci_init(ctx, VFU_PCI_TYPE_CONVENTIONAL, PCI_HEADER_TYPE_NORMAL, 0) < 0)
                return -errno;
        vfu_pci_set_id(ctx, VENDOR_MELLANOX, DEVICE_CX6DX, VENDOR_MELLANOX, 0x0016);
        vfu_pci_set_class(ctx, CLASS_NETWORK, 0x00, 0x00);
        /* mlx5_core looks for the vendor capability (its gateway to crdump). */
        if (vfu_pci_add_capability(ctx, 0, 0, vsc) < 0 || vfu_pci_add_capability(ctx, 0, 0, &msix) < 0)
                return -errno;
        if (vfu_setup_region(ctx, VFU_PCI_DEV_BAR0_REGION_IDX, BAR0_SIZE, bar0_access,
                             VFU_REGION_FLAG_RW | VFU_REGION_FLAG_MEM, NULL, 0, -1, 0) < 0)
                return -errno;
        if (vfu_setup_device_dma(ctx, dma_register, dma_unregister) < 0)
                return -errno;
        if (vfu_setup_device_nr_irqs(ctx, VFU_DEV_MSIX_IRQ, MSIX_VECTORS) < 0)
                return -errno;
        if (vfu_setup_device_reset_cb(ctx, device_reset) < 0)
                return -errno;
        if (vfu_realize_ctx(ctx) < 0)
                return -errno;
        return 0;
}

static const char *default_schema_dir(void)
{
        if (g_file_test(MLX5DBGFS_SOURCE_SCHEMA_DIR, G_FILE_TEST_IS_DIR))
                return MLX5DBGFS_SOURCE_SCHEMA_DIR;
        return MLX5DBGFS_SCHEMA_DIR;
}

/* "qp=0,cq=0,...": a function holds only what its driver creates. */
static char *empty_population(const mlx5_schema *schema)
{
        GString *spec = g_string_new("devices=1");

        for (unsigned i = 0; i < mlx5_schema_n_resources(schema); i++) {
                const mlx5_schema_resource *res = mlx5_schema_resource_at(schema, i);

                if (res->has_id)
                        g_string_append_printf(spec, ",%s=0", res->name);
        }
        return g_string_free(spec, FALSE);
}

int main(int argc, char **argv)
{
        g_autofree char *socket_path = NULL, *log_path = NULL, *schema_dir = NULL, *spec_text = NULL;
        GOptionEntry entries[] = {
                { "socket", 0, 0, G_OPTION_ARG_FILENAME, &socket_path, "vfio-user socket to serve", "PATH" },
                { "log", 0, 0, G_OPTION_ARG_FILENAME, &log_path, "Firmware log: one line per command", "FILE" },
                { "counts", 0, 0, G_OPTION_ARG_FILENAME, NULL, "Per-opcode counts, at each reset and exit",
                  "FILE" },
                { "schema-dir", 0, 0, G_OPTION_ARG_FILENAME, &schema_dir, "Schema files", "DIR" },
                { NULL },
        };
        g_autoptr(GOptionContext) octx = g_option_context_new("- a ConnectX PCI function over vfio-user");
        g_autoptr(GError) error = NULL;
        g_autoptr(mlx5_schema) schema = NULL;
        struct sigaction sa = { .sa_handler = on_stop_signal };
        struct function f = { 0 };
        int r;

        entries[2].arg_data = &f.counts_path;
        g_option_context_add_main_entries(octx, entries, NULL);
        if (!g_option_context_parse(octx, &argc, &argv, &error) || !socket_path) {
                fprintf(stderr, "mlx5-pci-fn: %s\n", error ? error->message : "--socket is required");
                return 2;
        }
        schema = mlx5_schema_load_dir(schema_dir ? schema_dir : default_schema_dir(), &error);
        if (!schema) {
                fprintf(stderr, "mlx5-pci-fn: %s\n", error->message);
                return 1;
        }
        spec_text = empty_population(schema);
        f.schema = schema;
        f.spec = mlx5_sim_spec_parse(spec_text, schema, &error);
        if (!f.spec) {
                fprintf(stderr, "mlx5-pci-fn: spec %s: %s\n", spec_text, error->message);
                return 1;
        }
        f.cmdq.log = log_path ? fopen(log_path, "a") : stderr;
        if (!f.cmdq.log) {
                fprintf(stderr, "mlx5-pci-fn: %s: %s\n", log_path, g_strerror(errno));
                return 1;
        }
        f.cmdq.sim = new_firmware(&f);

        f.ctx = f.cmdq.ctx = vfu_create_ctx(VFU_TRANS_SOCK, socket_path, 0, &f, VFU_DEV_TYPE_PCI);
        if (!f.ctx) {
                fprintf(stderr, "mlx5-pci-fn: %s: %s\n", socket_path, g_strerror(errno));
                return 1;
        }
        r = setup_pci(&f);
        if (r < 0) {
                fprintf(stderr, "mlx5-pci-fn: setting up the PCI function: %s\n", g_strerror(-r));
                return 1;
        }
        /* No SA_RESTART: a signal must interrupt the blocking socket calls. */
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        printf("mlx5-pci-fn: serving %s\n", socket_path);
        fflush(stdout);

        while (!stop_requested) {
                if (vfu_attach_ctx(f.ctx) < 0) {
                        if (errno == EINTR)
                                continue;
                        fprintf(stderr, "mlx5-pci-fn: attach: %s\n", g_strerror(errno));
                        break;
                }
                fprintf(f.cmdq.log, "pci: client attached\n");
                fflush(f.cmdq.log);
                while (!stop_requested && vfu_run_ctx(f.ctx) >= 0)
                        ;
                if (stop_requested)
                        break;
                fprintf(f.cmdq.log, "pci: client gone (%s)\n", g_strerror(errno));
                reset_function(&f);
        }
        write_counts(&f);
        vfu_destroy_ctx(f.ctx);
        mlx5_sim_free(f.cmdq.sim);
        mlx5_sim_spec_free(f.spec);
        if (f.cmdq.log != stderr)
                fclose(f.cmdq.log);
        return 0;
}
