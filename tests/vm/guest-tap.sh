# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by run-vm.sh and tests/pci/run-pci.sh: the guest's TAP lines, as
# its console printed them, renumbered into one plan for meson.
#
# guest_tap CONSOLE_LOG EXIT_STATUS_FILE QEMU_STATUS: prints the guest's
# "ok"/"not ok" lines numbered from 1 (and its "#" comments), and one
# "not ok" more when the guest never wrote its exit status (a timeout, a
# panic or a hang).  Sets guest_tap_count (lines printed) and guest_status
# (the guest's exit status, 125 when it has none); prints no plan, so the
# caller may add checks of its own before "1..$guest_tap_count".
guest_tap() {
        local console=$1 status_file=$2 qemu_status=$3 line
        guest_tap_count=0
        while IFS= read -r line; do
                case "$line" in
                "ok "* | "not ok "*)
                        guest_tap_count=$((guest_tap_count + 1))
                        echo "$line" | sed -E "s/^(not ok|ok) ([0-9]+ )?(- )?/\1 $guest_tap_count - /"
                        ;;
                "#"*) echo "$line" ;;
                esac
        done < <(tr -d '\r' <"$console" | grep -E '^(not )?ok |^# ')

        guest_status=$(cat "$status_file" 2>/dev/null || true)
        if [ -z "$guest_status" ]; then
                guest_tap_count=$((guest_tap_count + 1))
                echo "not ok $guest_tap_count - the guest finished (qemu status $qemu_status: timeout, panic or hang)"
                guest_status=125
        fi
}
