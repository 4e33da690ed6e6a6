/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mlx5sim-server: the project's simulated firmware (fuse/sim) serving the
 * test-only kernel module mlx5ctl_emu.ko through /dev/mlx5ctl_emu, so
 * mlx5ctl.ko's emulated devices answer exactly as the --sim daemon does.
 *
 *   mlx5sim-server [--spec SPEC] [--add] [--log FILE] [--control NODE]
 *
 * --add registers the spec's functions with the module once serving
 * (writing /sys/class/misc/mlx5ctl_emu/add_device); without it the server
 * answers for devices that already exist (a restarted firmware).  --log
 * gets one line per command, with the uid firmware saw, for the tests.
 * SIGTERM / SIGINT end it; the module then fails pending commands.
 */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlx5ctl_emu/mlx5ctl_emu.h"
#include "prm/bits.h"
#include "prm/mbox.h"
#include "schema/schema.h"
#include "sim/sim.h"

#define ADD_DEVICE_ATTR "/sys/class/misc/mlx5ctl_emu/add_device"

/* create_umem_in: umem.page_offset and umem.num_of_mtt, then the mtt list. */
#define CREATE_UMEM_PAGE_OFFSET_BIT 0x120
#define CREATE_UMEM_NUM_MTT_BIT 0x140
#define CREATE_UMEM_MTT_BYTE 0x30
#define MTT_RD_WR 0x3
/* create_uctx_in.uctx.cap; create_uctx_out.uid and destroy_uctx_in.uid */
#define CREATE_UCTX_CAP_BIT 0x80
#define UCTX_UID_BIT 0x50

struct server {
        mlx5_sim **sims;
        unsigned n_sims;
        int control;
        FILE *log;
};

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
        stop_requested = 1;
}

/* What firmware was asked to map: the checks the VM suite makes of UMEM. */
static void log_create_umem(FILE *log, const uint8_t *in, size_t inlen)
{
        uint64_t n = mlx5_bits_get(in, inlen, CREATE_UMEM_NUM_MTT_BIT, 64);
        unsigned offset = mlx5_bits_get(in, inlen, CREATE_UMEM_PAGE_OFFSET_BIT, 32);
        gboolean mtt_ok = n > 0 && CREATE_UMEM_MTT_BYTE + n * 8 <= inlen;

        for (uint64_t i = 0; mtt_ok && i < n; i++) {
                uint64_t mtt = mlx5_bits_get(in, inlen, (CREATE_UMEM_MTT_BYTE + i * 8) * 8, 64);

                /* A page's bus address, page aligned, readable and writable. */
                mtt_ok = (mtt & ~0xfffull) != 0 && (mtt & 0xfff) == MTT_RD_WR;
        }
        fprintf(log, " num_mtt=%" PRIu64 " page_offset=%u mtt_ok=%d", n, offset, mtt_ok);
}

static void log_command(struct server *s, const struct mlx5ctl_emu_request *req, const uint8_t *in,
                        const uint8_t *out, int error)
{
        unsigned opcode = mlx5_mbox_in_opcode(in);

        if (!s->log)
                return;
        fprintf(s->log, "dev=%u op=0x%x", req->dev_index, opcode);
        if (error)
                fprintf(s->log, " error=%d", error);
        else
                fprintf(s->log, " uid=0x%x status=0x%x syndrome=0x%x",
                        mlx5_sim_last_uid(s->sims[req->dev_index], opcode),
                        mlx5_mbox_out_status(out), mlx5_mbox_out_syndrome(out));
        if (!error && opcode == MLX5_CMD_OP_CREATE_UMEM)
                log_create_umem(s->log, in, req->inlen);
        if (!error && opcode == MLX5_CMD_OP_CREATE_UCTX)
                fprintf(s->log, " cap=0x%x created_uid=0x%x",
                        (unsigned) mlx5_bits_get(in, req->inlen, CREATE_UCTX_CAP_BIT, 32),
                        (unsigned) mlx5_bits_get(out, req->outlen, UCTX_UID_BIT, 16));
        if (!error && opcode == MLX5_CMD_OP_DESTROY_UCTX)
                fprintf(s->log, " destroyed_uid=0x%x",
                        (unsigned) mlx5_bits_get(in, req->inlen, UCTX_UID_BIT, 16));
        fputc('\n', s->log);
        /* Flushed before the answer goes back: the caller may read it at once. */
        fflush(s->log);
}

static int answer(struct server *s, uint64_t seq, int error, const void *out, uint32_t outlen)
{
        g_autofree uint8_t *msg = g_malloc(sizeof(struct mlx5ctl_emu_answer) + outlen);
        struct mlx5ctl_emu_answer ans = { .seq = seq, .error = error, .outlen = error ? 0 : outlen };
        size_t len = sizeof(ans) + ans.outlen;

        memcpy(msg, &ans, sizeof(ans));
        if (ans.outlen)
                memcpy(msg + sizeof(ans), out, ans.outlen);
        if (write(s->control, msg, len) == (ssize_t) len)
                return 0;
        /* ENOENT: the command timed out in the kernel meanwhile; go on. */
        if (errno == ENOENT) {
                fprintf(stderr, "mlx5sim-server: answer %" PRIu64 " came too late\n", seq);
                return 0;
        }
        fprintf(stderr, "mlx5sim-server: writing answer %" PRIu64 ": %s\n", seq, g_strerror(errno));
        return -errno;
}

static int serve_one(struct server *s, uint8_t *buf, size_t size)
{
        struct mlx5ctl_emu_request req;
        g_autofree uint8_t *out = NULL;
        const uint8_t *in = buf + sizeof(req);
        ssize_t n;
        int error = 0;

        n = read(s->control, buf, size);
        if (n < 0)
                return errno == EINTR ? 0 : -errno;
        memcpy(&req, buf, MIN((size_t) n, sizeof(req)));
        if ((size_t) n < sizeof(req) || (size_t) n != sizeof(req) + req.inlen ||
            req.inlen < MLX5_MBOX_HDR_LEN || req.outlen > MLX5CTL_EMU_MAX_MSG) {
                fprintf(stderr, "mlx5sim-server: malformed request of %zd bytes\n", n);
                return -EPROTO;
        }
        out = g_malloc0(MAX(req.outlen, 1u));
        if (req.dev_index >= s->n_sims)
                error = -ENODEV;
        else
                error = mlx5_sim_exec(s->sims[req.dev_index], in, req.inlen, out, req.outlen);
        log_command(s, &req, in, out, error);
        return answer(s, req.seq, error, out, req.outlen);
}

static int write_attr(const char *path, const char *value)
{
        size_t len = strlen(value);
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        ssize_t n;
        int r;

        if (fd < 0)
                return -errno;
        n = write(fd, value, len);
        r = n == (ssize_t) len ? 0 : n < 0 ? -errno : -EIO;
        close(fd);
        return r;
}

/* Registers the functions from a thread: adding one sends it commands. */
static gpointer add_devices(gpointer data)
{
        struct server *s = data;
        unsigned added = 0;

        for (unsigned i = 0; i < s->n_sims; i++) {
                g_autofree char *line = g_strdup_printf("%u %s", i, mlx5_sim_pci_name(s->sims[i]));
                int r = write_attr(ADD_DEVICE_ATTR, line);

                if (r < 0)
                        fprintf(stderr, "mlx5sim-server: adding device %u (%s) with %s: %s\n", i,
                                mlx5_sim_pci_name(s->sims[i]), ADD_DEVICE_ATTR, g_strerror(-r));
                else
                        added++;
        }
        printf("mlx5sim-server: %u of %u devices added\n", added, s->n_sims);
        fflush(stdout);
        return NULL;
}

static const char *default_schema_dir(void)
{
        if (g_file_test(MLX5DBGFS_SOURCE_SCHEMA_DIR, G_FILE_TEST_IS_DIR))
                return MLX5DBGFS_SOURCE_SCHEMA_DIR;
        return MLX5DBGFS_SCHEMA_DIR;
}

int main(int argc, char **argv)
{
        g_autofree char *spec_text = NULL, *log_path = NULL, *schema_dir = NULL;
        g_autofree char *control_path = NULL;
        gboolean add = FALSE;
        GOptionEntry entries[] = {
                { "spec", 0, 0, G_OPTION_ARG_STRING, &spec_text, "Simulated functions, as --sim", "SPEC" },
                { "add", 0, 0, G_OPTION_ARG_NONE, &add, "Register the functions with mlx5ctl_emu", NULL },
                { "log", 0, 0, G_OPTION_ARG_FILENAME, &log_path, "One line per command", "FILE" },
                { "schema-dir", 0, 0, G_OPTION_ARG_FILENAME, &schema_dir, "Schema files", "DIR" },
                { "control", 0, 0, G_OPTION_ARG_FILENAME, &control_path, "Control node", "NODE" },
                { NULL },
        };
        g_autoptr(GOptionContext) ctx = g_option_context_new("- simulated firmware for mlx5ctl_emu");
        g_autoptr(GError) error = NULL;
        g_autoptr(mlx5_schema) schema = NULL;
        g_autoptr(mlx5_sim_spec) spec = NULL;
        g_autofree uint8_t *buf = NULL;
        struct server s = { .control = -1 };
        struct sigaction sa = { .sa_handler = on_stop_signal };
        GThread *adder = NULL;
        size_t size = sizeof(struct mlx5ctl_emu_request) + MLX5CTL_EMU_MAX_MSG;
        int r = 0;

        g_option_context_add_main_entries(ctx, entries, NULL);
        if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
                fprintf(stderr, "mlx5sim-server: %s\n", error->message);
                return 2;
        }
        schema = mlx5_schema_load_dir(schema_dir ? schema_dir : default_schema_dir(), &error);
        if (!schema) {
                fprintf(stderr, "mlx5sim-server: %s\n", error->message);
                return 1;
        }
        spec = mlx5_sim_spec_parse(spec_text ? spec_text : "", schema, &error);
        if (!spec) {
                fprintf(stderr, "mlx5sim-server: --spec: %s\n", error->message);
                return 2;
        }
        if (log_path) {
                s.log = fopen(log_path, "a");
                if (!s.log) {
                        fprintf(stderr, "mlx5sim-server: %s: %s\n", log_path, g_strerror(errno));
                        return 1;
                }
        }
        s.n_sims = mlx5_sim_spec_devices(spec);
        s.sims = g_new0(mlx5_sim *, s.n_sims);
        for (unsigned i = 0; i < s.n_sims; i++)
                s.sims[i] = mlx5_sim_new(schema, spec, i);

        s.control = open(control_path ? control_path : "/dev/mlx5ctl_emu", O_RDWR | O_CLOEXEC);
        if (s.control < 0) {
                fprintf(stderr, "mlx5sim-server: %s: %s (is mlx5ctl_emu.ko loaded, another server running?)\n",
                        control_path ? control_path : "/dev/mlx5ctl_emu", g_strerror(errno));
                r = 1;
                goto out;
        }
        /* No SA_RESTART: a signal must interrupt the blocking read. */
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        if (add)
                adder = g_thread_new("add-devices", add_devices, &s);

        buf = g_malloc(size);
        while (!stop_requested) {
                r = serve_one(&s, buf, size);
                if (r < 0) {
                        fprintf(stderr, "mlx5sim-server: %s\n", g_strerror(-r));
                        break;
                }
        }
        /* Closing the node fails whatever is still pending, so the adder returns. */
        close(s.control);
        if (adder)
                g_thread_join(adder);
out:
        for (unsigned i = 0; i < s.n_sims; i++)
                mlx5_sim_free(s.sims[i]);
        g_free(s.sims);
        if (s.log)
                fclose(s.log);
        return r < 0 ? 1 : r;
}
