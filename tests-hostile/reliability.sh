#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Boot reliability (TAP): N consecutive real-Linux boots (Debian's cloud
# kernel, busybox initramfs of scripts/guest-assets.sh) of each default
# configuration, each a fresh QEMU with the reference devices (virtio-net
# through slirp, virtio-blk); every boot must print the initramfs's
# MICROVM-USERSPACE-OK marker and end with the guest's reboot (QEMU exit
# status 0 under -no-reboot).  One TAP line per configuration, with the
# count, the failed boots' logs and the median boot time.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../scripts/lib.sh"

usage() {
    cat <<USAGE
usage: $0 [--help] [N]

N: boots per configuration (default 50, as make check runs).
Environment: QEMU, BIOS, ACCEL, TSC_KHZ as for tests-linux/linux-boot.sh;
BOOT_TIMEOUT seconds before a boot counts as hung (default 120);
ONLY="ID ..." runs only these configurations; BOOT_JOBS boots at once
(default 1; make check runs 2 on its 2-core machines).
Logs of failed boots: build/reliability/<config>-<n>.log.
USAGE
}

n=50
case "${1:-}" in
    -h|--help) usage; exit 0 ;;
    '') ;;
    *[!0-9]*) usage >&2; exit 1 ;;
    *) n=$1 ;;
esac

QEMU=${QEMU:-$BUILD_DIR/qemu-system-x86_64}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-120}
BOOT_JOBS=${BOOT_JOBS:-1}
case "$BOOT_JOBS" in ''|*[!0-9]*|0) die "BOOT_JOBS must be a positive integer" ;; esac
GUEST_DIR="$BUILD_DIR/guest"
LOG_DIR="$BUILD_DIR/reliability"
guest_qemu_setup || die "no usable QEMU or accelerator"
"$TOP/scripts/guest-assets.sh" >&2 ||
    die "scripts/guest-assets.sh failed: see its message above"
mkdir -p "$LOG_DIR"
append="console=ttyS0,115200,8n1 reboot=t microvm.test=1${TSC_APPEND:+ $TSC_APPEND}"

# id|-M options|kernel: the default configurations
CONFIGS=(
    "pvh-acpi-on|microvm|vmlinux"
    "pvh-acpi-off|microvm,acpi=off|vmlinux"
    "bzimage-acpi-on|microvm|vmlinuz"
    "bzimage-acpi-off|microvm,acpi=off|vmlinuz"
    "direct-pvh|microvm,direct-boot=on|vmlinux"
    "direct-bzimage|microvm,direct-boot=on|vmlinuz"
)

if [ -n "${ONLY:-}" ]; then
    picked=()
    for c in "${CONFIGS[@]}"; do
        case " $ONLY " in *" ${c%%|*} "*) picked+=("$c") ;; esac
    done
    [ ${#picked[@]} -gt 0 ] || die "ONLY='$ONLY' names no configuration"
    CONFIGS=("${picked[@]}")
fi

echo "1..${#CONFIGS[@]}"
echo "# QEMU=$QEMU accel=$accel_name boots per configuration: $n, $BOOT_JOBS at a time"
RESULTS=$(mktemp -d)
trap 'rm -rf "$RESULTS"' EXIT

# One boot: its status and seconds go to $RESULTS/<id>-<i>; one '#'
# progress line.
boot_one() {
    local i=$1 id=$2 mopts=$3 kernel=$4 log start rc=0 secs
    log="$LOG_DIR/$id-$i.log"
    local cmd=("$QEMU" -M "$mopts")
    [ -z "$BIOS" ] || cmd+=(-bios "$BIOS")
    cmd+=(-kernel "$GUEST_DIR/$kernel"
          -initrd "$GUEST_DIR/initramfs.cpio.gz" -append "$append"
          "${accel[@]}" -m 512M -smp 1 -nodefaults -no-user-config
          -netdev user,id=net0 -device virtio-net-device,netdev=net0
          -drive "id=d0,file=$GUEST_DIR/disk.img,format=raw,if=none,readonly=on"
          -device virtio-blk-device,drive=d0
          -display none -serial stdio -no-reboot)
    start=$EPOCHREALTIME
    timeout --kill-after=10 "$BOOT_TIMEOUT" "${cmd[@]}" </dev/null \
        >"$log" 2>&1 || rc=$?
    secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" \
               'BEGIN { printf "%.1f", b - a }')
    if [ "$rc" = 0 ] && grep -q '^MICROVM-USERSPACE-OK' "$log"; then
        rm -f "$log"
        echo "# boot $i $id: userspace in ${secs}s"
        echo "ok $secs" > "$RESULTS/$id-$i"
    else
        echo "# boot $i $id: FAILED, status $rc after ${secs}s, log $log"
        echo "failed $secs $rc" > "$RESULTS/$id-$i"
    fi
}

# Round-robin over the configurations, so that a slow or noisy host
# spreads over all of them alike, at most BOOT_JOBS at a time.
for i in $(seq 1 "$n"); do
    for c in "${CONFIGS[@]}"; do
        IFS='|' read -r id mopts kernel <<<"$c"
        while [ "$(jobs -rp | wc -l)" -ge "$BOOT_JOBS" ]; do
            wait -n || true
        done
        boot_one "$i" "$id" "$mopts" "$kernel" &
    done
done
wait

declare -A ok bad times
for c in "${CONFIGS[@]}"; do
    id=${c%%|*}
    ok[$id]=0
    bad[$id]=
    times[$id]=
    for i in $(seq 1 "$n"); do
        res=lost secs=$BOOT_TIMEOUT rc=killed
        [ ! -f "$RESULTS/$id-$i" ] || read -r res secs rc < "$RESULTS/$id-$i"
        times[$id]+=" $secs"
        if [ "$res" = ok ]; then
            ok[$id]=$((ok[$id] + 1))
        else
            bad[$id]+=" boot $i (status $rc, log $LOG_DIR/$id-$i.log)"
        fi
    done
done

failed=0
t=0
for c in "${CONFIGS[@]}"; do
    id=${c%%|*}
    t=$((t + 1))
    # shellcheck disable=SC2086
    median=$(printf '%s\n' ${times[$id]} | sort -n |
             awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
    if [ "${ok[$id]}" = "$n" ]; then
        echo "ok $t - $id: ${ok[$id]} of $n boots reached userspace" \
             "(median ${median}s)"
    else
        failed=$((failed + 1))
        echo "not ok $t - $id: ${ok[$id]} of $n boots reached userspace;" \
             "failed:${bad[$id]}"
    fi
done
[ "$failed" = 0 ]
