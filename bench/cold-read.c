/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cold-read FILE...: reads each file once the way cat does (open, read to
 * the end, close) and prints one summary line (see timing.h) of the time
 * each took.  Timing inside one process leaves out the fork and exec of a
 * new cat, which costs more than the firmware command being measured.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "timing.h"

static int read_whole(const char *path, size_t *ret_bytes)
{
        static char buf[128 * 1024];
        size_t total = 0;
        ssize_t n;
        int fd, r = 0;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        while ((n = read(fd, buf, sizeof(buf))) != 0) {
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        break;
                }
                total += (size_t) n;
        }
        close(fd);
        *ret_bytes = total;
        return r;
}

int main(int argc, char **argv)
{
        g_autoptr(GArray) samples = g_array_new(FALSE, FALSE, sizeof(double));

        if (argc < 2) {
                fprintf(stderr, "Usage: cold-read FILE...\n");
                return 2;
        }
        for (int i = 1; i < argc; i++) {
                double start = bench_now_us(), elapsed;
                size_t bytes = 0;
                int r = read_whole(argv[i], &bytes);

                elapsed = bench_now_us() - start;
                if (r < 0 || bytes == 0) {
                        fprintf(stderr, "cold-read: %s: %s\n", argv[i], r < 0 ? strerror(-r) : "empty");
                        return 1;
                }
                g_array_append_val(samples, elapsed);
        }
        bench_print_summary(samples);
        return fflush(stdout) == 0 ? 0 : 1;
}
