#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Layout proof: every field the schema places is placed the same by the system's
# mlx5_ifc.h, as the compiler computes it.  Skips (77) when the header is absent.
#
# Usage: layout-proof.sh SCHEMA_LAYOUT LAYOUT_CHECK_LIB SCHEMA_DIR
#   SCHEMA_LAYOUT     the schema-layout program
#   LAYOUT_CHECK_LIB  layout-check.c built as a static library
#   SCHEMA_DIR        the schema/*.schema directory to prove
# Environment: CC (default cc), MLX5_IFC_H (default: the newest
# /usr/src/linux-headers-*-common/include/linux/mlx5/mlx5_ifc.h).
set -eu

if [ $# -ne 3 ]; then
        echo "usage: $0 SCHEMA_LAYOUT LAYOUT_CHECK_LIB SCHEMA_DIR" >&2
        exit 2
fi
schema_layout=$1
check_lib=$2
schema_dir=$3
here=$(cd "$(dirname "$0")" && pwd)
cc=${CC:-cc}

header=${MLX5_IFC_H:-}
if [ -z "$header" ]; then
        header=$(ls -d /usr/src/linux-headers-*-common/include/linux/mlx5/mlx5_ifc.h 2>/dev/null |
                 sort -V | tail -n 1)
fi
if [ -z "$header" ] || [ ! -r "$header" ]; then
        echo "layout: SKIP: no mlx5_ifc.h (install linux-headers-amd64, or set MLX5_IFC_H)"
        exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/layout-proof.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

"$schema_layout" "$schema_dir" > "$work/layout.txt"
awk -v map="$work/probe-lines.txt" -f "$here/layout-probes.awk" "$work/layout.txt" > "$work/probes.c"

# $cc may be a command with arguments (ccache cc): split it on purpose.
set -- $cc -std=gnu11 -I"$work" -I"$here" -I"$(dirname "$header")"

# Pass 1: a probe the header cannot answer is a compile error on its own line;
# every error must be reported, and gcc and clang spell "no limit" differently.
: > "$work/layout-absent.h"
no_error_limit=-fmax-errors=0
if "$@" -x c -fsyntax-only -ferror-limit=0 /dev/null 2>/dev/null; then
        no_error_limit=-ferror-limit=0
fi
"$@" -fsyntax-only "$no_error_limit" "$work/probes.c" 2> "$work/pass1.txt" || true
awk -F: 'NR == FNR { probe[$1] = $2; next }
         $1 ~ /probes\.c$/ && ($2 in probe) && / error: / { print "#define LAYOUT_ABSENT_" probe[$2] }' \
        "$work/probe-lines.txt" "$work/pass1.txt" | sort -u > "$work/layout-absent.h"

# Pass 2: with those defined away, everything left must compile.
if ! "$@" -o "$work/layout-check" "$work/probes.c" "$check_lib" 2> "$work/pass2.txt"; then
        echo "layout: the probes do not compile against $header:"
        head -n 20 "$work/pass2.txt"
        exit 1
fi
"$work/layout-check" "$header"
