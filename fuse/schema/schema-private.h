/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the schema layer: the namespace that holds every loaded object,
 * the two loading passes, and the leaf walk shared by path access, the
 * foreach visitor and the decoder.
 */
#pragma once

#include <string.h>

#include "schema.h"

/* Input limits: nothing a schema file says can make us allocate more. */
#define MLX5_SCHEMA_MAX_FILE_BYTES      (4u << 20)
#define MLX5_SCHEMA_MAX_FILES           1024
#define MLX5_SCHEMA_MAX_LINE            4096
#define MLX5_SCHEMA_MAX_BITS            0x100000u       /* any offset, width, size */
#define MLX5_SCHEMA_MAX_DEPTH           16              /* nested struct levels */
#define MLX5_SCHEMA_MAX_CAPS_BITS       0x8000u         /* QUERY_HCA_CAP capability area */
#define MLX5_SCHEMA_MAX_REFS            32              /* ref lines per resource */

/* A name used before (or in a file after) the block that defines it. */
struct schema_ref {
        char *name;
        enum mlx5_display kind;         /* ENUM, FLAGS or STRUCT */
        const char *file;
        unsigned line;
        mlx5_schema_struct *owner;      /* the type of field index of owner, */
        guint index;
        mlx5_schema_resource *resource; /* or the context of resource, */
        mlx5_schema_caps *caps;         /* or the layout of caps */
};

struct mlx5_schema {
        GPtrArray *files;               /* char *: basenames every object points to */
        GPtrArray *enums;               /* in file order; enum and flags blocks */
        GPtrArray *structs;
        GPtrArray *resources;
        GPtrArray *caps;
        GPtrArray *extras;              /* resources' unnamed output-field structs */
        GHashTable *enum_by_name;       /* names owned by the objects */
        GHashTable *struct_by_name;
        GHashTable *resource_by_name;
        GHashTable *caps_by_name;
        GArray *refs;                   /* of struct schema_ref; only while loading */
};

void schema_set_error(GError **error, const char *file, unsigned line,
                      const char *fmt, ...) G_GNUC_PRINTF(4, 5);

mlx5_schema *schema_new(void);
mlx5_schema_struct *schema_struct_new(const char *name, uint32_t size_bits,
                                      const char *file, unsigned line);

/* Pass 1: adds the blocks of one file to the namespace. */
bool schema_parse(mlx5_schema *schema, const char *file, const char *text, size_t len,
                  GError **error);
/* Pass 2: resolves names across files, sorts fields, checks everything. */
bool schema_validate(mlx5_schema *schema, GError **error);

const mlx5_schema_field *schema_struct_field(const mlx5_schema_struct *st, const char *name,
                                             size_t name_len);

/* Bits of a whole field, all elements of an array included. */
static inline uint64_t schema_field_span(const mlx5_schema_field *f)
{
        return (uint64_t) f->width * (f->count ? f->count : 1);
}

/*
 * Where decoded text goes: appended to out, or (out NULL) only counted in
 * len, so a file's size is known without building its text.
 */
struct schema_sink {
        GString *out;
        size_t len;
};

static inline void schema_append_len(GString *out, const char *text, size_t n)
{
        mlx5_text_append_len(out, text, n);
}

static inline void schema_put(struct schema_sink *s, const char *text, size_t n)
{
        if (s->out)
                schema_append_len(s->out, text, n);
        else
                s->len += n;
}

static inline void schema_putc(struct schema_sink *s, char c)
{
        if (s->out)
                g_string_append_c(s->out, c);
        else
                s->len++;
}

/* A number in decimal, and in hex with 0x (schema-decode.c): the text's and JSON's, without printf. */
void schema_append_dec(struct schema_sink *out, uint64_t value);
void schema_append_hex(struct schema_sink *out, uint64_t value);

/*
 * n bytes starting at bit_off: as hex digits (BYTES), or (ASCII) up to the
 * first NUL, each byte as escape writes it: the text's and JSON's escapes.
 */
void schema_append_bytes(struct schema_sink *out, enum mlx5_display display, const uint8_t *buf, size_t len,
                         uint64_t bit_off, uint32_t n, void (*escape)(struct schema_sink *out, uint8_t byte));

/*
 * A resource's leaves in the decoder's order with their dotted names,
 * flattened once at load (schema-plan.c): decoding an object does not walk
 * the struct tree or build a name again.
 */
struct schema_leaf {
        const mlx5_schema_field *field;
        uint32_t bit_off;               /* in the command output */
        uint32_t head_off;              /* its line's start, "dotted.name: ", in the plan's paths */
        uint32_t head_len;
};

struct schema_plan {
        struct schema_leaf *leaves;
        size_t n_leaves;
        char *paths;
};

struct schema_plan *schema_plan_new(const mlx5_schema_resource *r);
void schema_plan_free(struct schema_plan *plan);

/*
 * A resource's JSON members flattened once at load (schema-json-plan.c):
 * each value after the fixed text before it, names, commas and brackets.
 */
struct schema_json_step {
        const mlx5_schema_field *field;         /* a value's field (never a struct) */
        uint32_t bit_off;                       /* in the command output */
        uint32_t text_off, text_len;            /* the text before it, in the plan's text */
};

struct schema_json_plan {
        struct schema_json_step *steps;
        size_t n_steps;
        char *text;
        size_t text_len;                        /* all of it: what an object's JSON holds besides its values */
        uint32_t tail_off, tail_len;            /* the text after the last value */
        bool has_members;                       /* the first takes a comma unless it comes first */
        uint64_t need_bits;                     /* an output this long holds every field: none is left out */
};

struct schema_json_plan *schema_json_plan_new(const mlx5_schema_resource *r);
void schema_json_plan_free(struct schema_json_plan *plan);

/*
 * Visits the leaves of st placed at base_bit_off; path holds the name of
 * each leaf during its call and is restored afterwards.
 */
void schema_walk(const mlx5_schema_struct *st, uint32_t base_bit_off, GString *path,
                 mlx5_schema_leaf_fn fn, void *user_data);
