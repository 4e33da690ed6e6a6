/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Compares the schema's claims with the compiler's answers from mlx5_ifc.h
 * (both baked into the generated probe file) and lists every difference:
 *
 *   qpc.state: schema 0x0/4, mlx5_ifc.h 0x4/4 (qp.schema:57)
 *
 * Fields marked newer must be absent from the header; they are counted, not
 * proved.  A struct the header lacks is a failure unless every one of its
 * fields is marked newer.  Exits 1 on any mismatch.
 */
#include <stdio.h>
#include <stdlib.h>

#include "layout-check.h"

static bool probe_answer(int index, long *ret_value)
{
        if (index == LAYOUT_NO_PROBE || layout_probe[index] == 0)
                return false;
        *ret_value = layout_probe[index] - 1;
        return true;
}

static bool owner_all_newer(unsigned owner)
{
        bool any = false;

        for (unsigned i = 0; i < layout_n_fields; i++) {
                if (layout_fields[i].owner != owner)
                        continue;
                if (!layout_fields[i].newer)
                        return false;
                any = true;
        }
        return any;
}

/* False when the owner is a struct the header lacks, reported here once. */
static bool check_owner(unsigned owner, unsigned *mismatches)
{
        const struct layout_owner *o = &layout_owners[owner];
        long size;

        if (o->is_extra)
                return true;
        if (!probe_answer(o->size_probe, &size)) {
                if (owner_all_newer(owner))
                        return false;
                printf("%s: no struct mlx5_ifc_%s_bits in mlx5_ifc.h (%s)\n", o->name, o->name,
                       o->where);
                (*mismatches)++;
                return false;
        }
        if (size != (long) o->size_bits) {
                printf("%s: schema size 0x%x, mlx5_ifc.h 0x%lx (%s)\n", o->name, o->size_bits,
                       size, o->where);
                (*mismatches)++;
        }
        return true;
}

static const struct layout_candidate *find_candidate(const struct layout_field *f, long *ret_off)
{
        for (unsigned i = 0; i < f->n_candidates; i++) {
                long off;

                if (probe_answer(f->candidates[i].off_probe, &off)) {
                        *ret_off = (long) f->candidates[i].base + off;
                        return &f->candidates[i];
                }
        }
        return NULL;
}

static void describe(char *buf, size_t len, long off, long width, long count, bool flexible)
{
        if (flexible)
                snprintf(buf, len, "0x%lx/%ld[]", off, width);
        else if (count > 0)
                snprintf(buf, len, "0x%lx/%ld[%ld]", off, width, count);
        else
                snprintf(buf, len, "0x%lx/%ld", off, width);
}

/*
 * The header's shape of the member, in the schema's terms: a u8 x[N] is a
 * scalar of N bits, a u8 x[K][W] or struct y x[K] has K elements of W bits,
 * and a flexible array has elements but no size.
 */
static bool shape_matches(const struct layout_field *f, const struct layout_candidate *c,
                          long off, char *header, size_t header_len)
{
        long size, elem;
        bool has_size = probe_answer(c->size_probe, &size);
        bool has_elem = probe_answer(c->elem_probe, &elem) && elem > 1;
        bool same;

        if (has_elem && has_size)
                describe(header, header_len, off, elem, size / elem, false);
        else if (has_elem)
                describe(header, header_len, off, elem, 0, true);
        else
                describe(header, header_len, off, has_size ? size : 0, 0, false);

        if (f->count == 0)
                same = has_size && size == (long) f->width;
        else if (has_elem)
                same = f->width == elem && (!has_size || size == (long) f->width * f->count);
        else
                same = has_size && size == (long) f->width * f->count;

        return same && off == (long) f->off;
}

static void check_field(const struct layout_field *f, unsigned *proved, unsigned *newer,
                        unsigned *mismatches)
{
        const char *owner = layout_owners[f->owner].name;
        const struct layout_candidate *c;
        char schema[64], header[64];
        long off, is_type;

        describe(schema, sizeof(schema), f->off, f->width, f->count, false);
        c = find_candidate(f, &off);

        if (f->newer) {
                if (!c) {
                        (*newer)++;
                        return;
                }
                shape_matches(f, c, off, header, sizeof(header));
                printf("%s.%s: marked newer, but mlx5_ifc.h has it at %s (%s)\n", owner, f->name,
                       header, f->where);
                (*mismatches)++;
                return;
        }

        if (!c) {
                printf("%s.%s: schema %s, not in mlx5_ifc.h (%s)\n", owner, f->name, schema,
                       f->where);
                (*mismatches)++;
                return;
        }

        if (!shape_matches(f, c, off, header, sizeof(header))) {
                printf("%s.%s: schema %s, mlx5_ifc.h %s (%s)\n", owner, f->name, schema, header,
                       f->where);
                (*mismatches)++;
                return;
        }

        if (f->nested && !(probe_answer(c->type_probe, &is_type) && is_type)) {
                printf("%s.%s: schema struct %s, mlx5_ifc.h %s has another type there (%s)\n",
                       owner, f->name, f->nested, c->header_struct, f->where);
                (*mismatches)++;
                return;
        }

        (*proved)++;
}

int main(int argc, char **argv)
{
        unsigned proved = 0, newer = 0, mismatches = 0;
        bool *present;

        present = calloc(layout_n_owners ? layout_n_owners : 1, sizeof(*present));
        if (!present) {
                fprintf(stderr, "layout: out of memory\n");
                return EXIT_FAILURE;
        }

        for (unsigned i = 0; i < layout_n_owners; i++)
                present[i] = check_owner(i, &mismatches);

        for (unsigned i = 0; i < layout_n_fields; i++) {
                const struct layout_field *f = &layout_fields[i];

                /* A missing struct was reported once; a wholly newer one counts its fields. */
                if (!present[f->owner]) {
                        if (f->newer)
                                newer++;
                        continue;
                }
                check_field(f, &proved, &newer, &mismatches);
        }
        free(present);

        if (argc > 1)
                printf("layout: against %s\n", argv[1]);
        printf("layout: %u fields proved, %u newer, %u mismatches\n", proved, newer, mismatches);
        return mismatches ? EXIT_FAILURE : EXIT_SUCCESS;
}
