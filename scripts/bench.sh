#!/bin/bash
# make bench: our microvm against pristine upstream QEMU of the same pin and
# build profile, measured in one run with the configurations interleaved
# (A B C ... A B C ...), reported as medians and ours/upstream ratios.
#   1. launch to exit: a 3-instruction PVH payload (scripts/bench/pvh-exit.S)
#      writes to isa-debug-exit; wall time and peak RSS of the QEMU process
#   2. firmware cost: guest instructions from reset to the payload's entry
#      (TCG plugin scripts/bench/insn-count.c)
#   3. Linux to userspace: Debian's cloud kernel (PVH vmlinux), wall time to
#      the initramfs marker MICROVM-USERSPACE-OK and the guest's own clock
#      (printk timestamp of "Run /init as init process"), every boot mode,
#      vmlinux and (where the path loads one) bzImage
#   4. boot reliability: success counts of every run above
# Results: build/bench/results.md and build/bench/results.json (raw samples
# in build/bench/raw.tsv, console logs under build/bench/logs/).
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
    cat <<USAGE
usage: $0 [--help] [--no-linux] [--no-build]

  --no-linux   skip the Linux-to-userspace boots (section 3)
  --no-build   use the existing builds (ours and upstream) as they are

Environment:
  N              runs per configuration, launch-to-exit (default: 10)
  INSN_N         runs per configuration, instruction counts (default: 3)
  LINUX_N        boots per configuration, Linux to userspace (default: N)
  LINUX_TIMEOUT  seconds one Linux boot may take (default: 120)
  TSC_KHZ        tsc_early_khz= for the Linux guests under TCG (default
                 2000000; none: let the kernel calibrate against the PIT,
                 which is racy under emulation and makes boots flaky)
  UPSTREAM_QEMU  upstream binary to compare against (default: the pristine
                 same-profile build build/upstream/qemu/qemu-system-x86_64,
                 built here when missing); another binary (e.g. Debian's
                 /usr/bin/qemu-system-x86_64) is labelled as such in the report
  BENCH_DIR      output directory (default: build/bench)

Upstream's firmware blobs come from Debian (the +ds tarball has none):
/usr/share/seabios/bios-microvm.bin (its acpi=on default), /usr/share/qemu/
qboot.rom and pvh.bin.  Takes roughly N x 6 x 0.3 s + LINUX_N x 9 Linux
boots (a few seconds each under TCG; a failed one up to LINUX_TIMEOUT).
USAGE
}

do_linux=1
do_build=1
while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --no-linux) do_linux=0 ;;
        --no-build) do_build=0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
    shift
done

N=${N:-10}
INSN_N=${INSN_N:-3}
LINUX_N=${LINUX_N:-$N}
LINUX_TIMEOUT=${LINUX_TIMEOUT:-120}
BENCH_DIR=${BENCH_DIR:-$BUILD_DIR/bench}
OURS="$BUILD_DIR/qemu-system-x86_64"
UP_DIR="$BUILD_DIR/upstream"
UP_BUILT="$UP_DIR/qemu/qemu-system-x86_64"
UPSTREAM_QEMU=${UPSTREAM_QEMU:-$UP_BUILT}
SEABIOS_DIR=/usr/share/seabios
QBOOT=/usr/share/qemu/qboot.rom
for n in "$N" "$INSN_N" "$LINUX_N" "$LINUX_TIMEOUT"; do
    case "$n" in ''|*[!0-9]*|0) die "N, INSN_N, LINUX_N, LINUX_TIMEOUT must be positive integers" ;; esac
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

if [ "$do_build" = 1 ]; then
    msg "building ours (scripts/build.sh)"
    "$TOP/scripts/build.sh" >&2
    [ "$UPSTREAM_QEMU" != "$UP_BUILT" ] || build_upstream
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
rm -f "$BENCH_DIR"/logs/*
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
# where the path loads one: config names get a -bzimage suffix.
LINUX_CONFIGS=("${CONFIGS[@]}"
    "ours-acpi-on-bzimage|ours|microvm||vmlinuz"
    "ours-direct-acpi-on-bzimage|ours|microvm,direct-boot=on||vmlinuz"
    "upstream-acpi-off-qboot-bzimage|up|microvm,acpi=off|-bios $QBOOT -L /usr/share/qemu|vmlinuz"
)

RAW="$BENCH_DIR/raw.tsv"
printf 'section\tconfig\trun\tmetric\tvalue\n' > "$RAW"
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >> "$RAW"; }

# Sets: name, bin, margs (array) from a config line.
parse_config() {
    local key mopt extra
    IFS='|' read -r name key mopt extra kernel <<< "$1"
    kernel=${kernel:-vmlinux}
    if [ "$key" = ours ]; then bin=$OURS; else bin=$UPSTREAM_QEMU; fi
    # shellcheck disable=SC2206
    margs=(-M "$mopt" $extra)
}

now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }

# shellcheck disable=SC2054  # commas inside QEMU option values
common=(-nodefaults -no-user-config -display none -smp 1 -m 256M
    -device isa-debug-exit,iobase=0xf4,iosize=4)

# 1. launch to exit (and 4. its success count)
total=$((N * ${#CONFIGS[@]}))
i=0
msg "launch to exit: $N runs x ${#CONFIGS[@]} configurations, interleaved"
for run in $(seq 1 "$N"); do
    for c in "${CONFIGS[@]}"; do
        parse_config "$c"
        i=$((i + 1))
        log="$BENCH_DIR/logs/exit-$name-$run.log"
        t0=$(now_us)
        set +e
        timeout 60 /usr/bin/time -f %M -o "$BENCH_DIR/rss.tmp" \
            "$bin" "${margs[@]}" "${common[@]}" -kernel "$PAYLOAD" > "$log" 2>&1 </dev/null
        rc=$?
        set -e
        t1=$(now_us)
        ok=0
        [ "$rc" != 1 ] || ok=1     # isa-debug-exit: (0 << 1) | 1
        record exit "$name" "$run" ok "$ok"
        if [ "$ok" = 1 ]; then
            record exit "$name" "$run" wall_ms "$(awk -v d=$((t1 - t0)) 'BEGIN{printf "%.3f", d/1000}')"
            record exit "$name" "$run" rss_kib "$(tail -1 "$BENCH_DIR/rss.tmp")"
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
        for c in "${CONFIGS[@]}"; do
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
    "$TOP/scripts/guest-assets.sh" >&2
    GUEST_DIR="$BUILD_DIR/guest"
    TSC_KHZ=${TSC_KHZ:-2000000}
    append="console=ttyS0,115200,8n1 reboot=t microvm.test=1"
    [ "$TSC_KHZ" = none ] || append="$append tsc_early_khz=$TSC_KHZ"
    msg "Linux to userspace: $LINUX_N boots x ${#LINUX_CONFIGS[@]} configurations (TCG, up to ${LINUX_TIMEOUT}s each)"
    for run in $(seq 1 "$LINUX_N"); do
        for c in "${LINUX_CONFIGS[@]}"; do
            parse_config "$c"
            log="$BENCH_DIR/logs/linux-$name-$run.log"
            printf '  [boot %d/%d] %-26s ' "$run" "$LINUX_N" "$name" >&2
            t0=$(now_us)
            tmark=
            : > "$log"
            set +e
            while IFS= read -r l; do
                printf '%s\n' "$l" >> "$log"
                case "$l" in
                    MICROVM-USERSPACE-OK*) [ -n "$tmark" ] || tmark=$(now_us) ;;
                esac
            done < <(timeout --kill-after=10 "$LINUX_TIMEOUT" "$bin" "${margs[@]}" \
                -kernel "$GUEST_DIR/$kernel" -initrd "$GUEST_DIR/initramfs.cpio.gz" \
                -append "$append" -m 1G -smp 1 -nodefaults -no-user-config \
                -display none -serial stdio -no-reboot </dev/null 2>&1; echo "BENCH-QEMU-RC $?")
            set -e
            t1=$(now_us)
            rc=$(sed -n 's/^BENCH-QEMU-RC //p' "$log")
            ok=0
            [ -z "$tmark" ] || [ "$rc" != 0 ] || ok=1
            record linux "$name" "$run" ok "$ok"
            if [ "$ok" = 1 ]; then
                record linux "$name" "$run" wall_ms "$(awk -v d=$((tmark - t0)) 'BEGIN{printf "%.3f", d/1000}')"
                record linux "$name" "$run" exit_ms "$(awk -v d=$((t1 - t0)) 'BEGIN{printf "%.3f", d/1000}')"
                g=$(sed -n 's/^\[ *\([0-9.]*\)\] Run \/init as init process.*/\1/p' "$log" | head -1)
                [ -z "$g" ] || record linux "$name" "$run" guest_init_ms "$(awk -v s="$g" 'BEGIN{printf "%.3f", s*1000}')"
            fi
            if [ "$ok" = 1 ]; then
                echo "userspace after $(((tmark - t0) / 1000)) ms" >&2
            else
                echo "FAILED (rc=${rc:-?}, marker ${tmark:+seen}${tmark:-missing}; $log)" >&2
            fi
        done
    done
fi

# --- report --------------------------------------------------------------
host="$(uname -srm), $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
python3 - "$RAW" "$BENCH_DIR" "$up_label" "$host" "$N" "$INSN_N" "$LINUX_N" "${TSC_KHZ:-2000000}" <<'PY'
import csv, json, statistics, sys, datetime
raw, outdir, up_label, host, n, insn_n, linux_n, tsc = sys.argv[1:]
rows = list(csv.DictReader(open(raw), delimiter="\t"))
data = {}
order = {}
for r in rows:
    sec = data.setdefault(r["section"], {})
    order.setdefault(r["section"], [])
    if r["config"] not in order[r["section"]]:
        order[r["section"]].append(r["config"])
    sec.setdefault(r["config"], {}).setdefault(r["metric"], []).append(float(r["value"]))

def med(sec, cfg, metric):
    v = data.get(sec, {}).get(cfg, {}).get(metric, [])
    return statistics.median(v) if v else None

BASES = ["upstream-default-seabios", "upstream-acpi-off-qboot"]
result = {
    "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "host": host, "accel": "TCG", "upstream": up_label,
    "runs": {"exit": int(n), "insn": int(insn_n), "linux": int(linux_n)},
    "linux_cmdline_tsc_early_khz": tsc,
    "sections": {},
}
md = [f"# microvm bench ({result['date']})", "",
      f"- host: {host}; accel: TCG",
      f"- upstream: {up_label}",
      f"- medians over the successful runs; ratio = ours / upstream (same run, configurations interleaved)", ""]

def ratio(a, b):
    return None if a is None or not b else a / b

def fmt(v, nd=1):
    if v is None: return "-"
    return f"{v:,.{nd}f}" if nd else f"{int(round(v)):,}"

def table(sec, title, metrics, bases):
    if sec not in data: return
    md.append(f"## {title}"); md.append("")
    hdr = ["config", "ok"]
    for m, label, nd in metrics:
        hdr.append(label)
        for b in bases:
            hdr.append(f"{label} / {b}" + ("[-bzimage]" if any(c.endswith("-bzimage") for c in order[sec]) else ""))
    md.append("| " + " | ".join(hdr) + " |")
    md.append("|" + "---|" * len(hdr))
    out = {}
    for cfg in order[sec]:
        d = data[sec][cfg]
        oks = d.get("ok", [])
        e = {"success": int(sum(oks)), "runs": len(oks)}
        cells = [cfg, f"{int(sum(oks))}/{len(oks)}"]
        for m, label, nd in metrics:
            v = med(sec, cfg, m)
            e[m] = {"median": v, "samples": d.get(m, [])}
            cells.append(fmt(v, nd))
            for b in bases:
                bb = b + "-bzimage" if cfg.endswith("-bzimage") else b
                r = ratio(v, med(sec, bb, m))
                e[m]["ratio_vs_" + bb] = r
                cells.append("-" if r is None else (f"{r:.2f}" if r >= 0.1 or r == 0 else f"{r:.2g}"))
        out[cfg] = e
        md.append("| " + " | ".join(cells) + " |")
    md.append("")
    result["sections"][sec] = out

table("exit", "1. Launch to exit (PVH payload -> isa-debug-exit)",
      [("wall_ms", "wall ms", 1), ("rss_kib", "peak RSS KiB", 0)], BASES)
table("insn", "2. Guest instructions from reset to the payload entry (PVH; -bzimage: bzImage)",
      [("insns", "instructions", 0)], BASES)
md.append("-bzimage rows: ratios against the upstream -bzimage rows.  On a real-mode entry (upstream's")
md.append("SeaBIOS and qboot) the bzImage count includes one payload instruction (the setup header's jmp).")
md.append("")
table("linux", "3. Linux to userspace (Debian cloud kernel: PVH vmlinux; -bzimage: vmlinuz; marker MICROVM-USERSPACE-OK)",
      [("wall_ms", "wall ms to marker", 0), ("guest_init_ms", "guest clock at /init ms", 0),
       ("exit_ms", "wall ms to QEMU exit", 0)], BASES)
md.append("Section 4 (reliability) is the ok column of each table: successful runs / runs.")
md.append("Direct boot runs no firmware: 0 instructions before the entry by design.")
open(f"{outdir}/results.md", "w").write("\n".join(md) + "\n")
json.dump(result, open(f"{outdir}/results.json", "w"), indent=1)
print("\n".join(md))
PY
msg "wrote $BENCH_DIR/results.md and $BENCH_DIR/results.json"
