/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Transport: how command mailboxes reach firmware and come back.
 *
 * One transport per device function.  Implementations (the simulated
 * device, the mlx5ctl misc node, fwctl) only move bytes; this common layer
 * enforces the read-only allow-list, the in-flight limit and keeps
 * per-opcode statistics, so no implementation can bypass them.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mlx5_transport mlx5_transport;

struct mlx5_transport_identity {
        char kind[16];          /* "sim", "mlx5ctl", "fwctl" */
        char node[256];         /* device node, or "(embedded)" for the simulator */
        char pci_name[64];      /* PCI address of the function, e.g. 0000:08:00.0 */
        uint16_t uctx_uid;      /* firmware user context of this handle */
        uint32_t uctx_cap;      /* caps granted to that context */
};

struct mlx5_transport_ops {
        /*
         * Deliver one command.  Returns 0 when firmware answered (its
         * status and syndrome are in out), -ENODEV when the device is gone,
         * another -errno when the command never reached firmware.
         */
        int (*exec)(mlx5_transport *t, const void *in, size_t inlen, void *out, size_t outlen);
        /* Optional: counters kept by the far side (the simulator's own). */
        void (*format_peer_stats)(mlx5_transport *t, GString *out);
        void (*destroy)(mlx5_transport *t);
};

struct mlx5_transport {
        const struct mlx5_transport_ops *ops;
        struct mlx5_transport_identity id;
        struct mlx5_cmd_stats *stats;   /* owned; see cmd-stats.h */
        unsigned max_inflight;
        unsigned inflight;              /* slots taken, timed-out commands included until they end */
        int64_t timeout_us;             /* per command; past it the caller gets -EIO */
        uint64_t timeouts, interrupted; /* commands given up on, by timeout and by the reader */
        GThreadPool *senders;           /* run ops->exec, so a caller can stop waiting */
        GThreadPool *batchers;          /* run batches (batch.h), one thread per slot */
        GCond drained;                  /* broadcast when the last command in flight ends */
        int64_t rate_interval_us;       /* 0: no rate cap; else one command per interval */
        int64_t next_send_us;           /* monotonic time the next command may go */
        GMutex lock;
        GCond slot_free;
        unsigned slot_waiters;          /* callers waiting on slot_free: none, no wake-up (a futex call) */
        unsigned batch_items;           /* items of batch work under way (batch.h) */
};

/*
 * Adds delta to the idle threads the shared (non-exclusive) thread pools
 * keep for their next burst: each pool adds its maximum when made and
 * takes it back when freed.
 */
void mlx5_pool_threads_keep_idle(int delta);

/* For implementations: set up the common part (ops and identity filled by the caller). */
void mlx5_transport_init(mlx5_transport *t, const struct mlx5_transport_ops *ops, unsigned max_inflight);

/* Caps the commands per second sent to this device (0 lifts the cap). */
/* How long a caller waits for one command (0: the default, 60 s as firmware's own). */
void mlx5_transport_set_timeout(mlx5_transport *t, int64_t timeout_us);

void mlx5_transport_set_max_rate(mlx5_transport *t, unsigned per_second);

/*
 * Send a command: refuses anything but read-only queries (-EPERM), waits for
 * its turn under the rate cap and for a free command slot, counts and times
 * the command.  Firmware errors are not
 * transport errors: check the outbox status.  A command not answered within
 * the timeout gives -EIO (logged, counted); one whose caller is cancelled
 * (cancel.h) -EINTR.  Either way the command keeps its slot until it really
 * ends, and its late answer is dropped.
 */
int mlx5_transport_exec(mlx5_transport *t, const void *in, size_t inlen, void *out, size_t outlen);

/*
 * For the batch engine (batch.c), t->lock held: takes a command slot, waiting
 * for one up to the timeout (0, else -EIO logged and counted, or -EINTR); and
 * gives one back (after the command really ended).
 */
int mlx5_transport_take_slot_locked(mlx5_transport *t, const void *in);
void mlx5_transport_put_slot_locked(mlx5_transport *t);
/* Gives up on a command, t->lock held: -EINTR counted, or -EIO counted and logged (sent: it is in firmware). */
int mlx5_transport_give_up_locked(mlx5_transport *t, const void *in, int why, bool sent);
/* Sleeps until the rate cap lets the next command go (no cap: at once). */
void mlx5_transport_wait_for_rate(mlx5_transport *t);
/* Counts and times one command that went to ops->exec (start: monotonic µs when it went). */
void mlx5_transport_record(mlx5_transport *t, const void *in, int r, const void *out, int64_t start);

/* True for commands a read-only debug tool may send (opcode, op_mod, register). */
gboolean mlx5_transport_is_allowed(const uint8_t *in, size_t inlen);

/* Whether items of batch work (batch.h) are under way. */
bool mlx5_transport_batch_busy(mlx5_transport *t);

void mlx5_transport_format_stats(mlx5_transport *t, GString *out);
/*
 * False when commands were still in firmware after a grace period: then
 * the transport is left to process exit (their threads still use it), and
 * so must be whatever batch work still under way uses (the device): see
 * mlx5_transport_batch_busy, which may still be called then.
 */
bool mlx5_transport_free(mlx5_transport *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(mlx5_transport, mlx5_transport_free)
