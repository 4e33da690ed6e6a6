/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs/daemonize.h"

#define EXIT_NO_WORD 1          /* the child ended without a status we could read */

static int ready_fd = -1;       /* the child's end of the pipe, until it says the mount is up */

/* The parent: waits for the child's word, or its end. */
_Noreturn static void wait_for_child(pid_t child, int fd)
{
        char ok;
        ssize_t n;
        int status;

        do
                n = read(fd, &ok, 1);
        while (n < 0 && errno == EINTR);
        if (n == 1)
                _exit(EXIT_SUCCESS);
        while (waitpid(child, &status, 0) < 0)
                if (errno != EINTR)
                        _exit(EXIT_NO_WORD);
        _exit(WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_NO_WORD);
}

int mlx5dbgfs_daemon_fork(bool foreground)
{
        int fds[2];
        pid_t pid;

        if (foreground)
                return 0;
        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0) {
                int r = -errno;

                close(fds[0]);
                close(fds[1]);
                return r;
        }
        if (pid > 0) {
                close(fds[1]);
                wait_for_child(pid, fds[0]);
        }
        close(fds[0]);
        ready_fd = fds[1];
        /* A session of its own: the terminal's hangup and job control are not its business. */
        setsid();
        return 0;
}

void mlx5dbgfs_daemon_ready(void)
{
        int null;

        if (ready_fd < 0)
                return;
        if (chdir("/") < 0) {
                /* "/" always exists: nothing to do but go on from where it is */
        }
        null = open("/dev/null", O_RDWR);
        if (null >= 0) {
                dup2(null, STDIN_FILENO);
                dup2(null, STDOUT_FILENO);
                dup2(null, STDERR_FILENO);
                if (null > STDERR_FILENO)
                        close(null);
        }
        if (write(ready_fd, "", 1) < 0) {
                /* The parent is gone: nobody waits for the word. */
        }
        close(ready_fd);
        ready_fd = -1;
}
