#!/usr/bin/env bats
# What a debugger needs to see: owners, references as links, resource-dump
# segments — on the default simulated device, against the simulator's truth.

bats_require_minimum_version 1.5.0
load helpers

SPEC=""

# The resource-dump menu of a real ConnectX-6 Dx (real-device.md §1), in its order.
CX6DX_MENU="HW_CQPC HW_SQPC HW_RQPC FULL_SRQC FULL_CQC FULL_EQC FULL_QPC SND_BUFF RCV_BUFF SRQ_BUFF CQ_BUFF
EQ_BUFF SX_SLICE SX_SLICE_ALL RX_SLICE RX_SLICE_ALL MKEY_CONTEXT RDB_CONTEXT STE_RANGE STE_ALL FUNC_SYND_REC
STE_GLOBAL_RNG STE_ROOT ICMC_INFO PRM_QUERY_QP PRM_QUERY_CQ PRM_QUERY_MKEY QUERY_VNIC_ENV MDFY_HDR_RNG
MDFY_HDR_ALL QUERY_FT QUERY_FT_ALL QUERY_FG QUERY_FG_ALL QUERY_FTE QUERY_FTE_ALL FLOW_COUNTER PKT_REFORMAT
SHARED_BUFFER PAGE_HISTOGRAM SCHEDQ_INFO VQOS_TREE VQOS_DISTLIST VLQ_GVMI_VLQ_SQ PACKET_PACING"
# Records that must have index1: a directory of indexes; the others are files.
CX6DX_PER_OBJECT="HW_CQPC HW_SQPC HW_RQPC FULL_SRQC FULL_CQC FULL_EQC FULL_QPC SND_BUFF RCV_BUFF SRQ_BUFF CQ_BUFF
EQ_BUFF SX_SLICE RX_SLICE MKEY_CONTEXT RDB_CONTEXT STE_RANGE STE_GLOBAL_RNG STE_ROOT PRM_QUERY_QP PRM_QUERY_CQ
PRM_QUERY_MKEY MDFY_HDR_RNG QUERY_FT QUERY_FG QUERY_FG_ALL QUERY_FTE QUERY_FTE_ALL FLOW_COUNTER PKT_REFORMAT"

setup_file() {
        mount_suite "$SPEC"
        manifest "$SPEC" >"$BATS_FILE_TMPDIR/manifest"
        DEV=$(awk 'NR == 1 { print $1 }' "$BATS_FILE_TMPDIR/manifest")
        export DEV
}

# The objects the mount lists: "<type> 0x<id>".
listed() {
        local type
        for type in $(ls "$MNT/$DEV/owner"); do
                ls "$MNT/$DEV/$type" | sed "s/^/$type /"
        done
}

@test "every listed object has an owner file, and only listed objects do" {
        for type in $(ls "$MNT/$DEV/owner"); do
                [ "$(ls "$MNT/$DEV/owner/$type")" = "$(ls "$MNT/$DEV/$type")" ] ||
                        fail "owner/$type does not list what $type lists"
        done
        run grep -rL '^found_by: [a-z]' "$MNT/$DEV/owner"    # grep -L's status tells whether lines matched
        assert_output ""
        run grep -rLx 'rdma_device: mlx5_[0-9]*' "$MNT/$DEV/owner"
        assert_output ""
        [ "$(find "$MNT/$DEV/owner" -type f | wc -l)" -eq "$(listed | wc -l)" ]
        [ "$(listed | wc -l)" -gt 100 ]
        run -1 cat "$MNT/$DEV/owner/qp/0xfffff0"
        assert_output --partial "No such file or directory"
}

@test "grep -rl 'comm: NAME' finds exactly the objects the simulator gave that owner, with its pid" {
        # Owners come from the kernel's resource tracking: objects its netlink view shows.
        creators=$(awk '$6 ~ /netlink/ { print $5 }' "$BATS_FILE_TMPDIR/manifest" | sort -u)
        [ "$(echo "$creators" | wc -l)" -ge 3 ] || fail "the simulator gave too few owners: $creators"
        echo "$creators" | grep -q '^\[' || fail "no kernel owner among: $creators"
        for creator in $creators; do
                case $creator in
                \[*) comm=$creator pid=0 ;;
                *) comm=${creator%:*} pid=${creator##*:} ;;
                esac
                expected=$(awk -v d="$DEV" -v c="$creator" '$1 == d && $5 == c && $6 ~ /netlink/ {
                                   print "owner/" $2 "/" $3 }' "$BATS_FILE_TMPDIR/manifest" | sort)
                run -0 sh -c "cd '$MNT/$DEV' && grep -rlx -F 'comm: $comm' owner | sort"
                assert_output "$expected"
                for f in $output; do
                        grep -qx "pid: $pid" "$MNT/$DEV/$f" || fail "$f: not pid $pid"
                done
        done
        # Objects no host view shows have no owner.
        run -1 grep -rl '^comm: ' $(awk -v d="$DEV" '$1 == d && $6 == "-" { print "'"$MNT/$DEV"'/owner/" $2 "/" $3 }' \
                "$BATS_FILE_TMPDIR/manifest" | while read -r f; do [ -e "$f" ] && echo "$f"; done) /dev/null
}

# "field target" of every schema ref of a type.
schema_refs() {
        awk -v t="$1" '$1 == "resource" { r = $2 } $1 == "ref" && r == t { print $2, $3 }' \
                "$BATS_TEST_DIRNAME"/../../schema/*.schema
}

@test "every reference link of every listed QP, SQ, RQ, TIR, RQT, CQ and DCT names what its context names" {
        links=0 dangling=0
        real=$(realpath "$MNT/$DEV")
        declare -A exists
        while read -r d t i _; do
                [ "$d" = "$DEV" ] && exists["$t/$i"]=1
        done <"$BATS_FILE_TMPDIR/manifest"
        for type in qp sq rq tir rqt cq dct; do
                refs=$(schema_refs "$type" | sed 's/\[\*\]/\\[[0-9]+\\]/')
                [ -n "$refs" ] || fail "the schema has no ref of $type"
                for id in $(ls "$MNT/$DEV/$type"); do
                        dir=$MNT/$DEV/refs/$type/$id
                        [ -d "$dir" ] || fail "refs/$type/$id is missing"
                        # The context's values as the PRM file shows them (arrays element by element).
                        expected=""
                        while read -r name value; do
                                name=${name%:}
                                # A field with several ref lines links to the first type that has the object, else the first.
                                to=
                                while read -r field target; do
                                        [[ $name =~ ^$field$ ]] || continue
                                        printf -v v '0x%x' "$value"
                                        [ -z "$to" ] && to=$target
                                        [ -n "${exists[$target/$v]:-}" ] && { to=$target; break; }
                                done <<<"$refs"
                                [ -n "$to" ] || continue
                                # 0 names nothing unless object 0 exists.
                                [ "$v" = 0x0 ] && [ -z "${exists[$to/0x0]:-}" ] && continue
                                expected+="$name ../../../$to/$v"$'\n'
                        done <"$MNT/$DEV/$type/$id"
                        names=("$dir"/*)
                        [ -L "${names[0]}" ] || names=()
                        mapfile -t targets < <([ ${#names[@]} -eq 0 ] || readlink "${names[@]}")
                        mapfile -t landed < <([ ${#names[@]} -eq 0 ] || realpath -m "${names[@]}")
                        actual=""
                        for k in "${!names[@]}"; do
                                actual+="${names[k]##*/} ${targets[k]}"$'\n'
                                links=$((links + 1))
                                target=${targets[k]#../../../}
                                [ "${landed[k]}" = "$real/$target" ] || fail "${names[k]} does not land on $target"
                                # A link resolves exactly when firmware has the object (the manifest's truth).
                                if [ -n "${exists[$target]:-}" ]; then
                                        [ -f "${names[k]}" ] || fail "${names[k]} does not resolve to $target"
                                else
                                        [ ! -e "${names[k]}" ] || fail "${names[k]} resolves, but the simulator has no $target"
                                        dangling=$((dangling + 1))
                                fi
                        done
                        [ "$(sort <<<"$expected")" = "$(sort <<<"$actual")" ] ||
                                fail "refs/$type/$id: expected [$expected] got [$actual]"
                done
        done
        [ "$links" -gt 200 ] || fail "only $links links"
        echo "# $links links, $dangling dangling" >&3
}

@test "readlink -f goes from a QP to its send CQ and from there to its EQ; the link reads the object" {
        qp=$(ls "$MNT/$DEV/refs/qp" | head -1)
        cq=$(readlink -f "$MNT/$DEV/refs/qp/$qp/cqn_snd")
        [ "$cq" = "$(realpath "$MNT/$DEV")/cq/$(grep '^cqn_snd: ' "$MNT/$DEV/qp/$qp" | cut -d' ' -f2)" ]
        eq=$(readlink -f "$MNT/$DEV/refs/cq/$(basename "$cq")/c_eqn_or_apu_element")
        [ "$(dirname "$eq")" = "$(realpath "$MNT/$DEV")/eq" ]
        [ -f "$eq" ]
        cmp "$MNT/$DEV/refs/qp/$qp/cqn_snd" "$cq"
}

@test "rscdump/ shows exactly the menu the firmware returns: the 45 records of a real ConnectX-6 Dx" {
        run -0 ls -U "$MNT/$DEV/rscdump"
        assert_output "$(tr ' ' '\n' <<<"$CX6DX_MENU" | tr -s '\n')"
        for seg in $CX6DX_MENU; do
                if grep -qw -- "$seg" <<<"$CX6DX_PER_OBJECT"; then
                        [ -d "$MNT/$DEV/rscdump/$seg" ] || fail "$seg (must have index1) is not a directory"
                else
                        [ -f "$MNT/$DEV/rscdump/$seg" ] || fail "$seg (index-free) is not a file"
                fi
        done
}

# Segment types of a dump stream, one per line (4-byte headers: length in dwords, type).
segment_types() {
        python3 - "$1" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
off = 0
while off + 4 <= len(data):
    length, typ = struct.unpack(">HH", data[off:off + 4])
    print("0x%x" % typ)
    if length == 0:
        sys.exit("zero-length segment")
    off += length * 4
if off != len(data):
    sys.exit("stream ends inside a segment")
EOF
}

@test "index-free segments read: the whole stream, info and command first, terminate last" {
        for seg in $(ls "$MNT/$DEV/rscdump"); do
                f=$MNT/$DEV/rscdump/$seg
                [ -f "$f" ] || continue
                cp "$f" "$BATS_TEST_TMPDIR/$seg"
                [ "$(stat -c %s "$f")" -eq "$(wc -c <"$BATS_TEST_TMPDIR/$seg")" ] || fail "$seg: st_size != bytes read"
                run -0 segment_types "$BATS_TEST_TMPDIR/$seg"
                [ "${lines[0]}" = 0xfffe ] && [ "${lines[1]}" = 0xfffa ] && [ "${lines[-1]}" = 0xfffb ] ||
                        fail "$seg: segments $output"
        done
}

@test "per-object segments list the known objects, read for each, and by number" {
        # PRM_QUERY_QP carries the query output: the payload equals raw/qp.
        [ "$(ls "$MNT/$DEV/rscdump/PRM_QUERY_QP")" = "$(ls "$MNT/$DEV/qp")" ]
        [ "$(ls "$MNT/$DEV/rscdump/PRM_QUERY_CQ")" = "$(ls "$MNT/$DEV/cq")" ]
        [ "$(ls "$MNT/$DEV/rscdump/FULL_EQC")" = "$(ls "$MNT/$DEV/eq")" ]
        for qp in $(ls "$MNT/$DEV/qp" | head -20); do
                f=$MNT/$DEV/rscdump/PRM_QUERY_QP/$qp
                run -0 segment_types "$f"
                [ "${lines[2]}" = 0x4000 ] || fail "PRM_QUERY_QP/$qp: segments $output"
                outlen=$(stat -c %s "$MNT/$DEV/raw/qp/$qp")
                # info 16 + command 20 bytes, then the resource segment's 16-byte header.
                cmp <(tail -c +53 "$f" | head -c "$outlen") "$MNT/$DEV/raw/qp/$qp" ||
                        fail "PRM_QUERY_QP/$qp does not carry the query output"
        done
        # Every listed file of every per-object segment reads, at its st_size.
        for seg in $CX6DX_PER_OBJECT; do
                for id in $(ls "$MNT/$DEV/rscdump/$seg"); do
                        f=$MNT/$DEV/rscdump/$seg/$id
                        [ "$(stat -c %s "$f")" -eq "$(wc -c <"$f")" ] || fail "$seg/$id: st_size != bytes read"
                done
        done
        # An object no host view shows is read by number.
        unlisted=$(awk -v d="$DEV" '$1 == d && $2 == "qp" && $6 == "-" { print $3; exit }' "$BATS_FILE_TMPDIR/manifest")
        [ -n "$unlisted" ]
        ! ls "$MNT/$DEV/rscdump/PRM_QUERY_QP" | grep -qx "$unlisted"
        cmp <(tail -c +53 "$MNT/$DEV/rscdump/PRM_QUERY_QP/$unlisted" | head -c 272) "$MNT/$DEV/raw/qp/$unlisted"
}

@test "a segment with no such object is ENOENT" {
        run -1 cat "$MNT/$DEV/rscdump/PRM_QUERY_QP/0xfffff0"
        assert_output --partial "No such file or directory"
        run -1 cat "$MNT/$DEV/rscdump/FULL_CQC/0xfffff0"
        assert_output --partial "No such file or directory"
        run -1 cat "$MNT/$DEV/rscdump/PRM_QUERY_QP/qp1"
        assert_output --partial "No such file or directory"
}

@test "tar of the whole mount exits 0, equals cat, and stores the links as links" {
        tar_mount_round_trip
        files=$(find "$BATS_TEST_TMPDIR/x" -type f ! -name .stats ! -name .stats.json ! -name metrics | wc -l)
        links=$(find "$BATS_TEST_TMPDIR/x" -type l | wc -l)
        [ "$files" -eq "$(find "$MNT" -type f ! -name .stats ! -name .stats.json ! -name metrics | wc -l)" ]
        [ "$links" -eq "$(find "$MNT" -type l | wc -l)" ]
        [ "$links" -gt 200 ]
        tar -tvf "$tarball" | grep -q '^l.* ./0000:[^ ]*/refs/qp/0x[0-9a-f]*/cqn_snd -> ../../../cq/0x' ||
                fail "tar did not store refs as symbolic links"
}
