#!/usr/bin/env bats
# Schema coverage: every resource and caps block of the schema is mounted,
# listed and readable from the simulator, and every file shows exactly the
# leaf fields the schema gives it, in order, each value in its display form.
# What to expect comes from the schema itself, through schema-fields.

bats_require_minimum_version 1.5.0
load helpers

: "${SCHEMA_FIELDS:?SCHEMA_FIELDS must name the schema-fields tool}"

# COVERAGE_SPEC tries another population (e.g. another seed) by hand.
SPEC=${COVERAGE_SPEC:-devices=2,seed=11}

setup_file() {
        # A schema the loader rejects must fail the suite, not empty it.
        "$SCHEMA_FIELDS" >"$BATS_FILE_TMPDIR/fields"
        manifest "$SPEC" >"$BATS_FILE_TMPDIR/manifest"
        mount_suite "$SPEC"
        [ -n "${FUSE_UNUSABLE:-}" ] || expected_listing "$BATS_FILE_TMPDIR/manifest" >"$BATS_FILE_TMPDIR/listing"
}

devices() {
        awk '{ print $1 }' "$BATS_FILE_TMPDIR/manifest" | sort -u
}

# "NAME PATH OUTLEN" per resource; PATH ends in / for types with ids.
resources() {
        awk '$1 == "resource" { print $2, $3, $4 }' "$BATS_FILE_TMPDIR/fields"
}

# "NAME PATH" per caps file (under caps/current and caps/max).
caps_files() {
        awk '$1 == "caps" { print $2, $3 }' "$BATS_FILE_TMPDIR/fields"
}

# The leaf records of one file (or of every object, for a path ending in /).
leaves() {
        awk -v p="$1" '$1 == "leaf" && $2 == p' "$BATS_FILE_TMPDIR/fields"
}

# The listed objects of one type on one device, sorted.
objects() {
        ls "$MNT/$1/$2" | sort
}

# check_fields PATH FILE...: prints one line per problem (nothing when every
# FILE shows exactly the leaves of PATH, in order, with well-formed values).
check_fields() {
        local path=$1
        shift
        leaves "$path" >"$BATS_TEST_TMPDIR/leaves"
        [ -s "$BATS_TEST_TMPDIR/leaves" ] || { echo "$path: the schema gives no leaf"; return; }
        awk -v specfile="$BATS_TEST_TMPDIR/leaves" '
        function problem(what) {
                if (++problems <= 40)
                        print FILENAME ":" FNR ": " what
        }
        function finish_file() {
                if (file != "" && lines != n)
                        print file ": " lines " lines, the schema gives " n
        }
        # The value of one line against its leaf record.
        function check_value(i, value,    display, width, digits, parts, k, m, seen_part) {
                display = kind[i]
                width = bits[i]
                if (display == "dec") {
                        if (value !~ /^[0-9]+$/)
                                problem(field[i] " (dec): \"" value "\" is not a decimal number")
                        else if (width <= 52 && value + 0 >= 2 ^ width)
                                problem(field[i] " (dec): " value " does not fit " width " bits")
                } else if (display == "hex") {
                        digits = length(value) - 2
                        if (value !~ /^0x(0|[1-9a-f][0-9a-f]*)$/)
                                problem(field[i] " (hex): \"" value "\" is not 0x and lowercase hex digits")
                        else if (digits > int((width + 3) / 4))
                                problem(field[i] " (hex): " value " does not fit " width " bits")
                } else if (display == "enum") {
                        if (!((i, value) in valid))
                                problem(field[i] " (enum): \"" value "\" is not a name of its enum (" names[i] ")")
                } else if (display == "flags") {
                        if (value == "0")
                                return
                        m = split(value, parts, "|")
                        for (k = 1; k <= m; k++) {
                                # bits the schema names no flag for: one hex part, last (a real
                                # CX-6 Dx reports l3_type 7, and only bits 1 and 2 have names)
                                if (k == m && parts[k] ~ /^0x[0-9a-f]+$/ && length(parts[k]) - 2 <= int((width + 3) / 4))
                                        continue
                                if (!((i, parts[k]) in valid))
                                        problem(field[i] " (flags): \"" parts[k] "\" in \"" value "\" is not a name of its flags (" names[i] ")")
                                if ((parts[k]) in seen_part)
                                        problem(field[i] " (flags): \"" parts[k] "\" twice in \"" value "\"")
                                seen_part[parts[k]] = 1
                        }
                } else if (display == "bytes") {
                        if (value !~ /^[0-9a-f]*$/ || length(value) != width / 4)
                                problem(field[i] " (bytes): \"" value "\" is not " width / 4 " hex digits")
                } else if (display == "ascii") {
                        # up to width/8 characters, unprintable ones as \xNN
                        if (length(value) > width / 2)
                                problem(field[i] " (ascii): \"" value "\" is longer than " width / 8 " characters")
                } else {
                        problem(field[i] ": unknown display \"" display "\"")
                }
        }
        BEGIN {
                while ((getline rec < specfile) > 0) {
                        m = split(rec, w, " ")
                        n++
                        field[n] = w[3]
                        kind[n] = w[4]
                        bits[n] = w[5]
                        names[n] = ""
                        for (k = 6; k <= m; k++) {
                                valid[n, w[k]] = 1
                                names[n] = names[n] (k > 6 ? " " : "") w[k]
                        }
                }
                close(specfile)
        }
        FNR == 1 {
                finish_file()
                file = FILENAME
                lines = 0
                for (s in seen)
                        delete seen[s]
        }
        {
                lines++
                sep = index($0, ": ")
                if (sep == 0) {
                        problem("\"" $0 "\" is not \"name: value\"")
                        next
                }
                name = substr($0, 1, sep - 1)
                value = substr($0, sep + 2)
                if (name in seen)
                        problem(name " appears twice")
                seen[name] = 1
                if (lines > n) {
                        problem("extra line \"" $0 "\"")
                        next
                }
                if (name != field[lines]) {
                        problem("\"" name "\" where the schema has " field[lines])
                        next
                }
                check_value(lines, value)
        }
        END {
                finish_file()
                if (problems > 40)
                        print "... and " problems - 40 " more problems"
        }' "$@"
}

@test "the schema gives resources with and without ids and caps, each with leaves" {
        run -0 resources
        assert_line --regexp '^[a-z0-9_]+ [a-z0-9_]+/ [0-9]+$'
        assert_line --regexp '^[a-z0-9_]+ [a-z0-9_/]+[a-z0-9_] [0-9]+$'
        run -0 caps_files
        assert_line --regexp '^[a-z0-9_]+ caps/current/[a-z0-9_]+$'
        assert_line --regexp '^[a-z0-9_]+ caps/max/[a-z0-9_]+$'
        while read -r _ path _; do
                [ -n "$(leaves "$path")" ] || fail "$path has no leaf field"
        done < <(resources; caps_files)
        # every leaf belongs to a block listed before it
        run -0 awk '$1 == "resource" || $1 == "caps" { known[$3] = 1 }
                    $1 == "leaf" && !($2 in known) { print "orphan: " $0 }' "$BATS_FILE_TMPDIR/fields"
        assert_output ""
}

@test "every device lists every resource, caps file and raw entry of the schema" {
        run -0 ls "$MNT"
        assert_output "$(devices; echo by-name; echo metrics)"
        for dev in $(devices); do
                while read -r name path _; do
                        parent=$(dirname "$dev/${path%/}")
                        run -0 ls "$MNT/$parent"
                        assert_line "$(basename "$path")"
                        if [ "${path%/}" != "$path" ]; then
                                [ -d "$MNT/$dev/$path" ] || fail "$dev/$path is not a directory"
                        else
                                [ -f "$MNT/$dev/$path" ] || fail "$dev/$path is not a file"
                        fi
                        run -0 ls "$MNT/$dev/raw"
                        assert_line "$name"
                done < <(resources)
                while read -r name path; do
                        run -0 ls "$MNT/$dev/$(dirname "$path")"
                        assert_line "$name"
                        [ -f "$MNT/$dev/$path" ] || fail "$dev/$path is not a file"
                done < <(caps_files)
        done
}

@test "every type lists what a host can find; every object reads by number, raw of the output's size" {
        for dev in $(devices); do
                while read -r type path outlen; do
                        [ "${path%/}" != "$path" ] || continue
                        all=$(awk -v d="$dev" -v t="$type" '$1 == d && $2 == t { print $3 }' \
                              "$BATS_FILE_TMPDIR/manifest" | sort)
                        [ -n "$all" ] || fail "the simulator made no $type on $dev"
                        expected=$(awk -v d="$dev" -v t="$type" '$1 == d && $2 == t { print $3 }' \
                                   "$BATS_FILE_TMPDIR/listing" | sort)
                        run -0 objects "$dev" "$type"
                        assert_output "$expected"
                        run -0 objects "$dev" "raw/$type"
                        assert_output "$expected"
                        n=0
                        for id in $all; do
                                text=$(cat "$MNT/$dev/$type/$id") || fail "cannot read $dev/$type/$id"
                                [ -n "$text" ] || fail "$dev/$type/$id is empty"
                                size=$(stat -c %s "$MNT/$dev/raw/$type/$id") || fail "no $dev/raw/$type/$id"
                                [ "$size" -eq "$outlen" ] || fail "$dev/raw/$type/$id: $size bytes, outlen is $outlen"
                                bytes=$(wc -c <"$MNT/$dev/raw/$type/$id") || fail "cannot read $dev/raw/$type/$id"
                                [ "$bytes" -eq "$outlen" ] || fail "$dev/raw/$type/$id: read $bytes bytes, outlen is $outlen"
                                n=$((n + 1))
                        done
                        [ "$n" -eq "$(wc -w <<<"$all")" ]
                done < <(resources)
        done
}

# The simulator's objects of a type on a device, listed or not (each reads by number).
made_objects() {
        awk -v d="$1" -v t="$2" '$1 == d && $2 == t { print $3 }' "$BATS_FILE_TMPDIR/manifest"
}

# check_blocks KIND: check_fields for every block of KIND (objects: every
# object the simulator made, of every type with ids; singletons; caps), on every device.
# Paths in the problems are relative to the mount.
check_blocks() {
        local kind=$1 type path files
        while read -r type path; do
                files=()
                for dev in $(devices); do
                        if [ "$kind" != objects ]; then
                                files+=("$dev/$path")
                                continue
                        fi
                        for id in $(made_objects "$dev" "$type"); do
                                files+=("$dev/$type/$id")
                        done
                done
                if [ "${#files[@]}" -eq 0 ]; then
                        echo "$path: nothing to check"
                        continue
                fi
                echo "$path ${#files[@]}" >>"$BATS_TEST_TMPDIR/checked"
                (cd "$MNT" && check_fields "$path" "${files[@]}")
        done < <(case $kind in
                 objects) resources | awk '$2 ~ /\/$/ { print $1, $2 }' ;;
                 singletons) resources | awk '$2 !~ /\/$/ { print $1, $2 }' ;;
                 caps) caps_files ;;
                 esac)
}

@test "every object of every type shows each schema field once, in order, with a valid value" {
        run -0 check_blocks objects
        assert_output ""
        [ "$(resources | awk '$2 ~ /\/$/' | wc -l)" -eq "$(wc -l <"$BATS_TEST_TMPDIR/checked")" ]
}

@test "every singleton shows each schema field once, in order; raw is the output's size" {
        run -0 check_blocks singletons
        assert_output ""
        [ "$(resources | awk '$2 !~ /\/$/' | wc -l)" -eq "$(wc -l <"$BATS_TEST_TMPDIR/checked")" ]
        for dev in $(devices); do
                while read -r name path outlen; do
                        [ "${path%/}" = "$path" ] || continue
                        run -0 stat -c %s "$MNT/$dev/raw/$name"
                        assert_output "$outlen"
                done < <(resources)
        done
}

@test "every caps file, current and max, shows each schema field once, in order" {
        run -0 check_blocks caps
        assert_output ""
        [ "$(caps_files | wc -l)" -eq "$(wc -l <"$BATS_TEST_TMPDIR/checked")" ]
}

# One readable file of a block: the first object of a type, or the file itself.
sample_file() {
        local dev
        dev=$(devices | head -1)
        if [ "${1%/}" != "$1" ]; then
                echo "$MNT/$dev/$1$(made_objects "$dev" "${1%/}" | head -1)"
        else
                echo "$MNT/$dev/$1"
        fi
}

@test "the checker catches a bad value of each display kind, a missing and an extra line" {
        declare -A bad=([dec]=x1 [hex]=0X1F [enum]=4242 [flags]=NOT_A_FLAG [bytes]=zz)
        declare -A says=([dec]="is not a decimal number" [hex]="is not 0x" [enum]="is not a name of its enum"
                         [flags]="is not a name of its flags" [bytes]="hex digits" [ascii]="is longer than")
        kinds=0
        # The first leaf of each display kind the schema uses.
        while read -r path field kind width; do
                good=$BATS_TEST_TMPDIR/good
                cat "$(sample_file "$path")" >"$good"
                run -0 check_fields "$path" "$good"
                assert_output ""
                if [ "$kind" = ascii ]; then
                        # one character more than the field can show (an escape is four)
                        value=$(printf "%*s" $((width / 2 + 1)) "" | tr ' ' A)
                else
                        value=${bad[$kind]}
                fi
                awk -F': ' -v f="$field" -v v="$value" '$1 == f { $0 = f ": " v } 1' "$good" >"$BATS_TEST_TMPDIR/bad"
                ! cmp -s "$good" "$BATS_TEST_TMPDIR/bad" || fail "$path $field: no line to change"
                run -0 check_fields "$path" "$BATS_TEST_TMPDIR/bad"
                assert_output --partial "$field ($kind): "
                assert_output --partial "${says[$kind]}"
                kinds=$((kinds + 1))
        done < <(awk '$1 == "leaf" && !($4 in seen) { seen[$4] = 1; print $2, $3, $4, $5 }' "$BATS_FILE_TMPDIR/fields")
        [ "$kinds" -gt 0 ]

        path=$(resources | awk '{ print $2; exit }')
        cat "$(sample_file "$path")" >"$good"
        sed '1d' "$good" >"$BATS_TEST_TMPDIR/short"
        run -0 check_fields "$path" "$BATS_TEST_TMPDIR/short"
        assert_output --partial "where the schema has"
        sed '$d' "$good" >"$BATS_TEST_TMPDIR/short"
        run -0 check_fields "$path" "$BATS_TEST_TMPDIR/short"
        assert_output --partial "lines, the schema gives"
        { cat "$good"; echo "bogus: 1"; } >"$BATS_TEST_TMPDIR/long"
        run -0 check_fields "$path" "$BATS_TEST_TMPDIR/long"
        assert_output --partial 'extra line "bogus: 1"'
        { head -1 "$good"; cat "$good"; } >"$BATS_TEST_TMPDIR/twice"
        run -0 check_fields "$path" "$BATS_TEST_TMPDIR/twice"
        assert_output --partial "appears twice"
}

@test "summary: objects and fields per schema block" {
        summary=$BATS_TEST_TMPDIR/summary
        printf '%-32s %8s %8s %7s\n' "block" "objects" "listed" "fields" >"$summary"
        while read -r type path _; do
                fields=$(leaves "$path" | wc -l)
                [ "$fields" -gt 0 ] || fail "$path: no field"
                if [ "${path%/}" != "$path" ]; then
                        n=0 listed=0
                        for dev in $(devices); do
                                n=$((n + $(made_objects "$dev" "$type" | wc -l)))
                                listed=$((listed + $(objects "$dev" "$type" | wc -l)))
                        done
                        [ "$n" -gt 0 ] || fail "no $type object"
                else
                        n=$(devices | wc -l) listed=$n
                fi
                printf '%-32s %8s %8s %7s\n' "$path" "$n" "$listed" "$fields" >>"$summary"
        done < <(resources)
        while read -r _ path; do
                printf '%-32s %8s %8s %7s\n' "$path" "$(devices | wc -l)" "-" "$(leaves "$path" | wc -l)" >>"$summary"
        done < <(caps_files)
        sed 's/^/# /' "$summary" >&3
}

@test "the daemon survived and unmounts with status 0" {
        run -0 kill -0 "$(daemon_pid)"
        run -0 stop_mount
        run mountpoint -q "$MNT"
        [ "$status" -ne 0 ]
}
