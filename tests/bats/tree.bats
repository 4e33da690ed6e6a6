#!/usr/bin/env bats
# The core promise: a simulated device mounted, browsed, grepped and archived.

bats_require_minimum_version 1.5.0
load helpers

SPEC="devices=2,seed=7,qp=150,cq=40,eq=6,mkey=50,sq=30,rq=30"

setup_file() {
        mount_suite "$SPEC"
        manifest "$SPEC" >"$BATS_FILE_TMPDIR/manifest"
        [ -n "${FUSE_UNUSABLE:-}" ] || expected_listing "$BATS_FILE_TMPDIR/manifest" >"$BATS_FILE_TMPDIR/listing"
}

devices() {
        awk '{ print $1 }' "$BATS_FILE_TMPDIR/manifest" | sort -u
}

@test "one directory per simulated PCI function, by-name, metrics, and the hidden .stats" {
        run -0 ls "$MNT"
        assert_output "$(devices; echo by-name; echo metrics)"
        run -0 ls -A "$MNT"
        assert_line ".stats"
        assert_line ".stats.json"
}

@test "each device has info, caps, a directory per type and raw" {
        for dev in $(devices); do
                for entry in info caps/current/general caps/max/general qp cq eq mkey sq rq raw/qp raw/cq; do
                        [ -e "$MNT/$dev/$entry" ] || fail "$dev/$entry is missing"
                done
        done
}

@test "every type directory lists exactly the objects a host can find" {
        for dev in $(devices); do
                for type in qp cq eq mkey srq q_counter sq rq tir tis rqt rmp dct xrc_srq; do
                        expected=$(awk -v d="$dev" -v t="$type" '$1 == d && $2 == t { print $3 }' \
                                   "$BATS_FILE_TMPDIR/listing" | sort)
                        case $type in
                        qp|cq|eq|mkey) [ -n "$expected" ] || fail "a host finds no $type on $dev" ;;
                        esac
                        run -0 sh -c "ls '$MNT/$dev/$type' | sort"
                        assert_output "$expected"
                        run -0 sh -c "ls '$MNT/$dev/raw/$type' | sort"
                        assert_output "$expected"
                done
        done
}

@test "objects no host source names are not listed, and read by number" {
        n=0
        while read -r dev type id _; do
                grep -qx "$dev $type $id" "$BATS_FILE_TMPDIR/listing" && continue
                run -0 cat "$MNT/$dev/$type/$id"
                [ -s "$MNT/$dev/raw/$type/$id" ] || fail "$dev/raw/$type/$id is empty"
                n=$((n + 1))
        done <"$BATS_FILE_TMPDIR/manifest"
        # DEVX QPs, the Ethernet driver's SQs and RQs: no host view shows them.
        [ "$n" -gt 50 ] || fail "only $n objects are unlisted"
}

@test "info names each type's sources and a fresh mount has no firmware error" {
        for dev in $(devices); do
                run -0 grep -x "found.qp: netlink [0-9]*, debugfs [0-9]*; any other number is read by name" \
                        "$MNT/$dev/info"
                run -0 grep -x "found.eq: debugfs [0-9]*, probe [0-9]*, references [0-9]*; any other number is read by name" \
                        "$MNT/$dev/info"
                run -0 grep -x "found.sq: no source; any other number is read by name" "$MNT/$dev/info"
                n=$(awk -v d="$dev" '$1 == d && $2 == "qp"' "$BATS_FILE_TMPDIR/listing" | wc -l)
                run -0 grep -x "objects.qp: $n" "$MNT/$dev/info"
                run -0 grep -x "$dev.errors.firmware: 0" "$MNT/.stats"
        done
}

@test "every file is readable and its st_size equals the bytes read" {
        # One process walks them all (a process per file is minutes on a loaded machine).
        run -0 python3 - "$MNT" <<'EOF'
import os, sys
count = 0
for root, dirs, files in os.walk(sys.argv[1]):
    for name in files:
        p = os.path.join(root, name)
        if name == ".stats" or os.path.islink(p):
            continue
        size = os.stat(p).st_size
        with open(p, "rb") as f:
            n = len(f.read())
        # An empty JSON-lines file is a type with no listed object; every other file says something.
        if size != n or (size == 0 and not name.endswith(".jsonl")):
            sys.exit("%s: stat says %d bytes, read gave %d" % (p, size, n))
        count += 1
if count <= 600:
    sys.exit("only %d files found" % count)
EOF
        # one process: its stat and its read see one view, however the counters move
        run -0 python3 -c 'import os, sys; p = sys.argv[1]; n = os.stat(p).st_size; sys.exit(n != len(open(p, "rb").read()) or n == 0)' "$MNT/.stats"
}

@test "objects read as PRM names with decoded enums" {
        dev=$(devices | head -1)
        qp=$(ls "$MNT/$dev/qp" | head -1)
        run -0 cat "$MNT/$dev/qp/$qp"
        assert_line --regexp '^state: (RST|INIT|RTR|RTS|SQER|ERR|SQD)$'
        assert_line --regexp '^st: [A-Z_0-9]+$'
        assert_line --regexp '^cqn_snd: 0x[0-9a-f]+$'
        assert_line --regexp '^primary_address_path\.vhca_port_num: [0-9]+$'
        refute_line --partial 'reserved'
        run -0 cat "$MNT/$dev/info"
        assert_line "pci_address: $dev"
        assert_line "transport: sim"
        assert_line "objects.qp: $(awk -v d="$dev" '$1 == d && $2 == "qp"' "$BATS_FILE_TMPDIR/listing" | wc -l)"
        assert_line --regexp '^adapter\.vsd_contd_psid: MT_[0-9A-Za-z_]+$'
}

@test "cross references name existing objects" {
        dev=$(devices | head -1)
        for qp in $(ls "$MNT/$dev/qp" | head -20); do
                cqn=$(awk -F': ' '$1 == "cqn_snd" { print $2 }' "$MNT/$dev/qp/$qp")
                [ -f "$MNT/$dev/cq/$cqn" ] || fail "qp $qp names cqn_snd $cqn, which does not exist"
        done
        for cq in $(ls "$MNT/$dev/cq" | head -20); do
                # Debian's 6.1 mlx5_ifc.h names cqc.c_eqn this way
                eqn=$(awk -F': ' '$1 == "c_eqn_or_apu_element" { print $2 }' "$MNT/$dev/cq/$cq")
                [ -f "$MNT/$dev/eq/$eqn" ] || fail "cq $cq names c_eqn $eqn, which does not exist"
        done
}

@test "raw files hold the firmware's output mailbox" {
        dev=$(devices | head -1)
        qp=$(ls "$MNT/$dev/qp" | head -1)
        run -0 stat -c %s "$MNT/$dev/raw/qp/$qp"
        assert_output 272
        # status byte 0 (OK), and the QP state nibble at byte 0x18 matches the text view
        state_nibble=$(od -An -tu1 -j 24 -N 1 "$MNT/$dev/raw/qp/$qp" | awk '{ print int($1 / 16) }')
        status=$(od -An -tu1 -N 1 "$MNT/$dev/raw/qp/$qp" | tr -d ' ')
        [ "$status" = 0 ]
        declare -A states=([0]=RST [1]=INIT [2]=RTR [3]=RTS [4]=SQER [6]=ERR [7]=SQD)
        run -0 grep -x "state: ${states[$state_nibble]}" "$MNT/$dev/qp/$qp"
}

@test "grep -r finds exactly the listed QPs the simulator put in ERR" {
        expected=$(awk 'NR == FNR { listed[$1 " " $2 " " $3] = 1; next }
                        $2 == "qp" && $4 == "ERR" && ($1 " qp " $3) in listed { print $1 "/qp/" $3 }' \
                   "$BATS_FILE_TMPDIR/listing" "$BATS_FILE_TMPDIR/manifest" | sort)
        [ -n "$expected" ] || fail "the simulator put no QP in ERR"
        run -0 sh -c "cd '$MNT' && grep -rlx 'state: ERR' */qp | sort"
        assert_output "$expected"
}

@test "tar of the whole mount exits 0 and every member equals cat" {
        tar_mount_round_trip
        # What tar stored of the vport counters: the same fields, none ahead of a later cat.
        for f in $(cd "$BATS_TEST_TMPDIR/x" && find . -path '*/vport/vport_counter' ! -path '*/json/*'); do
                paste -d' ' "$BATS_TEST_TMPDIR/x/$f" "$MNT/$f" | awk '$1 != $3 || $2 > $4 { exit 1 }' || fail "$f"
        done
        [ "$(find "$BATS_TEST_TMPDIR/x" -type f ! -name .stats ! -name .stats.json ! -name metrics | wc -l)" -eq "$(find "$MNT" -type f ! -name .stats ! -name .stats.json ! -name metrics | wc -l)" ]
}

@test "tar of the whole mount exits 0 while readers keep the counters in .stats moving" {
        timeout 30 bash -c "while :; do cat '$MNT'/*/info '$MNT'/*/caps/current/* >/dev/null; done" &
        reader=$!
        statuses=""
        for _ in 1 2 3; do
                status=0
                tar -C "$MNT" -cf "$BATS_TEST_TMPDIR/all.tar" . 2>"$BATS_TEST_TMPDIR/tar.err" || status=$?
                statuses+="$status $(cat "$BATS_TEST_TMPDIR/tar.err")"
        done
        kill "$reader"
        wait "$reader" || true
        [ "$statuses" = "0 0 0 " ] || fail "tar statuses and messages: $statuses"
}

@test "an open file keeps its snapshot, with stable times" {
        dev=$(devices | head -1)
        f=$MNT/$dev/info
        exec 5<"$f"
        # "stat -" is fstat of stdin: the open file, not the path
        before=$(stat -c '%s %Y %Z' - <&5)
        sleep 1.2   # past the TTL: the path now shows a newer snapshot
        after=$(stat -c '%s %Y %Z' - <&5)
        [ "$(stat -c %Y "$f")" != "${before#* }" ] || [ "$(stat -c %Z "$f")" -ge "${before##* }" ]
        content=$(cat <&5)
        exec 5<&-
        [ "$before" = "$after" ]
        [ "$(printf '%s\n' "$content" | wc -c)" -eq "${before%% *}" ]
}

@test "a missing or non-canonical id is ENOENT" {
        dev=$(devices | head -1)
        run -1 cat "$MNT/$dev/qp/0xffffff"
        assert_output --partial "No such file or directory"
        qp=$(ls "$MNT/$dev/qp" | head -1)
        run -1 stat "$MNT/$dev/qp/0x0${qp#0x}"
        run -1 stat "$MNT/$dev/qp/${qp^^}"
        run -1 stat "$MNT/$dev/nosuchtype"
        run -1 stat "$MNT/0000:ff:00.0"
}

@test "every write is refused with EROFS" {
        dev=$(devices | head -1)
        qp=$MNT/$dev/qp/$(ls "$MNT/$dev/qp" | head -1)
        run ! sh -c "echo x > '$qp'"
        assert_output --partial "Read-only file system"
        run ! touch "$MNT/$dev/newfile"
        assert_output --partial "Read-only file system"
        run ! rm -f "$qp"
        assert_output --partial "Read-only file system"
        run ! mv "$qp" "$MNT/$dev/qp/0x1"
        assert_output --partial "Read-only file system"
        run ! chmod 600 "$qp"
        assert_output --partial "Read-only file system"
        run ! truncate -s 0 "$qp"
        assert_output --partial "Read-only file system"
        run ! mkdir "$MNT/$dev/d"
        assert_output --partial "Read-only file system"
}

@test "one firmware query per object read, not one per field" {
        dev=$(devices | tail -1)
        qps=$(ls "$MNT/$dev/qp" | head -25)
        sleep 1.1    # let the listing and earlier snapshots expire
        before=$(firmware_count "$dev" QUERY_QP)
        n=0
        for qp in $qps; do
                cat "$MNT/$dev/qp/$qp" "$MNT/$dev/raw/qp/$qp" >/dev/null
                n=$((n + 1))
        done
        sleep 1.1    # .stats is a snapshot too
        after=$(firmware_count "$dev" QUERY_QP)
        [ $((after - before)) -eq "$n" ] || fail "$n objects read cost $((after - before)) QUERY_QP"
}

@test "a listing queries each object once; reading what it listed costs nothing more" {
        dev=$(devices | tail -1)
        total=$(awk -v d="$dev" '$1 == d && $2 == "qp"' "$BATS_FILE_TMPDIR/listing" | wc -l)
        sleep 1.1
        before=$(firmware_count "$dev" QUERY_QP)
        before_dumps=$(firmware_count "$dev" ACCESS_REG)
        # one open directory: its listing serves every stat and read inside it
        run -0 sh -c "cd '$MNT/$dev/qp' && ls -l . >/dev/null && cat * >/dev/null && cat ../raw/qp/* >/dev/null"
        sleep 1.1
        after=$(firmware_count "$dev" QUERY_QP)
        dumps=$(( $(firmware_count "$dev" ACCESS_REG) - before_dumps ))
        [ $((after - before)) -le $((total + 1)) ] || fail "$total QPs cost $((after - before)) QUERY_QP"
        # Real firmware lists no objects: the inventory sends no resource dump for them.
        [ "$dumps" -eq 0 ] || fail "$dumps dump commands for $total QPs"
}

@test "no extended attributes, said as such (so ls -l stops asking about ACLs for each entry)" {
        dev=$(devices | head -n 1)
        for path in "$MNT/$dev/qp" "$MNT/$dev/info"; do
                run -0 python3 - "$path" <<'PY'
import errno, os, sys
for name in ("system.posix_acl_access", "user.any"):
    try:
        os.getxattr(sys.argv[1], name)
        sys.exit("%s: %s has a value" % (sys.argv[1], name))
    except OSError as e:
        if e.errno != errno.EOPNOTSUPP:
            sys.exit("%s: %s: %s, not EOPNOTSUPP" % (sys.argv[1], name, os.strerror(e.errno)))
PY
        done
}

@test "clean unmount ends the daemon with status 0" {
        run -0 stop_mount
        run mountpoint -q "$MNT"
        [ "$status" -ne 0 ]
}

