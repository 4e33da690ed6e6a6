/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The --sim spec: "key=value,..." with devices, seed, latency_us, slots,
 * churn (object changes per second and function, sim-churn.c), fail=OPCODE
 * (may repeat), unplug=INDEX@MS, one object count per schema resource that
 * has an id, named as the resource, and verbs.TYPE=PERCENT (the share of
 * TYPE's objects verbs processes make).  Every value is bounded; errors
 * name the key and the value.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "sim/sim-private.h"

static bool spec_error(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static bool spec_error(GError **error, const char *fmt, ...)
{
        g_autofree char *msg = NULL;
        va_list ap;

        va_start(ap, fmt);
        msg = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--sim: %s", msg);
        return false;
}

/* Decimal, or hex with 0x; nothing else, no sign, no trailing text. */
static bool parse_number(const char *key, const char *value, uint64_t min, uint64_t max,
                         uint64_t *ret_value, GError **error)
{
        bool hex = value[0] == '0' && (value[1] == 'x' || value[1] == 'X');
        const char *digits = hex ? value + 2 : value;
        char *end;
        uint64_t v;

        if (!g_ascii_isxdigit(*digits) || (!hex && !g_ascii_isdigit(*digits)))
                return spec_error(error, "%s=%s: not a number", key, value);
        errno = 0;
        v = g_ascii_strtoull(digits, &end, hex ? 16 : 10);
        if (errno == ERANGE || *end != '\0')
                return spec_error(error, "%s=%s: not a number", key, value);
        if (v < min || v > max)
                return spec_error(error, "%s=%s: must be between %" G_GUINT64_FORMAT " and %" G_GUINT64_FORMAT,
                                  key, value, min, max);
        *ret_value = v;
        return true;
}

bool sim_spec_number(const char *key, const char *value, uint64_t min, uint64_t max, uint64_t *ret_value,
                     GError **error)
{
        return parse_number(key, value, min, max, ret_value, error);
}

static char *known_keys(const mlx5_schema *schema)
{
        GString *s = g_string_new("devices, seed, latency_us, slots, churn, fail, unplug, fault, faults_after, "
                                  "verbs.TYPE");

        for (unsigned i = 0; i < mlx5_schema_n_resources(schema); i++) {
                const mlx5_schema_resource *res = mlx5_schema_resource_at(schema, i);

                if (res->has_id)
                        g_string_append_printf(s, ", %s", res->name);
        }
        return g_string_free(s, FALSE);
}

/* The plain numeric keys and their bounds. */
static const struct {
        const char *key;
        uint64_t min, max;
        size_t offset;                  /* of a uint64_t in mlx5_sim_spec */
} numeric_keys[] = {
        { "devices", 1, SIM_MAX_DEVICES, offsetof(mlx5_sim_spec, devices) },
        { "seed", 0, UINT64_MAX, offsetof(mlx5_sim_spec, seed) },
        { "latency_us", 0, SIM_MAX_LATENCY_US, offsetof(mlx5_sim_spec, latency_us) },
        { "slots", 1, SIM_MAX_SLOTS, offsetof(mlx5_sim_spec, slots) },
        { "churn", 0, SIM_MAX_CHURN, offsetof(mlx5_sim_spec, churn) },
};

static bool parse_item(mlx5_sim_spec *spec, const mlx5_schema *schema, const char *key, const char *value,
                       GError **error)
{
        const mlx5_schema_resource *res;
        g_autofree char *known = NULL;
        uint64_t v;
        bool ok;

        for (size_t i = 0; i < G_N_ELEMENTS(numeric_keys); i++)
                if (strcmp(key, numeric_keys[i].key) == 0)
                        return parse_number(key, value, numeric_keys[i].min, numeric_keys[i].max,
                                            (uint64_t *) (void *) ((char *) spec + numeric_keys[i].offset), error);

        if (sim_faults_parse(&spec->faults, key, value, &ok, error))
                return ok;
        if (strcmp(key, "fail") == 0) {
                unsigned opcode;

                if (mlx5_opcode_parse(value, &opcode) < 0)
                        return spec_error(error, "fail=%s: not an opcode name or number", value);
                if (spec->n_fail == SIM_MAX_FAIL)
                        return spec_error(error, "fail=%s: at most %d fail= keys", value, SIM_MAX_FAIL);
                spec->fail[spec->n_fail++] = opcode;
                return true;
        }

        if (strcmp(key, "unplug") == 0) {
                g_autofree char *index = g_strdup(value);
                char *at = strchr(index, '@');

                if (!at)
                        return spec_error(error, "unplug=%s: not INDEX@MILLISECONDS", value);
                *at = '\0';
                if (!parse_number("unplug index", index, 0, SIM_MAX_DEVICES - 1, &v, error))
                        return false;
                spec->unplug_index = (int) v;
                return parse_number("unplug milliseconds", at + 1, 0, SIM_MAX_UNPLUG_MS, &spec->unplug_ms, error);
        }

        if (g_str_has_prefix(key, "verbs.")) {
                const char *type = key + strlen("verbs.");

                res = mlx5_schema_find_resource(schema, type);
                if (!res || !res->has_id || !sim_type_has_verbs_creators(type))
                        return spec_error(error, "%s=%s: verbs processes make no '%s' objects", key, value, type);
                if (!parse_number(key, value, 0, 100, &v, error))
                        return false;
                g_hash_table_insert(spec->verbs_shares, g_strdup(type), GUINT_TO_POINTER((unsigned) v));
                return true;
        }

        res = mlx5_schema_find_resource(schema, key);
        if (res && res->has_id) {
                if (!parse_number(key, value, 0, sim_type_limit(res), &v, error))
                        return false;
                g_hash_table_insert(spec->counts, g_strdup(key), GUINT_TO_POINTER((unsigned) v));
                return true;
        }

        known = known_keys(schema);
        return spec_error(error, "unknown key '%s' in '%s=%s' (known: %s)", key, key, value, known);
}

/* Counts named for types that share a number space (QPs, SQs, RQs, DCTs; ...) fit it together. */
static bool check_shared_spaces(const mlx5_sim_spec *spec, const mlx5_schema *schema, GError **error)
{
        for (unsigned i = 0; i < mlx5_schema_n_resources(schema); i++) {
                const mlx5_schema_resource *res = mlx5_schema_resource_at(schema, i);
                g_autoptr(GString) names = g_string_new(NULL);
                uint64_t sum = 0;
                unsigned n = 0;

                if (!res->has_id)
                        continue;
                for (unsigned k = 0; k < mlx5_schema_n_resources(schema); k++) {
                        const mlx5_schema_resource *other = mlx5_schema_resource_at(schema, k);
                        gpointer count;

                        if (!other->has_id || !sim_same_space(res->name, other->name) ||
                            !g_hash_table_lookup_extended(spec->counts, other->name, NULL, &count))
                                continue;
                        sum += GPOINTER_TO_UINT(count);
                        n++;
                        g_string_append_printf(names, "%s%s=%u", names->len ? "," : "", other->name,
                                               GPOINTER_TO_UINT(count));
                }
                if (n > 1 && sum > sim_space_size(res))
                        return spec_error(error, "%s: these types share one number space of %" G_GUINT64_FORMAT
                                          " objects", names->str, sim_space_size(res));
        }
        return true;
}

mlx5_sim_spec *mlx5_sim_spec_parse(const char *text, const mlx5_schema *schema, GError **error)
{
        g_autoptr(mlx5_sim_spec) spec = g_new0(mlx5_sim_spec, 1);
        g_auto(GStrv) items = NULL;

        spec->devices = 1;
        spec->seed = SIM_DEFAULT_SEED;
        spec->slots = SIM_DEFAULT_SLOTS;
        spec->unplug_index = -1;
        spec->counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        spec->verbs_shares = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

        items = g_strsplit(text ? text : "", ",", -1);
        for (char **item = items; *item; item++) {
                char *eq;

                g_strstrip(*item);
                if (**item == '\0')
                        continue;
                eq = strchr(*item, '=');
                if (!eq) {
                        spec_error(error, "'%s' is not key=value", *item);
                        return NULL;
                }
                *eq = '\0';
                if (!parse_item(spec, schema, g_strstrip(*item), g_strstrip(eq + 1), error))
                        return NULL;
        }
        if (!check_shared_spaces(spec, schema, error))
                return NULL;
        if (spec->unplug_index >= 0 && (uint64_t) spec->unplug_index >= spec->devices) {
                spec_error(error, "unplug=%d@%" G_GUINT64_FORMAT ": there is no function %d (devices=%" G_GUINT64_FORMAT ")",
                           spec->unplug_index, spec->unplug_ms, spec->unplug_index, spec->devices);
                return NULL;
        }
        return g_steal_pointer(&spec);
}

void mlx5_sim_spec_free(mlx5_sim_spec *spec)
{
        if (!spec)
                return;
        if (spec->counts)
                g_hash_table_unref(spec->counts);
        if (spec->verbs_shares)
                g_hash_table_unref(spec->verbs_shares);
        g_free(spec);
}

unsigned mlx5_sim_spec_devices(const mlx5_sim_spec *spec)
{
        return spec->devices;
}
