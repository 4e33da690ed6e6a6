/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "sim/sim.h"
#include "transport/transport.h"

/* A transport to an embedded simulated function; takes ownership of sim. */
mlx5_transport *mlx5_transport_sim_new(mlx5_sim *sim, unsigned max_inflight);
