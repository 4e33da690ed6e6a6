#!/usr/bin/env bats
# /metrics for fleets: Prometheus's own promtool accepts it, and Debian's
# node_exporter serves it over HTTP on localhost through its textfile
# collector, pointed at a directory holding a link to the mount's metrics.

bats_require_minimum_version 1.5.0
load helpers

# Two functions, one of them failing one command, to see errors per opcode.
SPEC="devices=2,fail=QUERY_DCT"

setup_file() {
        mount_suite "$SPEC" -o ttl=120
}

teardown() {
        [ -z "${EXPORTER:-}" ] || kill "$EXPORTER" 2>/dev/null || true
}

@test "promtool check metrics accepts /metrics: HELP and TYPE for every family, no lint problem" {
        command -v promtool >/dev/null || skip "no promtool (Debian package prometheus; tools/install-deps installs it)"
        cat "$MNT"/*/dct/0x1 2>/dev/null || true     # one failed command, counted per opcode
        run -0 promtool check metrics <"$MNT/metrics"
        assert_output ""
        families=$(sed -n 's/^# TYPE \([^ ]*\) .*/\1/p' "$MNT/metrics" | sort)
        [ "$families" = "$(sed -n 's/^# HELP \([^ ]*\) .*/\1/p' "$MNT/metrics" | sort)" ]
        [ "$(echo "$families" | uniq -d)" = "" ] || fail "a family is declared twice"
        for f in mlx5dbgfs_commands_total mlx5dbgfs_command_errors_total mlx5dbgfs_command_duration_seconds \
                mlx5dbgfs_objects mlx5dbgfs_q_out_of_buffer_total mlx5dbgfs_cache_hits_total \
                mlx5dbgfs_vport_received_eth_unicast_packets_total mlx5dbgfs_vport_transmit_errors_octets_total \
                mlx5dbgfs_cache_bytes mlx5dbgfs_limit_trips_total mlx5dbgfs_firmware_errors_total; do
                echo "$families" | grep -qx "$f" || fail "no $f family"
        done
}

@test "metrics say what the tree shows: objects per type and state, Q counter sets, commands and errors" {
        dev=$(ls "$MNT" | grep -m1 '^0000:')
        m=$MNT/metrics
        # Objects per state sum to the listing; each state as the QPs' files say.
        [ "$(awk -v d="$dev" -F'[ ]' 'index($1, "mlx5dbgfs_objects{device=\"" d "\",type=\"qp\",") == 1 { n += $2 } END { print n }' "$m")" \
                -eq "$(ls "$MNT/$dev/qp" | wc -l)" ]
        err=$(grep -lx 'state: ERR' "$MNT/$dev"/qp/* | wc -l)
        grep -qx "mlx5dbgfs_objects{device=\"$dev\",type=\"qp\",state=\"ERR\"} $err" "$m"
        # Every Q counter set, every field, as its file says.
        for set in $(ls "$MNT/$dev/q_counter"); do
                while read -r name value; do
                        grep -qx "mlx5dbgfs_q_${name%:}_total{device=\"$dev\",set=\"$set\"} $value" "$m" ||
                                fail "q counter $set ${name%:}"
                done <"$MNT/$dev/q_counter/$set"
        done
        # Every vport counter, packets and octets of each traffic counter, as the device's file says.
        [ "$(wc -l <"$MNT/$dev/vport/vport_counter")" -eq 24 ]
        while read -r name value; do
                name=${name%:}
                grep -qx "mlx5dbgfs_vport_${name//./_}_total{device=\"$dev\"} $value" "$m" || fail "vport counter $name"
        done <"$MNT/$dev/vport/vport_counter"
        grep -q "^# HELP mlx5dbgfs_vport_received_eth_unicast_packets_total Firmware counter received_eth_unicast.packets of the device's vport_counter.$" "$m"
        grep -qx "# TYPE mlx5dbgfs_vport_received_eth_unicast_octets_total counter" "$m"
        # The failing opcode counts its errors; a histogram per opcode, its count the commands sent.
        grep -q "^mlx5dbgfs_command_errors_total{device=\"$dev\",opcode=\"QUERY_DCT\"} [1-9]" "$m"
        grep -q "^mlx5dbgfs_command_errors_total{device=\"$dev\",opcode=\"QUERY_QP\"} 0$" "$m"
        sent=$(sed -n "s/^mlx5dbgfs_commands_total{device=\"$dev\",opcode=\"QUERY_QP\"} //p" "$m")
        [ "$sent" -gt 100 ]
        grep -qx "mlx5dbgfs_command_duration_seconds_count{device=\"$dev\",opcode=\"QUERY_QP\"} $sent" "$m"
        grep -qx "mlx5dbgfs_command_duration_seconds_bucket{device=\"$dev\",opcode=\"QUERY_QP\",le=\"+Inf\"} $sent" "$m"
}

# A TCP port nothing listens on, on localhost.
free_port() {
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

@test "node_exporter's textfile collector serves the mount's metrics over HTTP on localhost" {
        exporter=$(command -v prometheus-node-exporter || true)
        [ -n "$exporter" ] || skip "no prometheus-node-exporter (tools/install-deps installs it)"
        dir=$BATS_TEST_TMPDIR/textfile
        mkdir "$dir"
        ln -s "$MNT/metrics" "$dir/mlx5dbgfs.prom"
        port=$(free_port)
        "$exporter" --web.listen-address="127.0.0.1:$port" --collector.disable-defaults --collector.textfile \
                --collector.textfile.directory="$dir" 2>"$BATS_TEST_TMPDIR/exporter.log" &
        EXPORTER=$!
        for _ in $(seq 100); do
                curl -sf "http://127.0.0.1:$port/metrics" >"$BATS_TEST_TMPDIR/scrape" 2>/dev/null && break
                sleep 0.1
        done
        grep -qx 'node_textfile_scrape_error 0' "$BATS_TEST_TMPDIR/scrape" ||
                fail "textfile collector error: $(grep -i error "$BATS_TEST_TMPDIR/exporter.log" | tail -3)"
        dev=$(ls "$MNT" | grep -m1 '^0000:')
        grep -q "^mlx5dbgfs_q_out_of_buffer_total{device=\"$dev\",set=\"0x1\"} [0-9]" "$BATS_TEST_TMPDIR/scrape"
        grep -q "^mlx5dbgfs_command_duration_seconds_bucket{device=\"$dev\",opcode=\"QUERY_QP\",le=\"+Inf\"} [1-9]" \
                "$BATS_TEST_TMPDIR/scrape"
        grep -q "^mlx5dbgfs_objects{device=\"$dev\",state=\"RTS\",type=\"qp\"} [1-9]" "$BATS_TEST_TMPDIR/scrape"
        grep -q "^mlx5dbgfs_vport_received_eth_unicast_octets_total{device=\"$dev\"} [1-9]" "$BATS_TEST_TMPDIR/scrape"
        [ "$(grep -c '^mlx5dbgfs_' "$BATS_TEST_TMPDIR/scrape")" -eq "$(grep -c '^mlx5dbgfs_' "$MNT/metrics")" ]
}

# Last: it mounts again, answers living 0.2 s instead of the suite's 120 (a second apart, each scrape asks anew).
@test "vport counters grow across two scrapes, every series of every device, none goes back" {
        stop_mount
        start_mount "$SPEC" -o ttl=0.2
        m=$MNT/metrics
        grep '^mlx5dbgfs_vport_' "$m" | sort >"$BATS_TEST_TMPDIR/first"
        sleep 1
        grep '^mlx5dbgfs_vport_' "$m" | sort >"$BATS_TEST_TMPDIR/second"
        # 24 series a device (12 traffic counters, packets and octets), the same in both scrapes.
        [ "$(wc -l <"$BATS_TEST_TMPDIR/first")" -eq $((24 * $(ls -d "$MNT"/0000:* | wc -l))) ]
        run -0 diff <(cut -d' ' -f1 "$BATS_TEST_TMPDIR/first") <(cut -d' ' -f1 "$BATS_TEST_TMPDIR/second")
        # Values past 2^53 print as floats: compared as exact decimals.
        run -0 python3 - "$BATS_TEST_TMPDIR/first" "$BATS_TEST_TMPDIR/second" <<'EOF'
import decimal, sys
a, b = ([l.split() for l in open(f)] for f in sys.argv[1:])
grew = 0
for (name, x), (_, y) in zip(a, b):
    x, y = decimal.Decimal(x), decimal.Decimal(y)
    assert y >= x, "%s went back: %s -> %s" % (name, x, y)
    grew += y > x
    # Unicast traffic never stops on the simulated port (10k packets a second at least).
    assert "eth_unicast" not in name or y > x, name + " did not grow"
print(grew)
EOF
        [ "$output" -ge 8 ]
}
