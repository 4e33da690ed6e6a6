/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "device/device.h"
#include "fs/devices.h"
#include "sim/sim.h"
#include "transport/transport-sim.h"

static bool open_simulated(const struct mlx5dbgfs_options *opts, const mlx5_schema *schema,
                           GPtrArray *ret_devices, GError **error)
{
        g_autoptr(mlx5_sim_spec) spec = mlx5_sim_spec_parse(opts->sim_spec, schema, error);

        if (!spec) {
                g_prefix_error(error, "--sim=%s: ", opts->sim_spec);
                return false;
        }
        for (unsigned i = 0; i < mlx5_sim_spec_devices(spec); i++) {
                mlx5_transport *t = mlx5_transport_sim_new(mlx5_sim_new(schema, spec, i), opts->max_inflight);
                mlx5_device *dev = NULL;

                mlx5_transport_set_max_rate(t, opts->max_rate);
                if (mlx5_device_open(t, schema, &dev, error) < 0)
                        return false;
                g_ptr_array_add(ret_devices, dev);
        }
        return true;
}

bool mlx5dbgfs_open_devices(const struct mlx5dbgfs_options *opts, const mlx5_schema *schema,
                            GPtrArray *ret_devices, GError **error)
{
        if (opts->sim)
                return open_simulated(opts, schema, ret_devices, error);

        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NODEV,
                    "no ConnectX device found (no /dev/mlx5ctl-* or /dev/fwctl/fwctl* node);\n"
                    "to try mlx5dbgfs without hardware, mount a simulated device: mlx5dbgfs --sim %s",
                    opts->mountpoint);
        return false;
}
