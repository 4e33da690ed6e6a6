/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The embedded simulated device.  The daemon reaches it through exactly the
 * same mailbox interface as real firmware: this file only moves bytes.
 */
#include <errno.h>

#include "transport/transport-sim.h"

struct sim_transport {
        mlx5_transport base;
        mlx5_sim *sim;
};

static int sim_exec(mlx5_transport *t, const void *in, size_t inlen, void *out, size_t outlen)
{
        struct sim_transport *st = (struct sim_transport *) t;

        /* What the kernel answers for a function that went away. */
        if (mlx5_sim_unplugged(st->sim))
                return -ENODEV;
        return mlx5_sim_exec(st->sim, in, inlen, out, outlen);
}

static void sim_format_peer_stats(mlx5_transport *t, GString *out)
{
        struct sim_transport *st = (struct sim_transport *) t;
        g_autoptr(GString) counts = g_string_new(NULL);
        g_auto(GStrv) lines = NULL;

        /* Prefix the firmware's own counts so they read apart from ours. */
        mlx5_sim_format_counts(st->sim, counts);
        lines = g_strsplit(counts->str, "\n", -1);
        for (char **l = lines; *l; l++)
                if (**l)
                        g_string_append_printf(out, "firmware.received.%s\n", *l);
}

static void sim_destroy(mlx5_transport *t)
{
        struct sim_transport *st = (struct sim_transport *) t;

        mlx5_sim_free(st->sim);
        g_free(st);
}

static const struct mlx5_transport_ops sim_ops = {
        .exec = sim_exec,
        .format_peer_stats = sim_format_peer_stats,
        .destroy = sim_destroy,
};

mlx5_transport *mlx5_transport_sim_new(mlx5_sim *sim, unsigned max_inflight)
{
        struct sim_transport *st = g_new0(struct sim_transport, 1);

        mlx5_transport_init(&st->base, &sim_ops, max_inflight);
        st->sim = sim;
        g_strlcpy(st->base.id.kind, "sim", sizeof(st->base.id.kind));
        g_strlcpy(st->base.id.node, "(embedded simulator)", sizeof(st->base.id.node));
        g_strlcpy(st->base.id.pci_name, mlx5_sim_pci_name(sim), sizeof(st->base.id.pci_name));
        return &st->base;
}
