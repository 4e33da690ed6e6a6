/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Schema: declarative PRM layouts loaded from schema/ *.schema files (the
 * grammar is in schema/README.md).  Everything that knows where a field
 * lives or how it reads is here and in those files; the decoder and the
 * simulated firmware both go through it.
 *
 * A loaded schema is immutable and may be shared by any number of threads.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef struct mlx5_schema mlx5_schema;
typedef struct mlx5_schema_struct mlx5_schema_struct;

enum mlx5_display {
        MLX5_DISPLAY_DEC,
        MLX5_DISPLAY_HEX,
        MLX5_DISPLAY_ENUM,
        MLX5_DISPLAY_FLAGS,
        MLX5_DISPLAY_BYTES,     /* any multiple of 8 bits, shown as hex digits */
        MLX5_DISPLAY_ASCII,     /* any multiple of 8 bits, NUL-terminated text */
        MLX5_DISPLAY_STRUCT,    /* nested struct; width == struct size */
};

typedef struct {
        uint64_t value;
        char *name;
} mlx5_schema_enum_value;

typedef struct {
        char *name;
        bool is_flags;                  /* "flags": values are bit numbers */
        GArray *values;                 /* of mlx5_schema_enum_value */
        char *file;
        unsigned line;
} mlx5_schema_enum;

typedef struct {
        char *name;                     /* PRM name, without the [N] suffix */
        uint32_t bit_off;               /* from the start of the struct */
        uint32_t width;                 /* bits; of one element for arrays */
        uint32_t count;                 /* array elements; 0 for a scalar */
        enum mlx5_display display;
        const mlx5_schema_enum *enumeration;    /* ENUM and FLAGS */
        const mlx5_schema_struct *nested;       /* STRUCT */
        bool newer;                     /* newer than the reference mlx5_ifc.h */
        unsigned line;
} mlx5_schema_field;

struct mlx5_schema_struct {
        char *name;
        uint32_t size_bits;
        GArray *fields;                 /* of mlx5_schema_field, sorted by bit_off */
        GHashTable *field_by_name;      /* char * -> const mlx5_schema_field *, into fields */
        char *file;
        unsigned line;
};

typedef struct mlx5_schema_resource mlx5_schema_resource;
typedef struct mlx5_schema_caps mlx5_schema_caps;

/*
 * A context field that holds the number of another object ("ref cqn_snd
 * cq"): the inventory follows it to find objects no host source lists.
 * "[*]" stands for every element of an array field.
 */
typedef struct {
        char *path;
        char *target_name;
        const mlx5_schema_resource *target;     /* resolved when the schema loads */
        uint32_t bit_off;               /* of the (first) element, in the output mailbox */
        uint32_t width;
        uint32_t count;                 /* elements: 1 for a scalar */
        unsigned line;
} mlx5_schema_objref;

/*
 * A number space small enough to probe ("probe general.log_max_eq log"):
 * every number from 0 to the caps field's value (log: below 2^value) is
 * queried once.
 */
typedef struct {
        char *caps_name;
        char *field;
        bool log;
        const mlx5_schema_caps *caps;   /* resolved when the schema loads */
        unsigned line;
} mlx5_schema_probe;

/*
 * A summary column ("summary state st port=primary_address_path.vhca_port_num"):
 * one scalar leaf of the context (or of the other output fields), shown in
 * the type's one-line-per-object summary in the order the lines name them,
 * under its path or the name before "=".
 */
typedef struct {
        char *name;                     /* the column's header */
        char *path;
        const mlx5_schema_field *field; /* resolved when the schema loads */
        uint32_t bit_off;               /* in the output mailbox */
        unsigned line;
} mlx5_schema_column;

/* At most this many summary columns per resource: a summary line stays readable. */
#define MLX5_SCHEMA_MAX_COLUMNS 16

/* A queryable resource: the command that reads it and how its objects are found. */
struct mlx5_schema_resource {
        char *name;                     /* directory name: "qp", "cq", ... */
        char *dir;                      /* for singletons: parent directory, or NULL */
        uint16_t opcode;
        uint16_t op_mod;
        uint32_t inlen;                 /* bytes of the command input */
        uint32_t outlen;                /* bytes of the command output */
        bool has_id;                    /* false for singletons (adapter, vport) */
        uint32_t id_bit_off;            /* where the object number goes in the input */
        uint32_t id_width;
        uint32_t context_bit_off;       /* where the context starts in the output */
        const mlx5_schema_struct *context;
        const mlx5_schema_struct *extra; /* other output fields, at output offsets; may be NULL */
        GPtrArray *dump_segments;       /* char *: segments that carry the query output */
        GPtrArray *dump_indexes;        /* char *: resource-dump index names (menu index1_name) that number its objects */
        GArray *refs;                   /* of mlx5_schema_objref: fields naming other objects */
        mlx5_schema_probe *probe;       /* or NULL */
        GArray *summary;                /* of mlx5_schema_column: summary columns, in order */
        /*
         * "counters STEM LABEL": every context field is a monotonic counter,
         * exported as mlx5dbgfs_<STEM>_<field>_total{LABEL="<id>"}; or NULL.
         * A singleton's ("counters STEM") has no label: one series per device.
         */
        char *counters_stem;
        char *counters_label;           /* NULL for a singleton */
        unsigned counters_line;
        struct schema_plan *plan;       /* its leaves flattened for the decoder (schema-plan.c) */
        struct schema_json_plan *json_plan; /* its members flattened for the JSON decoder (schema-json-plan.c) */
        char *file;
        unsigned line;
};

/* HCA capability type: QUERY_HCA_CAP op_mod = type << 1 | mode. */
struct mlx5_schema_caps {
        char *name;                     /* "general", "roce", ... */
        uint16_t type;
        const mlx5_schema_struct *layout;
        char *when;                     /* general caps field that must be set for firmware to serve it, or NULL */
        char *file;
        unsigned line;
        unsigned when_line;
};

/* At most this many resources and caps blocks: the tree numbers each in 8 bits of an inode. */
#define MLX5_SCHEMA_MAX_RESOURCES       256
#define MLX5_SCHEMA_MAX_CAPS            256

#define MLX5_SCHEMA_ERROR (mlx5_schema_error_quark())
GQuark mlx5_schema_error_quark(void);
enum {
        MLX5_SCHEMA_ERROR_INVALID,      /* message: "file:line: what is wrong" */
        MLX5_SCHEMA_ERROR_IO,
};

/* Loads every *.schema file of dir, in name order; all or nothing. */
mlx5_schema *mlx5_schema_load_dir(const char *dir, GError **error);
/* Loads one text as if it were file name (for tests and single files). */
mlx5_schema *mlx5_schema_load_string(const char *name, const char *text, GError **error);
void mlx5_schema_free(mlx5_schema *schema);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(mlx5_schema, mlx5_schema_free)

const mlx5_schema_struct *mlx5_schema_find_struct(const mlx5_schema *schema, const char *name);
const mlx5_schema_enum *mlx5_schema_find_enum(const mlx5_schema *schema, const char *name);
const mlx5_schema_resource *mlx5_schema_find_resource(const mlx5_schema *schema, const char *name);
const mlx5_schema_resource *mlx5_schema_find_resource_by_opcode(const mlx5_schema *schema, unsigned opcode);
/* The resource a command input names: opcode and op_mod are unique together. */
const mlx5_schema_resource *mlx5_schema_find_resource_by_cmd(const mlx5_schema *schema,
                                                             unsigned opcode, unsigned op_mod);
const mlx5_schema_caps *mlx5_schema_find_caps(const mlx5_schema *schema, const char *name);
const mlx5_schema_caps *mlx5_schema_find_caps_by_type(const mlx5_schema *schema, unsigned type);

/* In file order: resources, then caps. */
unsigned mlx5_schema_n_resources(const mlx5_schema *schema);
const mlx5_schema_resource *mlx5_schema_resource_at(const mlx5_schema *schema, unsigned i);
unsigned mlx5_schema_n_caps(const mlx5_schema *schema);
const mlx5_schema_caps *mlx5_schema_caps_at(const mlx5_schema *schema, unsigned i);
unsigned mlx5_schema_n_structs(const mlx5_schema *schema);
const mlx5_schema_struct *mlx5_schema_struct_at(const mlx5_schema *schema, unsigned i);

/*
 * Field paths name one scalar (or byte-string) leaf: "state",
 * "primary_address_path.vhca_port_num", "rq_num[3]".
 * Resolve gives its absolute bit offset within the struct; it returns
 * -ENOENT for a name the struct lacks, -EINVAL for a malformed path or one
 * that names a struct or a whole array, -ERANGE for an index past the array.
 */
int mlx5_schema_resolve(const mlx5_schema_struct *st, const char *path,
                        const mlx5_schema_field **ret_field, uint32_t *ret_bit_off);

/* Scalar access by path on a buffer holding st at byte 0; -ENOENT, -ERANGE, -EINVAL. */
int mlx5_schema_get(const mlx5_schema_struct *st, const uint8_t *buf, size_t len,
                    const char *path, uint64_t *ret_value);
int mlx5_schema_set(const mlx5_schema_struct *st, uint8_t *buf, size_t len,
                    const char *path, uint64_t value);
/* Byte strings and ASCII: copies min(n, field bytes), zero-fills the rest. */
int mlx5_schema_set_bytes(const mlx5_schema_struct *st, uint8_t *buf, size_t len,
                          const char *path, const void *data, size_t n);

/* Visits every leaf (arrays expanded, nested structs descended), in offset order. */
typedef void (*mlx5_schema_leaf_fn)(const mlx5_schema_field *field, const char *path,
                                    uint32_t bit_off, void *user_data);
void mlx5_schema_foreach_leaf(const mlx5_schema_struct *st, mlx5_schema_leaf_fn fn, void *user_data);

/* Appends "name: value\n" lines for every field of st found at buf. */
void mlx5_decode_struct(GString *out, const mlx5_schema_struct *st, const uint8_t *buf, size_t len);
/* Appends the text of one query output mailbox of resource r: context, then extra fields. */
void mlx5_decode_resource(GString *out, const mlx5_schema_resource *r, const uint8_t *outbox, size_t len);
/* The length of that text, without building it. */
size_t mlx5_decode_resource_len(const mlx5_schema_resource *r, const uint8_t *outbox, size_t len);
/* The name of an enum value, or NULL when the enum has none. */
const char *mlx5_schema_enum_name(const mlx5_schema_enum *e, uint64_t value);
/* Calls fn with the name of every set bit a flags enum names, lowest first; returns the bits it has no name for. */
typedef void (*mlx5_schema_flag_fn)(const char *name, void *user_data);
uint64_t mlx5_schema_flags_foreach(const mlx5_schema_enum *e, uint64_t value, mlx5_schema_flag_fn fn, void *user_data);
/*
 * A JSON object's members for one query output of r (context, then extra
 * fields) or one struct at buf: nested structs as objects, arrays as arrays,
 * numbers as numbers (above 2^53 as decimal strings), hex fields, bytes and
 * ascii as strings, enums by name, flags as arrays of names.  Each member is
 * preceded by a comma unless *first (which it clears).
 */
void mlx5_json_resource_members(GString *out, const mlx5_schema_resource *r, const uint8_t *outbox, size_t len,
                                bool *first);
void mlx5_json_struct_members(GString *out, const mlx5_schema_struct *st, const uint8_t *buf, size_t len,
                              bool *first);
/* A JSON string of n bytes of text (control and non-ASCII bytes escaped as \u00XX). */
void mlx5_json_string(GString *out, const char *text, size_t n);
/* A JSON number for value, or a decimal string above 2^53 (where doubles lose integers). */
void mlx5_json_uint(GString *out, uint64_t value);
/*
 * n bytes appended to out, in place while they fit: GLib 2.74's
 * g_string_append_len and g_string_append are a call into
 * g_string_insert_len and its checks (~100 instructions) for every few
 * bytes of decoded text and of each object's JSON document.
 */
static inline void mlx5_text_append_len(GString *out, const char *text, size_t n)
{
        if (out->len + n < out->allocated_len) {
                memcpy(out->str + out->len, text, n);
                out->len += n;
                out->str[out->len] = '\0';
        } else {
                g_string_append_len(out, text, (gssize) n);
        }
}

static inline void mlx5_text_append(GString *out, const char *text)
{
        mlx5_text_append_len(out, text, strlen(text));
}

/* value in decimal, as the decoder writes it (no printf). */
void mlx5_decode_append_dec(GString *out, uint64_t value);
/* The text of one value as the decoder shows it (enum name, hex, decimal). */
void mlx5_decode_value(GString *out, const mlx5_schema_field *field, uint64_t value);
