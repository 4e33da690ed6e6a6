/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The few fields whose values must make sense together: states a reader
 * expects to see, references to objects that exist, identity and limits.
 * Every other leaf of the schema gets a pseudo-random value (sim-fill.c), so
 * a field added to the schema is filled without touching this table.
 *
 * SPREAD lists enum names (or numbers); a name listed twice is twice as
 * common.  Owners are resource names, or "caps:<name>" for capabilities.
 */
#include <string.h>

#include "sim/sim-private.h"

static const struct sim_rule rules[] = {
        { "qp", "state", SIM_RULE_SPREAD, "RTS RTS RTS INIT RTR RST SQER ERR SQD" },
        { "qp", "st", SIM_RULE_SPREAD, "RC RC RC UC UD UD XRC DCI" },
        { "qp", "mtu", SIM_RULE_SPREAD, "1K_BYTES 2K_BYTES 4K_BYTES 4K_BYTES" },
        { "qp", "pm_state", SIM_RULE_SPREAD, "MIGRATED" },
        { "qp", "cqn_snd", SIM_RULE_REF, "cq" },
        { "qp", "cqn_rcv", SIM_RULE_REF, "cq" },
        { "qp", "remote_qpn", SIM_RULE_REF, "qp" },
        { "qp", "srqn_rmpn_xrqn", SIM_RULE_REF, "srq" },
        { "qp", "counter_set_id", SIM_RULE_REF, "q_counter" },
        { "qp", "pd", SIM_RULE_RANGE, "1 64" },
        { "qp", "log_sq_size", SIM_RULE_RANGE, "4 12" },
        { "qp", "log_rq_size", SIM_RULE_RANGE, "4 12" },
        { "qp", "primary_address_path.vhca_port_num", SIM_RULE_VALUE, "1" },
        /* Queues as the caps allow them (log_max_qp_sz 15, log_max_msg 30); most QPs send and receive. */
        { "qp", "no_sq", SIM_RULE_VALUE, "0" },
        { "qp", "rq_type", SIM_RULE_SPREAD, "NON_ZERO_RQ NON_ZERO_RQ NON_ZERO_RQ SRQ_RQ ZERO_LEN_RQ" },
        { "qp", "log_rq_stride", SIM_RULE_RANGE, "0 3" },
        { "qp", "log_msg_max", SIM_RULE_RANGE, "12 30" },
        { "qp", "log_rra_max", SIM_RULE_RANGE, "0 4" },        /* log_max_ra_res_qp 4 */
        { "qp", "log_sra_max", SIM_RULE_RANGE, "0 4" },        /* log_max_ra_req_qp 4 */
        { "qp", "log_page_size", SIM_RULE_RANGE, "0 6" },      /* log(page) - 12 */

        { "cq", "status", SIM_RULE_SPREAD, "OK OK OK OK OK OK OK CQ_OVERFLOW" },
        { "cq", "st", SIM_RULE_SPREAD, "NOTIFICATION_REQUEST_ARMED NOTIFICATION_REQUEST_ARMED FIRED" },
        { "cq", "c_eqn_or_apu_element", SIM_RULE_REF, "eq" },
        { "cq", "log_cq_size", SIM_RULE_RANGE, "6 16" },       /* log_max_cq_sz 22 */
        { "cq", "log_page_size", SIM_RULE_RANGE, "0 6" },

        { "eq", "status", SIM_RULE_SPREAD, "OK" },
        { "eq", "st", SIM_RULE_SPREAD, "ARMED ARMED FIRED" },
        { "eq", "log_eq_size", SIM_RULE_RANGE, "6 13" },       /* log_max_eq_sz 22 */
        { "eq", "log_page_size", SIM_RULE_RANGE, "0 6" },

        { "mkey", "qpn", SIM_RULE_VALUE, "0xffffff" },
        { "mkey", "pd", SIM_RULE_RANGE, "1 64" },

        { "sq", "state", SIM_RULE_SPREAD, "RDY RDY RDY RST ERR" },
        { "sq", "cqn", SIM_RULE_REF, "cq" },
        { "sq", "tis_num_0", SIM_RULE_REF, "tis" },
        { "sq", "tis_lst_sz", SIM_RULE_VALUE, "1" },
        { "sq", "wq.wq_type", SIM_RULE_SPREAD, "CYCLIC" },
        { "sq", "wq.log_wq_sz", SIM_RULE_RANGE, "6 13" },

        { "rq", "state", SIM_RULE_SPREAD, "RDY RDY RDY RST ERR" },
        { "rq", "cqn", SIM_RULE_REF, "cq" },
        { "rq", "rmpn", SIM_RULE_REF, "rmp" },
        { "rq", "counter_set_id", SIM_RULE_REF, "q_counter" },
        { "rq", "wq.log_wq_sz", SIM_RULE_RANGE, "6 13" },

        { "rmp", "state", SIM_RULE_SPREAD, "RDY RDY ERR" },
        { "tir", "inline_rqn", SIM_RULE_REF, "rq" },
        { "tir", "indirect_table", SIM_RULE_REF, "rqt" },
        { "tis", "underlay_qpn", SIM_RULE_VALUE, "0" },
        { "rqt", "rq_num[*]", SIM_RULE_REF, "rq" },
        { "rqt", "rqt_max_size", SIM_RULE_VALUE, "256" },
        { "srq", "state", SIM_RULE_SPREAD, "GOOD GOOD GOOD ERROR" },
        { "srq", "log_srq_size", SIM_RULE_RANGE, "4 12" },     /* log_max_srq_sz 15 */
        { "srq", "log_rq_stride", SIM_RULE_RANGE, "0 3" },
        { "xrc_srq", "log_xrc_srq_size", SIM_RULE_RANGE, "4 12" },
        { "xrc_srq", "log_rq_stride", SIM_RULE_RANGE, "0 3" },
        { "srq", "cqn", SIM_RULE_REF, "cq" },
        { "xrc_srq", "state", SIM_RULE_SPREAD, "GOOD GOOD GOOD ERROR" },
        { "xrc_srq", "cqn", SIM_RULE_REF, "cq" },
        { "dct", "state", SIM_RULE_SPREAD, "ACTIVE ACTIVE DRAINING DRAINED" },
        { "dct", "cqn", SIM_RULE_REF, "cq" },
        { "dct", "srqn_xrqn", SIM_RULE_REF, "srq" },
        { "dct", "counter_set_id", SIM_RULE_REF, "q_counter" },

        /* ConnectX identity as QUERY_ADAPTER reports it. */
        { "adapter", "vsd_contd_psid", SIM_RULE_TEXT, "MT_0000000838" },
        { "adapter", "vsd_vendor_id", SIM_RULE_VALUE, "0x15b3" },
        { "adapter", "ieee_vendor_id", SIM_RULE_VALUE, "0x2c9" },

        { "nic_vport_context", "mtu", SIM_RULE_SPREAD, "1500 9000" },
        { "nic_vport_context", "roce_en", SIM_RULE_VALUE, "1" },
        { "vport_state", "state", SIM_RULE_SPREAD, "UP" },
        { "vport_state", "admin_state", SIM_RULE_SPREAD, "UP AUTO" },

        /*
         * Vport traffic, growing with uptime (packets a second; octets 64 to
         * 1518 bytes a packet, the standard Ethernet frame sizes).  The port is
         * Ethernet (port_type 1): no InfiniBand traffic.
         */
        { "vport_counter", "received_ib_unicast.packets", SIM_RULE_VALUE, "0" },
        { "vport_counter", "received_ib_unicast.octets", SIM_RULE_VALUE, "0" },
        { "vport_counter", "transmitted_ib_unicast.packets", SIM_RULE_VALUE, "0" },
        { "vport_counter", "transmitted_ib_unicast.octets", SIM_RULE_VALUE, "0" },
        { "vport_counter", "received_ib_multicast.packets", SIM_RULE_VALUE, "0" },
        { "vport_counter", "received_ib_multicast.octets", SIM_RULE_VALUE, "0" },
        { "vport_counter", "transmitted_ib_multicast.packets", SIM_RULE_VALUE, "0" },
        { "vport_counter", "transmitted_ib_multicast.octets", SIM_RULE_VALUE, "0" },
        { "vport_counter", "received_errors.packets", SIM_RULE_COUNTER, "0 2" },
        { "vport_counter", "received_errors.octets", SIM_RULE_COUNTER, "0 2 64 1518" },
        { "vport_counter", "transmit_errors.packets", SIM_RULE_COUNTER, "0 2" },
        { "vport_counter", "transmit_errors.octets", SIM_RULE_COUNTER, "0 2 64 1518" },
        { "vport_counter", "received_eth_broadcast.packets", SIM_RULE_COUNTER, "1 50" },
        { "vport_counter", "received_eth_broadcast.octets", SIM_RULE_COUNTER, "1 50 64 1518" },
        { "vport_counter", "transmitted_eth_broadcast.packets", SIM_RULE_COUNTER, "1 20" },
        { "vport_counter", "transmitted_eth_broadcast.octets", SIM_RULE_COUNTER, "1 20 64 1518" },
        { "vport_counter", "received_eth_unicast.packets", SIM_RULE_COUNTER, "10000 800000" },
        { "vport_counter", "received_eth_unicast.octets", SIM_RULE_COUNTER, "10000 800000 64 1518" },
        { "vport_counter", "transmitted_eth_unicast.packets", SIM_RULE_COUNTER, "10000 800000" },
        { "vport_counter", "transmitted_eth_unicast.octets", SIM_RULE_COUNTER, "10000 800000 64 1518" },
        { "vport_counter", "received_eth_multicast.packets", SIM_RULE_COUNTER, "10 2000" },
        { "vport_counter", "received_eth_multicast.octets", SIM_RULE_COUNTER, "10 2000 64 1518" },
        { "vport_counter", "transmitted_eth_multicast.packets", SIM_RULE_COUNTER, "10 500" },
        { "vport_counter", "transmitted_eth_multicast.octets", SIM_RULE_COUNTER, "10 500 64 1518" },

        /*
         * Capabilities: the published values of a real ConnectX-6 Dx are in
         * sim-caps-cx6dx.c; these are the ones this simulation sets itself.
         */
        { "caps:general", "vhca_id", SIM_RULE_VHCA_ID, NULL },
        /*
         * RAW_TX | INTERNAL_DEV_RES | TOOLS_RESOURCES, what fwctl asks for and
         * newer firmware reports (mstflint #919 shows 0x7); the README's device
         * had 0x3, without TOOLS_RESOURCES.
         */
        { "caps:general", "uctx_cap", SIM_RULE_VALUE, "0x7" },
        { "caps:general", "log_max_uctx", SIM_RULE_VALUE, "8" },
        { "caps:general", "log_max_umem", SIM_RULE_VALUE, "16" },
        /* Not in the README; above every WQ the population makes (log_wq_sz up to 13). */
        { "caps:general", "log_max_wq_sz", SIM_RULE_VALUE, "16" },
        /* Not in the README either: plausible ranges, each minimum below its maximum. */
        { "caps:general", "log_min_stride_sz_rq", SIM_RULE_VALUE, "6" },
        { "caps:general", "log_max_stride_sz_rq", SIM_RULE_VALUE, "13" },
        { "caps:general", "log_min_stride_sz_sq", SIM_RULE_VALUE, "6" },
        { "caps:general", "log_max_stride_sz_sq", SIM_RULE_VALUE, "11" },
        { "caps:general", "log_min_hairpin_wq_data_sz", SIM_RULE_VALUE, "9" },
        { "caps:general", "log_max_hairpin_wq_data_sz", SIM_RULE_VALUE, "15" },
        /* Not in the README: no QPC extension is modelled, so QUERY_QP refuses qpc_ext (sim-query.c). */
        { "caps:general", "qpc_extension", SIM_RULE_VALUE, "0" },
        /* SW_ICM, GENEVE_TLV_OPT, ENCRYPTION_KEY: object types no capability page depends on. */
        { "caps:general", "general_obj_types", SIM_RULE_VALUE, "0x1900" },
};

/*
 * What churn does to states: the moves a driver and the hardware make.  New
 * objects start where CREATE_* leaves them; forward moves are listed twice
 * so that most objects get to work before an error takes them.
 */
static const struct sim_lifecycle lifecycles[] = {
        { "qp", "state", "RST",
          "RST>INIT RST>INIT INIT>RTR INIT>RTR RTR>RTS RTR>RTS RTS>SQD SQD>RTS RTS>SQER SQER>RTS *>ERR ERR>RST" },
        { "sq", "state", "RST", "RST>RDY RST>RDY RDY>ERR ERR>RST" },
        { "rq", "state", "RST", "RST>RDY RST>RDY RDY>ERR ERR>RST" },
        { "rmp", "state", "RDY", "RDY>ERR ERR>RDY" },
        { "srq", "state", "GOOD", "GOOD>ERROR ERROR>GOOD" },
        { "xrc_srq", "state", "GOOD", "GOOD>ERROR ERROR>GOOD" },
        { "dct", "state", "ACTIVE", "ACTIVE>DRAINING DRAINING>DRAINED DRAINED>ACTIVE" },
        /* Completion and event queues: armed until an event fires, then re-armed. */
        { "cq", "st", "NOTIFICATION_REQUEST_ARMED",
          "NOTIFICATION_REQUEST_ARMED>FIRED FIRED>NOTIFICATION_REQUEST_ARMED" },
        { "eq", "st", "ARMED", "ARMED>FIRED FIRED>ARMED" },
};

/* Equal, except that "[*]" in pattern matches any "[N]" in path. */
static bool path_matches(const char *pattern, const char *path)
{
        while (*pattern) {
                if (g_str_has_prefix(pattern, "[*]") && *path == '[') {
                        const char *close = strchr(path, ']');

                        if (!close)
                                return false;
                        pattern += 3;
                        path = close + 1;
                        continue;
                }
                if (*pattern++ != *path++)
                        return false;
        }
        return *path == '\0';
}

static const struct sim_rule *find_in(const struct sim_rule *table, size_t n, const char *owner, const char *path)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(table[i].owner, owner) == 0 && path_matches(table[i].path, path))
                        return &table[i];
        return NULL;
}

const struct sim_rule *sim_rule_find(const char *owner, const char *path)
{
        const struct sim_rule *rule = find_in(rules, G_N_ELEMENTS(rules), owner, path);
        size_t n;
        const struct sim_rule *caps = sim_cx6dx_caps(&n);

        return rule ? rule : find_in(caps, n, owner, path);
}

const struct sim_rule *sim_rules(size_t *ret_n)
{
        *ret_n = G_N_ELEMENTS(rules);
        return rules;
}

const struct sim_lifecycle *sim_lifecycle_find(const char *owner, const char *path)
{
        for (size_t i = 0; i < G_N_ELEMENTS(lifecycles); i++)
                if (strcmp(lifecycles[i].owner, owner) == 0 && strcmp(lifecycles[i].path, path) == 0)
                        return &lifecycles[i];
        return NULL;
}

const struct sim_lifecycle *sim_lifecycles(size_t *ret_n)
{
        *ret_n = G_N_ELEMENTS(lifecycles);
        return lifecycles;
}
