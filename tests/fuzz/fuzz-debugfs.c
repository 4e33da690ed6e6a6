/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The inventory's mlx5 debugfs parser: the input is split at '/' (which no
 * directory entry holds) into entry names.  A name is taken exactly when it
 * is the kernel's "0x%x" of the number it gives: anything else (upper case,
 * leading zeros, overflow, trailing bytes) is refused, so each number has
 * one name and each name one number.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"
#include "inventory/inventory.h"

/* What the kernel's format would print for the number the name seems to hold, or NULL. */
static char *canonical(const char *name)
{
        unsigned long long v;
        char *end;

        if (strncmp(name, "0x", 2) != 0 || !g_ascii_isxdigit(name[2]))
                return NULL;
        errno = 0;
        v = strtoull(name + 2, &end, 16);
        if (errno || *end || v > UINT32_MAX)
                return NULL;
        return g_strdup_printf("0x%llx", v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        g_autofree char *text = g_malloc(size + 1);
        char *save = NULL;

        memcpy(text, data, size);
        text[size] = '\0';
        for (char *name = strtok_r(text, "/", &save); name; name = strtok_r(NULL, "/", &save)) {
                g_autofree char *want = canonical(name);
                /* A copy of its own, so that ASan sees any read past its end. */
                g_autofree char *copy = g_strdup(name);
                uint32_t id = 0;
                bool taken = inventory_debugfs_parse_name(copy, &id);

                if (taken != (want && strcmp(want, name) == 0))
                        __builtin_trap();
                if (taken) {
                        g_autofree char *again = g_strdup_printf("0x%x", id);

                        if (strcmp(again, name) != 0)
                                __builtin_trap();
                }
        }
        return 0;
}
