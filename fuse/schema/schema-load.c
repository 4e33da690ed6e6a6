/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loading entry points, the namespace's life cycle, and lookups.  Loading
 * is all or nothing: every file is parsed (schema-parse.c), then the whole
 * namespace is validated (schema-validate.c); any error frees everything.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schema-private.h"

G_DEFINE_QUARK(mlx5-schema-error-quark, mlx5_schema_error)

void schema_set_error(GError **error, const char *file, unsigned line, const char *fmt, ...)
{
        g_autofree char *what = NULL;
        va_list ap;

        va_start(ap, fmt);
        what = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        g_set_error(error, MLX5_SCHEMA_ERROR, MLX5_SCHEMA_ERROR_INVALID, "%s:%u: %s", file, line, what);
}

static void field_clear(void *data)
{
        mlx5_schema_field *f = data;

        g_free(f->name);
}

mlx5_schema_struct *schema_struct_new(const char *name, uint32_t size_bits, const char *file,
                                      unsigned line)
{
        mlx5_schema_struct *st = g_new0(mlx5_schema_struct, 1);

        st->name = g_strdup(name);
        st->size_bits = size_bits;
        st->fields = g_array_new(FALSE, FALSE, sizeof(mlx5_schema_field));
        g_array_set_clear_func(st->fields, field_clear);
        st->file = (char *) file;       /* owned by mlx5_schema.files */
        st->line = line;
        return st;
}

static void struct_free(void *data)
{
        mlx5_schema_struct *st = data;

        g_clear_pointer(&st->field_by_name, g_hash_table_unref);
        g_array_unref(st->fields);
        g_free(st->name);
        g_free(st);
}

static void enum_value_clear(void *data)
{
        mlx5_schema_enum_value *v = data;

        g_free(v->name);
}

static void enum_free(void *data)
{
        mlx5_schema_enum *e = data;

        g_array_set_clear_func(e->values, enum_value_clear);
        g_array_unref(e->values);
        g_free(e->name);
        g_free(e);
}

static void resource_free(void *data)
{
        mlx5_schema_resource *r = data;

        schema_plan_free(r->plan);
        schema_json_plan_free(r->json_plan);
        g_ptr_array_unref(r->dump_segments);
        g_ptr_array_unref(r->dump_indexes);
        for (guint i = 0; i < r->refs->len; i++) {
                mlx5_schema_objref *ref = &g_array_index(r->refs, mlx5_schema_objref, i);

                g_free(ref->path);
                g_free(ref->target_name);
        }
        g_array_unref(r->refs);
        for (guint i = 0; i < r->summary->len; i++) {
                g_free(g_array_index(r->summary, mlx5_schema_column, i).name);
                g_free(g_array_index(r->summary, mlx5_schema_column, i).path);
        }
        g_array_unref(r->summary);
        g_free(r->counters_stem);
        g_free(r->counters_label);
        if (r->probe) {
                g_free(r->probe->caps_name);
                g_free(r->probe->field);
                g_free(r->probe);
        }
        g_free(r->dir);
        g_free(r->name);
        g_free(r);
}

static void caps_free(void *data)
{
        mlx5_schema_caps *c = data;

        g_free(c->when);
        g_free(c->name);
        g_free(c);
}

static void ref_clear(void *data)
{
        struct schema_ref *ref = data;

        g_free(ref->name);
}

mlx5_schema *schema_new(void)
{
        mlx5_schema *schema = g_new0(mlx5_schema, 1);

        schema->files = g_ptr_array_new_with_free_func(g_free);
        schema->enums = g_ptr_array_new_with_free_func(enum_free);
        schema->structs = g_ptr_array_new_with_free_func(struct_free);
        schema->resources = g_ptr_array_new_with_free_func(resource_free);
        schema->caps = g_ptr_array_new_with_free_func(caps_free);
        schema->extras = g_ptr_array_new_with_free_func(struct_free);
        schema->enum_by_name = g_hash_table_new(g_str_hash, g_str_equal);
        schema->struct_by_name = g_hash_table_new(g_str_hash, g_str_equal);
        schema->resource_by_name = g_hash_table_new(g_str_hash, g_str_equal);
        schema->caps_by_name = g_hash_table_new(g_str_hash, g_str_equal);
        schema->refs = g_array_new(FALSE, FALSE, sizeof(struct schema_ref));
        g_array_set_clear_func(schema->refs, ref_clear);
        return schema;
}

void mlx5_schema_free(mlx5_schema *schema)
{
        if (!schema)
                return;
        g_hash_table_unref(schema->enum_by_name);
        g_hash_table_unref(schema->struct_by_name);
        g_hash_table_unref(schema->resource_by_name);
        g_hash_table_unref(schema->caps_by_name);
        g_clear_pointer(&schema->refs, g_array_unref);
        g_ptr_array_unref(schema->resources);
        g_ptr_array_unref(schema->caps);
        g_ptr_array_unref(schema->extras);
        g_ptr_array_unref(schema->structs);
        g_ptr_array_unref(schema->enums);
        g_ptr_array_unref(schema->files);
        g_free(schema);
}

static bool add_text(mlx5_schema *schema, const char *name, const char *text, size_t len,
                     GError **error)
{
        char *file = g_path_get_basename(name);

        g_ptr_array_add(schema->files, file);
        return schema_parse(schema, file, text, len, error);
}

static mlx5_schema *finish(mlx5_schema *schema_owned, GError **error)
{
        g_autoptr(mlx5_schema) schema = schema_owned;

        if (!schema_validate(schema, error))
                return NULL;
        for (guint i = 0; i < schema->resources->len; i++) {
                mlx5_schema_resource *r = g_ptr_array_index(schema->resources, i);

                r->plan = schema_plan_new(r);
                r->json_plan = schema_json_plan_new(r);
        }
        g_clear_pointer(&schema->refs, g_array_unref);
        return g_steal_pointer(&schema);
}

static bool io_error(GError **error, const char *path, int err)
{
        g_set_error(error, MLX5_SCHEMA_ERROR, MLX5_SCHEMA_ERROR_IO, "%s: %s", path, g_strerror(err));
        return false;
}

static bool too_large(GError **error, const char *path)
{
        g_set_error(error, MLX5_SCHEMA_ERROR, MLX5_SCHEMA_ERROR_INVALID,
                    "%s: larger than %u bytes", path, MLX5_SCHEMA_MAX_FILE_BYTES);
        return false;
}

static bool read_fd(int fd, const char *path, char **ret_text, size_t *ret_len, GError **error)
{
        g_autofree char *text = NULL;
        size_t len = 0;
        struct stat st;

        if (fstat(fd, &st) < 0)
                return io_error(error, path, errno);
        if (!S_ISREG(st.st_mode)) {
                g_set_error(error, MLX5_SCHEMA_ERROR, MLX5_SCHEMA_ERROR_IO,
                            "%s: not a regular file", path);
                return false;
        }
        if (st.st_size > MLX5_SCHEMA_MAX_FILE_BYTES)
                return too_large(error, path);

        /* One byte more than allowed tells a file that grew since fstat(). */
        text = g_malloc(MLX5_SCHEMA_MAX_FILE_BYTES + 1);
        for (;;) {
                ssize_t n = read(fd, text + len, MLX5_SCHEMA_MAX_FILE_BYTES + 1 - len);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return io_error(error, path, errno);
                if (n == 0)
                        break;
                len += n;
                if (len > MLX5_SCHEMA_MAX_FILE_BYTES)
                        return too_large(error, path);
        }
        *ret_text = g_realloc(g_steal_pointer(&text), len + 1);
        (*ret_text)[len] = '\0';
        *ret_len = len;
        return true;
}

/*
 * Reads a whole regular file of at most MLX5_SCHEMA_MAX_FILE_BYTES.  Opened
 * non-blocking and checked before reading, so a FIFO or a device named
 * *.schema cannot hang the daemon and a huge file is not read at all.
 */
static bool read_schema_file(const char *path, char **ret_text, size_t *ret_len, GError **error)
{
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        bool ok;

        if (fd < 0)
                return io_error(error, path, errno);
        ok = read_fd(fd, path, ret_text, ret_len, error);
        close(fd);
        return ok;
}

mlx5_schema *mlx5_schema_load_string(const char *name, const char *text, GError **error)
{
        g_autoptr(mlx5_schema) schema = schema_new();
        g_autofree char *base = NULL;
        size_t len;

        g_return_val_if_fail(name && text, NULL);
        len = strnlen(text, MLX5_SCHEMA_MAX_FILE_BYTES + 1);
        if (len > MLX5_SCHEMA_MAX_FILE_BYTES) {
                base = g_path_get_basename(name);
                too_large(error, base);
                return NULL;
        }
        if (!add_text(schema, name, text, len, error))
                return NULL;
        return finish(g_steal_pointer(&schema), error);
}

static int compare_names(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The *.schema names in dir, unsorted; hidden files are skipped. */
static bool list_schema_files(const char *dir, GPtrArray *names, GError **error)
{
        DIR *d = opendir(dir);
        struct dirent *entry;

        if (!d) {
                g_set_error(error, MLX5_SCHEMA_ERROR, MLX5_SCHEMA_ERROR_IO,
                            "schema directory %s: %s", dir, g_strerror(errno));
                return false;
        }
        while ((entry = readdir(d))) {
                if (!g_str_has_suffix(entry->d_name, ".schema") || entry->d_name[0] == '.')
                        continue;
                if (names->len == MLX5_SCHEMA_MAX_FILES) {
                        closedir(d);
                        g_set_error(error, MLX5_SCHEMA_ERROR, MLX5_SCHEMA_ERROR_INVALID,
                                    "schema directory %s: more than %d *.schema files", dir,
                                    MLX5_SCHEMA_MAX_FILES);
                        return false;
                }
                g_ptr_array_add(names, g_strdup(entry->d_name));
        }
        closedir(d);
        if (names->len == 0) {
                g_set_error(error, MLX5_SCHEMA_ERROR, MLX5_SCHEMA_ERROR_IO,
                            "schema directory %s: no *.schema files", dir);
                return false;
        }
        return true;
}

mlx5_schema *mlx5_schema_load_dir(const char *dir, GError **error)
{
        g_autoptr(mlx5_schema) schema = schema_new();
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

        g_return_val_if_fail(dir, NULL);
        if (!list_schema_files(dir, names, error))
                return NULL;
        g_ptr_array_sort(names, compare_names);

        for (guint i = 0; i < names->len; i++) {
                g_autofree char *path = g_build_filename(dir, names->pdata[i], NULL);
                g_autofree char *text = NULL;
                size_t len;

                if (!read_schema_file(path, &text, &len, error) ||
                    !add_text(schema, path, text, len, error))
                        return NULL;
        }
        return finish(g_steal_pointer(&schema), error);
}

const mlx5_schema_struct *mlx5_schema_find_struct(const mlx5_schema *schema, const char *name)
{
        return g_hash_table_lookup(schema->struct_by_name, name);
}

const mlx5_schema_enum *mlx5_schema_find_enum(const mlx5_schema *schema, const char *name)
{
        return g_hash_table_lookup(schema->enum_by_name, name);
}

const mlx5_schema_resource *mlx5_schema_find_resource(const mlx5_schema *schema, const char *name)
{
        return g_hash_table_lookup(schema->resource_by_name, name);
}

const mlx5_schema_resource *mlx5_schema_find_resource_by_opcode(const mlx5_schema *schema,
                                                                unsigned opcode)
{
        for (guint i = 0; i < schema->resources->len; i++) {
                const mlx5_schema_resource *r = schema->resources->pdata[i];

                if (r->opcode == opcode)
                        return r;
        }
        return NULL;
}

const mlx5_schema_resource *mlx5_schema_find_resource_by_cmd(const mlx5_schema *schema,
                                                             unsigned opcode, unsigned op_mod)
{
        for (guint i = 0; i < schema->resources->len; i++) {
                const mlx5_schema_resource *r = schema->resources->pdata[i];

                if (r->opcode == opcode && r->op_mod == op_mod)
                        return r;
        }
        return NULL;
}

const mlx5_schema_caps *mlx5_schema_find_caps(const mlx5_schema *schema, const char *name)
{
        return g_hash_table_lookup(schema->caps_by_name, name);
}

const mlx5_schema_caps *mlx5_schema_find_caps_by_type(const mlx5_schema *schema, unsigned type)
{
        for (guint i = 0; i < schema->caps->len; i++) {
                const mlx5_schema_caps *c = schema->caps->pdata[i];

                if (c->type == type)
                        return c;
        }
        return NULL;
}

unsigned mlx5_schema_n_resources(const mlx5_schema *schema)
{
        return schema->resources->len;
}

const mlx5_schema_resource *mlx5_schema_resource_at(const mlx5_schema *schema, unsigned i)
{
        return i < schema->resources->len ? schema->resources->pdata[i] : NULL;
}

unsigned mlx5_schema_n_caps(const mlx5_schema *schema)
{
        return schema->caps->len;
}

const mlx5_schema_caps *mlx5_schema_caps_at(const mlx5_schema *schema, unsigned i)
{
        return i < schema->caps->len ? schema->caps->pdata[i] : NULL;
}

unsigned mlx5_schema_n_structs(const mlx5_schema *schema)
{
        return schema->structs->len;
}

const mlx5_schema_struct *mlx5_schema_struct_at(const mlx5_schema *schema, unsigned i)
{
        return i < schema->structs->len ? schema->structs->pdata[i] : NULL;
}
