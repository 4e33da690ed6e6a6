#!/usr/bin/env bats
# What a packager gets from `meson install`, used the way a system uses it:
# the installed daemon and schema under the prefix (in a private mount
# namespace, so the host is untouched), mount(8) and fstab through
# mount.fuse3, the systemd unit, the man page, bash completion, and the
# DKMS tree built against Debian's headers.

bats_require_minimum_version 1.5.0
load helpers

: "${MLX5DBGFS_BUILD_ROOT:?the build directory}"
: "${MLX5DBGFS_SOURCE_ROOT:?the source directory}"

setup_file() {
        DEST=$BATS_FILE_TMPDIR/dest
        export DEST
        meson install -C "$MLX5DBGFS_BUILD_ROOT" --no-rebuild --quiet --destdir "$DEST" >"$BATS_FILE_TMPDIR/install.log" 2>&1 ||
                { cat "$BATS_FILE_TMPDIR/install.log" >&2; return 1; }
        PREFIX=$(meson introspect "$MLX5DBGFS_BUILD_ROOT" --buildoptions |
                python3 -c 'import json, sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
        VERSION=$(cat "$MLX5DBGFS_SOURCE_ROOT/VERSION")
        FUSE_UNUSABLE=$(fuse_unusable_reason)
        export PREFIX VERSION FUSE_UNUSABLE
}

setup() {
        :
}

teardown_file() {
        :
}

# The namespace tests put the DESTDIR tree at the prefix itself, which only
# /usr/local (the default prefix) allows without hiding the system.
skip_unless_local_prefix() {
        [ "$PREFIX" = /usr/local ] || skip "prefix is $PREFIX, not /usr/local"
        command -v unshare >/dev/null || skip "no unshare"
}

# in_installed_ns SCRIPT: runs bash SCRIPT in a private mount namespace where
# $PREFIX is the installed tree; the daemon finds nothing of the build.
in_installed_ns() {
        env -u MLX5DBGFS_SCHEMA_DIR unshare -m --propagation private \
                bash -c 'mount --bind "$DEST$PREFIX" "$PREFIX" && eval "$1"' ns "$1"
}

@test "meson install lays out the daemon, schema, man page, unit, udev rule, completion and DKMS tree" {
        expected=$BATS_TEST_TMPDIR/expected
        {
                echo "$PREFIX/sbin/mlx5dbgfs"
                for f in "$MLX5DBGFS_SOURCE_ROOT"/schema/*.schema; do
                        echo "$PREFIX/share/mlx5dbgfs/schema/$(basename "$f")"
                done
                echo "$PREFIX/share/man/man8/mlx5dbgfs.8"
                echo "$PREFIX/lib/systemd/system/mlx5dbgfs.service"
                echo "$PREFIX/lib/udev/rules.d/70-mlx5ctl.rules"
                echo "$PREFIX/share/bash-completion/completions/mlx5dbgfs"
                src=$PREFIX/src/mlx5ctl-$VERSION
                echo "$src/dkms.conf"
                echo "$src/VERSION"
                echo "$src/include/uapi/misc/mlx5ctl.h"
                for f in Kbuild aux.c fd.c ioctl.c main.c umem.c mlx5ctl_backend.h mlx5ctl_core.h; do
                        echo "$src/mlx5ctl/$f"
                done
        } | sort >"$expected"
        (cd "$DEST" && find . -type f -o -type l) | sed 's/^\.//' | sort >"$BATS_TEST_TMPDIR/installed"
        sed 's/^/# /' "$BATS_TEST_TMPDIR/installed" >&3
        run diff -u "$expected" "$BATS_TEST_TMPDIR/installed"
        assert_success
        # The test-only kernel modules never ship.
        run ! grep -E 'emu' "$BATS_TEST_TMPDIR/installed"
}

@test "one version: the project, dkms.conf, the man page and the daemon agree" {
        src=$DEST$PREFIX/src/mlx5ctl-$VERSION
        assert_equal "$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$src/dkms.conf")" "$VERSION"
        assert_equal "$(cat "$src/VERSION")" "$VERSION"
        grep -q "^\.TH MLX5DBGFS 8 .*\"mlx5dbgfs $VERSION\"" "$DEST$PREFIX/share/man/man8/mlx5dbgfs.8"
        run -0 "$DEST$PREFIX/sbin/mlx5dbgfs" --version
        assert_output --partial "mlx5dbgfs $VERSION "
        grep -q 'MODULE_VERSION(MLX5CTL_VERSION)' "$src/mlx5ctl/main.c"
}

@test "the man page renders with no warning under mandoc -Tlint and man --warnings" {
        command -v mandoc >/dev/null || fail "mandoc is not installed (tools/install-deps)"
        page=$DEST$PREFIX/share/man/man8/mlx5dbgfs.8
        run -0 mandoc -Tlint -Wall "$page"
        assert_output ""
        run -0 --separate-stderr env MANWIDTH=80 man --warnings -l "$page"
        [ -z "$stderr" ] || fail "man --warnings: $stderr"
        # It covers what the issue asks of it, and every -o option --help lists.
        for section in SYNOPSIS OPTIONS "MOUNT OPTIONS" "THE TREE" CONSISTENCY LIMITS PERMISSIONS \
                "EXIT STATUS" FILES EXAMPLES; do
                grep -qx "\.SH \"\?$section\"\?" "$page" || fail "no section $section"
        done
        text=$(MANWIDTH=200 man -l "$page" 2>/dev/null)
        for opt in $("$MLX5DBGFS" --help | sed -n '/^Mount options/,$s/^  \([a-z_]*\).*/\1/p' | grep -vx -e '' -e other); do
                grep -q "^ *$opt\b" <<<"$text" || fail "-o $opt is not in the man page"
        done
}

@test "the installed daemon loads the installed schema and holds no build path" {
        skip_unless_local_prefix
        [ ! -e "$PREFIX/share/mlx5dbgfs" ] || skip "$PREFIX/share/mlx5dbgfs exists on this host"
        # Outside the namespace the installed schema is absent: the daemon says where it looked.
        run -2 env -u MLX5DBGFS_SCHEMA_DIR "$DEST$PREFIX/sbin/mlx5dbgfs" --check-schema
        assert_output --partial "$PREFIX/share/mlx5dbgfs/schema"
        run -0 in_installed_ns 'mlx5dbgfs --check-schema'
        assert_output --partial OK
        run ! grep -c "$MLX5DBGFS_SOURCE_ROOT/schema" "$DEST$PREFIX/sbin/mlx5dbgfs"
        run -0 readelf -d "$DEST$PREFIX/sbin/mlx5dbgfs"
        refute_output --partial RPATH
        refute_output --partial RUNPATH
}

# mount_and_read HOW MNT: in the namespace, mounts by HOW (a command), lists
# and reads the tree, unmounts with umount(8) and waits for the daemon to end.
ns_mount_script() {
        cat <<EOF
set -e
mkdir -p '$2'
$1
grep ' $2 ' /proc/self/mountinfo | sed 's/^/mountinfo: /'
pid=\$(pgrep -n -f -x "mlx5dbgfs none $2 -o .*")
echo "daemon: \$(tr '\0' ' ' </proc/\$pid/cmdline)"
echo "devices: \$(ls '$2' | tr '\n' ' ')"
ls '$2' | grep -q '^0000:' && cat '$2'/0000:*/info >/dev/null
dev=\$(ls '$2' | grep '^0000:' | head -1)
qp=\$(ls "$2/\$dev/qp" | head -1)
head -1 "$2/\$dev/qp/\$qp" | sed 's/^/qp: /'
umount '$2'
for _ in \$(seq 100); do kill -0 \$pid 2>/dev/null || { echo "daemon ended"; exit 0; }; sleep 0.1; done
echo "daemon \$pid still running after umount"; kill \$pid; exit 1
EOF
}

@test "mount -t fuse.mlx5dbgfs none MNT -o sim=SPEC mounts through mount.fuse3" {
        skip_without_fuse
        skip_unless_local_prefix
        mnt=$BATS_TEST_TMPDIR/mnt
        run -0 in_installed_ns "$(ns_mount_script "mount -t fuse.mlx5dbgfs none '$mnt' -o sim=devices=2:qp=7:seed=3" "$mnt")"
        assert_line --regexp "^mountinfo: .* $mnt ro,nosuid,nodev,noexec.* - fuse\.mlx5dbgfs mlx5dbgfs "
        # mount(8) added rw and mount.fuse3 dev,suid: the daemon took them.
        assert_line --partial "daemon: mlx5dbgfs none $mnt -o rw,sim=devices=2:qp=7:seed=3"
        assert_line --regexp "^devices: 0000:[0-9a-f:.]+ 0000:[0-9a-f:.]+ by-name"
        assert_line --regexp "^qp: [a-z_]+: "
        assert_line "daemon ended"
}

@test "mount.fuse3 'mlx5dbgfs#none' MNT -o sim=SPEC, the helper's own form" {
        skip_without_fuse
        skip_unless_local_prefix
        mnt=$BATS_TEST_TMPDIR/mnt
        run -0 in_installed_ns "$(ns_mount_script "mount.fuse3 'mlx5dbgfs#none' '$mnt' -o sim=qp=4,ttl=1" "$mnt")"
        assert_line --partial "daemon: mlx5dbgfs none $mnt -o sim=qp=4,ttl=1"
        assert_line --regexp "^devices: 0000:"
        assert_line --regexp "^qp: [a-z_]+: "
        assert_line "daemon ended"
}

@test "-o sim=SPEC shows the same tree as --sim=SPEC" {
        skip_without_fuse
        a=$BATS_TEST_TMPDIR/a
        b=$BATS_TEST_TMPDIR/b
        mkdir "$a" "$b"
        "$MLX5DBGFS" -o sim=devices=2:qp=9:seed=4 "$a"
        "$MLX5DBGFS" --sim=devices=2,qp=9,seed=4 "$b"
        (cd "$a" && find . -path ./.stats -prune -o -print | sort) >"$BATS_TEST_TMPDIR/a.list"
        (cd "$b" && find . -path ./.stats -prune -o -print | sort) >"$BATS_TEST_TMPDIR/b.list"
        qp=$(cd "$a" && ls -d 0000:*/qp/* | head -1)
        status=0
        cmp "$BATS_TEST_TMPDIR/a.list" "$BATS_TEST_TMPDIR/b.list" && cmp "$a/$qp" "$b/$qp" || status=$?
        fusermount3 -u "$a"
        fusermount3 -u "$b"
        [ "$status" = 0 ]
        [ "$(wc -l <"$BATS_TEST_TMPDIR/a.list")" -gt 20 ]
}

@test "an fstab line with noauto,nofail,x-systemd.*,defaults,rw mounts with mount MNT" {
        skip_without_fuse
        skip_unless_local_prefix
        mnt=$BATS_TEST_TMPDIR/fstab-mnt
        fstab=$BATS_TEST_TMPDIR/fstab
        echo "none $mnt fuse.mlx5dbgfs noauto,nofail,x-systemd.automount,x-systemd.mount-timeout=30,defaults,rw,ttl=2,sim=qp=5 0 0" >"$fstab"
        run -0 in_installed_ns "mount --bind '$fstab' /etc/fstab; $(ns_mount_script "mount '$mnt'" "$mnt")"
        assert_line --regexp "^mountinfo: .* $mnt ro,nosuid,nodev,noexec.* - fuse\.mlx5dbgfs "
        assert_line --partial "daemon: mlx5dbgfs none $mnt -o rw,ttl=2,sim=qp=5"
        assert_line --regexp "^devices: 0000:"
        assert_line "daemon ended"
        # And ro, as mount(8) passes it for an ro line.
        sed -i 's/,rw,/,ro,/' "$fstab"
        run -0 in_installed_ns "mount --bind '$fstab' /etc/fstab; $(ns_mount_script "mount '$mnt'" "$mnt")"
        assert_line --partial "daemon: mlx5dbgfs none $mnt -o ro,ttl=2,sim=qp=5"
        assert_line "daemon ended"
}

@test "systemd-analyze verify accepts the installed unit" {
        skip_unless_local_prefix
        command -v systemd-analyze >/dev/null || fail "no systemd-analyze"
        unit=$PREFIX/lib/systemd/system/mlx5dbgfs.service
        run -0 in_installed_ns "systemd-analyze verify '$unit' 2>&1"
        assert_output ""
        grep -qx "Type=notify" "$DEST$unit"
        grep -qx "ExecStart=$PREFIX/sbin/mlx5dbgfs -f /mnt/mlx5dbg" "$DEST$unit"
        # Nothing that would put the mount in a private namespace of the service.
        run ! grep -E '^(Protect(System|Home|KernelTunables|KernelModules|KernelLogs|ControlGroups|Proc)|Private(Tmp|Devices|Network|Mounts)|ReadOnlyPaths|ReadWritePaths|InaccessiblePaths|TemporaryFileSystem|BindPaths)=' "$DEST$unit"
}

@test "udev reads the installed rule without an error" {
        skip_unless_local_prefix
        udevadm=$(command -v udevadm || echo "${MLX5DBGFS_VM_CACHE:-/var/cache/mlx5dbgfs-vm}/udev/bin/udevadm")
        [ -x "$udevadm" ] || fail "no udevadm (tools/install-deps unpacks one)"
        [ -e /sys/class/misc/fuse ] || skip "no /sys/class/misc/fuse to run the rules against"
        # No mlx5ctl node here: the rules are parsed (an error reads FILE:LINE ...) and run.
        run -0 in_installed_ns "'$udevadm' test --action=add /sys/class/misc/fuse 2>&1"
        assert_line "Reading rules file: $PREFIX/lib/udev/rules.d/70-mlx5ctl.rules"
        refute_output --partial "70-mlx5ctl.rules:"
        grep -q 'KERNEL=="mlx5ctl-\*".*MODE="0600".*ENV{SYSTEMD_WANTS}+="mlx5dbgfs.service"' \
                "$DEST$PREFIX/lib/udev/rules.d/70-mlx5ctl.rules"
}

@test "dkms add and build the installed tree against Debian's headers" {
        command -v dkms >/dev/null || fail "dkms is not installed (tools/install-deps)"
        kver=$(ls /usr/src | sed -n 's/^linux-headers-\(.*-amd64\)$/\1/p' | sort -V | tail -1)
        [ -n "$kver" ] || fail "no linux-headers-*-amd64 (tools/install-deps)"
        # Private trees: nothing of the host's /usr/src or /var/lib/dkms is touched.
        sources=$BATS_TEST_TMPDIR/src
        mkdir -p "$sources" "$BATS_TEST_TMPDIR/dkms"
        cp -a "$DEST$PREFIX/src/mlx5ctl-$VERSION" "$sources/"
        dkms_args="--sourcetree '$sources' --dkmstree '$BATS_TEST_TMPDIR/dkms'"
        # dkms keeps a signing key in /var/lib/dkms: a private tmpfs there.
        run -0 unshare -m --propagation private bash -c "set -e
                mount -t tmpfs tmpfs /var/lib/dkms
                dkms add -m mlx5ctl -v '$VERSION' $dkms_args
                dkms build -m mlx5ctl -v '$VERSION' -k '$kver' --kernelsourcedir '/usr/src/linux-headers-$kver' $dkms_args
                dkms status -m mlx5ctl $dkms_args"
        assert_line "mlx5ctl/$VERSION, $kver, x86_64: built"
        built=$BATS_TEST_TMPDIR/dkms/mlx5ctl/$VERSION/$kver/x86_64
        # Only mlx5ctl was built: the test-only modules are not even in the tree.
        run -0 ls "$built/module"
        assert_output --regexp '^mlx5ctl\.ko(\.xz)?$'
        ko=$built/module/$output
        run ! grep -E 'emu|warning:' "$built/log/make.log"
        run -0 modinfo -F version "$ko"
        assert_output "$VERSION"
        run -0 modinfo -F vermagic "$ko"
        assert_output --partial "$kver "
}

# complete WORDS...: what bash completion offers for the last word.
complete_words() {
        bash -c '
                source /usr/share/bash-completion/bash_completion
                source "$0"
                COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
                COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
                _mlx5dbgfs mlx5dbgfs "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
                printf "%s\n" "${COMPREPLY[@]}"' "$DEST$PREFIX/share/bash-completion/completions/mlx5dbgfs" "$@"
}

@test "bash completion offers options, mount options and directories" {
        [ -f /usr/share/bash-completion/bash_completion ] || fail "bash-completion is not installed (tools/install-deps)"
        run -0 complete_words mlx5dbgfs --sc
        assert_line "--schema-dir="
        run -0 complete_words mlx5dbgfs -o ttl=1,max_
        assert_line "ttl=1,max_inflight="
        assert_line "ttl=1,max_rate="
        mkdir -p "$BATS_TEST_TMPDIR/where/mnt"
        touch "$BATS_TEST_TMPDIR/where/file"
        run -0 complete_words mlx5dbgfs "$BATS_TEST_TMPDIR/where/"
        assert_line "$BATS_TEST_TMPDIR/where/mnt"
        refute_line "$BATS_TEST_TMPDIR/where/file"
}

# The unit under a real systemd: the host's /usr and the installed /usr/local
# booted in a systemd-nspawn container (tmpfs root, private network), with a
# drop-in that mounts simulated devices and a checking service that records
# what it sees in $result, then powers the container off.
@test "systemd starts the unit (Type=notify), restarts it after a crash, and stopping it unmounts" {
        skip_without_fuse
        skip_unless_local_prefix
        command -v systemd-nspawn >/dev/null || fail "no systemd-nspawn (tools/install-deps: systemd-container)"
        units=$BATS_TEST_TMPDIR/units
        result=$BATS_TEST_TMPDIR/result
        mkdir -p "$units/mlx5dbgfs.service.d" "$result"
        # No device node in the container: drop the conditions, mount the simulator.
        printf '[Unit]\nConditionPathExistsGlob=\n[Service]\nExecStart=\nExecStart=%s -f -o sim=devices=2:qp=20:fail=QUERY_CQ /mnt/mlx5dbg\n' \
                "$PREFIX/sbin/mlx5dbgfs" >"$units/mlx5dbgfs.service.d/sim.conf"
        cat >"$units/mlx5dbgfs-check.service" <<'UNIT'
[Unit]
Wants=mlx5dbgfs.service
After=mlx5dbgfs.service
SuccessAction=poweroff-force
FailureAction=poweroff-force
[Service]
Type=oneshot
ExecStart=/bin/bash /check.sh
UNIT
        cat >"$units/check.sh" <<'CHECK'
set -x
exec 2>/result/trace
show() { systemctl show -p ActiveState,SubState,StatusText,NRestarts mlx5dbgfs.service | sort | tr '\n' ' '; echo; }
echo "started: $(show)" >/result/log
ls /mnt/mlx5dbg | tr '\n' ' ' | sed 's/^/ls: /' >>/result/log; echo >>/result/log
grep " /mnt/mlx5dbg " /proc/self/mountinfo | sed 's/^/mountinfo: /' >>/result/log
dev=$(ls /mnt/mlx5dbg | grep '^0000:' | head -1)
cat /mnt/mlx5dbg/$dev/cq/$(ls /mnt/mlx5dbg/$dev/cq | head -1) >/dev/null 2>&1 && echo "cq read: ok" >>/result/log
systemctl kill -s KILL mlx5dbgfs.service
for _ in $(seq 200); do
        [ "$(systemctl show -p NRestarts --value mlx5dbgfs.service)" = 1 ] &&
                [ "$(systemctl is-active mlx5dbgfs.service)" = active ] && break
        sleep 0.1
done
echo "after crash: $(show)" >>/result/log
ls /mnt/mlx5dbg | tr '\n' ' ' | sed 's/^/ls after crash: /' >>/result/log; echo >>/result/log
systemctl stop mlx5dbgfs.service
echo "stopped: $(show)" >>/result/log
echo "mounts after stop: $(grep -c " /mnt/mlx5dbg " /proc/self/mountinfo)" >>/result/log
journalctl -b -o json --output-fields=MESSAGE,PRIORITY,SYSLOG_IDENTIFIER,_SYSTEMD_UNIT --no-pager >/result/journal
CHECK
        machine=mlx5dbgfs-test-$$
        run timeout 180 systemd-nspawn --quiet --register=no --keep-unit --machine="$machine" -D / --volatile=yes \
                --private-network --console=pipe --bind=/dev/fuse --bind-ro="$DEST$PREFIX:$PREFIX" \
                --bind="$result:/result" --bind-ro="$units/check.sh:/check.sh" \
                --bind-ro="$units/mlx5dbgfs-check.service:/etc/systemd/system/mlx5dbgfs-check.service" \
                --bind-ro="$units/mlx5dbgfs.service.d:/etc/systemd/system/mlx5dbgfs.service.d" \
                --boot systemd.unit=mlx5dbgfs-check.service systemd.firstboot=off
        # nspawn leaves its (empty) propagation directory behind.
        rmdir "/run/systemd/nspawn/propagate/$machine" /run/systemd/nspawn/propagate /run/systemd/nspawn \
                /run/systemd/nspawn-root 2>/dev/null || true
        sed 's/^/# /' "$result/log" >&3
        [ "$status" = 0 ] || { cat "$result/trace" >&2; fail "nspawn status $status: $output"; }
        run -0 cat "$result/log"
        assert_line "started: ActiveState=active NRestarts=0 StatusText=Serving /mnt/mlx5dbg SubState=running "
        assert_line --regexp "^ls: 0000:08:00.0 0000:08:00.1 by-name"
        assert_line --regexp "^mountinfo: .* /mnt/mlx5dbg ro,nosuid,nodev,noexec.* - fuse\.mlx5dbgfs mlx5dbgfs "
        refute_line "cq read: ok"
        assert_line "after crash: ActiveState=active NRestarts=1 StatusText=Serving /mnt/mlx5dbg SubState=running "
        assert_line --regexp "^ls after crash: 0000:08:00.0 0000:08:00.1 by-name"
        assert_line --regexp "^stopped: ActiveState=inactive NRestarts=1 "
        assert_line "mounts after stop: 0"
        # The daemon's messages, under systemd, are in the journal under its name.
        run -0 grep '"SYSLOG_IDENTIFIER":"mlx5dbgfs"' "$result/journal"
        assert_output --regexp '"MESSAGE":"0000:08:00.[01]: QUERY_CQ 0x[0-9a-f]+ failed: firmware status BAD_SYS_STATE'
        assert_output --partial '"_SYSTEMD_UNIT":"mlx5dbgfs.service"'
        # The hardening applied without a complaint from systemd.
        run ! grep -iE '"MESSAGE":"[^"]*mlx5dbgfs\.service[^"]*(failed to|ignoring|unknown)' "$result/journal"
}
