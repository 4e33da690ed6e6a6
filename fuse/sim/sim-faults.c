/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <string.h>

#include "sim/sim-faults.h"
#include "sim/sim-private.h"

/* Dump sessions of a fault carry this in device_opaque (real ones count up from 1). */
#define FAULT_OPAQUE_TAG        (UINT64_C(1) << 63)
/* Ids a fault lists: none of them exists (24-bit object numbers from here). */
#define FAULT_ID_BASE           0xc00000u
#define HANG_DEFAULT_MS         600000u
#define DELAY_SLICE_US          (50 * 1000)
/* A status no PRM table defines. */
#define UNDEFINED_STATUS        0x7e

static const struct {
        const char *name;
        enum sim_fault_kind kind;
        bool takes_arg, needs_arg;
        uint64_t min, max, dflt;
} kinds[] = {
        { "endless_dump", SIM_FAULT_ENDLESS_DUMP },
        { "stuck_seq", SIM_FAULT_STUCK_SEQ },
        { "huge_ids", SIM_FAULT_HUGE_IDS, true, true, 1, SIM_MAX_FAULT_IDS, 0 },
        { "slow", SIM_FAULT_SLOW, true, true, 1, SIM_MAX_FAULT_MS, 0 },
        { "hang", SIM_FAULT_HANG, true, false, 1, SIM_MAX_FAULT_MS, HANG_DEFAULT_MS },
        { "truncate", SIM_FAULT_TRUNCATE },
        { "oversize", SIM_FAULT_OVERSIZE },
        { "random", SIM_FAULT_RANDOM },
        { "wrong_status", SIM_FAULT_WRONG_STATUS },
};

static bool fault_error(GError **error, const char *value, const char *why)
{
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--sim: fault=%s: %s", value, why);
        return false;
}

static bool parse_fault(struct sim_faults *faults, const char *value, GError **error)
{
        g_autofree char *text = g_strdup(value);
        char *at = strchr(text, '@'), *colon;
        struct sim_fault f = { .opcode = -1 };
        unsigned opcode;
        size_t k;

        if (faults->n == SIM_MAX_FAULTS)
                return fault_error(error, value, "too many fault= keys (at most 8)");
        if (at) {
                *at++ = '\0';
                if (mlx5_opcode_parse(at, &opcode) < 0)
                        return fault_error(error, value, "not an opcode name or number after @");
                f.opcode = (int) opcode;
        }
        colon = strchr(text, ':');
        if (colon)
                *colon++ = '\0';
        for (k = 0; k < G_N_ELEMENTS(kinds); k++)
                if (strcmp(text, kinds[k].name) == 0)
                        break;
        if (k == G_N_ELEMENTS(kinds))
                return fault_error(error, value, "unknown fault (endless_dump, stuck_seq, huge_ids:N, slow:MS, "
                                                 "hang[:MS], truncate, oversize, random, wrong_status)");
        f.kind = kinds[k].kind;
        f.arg = kinds[k].dflt;
        if (colon && !kinds[k].takes_arg)
                return fault_error(error, value, "this fault takes no argument");
        if (!colon && kinds[k].needs_arg)
                return fault_error(error, value, "this fault needs :N");
        if (colon && !sim_spec_number(kinds[k].name, colon, kinds[k].min, kinds[k].max, &f.arg, error))
                return false;
        faults->fault[faults->n++] = f;
        return true;
}

bool sim_faults_parse(struct sim_faults *faults, const char *key, const char *value, bool *ret_ok, GError **error)
{
        if (strcmp(key, "fault") == 0)
                *ret_ok = parse_fault(faults, value, error);
        else if (strcmp(key, "faults_after") == 0)
                *ret_ok = sim_spec_number(key, value, 0, SIM_MAX_FAULT_MS, &faults->after_ms, error);
        else
                return false;
        return true;
}

void sim_faults_init(struct sim_faults *faults, const struct sim_faults *spec, uint64_t seed)
{
        *faults = *spec;
        faults->active_from_us = g_get_monotonic_time() + (int64_t) spec->after_ms * 1000;
        faults->rng = sim_mix64(seed ^ 0xfa017);
        faults->stopping = 0;
}

void sim_faults_stop(struct sim_faults *faults)
{
        g_atomic_int_set(&faults->stopping, 1);
}

/* The first active fault of one of the kinds (a bit mask) for opcode, or NULL. */
static const struct sim_fault *find(const struct sim_faults *faults, unsigned kind_mask, unsigned opcode)
{
        if (!faults->n || g_get_monotonic_time() < faults->active_from_us)
                return NULL;
        for (unsigned i = 0; i < faults->n; i++) {
                const struct sim_fault *f = &faults->fault[i];

                if ((kind_mask & (1u << f->kind)) && (f->opcode < 0 || (unsigned) f->opcode == opcode))
                        return f;
        }
        return NULL;
}

static uint64_t next_random(struct sim_faults *faults)
{
        return sim_mix64(faults->rng++);
}

void sim_faults_delay(struct sim_faults *faults, unsigned opcode)
{
        const struct sim_fault *f = find(faults, 1u << SIM_FAULT_SLOW | 1u << SIM_FAULT_HANG, opcode);
        int64_t until;

        if (!f)
                return;
        /* In slices, so that freeing the function ends a hang. */
        until = g_get_monotonic_time() + (int64_t) f->arg * 1000;
        while (!g_atomic_int_get(&faults->stopping) && g_get_monotonic_time() < until)
                g_usleep((gulong) MIN(DELAY_SLICE_US, MAX(until - g_get_monotonic_time(), 0)));
}

/* Real firmware has no dump that lists a type: every dump the daemon reads is the menu, at discovery. */
static bool is_dump(const struct sim_cmd *cmd)
{
        return cmd->opcode == MLX5_CMD_OP_ACCESS_REG && cmd->inlen >= MLX5_MBOX_HDR_LEN + MLX5_RSCDUMP_REG_LEN &&
               cmd->outlen >= MLX5_MBOX_HDR_LEN + MLX5_RSCDUMP_REG_LEN;
}

bool sim_faults_dump(struct sim_cmd *cmd, unsigned *ret_status)
{
        struct sim_faults *faults = &cmd->sim->faults;
        const struct sim_fault *f = find(faults, 1u << SIM_FAULT_ENDLESS_DUMP | 1u << SIM_FAULT_STUCK_SEQ,
                                         cmd->opcode);
        const uint8_t *req = cmd->in + MLX5_MBOX_HDR_LEN;
        uint8_t *resp = cmd->out + MLX5_MBOX_HDR_LEN;
        uint64_t opaque, next;
        unsigned seq, type;
        size_t size = 0;

        if (!f || !is_dump(cmd))
                return false;
        opaque = mlx5_bits_get(req, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_DEVICE_OPAQUE_BIT, 64);
        if (opaque && !(opaque & FAULT_OPAQUE_TAG))
                return false;   /* a session begun before the fault: let it end */
        next = opaque & ~FAULT_OPAQUE_TAG;
        seq = mlx5_bits_get(req, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_SEQ_NUM_BIT, 4);
        type = mlx5_bits_get(req, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_SEGMENT_TYPE_BIT, 16);

        memcpy(resp, req, MLX5_RSCDUMP_INLINE_BYTE);
        /* Whole resource segments (header, index1, index2) while they fit. */
        while (size + MLX5_RSCDUMP_RES_PAYLOAD_BYTE <= MLX5_RSCDUMP_INLINE_LEN) {
                uint8_t *seg = resp + MLX5_RSCDUMP_INLINE_BYTE + size;

                memset(seg, 0, MLX5_RSCDUMP_RES_PAYLOAD_BYTE);
                mlx5_bits_set(seg, MLX5_RSCDUMP_RES_PAYLOAD_BYTE, MLX5_RSCDUMP_SEG_LENGTH_DW_BIT, 16,
                              MLX5_RSCDUMP_RES_PAYLOAD_BYTE / 4);
                mlx5_bits_set(seg, MLX5_RSCDUMP_RES_PAYLOAD_BYTE, MLX5_RSCDUMP_SEG_TYPE_BIT, 16, type);
                mlx5_bits_set(seg, MLX5_RSCDUMP_RES_PAYLOAD_BYTE, MLX5_RSCDUMP_RES_INDEX1_BIT, 32,
                              (FAULT_ID_BASE + next) & 0xffffff);
                size += MLX5_RSCDUMP_RES_PAYLOAD_BYTE;
                next++;
        }
        mlx5_bits_set(resp, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_MORE_DUMP_BIT, 1, 1);
        mlx5_bits_set(resp, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_SEQ_NUM_BIT, 4,
                      f->kind == SIM_FAULT_STUCK_SEQ ? 0 : (seq + 1) & 0xf);
        mlx5_bits_set(resp, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_DEVICE_OPAQUE_BIT, 64, FAULT_OPAQUE_TAG | next);
        mlx5_bits_set(resp, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_SIZE_BIT, 32, size);
        *ret_status = MLX5_CMD_STAT_OK;
        return true;
}

void sim_faults_host_names(struct sim_faults *faults, GPtrArray *names)
{
        const struct sim_fault *f = find(faults, 1u << SIM_FAULT_HUGE_IDS, 0);

        for (uint64_t i = 0; f && i < f->arg; i++)
                g_ptr_array_add(names, g_strdup_printf("0x%x", (unsigned) (FAULT_ID_BASE + i)));
}

void sim_faults_spoil(struct sim_cmd *cmd)
{
        struct sim_faults *faults = &cmd->sim->faults;
        const struct sim_fault *f = find(faults, 1u << SIM_FAULT_TRUNCATE | 1u << SIM_FAULT_OVERSIZE |
                                                         1u << SIM_FAULT_RANDOM | 1u << SIM_FAULT_WRONG_STATUS,
                                         cmd->opcode);
        uint8_t *resp = cmd->out + MLX5_MBOX_HDR_LEN;
        bool dump = is_dump(cmd);
        uint64_t size;

        if (!f)
                return;
        switch (f->kind) {
        case SIM_FAULT_TRUNCATE:
                if (dump) {
                        /* The stream ends here, two bytes short of a dword: mid-segment whatever the layout. */
                        size = mlx5_bits_get(resp, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_SIZE_BIT, 32);
                        mlx5_bits_set(resp, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_MORE_DUMP_BIT, 1, 0);
                        mlx5_bits_set(resp, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_SIZE_BIT, 32, size > 2 ? size - 2 : 0);
                } else if (cmd->out[0] == MLX5_CMD_STAT_OK) {
                        memset(cmd->out + cmd->outlen / 2, 0, cmd->outlen - cmd->outlen / 2);
                }
                break;
        case SIM_FAULT_OVERSIZE:
                if (dump)
                        mlx5_bits_set(resp, MLX5_RSCDUMP_REG_LEN, MLX5_RSCDUMP_SIZE_BIT, 32, 0x10000);
                break;
        case SIM_FAULT_RANDOM:
                /* Status OK, so that the junk reaches the parsers. */
                for (size_t i = 4; i < cmd->outlen; i++)
                        cmd->out[i] = (uint8_t) next_random(faults);
                cmd->out[0] = MLX5_CMD_STAT_OK;
                break;
        case SIM_FAULT_WRONG_STATUS:
                memset(cmd->out, 0, cmd->outlen);
                cmd->out[0] = UNDEFINED_STATUS;
                mlx5_be32_set(cmd->out + 4, (uint32_t) next_random(faults));
                break;
        default:
                break;
        }
}
