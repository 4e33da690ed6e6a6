/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulated ConnectX firmware.  It sees only command mailboxes: bytes
 * in, bytes out, status and syndrome on errors, exactly like the firmware
 * behind the mlx5 command interface.  Everything it knows about layouts it
 * takes from the schema, so a field added there is filled here too.
 *
 * One mlx5_sim is one PCI function.  All entry points are thread-safe;
 * several commands may be in flight at once (latency is spent outside the
 * lock, like real command slots).
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "schema/schema.h"

typedef struct mlx5_sim mlx5_sim;
typedef struct mlx5_sim_spec mlx5_sim_spec;

/*
 * "devices=2,qp=10000,cq=2000,seed=7,latency_us=50,churn=500,fail=QUERY_CQ"
 * Object counts use the schema's resource names as keys; "" gives the
 * default (one device, a few hundred objects).  churn=N makes N object
 * changes a second per function, as a live workload does: objects are
 * destroyed (their queries answer BAD_RES), created under new numbers, and
 * change state; an object others reference is never destroyed, and one no
 * change touched answers the same bytes.  0, the default, keeps every
 * object as built.  unplug=INDEX@MS takes function INDEX away MS
 * milliseconds after it is built.  Errors name the bad key.
 */
mlx5_sim_spec *mlx5_sim_spec_parse(const char *text, const mlx5_schema *schema, GError **error);
void mlx5_sim_spec_free(mlx5_sim_spec *spec);
unsigned mlx5_sim_spec_devices(const mlx5_sim_spec *spec);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(mlx5_sim_spec, mlx5_sim_spec_free)

/* Builds function number index (0-based) of the spec; deterministic from the seed. */
mlx5_sim *mlx5_sim_new(const mlx5_schema *schema, const mlx5_sim_spec *spec, unsigned index);
void mlx5_sim_free(mlx5_sim *sim);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(mlx5_sim, mlx5_sim_free)

/*
 * Whether the function is gone (spec unplug=INDEX@MS: MS milliseconds after
 * it was built), as on surprise removal or a firmware reset that takes the
 * function away: the kernel then answers ENODEV and firmware sees nothing.
 */
bool mlx5_sim_unplugged(const mlx5_sim *sim);

/* "0000:08:00.<index>" style address of this function. */
const char *mlx5_sim_pci_name(const mlx5_sim *sim);

/*
 * The firmware entry point.  Returns 0 with an answer in out (check its
 * status), or -EINVAL when either buffer cannot even hold a mailbox header.
 */
int mlx5_sim_exec(mlx5_sim *sim, const void *in, size_t inlen, void *out, size_t outlen);

/*
 * Commands received so far, per opcode ("QUERY_QP: 12" lines), then with
 * churn on "churn.created: N", churn.destroyed, churn.changed and
 * churn.dropped (steps an idle gap skipped); and one count.
 */
void mlx5_sim_format_counts(mlx5_sim *sim, GString *out);
uint64_t mlx5_sim_count(mlx5_sim *sim, unsigned opcode);
/* The uid in the header of the last command with this opcode (0 if none yet). */
unsigned mlx5_sim_last_uid(mlx5_sim *sim, unsigned opcode);

/*
 * The object numbers of a schema resource on this function as built,
 * ascending; NULL with *ret_n = 0 for an unknown name or a singleton.  Valid
 * until free.  Churn does not change them: see mlx5_sim_live_ids.
 */
const uint32_t *mlx5_sim_object_ids(const mlx5_sim *sim, const char *type, size_t *ret_n);
/* The same for the objects alive now, in a copy the caller frees. */
uint32_t *mlx5_sim_live_ids(mlx5_sim *sim, const char *type, size_t *ret_n);
/*
 * One line per live object: "<pci-name> <type> 0x<id> <state name, or ->
 * <creator> <views> <refs>": the creator "[module]" or "comm:pid"; views,
 * where the host's kernel shows it ("netlink,debugfs", or "-"); refs, the
 * object numbers its context holds ("cqn_snd=0x431,cqn_rcv=0x454", or "-").
 */
void mlx5_sim_format_manifest(mlx5_sim *sim, GString *out);

/*
 * What the host's kernel shows of this function besides its firmware, in
 * the kernel's own shapes (sim-host.c).  The RDMA device it registers:
 */
const char *mlx5_sim_rdma_name(const mlx5_sim *sim);
/* Sees one reply buffer; > 0 to go on, 0 when complete, -errno to stop. */
typedef int (*mlx5_sim_netlink_fn)(const void *buf, size_t len, void *user_data);
/*
 * Answers one RDMA_NL_NLDEV request as the kernel's nldev does: dumps of
 * the device (CMD_GET) and of its tracked QPs and MRs (CMD_RES_QP_GET,
 * CMD_RES_MR_GET, which must name this device's index), NLMSG_ERROR for
 * anything else.  -EINVAL for a request that is not one netlink message.
 */
int mlx5_sim_netlink(mlx5_sim *sim, const void *req, size_t len, mlx5_sim_netlink_fn fn, void *user_data);
/* Entry names ("0x1a3") of the function's mlx5 debugfs directory dir ("QPs", "CQs", "EQs"); -ENOENT. */
int mlx5_sim_debugfs_list(mlx5_sim *sim, const char *dir, GPtrArray **ret_names);
/* The comm of a process that owns objects of the function, or -ESRCH. */
int mlx5_sim_comm(const mlx5_sim *sim, uint32_t pid, char **ret_comm);
