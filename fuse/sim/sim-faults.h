/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fault injection: the simulator as a hostile or broken device, for the
 * test suites.  Spec keys (repeatable up to SIM_MAX_FAULTS):
 *
 *   fault=KIND[:ARG][@OPCODE]   OPCODE: only that command (name or number)
 *   faults_after=MS             faults start MS ms after the function is built
 *                               (so discovery at mount time sees a sane device)
 *
 * KIND: endless_dump (resource dumps never clear more_dump, each chunk full of
 * new resource segments), stuck_seq (the same with seq_num stuck at 0),
 * huge_ids:N (the host's debugfs views list N more objects, none of which
 * exists), slow:MS (each command MS ms more), hang[:MS] (no
 * answer for MS ms, default 10 minutes), truncate (dumps cut mid-segment;
 * queries answer only their first half), oversize (dump chunks claim more
 * bytes than the inline data holds), random (the output after the status is
 * random), wrong_status (an undefined status with a random syndrome).
 * The dump faults hit the menu, read at discovery: real firmware has no other
 * dump the daemon reads.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define SIM_MAX_FAULTS          8
#define SIM_MAX_FAULT_MS        3600000u
/* Names stay below 0xffffff: QP numbers are 24 bits. */
#define SIM_MAX_FAULT_IDS       4000000u

enum sim_fault_kind {
        SIM_FAULT_ENDLESS_DUMP,
        SIM_FAULT_STUCK_SEQ,
        SIM_FAULT_HUGE_IDS,
        SIM_FAULT_SLOW,
        SIM_FAULT_HANG,
        SIM_FAULT_TRUNCATE,
        SIM_FAULT_OVERSIZE,
        SIM_FAULT_RANDOM,
        SIM_FAULT_WRONG_STATUS,
};

struct sim_fault {
        enum sim_fault_kind kind;
        uint64_t arg;
        int opcode;                     /* -1: every command */
};

struct sim_faults {
        struct sim_fault fault[SIM_MAX_FAULTS];
        unsigned n;
        uint64_t after_ms;
        /* Per function, from sim_faults_init on: */
        int64_t active_from_us;
        uint64_t rng;                   /* under the function's lock */
        gint stopping;                  /* the function is being freed: hangs end */
};

struct sim_cmd;

/* The fault= and faults_after= spec keys: true when key is one (then *ret_ok says whether it parsed). */
bool sim_faults_parse(struct sim_faults *faults, const char *key, const char *value, bool *ret_ok, GError **error);
void sim_faults_init(struct sim_faults *faults, const struct sim_faults *spec, uint64_t seed);
void sim_faults_stop(struct sim_faults *faults);
/* Before a command runs, outside any lock: the slow and hang faults. */
void sim_faults_delay(struct sim_faults *faults, unsigned opcode);
/* A resource dump under a dump fault: true with the answer written and *ret_status. */
bool sim_faults_dump(struct sim_cmd *cmd, unsigned *ret_status);
/* The huge_ids fault: more names for a host view (debugfs directory). */
void sim_faults_host_names(struct sim_faults *faults, GPtrArray *names);
/* After a command ran (status written): the faults that spoil its answer. */
void sim_faults_spoil(struct sim_cmd *cmd);

/* sim-spec.c's bounded number parser, shared with the fault keys. */
bool sim_spec_number(const char *key, const char *value, uint64_t min, uint64_t max, uint64_t *ret_value,
                     GError **error);
