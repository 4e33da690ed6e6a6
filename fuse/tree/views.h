/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Views for scripts and fleets: the JSON mirror (render-json.c), the
 * one-line-per-object summaries (render-summary.c) and the Prometheus
 * exposition (metrics.c): the producers the kind table's rows name, and
 * what they share with the text tree (tree-kinds.c).
 */
#pragma once

#include <errno.h>

#include "tree/tree-private.h"

/* The kinds one view of a device uses for its caps, types, singletons and groups. */
struct tree_view_kinds {
        unsigned caps_mode, caps_file, type_dir, singleton, group_dir;
};
extern const struct tree_view_kinds tree_json_view;

/*
 * Whether a view made of several snapshots must give up on this error
 * rather than leave that part out: the device went, the reader was
 * interrupted, or the thread must not wait for firmware (it retries).
 */
static inline bool tree_view_fatal(int r)
{
        return r == -ENODEV || r == -EINTR || r == -EWOULDBLOCK;
}

/* ---- shared with the text tree (tree-kinds.c) ---- */

void tree_add_resources(mlx5_tree *tree, const struct tree_device *td, uint32_t dev, const struct tree_view_kinds *v,
                        mlx5_tree_entries *entries);
void tree_add_caps_modes(const struct mlx5_tree_node *self, const struct tree_view_kinds *v,
                         mlx5_tree_entries *entries);
int tree_add_caps_files(mlx5_tree *tree, const struct mlx5_tree_node *self, const struct tree_view_kinds *v,
                        mlx5_tree_entries *entries);
int tree_add_group_members(mlx5_tree *tree, const struct mlx5_tree_node *self, const struct tree_view_kinds *v,
                           mlx5_tree_entries *entries);
/* The owner the host's kernel names for a listed object, if it names one. */
bool tree_listing_owner(const struct mlx5_listing *l, int slot, const struct mlx5_object_owner **ret_owner);
/* The function's RDMA device name, or NULL. */
char *tree_rdma_device(const struct tree_device *td);
/* A generated file's snapshot (takes text) with the times of the snapshot it shows. */
mlx5_snapshot *tree_snapshot_like(GString *text, const mlx5_snapshot *like);
/* The same for bytes already made (takes bytes). */
mlx5_snapshot *tree_snapshot_of(GBytes *bytes, const mlx5_snapshot *like);
/* A generated snapshot takes the times of the snapshot it shows. */
void tree_snapshot_take_times(mlx5_snapshot *snap, const mlx5_snapshot *like);
/* 0, or -EIO past max_view_mib for a view len bytes long (the limit named in the log, counted in .stats). */
int tree_view_check_size(uint64_t len, const char *view);
/*
 * Every reference of an object's output (schema `ref`): the refs/ link name, its ref slot, target and number.
 * 0, or what stops the request (tree_view_fatal: a listing it needs would wait, the device is gone).
 */
struct tree_ref_targets;
typedef void (*tree_ref_fn)(const char *name, unsigned slot, const mlx5_schema_resource *target, uint32_t id,
                            void *user_data);
int tree_foreach_ref(struct tree_ref_targets *rt, uint32_t res_index, GBytes *raw, tree_ref_fn fn, void *user_data);
/* The listings one device's references point into, each asked at its first reference, then kept until freed. */
struct tree_ref_targets *tree_ref_targets_new(mlx5_tree *tree, uint32_t dev);
void tree_ref_targets_free(struct tree_ref_targets *rt);
/*
 * The listing of type res_index references were looked up in (asked now if
 * ask and not yet): 1 not asked, else tree_listing's result, with the
 * listing (still rt's) when 0.
 */
int tree_ref_targets_listing(struct tree_ref_targets *rt, unsigned res_index, bool ask,
                             const mlx5_snapshot **ret_listing);
/* How many listings rt has asked: what tree_ref_targets_listing says changes only when this does. */
unsigned tree_ref_targets_asked(const struct tree_ref_targets *rt);

/* ---- a view of a whole listing, a line per object, rendered in slices (view-lines.c) ---- */

struct tree_lines;
/* Appends line i, with its newline, to out: 0 or a negative errno. */
typedef int (*tree_line_fn)(struct tree_lines *tl, guint i, GString *out);

/* Embedded first in what a view keeps to render its lines (which pins the snapshots they come from). */
struct tree_lines {
        struct mlx5_slices slices;      /* the snapshot's; set by tree_lines_snapshot */
        tree_line_fn line;
        void (*clear)(struct tree_lines *tl);   /* frees the embedding struct and what it holds */
        const char *view;               /* names the view in the log: a static string */
        guint n;                        /* lines */
        const uint64_t *end;            /* per line, the offset after it (in measure) */
        GBytes *measure;                /* what holds end (and state): kept with the listing, or this view's own */
        /*
         * The listing the lines show (the embedding struct pins it), which
         * keeps the view's measure as view `whole`: an open or stat made
         * from the same snapshots takes it and renders nothing (NULL: none).
         */
        mlx5_snapshot *listing;
        enum mlx5_listing_whole whole;
        /* Before the lines are measured (not when a kept measure is taken): 0 or a negative errno; or NULL. */
        int (*prepare)(struct tree_lines *tl);
        /*
         * Line i's length, known from prepare's pass without rendering it:
         * asked once a line, in order, after prepare; or NULL: each line is
         * rendered to be measured.  A read checks every line it renders
         * against it (another length fails the read).
         */
        uint64_t (*line_len)(struct tree_lines *tl, guint i);
        /* What the lines were rendered from besides the listing, kept with the measure; or NULL: nothing. */
        GBytes *(*keep_state)(struct tree_lines *tl);
        /* Whether what is rendered from now is what state says (then the view takes what it needs of it). */
        bool (*take_state)(struct tree_lines *tl, GBytes *state);
};

/*
 * Renders every line once (or asks line_len), to know where each ends, and makes the view's
 * snapshot with like's times (takes tl, also on error): 0, a line's error,
 * or -EIO past max_view_mib.  A measure the listing kept from the same
 * snapshots is taken instead: nothing rendered.
 */
int tree_lines_snapshot(struct tree_lines *tl, const mlx5_snapshot *like, mlx5_snapshot **ret_snap);
/* Lines rendered (each measured or read) and measures taken as kept, since the daemon started (tests, .stats). */
void tree_lines_counts(uint64_t *ret_rendered, uint64_t *ret_measured, uint64_t *ret_reused);
void tree_lines_free(struct tree_lines *tl);
/*
 * Where line i lies in the view, from the measure the listing kept, if it
 * was made from what the lines would be rendered from now (tl keeps it
 * until freed): nothing rendered.  false: none kept, or from other snapshots.
 */
bool tree_lines_kept_line(struct tree_lines *tl, guint i, uint64_t *ret_start, uint64_t *ret_len);

/* ---- JSON (render-json.c) ---- */

int tree_json_children(mlx5_tree *tree, const struct mlx5_tree_node *self, mlx5_tree_entries *entries);
int tree_json_caps_children(mlx5_tree *tree, const struct mlx5_tree_node *self, mlx5_tree_entries *entries);
int tree_json_caps_mode_children(mlx5_tree *tree, const struct mlx5_tree_node *self, mlx5_tree_entries *entries);
int tree_json_group_children(mlx5_tree *tree, const struct mlx5_tree_node *self, mlx5_tree_entries *entries);
int tree_json_info_content(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap);
int tree_json_caps_content(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap);
int tree_json_object_content(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap);
int tree_json_singleton_content(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap);
int tree_json_lines_content(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap);
int tree_json_stats_content(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap);
/*
 * Listed objects' documents since the daemon started: rendered at open (no
 * length kept for them), opened with the length json/<type>.jsonl's kept
 * measure gives (then rendered at read), rendered at read (tests, .stats).
 */
void tree_json_doc_counts(uint64_t *ret_at_open, uint64_t *ret_length_kept, uint64_t *ret_at_read);
/*
 * Listed objects' documents since the daemon started: rendered for json/<type>.jsonl (its measure or
 * reads), and taken as the listing kept them (rendered under the same state) by any of those (tests, .stats).
 */
void tree_json_doc_reuse_counts(uint64_t *ret_in_lines, uint64_t *ret_taken_kept);
/* "json.docs_..." lines of .stats. */
void tree_format_json_stats(GString *out);

/* ---- summaries (render-summary.c) ---- */

int tree_summary_children(mlx5_tree *tree, const struct mlx5_tree_node *self, mlx5_tree_entries *entries);
int tree_summary_content(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap);

/* ---- Prometheus (metrics.c) ---- */

int tree_metrics_content(mlx5_tree *tree, const struct mlx5_tree_node *n, mlx5_snapshot **ret_snap);
