/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /metrics: the devices' counters and the daemon's own figures in the
 * Prometheus text exposition format (version 0.0.4), for node_exporter's
 * textfile collector or any scraper.  Names and labels are stable: every
 * metric is mlx5dbgfs_*, every device's carries device="<pci>".
 *
 * The daemon's figures are the calling process's .stats snapshot, typed
 * by the table below (so a scrape and .stats agree); the devices' come
 * from the listings the tree shows: objects per type (and per state where
 * the schema's summary has a `state` column), and every field of the
 * resources the schema marks `counters`, one metric per field: a type's
 * (Q counter sets) labelled with the object's id, a singleton's (the
 * vport's counters) one series per device.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "prm/bits.h"
#include "tree/stats-lines.h"
#include "tree/views.h"

struct family {
        char *name;
        const char *type;
        char *help;
        GString *samples;
};

struct exposition {
        GPtrArray *families;    /* struct family *, in the order first seen */
        GHashTable *by_name;
};

static void family_free(gpointer data)
{
        struct family *f = data;

        g_free(f->name);
        g_free(f->help);
        g_string_free(f->samples, TRUE);
        g_free(f);
}

static struct family *family(struct exposition *x, const char *name, const char *type, const char *help)
{
        struct family *f = g_hash_table_lookup(x->by_name, name);

        if (f)
                return f;
        f = g_new0(struct family, 1);
        f->name = g_strdup(name);
        f->type = type;
        f->help = g_strdup(help);
        f->samples = g_string_new(NULL);
        g_ptr_array_add(x->families, f);
        g_hash_table_insert(x->by_name, f->name, f);
        return f;
}

/* A label value: backslash, double quote and newline escaped, as the format wants. */
static void append_label(GString *out, const char *name, const char *value, bool *first)
{
        g_string_append_printf(out, "%s%s=\"", *first ? "{" : ",", name);
        *first = false;
        for (const char *c = value; *c; c++) {
                if (*c == '\\' || *c == '"')
                        g_string_append_c(out, '\\');
                if (*c == '\n')
                        g_string_append(out, "\\n");
                else
                        g_string_append_c(out, *c);
        }
        g_string_append_c(out, '"');
}

/* One sample: name{labels} value, labels as name, value pairs up to NULL. */
static void sample(struct family *f, const char *suffix, const char *value, ...) G_GNUC_NULL_TERMINATED;
static void sample(struct family *f, const char *suffix, const char *value, ...)
{
        bool first = true;
        const char *label;
        va_list ap;

        g_string_append(f->samples, f->name);
        g_string_append(f->samples, suffix);
        va_start(ap, value);
        while ((label = va_arg(ap, const char *)))
                append_label(f->samples, label, va_arg(ap, const char *), &first);
        va_end(ap);
        if (!first)
                g_string_append_c(f->samples, '}');
        g_string_append_printf(f->samples, " %s\n", value);
}

/* ---- the daemon's figures: .stats, typed ---- */

/*
 * A .stats key ("*" stands for one name, which becomes the label's value)
 * and its metric.  Device keys get device="<pci>" besides.
 */
struct stat_metric {
        const char *key;
        const char *metric;
        const char *type;
        const char *label;
        const char *help;
};

static const struct stat_metric global_metrics[] = {
        { "cache.entries", "mlx5dbgfs_cache_entries", "gauge", NULL, "Snapshots the cache holds." },
        { "cache.bytes", "mlx5dbgfs_cache_bytes", "gauge", NULL, "Bytes the cached snapshots keep alive." },
        { "cache.max_bytes", "mlx5dbgfs_cache_max_bytes", "gauge", NULL, "The snapshot cache's cap (-o cache_size)." },
        { "cache.hits", "mlx5dbgfs_cache_hits_total", "counter", NULL, "Reads served by a fresh cached snapshot." },
        { "cache.misses", "mlx5dbgfs_cache_misses_total", "counter", NULL, "Reads that had to ask firmware." },
        { "cache.evictions", "mlx5dbgfs_cache_evictions_total", "counter", NULL,
          "Snapshots evicted to stay under the cap." },
        { "cache.fetch_errors", "mlx5dbgfs_cache_fetch_errors_total", "counter", NULL,
          "Fetches that failed (firmware or transport error, no such object)." },
        { "cache.not_kept", "mlx5dbgfs_cache_not_kept_total", "counter", NULL,
          "Answers larger than the whole cache, served once and not kept." },
        { "limits.*.tripped", "mlx5dbgfs_limit_trips_total", "counter", "limit",
          "Times a named limit on firmware-driven work tripped." },
        { "limits.*", "mlx5dbgfs_limit", "gauge", "limit", "The value of a named limit (-o options)." },
};

static const struct stat_metric device_metrics[] = {
        { "sent.*", "mlx5dbgfs_commands_total", "counter", "opcode", "Firmware commands sent, per opcode." },
        { "failed.*", "mlx5dbgfs_command_errors_total", "counter", "opcode",
          "Commands that failed: transport error, or a firmware status other than OK or BAD_RES." },
        { "no_object.*", "mlx5dbgfs_command_no_object_total", "counter", "opcode",
          "Commands answered BAD_RES: no object holds that number (probes, lookups); not errors." },
        { "errors.transport", "mlx5dbgfs_transport_errors_total", "counter", NULL,
          "Commands the kernel driver failed." },
        { "errors.firmware", "mlx5dbgfs_firmware_errors_total", "counter", NULL,
          "Commands firmware answered with an error status other than BAD_RES." },
        { "timeouts", "mlx5dbgfs_command_timeouts_total", "counter", NULL,
          "Commands firmware did not answer within -o cmd_timeout." },
        { "interrupted", "mlx5dbgfs_commands_interrupted_total", "counter", NULL,
          "Commands whose reader was interrupted while firmware worked on them." },
        { "inflight", "mlx5dbgfs_commands_inflight", "gauge", NULL, "Commands in firmware now." },
        { "inventory.collections", "mlx5dbgfs_inventory_collections_total", "counter", NULL,
          "Times the inventory gathered a type's candidate numbers." },
        { "inventory.candidates", "mlx5dbgfs_inventory_candidates_total", "counter", NULL,
          "Candidate object numbers the sources named." },
        { "inventory.probed", "mlx5dbgfs_inventory_probed_total", "counter", NULL,
          "Numbers tried by probing small number spaces." },
        { "inventory.probe_misses", "mlx5dbgfs_inventory_probe_misses_total", "counter", NULL,
          "Probed numbers no object held." },
        { "inventory.ref_misses", "mlx5dbgfs_inventory_ref_misses_total", "counter", NULL,
          "Referenced numbers no object held." },
        { "inventory.limit_trips", "mlx5dbgfs_inventory_limit_trips_total", "counter", NULL,
          "Inventory crawls cut short by a limit." },
        { "host.netlink_requests", "mlx5dbgfs_host_netlink_requests_total", "counter", NULL,
          "RDMA netlink requests made." },
        { "host.netlink_entries", "mlx5dbgfs_host_netlink_entries_total", "counter", NULL,
          "RDMA netlink resource entries read." },
        { "host.debugfs_entries", "mlx5dbgfs_host_debugfs_entries_total", "counter", NULL,
          "mlx5 debugfs entries read." },
        { "host.malformed", "mlx5dbgfs_host_malformed_total", "counter", NULL,
          "Host answers (netlink, debugfs) refused as malformed." },
        { "host.limit_trips", "mlx5dbgfs_host_limit_trips_total", "counter", NULL,
          "Host source reads cut short by a limit." },
};

/* Whether key matches pattern, and the name "*" stood for (allocated) if it has one. */
static bool key_matches(const char *pattern, const char *key, char **ret_name)
{
        const char *star = strchr(pattern, '*');
        size_t pre, post, klen = strlen(key);

        *ret_name = NULL;
        if (!star)
                return strcmp(pattern, key) == 0;
        pre = (size_t) (star - pattern);
        post = strlen(star + 1);
        if (klen <= pre + post || strncmp(key, pattern, pre) != 0 || strcmp(key + klen - post, star + 1) != 0)
                return false;
        /* One name: no dots of its own, so "limits.*" does not take "limits.x.tripped". */
        if (memchr(key + pre, '.', klen - pre - post))
                return false;
        *ret_name = g_strndup(key + pre, klen - pre - post);
        return true;
}

static void add_stat(struct exposition *x, const struct stat_metric *table, size_t n,
                     const struct tree_stats_line *l)
{
        for (size_t i = 0; i < n; i++) {
                const struct stat_metric *m = &table[i];
                g_autofree char *name = NULL;
                struct family *f;

                if (!key_matches(m->key, l->key, &name))
                        continue;
                f = family(x, m->metric, m->type, m->help);
                if (l->device)
                        sample(f, "", l->value, "device", l->device, m->label, name, NULL);
                else
                        sample(f, "", l->value, m->label, name, NULL);
                return;
        }
}

/* Bucket bounds: 2^k ns for every other k from ~1 µs to ~69 s, a stable set for every opcode. */
#define HIST_FIRST_LOG2 10
#define HIST_LAST_LOG2 36

/* "latency_log2_ns.OP: b:n ..." and its latency_sum_ns line: one histogram of seconds. */
static void add_histogram(struct exposition *x, const struct tree_stats_line *l, const char *opcode,
                          const char *sum_ns)
{
        struct family *f = family(x, "mlx5dbgfs_command_duration_seconds", "histogram",
                                  "Time from sending a command to its answer, per opcode.");
        uint64_t count[64] = { 0 }, total = 0, cumulative = 0;
        g_auto(GStrv) pairs = g_strsplit(l->value, " ", -1);
        char value[32], le[32];

        for (char **p = pairs; *p; p++) {
                unsigned b;
                guint64 n;

                if (sscanf(*p, "%u:%" G_GUINT64_FORMAT, &b, &n) == 2 && b < G_N_ELEMENTS(count)) {
                        count[b] += n;
                        total += n;
                }
        }
        for (unsigned k = HIST_FIRST_LOG2, b = 0; k <= HIST_LAST_LOG2; k += 2) {
                /* Bucket b holds [2^b, 2^(b+1)) ns: all of it is at most 2^k ns when b < k. */
                for (; b < k; b++)
                        cumulative += count[b];
                g_snprintf(le, sizeof(le), "%.12g", (double) (UINT64_C(1) << k) / 1e9);
                g_snprintf(value, sizeof(value), "%" G_GUINT64_FORMAT, cumulative);
                sample(f, "_bucket", value, "device", l->device, "opcode", opcode, "le", le, NULL);
        }
        g_snprintf(value, sizeof(value), "%" G_GUINT64_FORMAT, total);
        sample(f, "_bucket", value, "device", l->device, "opcode", opcode, "le", "+Inf", NULL);
        g_snprintf(value, sizeof(value), "%.9g", sum_ns ? g_ascii_strtod(sum_ns, NULL) / 1e9 : 0.0);
        sample(f, "_sum", value, "device", l->device, "opcode", opcode, NULL);
        g_snprintf(value, sizeof(value), "%" G_GUINT64_FORMAT, total);
        sample(f, "_count", value, "device", l->device, "opcode", opcode, NULL);
}

static const char *find_value(GArray *lines, const char *device, const char *key)
{
        for (guint i = 0; i < lines->len; i++) {
                const struct tree_stats_line *l = &g_array_index(lines, struct tree_stats_line, i);

                if (g_strcmp0(l->device, device) == 0 && strcmp(l->key, key) == 0)
                        return l->value;
        }
        return NULL;
}

static void add_stats(struct exposition *x, GBytes *stats_text)
{
        g_autoptr(GArray) lines = tree_stats_lines(stats_text);

        for (guint i = 0; i < lines->len; i++) {
                const struct tree_stats_line *l = &g_array_index(lines, struct tree_stats_line, i);
                g_autofree char *opcode = NULL;
                g_autofree char *sum_key = NULL;

                if (!l->device) {
                        add_stat(x, global_metrics, G_N_ELEMENTS(global_metrics), l);
                } else if (key_matches("latency_log2_ns.*", l->key, &opcode)) {
                        sum_key = g_strconcat("latency_sum_ns.", opcode, NULL);
                        add_histogram(x, l, opcode, find_value(lines, l->device, sum_key));
                } else {
                        add_stat(x, device_metrics, G_N_ELEMENTS(device_metrics), l);
                }
        }
}

/* ---- the devices' objects and counters, from their listings ---- */

/* A metric name from a field path: "rx_write_requests", "a.b[2]" -> "a_b_2". */
static char *metric_name(const char *prefix, const char *res, const char *path, const char *suffix)
{
        char *name = g_strconcat(prefix, res, "_", path, suffix, NULL);

        for (char *c = name; *c; c++)
                if (!g_ascii_isalnum(*c) && *c != '_' && *c != ':')
                        *c = '_';
        return name;
}

struct counter_walk {
        struct exposition *x;
        const mlx5_schema_resource *res;
        const uint8_t *raw;
        size_t len;
        const char *device;
        const char *id;                 /* NULL for a singleton */
};

static void add_counter(const mlx5_schema_field *field, const char *path, uint32_t bit_off, void *user_data)
{
        struct counter_walk *w = user_data;
        g_autofree char *name = metric_name("mlx5dbgfs_", w->res->counters_stem, path, "_total");
        g_autofree char *help = w->id ? g_strdup_printf("Firmware counter %s of each %s, by %s.", path,
                                                        w->res->name, w->res->counters_label)
                                      : g_strdup_printf("Firmware counter %s of the device's %s.", path,
                                                        w->res->name);
        uint64_t at = (uint64_t) bit_off + w->res->context_bit_off;
        struct family *f;
        char value[24];

        if (!mlx5_bits_in_range(w->len, at, field->width) || field->width > 64)
                return;
        g_snprintf(value, sizeof(value), "%" G_GUINT64_FORMAT, mlx5_bits_get(w->raw, w->len, at, field->width));
        f = family(w->x, name, "counter", help);
        if (w->id)
                sample(f, "", value, "device", w->device, w->res->counters_label, w->id, NULL);
        else
                sample(f, "", value, "device", w->device, NULL);
}

/* The summary column named "state", if the type has one: what objects are counted by. */
static const mlx5_schema_column *state_column(const mlx5_schema_resource *res)
{
        for (guint c = 0; c < res->summary->len; c++) {
                const mlx5_schema_column *col = &g_array_index(res->summary, mlx5_schema_column, c);

                if (strcmp(col->name, "state") == 0)
                        return col;
        }
        return NULL;
}

static void add_objects(struct exposition *x, const mlx5_schema_resource *res, const char *device,
                        const struct mlx5_listing *l)
{
        struct family *f = family(x, "mlx5dbgfs_objects", "gauge",
                                  "Objects a listing of the type holds, per state where the type has one.");
        const mlx5_schema_column *state = state_column(res);
        g_autoptr(GHashTable) by_state = NULL;
        g_autoptr(GPtrArray) states = NULL;
        g_autofree uint8_t *buf = NULL;
        char value[24];

        if (!state) {
                g_snprintf(value, sizeof(value), "%u", l->ids->len);
                sample(f, "", value, "device", device, "type", res->name, NULL);
                return;
        }
        by_state = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        states = g_ptr_array_new_with_free_func(g_free);
        buf = g_malloc(l->outlen + 1);
        for (guint i = 0; i < l->ids->len; i++) {
                g_autoptr(GString) name = g_string_new(NULL);
                const uint8_t *raw = mlx5_listing_raw(l, i, buf);
                guint n;

                if (!raw)
                        g_string_append(name, "unanswered");
                else
                        mlx5_decode_value(name, state->field,
                                          mlx5_bits_get(raw, l->outlen, state->bit_off, state->field->width));
                n = GPOINTER_TO_UINT(g_hash_table_lookup(by_state, name->str));
                if (n == 0)
                        g_ptr_array_add(states, g_strdup(name->str));
                g_hash_table_insert(by_state, g_strdup(name->str), GUINT_TO_POINTER(n + 1));
        }
        /* Every state the enum names, 0 or not, so each series exists from the first scrape; then any other. */
        for (guint e = 0; state->field->enumeration && e < state->field->enumeration->values->len; e++) {
                const char *name = g_array_index(state->field->enumeration->values, mlx5_schema_enum_value, e).name;

                g_snprintf(value, sizeof(value), "%u", GPOINTER_TO_UINT(g_hash_table_lookup(by_state, name)));
                sample(f, "", value, "device", device, "type", res->name, "state", name, NULL);
                g_hash_table_remove(by_state, name);
        }
        for (guint s = 0; s < states->len; s++) {
                guint n = GPOINTER_TO_UINT(g_hash_table_lookup(by_state, states->pdata[s]));

                if (!n)
                        continue;
                g_snprintf(value, sizeof(value), "%u", n);
                sample(f, "", value, "device", device, "type", res->name, "state", (const char *) states->pdata[s],
                       NULL);
        }
}

static void add_counters(struct exposition *x, const mlx5_schema_resource *res, const char *device,
                         const struct mlx5_listing *l)
{
        g_autofree uint8_t *buf = g_malloc(l->outlen + 1);

        for (guint i = 0; i < l->ids->len; i++) {
                g_autofree char *id = g_strdup_printf("0x%x", g_array_index(l->ids, uint32_t, i));
                struct counter_walk w = {
                        .x = x, .res = res, .len = l->outlen, .device = device, .id = id,
                        .raw = mlx5_listing_raw(l, i, buf),
                };

                if (w.raw)
                        mlx5_schema_foreach_leaf(res->context, add_counter, &w);
        }
}

/* A singleton's counters, from the snapshot its file shows. */
static int add_singleton_counters(struct exposition *x, mlx5_tree *tree, struct tree_device *td, unsigned i)
{
        const mlx5_schema_resource *res = mlx5_schema_resource_at(tree->schema, i);
        g_autoptr(mlx5_snapshot) snap = NULL;
        struct counter_walk w = { .x = x, .res = res, .device = td->dev->pci_name };
        int r = tree_get_content(tree, CONTENT_OBJECT, td->slot, i, 0, &snap);

        if (tree_view_fatal(r))
                return r;
        /* Not answered now: left out; .stats and the log say why. */
        if (r < 0 || !snap->raw)
                return 0;
        w.raw = g_bytes_get_data(snap->raw, &w.len);
        mlx5_schema_foreach_leaf(res->context, add_counter, &w);
        return 0;
}

static int add_device(struct exposition *x, mlx5_tree *tree, struct tree_device *td)
{
        for (unsigned i = 0; i < mlx5_schema_n_resources(tree->schema); i++) {
                const mlx5_schema_resource *res = mlx5_schema_resource_at(tree->schema, i);
                g_autoptr(mlx5_snapshot) listing = NULL;
                int r;

                if (td->dev->listing[i].absent)
                        continue;
                if (!res->has_id) {
                        r = res->counters_stem ? add_singleton_counters(x, tree, td, i) : 0;
                        if (r < 0)
                                return r;
                        continue;
                }
                r = tree_listing(tree, td->slot, i, &listing);
                if (tree_view_fatal(r))
                        return r;
                /* A type that cannot be listed now is left out; .stats and the log say why. */
                if (r < 0)
                        continue;
                add_objects(x, res, td->dev->pci_name, listing->listing);
                if (res->counters_stem)
                        add_counters(x, res, td->dev->pci_name, listing->listing);
        }
        return 0;
}

int tree_metrics_content(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap)
{
        g_autoptr(mlx5_snapshot) stats = tree_stats_for_caller(tree);
        struct exposition x = {
                .families = g_ptr_array_new_with_free_func(family_free),
                .by_name = g_hash_table_new(g_str_hash, g_str_equal),
        };
        GString *text;
        unsigned slots;
        int r = 0;

        add_stats(&x, stats->text);
        g_rw_lock_reader_lock(&tree->lock);
        slots = tree->devices->len;
        g_rw_lock_reader_unlock(&tree->lock);
        /* The devices there were when the scrape began (one added meanwhile is in the next). */
        for (unsigned slot = 0; slot < slots && r == 0; slot++) {
                g_autoptr(tree_device) td = tree_device_get(tree, slot);

                /* A device that goes meanwhile is left out, as it is of the root directory. */
                if (td)
                        r = add_device(&x, tree, td);
                if (r == -ENODEV)
                        r = 0;
        }
        text = g_string_sized_new(16384);
        for (guint i = 0; r == 0 && i < x.families->len; i++) {
                const struct family *f = x.families->pdata[i];

                g_string_append_printf(text, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name, f->type);
                g_string_append_len(text, f->samples->str, (gssize) f->samples->len);
        }
        g_hash_table_unref(x.by_name);
        g_ptr_array_unref(x.families);
        if (r < 0) {
                g_string_free(text, TRUE);
                return r;
        }
        *ret_snap = tree_snapshot_like(text, stats);
        return 0;
}
