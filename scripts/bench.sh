#!/bin/bash
# make bench: our microvm against pristine upstream QEMU of the same pin and
# build profile, measured in one run with the configurations interleaved
# (A B C, B C A, C A B, ...: each round starts one configuration later, so
# that none always runs first or after the same one), reported as medians
# and ours/upstream ratios.
#   1. launch to exit: a 3-instruction PVH payload (scripts/bench/pvh-exit.S)
#      writes to isa-debug-exit; wall time and peak RSS of the QEMU process
#   2. firmware cost: guest instructions from reset to the payload's entry
#      (TCG plugin scripts/bench/insn-count.c)
#   3. Linux to userspace: Debian's cloud kernel and the minimal microVM
#      kernel (scripts/bench/microvm-kernel.sh, -mk rows), wall time to
#      the initramfs's first output MICROVM-INIT (before it loads any
#      module; the boot must then reach MICROVM-USERSPACE-OK) and the
#      guest's own clock (printk timestamp of "Run /init as init process"), every boot mode,
#      vmlinux and (where the path loads one) bzImage; ours with
#      boot-timer=on, whose phases make the boot timeline
#   4. boot reliability: success counts of every run above
#   5. density: K microVMs launched at once, total time and memory
# Results: build/bench/results.md, results.json and timeline.svg (report:
# scripts/bench/report.py; raw samples in build/bench/raw.tsv, console logs
# under build/bench/logs/).
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
    cat <<USAGE
usage: $0 [--help] [--no-linux] [--no-build] [--no-microvm-kernel]

  --no-linux   skip the Linux boots (sections 3 and 5)
  --no-build   use the existing builds (ours and upstream) as they are
  --no-microvm-kernel
               no -mk rows: do not build or boot the minimal microVM kernel

Environment:
  N              runs per configuration, launch-to-exit (default: 10)
  INSN_N         runs per configuration, instruction counts (default: 3)
  LINUX_N        boots per configuration, Linux to userspace (default: 8)
  LINUX_TIMEOUT  seconds one Linux boot may take (default: 60)
  DENSITY_K      microVMs launched at once in the density test (default: 8)
  DENSITY_N      rounds of the density test (default: 1)
  TSC_KHZ        tsc_early_khz= for the Linux guests under TCG (default
                 2000000; none: let the kernel calibrate against the PIT,
                 which is racy under emulation and makes boots flaky)
  UPSTREAM_QEMU  upstream binary to compare against (default: the pristine
                 same-profile build build/upstream/qemu/qemu-system-x86_64,
                 built here when missing); another binary (e.g. Debian's
                 /usr/bin/qemu-system-x86_64) is labelled as such in the report
  OURS_QEMU      our binary (default: build/qemu-system-x86_64)
  BENCH_DIR      output directory (default: build/bench)

Upstream's firmware blobs come from Debian (the +ds tarball has none):
/usr/share/seabios/bios-microvm.bin (its acpi=on default), /usr/share/qemu/
qboot.rom and pvh.bin.  The minimal microVM kernel is built once (4 to
11 minutes on 2 cores, after the QEMU builds, its unpacking and .config
in their background; cached in ~/.cache/qemu-microvm; MICROVM_KERNEL_DIR=
uses another build of it).  Takes roughly N x 6 x 0.3 s + LINUX_N x 18
Linux boots (a few seconds each under TCG; a failed one up to
LINUX_TIMEOUT) + DENSITY_N x 4 x K Linux boots.
USAGE
}

do_linux=1
do_build=1
do_mk=1
while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --no-linux) do_linux=0 ;;
        --no-build) do_build=0 ;;
        --no-microvm-kernel) do_mk=0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
    shift
done

N=${N:-10}
INSN_N=${INSN_N:-3}
LINUX_N=${LINUX_N:-8}
LINUX_TIMEOUT=${LINUX_TIMEOUT:-60}
DENSITY_K=${DENSITY_K:-8}
DENSITY_N=${DENSITY_N:-1}
BENCH_DIR=${BENCH_DIR:-$BUILD_DIR/bench}
OURS=${OURS_QEMU:-$BUILD_DIR/qemu-system-x86_64}
UP_DIR="$BUILD_DIR/upstream"
UP_BUILT="$UP_DIR/qemu/qemu-system-x86_64"
UPSTREAM_QEMU=${UPSTREAM_QEMU:-$UP_BUILT}
SEABIOS_DIR=/usr/share/seabios
BOOT_TIMER_ADDR=0xfe800000    # the boot timer's userspace marker (README)
QBOOT=/usr/share/qemu/qboot.rom
for n in "$N" "$INSN_N" "$LINUX_N" "$LINUX_TIMEOUT" "$DENSITY_K" "$DENSITY_N"; do
    case "$n" in ''|*[!0-9]*|0) die "N, INSN_N, LINUX_N, LINUX_TIMEOUT, DENSITY_K, DENSITY_N must be positive integers" ;; esac
done
[ -x /usr/bin/time ] || die "/usr/bin/time missing (apt-get install time)"
for f in "$SEABIOS_DIR/bios-microvm.bin" "$QBOOT" /usr/share/qemu/pvh.bin; do
    [ -f "$f" ] || die "$f missing (Debian packages seabios, qemu-system-data)"
done

# --- builds --------------------------------------------------------------
# Pristine upstream, same pin, same profile: the pristine tree plus only the
# glue patch that lets meson configure without the edk2 blobs the +ds
# tarball lacks, and our device config (the profile).  Cached in
# build/upstream; ninja.log ends in "done <status>" when a build finished.
build_upstream() {
    local last
    if [ -f "$UP_DIR/ninja.log" ]; then
        last=$(tail -1 "$UP_DIR/ninja.log")
        case "$last" in
            "done 0") ;;
            done\ *) msg "upstream: previous build failed ($last); rebuilding" ;;
            *) die "upstream build in progress in $UP_DIR (ninja.log: $last); wait for 'done 0' (if no build is running, it was interrupted: rm $UP_DIR/ninja.log), or set UPSTREAM_QEMU" ;;
        esac
    fi
    if [ ! -f "$UP_DIR/qemu/build.ninja" ]; then
        msg "upstream: preparing the pristine $QEMU_VERSION tree in $UP_DIR/src"
        "$TOP/scripts/fetch-upstream.sh"
        rm -rf "$UP_DIR/src" "$UP_DIR/qemu"
        mkdir -p "$UP_DIR"
        cp -a "$(pristine_tree)" "$UP_DIR/src"
        rm -f "$UP_DIR/src/.verified"
        patch -d "$UP_DIR/src" -p1 -s < "$TOP/patches/glue/0001-meson-skip-missing-edk2-blobs.patch"
        cp "$TOP/hw-i386-microvm/microvm.mak" "$UP_DIR/src/configs/devices/x86_64-softmmu/"
        msg "upstream: configuring (log: $UP_DIR/configure.log)"
        (cd "$UP_DIR" && ../../configure-wrapper.sh --src src --build qemu) \
            > "$UP_DIR/configure.log" 2>&1 || die "upstream configure failed: $UP_DIR/configure.log"
    fi
    msg "upstream: ninja qemu-system-x86_64 (a full build takes minutes; progress: tail -f $UP_DIR/ninja.log)"
    set +e
    ninja -C "$UP_DIR/qemu" qemu-system-x86_64 > "$UP_DIR/ninja.log" 2>&1
    echo "done $?" >> "$UP_DIR/ninja.log"
    set -e
    [ "$(tail -1 "$UP_DIR/ninja.log")" = "done 0" ] || die "upstream build failed: $UP_DIR/ninja.log"
}

# "hits misses" of ccache so far
ccache_counts() {
    ccache --print-stats | awk '$1 == "cache_miss" { m = $2 }
        $1 ~ /^(direct|preprocessed)_cache_hit$/ { h += $2 }
        END { print h + 0, m + 0 }'
}

# The minimal microVM kernel (-mk rows of section 3).  When it is not
# cached, its single-threaded first steps (unpacking the source, making
# the .config) run in the background, niced, while the QEMU builds fetch,
# unpack and configure, which leave a core idle; its compilation comes
# after theirs (run side by side, the two took longer here than in turn).
MK_DIR=
mk_pid=
if [ "$do_linux" = 1 ] && [ "$do_mk" = 1 ] && [ -z "${MICROVM_KERNEL_DIR:-}" ] &&
        [ "$do_build" = 1 ] &&
        ! "$TOP/scripts/bench/microvm-kernel.sh" --print-dir > /dev/null; then
    mkdir -p "$BENCH_DIR"
    mk_log="$BENCH_DIR/microvm-kernel-prepare.log"
    msg "microvm kernel: unpacking and configuring in the background (log: $mk_log)"
    # Its own process group, so that a failed bench stops all of it; the
    # new session is also a new scheduler autogroup, niced as well.
    # shellcheck disable=SC2016  # $0: the inner shell's
    setsid sh -c 'echo 10 > /proc/self/autogroup 2> /dev/null; exec nice -n 10 "$0" --prepare' \
        "$TOP/scripts/bench/microvm-kernel.sh" > /dev/null 2> "$mk_log" < /dev/null &
    mk_pid=$!
    trap '[ -z "$mk_pid" ] || kill -- -"$mk_pid" 2>/dev/null || true' EXIT
fi

if [ "$do_build" = 1 ]; then
    # Ours and pristine upstream share all but a few dozen of their ~2,650
    # objects, with the same relative command lines (build/qemu/../src and
    # build/upstream/qemu/../src): through ccache, with the absolute -I
    # paths under BUILD_DIR made relative and the working directory left
    # out of the hash, the second build compiles only what differs.  The
    # generated config-poison.h, included everywhere, differs (ours has
    # two more CONFIG_ symbols) but holds only '#pragma GCC poison' lines,
    # which reject code and never change it: it stays out of the lookup.
    # Only these two builds go through ccache.  The minimal kernel is
    # cached as a whole; through ccache each of its ~1,100 compilations
    # would miss and pay a preprocessor run and a store on top (330 s
    # instead of 228 s here).
    cc_before=
    if [ -d /usr/lib/ccache ] && command -v ccache > /dev/null; then
        cc_before=$(ccache_counts)
    fi
    (
        if [ -n "$cc_before" ]; then
            export PATH="/usr/lib/ccache:$PATH"
            export CCACHE_BASEDIR="$BUILD_DIR" CCACHE_NOHASHDIR=true
            export CCACHE_IGNOREHEADERS=config-poison.h
            # Depend mode: a miss takes the includes from the compiler's
            # -MD file instead of a preprocessor run of its own (ours then
            # built in 154 s instead of 220 s here; upstream reused 1,056 of
            # its compilations instead of 1,064).
            export CCACHE_DEPEND=true
        fi
        msg "building ours (scripts/build.sh: qemu-system-x86_64 and our ROM)"
        "$TOP/scripts/build.sh" qemu-system-x86_64 microvm-rom >&2
        [ "$UPSTREAM_QEMU" != "$UP_BUILT" ] || build_upstream
    )
    if [ -n "$cc_before" ]; then
        read -r h0 m0 <<< "$cc_before"
        read -r h1 m1 <<< "$(ccache_counts)"
        msg "ccache: $((h1 - h0)) compilations reused, $((m1 - m0)) compiled"
    fi
fi
if [ "$do_linux" = 1 ]; then
    "$TOP/scripts/guest-assets.sh" >&2
    GUEST_DIR="$BUILD_DIR/guest"
fi
if [ -n "$mk_pid" ]; then
    wait "$mk_pid" || { cat "$mk_log" >&2
        die "preparing the microVM kernel failed (or pass --no-microvm-kernel)"; }
    mk_pid=
fi
if [ "$do_linux" = 1 ] && [ "$do_mk" = 1 ]; then
    if [ -n "${MICROVM_KERNEL_DIR:-}" ]; then
        MK_DIR=$MICROVM_KERNEL_DIR
    elif [ "$do_build" = 1 ]; then
        MK_DIR=$("$TOP/scripts/bench/microvm-kernel.sh") ||
            die "building the microVM kernel failed (or pass --no-microvm-kernel)"
    elif ! MK_DIR=$("$TOP/scripts/bench/microvm-kernel.sh" --print-dir); then
        msg "warning: the microVM kernel is not built ($MK_DIR): no -mk rows (run without --no-build to build it)"
        MK_DIR=
    fi
fi
if [ -n "$MK_DIR" ]; then
    for f in vmlinux bzImage; do
        [ -f "$MK_DIR/$f" ] || die "$MK_DIR/$f missing (MICROVM_KERNEL_DIR?)"
    done
    msg "microVM kernel: $MK_DIR"
fi
[ -x "$OURS" ] || die "$OURS missing: run scripts/build.sh"
[ -x "$UPSTREAM_QEMU" ] || die "$UPSTREAM_QEMU missing (run without --no-build)"
if [ "$UPSTREAM_QEMU" = "$UP_BUILT" ]; then
    up_label="pristine upstream $QEMU_VERSION, same build profile ($UP_BUILT)"
else
    up_label="NOT the pristine same-profile build: $UPSTREAM_QEMU ($("$UPSTREAM_QEMU" --version | head -1))"
    msg "warning: upstream is $up_label"
fi

# --- payload and plugin --------------------------------------------------
mkdir -p "$BENCH_DIR/logs"
rm -rf "$BENCH_DIR"/logs/*
PAYLOAD="$BENCH_DIR/pvh-exit.elf"
PLUGIN="$BENCH_DIR/insn-count.so"
BZIMAGE="$BENCH_DIR/bzimage-exit.bin"
gcc -m32 -c "$TOP/scripts/bench/pvh-exit.S" -o "$BENCH_DIR/pvh-exit.o"
ld -m elf_i386 -T "$TOP/scripts/bench/pvh-exit.ld" -o "$PAYLOAD" "$BENCH_DIR/pvh-exit.o"
gcc -m32 -c "$TOP/scripts/bench/bzimage-exit.S" -o "$BENCH_DIR/bzimage-exit.o"
ld -m elf_i386 -T "$TOP/scripts/bench/bzimage-exit.ld" -o "$BZIMAGE" "$BENCH_DIR/bzimage-exit.o"
ENTRY=0x$(readelf -h "$PAYLOAD" | sed -n 's/.*Entry point address: *0x//p')
plugin_inc="$SRC_DIR/include/qemu"
[ -f "$plugin_inc/qemu-plugin.h" ] || plugin_inc="$UP_DIR/src/include/qemu"
[ -f "$plugin_inc/qemu-plugin.h" ] || die "qemu-plugin.h not found (build/src or build/upstream/src)"
# shellcheck disable=SC2046
gcc -shared -fPIC -O2 -Wall -I"$plugin_inc" $(pkg-config --cflags glib-2.0) \
    "$TOP/scripts/bench/insn-count.c" -o "$PLUGIN"

# --- configurations ------------------------------------------------------
# name|binary key|-M value|extra args (firmware)
CONFIGS=(
    "ours-acpi-on|ours|microvm|"
    "ours-acpi-off|ours|microvm,acpi=off|"
    "ours-direct-acpi-on|ours|microvm,direct-boot=on|"
    "ours-direct-acpi-off|ours|microvm,direct-boot=on,acpi=off|"
    "upstream-default-seabios|up|microvm|-L $SEABIOS_DIR -L /usr/share/qemu"
    "upstream-acpi-off-qboot|up|microvm,acpi=off|-bios $QBOOT -L /usr/share/qemu"
)
# Linux: the same configurations with the PVH vmlinux, plus bzImage (vmlinuz)
# where the path loads one: config names get a -bzimage suffix; the same
# again with the minimal microVM kernel (-mk, kernel field mk-FILE).
LINUX_CONFIGS=("${CONFIGS[@]}"
    "ours-acpi-on-bzimage|ours|microvm||vmlinuz"
    "ours-direct-acpi-on-bzimage|ours|microvm,direct-boot=on||vmlinuz"
    "upstream-acpi-off-qboot-bzimage|up|microvm,acpi=off|-bios $QBOOT -L /usr/share/qemu|vmlinuz"
)
if [ -n "$MK_DIR" ]; then
    for c in "${CONFIGS[@]}"; do
        IFS='|' read -r cname crest <<< "$c"
        LINUX_CONFIGS+=("$cname-mk|$crest|mk-vmlinux")
    done
    LINUX_CONFIGS+=(
        "ours-acpi-on-mk-bzimage|ours|microvm||mk-bzImage"
        "ours-direct-acpi-on-mk-bzimage|ours|microvm,direct-boot=on||mk-bzImage"
        "upstream-acpi-off-qboot-mk-bzimage|up|microvm,acpi=off|-bios $QBOOT -L /usr/share/qemu|mk-bzImage"
    )
fi
# Density: K Linux VMs at once (the microVM kernel when built)
DENSITY_CONFIGS=(
    "ours-acpi-on|ours|microvm|"
    "ours-direct-acpi-off|ours|microvm,direct-boot=on,acpi=off|"
    "upstream-default-seabios|up|microvm|-L $SEABIOS_DIR -L /usr/share/qemu"
    "upstream-acpi-off-qboot|up|microvm,acpi=off|-bios $QBOOT -L /usr/share/qemu"
)

RAW="$BENCH_DIR/raw.tsv"
printf 'section\tconfig\trun\tmetric\tvalue\n' > "$RAW"
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >> "$RAW"; }

# Sets: name, key (ours/up), bin, margs (array), kernel from a config line.
parse_config() {
    local mopt extra
    IFS='|' read -r name key mopt extra kernel <<< "$1"
    kernel=${kernel:-vmlinux}
    if [ "$key" = ours ]; then bin=$OURS; else bin=$UPSTREAM_QEMU; fi
    # ours records the boot phases (Linux boots write the marker)
    [ "$key" != ours ] || [ "${2:-}" != timer ] || mopt="$mopt,boot-timer=on"
    # shellcheck disable=SC2206
    margs=(-M "$mopt" $extra)
}

now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }

# rotated ARRAY-NAME ROUND: sets ROT to the array rotated left by ROUND - 1.
# Under TCG on a shared host, a boot's time depends on what ran just
# before it and on slow phases of the host lasting seconds; rotating the
# order spreads both over every configuration instead of one.
rotated() {
    local -n arr=$1
    local off=$((($2 - 1) % ${#arr[@]}))
    ROT=("${arr[@]:off}" "${arr[@]:0:off}")
}

# shellcheck disable=SC2054  # commas inside QEMU option values
common=(-nodefaults -no-user-config -display none -smp 1 -m 256M
    -device isa-debug-exit,iobase=0xf4,iosize=4)

# 1. launch to exit (and 4. its success count)
total=$((N * ${#CONFIGS[@]}))
i=0
msg "launch to exit: $N runs x ${#CONFIGS[@]} configurations, interleaved"
for run in $(seq 1 "$N"); do
    rotated CONFIGS "$run"
    for c in "${ROT[@]}"; do
        parse_config "$c"
        i=$((i + 1))
        log="$BENCH_DIR/logs/exit-$name-$run.log"
        t0=$(now_us)
        set +e
        timeout 60 /usr/bin/time -f '%M %U %S' -o "$BENCH_DIR/rss.tmp" \
            "$bin" "${margs[@]}" "${common[@]}" -kernel "$PAYLOAD" > "$log" 2>&1 </dev/null
        rc=$?
        set -e
        t1=$(now_us)
        ok=0
        [ "$rc" != 1 ] || ok=1     # isa-debug-exit: (0 << 1) | 1
        record exit "$name" "$run" ok "$ok"
        if [ "$ok" = 1 ]; then
            record exit "$name" "$run" wall_ms "$(awk -v d=$((t1 - t0)) 'BEGIN{printf "%.3f", d/1000}')"
            read -r rss utime stime < <(tail -1 "$BENCH_DIR/rss.tmp")
            record exit "$name" "$run" rss_kib "$rss"
            record exit "$name" "$run" cpu_ms "$(awk -v u="$utime" -v s="$stime" 'BEGIN{printf "%.0f", (u+s)*1000}')"
        fi
        printf '\r  [%d/%d] %-26s rc=%s %6d ms   ' "$i" "$total" "$name" "$rc" $(((t1 - t0) / 1000)) >&2
    done
done
echo >&2
rm -f "$BENCH_DIR/rss.tmp"

# 2. firmware cost: guest instructions from reset to the payload entry,
# PVH payload (entry address from its ELF header) and bzImage payload (its
# entries start with "out %al, $0xf4", bytes e6 f4: see bzimage-exit.S)
msg "instruction counts: $INSN_N runs x ${#CONFIGS[@]} configurations x 2 payloads (TCG plugin)"
for run in $(seq 1 "$INSN_N"); do
    for payload in pvh bzimage; do
        rotated CONFIGS "$run"
        for c in "${ROT[@]}"; do
            parse_config "$c"
            if [ "$payload" = pvh ]; then
                kargs=(-kernel "$PAYLOAD" -plugin "$PLUGIN,entry=$ENTRY")
            else
                name="$name-bzimage"
                kargs=(-kernel "$BZIMAGE" -plugin "$PLUGIN,entry-bytes=e6f4")
            fi
            log="$BENCH_DIR/logs/insn-$name-$run.log"
            set +e
            timeout 120 "$bin" "${margs[@]}" "${common[@]}" "${kargs[@]}" \
                > "$log" 2>&1 </dev/null
            rc=$?
            set -e
            line=$(grep '^insn-count ' "$log" || true)
            # isa-debug-exit exits with (value << 1) | 1: an odd status
            case "$rc:$line" in
                124:*|137:*|*:"insn-count entry=none "*|*:) ok=0 ;;
                *) ok=$((rc % 2)) ;;
            esac
            record insn "$name" "$run" ok "$ok"
            [ "$ok" = 0 ] ||
                record insn "$name" "$run" insns "$(b=${line#*before-entry=}; echo "${b%% *}")"
            printf '\r  [run %d/%d] %-34s %s   ' "$run" "$INSN_N" "$name" "${line:-rc=$rc}" >&2
        done
    done
done
echo >&2

# 3. Linux to userspace
if [ "$do_linux" = 1 ]; then
    TSC_KHZ=${TSC_KHZ:-2000000}
    # panic=-1: a guest that panics restarts at once, which -no-reboot
    # turns into QEMU's exit, so the failed boot is counted without
    # waiting out LINUX_TIMEOUT (upstream's SeaBIOS default has panicked
    # early in its boots here, in up to half of them: README).
    append="console=ttyS0,115200,8n1 reboot=t panic=-1 microvm.test=1"
    [ "$TSC_KHZ" = none ] || append="$append tsc_early_khz=$TSC_KHZ"
    msg "Linux to userspace: $LINUX_N boots x ${#LINUX_CONFIGS[@]} configurations (TCG, up to ${LINUX_TIMEOUT}s each)"
    for run in $(seq 1 "$LINUX_N"); do
        rotated LINUX_CONFIGS "$run"
        for c in "${ROT[@]}"; do
            parse_config "$c" timer
            log="$BENCH_DIR/logs/linux-$name-$run.log"
            case "$kernel" in
                mk-*) kpath=$MK_DIR/${kernel#mk-} ;;
                *) kpath=$GUEST_DIR/$kernel ;;
            esac
            kappend=$append
            [ "$key" != ours ] || kappend="$append microvm.boot-timer=$BOOT_TIMER_ADDR"
            printf '  [boot %d/%d] %-26s ' "$run" "$LINUX_N" "$name" >&2
            t0=$(now_us)
            tmark=
            : > "$log"
            set +e
            while IFS= read -r l; do
                printf '%s\n' "$l" >> "$log"
                case "$l" in
                    MICROVM-INIT*) [ -n "$tmark" ] || tmark=$(now_us) ;;
                esac
            done < <(timeout --kill-after=10 "$LINUX_TIMEOUT" \
                /usr/bin/time -f 'BENCH-QEMU-TIME %M %U %S' "$bin" "${margs[@]}" \
                -kernel "$kpath" -initrd "$GUEST_DIR/initramfs.cpio.gz" \
                -append "$kappend" -m 1G -smp 1 -nodefaults -no-user-config \
                -display none -serial stdio -no-reboot </dev/null 2>&1; echo "BENCH-QEMU-RC $?")
            set -e
            t1=$(now_us)
            rc=$(sed -n 's/^BENCH-QEMU-RC //p' "$log")
            ok=0
            [ -z "$tmark" ] || [ "$rc" != 0 ] ||
                ! grep -q '^MICROVM-USERSPACE-OK' "$log" || ok=1
            record linux "$name" "$run" ok "$ok"
            if [ "$ok" = 1 ]; then
                record linux "$name" "$run" wall_ms "$(awk -v d=$((tmark - t0)) 'BEGIN{printf "%.3f", d/1000}')"
                record linux "$name" "$run" exit_ms "$(awk -v d=$((t1 - t0)) 'BEGIN{printf "%.3f", d/1000}')"
                read -r _ rss utime stime < <(grep '^BENCH-QEMU-TIME ' "$log" | tail -1)
                record linux "$name" "$run" rss_kib "$rss"
                record linux "$name" "$run" cpu_ms "$(awk -v u="$utime" -v s="$stime" 'BEGIN{printf "%.0f", (u+s)*1000}')"
                g=$(sed -n 's/^\[ *\([0-9.]*\)\] Run \/init as init process.*/\1/p' "$log" | head -1)
                [ -z "$g" ] || record linux "$name" "$run" guest_init_ms "$(awk -v s="$g" 'BEGIN{printf "%.3f", s*1000}')"
                # "microvm boot-timer: machine-ready=39.097 ... ms since QEMU start"
                for ph in $(grep -o 'microvm boot-timer: .*' "$log" | head -1); do
                    case "$ph" in
                        *=[0-9]*) record linux "$name" "$run" "phase_${ph%%=*}" "${ph#*=}" ;;
                    esac
                done
            fi
            if [ "$ok" = 1 ]; then
                echo "userspace after $(((tmark - t0) / 1000)) ms" >&2
            else
                echo "FAILED (rc=${rc:-?}, marker ${tmark:+seen}${tmark:-missing}; $log)" >&2
            fi
        done
    done
fi

# 5. density: K Linux microVMs launched at once; all must reach userspace
# and exit.  Total wall time until the last exits, sum of their peak RSS.
density_round() {
    local dir k t0 t1 rss_sum ok_all=0 r
    dir="$BENCH_DIR/logs/density-$name-$run"
    mkdir -p "$dir"
    t0=$(now_us)
    for k in $(seq 1 "$DENSITY_K"); do
        (
            set +e
            timeout --kill-after=10 "$((LINUX_TIMEOUT * 2))" \
                /usr/bin/time -f %M -o "$dir/rss-$k" \
                "$bin" "${margs[@]}" -kernel "$dkernel" \
                -initrd "$GUEST_DIR/initramfs.cpio.gz" -append "$append" \
                -m 256M -smp 1 -nodefaults -no-user-config -display none \
                -serial "file:$dir/console-$k.log" -no-reboot \
                > "$dir/qemu-$k.log" 2>&1 </dev/null
            echo $? > "$dir/rc-$k"
        ) &
    done
    wait
    t1=$(now_us)
    rss_sum=0
    for k in $(seq 1 "$DENSITY_K"); do
        r=0
        if [ "$(cat "$dir/rc-$k")" = 0 ] &&
            grep -q MICROVM-USERSPACE-OK "$dir/console-$k.log" 2>/dev/null; then
            r=1
            ok_all=$((ok_all + 1))
        fi
        record density "$name" "$run" ok "$r"
        rss_sum=$((rss_sum + $(tail -1 "$dir/rss-$k" 2>/dev/null | grep -E '^[0-9]+$' || echo 0)))
    done
    record density "$name" "$run" k "$DENSITY_K"
    record density "$name" "$run" total_wall_ms "$(awk -v d=$((t1 - t0)) 'BEGIN{printf "%.3f", d/1000}')"
    record density "$name" "$run" rss_sum_kib "$rss_sum"
    echo "$ok_all/$DENSITY_K reached userspace, all exited after $(((t1 - t0) / 1000)) ms, sum of peak RSS $((rss_sum / 1024)) MiB" >&2
}
if [ "$do_linux" = 1 ]; then
    if [ -n "$MK_DIR" ]; then dkernel=$MK_DIR/vmlinux; else dkernel=$GUEST_DIR/vmlinux; fi
    msg "density: $DENSITY_N round(s) x ${#DENSITY_CONFIGS[@]} configurations x $DENSITY_K VMs at once ($dkernel, 256 MiB each)"
    for run in $(seq 1 "$DENSITY_N"); do
        rotated DENSITY_CONFIGS "$run"
        for c in "${ROT[@]}"; do
            parse_config "$c"
            printf '  [round %d/%d] %-26s ' "$run" "$DENSITY_N" "$name" >&2
            density_round
        done
    done
fi

# --- report --------------------------------------------------------------
host="$(uname -srm), $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
runs="{\"exit\": $N, \"insn\": $INSN_N, \"linux\": $LINUX_N, \"density_k\": $DENSITY_K, \"density_rounds\": $DENSITY_N, \"microvm_kernel\": \"${MK_DIR}\"}"
python3 "$TOP/scripts/bench/report.py" "$RAW" "$BENCH_DIR" "$up_label" "$host" \
    "$runs" "${TSC_KHZ:-2000000}"
msg "wrote $BENCH_DIR/results.md, results.json and timeline.svg"
