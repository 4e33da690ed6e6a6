/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * User contexts and user memory: CREATE/DESTROY_UCTX hand out the uids that
 * fwctl and DEVX stamp into every command header, CREATE/DESTROY_UMEM the
 * memory objects a driver registers under them.  Both tables are bounded.
 * Layouts: mlx5_ifc.h create_uctx_in/out, destroy_uctx_in, create_umem_in/out
 * (umem_bits), destroy_umem_in.
 */
#include "prm/bits.h"
#include "sim/sim-private.h"

#define CREATE_UCTX_IN_LEN      0x40
#define CREATE_UCTX_CAP_BIT     0x80    /* uctx.cap, 32 bits */
#define UCTX_UID_BIT            0x50    /* create_uctx_out.uid, destroy_uctx_in.uid; 16 bits */
#define UID_MAX                 0xffff
#define CREATE_UMEM_IN_LEN      0x30    /* header, reserved, umem without its mtt list */
#define CREATE_UMEM_NUM_MTT_BIT 0x140   /* umem.num_of_mtt, 64 bits */
#define UMEM_MTT_LEN            8
#define UMEM_ID_BIT             0x48    /* create_umem_out.umem_id, destroy_umem_in.umem_id; 24 bits */
#define UMEM_ID_MAX             0xffffff

bool sim_uid_exists(const mlx5_sim *sim, unsigned uid)
{
        return g_hash_table_contains(sim->uctx, GUINT_TO_POINTER(uid));
}

/*
 * What a user context may read.  The fwctl driver asks for TOOLS_RESOURCES
 * ("allows commands to manipulate the global device state. Otherwise only
 * basic existing RDMA devx privilege are allowed"), and DEVX confines a uid
 * to the objects created under it.  So: uid 0 (the kernel) reads
 * everything; a uid with TOOLS_RESOURCES reads every object and the device
 * state; any other uid only objects of its own uid.  Real firmware is at
 * least this permissive (the README's device answered a kernel CQ to a uid
 * with caps 0x3, no TOOLS_RESOURCES); whether it is more is not published,
 * so the simulation takes this, the stricter rule.
 */
static bool uid_has_tools_resources(const mlx5_sim *sim, unsigned uid)
{
        gpointer cap;

        if (uid == 0)
                return true;
        if (!g_hash_table_lookup_extended(sim->uctx, GUINT_TO_POINTER(uid), NULL, &cap))
                return false;
        return GPOINTER_TO_UINT(cap) & MLX5_UCTX_CAP_TOOLS_RESOURCES;
}

/* An object of the population carries its creator's uid: the kernel's 0, or a process's own. */
bool sim_uid_may_read_object(const mlx5_sim *sim, unsigned uid, const struct sim_type *t, uint32_t slot)
{
        return uid_has_tools_resources(sim, uid) || sim_creator_uid(sim, sim_object_creator(sim, t, slot)) == uid;
}

/*
 * The processes' contexts live as long as the function (their objects do).
 * A verbs process's has no capability (mlx5_ib asks RAW_TX only for
 * CAP_NET_RAW); a DEVX application's has RAW_TX, to send raw packets.
 */
void sim_uctx_add_processes(mlx5_sim *sim)
{
        size_t n;
        const struct sim_creator *c = sim_creators(&n);

        for (size_t i = 0; i < n; i++)
                if (c[i].pid)
                        g_hash_table_insert(sim->uctx, GUINT_TO_POINTER(sim_creator_uid(sim, &c[i])),
                                            GUINT_TO_POINTER(c[i].kind == SIM_CREATOR_DEVX ? MLX5_UCTX_CAP_RAW_TX : 0));
}

static bool is_process_uid(const mlx5_sim *sim, unsigned uid)
{
        size_t n;
        const struct sim_creator *c = sim_creators(&n);

        for (size_t i = 0; i < n; i++)
                if (c[i].pid && sim_creator_uid(sim, &c[i]) == uid)
                        return true;
        return false;
}

bool sim_uid_may_read_device(const mlx5_sim *sim, unsigned uid)
{
        return uid_has_tools_resources(sim, uid);
}

/* What all four commands ask of their header: length, and op_mod 0. */
static unsigned check_request(struct sim_cmd *cmd, size_t need_in)
{
        unsigned status = sim_check_len(cmd, need_in, MLX5_MBOX_HDR_LEN);

        if (status != MLX5_CMD_STAT_OK)
                return status;
        if (mlx5_mbox_in_op_mod(cmd->in) != 0)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_OP_MOD);
        return MLX5_CMD_STAT_OK;
}

/* The next id in 1..mask that no live object has; the tables are bounded far below mask. */
static unsigned allocate_id(GHashTable *live, unsigned *next, unsigned mask)
{
        unsigned id;

        while (*next == 0 || g_hash_table_contains(live, GUINT_TO_POINTER(*next)))
                *next = (*next + 1) & mask;
        id = *next;
        *next = (id + 1) & mask;
        return id;
}

unsigned sim_cmd_create_uctx(struct sim_cmd *cmd)
{
        mlx5_sim *sim = cmd->sim;
        unsigned status = check_request(cmd, CREATE_UCTX_IN_LEN);
        unsigned uid;
        uint64_t cap;

        if (status != MLX5_CMD_STAT_OK)
                return status;
        cap = mlx5_bits_get(cmd->in, cmd->inlen, CREATE_UCTX_CAP_BIT, 32);
        if (cap & ~sim_general_cap(sim, "uctx_cap"))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_UCTX_CAP);
        if (g_hash_table_size(sim->uctx) >= SIM_MAX_UCTX)
                return sim_fail(cmd, MLX5_CMD_STAT_LIM_ERR, SIM_SITE_UCTX_LIMIT);

        /* uid 0 is the kernel's own. */
        uid = allocate_id(sim->uctx, &sim->next_uid, UID_MAX);
        g_hash_table_insert(sim->uctx, GUINT_TO_POINTER(uid), GUINT_TO_POINTER((unsigned) cap));
        mlx5_bits_set(cmd->out, cmd->outlen, UCTX_UID_BIT, 16, uid);
        return MLX5_CMD_STAT_OK;
}

static gboolean owned_by(gpointer key, gpointer value, gpointer user_data)
{
        return value == user_data;
}

unsigned sim_cmd_destroy_uctx(struct sim_cmd *cmd)
{
        mlx5_sim *sim = cmd->sim;
        unsigned status = check_request(cmd, MLX5_MBOX_HDR_LEN);
        unsigned uid;

        if (status != MLX5_CMD_STAT_OK)
                return status;
        uid = mlx5_bits_get(cmd->in, cmd->inlen, UCTX_UID_BIT, 16);
        if (uid == 0 || !sim_uid_exists(sim, uid))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_RES_ERR, SIM_SITE_UCTX_UNKNOWN);
        /* Objects first: a context with live memory or objects cannot go. */
        if (g_hash_table_find(sim->umem, owned_by, GUINT_TO_POINTER(uid)) || is_process_uid(sim, uid))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_RES_STATE_ERR, SIM_SITE_UCTX_BUSY);
        g_hash_table_remove(sim->uctx, GUINT_TO_POINTER(uid));
        return MLX5_CMD_STAT_OK;
}

unsigned sim_cmd_create_umem(struct sim_cmd *cmd)
{
        mlx5_sim *sim = cmd->sim;
        unsigned status = check_request(cmd, CREATE_UMEM_IN_LEN);
        uint64_t num_mtt;
        unsigned id;

        if (status != MLX5_CMD_STAT_OK)
                return status;
        num_mtt = mlx5_bits_get(cmd->in, cmd->inlen, CREATE_UMEM_NUM_MTT_BIT, 64);
        if (num_mtt == 0 || num_mtt > SIM_MAX_UMEM_MTT)
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_UMEM_MTT);
        status = sim_check_len(cmd, CREATE_UMEM_IN_LEN + num_mtt * UMEM_MTT_LEN, MLX5_MBOX_HDR_LEN);
        if (status != MLX5_CMD_STAT_OK)
                return status;
        if (g_hash_table_size(sim->umem) >= SIM_MAX_UMEM)
                return sim_fail(cmd, MLX5_CMD_STAT_LIM_ERR, SIM_SITE_UMEM_LIMIT);

        id = allocate_id(sim->umem, &sim->next_umem, UMEM_ID_MAX);
        /* The owner is the header's uid (0: the kernel). */
        g_hash_table_insert(sim->umem, GUINT_TO_POINTER(id), GUINT_TO_POINTER(mlx5_mbox_in_uid(cmd->in)));
        mlx5_bits_set(cmd->out, cmd->outlen, UMEM_ID_BIT, 24, id);
        return MLX5_CMD_STAT_OK;
}

unsigned sim_cmd_destroy_umem(struct sim_cmd *cmd)
{
        mlx5_sim *sim = cmd->sim;
        unsigned status = check_request(cmd, MLX5_MBOX_HDR_LEN);
        gpointer id, owner;

        if (status != MLX5_CMD_STAT_OK)
                return status;
        id = GUINT_TO_POINTER((unsigned) mlx5_bits_get(cmd->in, cmd->inlen, UMEM_ID_BIT, 24));
        if (!g_hash_table_lookup_extended(sim->umem, id, NULL, &owner))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_RES_ERR, SIM_SITE_UMEM_UNKNOWN);
        if (GPOINTER_TO_UINT(owner) != mlx5_mbox_in_uid(cmd->in))
                return sim_fail(cmd, MLX5_CMD_STAT_BAD_PARAM_ERR, SIM_SITE_UMEM_OWNER);
        g_hash_table_remove(sim->umem, id);
        return MLX5_CMD_STAT_OK;
}
