/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-device command statistics: counts per opcode, failures, and a latency
 * histogram with power-of-two buckets, so memory stays constant however many
 * commands are sent.
 */
#pragma once

#include <glib.h>
#include <stdint.h>

struct mlx5_cmd_stats;

struct mlx5_cmd_stats *mlx5_cmd_stats_new(void);
void mlx5_cmd_stats_free(struct mlx5_cmd_stats *stats);

/* errno_result: 0 or the transport's -errno; status: firmware status when 0. */
void mlx5_cmd_stats_record(struct mlx5_cmd_stats *stats, unsigned opcode, int errno_result,
                           unsigned status, uint64_t latency_ns);
/* An answer with status OK that breaks its layout (a chunk longer than its data, a segment stream cut short). */
void mlx5_cmd_stats_malformed(struct mlx5_cmd_stats *stats);
void mlx5_cmd_stats_format(struct mlx5_cmd_stats *stats, GString *out);
uint64_t mlx5_cmd_stats_total(struct mlx5_cmd_stats *stats);
