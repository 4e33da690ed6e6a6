# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Sourced by guest-fwctl.sh: the daemon (no --sim) over fwctl_emu's nodes.
# Function 0 sits on $pci_a (fwctl only), 1 on $pci_b (mlx5ctl and fwctl);
# function 2 comes and goes on $pci_c.  Uses guest-daemon.sh's mount_daemon,
# unmount_daemon, read_all, info_says and mnt, guest-suite.sh's t, wait_for
# and dmesg_clean.
# shellcheck disable=SC2154

fw_manifest=/tmp/fwctl.manifest
"$MANIFEST" "$fw_spec" >"$fw_manifest"
# The simulator names function i 0000:08:00.<i>; the kernel's PCI name wins.
sim_a=0000:08:00.0
sim_b=0000:08:00.1
debugfs_fixture "$fw_manifest" "$sim_a" "$pci_a"
debugfs_fixture "$fw_manifest" "$sim_b" "$pci_b"
hotplug_cycles=20
# A function appears and goes within this, the kernel's part included: generous for a
# TCG guest on a loaded 2-core host whose three readers walk the whole tree meanwhile.
hotplug_bound_ms=2000
refused_type=cq
refused_opcode=0x402    # QUERY_CQ
mkdir -p /tmp/fwctl-untar

# listing_matches DIR SIM [ABSENT]: each type directory of DIR, and raw/,
# lists exactly the objects a host with (only) debugfs finds of function SIM
# (tests/tools/expected-listing); type ABSENT must not be there at all.
listing_matches() {
        local dir=$1 sim=$2 absent=${3:-}
        local -A want=() count=()
        local pci type id sub f n bad=0

        "$SOURCE_ROOT/tests/tools/expected-listing" --views debugfs --caps "$sim=$dir/caps/current/general" \
                <(awk -v s="$sim" '$1 == s' "$fw_manifest") "$SOURCE_ROOT/schema" >/tmp/fwctl.listing || return 1
        while read -r type _; do
                count[$type]=0
        done < <(awk -v s="$sim" '$1 == s { print $2 }' "$fw_manifest" | sort -u)
        while read -r pci type id; do
                want[$type/$id]=1
                count[$type]=$((${count[$type]:-0} + 1))
        done </tmp/fwctl.listing
        [ ${#count[@]} -gt 0 ] || { echo "the manifest has nothing for $sim"; return 1; }
        [ "${count[qp]:-0}" -gt 0 ] || { echo "a host finds no QP of $sim"; return 1; }
        for type in "${!count[@]}"; do
                for sub in "$dir/$type" "$dir/raw/$type"; do
                        if [ "$type" = "$absent" ]; then
                                [ ! -e "$sub" ] || { echo "$sub exists"; bad=1; }
                                continue
                        fi
                        n=0
                        for f in "$sub"/*; do
                                [ -e "$f" ] || continue
                                n=$((n + 1))
                                [ -n "${want[$type/${f##*/}]:-}" ] || { echo "$f is not what a host finds"; bad=1; }
                        done
                        [ "$n" = "${count[$type]}" ] ||
                                { echo "$sub: $n objects, a host finds ${count[$type]}"; bad=1; }
                done
        done
        return $bad
}

# The QPs the simulator put in ERR that a host lists (debugfs shows them all), as paths under the mount.
qps_in_err() {
        awk -v s="$sim_a" -v p="$pci_a" '$1 == s && $2 == "qp" && $4 == "ERR" && $6 ~ /debugfs/ { print p "/qp/" $3 }' \
                "$fw_manifest" | sort
}

grep_finds_err_qps() {
        local expected
        expected=$(qps_in_err)
        [ -n "$expected" ] || { echo "the simulator put no QP in ERR"; return 1; }
        diff <(cd "$mnt" && grep -rlx 'state: ERR' "$pci_a/qp" | sort) <(echo "$expected")
}

# tar of DIR exits 0 without a word, and every member equals cat (but the vport's traffic
# counters, which move on by design).
tar_round_trip() {
        local dir=$1 out members files
        rm -rf /tmp/fwctl-untar/* /tmp/fwctl.tar
        out=$(tar -C "$mnt" -cf /tmp/fwctl.tar "$dir" 2>&1) || { echo "tar: $out"; return 1; }
        [ -z "$out" ] || { echo "tar said: $out"; return 1; }
        tar -C /tmp/fwctl-untar -xf /tmp/fwctl.tar || return 1
        diff -r -x vport_counter "/tmp/fwctl-untar/$dir" "$mnt/$dir" || return 1
        members=$(find "/tmp/fwctl-untar/$dir" -type f | wc -l)
        files=$(find "$mnt/$dir" -type f | wc -l)
        echo "$members members, $files files"
        [ "$members" = "$files" ] && [ "$members" -gt 100 ]
}

# Every file under DIR: stat's size is the number of bytes read.
sizes_match() {
        local f size n=0 bad=0
        while IFS= read -r -d '' f; do
                size=$(stat -c %s "$f")
                [ "$size" = "$(wc -c <"$f")" ] || { echo "$f: stat says $size"; bad=1; }
                n=$((n + 1))
        done < <(find "$1" -type f -print0)
        echo "$n files"
        [ "$n" -gt 100 ] && [ "$bad" = 0 ]
}

refused_listing() {
        listing_matches "$mnt/$pci_a" "$sim_a" "$refused_type" &&
                listing_matches "$mnt/$pci_b" "$sim_b" "$refused_type"
}

# The names in a directory, on one line.
names_in() {
        local f names=()
        for f in "$1"/*; do
                names+=("${f##*/}")
        done
        echo "${names[*]}"
}

log_lines() {
        wc -l </tmp/daemon.log
}

# serving_becomes DIR KIND: within 3 s, DIR's info says it is served over KIND.
serving_becomes() {
        wait_for 30 grep -qx "transport: $2" "$1/info" || { cat "$1/info"; return 1; }
}

# ---- the tree over fwctl ----
t "the daemon mounts the fwctl functions (no --sim)" mount_daemon "$mnt" -o ttl=3600 || return 0
t "one directory per PCI function: $pci_a, $pci_b; by-name, metrics" test "$(names_in "$mnt")" = "$pci_a $pci_b by-name metrics"
t "$pci_a's info names the fwctl transport" info_says "$mnt/$pci_a" "transport: fwctl"
t "and its node and PCI address" bash -c "grep -qx 'device_node: $node_a' '$mnt/$pci_a/info' &&
        grep -qx 'pci_address: $pci_a' '$mnt/$pci_a/info'"
t "and a user context with tools resources" info_says "$mnt/$pci_a" "uctx_cap: 0x4"
t "and what firmware supports, from its general caps (fwctl does not say)" \
        bash -c "grep -qx 'dev_uctx_cap: 0x7' '$mnt/$pci_a/info' &&
                 grep -qx 'uctx_cap: RAW_TX|INTERNAL_DEV_RES|TOOLS_RESOURCES' '$mnt/$pci_a/caps/current/general'"
t "$pci_b, reachable through mlx5ctl and fwctl, is served over fwctl" info_says "$mnt/$pci_b" "transport: fwctl"
t "every type directory of $pci_a lists exactly what a host finds" listing_matches "$mnt/$pci_a" "$sim_a"
t "and of $pci_b" listing_matches "$mnt/$pci_b" "$sim_b"
t "every file of $pci_a reads" read_all "$mnt/$pci_a"
t "grep -r finds exactly the QPs the simulator put in ERR" grep_finds_err_qps
t "tar of $pci_a exits 0 and every member equals cat" tar_round_trip "$pci_a"
t "every file's size (stat) equals the bytes read" sizes_match "$mnt/$pci_a"
first_qp=$(cd "$mnt/$pci_a/qp" && ls | head -1)
t "a non-canonical object name ($first_qp with a leading zero) is ENOENT" \
        bash -c "[[ \"\$( (cat '$mnt/$pci_a/qp/0x0${first_qp#0x}') 2>&1)\" == *'No such file or directory'* ]]"
t "writing is refused: EROFS" bash -c "[[ \"\$( (echo x >'$mnt/$pci_a/info') 2>&1)\" == *'Read-only file system'* ]]"
fwctl_pid=$daemon_pid
t "the embedded simulator of the same firmware mounts alongside" mount_daemon "$sim_mnt" --sim="$fw_spec" -o ttl=3600
fw_sim_pid=$daemon_pid
daemon_pid=$fwctl_pid
# The embedded simulator has RDMA netlink too, which alone shows MRs and owners: the trees are
# one but for what the host's own views add (the JSON twins, owner/, the summaries' pid and comm
# name the host's function, RDMA device and processes; MKEY dump segments list the MRs netlink
# found; views.bats and json.bats prove those against the text), and the vport's traffic
# counters, which grow with each simulator's uptime.
t "the tree over fwctl equals the embedded simulator's" \
        diff -r -x info -x .stats -x 'mkey*' -x vport_counter -x json -x owner -x summary \
                -x MKEY_CONTEXT -x PRM_QUERY_MKEY "$mnt/$pci_a" "$sim_mnt/$sim_a"
t "the simulator unmounts" unmount_daemon "$sim_mnt" "$fw_sim_pid"
t "the daemon unmounts and exits 0" unmount_daemon "$mnt" "$daemon_pid"

# ---- a type the kernel refuses ----
echo "$refused_opcode" >/sys/module/fwctl_emu/parameters/refuse_opcode
lines_before=$(log_lines)
# ttl=0.2: listings and objects are fetched again and again while it runs.
t "with QUERY_CQ refused by fwctl, the daemon mounts" mount_daemon "$mnt" -o ttl=0.2 || return 0
t "$refused_type is absent from both functions, the other types list the simulator's objects" \
        refused_listing
t "info says why" info_says "$mnt/$pci_a" "objects.$refused_type: absent (the kernel refuses its query command)"
t "a path into it is ENOENT" bash -c "! cat '$mnt/$pci_a/$refused_type/0x1' 2>/tmp/e; cat /tmp/e;
        grep -q 'No such file or directory' /tmp/e"
t "every other file reads" read_all "$mnt/$pci_a"
t "and again, with every listing expired" bash -c "sleep 0.3; ls -lR '$mnt' >/dev/null"
t "the daemon sent QUERY_CQ once per function, its probe at open" \
        bash -c "grep 'sent.QUERY_CQ:' '$mnt/.stats'; test \$(grep -c 'sent.QUERY_CQ: 1\$' '$mnt/.stats') = 2 &&
                 test \$(grep -c 'sent.QUERY_CQ:' '$mnt/.stats') = 2"
t "the daemon unmounts and exits 0" unmount_daemon "$mnt" "$daemon_pid"
refused_lines=$(($(log_lines) - lines_before))
t "no error storm: the daemon logged $refused_lines lines for that mount" \
        bash -c "tail -n $refused_lines /tmp/daemon.log; [ $refused_lines -le 2 ]"
echo 0 >/sys/module/fwctl_emu/parameters/refuse_opcode

# ---- hotplug under readers ----
# A sleep without a fork: a read that times out on a FIFO no one writes.
mkfifo /tmp/never
exec 9<>/tmp/never
nap() {
        read -r -t "$1" -u 9 _ || :
}

# wait_path TEST... : polls [ TEST ] every 10 ms, at most 3 s; waited_ms says how long.
wait_path() {
        local start=${EPOCHREALTIME/./}
        until [ "$@" ]; do
                waited_ms=$(((${EPOCHREALTIME/./} - start) / 1000))
                [ "$waited_ms" -lt 3000 ] || return 1
                nap 0.01
        done
        waited_ms=$(((${EPOCHREALTIME/./} - start) / 1000))
}

vm_rss_kb() {
        local key value _
        while read -r key value _; do
                [ "$key" = VmRSS: ] && echo "$value"
        done <"/proc/$1/status"
}

# reader N LIMIT COMMAND...: runs COMMAND under timeout until told to stop;
# per step, its status and milliseconds in /tmp/reader.N (124, 137: it hung).
# While /tmp/readers.hold names a generation, it idles and says so in
# /tmp/reader.N.idle.
reader() {
        local n=$1 limit=$2 start status generation
        shift 2
        : >"/tmp/reader.$n"
        until [ -e /tmp/readers.stop ]; do
                if read -r generation 2>/dev/null </tmp/readers.hold; then
                        echo "$generation" >"/tmp/reader.$n.idle"
                        nap 0.05
                        continue
                fi
                start=${EPOCHREALTIME/./}
                timeout -k 2 "$limit" "$@" >/dev/null 2>&1
                status=$?
                echo "$status $(((${EPOCHREALTIME/./} - start) / 1000))" >>"/tmp/reader.$n"
        done
}

# quiet_rss: the daemon's VmRSS once the readers are idle and its snapshots
# expired (ttl 0.2 s), into rss_kb: what it keeps, not what readers have in
# flight.
hold_generation=0
quiet_rss() {
        local n generation idle=0 tenths=700
        hold_generation=$((hold_generation + 1))
        echo "$hold_generation" >/tmp/readers.hold
        while [ "$idle" -lt 3 ] && [ $((tenths -= 1)) -gt 0 ]; do
                nap 0.1
                idle=0
                for n in 1 2 3; do
                        read -r generation 2>/dev/null <"/tmp/reader.$n.idle" &&
                                [ "$generation" = "$hold_generation" ] && idle=$((idle + 1))
                done
        done
        nap 0.5
        rss_kb=$(vm_rss_kb "$daemon_pid")
        rm -f /tmp/readers.hold
}

# Per reader: steps, their statuses, the longest in ms.
readers_summary() {
        local n
        for n in 1 2 3; do
                awk -v n="$n" '{ steps++; count[$1]++; if ($2 > max) max = $2 }
                        END { printf "reader %s: %d steps, longest %d ms, statuses", n, steps, max
                              for (s in count) printf " %s:%d", s, count[s]; print "" }' "/tmp/reader.$n"
        done
}

readers_never_hung() {
        readers_summary
        test -s /tmp/reader.1 -a -s /tmp/reader.2 -a -s /tmp/reader.3 &&
                ! cat /tmp/reader.1 /tmp/reader.2 /tmp/reader.3 | grep -qE '^(124|137) '
}

rss_within_bounds() {
        grep -qzx MALLOC_ARENA_MAX=1 "/proc/$daemon_pid/environ" || { echo "the daemon has more than one arena"; return 1; }
        test "${rss_last:-999999999}" -le $((${rss_2:-0} * 12 / 10 + 2048))
}

# VmRSS must show what a cycle leaves behind, not how the allocator works:
# one malloc arena (with glibc's one per thread, readers alone took the
# daemon from 5.8 to 11.4 MB in 35 s; flat at 5.3 MB with one), and no
# transparent huge pages (Debian's kernel has them always on: the heap then
# moves by 2 MiB at a time, as much as the bound).
thp=/sys/kernel/mm/transparent_hugepage/enabled
thp_before=$(sed -n 's/.*\[\(.*\)\].*/\1/p' "$thp")
echo never >"$thp"
export MALLOC_ARENA_MAX=1
t "the daemon mounts again, ttl=0.2, one malloc arena, no huge pages" mount_daemon "$mnt" -o ttl=0.2
mounted=$?
unset MALLOC_ARENA_MAX
if [ "$mounted" != 0 ]; then
        echo "$thp_before" >"$thp"
        return 0
fi
rm -f /tmp/readers.stop
reader 1 60 ls -lR "$mnt" &
reader_pids=($!)
reader 2 60 bash -c "cat $mnt/*/info $mnt/*/qp/* $mnt/*/raw/cq/*" &
reader_pids+=($!)
reader 3 120 bash -c "tar -C $mnt -cf - . | wc -c" &
reader_pids+=($!)
# Cycle 2's RSS is the baseline: by then every object was read and cached once.
t "each reader completed a step before the first cycle" \
        wait_for 1200 test -s /tmp/reader.1 -a -s /tmp/reader.2 -a -s /tmp/reader.3

appear_max=0 appear_sum=0 appear_late=0 gone_max=0 gone_late=0 orphan_ok=0 cycle_errors=0 over_fwctl=0
: >/tmp/hotplug.log
for cycle in $(seq "$hotplug_cycles"); do
        start=${EPOCHREALTIME/./}
        if ! echo "2 $pci_c mlx5ctl,fwctl" >"$emu_sysfs/add_device"; then
                cycle_errors=$((cycle_errors + 1))
                continue
        fi
        # From before the add: the kernel's part counts too.
        if wait_path -d "$mnt/$pci_c"; then
                appear_ms=$(((${EPOCHREALTIME/./} - start) / 1000))
        else
                appear_ms=9999
        fi
        appear_sum=$((appear_sum + appear_ms))
        [ "$appear_ms" -le "$appear_max" ] || appear_max=$appear_ms
        [ "$appear_ms" -le "$hotplug_bound_ms" ] || appear_late=$((appear_late + 1))
        # Whichever node udev announced first, the function ends up on fwctl.
        if wait_for 10 grep -qx 'transport: fwctl' "$mnt/$pci_c/info"; then
                over_fwctl=$((over_fwctl + 1))
        fi
        # An open file: its function goes while it is open.
        exec 7<"$mnt/$pci_c/info" || cycle_errors=$((cycle_errors + 1))

        start=${EPOCHREALTIME/./}
        echo 2 >"$emu_sysfs/remove_device" || cycle_errors=$((cycle_errors + 1))
        if wait_path ! -e "$mnt/$pci_c"; then
                waited_ms=$(((${EPOCHREALTIME/./} - start) / 1000))
        else
                waited_ms=9999
        fi
        [ "$waited_ms" -le "$gone_max" ] || gone_max=$waited_ms
        [ "$waited_ms" -le "$hotplug_bound_ms" ] || gone_late=$((gone_late + 1))
        # read(2) itself: cat would fstat(2) the file first, which is another question.
        orphan=$({ read -r -u 7 _; } 2>&1)
        orphan=${orphan##*: }
        orphan_cat=$(cat <&7 2>&1 >/dev/null)
        orphan_cat=${orphan_cat##*: }
        exec 7<&-
        case "$orphan/$orphan_cat" in
        *"No such device"*/*"No such device"* | *"Input/output error"*/*"Input/output error"*)
                orphan_ok=$((orphan_ok + 1)) ;;
        esac
        echo "cycle $cycle: appeared in $appear_ms ms, gone in $waited_ms ms, VmRSS $(vm_rss_kb "$daemon_pid") kB;" \
                "the open file: read ${orphan:-fine}, cat ${orphan_cat:-fine}" >>/tmp/hotplug.log
        if [ "$cycle" = 2 ]; then
                quiet_rss
                rss_2=$rss_kb
        fi
        if [ "$cycle" = "$hotplug_cycles" ]; then
                quiet_rss
                rss_last=$rss_kb
        fi
done
touch /tmp/readers.stop
# Each stops after its current step, which timeout bounds.
t "the readers stop" wait "${reader_pids[@]}"
exec 9<&-

readers_summary | sed 's/^/# /'
echo "# VmRSS, readers idle: ${rss_2:-?} kB after cycle 2, ${rss_last:-?} kB after cycle $hotplug_cycles"
t "$hotplug_cycles add/remove cycles of $pci_c ran without a sysfs error" test "$cycle_errors" = 0
t "after each add, $pci_c appeared within $((hotplug_bound_ms / 1000)) s (max $appear_max ms, mean $((appear_sum / hotplug_cycles)) ms)" \
        test "$appear_late" = 0
t "after each remove, it disappeared within $((hotplug_bound_ms / 1000)) s (max $gone_max ms)" test "$gone_late" = 0
t "a file open across the removal then reads, and fstats, ENODEV or EIO ($orphan_ok of $hotplug_cycles)" \
        test "$orphan_ok" = "$hotplug_cycles"
t "$pci_c, reachable through mlx5ctl and fwctl, was served over fwctl after each add ($over_fwctl of $hotplug_cycles)" \
        test "$over_fwctl" = "$hotplug_cycles"
sed 's/^/# /' /tmp/hotplug.log
t "no reader step hung (ls -lR, cat, tar, each under timeout)" readers_never_hung
t "the daemon's VmRSS after cycle $hotplug_cycles (${rss_last:-?} kB) is at most 20% + 2 MiB above cycle 2's (${rss_2:-?} kB)" \
        rss_within_bounds
t "the daemon logged each add and each remove of $pci_c" \
        bash -c "test \$(grep -c '$pci_c: added' /tmp/daemon.log) -ge $hotplug_cycles &&
                 test \$(grep -c '$pci_c: removed' /tmp/daemon.log) -ge $hotplug_cycles"
t "dmesg stays clean through the cycles" dmesg_clean

# ---- one function, two ways in: fwctl goes and comes back, mlx5ctl stays ----
fwctl_driver=/sys/bus/auxiliary/drivers/fwctl_emu.mlx5
fwctl_adev_b=mlx5ctl_emu.fwctl.1
switch_lines=$(log_lines)
exec 6<"$mnt/$pci_b/caps/current/general"
t "fwctl_emu unbinds from $pci_b's function: its fwctl node goes, mlx5ctl's stays" \
        bash -c "echo $fwctl_adev_b >$fwctl_driver/unbind && test -z \"\$(ls /sys/bus/pci/devices/$pci_b/fwctl 2>/dev/null)\" &&
                 test -c /dev/mlx5ctl-mlx5ctl_emu.ctl.1"
t "$pci_b stays, now served over mlx5ctl" serving_becomes "$mnt/$pci_b" mlx5ctl
t "and lists the simulator's objects" listing_matches "$mnt/$pci_b" "$sim_b"
t "a file opened before the switch still reads" bash -c "cat <&6 >/dev/null"
t "fwctl_emu binds to it again" bash -c "echo $fwctl_adev_b >$fwctl_driver/bind"
t "$pci_b goes back to fwctl" serving_becomes "$mnt/$pci_b" fwctl
t "and still lists the simulator's objects" listing_matches "$mnt/$pci_b" "$sim_b"
exec 6<&-
t "its directory never went away: the daemon logged two switches and no removal of $pci_b" \
        bash -c "tail -n +$((switch_lines + 1)) /tmp/daemon.log | grep '$pci_b';
                 test \$(tail -n +$((switch_lines + 1)) /tmp/daemon.log | grep -c '$pci_b: .*now served over') = 2 &&
                 ! tail -n +$((switch_lines + 1)) /tmp/daemon.log | grep -q '$pci_b: removed'"
t "$pci_a still serves: every file reads" read_all "$mnt/$pci_a"
t "the daemon unmounts and exits 0 after the cycles" unmount_daemon "$mnt" "$daemon_pid"
echo "${thp_before:-always}" >"$thp"
cp /tmp/daemon.log /tmp/hotplug.log /out/ 2>/dev/null
