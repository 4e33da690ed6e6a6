/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the fuzz targets: the source tree's schema, loaded once, and quiet logs. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "schema/schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The schema of the source tree (aborts if it does not load: the fuzzer cannot run without it). */
const mlx5_schema *fuzz_schema(void);
