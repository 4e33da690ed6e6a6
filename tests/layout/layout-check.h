/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the generated probe file (layout-probes.awk) hands to layout-check.c:
 * the schema's claims, and for each claim the indexes of the compiler's
 * answers from mlx5_ifc.h in layout_probe[].
 *
 * layout_probe[i] is 1 + the answer, or 0 when the header could not answer
 * (no such struct or member, not an array, a flexible array's size).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define LAYOUT_NO_PROBE (-1)
#define LAYOUT_MAX_CANDIDATES 2

/* A struct of the schema, or a resource's other output fields ("extra"). */
struct layout_owner {
        const char *name;               /* "qpc"; for an extra, the resource: "qp" */
        bool is_extra;
        uint32_t size_bits;             /* structs only */
        int size_probe;                 /* sizeof(struct mlx5_ifc_<name>_bits) */
        const char *where;              /* "qp.schema:120" */
};

/* Where a field may live in the header: a struct, at a base bit offset. */
struct layout_candidate {
        const char *header_struct;      /* "mlx5_ifc_qpc_bits" */
        uint32_t base;
        int off_probe;                  /* offsetof */
        int size_probe;                 /* sizeof the member */
        int elem_probe;                 /* sizeof its element [0] */
        int type_probe;                 /* struct-typed fields: is it struct mlx5_ifc_<nested>_bits */
};

struct layout_field {
        unsigned owner;                 /* index into layout_owners */
        const char *name;
        uint32_t off;
        uint32_t width;                 /* of one element for arrays */
        uint32_t count;                 /* 0 for a scalar */
        const char *nested;             /* struct-typed: the struct's name, else NULL */
        bool newer;
        const char *where;
        unsigned n_candidates;          /* tried in order; the first the header has wins */
        struct layout_candidate candidates[LAYOUT_MAX_CANDIDATES];
};

extern const struct layout_owner layout_owners[];
extern const unsigned layout_n_owners;
extern const struct layout_field layout_fields[];
extern const unsigned layout_n_fields;
extern const long layout_probe[];
