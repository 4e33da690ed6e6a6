/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * verbs-hold: makes RDMA objects through libibverbs and the mlx5 provider,
 * says what it asked for, and holds them until SIGTERM or SIGINT, then
 * destroys them.  Test-only (the PCI suite).
 *
 *   verbs-hold DEVICE NUM_QPS MANIFEST
 *
 * Per 16 QPs: a PD, two CQs (send, receive); every 4th QP uses one of 8
 * SRQs; 4 MRs per PD.  QP types cycle RC, UC, UD; states cycle RST, INIT,
 * RTR, RTS as far as the type can go without a peer address: the port has
 * no link and no GID (no Ethernet netdev), so RC and UC stop at INIT, UD
 * reaches RTS.  MANIFEST gets one line per object:
 *   qp <qpn> <RC|UC|UD> <state> <send cqn> <recv cqn> <srqn or ->
 *   cq <cqn>   srq <srqn>   mr <lkey>   pd -
 * all numbers in hex as firmware knows them (mlx5dv gives CQ and SRQ
 * numbers), then "ready" on standard output.
 */
#include <errno.h>
#include <infiniband/mlx5dv.h>
#include <infiniband/verbs.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_QPS         20000
#define QPS_PER_PD      16
#define MRS_PER_PD      4
#define NUM_SRQS        8
#define MR_LEN          4096
#define PORT            1
#define QKEY            0x11111111

static void die(const char *what, int err)
{
        fprintf(stderr, "verbs-hold: %s: %s\n", what, strerror(err));
        exit(1);
}

static uint32_t cq_number(struct ibv_cq *cq)
{
        struct mlx5dv_cq dv;
        struct mlx5dv_obj obj = { .cq = { .in = cq, .out = &dv } };

        if (mlx5dv_init_obj(&obj, MLX5DV_OBJ_CQ))
                die("mlx5dv_init_obj(cq)", EINVAL);
        return dv.cqn;
}

static uint32_t srq_number(struct ibv_srq *srq)
{
        struct mlx5dv_srq dv = { .comp_mask = MLX5DV_SRQ_MASK_SRQN };
        struct mlx5dv_obj obj = { .srq = { .in = srq, .out = &dv } };

        if (mlx5dv_init_obj(&obj, MLX5DV_OBJ_SRQ))
                die("mlx5dv_init_obj(srq)", EINVAL);
        return dv.srqn;
}

/* Moves qp to target through the states before it; the type decides what each step needs. */
static int move_qp(struct ibv_qp *qp, enum ibv_qp_type type, enum ibv_qp_state target)
{
        struct ibv_qp_attr a;
        int r;

        if (target == IBV_QPS_RESET)
                return 0;
        memset(&a, 0, sizeof(a));
        a.qp_state = IBV_QPS_INIT;
        a.pkey_index = 0;
        a.port_num = PORT;
        if (type == IBV_QPT_UD) {
                a.qkey = QKEY;
                r = ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_QKEY);
        } else {
                a.qp_access_flags = IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ;
                r = ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_ACCESS_FLAGS);
        }
        if (r || target == IBV_QPS_INIT)
                return r;
        memset(&a, 0, sizeof(a));
        a.qp_state = IBV_QPS_RTR;
        if ((r = ibv_modify_qp(qp, &a, IBV_QP_STATE)) || target == IBV_QPS_RTR)
                return r;
        memset(&a, 0, sizeof(a));
        a.qp_state = IBV_QPS_RTS;
        a.sq_psn = 0x123;
        return ibv_modify_qp(qp, &a, IBV_QP_STATE | IBV_QP_SQ_PSN);
}

static const char *type_name(enum ibv_qp_type t)
{
        return t == IBV_QPT_RC ? "RC" : t == IBV_QPT_UC ? "UC" : "UD";
}

static const char *state_name(enum ibv_qp_state s)
{
        return s == IBV_QPS_RESET ? "RST" : s == IBV_QPS_INIT ? "INIT" : s == IBV_QPS_RTR ? "RTR" : "RTS";
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
        stop = 1;
}

int main(int argc, char **argv)
{
        static const enum ibv_qp_type types[] = { IBV_QPT_RC, IBV_QPT_UC, IBV_QPT_UD };
        static const enum ibv_qp_state states[] = { IBV_QPS_RESET, IBV_QPS_INIT, IBV_QPS_RTR, IBV_QPS_RTS };
        struct ibv_device **list;
        struct ibv_context *ctx = NULL;
        struct ibv_pd **pds;
        struct ibv_cq **cqs;
        struct ibv_mr **mrs;
        struct ibv_qp **qps;
        struct ibv_srq *srqs[NUM_SRQS];
        void *buf;
        FILE *manifest;
        long n;
        sigset_t block, wait_mask;
        int n_pds, n_dev;

        if (argc != 4 || (n = strtol(argv[2], NULL, 10)) <= 0 || n > MAX_QPS) {
                fprintf(stderr, "usage: verbs-hold DEVICE NUM_QPS(1..%d) MANIFEST\n", MAX_QPS);
                return 2;
        }
        list = ibv_get_device_list(&n_dev);
        for (int i = 0; list && i < n_dev && !ctx; i++)
                if (strcmp(ibv_get_device_name(list[i]), argv[1]) == 0)
                        ctx = ibv_open_device(list[i]);
        if (!ctx)
                die(argv[1], ENODEV);
        manifest = fopen(argv[3], "w");
        if (!manifest)
                die(argv[3], errno);

        n_pds = (n + QPS_PER_PD - 1) / QPS_PER_PD;
        pds = calloc(n_pds, sizeof(*pds));
        cqs = calloc(n_pds * 2, sizeof(*cqs));
        mrs = calloc(n_pds * MRS_PER_PD, sizeof(*mrs));
        qps = calloc(n, sizeof(*qps));
        buf = calloc(n_pds * MRS_PER_PD, MR_LEN);
        if (!pds || !cqs || !mrs || !qps || !buf)
                die("memory", ENOMEM);
        for (int p = 0; p < n_pds; p++) {
                if (!(pds[p] = ibv_alloc_pd(ctx)))
                        die("ibv_alloc_pd", errno);
                fprintf(manifest, "pd -\n");
                for (int k = 0; k < 2; k++) {
                        if (!(cqs[p * 2 + k] = ibv_create_cq(ctx, 64, NULL, NULL, 0)))
                                die("ibv_create_cq", errno);
                        fprintf(manifest, "cq 0x%x\n", cq_number(cqs[p * 2 + k]));
                }
                for (int k = 0; k < MRS_PER_PD; k++) {
                        struct ibv_mr *mr = ibv_reg_mr(pds[p], (char *) buf + (p * MRS_PER_PD + k) * MR_LEN, MR_LEN,
                                                       IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_READ);

                        if (!(mrs[p * MRS_PER_PD + k] = mr))
                                die("ibv_reg_mr", errno);
                        fprintf(manifest, "mr 0x%x\n", mr->lkey);
                }
        }
        for (int s = 0; s < NUM_SRQS; s++) {
                struct ibv_srq_init_attr sa = { .attr = { .max_wr = 64, .max_sge = 1 } };

                if (!(srqs[s] = ibv_create_srq(pds[s % n_pds], &sa)))
                        die("ibv_create_srq", errno);
                fprintf(manifest, "srq 0x%x\n", srq_number(srqs[s]));
        }
        for (long i = 0; i < n; i++) {
                enum ibv_qp_type type = types[i % 3];
                enum ibv_qp_state state = states[(i / 3) % 4];
                int p = i / QPS_PER_PD;
                struct ibv_srq *srq = type != IBV_QPT_UD && i % 4 == 0 ? srqs[(i / 4) % NUM_SRQS] : NULL;
                struct ibv_qp_init_attr qa = {
                        .send_cq = cqs[p * 2],
                        .recv_cq = cqs[p * 2 + 1],
                        .srq = srq,
                        .qp_type = type,
                        .cap = { .max_send_wr = 16, .max_recv_wr = srq ? 0 : 16, .max_send_sge = 1, .max_recv_sge = 1 },
                };

                /* Without a peer, RC and UC stop at INIT. */
                if (type != IBV_QPT_UD && state > IBV_QPS_INIT)
                        state = IBV_QPS_INIT;
                if (!(qps[i] = ibv_create_qp(pds[p], &qa)))
                        die("ibv_create_qp", errno);
                if (move_qp(qps[i], type, state))
                        die("ibv_modify_qp", errno);
                fprintf(manifest, "qp 0x%x %s %s 0x%x 0x%x ", qps[i]->qp_num, type_name(type), state_name(state),
                        cq_number(qa.send_cq), cq_number(qa.recv_cq));
                if (srq)
                        fprintf(manifest, "0x%x\n", srq_number(srq));
                else
                        fprintf(manifest, "-\n");
        }
        fclose(manifest);
        sigemptyset(&block);
        printf("ready\n");
        fflush(stdout);

        sigemptyset(&wait_mask);
        sigaddset(&block, SIGTERM);
        sigaddset(&block, SIGINT);
        sigprocmask(SIG_BLOCK, &block, NULL);
        signal(SIGTERM, on_signal);
        signal(SIGINT, on_signal);
        while (!stop)
                sigsuspend(&wait_mask);
        for (long i = 0; i < n; i++)
                ibv_destroy_qp(qps[i]);
        for (int s = 0; s < NUM_SRQS; s++)
                ibv_destroy_srq(srqs[s]);
        for (int m = 0; m < n_pds * MRS_PER_PD; m++)
                ibv_dereg_mr(mrs[m]);
        for (int k = 0; k < n_pds * 2; k++)
                ibv_destroy_cq(cqs[k]);
        for (int p = 0; p < n_pds; p++)
                ibv_dealloc_pd(pds[p]);
        ibv_close_device(ctx);
        ibv_free_device_list(list);
        free(buf);
        free(qps);
        free(mrs);
        free(cqs);
        free(pds);
        return 0;
}
