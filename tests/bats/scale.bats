#!/usr/bin/env bats
# Under churn and parallel load: coherent archives, no short reads, bounded memory.

bats_require_minimum_version 1.5.0
load helpers

# A busy device: objects created, destroyed and changing state all the time,
# with a small cache so eviction really happens.
SPEC="seed=5,qp=3000,cq=600,mkey=1500,sq=500,rq=500,churn=2000,latency_us=20"
CACHE_MIB=1

setup_file() {
        mount_suite "$SPEC" -o cache_size=$CACHE_MIB
}

setup() {
        skip_without_fuse
        DEV=$(ls "$MNT" | head -1)
}

# Field names of a text object, in order.
field_names() {
        cut -d: -f1 "$1"
}

# The daemon's directory counters: opens kept, pages dropped, opens uncached, READDIR(PLUS) requests.
dir_counters() {
        awk -F': ' '$1 == "dirs.opens_kept" { k = $2 } $1 == "dirs.pages_dropped" { d = $2 }
                    $1 == "dirs.opens_uncached" { u = $2 } $1 == "dirs.readdir_requests" { r = $2 }
                    END { print k + 0, d + 0, u + 0, r + 0 }' "$MNT/.stats"
}

@test "a listing read again comes from the kernel's cache; a replaced one never shows its old names" {
        local dir=$MNT/$DEV/qp kept=0 replaced=0 prev= prev_uncached=0 now k0 d0 u0 r0 k1 d1 u1 r1
        # Listings last about 6 s here (one per ms per object); churn changes hundreds of QPs meanwhile.
        # A kept listing the kernel answers whole from its cache sends no request; the kernel may
        # have let some of its pages go (memory reclaim), so it must happen, not every time.
        for _ in $(seq 60); do
                read -r k0 d0 u0 r0 < <(dir_counters)
                now=$(ls "$dir")
                read -r k1 d1 u1 r1 < <(dir_counters)
                if [ "$k1" -gt "$k0" ] && [ "$r1" = "$r0" ]; then
                        kept=$((kept + 1))
                fi
                # The first whole open of a new listing, right after the open that read it under way.
                if [ "$d1" -gt "$d0" ] && [ "$prev_uncached" = 1 ]; then
                        [ "$now" = "$prev" ] || fail "the new listing shows other names than it did under way:
$(diff <(echo "$prev") <(echo "$now") | head -n 6)"
                        replaced=$((replaced + 1))
                fi
                prev=$now
                prev_uncached=$((u1 > u0))
                [ "$kept" -ge 2 ] && [ "$replaced" -ge 1 ] && return 0
                sleep 0.5
        done
        fail "in 60 listings: $kept kept and answered by the kernel alone, $replaced replaced"
}

@test "the simulator really churns" {
        sleep 1.2
        run -0 awk -F': ' '$1 ~ /firmware\.received\.churn\.(created|destroyed)$/ && $2 > 0 { n++ } END { exit n < 2 }' "$MNT/.stats"
}

@test "tar of a churning device exits 0 and every member is one complete object" {
        tarball=$BATS_TEST_TMPDIR/dev.tar
        for round in 1 2 3; do
                run -0 tar -C "$MNT" -cf "$tarball" "$DEV"
                assert_output ""
        done
        mkdir "$BATS_TEST_TMPDIR/x"
        tar -C "$BATS_TEST_TMPDIR/x" -xf "$tarball"
        # the types a host lists (SQs and RQs of the Ethernet driver are read by number only);
        # one process checks every member (a fork per file took minutes)
        run -0 python3 - "$BATS_TEST_TMPDIR/x/$DEV" qp cq mkey eq <<'PY'
import os, sys
root = sys.argv[1]
for t in sys.argv[2:]:
    d = os.path.join(root, t)
    names = sorted(os.listdir(d))
    assert names, f"no {t} archived"
    fields = None
    for n in names:
        text = open(os.path.join(d, n), 'rb').read()
        assert text.endswith(b'\n'), f"{t}/{n} is cut short"
        f = [line.split(b':', 1)[0] for line in text.splitlines()]
        fields = fields or f
        assert f == fields, f"{t}/{n} is not a complete {t}"
    raw = os.path.join(root, 'raw', t)
    sizes = set()
    for n in os.listdir(raw):
        b = open(os.path.join(raw, n), 'rb').read()
        sizes.add(len(b))
        assert b[:1] == b'\0', f"raw/{t}/{n} holds a failed answer"
    assert len(sizes) == 1, f"raw/{t}: sizes {sorted(sizes)}"
    print(t, len(names), "objects,", len(fields), "fields each")
PY
}

# One reader: loops until the deadline over cat, grep or tar; every read
# checked against the size of its own open file.
reader() {
        local kind=$1 deadline=$2 errors=0 reads=0
        while [ "$(date +%s)" -lt "$deadline" ]; do
                case $kind in
                cat)
                        for f in $(ls "$MNT/$DEV/qp" 2>/dev/null | shuf -n 20 --random-source=<(yes)); do
                                exec 7<"$MNT/$DEV/qp/$f" 2>/dev/null || continue   # gone since the listing
                                size=$(stat -c %s - <&7)
                                bytes=$(wc -c <&7)
                                exec 7<&-
                                [ "$size" -eq "$bytes" ] || { echo "short read: $f $bytes of $size"; errors=$((errors + 1)); }
                                reads=$((reads + 1))
                        done
                        ;;
                grep)
                        grep -rlx 'state: ERR' "$MNT/$DEV/qp" >/dev/null 2>"$BATS_TEST_TMPDIR/grep.err.$BASHPID"
                        [ $? -le 1 ] || { cat "$BATS_TEST_TMPDIR/grep.err.$BASHPID"; errors=$((errors + 1)); }
                        reads=$((reads + 1))
                        ;;
                tar)
                        tar -C "$MNT" -cf - "$DEV/cq" "$DEV/sq" 2>&1 >/dev/null | grep . && errors=$((errors + 1))
                        reads=$((reads + 1))
                        ;;
                esac
        done
        echo "$kind reads=$reads errors=$errors"
        [ "$errors" -eq 0 ]
}

@test "8 parallel readers for 30 s: no short reads, no errors" {
        deadline=$(($(date +%s) + 30))
        pids=()
        for kind in cat cat cat grep grep tar tar cat; do
                reader "$kind" "$deadline" >"$BATS_TEST_TMPDIR/reader.$kind.${#pids[@]}" 2>&1 &
                pids+=($!)
        done
        failed=0
        for pid in "${pids[@]}"; do
                wait "$pid" || failed=$((failed + 1))
        done
        # TAP diagnostics: anything else on fd 3 is an unknown TAP line to meson.
        sed 's/^/# /' "$BATS_TEST_TMPDIR"/reader.* >&3
        [ "$failed" -eq 0 ] || { cat "$BATS_TEST_TMPDIR"/reader.*; fail "$failed readers saw errors"; }
        kill -0 "$(daemon_pid)"
}

@test "the cache cap holds: evictions happen and memory stays bounded" {
        sleep 1.1
        run -0 awk -F': ' '$1 == "cache.evictions" { exit !($2 > 0) }' "$MNT/.stats"
        bytes=$(awk -F': ' '$1 == "cache.bytes" { print $2 }' "$MNT/.stats")
        max=$(awk -F': ' '$1 == "cache.max_bytes" { print $2 }' "$MNT/.stats")
        [ "$max" -eq $((CACHE_MIB << 20)) ]
        # one listing larger than the cap may stay alone; never more than that plus the cap
        [ "$bytes" -le $((max + (3000 * 300))) ] || fail "cache holds $bytes bytes, cap $max"
        rss_kib=$(awk '$1 == "VmHWM:" { print $2 }' "/proc/$(daemon_pid)/status")
        echo "# peak RSS ${rss_kib} KiB" >&3
        [ "$rss_kib" -lt $((128 * 1024)) ] || fail "peak RSS ${rss_kib} KiB"
}
