/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pass 1 of loading: reads the lines of one schema file into the namespace.
 * Names of other blocks are only recorded (they may be defined later, in
 * any file); schema-validate.c resolves them and checks what needs them.
 */
#include <string.h>

#include "prm/mbox.h"
#include "prm/rscdump.h"
#include "schema-private.h"

/* The longest valid line has 6 tokens; one more is enough to name junk. */
#define MAX_TOKENS 8

#define fail(p, ...) (schema_set_error((p)->error, (p)->file, (p)->line, __VA_ARGS__), false)

enum block {
        BLOCK_NONE,
        BLOCK_ENUM,
        BLOCK_STRUCT,
        BLOCK_RESOURCE,
        BLOCK_CAPS,
};

/* Keywords that may appear once in a block. */
enum key {
        KEY_QUERY,
        KEY_OP_MOD,
        KEY_INLEN,
        KEY_OUTLEN,
        KEY_ID,
        KEY_CONTEXT,
        KEY_DIR,
        KEY_TYPE,
        KEY_LAYOUT,
        N_KEYS,
};

static const char *const key_words[N_KEYS] = {
        [KEY_QUERY] = "query",
        [KEY_OP_MOD] = "op_mod",
        [KEY_INLEN] = "inlen",
        [KEY_OUTLEN] = "outlen",
        [KEY_ID] = "id",
        [KEY_CONTEXT] = "context",
        [KEY_DIR] = "dir",
        [KEY_TYPE] = "type",
        [KEY_LAYOUT] = "layout",
};

struct parser {
        mlx5_schema *schema;
        const char *file;
        unsigned line;
        GError **error;

        enum block block;
        const char *block_word;         /* "struct", "flags", ... for messages */
        const char *block_name;
        unsigned block_line;
        mlx5_schema_enum *enumeration;
        mlx5_schema_struct *st;         /* a struct, or the resource's extra fields */
        mlx5_schema_resource *resource;
        mlx5_schema_caps *caps;
        unsigned key_line[N_KEYS];      /* 0 until the keyword is seen */
        /* Duplicate checks in constant time, whatever the block's size. */
        GHashTable *names;              /* field or value name -> GUINT line */
        GHashTable *values;             /* enum value (guint64 *) -> its name */
};

static const struct {
        const char *word;
        enum mlx5_display display;
        bool named;                     /* followed by an enum, flags or struct name */
} displays[] = {
        { "dec", MLX5_DISPLAY_DEC, false },
        { "hex", MLX5_DISPLAY_HEX, false },
        { "enum", MLX5_DISPLAY_ENUM, true },
        { "flags", MLX5_DISPLAY_FLAGS, true },
        { "bytes", MLX5_DISPLAY_BYTES, false },
        { "ascii", MLX5_DISPLAY_ASCII, false },
        { "struct", MLX5_DISPLAY_STRUCT, true },
};

static bool is_name(const char *s)
{
        if (!g_ascii_isalpha(*s) && *s != '_')
                return false;
        for (; *s; s++)
                if (!g_ascii_isalnum(*s) && *s != '_')
                        return false;
        return true;
}

static bool is_block_word(const char *s)
{
        return strcmp(s, "enum") == 0 || strcmp(s, "flags") == 0 || strcmp(s, "struct") == 0 ||
               strcmp(s, "resource") == 0 || strcmp(s, "caps") == 0;
}

/* Decimal or 0x hex, nothing else: no sign, no spaces, no octal surprise. */
static bool number(struct parser *p, const char *tok, const char *what, uint64_t max,
                   uint64_t *ret)
{
        const char *s = tok;
        unsigned base = 10;
        bool too_large = false;
        uint64_t v = 0;

        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
                s += 2;
                base = 16;
        }
        if (*s == '\0')
                return fail(p, "bad %s '%s'", what, tok);
        for (; *s; s++) {
                int digit = base == 16 ? g_ascii_xdigit_value(*s) : g_ascii_digit_value(*s);

                if (digit < 0)
                        return fail(p, "bad %s '%s'", what, tok);
                /* Keep scanning after an overflow: a bad digit is the better message. */
                if (v > (max - digit) / base)
                        too_large = true;
                else
                        v = v * base + digit;
        }
        if (too_large)
                return fail(p, "%s '%s' is larger than 0x%llx", what, tok, (unsigned long long) max);
        *ret = v;
        return true;
}

/* Exactly want tokens; needs says what the missing ones are. */
static bool want_tokens(struct parser *p, char **tok, unsigned n, unsigned want, const char *needs)
{
        if (n < want)
                return fail(p, "'%s' needs %s", tok[0], needs);
        if (n > want)
                return fail(p, "unexpected '%s'", tok[want]);
        return true;
}

static bool want_name(struct parser *p, const char *tok)
{
        if (!is_name(tok))
                return fail(p, "bad name '%s'", tok);
        return true;
}

/* Records a use of name on this line; ref says what uses it. */
static void add_ref(struct parser *p, const struct schema_ref *ref, const char *name)
{
        struct schema_ref copy = *ref;

        copy.name = g_strdup(name);
        copy.file = p->file;
        copy.line = p->line;
        g_array_append_val(p->schema->refs, copy);
}

static bool open_enum(struct parser *p, char **tok, unsigned n)
{
        bool is_flags = strcmp(tok[0], "flags") == 0;
        mlx5_schema_enum *other, *e;

        if (!want_tokens(p, tok, n, 2, "a name") || !want_name(p, tok[1]))
                return false;
        other = g_hash_table_lookup(p->schema->enum_by_name, tok[1]);
        if (other)
                return fail(p, "%s '%s' already defined at %s:%u", tok[0], tok[1],
                            other->file, other->line);

        e = g_new0(mlx5_schema_enum, 1);
        e->name = g_strdup(tok[1]);
        e->is_flags = is_flags;
        e->values = g_array_new(FALSE, FALSE, sizeof(mlx5_schema_enum_value));
        e->file = (char *) p->file;
        e->line = p->line;
        g_ptr_array_add(p->schema->enums, e);
        g_hash_table_insert(p->schema->enum_by_name, e->name, e);
        p->enumeration = e;
        p->block = BLOCK_ENUM;
        p->block_name = e->name;
        return true;
}

static bool open_struct(struct parser *p, char **tok, unsigned n)
{
        mlx5_schema_struct *other, *st;
        uint64_t size;

        if (!want_tokens(p, tok, n, 3, "a name and a size in bits") || !want_name(p, tok[1]))
                return false;
        other = g_hash_table_lookup(p->schema->struct_by_name, tok[1]);
        if (other)
                return fail(p, "struct '%s' already defined at %s:%u", tok[1], other->file,
                            other->line);
        if (!number(p, tok[2], "size", MLX5_SCHEMA_MAX_BITS, &size))
                return false;
        if (size == 0)
                return fail(p, "struct '%s' has size 0", tok[1]);
        if (size % 32)
                return fail(p, "struct '%s' size 0x%llx is not a multiple of 32 bits", tok[1],
                            (unsigned long long) size);

        st = schema_struct_new(tok[1], size, p->file, p->line);
        g_ptr_array_add(p->schema->structs, st);
        g_hash_table_insert(p->schema->struct_by_name, st->name, st);
        p->st = st;
        p->block = BLOCK_STRUCT;
        p->block_name = st->name;
        return true;
}

static bool open_resource(struct parser *p, char **tok, unsigned n)
{
        mlx5_schema_resource *other, *r;

        if (!want_tokens(p, tok, n, 2, "a name") || !want_name(p, tok[1]))
                return false;
        other = g_hash_table_lookup(p->schema->resource_by_name, tok[1]);
        if (other)
                return fail(p, "resource '%s' already defined at %s:%u", tok[1], other->file,
                            other->line);
        if (p->schema->resources->len == MLX5_SCHEMA_MAX_RESOURCES)
                return fail(p, "resource '%s' is one more than the %u a schema may have", tok[1],
                            MLX5_SCHEMA_MAX_RESOURCES);

        r = g_new0(mlx5_schema_resource, 1);
        r->name = g_strdup(tok[1]);
        r->refs = g_array_new(FALSE, TRUE, sizeof(mlx5_schema_objref));
        r->summary = g_array_new(FALSE, TRUE, sizeof(mlx5_schema_column));
        r->dump_segments = g_ptr_array_new_with_free_func(g_free);
        r->dump_indexes = g_ptr_array_new_with_free_func(g_free);
        r->file = (char *) p->file;
        r->line = p->line;
        g_ptr_array_add(p->schema->resources, r);
        g_hash_table_insert(p->schema->resource_by_name, r->name, r);
        p->resource = r;
        p->st = NULL;
        p->block = BLOCK_RESOURCE;
        p->block_name = r->name;
        return true;
}

static bool open_caps(struct parser *p, char **tok, unsigned n)
{
        mlx5_schema_caps *other, *c;

        if (!want_tokens(p, tok, n, 2, "a name") || !want_name(p, tok[1]))
                return false;
        other = g_hash_table_lookup(p->schema->caps_by_name, tok[1]);
        if (other)
                return fail(p, "caps '%s' already defined at %s:%u", tok[1], other->file,
                            other->line);
        if (p->schema->caps->len == MLX5_SCHEMA_MAX_CAPS)
                return fail(p, "caps '%s' is one more than the %u a schema may have", tok[1],
                            MLX5_SCHEMA_MAX_CAPS);

        c = g_new0(mlx5_schema_caps, 1);
        c->name = g_strdup(tok[1]);
        c->file = (char *) p->file;
        c->line = p->line;
        g_ptr_array_add(p->schema->caps, c);
        g_hash_table_insert(p->schema->caps_by_name, c->name, c);
        p->caps = c;
        p->block = BLOCK_CAPS;
        p->block_name = c->name;
        return true;
}

static bool parse_top(struct parser *p, char **tok, unsigned n)
{
        bool ok;

        if (strcmp(tok[0], "enum") == 0 || strcmp(tok[0], "flags") == 0)
                ok = open_enum(p, tok, n);
        else if (strcmp(tok[0], "struct") == 0)
                ok = open_struct(p, tok, n);
        else if (strcmp(tok[0], "resource") == 0)
                ok = open_resource(p, tok, n);
        else if (strcmp(tok[0], "caps") == 0)
                ok = open_caps(p, tok, n);
        else if (strcmp(tok[0], "end") == 0)
                return fail(p, "'end' outside a block");
        else
                return fail(p, "unknown keyword '%s'", tok[0]);
        if (!ok)
                return false;

        p->block_word = strcmp(tok[0], "flags") == 0 ? "flags" :
                        p->block == BLOCK_ENUM ? "enum" :
                        p->block == BLOCK_STRUCT ? "struct" :
                        p->block == BLOCK_RESOURCE ? "resource" : "caps";
        p->block_line = p->line;
        memset(p->key_line, 0, sizeof(p->key_line));
        g_hash_table_remove_all(p->names);
        g_hash_table_remove_all(p->values);
        return true;
}

static bool parse_enum_value(struct parser *p, char **tok, unsigned n)
{
        mlx5_schema_enum *e = p->enumeration;
        mlx5_schema_enum_value v;
        const char *old_name;
        unsigned first_line;
        uint64_t value;

        if (n < 2)
                return fail(p, "expected %s NAME", e->is_flags ? "BIT" : "VALUE");
        if (n > 2)
                return fail(p, "unexpected '%s'", tok[2]);
        if (!number(p, tok[0], e->is_flags ? "bit number" : "value",
                    e->is_flags ? 63 : UINT64_MAX, &value) ||
            !want_name(p, tok[1]))
                return false;

        first_line = GPOINTER_TO_UINT(g_hash_table_lookup(p->names, tok[1]));
        if (first_line)
                return fail(p, "duplicate name '%s' in %s '%s' (first at line %u)", tok[1],
                            p->block_word, e->name, first_line);
        old_name = g_hash_table_lookup(p->values, &value);
        if (old_name)
                return fail(p, "%s %s of '%s' is already named '%s'",
                            e->is_flags ? "bit" : "value", tok[0], tok[1], old_name);

        v.value = value;
        v.name = g_strdup(tok[1]);
        g_array_append_val(e->values, v);
        g_hash_table_insert(p->names, v.name, GUINT_TO_POINTER(p->line));
        g_hash_table_insert(p->values, g_memdup2(&value, sizeof(value)), v.name);
        return true;
}

static bool check_width(struct parser *p, const char *name, enum mlx5_display display,
                        uint64_t width)
{
        if (width == 0)
                return fail(p, "field '%s' has width 0", name);
        switch (display) {
        case MLX5_DISPLAY_BYTES:
        case MLX5_DISPLAY_ASCII:
                if (width % 8)
                        return fail(p, "field '%s' is %s but its width %llu is not a multiple of 8",
                                    name, display == MLX5_DISPLAY_BYTES ? "bytes" : "ascii",
                                    (unsigned long long) width);
                return true;
        case MLX5_DISPLAY_STRUCT:
                return true;            /* must equal the struct's size: checked once resolved */
        default:
                if (width > 64)
                        return fail(p, "field '%s' is %llu bits wide; only bytes, ascii and struct fields may exceed 64",
                                    name, (unsigned long long) width);
                return true;
        }
}

/* OFFSET WIDTH NAME[COUNT] [DISPLAY [NAME]] [newer] */
static bool parse_field(struct parser *p, mlx5_schema_struct *st, char **tok, unsigned n)
{
        mlx5_schema_field f = { .display = MLX5_DISPLAY_DEC, .line = p->line };
        const char *type = NULL;
        uint64_t off, width, count = 0;
        unsigned first_line, i = 3;
        char *bracket;

        if (n < 3)
                return fail(p, "a field needs an offset, a width and a name");
        if (!number(p, tok[0], "offset", MLX5_SCHEMA_MAX_BITS, &off) ||
            !number(p, tok[1], "width", MLX5_SCHEMA_MAX_BITS, &width))
                return false;

        bracket = strchr(tok[2], '[');
        if (bracket) {
                char *close = strchr(bracket, ']');

                if (!close || close[1] != '\0')
                        return fail(p, "bad array '%s': expected NAME[COUNT]", tok[2]);
                *bracket = '\0';
                *close = '\0';
                if (!number(p, bracket + 1, "element count", MLX5_SCHEMA_MAX_BITS, &count))
                        return false;
                if (count == 0)
                        return fail(p, "array '%s' has no elements", tok[2]);
        }
        if (!is_name(tok[2]))
                return fail(p, "bad field name '%s'", tok[2]);

        if (i < n && strcmp(tok[i], "newer") != 0) {
                size_t d;

                for (d = 0; d < G_N_ELEMENTS(displays); d++)
                        if (strcmp(tok[i], displays[d].word) == 0)
                                break;
                if (d == G_N_ELEMENTS(displays))
                        return fail(p, "unknown display '%s'", tok[i]);
                f.display = displays[d].display;
                if (displays[d].named) {
                        if (++i == n)
                                return fail(p, "'%s' needs a name", displays[d].word);
                        type = tok[i];
                }
                i++;
        }
        if (i < n && strcmp(tok[i], "newer") == 0) {
                f.newer = true;
                i++;
        }
        if (i < n)
                return fail(p, "unexpected '%s'", tok[i]);
        if (!check_width(p, tok[2], f.display, width))
                return false;

        first_line = GPOINTER_TO_UINT(g_hash_table_lookup(p->names, tok[2]));
        if (first_line)
                return fail(p, "duplicate field '%s' (first at line %u)", tok[2], first_line);

        f.name = g_strdup(tok[2]);
        g_hash_table_insert(p->names, f.name, GUINT_TO_POINTER(p->line));
        f.bit_off = off;
        f.width = width;
        f.count = count;
        g_array_append_val(st->fields, f);
        if (type)
                add_ref(p, &(struct schema_ref) { .kind = f.display, .owner = st,
                                                  .index = st->fields->len - 1 }, type);
        return true;
}

static bool parse_key(struct parser *p, char **tok, unsigned n, enum key key)
{
        mlx5_schema_resource *r = p->resource;
        uint64_t a, b;

        if (p->key_line[key])
                return fail(p, "'%s' given twice (first at line %u)", tok[0], p->key_line[key]);
        p->key_line[key] = p->line;

        switch (key) {
        case KEY_QUERY: {
                unsigned opcode;

                if (!want_tokens(p, tok, n, 2, "an opcode"))
                        return false;
                /* A number in our strict syntax, or a name such as QUERY_QP. */
                if (g_ascii_isdigit(tok[1][0])) {
                        if (!number(p, tok[1], "opcode", 0xffff, &a))
                                return false;
                        opcode = a;
                } else if (!is_name(tok[1]) || mlx5_opcode_parse(tok[1], &opcode) < 0) {
                        return fail(p, "unknown opcode '%s'", tok[1]);
                }
                r->opcode = opcode;
                return true;
        }
        case KEY_OP_MOD:
                if (!want_tokens(p, tok, n, 2, "a number") ||
                    !number(p, tok[1], "op_mod", 0xffff, &a))
                        return false;
                r->op_mod = a;
                return true;
        case KEY_INLEN:
        case KEY_OUTLEN:
                if (!want_tokens(p, tok, n, 2, "a length in bytes") ||
                    !number(p, tok[1], tok[0], MLX5_SCHEMA_MAX_BITS / 8, &a))
                        return false;
                if (a < MLX5_MBOX_HDR_LEN)
                        return fail(p, "%s 0x%llx is shorter than the %d-byte mailbox header",
                                    tok[0], (unsigned long long) a, MLX5_MBOX_HDR_LEN);
                if (key == KEY_INLEN)
                        r->inlen = a;
                else
                        r->outlen = a;
                return true;
        case KEY_ID:
                if (!want_tokens(p, tok, n, 3, "an offset and a width") ||
                    !number(p, tok[1], "offset", MLX5_SCHEMA_MAX_BITS, &a) ||
                    !number(p, tok[2], "width", MLX5_SCHEMA_MAX_BITS, &b))
                        return false;
                if (b == 0 || b > 32)
                        return fail(p, "id width %llu is not 1..32", (unsigned long long) b);
                r->has_id = true;
                r->id_bit_off = a;
                r->id_width = b;
                return true;
        case KEY_CONTEXT:
                if (!want_tokens(p, tok, n, 3, "an offset and a struct name") ||
                    !number(p, tok[1], "offset", MLX5_SCHEMA_MAX_BITS, &a))
                        return false;
                r->context_bit_off = a;
                add_ref(p, &(struct schema_ref) { .kind = MLX5_DISPLAY_STRUCT, .resource = r },
                        tok[2]);
                return true;
        case KEY_DIR:
                if (!want_tokens(p, tok, n, 2, "a directory name") || !want_name(p, tok[1]))
                        return false;
                r->dir = g_strdup(tok[1]);
                return true;
        case KEY_TYPE:
                /* op_mod = type << 1 | mode must fit 16 bits */
                if (!want_tokens(p, tok, n, 2, "a capability type") ||
                    !number(p, tok[1], "type", 0x7fff, &a))
                        return false;
                p->caps->type = a;
                return true;
        case KEY_LAYOUT:
                if (!want_tokens(p, tok, n, 2, "a struct name"))
                        return false;
                add_ref(p, &(struct schema_ref) { .kind = MLX5_DISPLAY_STRUCT, .caps = p->caps },
                        tok[1]);
                return true;
        case N_KEYS:
                break;
        }
        g_assert_not_reached();
}

static bool parse_segment(struct parser *p, char **tok, unsigned n, GPtrArray *segments)
{
        if (!want_tokens(p, tok, n, 2, "a resource-dump segment name"))
                return false;
        if (strlen(tok[1]) > MLX5_RSCDUMP_NAME_LEN)
                return fail(p, "segment name '%s' is longer than %d characters", tok[1],
                            MLX5_RSCDUMP_NAME_LEN);
        g_ptr_array_add(segments, g_strdup(tok[1]));
        return true;
}

static bool parse_objref(struct parser *p, char **tok, unsigned n)
{
        mlx5_schema_objref ref = { 0 };

        if (!want_tokens(p, tok, n, 3, "a context field and a resource name") || !want_name(p, tok[2]))
                return false;
        if (p->resource->refs->len >= MLX5_SCHEMA_MAX_REFS)
                return fail(p, "resource '%s' has more than %u refs", p->resource->name, MLX5_SCHEMA_MAX_REFS);
        ref.path = g_strdup(tok[1]);
        ref.target_name = g_strdup(tok[2]);
        ref.line = p->line;
        g_array_append_val(p->resource->refs, ref);
        return true;
}

static bool parse_probe(struct parser *p, char **tok, unsigned n)
{
        mlx5_schema_resource *r = p->resource;
        const char *dot;

        if (!(n == 2 || (n == 3 && strcmp(tok[2], "log") == 0)))
                return fail(p, "probe wants a caps field (CAPS.FIELD) and optionally 'log'");
        dot = strchr(tok[1], '.');
        if (!dot || dot == tok[1] || !dot[1])
                return fail(p, "probe field '%s' is not CAPS.FIELD", tok[1]);
        if (r->probe)
                return fail(p, "resource '%s' has a second probe", r->name);
        r->probe = g_new0(mlx5_schema_probe, 1);
        r->probe->caps_name = g_strndup(tok[1], (gsize) (dot - tok[1]));
        r->probe->field = g_strdup(dot + 1);
        r->probe->log = n == 3;
        r->probe->line = p->line;
        return true;
}

/* "summary PATH..." (repeatable): the type's summary columns, in order. */
static bool parse_summary(struct parser *p, char **tok, unsigned n)
{
        mlx5_schema_resource *r = p->resource;

        if (n < 2)
                return fail(p, "summary wants one or more field paths");
        for (unsigned i = 1; i < n; i++) {
                const char *eq = strchr(tok[i], '=');
                mlx5_schema_column c = { .line = p->line };

                if (r->summary->len >= MLX5_SCHEMA_MAX_COLUMNS)
                        return fail(p, "resource '%s' has more than %u summary columns", r->name,
                                    MLX5_SCHEMA_MAX_COLUMNS);
                if (eq && (eq == tok[i] || !eq[1]))
                        return fail(p, "summary '%s' is not NAME=FIELD", tok[i]);
                c.name = eq ? g_strndup(tok[i], (gsize) (eq - tok[i])) : g_strdup(tok[i]);
                c.path = g_strdup(eq ? eq + 1 : tok[i]);
                g_array_append_val(r->summary, c);
                if (eq && !want_name(p, c.name))
                        return false;
        }
        return true;
}

static bool parse_resource_line(struct parser *p, char **tok, unsigned n)
{
        mlx5_schema_resource *r = p->resource;

        if (g_ascii_isdigit(tok[0][0])) {
                if (!p->st) {
                        p->st = schema_struct_new(r->name, 0, p->file, p->line);
                        g_ptr_array_add(p->schema->extras, p->st);
                        r->extra = p->st;
                }
                return parse_field(p, p->st, tok, n);
        }
        if (strcmp(tok[0], "dump") == 0)
                return parse_segment(p, tok, n, r->dump_segments);
        if (strcmp(tok[0], "dump_index") == 0)
                return parse_segment(p, tok, n, r->dump_indexes);
        if (strcmp(tok[0], "ref") == 0)
                return parse_objref(p, tok, n);
        if (strcmp(tok[0], "probe") == 0)
                return parse_probe(p, tok, n);
        if (strcmp(tok[0], "summary") == 0)
                return parse_summary(p, tok, n);
        if (strcmp(tok[0], "counters") == 0) {
                /* The label is checked against the id once the resource is whole (schema-validate.c). */
                if (!want_tokens(p, tok, n, n >= 3 ? 3 : 2, "a metric name stem (and a label name)") ||
                    !want_name(p, tok[1]) || (n == 3 && !want_name(p, tok[2])))
                        return false;
                if (r->counters_stem)
                        return fail(p, "resource '%s' has a second 'counters'", r->name);
                r->counters_stem = g_strdup(tok[1]);
                r->counters_label = n == 3 ? g_strdup(tok[2]) : NULL;
                r->counters_line = p->line;
                return true;
        }
        for (enum key k = KEY_QUERY; k <= KEY_DIR; k++)
                if (strcmp(tok[0], key_words[k]) == 0)
                        return parse_key(p, tok, n, k);
        return fail(p, "unknown keyword '%s' in resource '%s'", tok[0], r->name);
}

static bool parse_caps_line(struct parser *p, char **tok, unsigned n)
{
        if (strcmp(tok[0], "type") == 0)
                return parse_key(p, tok, n, KEY_TYPE);
        if (strcmp(tok[0], "layout") == 0)
                return parse_key(p, tok, n, KEY_LAYOUT);
        if (strcmp(tok[0], "when") == 0) {
                if (!want_tokens(p, tok, n, 2, "a general caps field"))
                        return false;
                if (p->caps->when)
                        return fail(p, "caps '%s' has a second 'when'", p->caps->name);
                p->caps->when = g_strdup(tok[1]);
                p->caps->when_line = p->line;
                return true;
        }
        return fail(p, "unknown keyword '%s' in caps '%s'", tok[0], p->caps->name);
}

/* Every field of st ends inside its size_bits: a struct's, or a resource's outlen. */
static bool check_fields_fit(struct parser *p, const mlx5_schema_struct *st, bool is_resource)
{
        for (guint i = 0; i < st->fields->len; i++) {
                const mlx5_schema_field *f = &g_array_index(st->fields, mlx5_schema_field, i);
                uint64_t end = f->bit_off + schema_field_span(f);

                if (end <= st->size_bits)
                        continue;
                p->line = f->line;
                if (is_resource)
                        return fail(p, "field '%s' ends at bit 0x%llx, past outlen 0x%x of resource '%s'",
                                    f->name, (unsigned long long) end, st->size_bits / 8, st->name);
                return fail(p, "field '%s' ends at bit 0x%llx, past the end of struct '%s' (0x%x bits)",
                            f->name, (unsigned long long) end, st->name, st->size_bits);
        }
        return true;
}

static bool close_resource(struct parser *p)
{
        mlx5_schema_resource *r = p->resource;
        static const enum key required[] = { KEY_QUERY, KEY_INLEN, KEY_OUTLEN, KEY_CONTEXT };

        for (size_t i = 0; i < G_N_ELEMENTS(required); i++)
                if (!p->key_line[required[i]])
                        return fail(p, "resource '%s' has no '%s'", r->name, key_words[required[i]]);
        if ((uint64_t) r->id_bit_off + r->id_width > (uint64_t) r->inlen * 8) {
                p->line = p->key_line[KEY_ID];
                return fail(p, "resource '%s' id ends at bit 0x%llx, past inlen 0x%x", r->name,
                            (unsigned long long) r->id_bit_off + r->id_width, r->inlen);
        }
        if (r->dir && r->has_id) {
                p->line = p->key_line[KEY_DIR];
                return fail(p, "resource '%s' has an 'id'; 'dir' is only for singletons", r->name);
        }
        if (p->st) {
                p->st->size_bits = r->outlen * 8;
                return check_fields_fit(p, p->st, true);
        }
        return true;
}

static bool close_block(struct parser *p, char **tok, unsigned n)
{
        bool ok = true;

        if (n > 1)
                return fail(p, "unexpected '%s'", tok[1]);
        switch (p->block) {
        case BLOCK_STRUCT:
                ok = check_fields_fit(p, p->st, false);
                break;
        case BLOCK_RESOURCE:
                ok = close_resource(p);
                break;
        case BLOCK_CAPS:
                if (!p->key_line[KEY_TYPE])
                        ok = fail(p, "caps '%s' has no 'type'", p->caps->name);
                else if (!p->key_line[KEY_LAYOUT])
                        ok = fail(p, "caps '%s' has no 'layout'", p->caps->name);
                break;
        case BLOCK_ENUM:
        case BLOCK_NONE:
                break;
        }
        p->block = BLOCK_NONE;
        p->enumeration = NULL;
        p->st = NULL;
        p->resource = NULL;
        p->caps = NULL;
        return ok;
}

static bool parse_tokens(struct parser *p, char **tok, unsigned n)
{
        if (p->block == BLOCK_NONE)
                return parse_top(p, tok, n);
        if (strcmp(tok[0], "end") == 0)
                return close_block(p, tok, n);
        if (is_block_word(tok[0]))
                return fail(p, "'%s' inside %s '%s' (missing 'end'?)", tok[0], p->block_word,
                            p->block_name);

        switch (p->block) {
        case BLOCK_ENUM:
                return parse_enum_value(p, tok, n);
        case BLOCK_STRUCT:
                if (!g_ascii_isdigit(tok[0][0]))
                        return fail(p, "unknown keyword '%s' in struct '%s'", tok[0], p->st->name);
                return parse_field(p, p->st, tok, n);
        case BLOCK_RESOURCE:
                return parse_resource_line(p, tok, n);
        case BLOCK_CAPS:
                return parse_caps_line(p, tok, n);
        case BLOCK_NONE:
                break;
        }
        g_assert_not_reached();
}

static bool parse_line(struct parser *p, const char *text, size_t len)
{
        char buf[MLX5_SCHEMA_MAX_LINE + 1];
        char *tok[MAX_TOKENS];
        unsigned n = 0;
        char *hash, *save = NULL;

        if (len > MLX5_SCHEMA_MAX_LINE)
                return fail(p, "line is longer than %d characters", MLX5_SCHEMA_MAX_LINE);
        if (memchr(text, '\0', len))
                return fail(p, "NUL byte in line");
        memcpy(buf, text, len);
        buf[len] = '\0';
        hash = strchr(buf, '#');
        if (hash)
                *hash = '\0';

        for (char *t = strtok_r(buf, " \t\r\v\f", &save); t; t = strtok_r(NULL, " \t\r\v\f", &save)) {
                if (n == MAX_TOKENS)
                        break;  /* every line kind rejects tok[MAX_TOKENS - 1] already */
                tok[n++] = t;
        }
        if (n == 0)
                return true;
        return parse_tokens(p, tok, n);
}

bool schema_parse(mlx5_schema *schema, const char *file, const char *text, size_t len,
                  GError **error)
{
        g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
        g_autoptr(GHashTable) values = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
        struct parser p = {
                .schema = schema,
                .file = file,
                .error = error,
                .names = names,
                .values = values,
        };
        const char *pos = text, *stop = text + len;

        while (pos < stop) {
                const char *nl = memchr(pos, '\n', stop - pos);
                const char *eol = nl ? nl : stop;

                p.line++;
                if (!parse_line(&p, pos, eol - pos))
                        return false;
                pos = nl ? nl + 1 : stop;
        }
        if (p.block != BLOCK_NONE) {
                p.line = p.block_line;
                return fail(&p, "%s '%s' has no 'end'", p.block_word, p.block_name);
        }
        return true;
}
