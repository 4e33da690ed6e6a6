#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs a program of the trixie chroot (QEMU needs trixie's libraries) in a
# mount namespace of its own where the host's / is at /host, so paths of
# this host reach it as /host/...; DIR is its working directory as the
# chroot sees it (where a core dump lands).
#
#   qemu-in-root.sh ROOT DIR PROGRAM ARGS...
set -eu
# shellcheck disable=SC2016
exec unshare -m sh -c '
        root=$1 dir=$2; shift 2
        mkdir -p "$root/host" "$root/dev" "$root/proc"
        mount --rbind / "$root/host" && mount --rbind /dev "$root/dev" && mount -t proc proc "$root/proc" &&
                exec chroot "$root" sh -c "cd \"\$0\" && exec \"\$@\"" "$dir" "$@"' sh "$@"
