#!/usr/bin/env bats
# Views for scripts: the json/ mirror, json/<type>.jsonl, .stats.json and the
# summaries, on the default simulated device, against the text tree they
# mirror (same snapshots: the listings live for the long TTL).

bats_require_minimum_version 1.5.0
load helpers

SPEC=""

setup_file() {
        mount_suite "$SPEC" -o ttl=120
        DEV=$(ls "$MNT" | grep -m1 '^0000:')
        export DEV
}

# A JSON document's fields as the text files show them: "a.b[2]: value" lines;
# a flags array (names, or none) joined by "|", or "0" when empty.
JQ_TEXT='del(.dev, .type, .id, .owner, .refs, .caps, .mode)
        | walk(if type == "array" and (length == 0 or any(.[]; type == "string" and (test("^0x") | not)))
               then (if length == 0 then "0" else join("|") end) else . end)
        | paths(scalars) as $p
        | ($p | map(if type == "number" then "[\(.)]" else ".\(.)" end) | join("") | ltrimstr(".")) as $name
        | "\($name): \(getpath($p))"'

@test "json/ mirrors every decoded file of the text tree, and jq reads each one" {
        cd "$MNT/$DEV"
        text=$( (echo info; find caps -type f; ls -d adapter vport/* 2>/dev/null
                for t in $(ls owner); do ls "$t" | sed "s|^|$t/|"; done) | sort)
        json=$(cd json && find . -type f ! -name '*.jsonl' | sed 's|^\./||' | sort)
        [ "$text" = "$json" ] || fail "$(diff <(echo "$text") <(echo "$json"))"
        [ "$(echo "$json" | wc -l)" -gt 200 ]
        # One jq over every file: it fails on the first that is not one JSON document.
        run -0 jq -e -s 'length > 200 and all(type == "object")' $(echo "$json" | sed 's|^|json/|')
}

@test "every field of every listed QP, CQ, EQ, mkey, SRQ and Q counter set, and of the caps, equals its text" {
        cd "$MNT/$DEV"
        # One pass each side (a process per object is minutes on a loaded machine): same fields, same order.
        lines="json/qp.jsonl json/cq.jsonl json/eq.jsonl json/mkey.jsonl json/srq.jsonl json/q_counter.jsonl"
        single="caps/current/general caps/max/roce adapter"
        awk 'FNR == 1 { print "== " FILENAME } { print }' $(jq -r '"\(.type)/\(.id)"' $lines) $single \
                >"$BATS_TEST_TMPDIR/text"
        {
                jq -r '"== \(.type)/\(.id)", ('"$JQ_TEXT"')' $lines
                for f in $single; do
                        echo "== $f"
                        jq -r "$JQ_TEXT" "json/$f"
                done
        } >"$BATS_TEST_TMPDIR/json"
        run -0 diff "$BATS_TEST_TMPDIR/text" "$BATS_TEST_TMPDIR/json"
        [ "$(grep -c '^== ' "$BATS_TEST_TMPDIR/text")" -gt 200 ]
}

@test "the vport counters as JSON: packets and octets of every traffic counter as numbers, equal to its text" {
        cd "$MNT/$DEV"
        [ "$(wc -l <vport/vport_counter)" -eq 24 ]
        run -0 diff vport/vport_counter <(jq -r "$JQ_TEXT" json/vport/vport_counter)
        run -0 jq -e '.dev == "'"$DEV"'" and .type == "vport_counter"
                      and ([del(.dev, .type)[] | .packets, .octets | type == "number"] | length == 24 and all)
                      and .received_eth_unicast.packets > 0 and .received_eth_unicast.octets >= 64 * .received_eth_unicast.packets' \
                json/vport/vport_counter
}

@test "JSON types: numbers as numbers, hex ids as strings, enums by name, nested objects and arrays" {
        cd "$MNT/$DEV"
        run -0 jq -e '(.log_max_qp | type == "number") and (.vhca_id | type == "string")' json/caps/current/general
        run -0 jq -e '.dev == "'"$DEV"'" and .type == "qp" and .id == "0x103" and (.state | IN("RST","INIT","RTR","RTS","SQER","ERR","SQD","SUSPENDED"))
                      and (.cqn_snd | test("^0x[0-9a-f]+$")) and (.primary_address_path.vhca_port_num | type == "number")
                      and (.log_sq_size | type == "number") and (.pd | type == "string")' json/qp/0x103
        run -0 jq -e '.caps == "roce" and .mode == "max"' json/caps/max/roce
        # Owner and references as fields: what owner/ and refs/ show, for every listed QP (one pass each side).
        run -0 diff <(grep -H -e '^comm: ' -e '^rdma_device: ' owner/qp/* | sed 's|^owner/qp/||; s|:[a-z_]*: | |' | sort) \
                <(jq -r '.id as $id | .owner | (.comm, .rdma_device) // empty | "\($id) \(.)"' json/qp.jsonl | sort)
        run -0 diff <(find refs/qp -type l -printf '%P %l\n' | sort) \
                <(jq -r '.id as $id | .refs | to_entries[] | "\($id)/\(.key) ../../../\(.value)"' json/qp.jsonl | sort)
        [ "$(find refs/qp -type l | wc -l)" -gt 100 ]
        # An object read by number, not listed: its fields, no owner.
        sq=$(manifest "$SPEC" | awk '$2 == "sq" { print $3; exit }')
        [ -n "$sq" ]
        run -0 jq -e '.type == "sq" and .id == "'"$sq"'" and (.owner == null) and (.state | type == "string")' "json/sq/$sq"
        run -1 cat json/qp/0xfffff0
}

@test "json/<type>.jsonl holds every listed object, one document a line; jq selects over all of them" {
        cd "$MNT/$DEV"
        for t in $(ls owner); do
                [ "$(jq -r .id "json/$t.jsonl")" = "$(ls "$t")" ] || fail "json/$t.jsonl does not hold what $t lists"
        done
        [ "$(wc -l <json/qp.jsonl)" -gt 100 ]
        run -0 diff <(jq -r 'select(.state == "ERR") | "qp/" + .id' json/qp.jsonl | sort) \
                <(grep -lx 'state: ERR' qp/* | sort)
        [ "$(echo "$output" | wc -l)" -ge 1 ]
        # A line is the object's own document.
        line=$(jq -c 'select(.id == "0x103")' json/qp.jsonl)
        [ "$line" = "$(jq -c . json/qp/0x103)" ]
}

@test "info and .stats as JSON: nested names, numbers as numbers, devices by PCI name" {
        run -0 jq -e '.pci_address == "'"$DEV"'" and (.objects.qp | type == "number") and .objects.qp > 100
                      and (.adapter.vsd_vendor_id | type == "string") and .transport == "sim"' "$MNT/$DEV/json/info"
        run -0 jq -e '(.cache.hits | type == "number") and (.devices["'"$DEV"'"].sent.QUERY_QP >= 1)
                      and (.devices["'"$DEV"'"].errors.firmware == 0) and (.limits.max_list_ids | type == "number")' \
                "$MNT/.stats.json"
}

@test "st_size is exact and an open file keeps its snapshot, for the JSON views too" {
        run -0 python3 - "$MNT" "$DEV" <<'EOF'
import os, sys, time
mnt, dev = sys.argv[1], sys.argv[2]
for rel in (".stats.json", "metrics", dev + "/json/qp.jsonl", dev + "/json/info", dev + "/json/qp/0x103",
            dev + "/summary/qp"):
    p = os.path.join(mnt, rel)
    with open(p, "rb") as f:
        first = f.read()
        assert os.fstat(f.fileno()).st_size == len(first) > 0, rel
        time.sleep(0.6)         # past the view .stats gives one process
        f.seek(0)
        assert f.read() == first, rel + " changed under an open handle"
    assert os.stat(p).st_size == len(open(p, "rb").read()), rel
EOF
        # tar checks size and bytes of every member.
        run -0 tar -C "$MNT" -cf /dev/null .stats.json metrics "$DEV/json" "$DEV/summary"
        assert_output ""
}

@test "a view of a whole listing read in pieces at any offset is the bytes read whole (rendered in slices)" {
        run -0 python3 - "$MNT" "$DEV" <<'EOF'
import os, random, sys
mnt, dev = sys.argv[1], sys.argv[2]
rng = random.Random(12)
for rel in (dev + "/json/qp.jsonl", dev + "/json/cq.jsonl", dev + "/summary/qp", dev + "/summary/mkey"):
    fd = os.open(os.path.join(mnt, rel), os.O_RDONLY)
    whole = b""
    while True:
        chunk = os.pread(fd, 5000, len(whole))     # pieces that end inside lines
        if not chunk:
            break
        whole += chunk
    size = os.fstat(fd).st_size
    assert size == len(whole) > 0, rel
    # Offsets inside lines, on a line's end and start, at and past the end; sizes up to past the end.
    nl = whole.index(b"\n", size // 3)
    for off in [0, 1, nl, nl + 1, size - 1, size, size + 5] + [rng.randrange(size) for _ in range(40)]:
        for n in (1, 7, 4096, rng.randrange(1, 300000)):
            got = os.pread(fd, n, off)
            assert got == whole[off:off + n], "%s: %d bytes at %d differ" % (rel, n, off)
    os.close(fd)
    with open(os.path.join(mnt, rel), "rb") as f:
        assert f.read() == whole, rel + ": read whole in one go differs"
EOF
}

@test "summary/<type>: a header and one line per listed object, aligned as column -t aligns it" {
        cd "$MNT/$DEV"
        # Every type the schema gives summary columns: all of them.
        [ "$(ls summary)" = "$(ls owner)" ]
        for t in $(ls summary); do
                run -0 diff <(column -t "summary/$t") "summary/$t"
                [ "$(awk 'NR > 1 { print $1 }' "summary/$t")" = "$(ls "$t")" ] || fail "summary/$t ids"
                [ "$(awk '{ print NF }' "summary/$t" | sort -u | wc -l)" -eq 1 ] || fail "summary/$t has ragged lines"
        done
        head -1 summary/qp | grep -qx 'id  *st  *state  *mtu  *port  *cqn_snd  *cqn_rcv  *srqn_rmpn_xrqn  *pd  *pid  *comm'
        # Each QP's line: its state, send CQ and owner as its files say (one pass each side).
        run -0 diff <(awk 'NR > 1 { print $1, $3, $6, $NF }' summary/qp) \
                <({ grep -H -e '^state: ' -e '^cqn_snd: ' qp/*; grep -H '^comm: ' owner/qp/*; } |
                  awk -F': ' 'NR == FNR { order[++n] = $1; next }
                              { k = split($1, p, "[/:]"); v[p[k - 1] " " p[k]] = $2 }
                              END { for (i = 1; i <= n; i++)
                                        print order[i], v[order[i] " state"], v[order[i] " cqn_snd"], v[order[i] " comm"] }' \
                      <(awk 'NR > 1 { print $1 }' summary/qp) -)
}
