/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The schema loader: every class of broken input with its exact message,
 * garbage that must be refused without crashing, and the good path
 * (forward references, lookups, paths, leaf order, directories).
 */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <string.h>

#include "schema/schema.h"

struct bad_case {
        const char *text;
        const char *message;
};

/* A context struct and the lines every valid resource needs, to break one at a time. */
#define CTX "struct c 0x40\n  0 32 a\nend\n"

static const struct bad_case bad_cases[] = {
        /* syntax */
        { "foo bar\n", "t.schema:1: unknown keyword 'foo'" },
        { "\n\n  # only a comment\nstruct\n", "t.schema:4: 'struct' needs a name and a size in bits" },
        { "struct a 32\n  0 8 x\n", "t.schema:1: struct 'a' has no 'end'" },
        { "enum e\n  0 A\n", "t.schema:1: enum 'e' has no 'end'" },
        { "struct a 32\nend\nresource r\n", "t.schema:3: resource 'r' has no 'end'" },
        { "end\n", "t.schema:1: 'end' outside a block" },
        { "enum e\nend now\n", "t.schema:2: unexpected 'now'" },
        { "struct a 32\nstruct b 32\nend\nend\n", "t.schema:2: 'struct' inside struct 'a' (missing 'end'?)" },
        { "enum e\n  0 A\ncaps g\nend\n", "t.schema:3: 'caps' inside enum 'e' (missing 'end'?)" },
        { "struct a 3x2\nend\n", "t.schema:1: bad size '3x2'" },
        { "struct a 32\n  0x 8 x\nend\n", "t.schema:2: bad offset '0x'" },
        { "struct a 32\n  0 8g x\nend\n", "t.schema:2: bad width '8g'" },
        { "struct a 32\n  0x0x8 8 x\nend\n", "t.schema:2: bad offset '0x0x8'" },
        { "struct a 32\n  0 9999999999999999999999g x\nend\n", "t.schema:2: bad width '9999999999999999999999g'" },
        { "struct a 32\n  0 0X8 x\nend\n  0x 8 y\n", "t.schema:4: unknown keyword '0x'" },
        { "struct a 32\n  -1 8 x\nend\n", "t.schema:2: unknown keyword '-1' in struct 'a'" },
        { "struct a 32 extra\nend\n", "t.schema:1: unexpected 'extra'" },
        { "struct a 32\n  0 8\nend\n", "t.schema:2: a field needs an offset, a width and a name" },
        { "struct a 32\n  0 8 x hex junk\nend\n", "t.schema:2: unexpected 'junk'" },
        { "struct a 32\n  0 8 x newer hex\nend\n", "t.schema:2: unexpected 'hex'" },
        { "struct a 32\n  0 8 x octal\nend\n", "t.schema:2: unknown display 'octal'" },
        { "struct a 32\n  0 8 x enum\nend\n", "t.schema:2: 'enum' needs a name" },
        { "struct a 0x200000\nend\n", "t.schema:1: size '0x200000' is larger than 0x100000" },
        { "struct a 32\n  99999999999999999999999 8 x\nend\n",
          "t.schema:2: offset '99999999999999999999999' is larger than 0x100000" },
        { "struct 9a 32\nend\n", "t.schema:1: bad name '9a'" },
        { "struct a 32\n  0 8 x-y\nend\n", "t.schema:2: bad field name 'x-y'" },
        { "struct a 32\n  0 8 x[2\nend\n", "t.schema:2: bad array 'x[2': expected NAME[COUNT]" },
        { "struct a 32\n  0 8 x[2]y\nend\n", "t.schema:2: bad array 'x[2]y': expected NAME[COUNT]" },
        { "struct a 32\n  0 8 x[two]\nend\n", "t.schema:2: bad element count 'two'" },
        { "struct a 32\n  0 8 x[0]\nend\n", "t.schema:2: array 'x' has no elements" },
        { "enum e\n  A 0\nend\n", "t.schema:2: bad value 'A'" },
        { "enum e\n  0\nend\n", "t.schema:2: expected VALUE NAME" },
        { "flags f\n  1\nend\n", "t.schema:2: expected BIT NAME" },
        { "flags f\n  64 X\nend\n", "t.schema:2: bit number '64' is larger than 0x3f" },
        { "enum e\n  0 A B\nend\n", "t.schema:2: unexpected 'B'" },

        /* struct sizes and widths */
        { "struct a 48\nend\n", "t.schema:1: struct 'a' size 0x30 is not a multiple of 32 bits" },
        { "struct a 0\nend\n", "t.schema:1: struct 'a' has size 0" },
        { "struct a 32\n  0 0 x\nend\n", "t.schema:2: field 'x' has width 0" },
        { "struct a 128\n  0 65 x\nend\n",
          "t.schema:2: field 'x' is 65 bits wide; only bytes, ascii and struct fields may exceed 64" },
        { "struct a 128\n  0 128 x hex\nend\n",
          "t.schema:2: field 'x' is 128 bits wide; only bytes, ascii and struct fields may exceed 64" },
        { "enum e\nend\nstruct a 128\n  0 96 x enum e\nend\n",
          "t.schema:4: field 'x' is 96 bits wide; only bytes, ascii and struct fields may exceed 64" },
        { "struct a 32\n  0 12 x bytes\nend\n",
          "t.schema:2: field 'x' is bytes but its width 12 is not a multiple of 8" },
        { "struct a 32\n  0 4 x ascii\nend\n",
          "t.schema:2: field 'x' is ascii but its width 4 is not a multiple of 8" },
        { "struct p 32\nend\nstruct a 64\n  0 64 x struct p\nend\n",
          "t.schema:4: field 'x' is 0x40 bits but struct 'p' is 0x20" },

        /* placement */
        { "struct a 32\n  0x18 16 x\nend\n",
          "t.schema:2: field 'x' ends at bit 0x28, past the end of struct 'a' (0x20 bits)" },
        { "struct a 32\n  0 8 v[5]\nend\n",
          "t.schema:2: field 'v' ends at bit 0x28, past the end of struct 'a' (0x20 bits)" },
        { "struct a 64\n  0 8 st\n  4 4 state\nend\n", "t.schema:3: field 'state' overlaps 'st'" },
        { "struct a 64\n  4 4 state\n  0 8 st\nend\n", "t.schema:3: field 'st' overlaps 'state'" },
        { "struct a 64\n  0 8 v[4]\n  0x20 8 ok\n  0x18 8 w\nend\n", "t.schema:4: field 'w' overlaps 'v'" },
        { "struct a 64\n  0 64 wide\n  0x10 1 b\n  0x30 1 c\nend\n", "t.schema:3: field 'b' overlaps 'wide'" },
        { "struct a 64\n  0x20 1 x\n  0x20 1 y\nend\n", "t.schema:3: field 'y' overlaps 'x'" },

        /* names */
        { "struct a 32\n  0 4 s enum nope\nend\n", "t.schema:2: unknown enum 'nope'" },
        { "struct a 32\n  0 4 s flags nope\nend\n", "t.schema:2: unknown flags 'nope'" },
        { "struct a 32\n  0 32 s struct nope\nend\n", "t.schema:2: unknown struct 'nope'" },
        { "enum e\nend\nstruct a 32\n  0 4 s flags e\nend\n", "t.schema:4: 'e' is an enum, not flags" },
        { "flags f\nend\nstruct a 32\n  0 4 s enum f\nend\n", "t.schema:4: 'f' is flags, not an enum" },
        { "struct a 32\n  0 8 x\n  8 8 x\nend\n", "t.schema:3: duplicate field 'x' (first at line 2)" },
        { "struct a 32\nend\nstruct a 32\nend\n", "t.schema:3: struct 'a' already defined at t.schema:1" },
        { "enum e\nend\nflags e\nend\n", "t.schema:3: flags 'e' already defined at t.schema:1" },
        { "enum e\n  0 A\n  1 A\nend\n", "t.schema:3: duplicate name 'A' in enum 'e' (first at line 2)" },
        { "flags f\n  0 A\n  1 A\nend\n", "t.schema:3: duplicate name 'A' in flags 'f' (first at line 2)" },
        { "enum e\n  0 A\n  0x0 B\nend\n", "t.schema:3: value 0x0 of 'B' is already named 'A'" },
        { "flags f\n  3 A\n  3 B\nend\n", "t.schema:3: bit 3 of 'B' is already named 'A'" },

        /* nesting */
        { "struct a 32\n  0 32 self struct a\nend\n", "t.schema:1: struct 'a' contains itself" },
        { "struct a 32\n  0 32 b struct b\nend\nstruct b 32\n  0 32 a struct a\nend\n",
          "t.schema:1: struct 'a' contains itself" },
        { "struct a 64\n  0 32 b struct b\nend\nstruct b 32\n  0 32 c struct c\nend\n"
          "struct c 32\n  0 32 b struct b\nend\n",
          "t.schema:4: struct 'b' contains itself" },

        /* resources */
        { CTX "resource r\n  inlen 16\n  outlen 16\n  context 0 c\nend\n",
          "t.schema:8: resource 'r' has no 'query'" },
        { CTX "resource r\n  query 0x50b\n  outlen 16\n  context 0 c\nend\n",
          "t.schema:8: resource 'r' has no 'inlen'" },
        { CTX "resource r\n  query 0x50b\n  inlen 16\n  context 0 c\nend\n",
          "t.schema:8: resource 'r' has no 'outlen'" },
        { CTX "resource r\n  query 0x50b\n  inlen 16\n  outlen 16\nend\n",
          "t.schema:8: resource 'r' has no 'context'" },
        { CTX "resource r\n  query 0x50b\n  inlen 8\n  outlen 16\n  context 0 c\nend\n",
          "t.schema:6: inlen 0x8 is shorter than the 16-byte mailbox header" },
        { CTX "resource r\n  query 0x50b\n  inlen 16\n  outlen 15\n  context 0 c\nend\n",
          "t.schema:7: outlen 0xf is shorter than the 16-byte mailbox header" },
        { CTX "resource r\n  query 0x50b\n  inlen 16\n  outlen 16\n  id 0x70 24\n  context 0 c\nend\n",
          "t.schema:8: resource 'r' id ends at bit 0x88, past inlen 0x10" },
        { CTX "resource r\n  query 0x50b\n  inlen 16\n  outlen 16\n  id 0x40 40\n  context 0 c\nend\n",
          "t.schema:8: id width 40 is not 1..32" },
        { CTX "resource r\n  query 0x50b\n  inlen 16\n  outlen 16\n  id 0x48\n  context 0 c\nend\n",
          "t.schema:8: 'id' needs an offset and a width" },
        { CTX "resource r\n  query 0x50b\n  inlen 16\n  outlen 16\n  context 0x60 c\nend\n",
          "t.schema:8: resource 'r' context 'c' ends at bit 0xa0, past outlen 0x10" },
        { CTX "resource r\n  query 0x50b\n  inlen 16\n  outlen 16\n  context 0 c\n  0x80 32 x\nend\n",
          "t.schema:9: field 'x' ends at bit 0xa0, past outlen 0x10 of resource 'r'" },
        { CTX "resource r\n  query 0x50b\n  inlen 16\n  outlen 32\n  context 0x80 c\n  0xa0 32 x\nend\n",
          "t.schema:9: field 'x' overlaps context 'c'" },
        { CTX "resource r\n  query 0x50b\n  inlen 16\n  outlen 32\n  context 0x80 c\n  0 8 a\nend\n",
          "t.schema:9: field 'a' is also a field of context 'c'" },
        { CTX "resource r\n  query 0x50b\n  inlen 16\n  outlen 32\n  context 0x80 c\n  0 8 x\n  4 8 y\nend\n",
          "t.schema:10: field 'y' overlaps 'x'" },
        { CTX "resource r\n  query 0x50b\n  query 0x402\nend\n",
          "t.schema:6: 'query' given twice (first at line 5)" },
        { CTX "resource r\n  query QUERY_NOPE\nend\n", "t.schema:5: unknown opcode 'QUERY_NOPE'" },
        { CTX "resource r\n  query +5\nend\n", "t.schema:5: unknown opcode '+5'" },
        { CTX "resource r\n  query 0x10000\nend\n", "t.schema:5: opcode '0x10000' is larger than 0xffff" },
        { CTX "resource r\n  op_mod 0x10000\nend\n", "t.schema:5: op_mod '0x10000' is larger than 0xffff" },
        { CTX "resource r\n  frobnicate 1\nend\n", "t.schema:5: unknown keyword 'frobnicate' in resource 'r'" },
        { CTX "resource r\n  dump ABCDEFGHIJKLMNOPQ\nend\n",
          "t.schema:5: segment name 'ABCDEFGHIJKLMNOPQ' is longer than 16 characters" },
        { CTX "resource r\n  dump\nend\n", "t.schema:5: 'dump' needs a resource-dump segment name" },
        { CTX "resource r\n  query 0x50b\n  inlen 16\n  outlen 16\n  context 0 c\nend\n"
          "resource r2\n  query QUERY_QP\n  inlen 16\n  outlen 16\n  context 0 c\nend\n",
          "t.schema:10: resource 'r2' has the same query 0x50b op_mod 0x0 as 'r' (t.schema:4)" },
        { CTX "resource r\n  query 0x50b\n  inlen 16\n  outlen 16\n  context 0 c\nend\n"
          "resource r\nend\n",
          "t.schema:10: resource 'r' already defined at t.schema:4" },
        { CTX "resource vport\n  query 0x750\n  inlen 16\n  outlen 16\n  context 0 c\nend\n"
          "resource state\n  query 0x754\n  dir vport\n  inlen 16\n  outlen 16\n  context 0 c\nend\n",
          "t.schema:10: resource 'state' dir 'vport' clashes with resource 'vport' (t.schema:4)" },
        { CTX "resource r\n  query 0x50b\n  inlen 16\n  outlen 16\n  id 0x48 24\n  dir d\n  context 0 c\nend\n",
          "t.schema:9: resource 'r' has an 'id'; 'dir' is only for singletons" },
        { CTX "resource r\n  query 0x50b\n  inlen 16\n  outlen 16\n  context 0 nope\nend\n",
          "t.schema:8: unknown struct 'nope'" },

        /* caps */
        { CTX "caps g\n  layout c\nend\n", "t.schema:6: caps 'g' has no 'type'" },
        { CTX "caps g\n  type 0\nend\n", "t.schema:6: caps 'g' has no 'layout'" },
        { CTX "caps g\n  type 0x8000\n  layout c\nend\n", "t.schema:5: type '0x8000' is larger than 0x7fff" },
        { CTX "caps g\n  type 0\n  layout nope\nend\n", "t.schema:6: unknown struct 'nope'" },
        { "struct big 0x8020\nend\ncaps g\n  type 0\n  layout big\nend\n",
          "t.schema:5: caps 'g' layout 'big' is 0x8020 bits, more than 0x8000" },
        { CTX "caps g\n  type 0\n  layout c\nend\ncaps h\n  type 0x0\n  layout c\nend\n",
          "t.schema:8: caps 'h' has the same type 0x0 as 'g' (t.schema:4)" },
        { CTX "caps g\n  type 0\n  layout c\nend\ncaps g\nend\n",
          "t.schema:8: caps 'g' already defined at t.schema:4" },
        { CTX "caps g\n  type 0\n  type 1\nend\n", "t.schema:6: 'type' given twice (first at line 5)" },
        { CTX "caps g\n  query 1\nend\n", "t.schema:5: unknown keyword 'query' in caps 'g'" },
};

static void test_bad_case(const void *data)
{
        const struct bad_case *c = data;
        g_autoptr(GError) error = NULL;
        g_autoptr(mlx5_schema) schema = mlx5_schema_load_string("t.schema", c->text, &error);

        g_assert_null(schema);
        g_assert_error(error, MLX5_SCHEMA_ERROR, MLX5_SCHEMA_ERROR_INVALID);
        g_assert_cmpstr(error->message, ==, c->message);
}

static void assert_refused(const char *text, const char *message)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(mlx5_schema) schema = mlx5_schema_load_string("t.schema", text, &error);

        g_assert_null(schema);
        g_assert_error(error, MLX5_SCHEMA_ERROR, MLX5_SCHEMA_ERROR_INVALID);
        g_assert_cmpstr(error->message, ==, message);
}

static mlx5_schema *load_ok(const char *text)
{
        g_autoptr(GError) error = NULL;
        mlx5_schema *schema = mlx5_schema_load_string("t.schema", text, &error);

        g_assert_no_error(error);
        g_assert_nonnull(schema);
        return schema;
}

/* s0 holds s1 holds ... : levels structs deep. */
static char *nested_chain(unsigned levels)
{
        GString *text = g_string_new(NULL);

        for (unsigned i = 0; i < levels; i++) {
                g_string_append_printf(text, "struct s%u 32\n", i);
                if (i + 1 < levels)
                        g_string_append_printf(text, "  0 32 inner struct s%u\n", i + 1);
                g_string_append(text, "end\n");
        }
        return g_string_free(text, FALSE);
}

static void test_nesting_limit(void)
{
        g_autofree char *deep = nested_chain(17);
        g_autofree char *fine = nested_chain(16);

        assert_refused(deep, "t.schema:1: struct 's0' nests structs more than 16 levels deep");
        mlx5_schema_free(load_ok(fine));
}

static void test_input_limits(void)
{
        g_autofree char *line = g_strnfill(4097, '#');
        g_autofree char *big = g_strnfill(4u << 20 | 1, '\n');

        assert_refused(line, "t.schema:1: line is longer than 4096 characters");
        line[4096] = '\0';
        mlx5_schema_free(load_ok(line));
        assert_refused(big, "t.schema: larger than 4194304 bytes");
        big[4u << 20] = '\0';
        mlx5_schema_free(load_ok(big));
}

/* n resources (or caps blocks), each valid on its own. */
static char *many_blocks(const char *kind, unsigned n)
{
        GString *text = g_string_new(CTX);

        for (unsigned i = 0; i < n; i++) {
                if (strcmp(kind, "resource") == 0)
                        g_string_append_printf(text, "resource r%u\n  query 0x%x\n  inlen 16\n  outlen 16\n"
                                               "  context 0 c\nend\n", i, 0x1000 + i);
                else
                        g_string_append_printf(text, "caps c%u\n  type 0x%x\n  layout c\nend\n", i, i);
        }
        return g_string_free(text, FALSE);
}

static void test_block_limits(void)
{
        g_autofree char *resources = many_blocks("resource", 257);
        g_autofree char *caps = many_blocks("caps", 257);
        unsigned resource_line = 4 + 256 * 6, caps_line = 4 + 256 * 4;
        g_autofree char *resources_msg = g_strdup_printf(
                "t.schema:%u: resource 'r256' is one more than the 256 a schema may have", resource_line);
        g_autofree char *caps_msg = g_strdup_printf(
                "t.schema:%u: caps 'c256' is one more than the 256 a schema may have", caps_line);

        assert_refused(resources, resources_msg);
        assert_refused(caps, caps_msg);
        resources[strlen(resources) - strlen("resource r256\n  query 0x1100\n  inlen 16\n  outlen 16\n"
                                             "  context 0 c\nend\n")] = '\0';
        mlx5_schema_free(load_ok(resources));
}

/* Nonsense of every shape is refused with a located message, never a crash. */
static void test_garbage(void)
{
        static const char *const garbage[] = {
                "\xff\xfe\xfd",
                "struct",
                "struct a",
                "[[[",
                "end end end",
                "0 8 x",
                "struct a 32\n  0 8 x[",
                "struct a 32\n  0 8 x[]\nend",
                "struct a 32\n  0 8 [3]\nend",
                "struct a 32\n  0 8 x[3]]\nend",
                "resource\n",
                "caps\n",
                "enum\n",
                "struct a 0x\n",
                "struct a 32\n  0 8 x enum enum enum enum enum enum enum enum enum\nend",
                "#\n#\nstruct a 32 # c\n\x01\nend",
                "struct a 32\n  0 18446744073709551616 x\nend",
                "struct a 32\n  0 8 x struct\nend",
                "struct a 32\n  0 8 x flags\nend",
                "enum e\n  0x 0x\nend",
                "resource r\n  0 8 x\nend",
                "resource r\n  id 0 0\nend",
                "resource r\n  context\nend",
                "caps c\n  layout\nend",
                "struct \xc3\xa9 32\nend",
                "\r\n\r\nstruct a 32\r\n  0 8\tx\thex\textra\r\nend\r\n",
        };

        for (size_t i = 0; i < G_N_ELEMENTS(garbage); i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(mlx5_schema) schema = mlx5_schema_load_string("t.schema", garbage[i], &error);

                g_assert_null(schema);
                g_assert_error(error, MLX5_SCHEMA_ERROR, MLX5_SCHEMA_ERROR_INVALID);
                g_assert_true(g_str_has_prefix(error->message, "t.schema:"));
        }
}

static const char good_schema[] =
        "# Forward references everywhere: resources come before their structs.\n"
        "resource qp\n"
        "  query   QUERY_QP\n"
        "  op_mod  0\n"
        "  inlen   0x10\n"
        "  outlen  0x40\n"
        "  id      0x48 24\n"
        "  context 0x80 ctx\n"
        "  # no ref or probe: found by the host's views alone\n"
        "  dump    PRM_QUERY_QP\n"
        "  dump    OTHER\n"
        "  0x40 32 ece hex          # output field outside the context\n"
        "end\n"
        "\n"
        "resource qp_alt\r\n"
        "  query 0x50b\r\n"
        "  op_mod 1\r\n"
        "  inlen 16\r\n"
        "  outlen 0x40\r\n"
        "  context 0x80 ctx\r\n"
        "end\r\n"
        "\n"
        "resource state\n"
        "  query 0x750\n"
        "  dir vport\n"
        "  inlen 16\n"
        "  outlen 0x40\n"
        "  context 0x80 ctx\n"
        "end\n"
        "\n"
        "caps general\n"
        "  type 0x0\n"
        "  layout ctx\n"
        "end\n"
        "caps debug\n"
        "  type 0xd\n"
        "  layout pair\n"
        "end\n"
        "\n"
        "struct ctx 0x180\n"
        "\t0x60 32 last hex\t\t# tab indented, out of order\n"
        "  0x00 4  state enum qp_state newer\n"
        "  0x04 4  fl flags bits\n"
        "  0x08 24 pd hex\n"
        "  0x20 32 p struct pair\n"
        "  0x40 16 v[2] hex\n"
        "  0x80 64 name ascii\n"
        "  0xc0 32 raw bytes\n"
        "  0x100 128 gid bytes\n"
        "end\n"
        "\n"
        "struct pair 32\n"
        "  0x10 16 b\n"
        "  0x00 8  a\n"
        "end\n"
        "\n"
        "enum qp_state\n"
        "  0 RST\n"
        "  6 ERR\n"
        "end\n"
        "\n"
        "flags bits\n"
        "  0 ONE\n"
        "  3 FOUR\n"
        "end\n";

/* The schema text with line replaced by replacement is refused (with message_part, when given). */
static void assert_rejected(const char *text, const char *line, const char *replacement, const char *message_part)
{
        const char *at = strstr(text, line);
        g_autofree char *broken = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(mlx5_schema) none = NULL;

        g_assert_nonnull(at);
        broken = g_strdup_printf("%.*s%s%s", (int) (at - text), text, replacement, at + strlen(line));
        none = mlx5_schema_load_string("t.schema", broken, &error);
        g_assert_null(none);
        g_assert_error(error, MLX5_SCHEMA_ERROR, MLX5_SCHEMA_ERROR_INVALID);
        if (message_part)
                g_assert_nonnull(strstr(error->message, message_part));
}

/* Inventory data: refs resolve to output offsets and targets, probes and `when` to caps fields. */
static const char inventory_schema[] =
        "resource qp\n  query 0x50b\n  inlen 0x10\n  outlen 0x40\n  id 0x48 24\n  context 0x80 qpc\n"
        "  ref cqn cq\n  ref peers[*] cq\n  0x60 32 tail_cq hex\n  ref tail_cq cq\n"
        "  summary state c=cqn\n  summary peers[1] tail_cq\nend\n"
        "resource cq\n  query 0x402\n  inlen 0x10\n  outlen 0x40\n  id 0x48 24\n  context 0x80 cqc\n"
        "  ref eqn eq\n  counters c set\nend\n"
        "resource eq\n  query 0x303\n  inlen 0x10\n  outlen 0x40\n  id 0x58 8\n  context 0x80 cqc\n"
        "  probe general.log_max_eq log\nend\n"
        "resource port\n  query 0x770\n  inlen 0x20\n  outlen 0x40\n  context 0x80 cqc\n  counters p\nend\n"
        "struct qpc 0x80\n  0x08 24 cqn hex\n  0x20 16 peers[2] hex\n  0x40 4 state\nend\n"
        "struct cqc 0x40\n  0x08 24 eqn hex\nend\n"
        "struct hca 0x40\n  0x00 5 log_max_eq\n  0x10 1 roce\nend\n"
        "caps general\n  type 0\n  layout hca\nend\n"
        "caps roce\n  type 4\n  layout cqc\n  when roce\nend\n";

static void test_inventory_data(void)
{
        g_autoptr(mlx5_schema) schema = load_ok(inventory_schema);
        const mlx5_schema_resource *qp = mlx5_schema_find_resource(schema, "qp");
        const mlx5_schema_resource *cq = mlx5_schema_find_resource(schema, "cq");
        const mlx5_schema_resource *eq = mlx5_schema_find_resource(schema, "eq");
        const mlx5_schema_objref *r;
        /* in cq: a field that is no number, a cycle back to qp, an unknown target, an array without [*] */
        static const char *const bad[] = {
                "  ref state cq\n", "  ref eqn qp\n", "  ref eqn nosuch\n", "  ref peers cq\n", "  ref peers[*]\n",
        };
        static const char *const bad_probes[] = {
                "  probe nosuch.log_max_eq\n", "  probe general.nosuch\n", "  probe log_max_eq\n",
                "  probe general.log_max_eq lg\n",
        };

        g_assert_cmpuint(qp->refs->len, ==, 3);
        r = &g_array_index(qp->refs, mlx5_schema_objref, 0);
        g_assert_true(r->target == cq);
        g_assert_cmphex(r->bit_off, ==, 0x80 + 0x08);
        g_assert_cmpuint(r->width, ==, 24);
        g_assert_cmpuint(r->count, ==, 1);
        r = &g_array_index(qp->refs, mlx5_schema_objref, 1);
        g_assert_cmphex(r->bit_off, ==, 0x80 + 0x20);
        g_assert_cmpuint(r->width, ==, 16);
        g_assert_cmpuint(r->count, ==, 2);
        /* An output field beside the context: its offset is the output's. */
        g_assert_cmphex(g_array_index(qp->refs, mlx5_schema_objref, 2).bit_off, ==, 0x60);
        g_assert_true(g_array_index(cq->refs, mlx5_schema_objref, 0).target == eq);
        g_assert_nonnull(eq->probe);
        g_assert_true(eq->probe->caps == mlx5_schema_find_caps(schema, "general"));
        g_assert_cmpstr(eq->probe->field, ==, "log_max_eq");
        g_assert_true(eq->probe->log);
        g_assert_cmpstr(mlx5_schema_find_caps(schema, "roce")->when, ==, "roce");
        g_assert_null(mlx5_schema_find_caps(schema, "general")->when);

        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
                assert_rejected(inventory_schema, "  ref eqn eq\n", bad[i], NULL);
        for (size_t i = 0; i < G_N_ELEMENTS(bad_probes); i++)
                assert_rejected(inventory_schema, "  probe general.log_max_eq log\n", bad_probes[i], NULL);
        assert_rejected(inventory_schema, "  when roce\n", "  when rocf\n", "not a field of the general caps");

        /* Summary columns: leaves of the context or the output, in order, at output offsets. */
        g_assert_cmpuint(qp->summary->len, ==, 4);
        g_assert_cmpstr(g_array_index(qp->summary, mlx5_schema_column, 0).path, ==, "state");
        g_assert_cmphex(g_array_index(qp->summary, mlx5_schema_column, 0).bit_off, ==, 0x80 + 0x40);
        g_assert_cmpstr(g_array_index(qp->summary, mlx5_schema_column, 1).name, ==, "c");
        g_assert_cmpstr(g_array_index(qp->summary, mlx5_schema_column, 1).path, ==, "cqn");
        g_assert_cmpstr(g_array_index(qp->summary, mlx5_schema_column, 2).name, ==, "peers[1]");
        g_assert_cmphex(g_array_index(qp->summary, mlx5_schema_column, 2).bit_off, ==, 0x80 + 0x30);
        g_assert_cmphex(g_array_index(qp->summary, mlx5_schema_column, 3).bit_off, ==, 0x60);
        g_assert_cmpstr(cq->counters_stem, ==, "c");
        g_assert_cmpstr(cq->counters_label, ==, "set");
        g_assert_null(qp->counters_stem);
        assert_rejected(inventory_schema, "  summary state c=cqn\n", "  summary state nosuch\n",
                        "t.schema:11: summary 'nosuch' is not a field of resource 'qp'");
        assert_rejected(inventory_schema, "  summary state c=cqn\n", "  summary peers\n", "summary 'peers'");
        assert_rejected(inventory_schema, "  summary state c=cqn\n", "  summary\n", "summary wants one or more");
        assert_rejected(inventory_schema, "  summary state c=cqn\n", "  summary =cqn\n", "not NAME=FIELD");
        assert_rejected(inventory_schema, "  summary state c=cqn\n", "  summary c.d=cqn\n", "bad name 'c.d'");
        /* A singleton's counters: one series per device, no label; objects' need one. */
        g_assert_cmpstr(mlx5_schema_find_resource(schema, "port")->counters_stem, ==, "p");
        g_assert_null(mlx5_schema_find_resource(schema, "port")->counters_label);
        assert_rejected(inventory_schema, "  counters c set\n", "  counters c\n",
                        "t.schema:21: counters of resource 'cq' need a label");
        assert_rejected(inventory_schema, "  counters p\n", "  counters p set\n",
                        "t.schema:36: counters of resource 'port': a singleton has no id");
        assert_rejected(inventory_schema, "  counters c set\n", "  counters\n", "a metric name stem (and a label");
        assert_rejected(inventory_schema, "  counters c set\n", "  counters c set x\n", "unexpected 'x'");
        assert_rejected(inventory_schema, "  counters c set\n", "  counters c set\n  counters d set\n",
                        "second 'counters'");
        assert_rejected(inventory_schema, "  summary state c=cqn\n",
                        "  summary state state state state state state state\n"
                        "  summary state state state state state state state\n"
                        "  summary state state state\n",
                        "more than 16 summary columns");
}

static void test_good_lookups(void)
{
        g_autoptr(mlx5_schema) schema = load_ok(good_schema);
        const mlx5_schema_resource *qp, *alt, *state;
        const mlx5_schema_struct *ctx, *pair;
        const mlx5_schema_enum *qp_state, *bits;
        const mlx5_schema_field *f;

        qp = mlx5_schema_find_resource(schema, "qp");
        alt = mlx5_schema_find_resource(schema, "qp_alt");
        state = mlx5_schema_find_resource(schema, "state");
        ctx = mlx5_schema_find_struct(schema, "ctx");
        pair = mlx5_schema_find_struct(schema, "pair");
        qp_state = mlx5_schema_find_enum(schema, "qp_state");
        bits = mlx5_schema_find_enum(schema, "bits");
        g_assert_nonnull(qp);
        g_assert_nonnull(alt);
        g_assert_nonnull(state);
        g_assert_nonnull(ctx);
        g_assert_nonnull(pair);
        g_assert_nonnull(qp_state);
        g_assert_nonnull(bits);
        g_assert_null(mlx5_schema_find_resource(schema, "cq"));
        g_assert_null(mlx5_schema_find_struct(schema, "qp"));
        g_assert_null(mlx5_schema_find_enum(schema, "ctx"));

        g_assert_cmpuint(mlx5_schema_n_resources(schema), ==, 3);
        g_assert_true(mlx5_schema_resource_at(schema, 0) == qp);
        g_assert_true(mlx5_schema_resource_at(schema, 1) == alt);
        g_assert_true(mlx5_schema_resource_at(schema, 2) == state);
        g_assert_null(mlx5_schema_resource_at(schema, 3));
        g_assert_cmpuint(mlx5_schema_n_structs(schema), ==, 2);
        g_assert_true(mlx5_schema_struct_at(schema, 0) == ctx);
        g_assert_true(mlx5_schema_struct_at(schema, 1) == pair);
        g_assert_null(mlx5_schema_struct_at(schema, 2));
        g_assert_cmpuint(mlx5_schema_n_caps(schema), ==, 2);
        g_assert_cmpstr(mlx5_schema_caps_at(schema, 1)->name, ==, "debug");
        g_assert_null(mlx5_schema_caps_at(schema, 2));
        g_assert_true(mlx5_schema_find_caps(schema, "general")->layout == ctx);
        g_assert_true(mlx5_schema_find_caps_by_type(schema, 0xd)->layout == pair);
        g_assert_null(mlx5_schema_find_caps_by_type(schema, 1));
        g_assert_null(mlx5_schema_find_caps(schema, "roce"));

        g_assert_true(mlx5_schema_find_resource_by_opcode(schema, 0x50b) == qp);
        g_assert_true(mlx5_schema_find_resource_by_cmd(schema, 0x50b, 1) == alt);
        g_assert_true(mlx5_schema_find_resource_by_cmd(schema, 0x750, 0) == state);
        g_assert_null(mlx5_schema_find_resource_by_cmd(schema, 0x50b, 2));
        g_assert_null(mlx5_schema_find_resource_by_opcode(schema, 0x402));

        g_assert_cmphex(qp->opcode, ==, 0x50b);
        g_assert_cmphex(qp->op_mod, ==, 0);
        g_assert_cmphex(qp->inlen, ==, 0x10);
        g_assert_cmphex(qp->outlen, ==, 0x40);
        g_assert_true(qp->has_id);
        g_assert_cmphex(qp->id_bit_off, ==, 0x48);
        g_assert_cmpuint(qp->id_width, ==, 24);
        g_assert_cmphex(qp->context_bit_off, ==, 0x80);
        g_assert_true(qp->context == ctx);
        g_assert_null(qp->dir);
        g_assert_cmpuint(qp->refs->len, ==, 0);
        g_assert_null(qp->probe);
        g_assert_cmpuint(qp->dump_segments->len, ==, 2);
        g_assert_cmpstr(qp->dump_segments->pdata[1], ==, "OTHER");
        g_assert_nonnull(qp->extra);
        g_assert_cmpuint(qp->extra->fields->len, ==, 1);
        g_assert_cmpstr(g_array_index(qp->extra->fields, mlx5_schema_field, 0).name, ==, "ece");
        g_assert_cmpstr(qp->file, ==, "t.schema");
        g_assert_cmpuint(qp->line, ==, 2);
        g_assert_cmphex(alt->op_mod, ==, 1);
        g_assert_false(alt->has_id);
        g_assert_null(alt->extra);
        g_assert_cmpuint(alt->line, ==, 15);
        g_assert_cmpstr(state->dir, ==, "vport");

        g_assert_false(qp_state->is_flags);
        g_assert_true(bits->is_flags);
        g_assert_cmpuint(qp_state->values->len, ==, 2);
        g_assert_cmpstr(g_array_index(qp_state->values, mlx5_schema_enum_value, 1).name, ==, "ERR");
        g_assert_cmphex(g_array_index(bits->values, mlx5_schema_enum_value, 1).value, ==, 3);

        g_assert_cmpuint(ctx->size_bits, ==, 0x180);
        g_assert_cmpint(mlx5_schema_resolve(ctx, "state", &f, NULL), ==, 0);
        g_assert_true(f->enumeration == qp_state);
        g_assert_cmpint(f->display, ==, MLX5_DISPLAY_ENUM);
        g_assert_true(f->newer);
        g_assert_cmpuint(f->line, ==, 42);
        g_assert_cmpint(mlx5_schema_resolve(ctx, "fl", &f, NULL), ==, 0);
        g_assert_true(f->enumeration == bits);
        g_assert_cmpint(f->display, ==, MLX5_DISPLAY_FLAGS);
        g_assert_false(f->newer);
        g_assert_cmpint(mlx5_schema_resolve(ctx, "v[0]", &f, NULL), ==, 0);
        g_assert_cmpuint(f->count, ==, 2);
        g_assert_cmpuint(f->width, ==, 16);
        g_assert_cmpint(f->display, ==, MLX5_DISPLAY_HEX);
}

/* Fields are kept in bit-offset order whatever order the file lists them in. */
static void test_sorted_fields(void)
{
        g_autoptr(mlx5_schema) schema = load_ok(good_schema);
        const mlx5_schema_struct *ctx = mlx5_schema_find_struct(schema, "ctx");
        const mlx5_schema_struct *pair = mlx5_schema_find_struct(schema, "pair");
        static const char *const ctx_order[] = {
                "state", "fl", "pd", "p", "v", "last", "name", "raw", "gid",
        };

        g_assert_cmpuint(ctx->fields->len, ==, G_N_ELEMENTS(ctx_order));
        for (guint i = 0; i < ctx->fields->len; i++)
                g_assert_cmpstr(g_array_index(ctx->fields, mlx5_schema_field, i).name, ==, ctx_order[i]);
        g_assert_cmpstr(g_array_index(pair->fields, mlx5_schema_field, 0).name, ==, "a");
        g_assert_true(g_array_index(ctx->fields, mlx5_schema_field, 3).nested == pair);
}

static void collect_leaf(const mlx5_schema_field *field, const char *path, uint32_t bit_off,
                         void *user_data)
{
        g_string_append_printf(user_data, "%s@0x%x ", path, bit_off);
}

static void test_foreach_leaf(void)
{
        g_autoptr(mlx5_schema) schema = load_ok(good_schema);
        g_autoptr(GString) seen = g_string_new(NULL);

        mlx5_schema_foreach_leaf(mlx5_schema_find_struct(schema, "ctx"), collect_leaf, seen);
        g_assert_cmpstr(seen->str, ==,
                        "state@0x0 fl@0x4 pd@0x8 p.a@0x20 p.b@0x30 v[0]@0x40 v[1]@0x50 "
                        "last@0x60 name@0x80 raw@0xc0 gid@0x100 ");
}

static void test_paths(void)
{
        g_autoptr(mlx5_schema) schema = load_ok(good_schema);
        const mlx5_schema_struct *ctx = mlx5_schema_find_struct(schema, "ctx");
        const mlx5_schema_field *f;
        uint32_t bit_off;
        static const struct {
                const char *path;
                int ret;
        } bad_paths[] = {
                { "nope", -ENOENT },
                { "p.nope", -ENOENT },
                { "last.x", -ENOENT },
                { "P", -ENOENT },
                { "p", -EINVAL },               /* a struct, not a leaf */
                { "v", -EINVAL },               /* an array needs an index */
                { "v[x]", -EINVAL },
                { "v[]", -EINVAL },
                { "v[1", -EINVAL },
                { "v[-1]", -EINVAL },
                { "v[1]x", -EINVAL },
                { "last[0]", -EINVAL },
                { "", -EINVAL },
                { "p..a", -EINVAL },
                { ".p", -EINVAL },
                { "p.", -EINVAL },
                { "v[2]", -ERANGE },
                { "v[99999999999999999999999]", -ERANGE },
        };

        g_assert_cmpint(mlx5_schema_resolve(ctx, "p.b", &f, &bit_off), ==, 0);
        g_assert_cmpstr(f->name, ==, "b");
        g_assert_cmphex(bit_off, ==, 0x30);
        g_assert_cmpint(mlx5_schema_resolve(ctx, "v[1]", &f, &bit_off), ==, 0);
        g_assert_cmphex(bit_off, ==, 0x50);
        g_assert_cmpint(mlx5_schema_resolve(ctx, "gid", NULL, &bit_off), ==, 0);
        g_assert_cmphex(bit_off, ==, 0x100);
        for (size_t i = 0; i < G_N_ELEMENTS(bad_paths); i++)
                g_assert_cmpint(mlx5_schema_resolve(ctx, bad_paths[i].path, &f, &bit_off), ==,
                                bad_paths[i].ret);
}

static void test_get_set(void)
{
        g_autoptr(mlx5_schema) schema = load_ok(good_schema);
        const mlx5_schema_struct *ctx = mlx5_schema_find_struct(schema, "ctx");
        uint8_t buf[0x30] = { 0 };
        uint64_t v;

        g_assert_cmpint(mlx5_schema_set(ctx, buf, sizeof(buf), "pd", 0xabcdef), ==, 0);
        g_assert_cmphex(buf[1], ==, 0xab);
        g_assert_cmphex(buf[3], ==, 0xef);
        g_assert_cmpint(mlx5_schema_set(ctx, buf, sizeof(buf), "state", 6), ==, 0);
        g_assert_cmphex(buf[0], ==, 0x60);
        g_assert_cmpint(mlx5_schema_set(ctx, buf, sizeof(buf), "v[1]", 0x1234), ==, 0);
        g_assert_cmphex(buf[0xa], ==, 0x12);
        g_assert_cmphex(buf[0xb], ==, 0x34);
        g_assert_cmpint(mlx5_schema_set(ctx, buf, sizeof(buf), "p.b", 0xbeef), ==, 0);
        g_assert_cmphex(buf[6], ==, 0xbe);
        g_assert_cmpint(mlx5_schema_get(ctx, buf, sizeof(buf), "p.b", &v), ==, 0);
        g_assert_cmphex(v, ==, 0xbeef);
        g_assert_cmpint(mlx5_schema_get(ctx, buf, sizeof(buf), "pd", &v), ==, 0);
        g_assert_cmphex(v, ==, 0xabcdef);
        g_assert_cmpint(mlx5_schema_get(ctx, buf, sizeof(buf), "state", &v), ==, 0);
        g_assert_cmphex(v, ==, 6);

        /* values that do not fit, buffers too short, fields too wide */
        g_assert_cmpint(mlx5_schema_set(ctx, buf, sizeof(buf), "pd", 0x1000000), ==, -ERANGE);
        g_assert_cmpint(mlx5_schema_set(ctx, buf, sizeof(buf), "state", 0x10), ==, -ERANGE);
        g_assert_cmpint(mlx5_schema_set(ctx, buf, sizeof(buf), "name", UINT64_MAX), ==, 0);
        g_assert_cmpint(mlx5_schema_get(ctx, buf, 16, "last", &v), ==, 0);
        g_assert_cmpint(mlx5_schema_get(ctx, buf, 15, "last", &v), ==, -ERANGE);
        g_assert_cmpint(mlx5_schema_set(ctx, buf, 15, "last", 1), ==, -ERANGE);
        g_assert_cmpint(mlx5_schema_get(ctx, buf, sizeof(buf), "gid", &v), ==, -EINVAL);
        g_assert_cmpint(mlx5_schema_set(ctx, buf, sizeof(buf), "nope", 1), ==, -ENOENT);
        g_assert_cmphex(buf[1], ==, 0xab);
}

static void test_set_bytes(void)
{
        g_autoptr(mlx5_schema) schema = load_ok(good_schema);
        const mlx5_schema_struct *ctx = mlx5_schema_find_struct(schema, "ctx");
        uint8_t buf[0x30];
        static const uint8_t gid[20] = {
                0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55,
                0xaa, 0xbb, 0xcc, 0xdd,
        };

        memset(buf, 0xee, sizeof(buf));
        g_assert_cmpint(mlx5_schema_set_bytes(ctx, buf, sizeof(buf), "name", "MT41", 4), ==, 0);
        g_assert_cmpmem(buf + 0x10, 8, "MT41\0\0\0\0", 8);
        g_assert_cmphex(buf[0x18], ==, 0xee);
        g_assert_cmpint(mlx5_schema_set_bytes(ctx, buf, sizeof(buf), "raw", "\x01\x02", 2), ==, 0);
        g_assert_cmpmem(buf + 0x18, 4, "\x01\x02\0\0", 4);
        /* longer data is cut at the field's end */
        g_assert_cmpint(mlx5_schema_set_bytes(ctx, buf, sizeof(buf), "gid", gid, sizeof(gid)), ==, 0);
        g_assert_cmpmem(buf + 0x20, 16, gid, 16);
        g_assert_cmphex(buf[0x1c], ==, 0xee);

        g_assert_cmpint(mlx5_schema_set_bytes(ctx, buf, sizeof(buf), "pd", "x", 1), ==, -EINVAL);
        g_assert_cmpint(mlx5_schema_set_bytes(ctx, buf, 0x2f, "gid", gid, 16), ==, -ERANGE);
        g_assert_cmpint(mlx5_schema_set_bytes(ctx, buf, sizeof(buf), "nope", gid, 16), ==, -ENOENT);
}

static void test_empty_text(void)
{
        g_autoptr(mlx5_schema) schema = load_ok("# nothing but a comment\n\n");

        g_assert_cmpuint(mlx5_schema_n_resources(schema), ==, 0);
        g_assert_cmpuint(mlx5_schema_n_structs(schema), ==, 0);
}

static void write_file(const char *dir, const char *name, const char *text, gssize len)
{
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_autoptr(GError) error = NULL;

        g_file_set_contents(path, text, len, &error);
        g_assert_no_error(error);
}

static void remove_tree(const char *dir)
{
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *name;

        while (d && (name = g_dir_read_name(d))) {
                g_autofree char *path = g_build_filename(dir, name, NULL);

                if (g_file_test(path, G_FILE_TEST_IS_DIR))
                        g_rmdir(path);
                else
                        g_unlink(path);
        }
        g_rmdir(dir);
}

static void assert_dir_error(const char *dir, int code, const char *message)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(mlx5_schema) schema = mlx5_schema_load_dir(dir, &error);

        g_assert_null(schema);
        g_assert_error(error, MLX5_SCHEMA_ERROR, code);
        g_assert_cmpstr(error->message, ==, message);
}

static void test_load_dir(void)
{
        g_autoptr(GError) error = NULL;
        g_autofree char *dir = g_dir_make_tmp("schema-test-XXXXXX", &error);
        g_autofree char *message = NULL;
        g_autofree char *path = NULL;
        g_autofree char *big = NULL;
        mlx5_schema *schema;

        g_assert_no_error(error);
        message = g_strdup_printf("schema directory %s: no *.schema files", dir);
        assert_dir_error(dir, MLX5_SCHEMA_ERROR_IO, message);
        g_clear_pointer(&message, g_free);

        /* a.schema refers to b.schema's struct and enum; others are ignored */
        write_file(dir, "a.schema", "struct outer 64\n  0 32 in struct inner\n  0x20 4 s enum e\nend\n", -1);
        write_file(dir, "b.schema", "struct inner 32\n  0 32 x hex\nend\nenum e\n  1 ONE\nend\n", -1);
        write_file(dir, "notes.txt", "not a schema\n", -1);
        write_file(dir, ".hidden.schema", "garbage\n", -1);
        schema = mlx5_schema_load_dir(dir, &error);
        g_assert_no_error(error);
        g_assert_cmpuint(mlx5_schema_n_structs(schema), ==, 2);
        g_assert_cmpstr(mlx5_schema_struct_at(schema, 0)->name, ==, "outer");
        g_assert_cmpstr(mlx5_schema_struct_at(schema, 0)->file, ==, "a.schema");
        g_assert_cmpstr(mlx5_schema_struct_at(schema, 1)->file, ==, "b.schema");
        mlx5_schema_free(schema);

        /* errors name the later file and point at the earlier definition */
        write_file(dir, "c.schema", "\nstruct inner 32\nend\n", -1);
        assert_dir_error(dir, MLX5_SCHEMA_ERROR_INVALID,
                         "c.schema:2: struct 'inner' already defined at b.schema:1");
        write_file(dir, "c.schema", "enum f\n  0 A\0B\nend\n", 18);
        assert_dir_error(dir, MLX5_SCHEMA_ERROR_INVALID, "c.schema:2: NUL byte in line");

        big = g_strnfill(4u << 20 | 1, '#');
        write_file(dir, "c.schema", big, -1);
        path = g_build_filename(dir, "c.schema", NULL);
        message = g_strdup_printf("%s: larger than 4194304 bytes", path);
        assert_dir_error(dir, MLX5_SCHEMA_ERROR_INVALID, message);
        g_unlink(path);
        g_clear_pointer(&message, g_free);

        /* a FIFO must not block the loader; a directory is no file either */
        g_assert_cmpint(mkfifo(path, 0600), ==, 0);
        message = g_strdup_printf("%s: not a regular file", path);
        assert_dir_error(dir, MLX5_SCHEMA_ERROR_IO, message);
        g_unlink(path);
        g_assert_cmpint(g_mkdir(path, 0700), ==, 0);
        assert_dir_error(dir, MLX5_SCHEMA_ERROR_IO, message);
        g_rmdir(path);

        remove_tree(dir);
        g_clear_pointer(&message, g_free);
        message = g_strdup_printf("schema directory %s: %s", dir, g_strerror(ENOENT));
        assert_dir_error(dir, MLX5_SCHEMA_ERROR_IO, message);
}

static void visit_nothing(const mlx5_schema_field *field, const char *path, uint32_t bit_off,
                          void *user_data)
{
        g_assert_cmpuint(bit_off, <, GPOINTER_TO_UINT(user_data));
}

/*
 * Seeded random damage to a valid text: whatever comes out is either
 * refused with a located message or loads into something safe to walk.
 */
static void test_mutations(void)
{
        static const char noise[] = " \n\t#[]0x19afz_-.";
        GRand *rand = g_rand_new_with_seed(20240601);
        size_t len = strlen(good_schema);

        for (unsigned round = 0; round < 3000; round++) {
                g_autoptr(GString) text = g_string_new_len(good_schema, len);
                g_autoptr(GError) error = NULL;
                g_autoptr(mlx5_schema) schema = NULL;
                unsigned edits = g_rand_int_range(rand, 1, 5);

                for (unsigned e = 0; e < edits; e++) {
                        gsize at = g_rand_int_range(rand, 0, text->len);

                        switch (g_rand_int_range(rand, 0, 3)) {
                        case 0:
                                text->str[at] = noise[g_rand_int_range(rand, 0, sizeof(noise) - 1)];
                                break;
                        case 1: {
                                gsize n = g_rand_int_range(rand, 1, 12);

                                g_string_erase(text, at, MIN(text->len - at, n));
                                break;
                        }
                        default:
                                g_string_insert_c(text, at, noise[g_rand_int_range(rand, 0, sizeof(noise) - 1)]);
                                break;
                        }
                        if (text->len == 0)
                                break;
                }

                schema = mlx5_schema_load_string("t.schema", text->str, &error);
                if (!schema) {
                        g_assert_error(error, MLX5_SCHEMA_ERROR, MLX5_SCHEMA_ERROR_INVALID);
                        g_assert_true(g_str_has_prefix(error->message, "t.schema:"));
                        continue;
                }
                for (unsigned i = 0; i < mlx5_schema_n_structs(schema); i++) {
                        const mlx5_schema_struct *st = mlx5_schema_struct_at(schema, i);
                        g_autofree uint8_t *zero = g_malloc0(st->size_bits / 8);
                        g_autoptr(GString) out = g_string_new(NULL);

                        mlx5_schema_foreach_leaf(st, visit_nothing, GUINT_TO_POINTER(st->size_bits));
                        mlx5_decode_struct(out, st, zero, st->size_bits / 8);
                }
        }
        g_rand_free(rand);
}

int main(int argc, char **argv)
{
        g_test_init(&argc, &argv, NULL);
        for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
                g_autofree char *path = g_strdup_printf("/schema-load/bad/%03zu", i);

                g_test_add_data_func(path, &bad_cases[i], test_bad_case);
        }
        g_test_add_func("/schema-load/nesting-limit", test_nesting_limit);
        g_test_add_func("/schema-load/input-limits", test_input_limits);
        g_test_add_func("/schema-load/block-limits", test_block_limits);
        g_test_add_func("/schema-load/garbage", test_garbage);
        g_test_add_func("/schema-load/lookups", test_good_lookups);
        g_test_add_func("/schema-load/inventory-data", test_inventory_data);
        g_test_add_func("/schema-load/sorted-fields", test_sorted_fields);
        g_test_add_func("/schema-load/foreach-leaf", test_foreach_leaf);
        g_test_add_func("/schema-load/paths", test_paths);
        g_test_add_func("/schema-load/get-set", test_get_set);
        g_test_add_func("/schema-load/set-bytes", test_set_bytes);
        g_test_add_func("/schema-load/empty-text", test_empty_text);
        g_test_add_func("/schema-load/load-dir", test_load_dir);
        g_test_add_func("/schema-load/mutations", test_mutations);
        return g_test_run();
}
