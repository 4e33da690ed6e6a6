/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "host/host.h"
#include "sim/sim.h"

/* The host views of a simulated function; sim must outlive it. */
mlx5_host *mlx5_host_sim_new(mlx5_sim *sim);
