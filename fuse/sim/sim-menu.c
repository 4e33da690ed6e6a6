/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The resource-dump menu of the simulated ConnectX-6 Dx: the 45 records the
 * one public menu of a real one shows (real-device.md §1, the mlx5ctl README
 * at 206ee1f), in its order, with its names and support flags, plus what
 * this firmware puts behind each record.  The menu is data: sim-rscdump.c
 * writes it and enforces its flags, and answers each segment by its kind.
 *
 * PRM_QUERY_* carry the query output (the kernel's restrack decodes them
 * so); QUERY_VNIC_ENV carries query_vnic_env_out by the same analogy, not
 * published; the others are
 * firmware-internal and not public, so their payloads are deterministic
 * opaque bytes of a plausible size (README.md, "Simulated firmware").
 */
#include "sim/sim-private.h"

/* A record's flags as real-device.md's columns read: support/must_have, and all/active for counts. */
#define I1(support, must)       ((support) * SIM_MENU_SUPPORT_INDEX1 | (must) * SIM_MENU_MUST_INDEX1)
#define I2(support, must)       ((support) * SIM_MENU_SUPPORT_INDEX2 | (must) * SIM_MENU_MUST_INDEX2)
#define N1(support, must, all, active) \
        ((support) * SIM_MENU_SUPPORT_NUM1 | (must) * SIM_MENU_MUST_NUM1 | (all) * SIM_MENU_ALL_NUM1 | \
         (active) * SIM_MENU_ACTIVE_NUM1)
#define N2(support, must, all, active) \
        ((support) * SIM_MENU_SUPPORT_NUM2 | (must) * SIM_MENU_MUST_NUM2 | (all) * SIM_MENU_ALL_NUM2 | \
         (active) * SIM_MENU_ACTIVE_NUM2)

/* Entry sizes of the queue buffers: WQE basic block, data segment, CQE, EQE. */
#define WQEBB_BYTES     64
#define DS_BYTES        16
#define CQE_BYTES       64
#define EQE_BYTES       64

/*
 * What the simulated device holds behind the records that are not its
 * objects.  How many of each a real ConnectX-6 Dx has is not public; these
 * are plausible.  It has no steering objects (no flow table, group, entry,
 * STE, modify-header, reformat or counter is ever created in the
 * simulation), so every index of those is refused and their "_ALL"
 * segments carry no record.
 */
#define SLICES          2       /* SX and RX pipeline slices */
#define ICMC_SETS       4       /* ICM cache sets */
#define SCHED_QUEUES    8       /* one per traffic class */
#define VQOS_SKIP_LOCK  2       /* VQOS_TREE's index reads as a flag; other values are not published: refused */

#define OBJ(k, type, n)                 .kind = (k), .object = (type), .bytes = (n)
#define TABLE(entries, n, all)          .kind = SIM_MENU_TABLE, .count = (entries), .bytes = (n), .every = (all)
#define DEVICE(n)                       .kind = SIM_MENU_DEVICE, .bytes = (n)

static const struct sim_menu_record records[] = {
        { 0x2, "HW_CQPC", "QPN", "N/A", I1(1, 1), OBJ(SIM_MENU_OBJECT, "qp", 0x100) },
        { 0x3, "HW_SQPC", "QPN", "N/A", I1(1, 1), OBJ(SIM_MENU_OBJECT, "qp", 0x100) },
        { 0x4, "HW_RQPC", "QPN", "N/A", I1(1, 1), OBJ(SIM_MENU_OBJECT, "qp", 0x100) },
        { 0x1100, "FULL_SRQC", "SRQN", "N/A", I1(1, 1), OBJ(SIM_MENU_OBJECT, "srq", 0x100) },
        { 0x1200, "FULL_CQC", "CQN", "N/A", I1(1, 1), OBJ(SIM_MENU_OBJECT, "cq", 0x100) },
        { 0x1300, "FULL_EQC", "EQN", "N/A", I1(1, 1), OBJ(SIM_MENU_OBJECT, "eq", 0x100) },
        { 0x1000, "FULL_QPC", "QPN", "N/A", I1(1, 1), OBJ(SIM_MENU_OBJECT, "qp", 0x200) },
        { 0x1001, "SND_BUFF", "QPN", "WQEBB", I1(1, 1) | I2(1, 0) | N2(1, 0, 1, 0),
          OBJ(SIM_MENU_BUFFER, "qp", WQEBB_BYTES), .queue = SIM_QUEUE_SQ },
        { 0x1002, "RCV_BUFF", "QPN", "DS", I1(1, 1) | I2(1, 0) | N2(1, 0, 1, 0),
          OBJ(SIM_MENU_BUFFER, "qp", DS_BYTES), .queue = SIM_QUEUE_RQ },
        { 0x1101, "SRQ_BUFF", "SRQN", "DS", I1(1, 1) | I2(1, 0) | N2(1, 0, 1, 0),
          OBJ(SIM_MENU_BUFFER, "srq", DS_BYTES), .queue = SIM_QUEUE_SRQ },
        { 0x1201, "CQ_BUFF", "CQN", "CQE", I1(1, 1) | I2(1, 0) | N2(1, 0, 1, 0),
          OBJ(SIM_MENU_BUFFER, "cq", CQE_BYTES), .queue = SIM_QUEUE_CQ },
        { 0x1301, "EQ_BUFF", "EQN", "EQE", I1(1, 1) | I2(1, 0) | N2(1, 0, 1, 0),
          OBJ(SIM_MENU_BUFFER, "eq", EQE_BYTES), .queue = SIM_QUEUE_EQ },
        { 0x3000, "SX_SLICE", "SLICE", "N/A", I1(1, 1), TABLE(SLICES, 0x400, false) },
        { 0x3001, "SX_SLICE_ALL", "N/A", "N/A", 0, TABLE(SLICES, 0x400, true) },
        { 0x2000, "RX_SLICE", "SLICE", "N/A", I1(1, 1), TABLE(SLICES, 0x400, false) },
        { 0x2001, "RX_SLICE_ALL", "N/A", "N/A", 0, TABLE(SLICES, 0x400, true) },
        { 0x21, "MKEY_CONTEXT", "MKEY_IX", "N/A", I1(1, 1), OBJ(SIM_MENU_OBJECT, "mkey", 0x40) },
        { 0x5, "RDB_CONTEXT", "QPN", "RDB_IX", I1(1, 1) | I2(1, 1), OBJ(SIM_MENU_RDB, "qp", 0x40) },
        { 0x1310, "STE_RANGE", "STE_IX", "N/A", I1(1, 1) | N1(1, 0, 0, 0) | N2(1, 0, 0, 0),
          TABLE(0, 0x40, false) },
        { 0x1311, "STE_ALL", "N/A", "N/A", 0, TABLE(0, 0x40, true) },
        { 0x1010, "FUNC_SYND_REC", "N/A", "N/A", 0, DEVICE(0x40) },
        { 0x1312, "STE_GLOBAL_RNG", "STE_IX", "N/A", I1(1, 1) | N1(1, 0, 0, 0) | N2(1, 0, 0, 0),
          TABLE(0, 0x40, false) },
        { 0x1313, "STE_ROOT", "ROOT_IX", "N/A", I1(1, 1), TABLE(0, 0x40, false) },
        { 0x2020, "ICMC_INFO", "SET", "N/A", I1(1, 0) | N1(1, 1, 0, 0), TABLE(ICMC_SETS, 0x80, false) },
        { 0x4000, "PRM_QUERY_QP", "QPN", "N/A", I1(1, 1), OBJ(SIM_MENU_QUERY, "qp", 0) },
        { 0x4020, "PRM_QUERY_CQ", "CQN", "N/A", I1(1, 1), OBJ(SIM_MENU_QUERY, "cq", 0) },
        { 0x4030, "PRM_QUERY_MKEY", "MKEY_IDX", "N/A", I1(1, 1), OBJ(SIM_MENU_QUERY, "mkey", 0) },
        { 0x4008, "QUERY_VNIC_ENV", "N/A", "N/A", 0, .kind = SIM_MENU_VNIC_ENV, .bytes = SIM_VNIC_ENV_OUT_LEN },
        { 0x1020, "MDFY_HDR_RNG", "MDFY_IX", "N/A", I1(1, 1) | N1(1, 0, 0, 0) | N2(1, 0, 0, 0),
          TABLE(0, 0x40, false) },
        { 0x1021, "MDFY_HDR_ALL", "N/A", "N/A", 0, TABLE(0, 0x40, true) },
        { 0x4010, "QUERY_FT", "TABLE_ID", "N/A", I1(1, 1), TABLE(0, 0x40, false) },
        { 0x4011, "QUERY_FT_ALL", "N/A", "N/A", 0, TABLE(0, 0x40, true) },
        { 0x4012, "QUERY_FG", "TABLE_ID", "GROUP_ID", I1(1, 1) | I2(1, 1), TABLE(0, 0x40, false) },
        { 0x4013, "QUERY_FG_ALL", "TABLE_ID", "N/A", I1(1, 1), TABLE(0, 0x40, false) },
        { 0x4014, "QUERY_FTE", "TABLE_ID", "FLOW_IX", I1(1, 1) | I2(1, 1), TABLE(0, 0x40, false) },
        { 0x4015, "QUERY_FTE_ALL", "TABLE_ID", "N/A", I1(1, 1), TABLE(0, 0x40, false) },
        { 0x1318, "FLOW_COUNTER", "CNTR", "N/A", I1(1, 1), TABLE(0, 0x40, false) },
        { 0x1320, "PKT_REFORMAT", "CTX", "N/A", I1(1, 1), TABLE(0, 0x40, false) },
        { 0x1030, "SHARED_BUFFER", "N/A", "N/A", 0, DEVICE(0x200) },
        { 0x103c, "PAGE_HISTOGRAM", "N/A", "N/A", 0, DEVICE(0x100) },
        { 0x1040, "SCHEDQ_INFO", "SCHEDQ_IX", "N/A", I1(1, 0) | N1(1, 0, 0, 1), TABLE(SCHED_QUEUES, 0x40, false) },
        { 0x104b, "VQOS_TREE", "SKIP_LOCK", "N/A", I1(1, 0), DEVICE(0x100), .index_limit = VQOS_SKIP_LOCK },
        { 0x1050, "VQOS_DISTLIST", "N/A", "N/A", 0, DEVICE(0x80) },
        { 0x1048, "VLQ_GVMI_VLQ_SQ", "N/A", "N/A", 0, DEVICE(0x80) },
        /* No packet-pacing rate is ever configured in the simulation. */
        { 0x1053, "PACKET_PACING", "PP_IX", "N/A", I1(1, 0) | N1(1, 0, 0, 1), TABLE(0, 0x40, false) },
};

const struct sim_menu_record *sim_menu_records(size_t *ret_n)
{
        *ret_n = G_N_ELEMENTS(records);
        return records;
}

const struct sim_menu_record *sim_menu_find(unsigned segment_type)
{
        for (size_t i = 0; i < G_N_ELEMENTS(records); i++)
                if (records[i].type == segment_type)
                        return &records[i];
        return NULL;
}
