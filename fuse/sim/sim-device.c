/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One simulated PCI function: its life cycle and the firmware entry point.
 * Every command is counted, waits for a free slot, spends its latency
 * outside any lock (so commands overlap as on real hardware), then runs
 * under the function's lock, after the churn due by then.  Errors carry a
 * status and a syndrome that names the failing check.
 */
#include <errno.h>
#include <string.h>

#include "sim/sim-driven.h"

/* Syndromes: 0x51 (for "sim"), the check that failed, the opcode. */
#define SIM_SYNDROME_TAG 0x51u

mlx5_sim *mlx5_sim_new(const mlx5_schema *schema, const mlx5_sim_spec *spec, unsigned index)
{
        mlx5_sim *sim = g_new0(mlx5_sim, 1);

        sim->schema = schema;
        sim->index = index;
        /* Eight functions per PCI device, then the next device number. */
        g_snprintf(sim->pci_name, sizeof(sim->pci_name), "0000:08:%02x.%u", (index / 8) & 0x1f, index % 8);
        g_snprintf(sim->rdma_name, sizeof(sim->rdma_name), "mlx5_%u", index);
        sim->seed = spec->seed;
        sim->clock_us = g_get_monotonic_time;
        sim->born_us = sim->clock_us();
        sim->latency_us = spec->latency_us;
        sim->slots = spec->slots;
        sim->n_fail = spec->n_fail;
        memcpy(sim->fail, spec->fail, sizeof(sim->fail));
        sim_faults_init(&sim->faults, &spec->faults, spec->seed + index);
        if (spec->unplug_index == (int) index)
                sim->unplug_at_us = g_get_monotonic_time() + (int64_t) spec->unplug_ms * 1000;

        g_mutex_init(&sim->slot_lock);
        g_cond_init(&sim->slot_free);
        g_mutex_init(&sim->lock);
        sim->opstats = g_hash_table_new_full(NULL, NULL, NULL, g_free);
        sim->uctx = g_hash_table_new(NULL, NULL);
        sim->next_uid = 1;
        sim->umem = g_hash_table_new(NULL, NULL);
        sim->next_umem = 1;
        sim->dump_sessions = g_queue_new();
        sim->next_dump_opaque = 1;

        sim_populate(sim, spec);
        sim_rscdump_init(sim);
        sim_uctx_add_processes(sim);
        sim_churn_init(sim, spec->churn);
        return sim;
}

void mlx5_sim_free(mlx5_sim *sim)
{
        if (!sim)
                return;
        sim_faults_stop(&sim->faults);
        sim_hca_free(sim->hca);
        sim_populate_clear(sim);
        g_queue_free_full(sim->dump_sessions, sim_rscdump_session_free);
        sim_rscdump_clear(sim);
        g_hash_table_unref(sim->umem);
        g_hash_table_unref(sim->uctx);
        g_hash_table_unref(sim->opstats);
        g_mutex_clear(&sim->lock);
        g_cond_clear(&sim->slot_free);
        g_mutex_clear(&sim->slot_lock);
        g_free(sim);
}

bool mlx5_sim_unplugged(const mlx5_sim *sim)
{
        return sim->unplug_at_us && g_get_monotonic_time() >= sim->unplug_at_us;
}

const char *mlx5_sim_pci_name(const mlx5_sim *sim)
{
        return sim->pci_name;
}

unsigned sim_fail(struct sim_cmd *cmd, unsigned status, enum sim_site site)
{
        cmd->syndrome = SIM_SYNDROME_TAG << 24 | (uint32_t) site << 16 | (cmd->opcode & 0xffff);
        return status;
}

unsigned sim_check_len(struct sim_cmd *cmd, size_t need_in, size_t need_out)
{
        if (cmd->inlen < need_in)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_INP_LEN_ERR, SIM_SITE_INLEN);
        if (cmd->outlen < need_out)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_OUTP_LEN_ERR, SIM_SITE_OUTLEN);
        return MLX5_CMD_STAT_OK;
}

static struct sim_opstat *opstat(mlx5_sim *sim, unsigned opcode)
{
        struct sim_opstat *s = g_hash_table_lookup(sim->opstats, GUINT_TO_POINTER(opcode));

        if (!s) {
                s = g_new0(struct sim_opstat, 1);
                g_hash_table_insert(sim->opstats, GUINT_TO_POINTER(opcode), s);
        }
        return s;
}

static bool injected_failure(const mlx5_sim *sim, unsigned opcode)
{
        for (unsigned i = 0; i < sim->n_fail; i++)
                if (sim->fail[i] == opcode)
                        return true;
        return false;
}

/* A schema resource answers its opcode; the op_mod must be the schema's. */
static unsigned query_by_schema(struct sim_cmd *cmd)
{
        unsigned op_mod = mlx5_mbox_in_op_mod(cmd->in);
        bool known = false;

        for (unsigned i = 0; i < cmd->sim->n_types; i++) {
                struct sim_type *t = &cmd->sim->types[i];

                if (t->res->opcode != cmd->opcode)
                        continue;
                if (t->res->op_mod != op_mod) {
                        known = true;
                        continue;
                }
                /* The queries whose input holds more than an object number. */
                switch (cmd->opcode) {
                case MLX5_CMD_OP_QUERY_VPORT_COUNTER:
                        return sim_cmd_query_vport_counter(cmd, t);
                case MLX5_CMD_OP_QUERY_NIC_VPORT_CONTEXT:
                case MLX5_CMD_OP_QUERY_HCA_VPORT_CONTEXT:
                case MLX5_CMD_OP_QUERY_VPORT_STATE:
                        return sim_cmd_query_vport(cmd, t);
                case MLX5_CMD_OP_QUERY_Q_COUNTER:
                        return sim_cmd_query_q_counter(cmd, t);
                default:
                        return sim_cmd_query_resource(cmd, t);
                }
        }
        if (known)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_OP_MOD);
        return sim_fail(cmd, MLX5_CMD_STAT_BAD_OP_ERR, SIM_SITE_BAD_OPCODE);
}

static unsigned dispatch(struct sim_cmd *cmd)
{
        mlx5_sim *sim = cmd->sim;
        unsigned uid = mlx5_mbox_in_uid(cmd->in);
        struct sim_opstat *s = opstat(sim, cmd->opcode);
        unsigned status;

        s->count++;
        s->last_uid = uid;
        if (injected_failure(sim, cmd->opcode))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_SYS_STATE_ERR, SIM_SITE_FAIL_INJECTED);
        if (sim->hca && sim_hca_dispatch(cmd, &status))
                return status;
        if (uid != 0 && !sim_uid_exists(sim, uid))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_UNKNOWN_UID);

        switch (cmd->opcode) {
        case MLX5_CMD_OP_QUERY_HCA_CAP:
                return sim_cmd_query_hca_cap(cmd);
        case MLX5_CMD_OP_ACCESS_REG:
                return sim_cmd_access_reg(cmd);
        case MLX5_CMD_OP_QUERY_ISSI:
                return sim_cmd_query_issi(cmd);
        case MLX5_CMD_OP_CREATE_UCTX:
                return sim_cmd_create_uctx(cmd);
        case MLX5_CMD_OP_DESTROY_UCTX:
                return sim_cmd_destroy_uctx(cmd);
        case MLX5_CMD_OP_CREATE_UMEM:
                return sim_cmd_create_umem(cmd);
        case MLX5_CMD_OP_DESTROY_UMEM:
                return sim_cmd_destroy_umem(cmd);
        default:
                return query_by_schema(cmd);
        }
}

static bool overlap(const void *a, size_t alen, const void *b, size_t blen)
{
        uintptr_t pa = (uintptr_t) a, pb = (uintptr_t) b;

        return pa < pb + blen && pb < pa + alen;
}

/* A free slot taken, without a lock; false when every slot is taken. */
static bool try_take_slot(mlx5_sim *sim)
{
        gint n = g_atomic_int_get(&sim->in_flight);

        while (n < (gint) sim->slots) {
                if (g_atomic_int_compare_and_exchange_full(&sim->in_flight, n, n + 1, &n)) {
                        gint peak = g_atomic_int_get(&sim->peak_in_flight);

                        while (peak < n + 1 &&
                               !g_atomic_int_compare_and_exchange_full(&sim->peak_in_flight, peak, n + 1, &peak))
                                ;
                        return true;
                }
        }
        return false;
}

/*
 * A slot for one command: at once while one is free (no lock), else in
 * turn.  A waiter counts itself before it looks again, and put_slot frees
 * before it looks for waiters: either the waiter sees the slot freed or the
 * freer sees the waiter and signals (under slot_lock, so never before the
 * waiter sleeps).
 */
static void take_slot(mlx5_sim *sim)
{
        if (try_take_slot(sim))
                return;
        g_mutex_lock(&sim->slot_lock);
        sim->slot_waits++;
        g_atomic_int_inc(&sim->slot_waiters);
        while (!try_take_slot(sim))
                g_cond_wait(&sim->slot_free, &sim->slot_lock);
        g_atomic_int_add(&sim->slot_waiters, -1);
        g_mutex_unlock(&sim->slot_lock);
}

static void put_slot(mlx5_sim *sim)
{
        g_atomic_int_add(&sim->in_flight, -1);
        if (!g_atomic_int_get(&sim->slot_waiters))
                return;
        g_mutex_lock(&sim->slot_lock);
        g_cond_signal(&sim->slot_free);
        g_mutex_unlock(&sim->slot_lock);
}

int mlx5_sim_exec(mlx5_sim *sim, const void *in, size_t inlen, void *out, size_t outlen)
{
        /* Callers may answer in place, as the kernel does for register access. */
        g_autofree uint8_t *in_copy = NULL;
        struct sim_cmd cmd = {
                .sim = sim,
                .in = in,
                .inlen = inlen,
                .out = out,
                .outlen = outlen,
        };
        unsigned status;

        if (!in || !out || inlen < MLX5_MBOX_HDR_LEN || outlen < MLX5_MBOX_HDR_LEN)
                return -EINVAL;
        if (overlap(in, inlen, out, outlen))
                cmd.in = in_copy = g_memdup2(in, inlen);
        cmd.opcode = mlx5_mbox_in_opcode(cmd.in);

        take_slot(sim);
        if (sim->latency_us)
                g_usleep(sim->latency_us);
        sim_faults_delay(&sim->faults, cmd.opcode);

        /* Outside the lock: every command's only section under it is what reads the model. */
        memset(out, 0, outlen);
        g_mutex_lock(&sim->lock);
        sim_churn_tick(sim, g_get_monotonic_time());
        status = dispatch(&cmd);
        if (status != MLX5_CMD_STAT_OK) {
                memset(out, 0, outlen);
                cmd.out[0] = status;
                mlx5_be32_set(cmd.out + 4, cmd.syndrome);
        }
        sim_faults_spoil(&cmd);
        g_mutex_unlock(&sim->lock);
        put_slot(sim);
        return 0;
}

/* A copy, taken under the lock; zero for an opcode never received. */
static struct sim_opstat opstat_snapshot(mlx5_sim *sim, unsigned opcode)
{
        struct sim_opstat copy = { 0 };
        const struct sim_opstat *s;

        g_mutex_lock(&sim->lock);
        s = g_hash_table_lookup(sim->opstats, GUINT_TO_POINTER(opcode));
        if (s)
                copy = *s;
        g_mutex_unlock(&sim->lock);
        return copy;
}

uint64_t mlx5_sim_count(mlx5_sim *sim, unsigned opcode)
{
        return opstat_snapshot(sim, opcode).count;
}

unsigned mlx5_sim_last_uid(mlx5_sim *sim, unsigned opcode)
{
        return opstat_snapshot(sim, opcode).last_uid;
}

static int compare_opcodes(gconstpointer a, gconstpointer b)
{
        unsigned x = GPOINTER_TO_UINT(a), y = GPOINTER_TO_UINT(b);

        return x < y ? -1 : x > y;
}

void mlx5_sim_format_counts(mlx5_sim *sim, GString *out)
{
        GList *opcodes;

        g_mutex_lock(&sim->lock);
        opcodes = g_list_sort(g_hash_table_get_keys(sim->opstats), compare_opcodes);
        for (GList *l = opcodes; l; l = l->next) {
                unsigned opcode = GPOINTER_TO_UINT(l->data);
                const struct sim_opstat *s = g_hash_table_lookup(sim->opstats, l->data);
                const char *name = mlx5_opcode_name(opcode);

                if (name)
                        g_string_append_printf(out, "%s: %" G_GUINT64_FORMAT "\n", name, s->count);
                else
                        g_string_append_printf(out, "0x%x: %" G_GUINT64_FORMAT "\n", opcode, s->count);
        }
        sim_churn_format_counts(sim, out);
        g_mutex_unlock(&sim->lock);
        g_list_free(opcodes);
}

const uint32_t *mlx5_sim_object_ids(const mlx5_sim *sim, const char *type, size_t *ret_n)
{
        const struct sim_type *t = sim_find_type(sim, type);

        if (!t || !t->res->has_id) {
                *ret_n = 0;
                return NULL;
        }
        *ret_n = t->n;
        return t->ids;
}

uint32_t *mlx5_sim_live_ids(mlx5_sim *sim, const char *type, size_t *ret_n)
{
        const struct sim_type *t = sim_find_type(sim, type);
        uint32_t *ids, id, slot;
        uint64_t next = 0;
        size_t n = 0;

        *ret_n = 0;
        if (!t || !t->res->has_id)
                return NULL;
        g_mutex_lock(&sim->lock);
        /* Churn keeps the population's size: as many as were built. */
        ids = g_new(uint32_t, MAX(t->n, 1));
        while (next <= UINT32_MAX && n < t->n && sim_index_next(&t->index, next, &id, &slot)) {
                ids[n++] = id;
                next = (uint64_t) id + 1;
        }
        g_mutex_unlock(&sim->lock);
        *ret_n = n;
        return ids;
}
