/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The inventory's RDMA netlink parser: the first byte picks the dump (the
 * device dump looking for "mlx5_0", the QP table, the MR table), the rest
 * is what the socket delivered, as buffers of a 16-bit little-endian length
 * and that many bytes (a length past the end takes what is left), fed in
 * order until the parser says the reply is complete.  Requests carry
 * sequence number 1, as do the seeds.
 */
#include <string.h>

#include "fuzz-common.h"
#include "inventory/inventory.h"

#define FUZZ_SEQ 1

static int take_entry(const struct inventory_nl_entry *e, void *user_data)
{
        GString *owners = user_data;

        /* The owner's name must be a string within the message: strlen proves it to ASan. */
        if (e->kern_name)
                g_string_append_len(owners, e->kern_name, (gssize) strlen(e->kern_name));
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char *const types[] = { NULL, "qp", "mkey" };
        g_autoptr(GString) owners = g_string_new(NULL);
        struct inventory_nl_parser p;
        size_t at = 1;
        int r = 1;

        if (size < 1)
                return 0;
        inventory_netlink_parser_init(&p, types[data[0] % G_N_ELEMENTS(types)], FUZZ_SEQ, "mlx5_0");
        p.entry = take_entry;
        p.user_data = owners;
        while (r > 0 && size - at >= 2) {
                size_t len = MIN((size_t) (data[at] | data[at + 1] << 8), size - at - 2);
                /* A buffer of its own, so that ASan sees any read past what was delivered. */
                g_autofree uint8_t *buf = g_memdup2(data + at + 2, len);

                at += 2 + len;
                r = inventory_netlink_parse(buf, len, &p);
        }
        /* Each entry takes at least its nest header and a 32-bit number attribute. */
        if ((size_t) p.entries * 12 > size || p.dev_index < -1)
                __builtin_trap();
        return 0;
}
