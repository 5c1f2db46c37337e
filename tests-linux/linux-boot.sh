#!/bin/bash
# Real-Linux boot tests (TAP): boot Debian's cloud kernel, and the minimal
# microVM kernel of scripts/bench/microvm-kernel.sh, on $QEMU -M microvm
# with the busybox initramfs of scripts/guest-assets.sh and assert what the
# guest reports on its serial console (MICROVM-* lines printed by its /init)
# and how QEMU exits.  Every test case boots a fresh QEMU; a hung guest is
# killed after a generous timeout and reported as not ok with its console log.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../scripts/lib.sh"

usage() {
    cat <<USAGE
usage: $0 [--help] [--list]

Prints TAP (1..N, ok/not ok); exits non-zero when any case fails.
  --list   print the test ids and names, run nothing

Environment:
  QEMU          the QEMU binary (default: build/qemu-system-x86_64)
  BIOS          -bios for every boot (default: the machine's own firmware;
                when QEMU is not our build and /usr/share/qemu/qboot.rom
                exists, that qboot); BIOS=none: no -bios
  BOOT_TIMEOUT  seconds before a guest counts as hung (default: 300)
  TSC_KHZ       under TCG, tsc_early_khz= for the guest (default 2000000;
                none: let the kernel calibrate, which is racy under TCG)
  SKIP_TESTS    space-separated test ids to report as skipped
                (e.g. "acpi-on-virtio-blk acpi-on-smp")
Logs: build/tests-linux/<id>.log.  Assets: scripts/guest-assets.sh (run
first, automatically).
USAGE
}

list_only=0
for arg in "$@"; do
    case "$arg" in
        -h|--help) usage; exit 0 ;;
        --list) list_only=1 ;;
        *) usage >&2; die "unknown argument: $arg" ;;
    esac
done

QEMU=${QEMU:-$BUILD_DIR/qemu-system-x86_64}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-300}
SKIP_TESTS=${SKIP_TESTS:-}
GUEST_DIR="$BUILD_DIR/guest"
LOG_DIR="$BUILD_DIR/tests-linux"
BASE_APPEND="earlyprintk=ttyS0 console=ttyS0,115200,8n1 reboot=t microvm.test=1"

# id|name: the cases, in order.
TESTS=(
    "acpi-off-userspace|acpi=off: PVH vmlinux reaches the userspace marker running the expected kernel"
    "acpi-off-cmdline|acpi=off: /proc/cmdline contains the -append string"
    "acpi-off-auto-cmdline|acpi=off: the machine appends virtio_mmio.device= for each virtio-mmio device"
    "acpi-off-nproc|acpi=off: nproc matches -smp 1"
    "acpi-off-reboot-exit|acpi=off: QEMU exits 0 after the guest's reboot -f with -no-reboot"
    "acpi-off-virtio-blk|acpi=off, minimal kernel: virtio-blk /dev/vda (from virtio_mmio.device=) visible and its marker file readable"
    "acpi-on-virtio-blk|acpi=on: virtio-blk /dev/vda visible and its marker file readable"
    "acpi-on-virtio-net|acpi=on: virtio-net eth0 visible"
    "acpi-on-smp|acpi=on: nproc matches -smp 2"
    "bzimage-acpi-off|acpi=off: bzImage (vmlinuz) reaches the userspace marker"
    "acpi-on-poweroff|acpi=on: the guest's poweroff -f ends QEMU with status 0"
    "acpi-on-5g|acpi=on: -m 5G -smp 4: the guest sees RAM above 4 GiB and 4 CPUs"
    "bzimage-acpi-on-smp4|acpi=on: bzImage with -smp 4 sees 4 CPUs and its disk"
    "direct-pvh-acpi-on|direct-boot, acpi=on: PVH vmlinux with 2 CPUs and virtio-net"
    "direct-pvh-acpi-off|direct-boot, acpi=off: PVH vmlinux with 2 CPUs (MP table) reaches userspace"
    "direct-bzimage-acpi-on|direct-boot, acpi=on: bzImage (64-bit entry) with 2 CPUs and virtio-net"
    "direct-bzimage-acpi-off|direct-boot, acpi=off: bzImage with 2 CPUs (MP table) reaches userspace"
    "boot-timer|boot-timer: the guest's marker prints ordered, non-zero phases"
    "direct-reboot|direct-boot: a guest reboot boots the kernel again"
    "smbios-dmi|acpi=off: the -smbios type=1 manufacturer reaches the guest's /sys/class/dmi/id/sys_vendor (our firmware's F-segment entry point)"
    "seabios-bzimage|-bios SeaBIOS bios-microvm.bin, acpi=on: bzImage with 2 CPUs reaches userspace, sees its disk and the SMBIOS manufacturer"
    "seabios-pvh|-bios SeaBIOS bios-microvm.bin, acpi=on, pic=off: PVH vmlinux (through pvh.bin) with 2 CPUs reaches userspace and sees its disk"
    "virtio-pvh-smp4-1g|acpi=on: PVH vmlinux, 4 CPUs, 1 GiB: virtio-console line reaches the host, virtio-rng is the hwrng, a host TCP service answers through slirp, poweroff exits 0"
    "upstream-doc-1|upstream's docs/system/i386/microvm.rst, first command line (default machine, ISA serial, virtio-blk, virtio-net on tap) boots and powers off"
    "upstream-doc-2|upstream's docs/system/i386/microvm.rst, second command line (legacy devices off, console=hvc0 on a virtconsole) boots and powers off"
    "virtio-bzimage-smp4-5g|acpi=on: bzImage, 4 CPUs, 5 GiB: the same virtio-console, virtio-rng, slirp and poweroff checks"
    "mini-pvh-acpi-off|minimal kernel, acpi=off: PVH vmlinux sees 2 CPUs (our firmware's MP table), its disk, and a host service through virtio-net and slirp (devices from virtio_mmio.device=)"
    "mini-bzimage-acpi-off|minimal kernel, acpi=off: bzImage, the same 2-CPU, disk and network checks"
    "mini-direct-pvh-acpi-off|minimal kernel, direct-boot, acpi=off: PVH vmlinux, the same checks (QEMU's MP table)"
    "mini-direct-bzimage-acpi-off|minimal kernel, direct-boot, acpi=off: bzImage (64-bit entry), the same checks"
    "mini-pvh-acpi-on|minimal kernel, acpi=on: PVH vmlinux, 2 CPUs, disk, network, COM1 found through PNPACPI, poweroff exits 0"
)

if [ $list_only = 1 ]; then
    for t in "${TESTS[@]}"; do echo "${t%%|*}: ${t#*|}"; done
    exit 0
fi

if ! guest_qemu_setup; then
    echo "1..0 # SKIP no usable QEMU or accelerator"
    exit 1
fi

"$TOP/scripts/guest-assets.sh" >&2 ||
    die "scripts/guest-assets.sh failed: see its message above"
# The minimal microVM kernel (make bench's): built in and cached on the
# first run, 4 to 11 minutes on 2 cores; MICROVM_KERNEL_DIR= names one.
MINI_DIR=${MICROVM_KERNEL_DIR:-}
if [ -z "$MINI_DIR" ]; then
    MINI_DIR=$("$TOP/scripts/bench/microvm-kernel.sh") ||
        die "scripts/bench/microvm-kernel.sh failed: see its message above"
fi
[ -f "$MINI_DIR/vmlinux" ] && [ -f "$MINI_DIR/bzImage" ] ||
    die "no vmlinux and bzImage in $MINI_DIR"
mkdir -p "$LOG_DIR"

[ -z "$TSC_APPEND" ] || BASE_APPEND="$BASE_APPEND $TSC_APPEND"
krel=$(cat "$GUEST_DIR/kernel.release")
disk_marker=$(cat "$GUEST_DIR/disk-marker")
echo "# QEMU=$QEMU BIOS=${BIOS:-<machine default>} accel=$accel_name kernel=$krel minimal kernel=$MINI_DIR"

# boot ID MACHINE_OPTS SMP KERNEL APPEND-EXTRA: one fresh QEMU with the
# reference devices; sets $log (console + QEMU stderr), $rc, $secs.
boot() {
    local id=$1 mopts=$2 smp=$3 kernel=$4 extra=$5 start
    local mem=${MEM:-1G}
    log="$LOG_DIR/$id.log"
    append="$BASE_APPEND${extra:+ $extra}"
    local cmd=("$QEMU" -M "$mopts") no_reboot=(-no-reboot)
    [ "${REBOOTS:-0}" = 0 ] || no_reboot=()
    [ -z "$BIOS" ] || cmd+=(-bios "$BIOS")
    # EXTRA_ARGS: more QEMU arguments for this boot (split on spaces)
    # shellcheck disable=SC2206
    [ -z "${EXTRA_ARGS:-}" ] || cmd+=($EXTRA_ARGS)
    cmd+=(-kernel "$kernel" -initrd "$GUEST_DIR/initramfs.cpio.gz"
        -append "$append"
        "${accel[@]}" -m "$mem" -smp "$smp" -nodefaults -no-user-config
        -netdev "user,id=net0" -device "virtio-net-device,netdev=net0"
        -drive "id=test,file=$GUEST_DIR/disk.img,format=raw,if=none,readonly=on"
        -device "virtio-blk-device,drive=test"
        -nographic -serial stdio "${no_reboot[@]}" "${extra_qemu[@]}")
    echo "# $id: ${cmd[*]}"
    start=$EPOCHREALTIME
    rc=0
    if [ "${REBOOTS:-0}" = 0 ]; then
        timeout --kill-after=10 "$BOOT_TIMEOUT" "${cmd[@]}" </dev/null \
            >"$log" 2>&1 || rc=$?
    else
        # Let the guest reboot until REBOOTS+1 boots reached userspace
        # (bounded by BOOT_TIMEOUT), then stop QEMU.
        # The log exists before QEMU starts: the background job's
        # redirection may not have created it by the first count.
        local pid waited=0 seen
        : >"$log"
        "${cmd[@]}" </dev/null >>"$log" 2>&1 &
        pid=$!
        while seen=$(grep -c '^MICROVM-USERSPACE-OK' "$log") || seen=0
                [ "$seen" -le "$REBOOTS" ] &&
                kill -0 "$pid" 2>/dev/null &&
                [ "$waited" -lt $((BOOT_TIMEOUT * 2)) ]; do
            sleep 0.5
            waited=$((waited + 1))
        done
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
    echo "# $id: QEMU exit status $rc after ${secs}s"
}

# More QEMU arguments for the next boot (devices beyond the reference set).
extra_qemu=()

# start_token_server ID TOKEN: a small HTTP service on 127.0.0.1 that
# answers TOKEN to every request, for the guest to reach through slirp
# (10.0.2.2 is the host's loopback); sets $srv_pid and $srv_port.
start_token_server() {
    local portfile="$LOG_DIR/$1.port" i=0
    rm -f "$portfile"
    python3 - "$2" "$portfile" "$BOOT_TIMEOUT" <<'PY' &
import os, socket, sys
token, portfile, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(4)
srv.settimeout(timeout)
with open(portfile + ".tmp", "w") as f:
    f.write("%d\n" % srv.getsockname()[1])
os.rename(portfile + ".tmp", portfile)
try:
    while True:
        conn, _ = srv.accept()
        conn.settimeout(10)
        try:
            conn.recv(4096)
            conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
                         b"\r\n" + token.encode() + b"\n")
        except OSError:
            pass
        conn.close()
except socket.timeout:
    pass
PY
    srv_pid=$!
    while [ ! -s "$portfile" ] && [ $i -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    srv_port=$(cat "$portfile" 2>/dev/null || echo 0)
}

# upstream_doc_args N: the Nth "$ qemu-system-x86_64 ..." command line of
# upstream's docs/system/i386/microvm.rst (pristine tree), one argument a
# line, the shell's quoting undone.
upstream_doc_args() {
    python3 - "$(pristine_tree)/docs/system/i386/microvm.rst" "$1" <<'PY'
import shlex, sys
cmds, cur = [], None
for line in open(sys.argv[1]).read().splitlines():
    s = line.strip()
    if cur is None:
        if not s.startswith("$ qemu-system-x86_64 "):
            continue
        cur = s[2:]
    else:
        cur += " " + s
    if cur.endswith("\\"):
        cur = cur[:-1]
        continue
    cmds.append(cur)
    cur = None
n = int(sys.argv[2])
if n > len(cmds):
    sys.exit("%s has %d command lines, not %d" % (sys.argv[1], len(cmds), n))
print("\n".join(shlex.split(cmds[n - 1])))
PY
}

# boot_upstream_doc ID N: run upstream's Nth documented command line as it
# is, in a scratch folder holding its files (vmlinux, a copy of test.img),
# with only these changes: without KVM, -enable-kvm/-cpu host become
# -accel tcg/-cpu max; the test guest's switches are added to -append, and
# -initrd and -no-reboot to the command (the cloud kernel's virtio drivers
# are modules, so root=/dev/vda needs the initramfs).  Its tap0 is created
# in a network namespace of its own (unshare, needs root), else replaced
# with -netdev user.  Sets $log, $rc, $secs like boot.
boot_upstream_doc() {
    local id=$1 dir="$LOG_DIR/$1.d" a=() cmd=() i=1 x start
    local netns=0 tap_args="tap,id=tap0,script=no,downscript=no"
    log="$LOG_DIR/$id.log"
    rm -rf "$dir" && mkdir -p "$dir"
    ln -s "$GUEST_DIR/vmlinux" "$dir/vmlinux"
    cp "$GUEST_DIR/disk.img" "$dir/test.img"
    if ! mapfile -t a < <(upstream_doc_args "$2") || [ ${#a[@]} -lt 2 ]; then
        echo "no command line $2 in upstream's microvm.rst" > "$log"
        rc=1
        return
    fi
    if unshare --net sh -c 'ip tuntap add tap0 mode tap' 2>/dev/null; then
        netns=1
    fi
    cmd=("$QEMU")
    while [ $i -lt ${#a[@]} ]; do
        x=${a[$i]}
        case "$accel_name:$x" in
            TCG:-enable-kvm) cmd+=(-accel tcg) ;;
            TCG:-cpu) cmd+=(-cpu "$([ "${a[$((i + 1))]}" = host ] &&
                                    echo max || echo "${a[$((i + 1))]}")")
                i=$((i + 1)) ;;
            *:-append) cmd+=(-append "${a[$((i + 1))]} reboot=t microvm.test=1 microvm.end=poweroff${TSC_APPEND:+ $TSC_APPEND}")
                i=$((i + 1)) ;;
            *:"$tap_args")
                if [ $netns = 1 ]; then cmd+=("$x"); else cmd+=(user,id=tap0); fi ;;
            *) cmd+=("$x") ;;
        esac
        i=$((i + 1))
    done
    [ -z "$BIOS" ] || cmd+=(-bios "$BIOS")
    cmd+=(-initrd "$GUEST_DIR/initramfs.cpio.gz" -no-reboot)
    [ $netns = 1 ] || echo "# $id: no network namespace for tap0: -netdev user"
    echo "# $id: (cd $dir && $([ $netns = 0 ] || echo "unshare --net ")${cmd[*]})"
    start=$EPOCHREALTIME
    rc=0
    if [ $netns = 1 ]; then
        (cd "$dir" && timeout --kill-after=10 "$BOOT_TIMEOUT" unshare --net \
            sh -c 'ip tuntap add tap0 mode tap && ip link set tap0 up &&
                   exec "$@"' sh "${cmd[@]}") </dev/null >"$log" 2>&1 || rc=$?
    else
        (cd "$dir" && timeout --kill-after=10 "$BOOT_TIMEOUT" "${cmd[@]}") \
            </dev/null >"$log" 2>&1 || rc=$?
    fi
    secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
    rm -rf "$dir"
    echo "# $id: QEMU exit status $rc after ${secs}s"
}

# fact NAME: the value the guest printed as "MICROVM-FACT NAME=value".
fact() {
    sed -n "s/^MICROVM-FACT $1=//p" "$log" | tr -d '\r' | head -n1
}

why=
check() {
    # check DESCRIPTION COMMAND...: record the first failed expectation.
    local what=$1
    shift
    if [ -z "$why" ] && ! "$@"; then
        why=$what
    fi
}

# Expectations every booted case shares: no hang, reached userspace.
check_booted() {
    check "guest hung: killed after ${BOOT_TIMEOUT}s" \
        test "$rc" != 124 -a "$rc" != 137
    check "no MICROVM-USERSPACE-OK marker on the console (QEMU exit status $rc)" \
        grep -q '^MICROVM-USERSPACE-OK' "$log"
}

contains() { case "$1" in *"$2"*) return 0 ;; *) return 1 ;; esac; }

# mini_net_case ID MACHINE KERNEL [APPEND]: the minimal kernel with 2 CPUs
# fetches a token from a host service through virtio-net and slirp, reads
# its disk and reports its CPUs; sets $why like the other cases.
mini_net_case() {
    local id=$1 mopts=$2 kernel=$3 extra=${4:-} token="MICROVM-NET-$$-$RANDOM"
    start_token_server "$id" "$token"
    boot "$id" "$mopts" 2 "$kernel" \
        "microvm.net=10.0.2.2:$srv_port${extra:+ $extra}"
    kill "$srv_pid" 2>/dev/null || true
    wait "$srv_pid" 2>/dev/null || true
    check_booted
    check "uname -r is '$(fact uname-r)', expected the minimal kernel's *-microvm" \
        contains "$(fact uname-r)" -microvm
    check "nproc is '$(fact nproc)', expected 2" test "$(fact nproc)" = 2
    check "disk marker '$(fact disk-marker)', expected '$disk_marker' (virtio devices: '$(fact virtio-devices)')" \
        test "$(fact disk-marker)" = "$disk_marker"
    check "port $srv_port: the guest got '$(fact net-reply)', expected '$token'" \
        test "$(fact net-reply)" = "$token"
}

# Without ACPI, Linux finds the other CPUs only in the MP table
# (direct boot and our firmware write one); the cloud kernel lacks it.
kernel_has_mpparse() {
    grep -q '^CONFIG_X86_MPPARSE=y' "$GUEST_DIR/config"
}

# Debian's SeaBIOS, and the option ROM through which it boots a -kernel
# (QEMU's loader queues it; the +ds source lacks the blobs): Debian's
# copies.  seabios_ready ROM fails, with skip_reason set, without them.
SEABIOS=/usr/share/seabios/bios-microvm.bin
QEMU_BLOBS=/usr/share/qemu
seabios_ready() {
    [ -f "$SEABIOS" ] && [ -f "$QEMU_BLOBS/$1" ] && return 0
    skip_reason="$SEABIOS or $QEMU_BLOBS/$1 missing (Debian packages seabios, qemu-system-data; scripts/setup-deps.sh installs them)"
    return 1
}

run_case() {
    local id=$1
    case "$id" in
        acpi-off-userspace)
            boot "$id" microvm,acpi=off 1 "$GUEST_DIR/vmlinux" ""
            check_booted
            check "uname -r is '$(fact uname-r)', expected '$krel'" \
                test "$(fact uname-r)" = "$krel" ;;
        acpi-off-cmdline)
            local token="microvm.token=cmdline-$$-ab12"
            boot "$id" microvm,acpi=off 1 "$GUEST_DIR/vmlinux" "$token"
            check_booted
            check "/proc/cmdline '$(fact cmdline)' lacks '$append'" \
                contains "$(fact cmdline)" "$append" ;;
        acpi-off-auto-cmdline)
            boot "$id" microvm,acpi=off 1 "$GUEST_DIR/vmlinux" ""
            check_booted
            local n
            n=$(fact cmdline | tr ' ' '\n' |
                grep -cE '^virtio_mmio\.device=[0-9]+[KkMm]?@0x[0-9a-fA-F]+:[0-9]+$' || true)
            check "$n virtio_mmio.device= entries in /proc/cmdline, expected 2 (blk, net)" \
                test "$n" = 2 ;;
        acpi-off-nproc)
            boot "$id" microvm,acpi=off 1 "$GUEST_DIR/vmlinux" ""
            check_booted
            check "nproc is '$(fact nproc)', expected 1" test "$(fact nproc)" = 1 ;;
        acpi-off-reboot-exit)
            boot "$id" microvm,acpi=off 1 "$GUEST_DIR/vmlinux" ""
            check_booted
            check "init did not reach reboot -f (no MICROVM-DONE)" \
                grep -q '^MICROVM-DONE' "$log"
            check "kernel did not restart (no 'reboot: Restarting system')" \
                grep -q 'reboot: Restarting system' "$log"
            check "QEMU exit status $rc, expected 0" test "$rc" = 0 ;;
        acpi-off-virtio-blk)
            # The cloud kernel lacks CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES: it
            # finds virtio-mmio devices only in the DSDT
            boot "$id" microvm,acpi=off 1 "$MINI_DIR/vmlinux" ""
            check_booted
            check "no /dev/vda in the guest" test "$(fact vda)" = yes
            check "disk marker '$(fact disk-marker)', expected '$disk_marker'" \
                test "$(fact disk-marker)" = "$disk_marker" ;;
        acpi-on-virtio-blk)
            boot "$id" microvm,acpi=on 1 "$GUEST_DIR/vmlinux" ""
            check_booted
            check "no /dev/vda in the guest (virtio devices: '$(fact virtio-devices)')" \
                test "$(fact vda)" = yes
            check "disk marker '$(fact disk-marker)', expected '$disk_marker'" \
                test "$(fact disk-marker)" = "$disk_marker" ;;
        acpi-on-virtio-net)
            boot "$id" microvm,acpi=on 1 "$GUEST_DIR/vmlinux" ""
            check_booted
            check "no eth0 in the guest (virtio devices: '$(fact virtio-devices)')" \
                test "$(fact eth0)" = yes ;;
        acpi-on-smp)
            boot "$id" microvm,acpi=on 2 "$GUEST_DIR/vmlinux" ""
            check_booted
            check "nproc is '$(fact nproc)', expected 2" test "$(fact nproc)" = 2 ;;
        bzimage-acpi-off)
            boot "$id" microvm,acpi=off 1 "$GUEST_DIR/vmlinuz" ""
            check_booted
            check "QEMU exit status $rc, expected 0" test "$rc" = 0 ;;
        acpi-on-poweroff)
            boot "$id" microvm,acpi=on 1 "$GUEST_DIR/vmlinux" \
                microvm.end=poweroff
            check_booted
            check "init did not reach poweroff -f" \
                grep -q '^MICROVM-DONE powering off' "$log"
            check "kernel did not power down (no 'reboot: Power down')" \
                grep -q 'reboot: Power down' "$log"
            check "QEMU exit status $rc, expected 0" test "$rc" = 0 ;;
        acpi-on-5g)
            MEM=5G boot "$id" microvm,acpi=on 4 "$GUEST_DIR/vmlinux" ""
            check_booted
            check "nproc is '$(fact nproc)', expected 4" test "$(fact nproc)" = 4
            local kb
            kb=$(fact memtotal-kb)
            check "MemTotal ${kb:-?} kB, expected more than 4 GiB" \
                test "${kb:-0}" -gt 4194304 ;;
        bzimage-acpi-on-smp4)
            boot "$id" microvm,acpi=on 4 "$GUEST_DIR/vmlinuz" ""
            check_booted
            check "nproc is '$(fact nproc)', expected 4" test "$(fact nproc)" = 4
            check "no /dev/vda in the guest" test "$(fact vda)" = yes ;;
        direct-pvh-acpi-on|direct-bzimage-acpi-on)
            local k=$GUEST_DIR/vmlinux
            [ "$id" = direct-pvh-acpi-on ] || k=$GUEST_DIR/vmlinuz
            boot "$id" microvm,acpi=on,direct-boot=on 2 "$k" ""
            check_booted
            check "nproc is '$(fact nproc)', expected 2" test "$(fact nproc)" = 2
            check "no eth0 in the guest" test "$(fact eth0)" = yes
            check "QEMU exit status $rc, expected 0" test "$rc" = 0 ;;
        direct-pvh-acpi-off|direct-bzimage-acpi-off)
            local k=$GUEST_DIR/vmlinux
            [ "$id" = direct-pvh-acpi-off ] || k=$GUEST_DIR/vmlinuz
            boot "$id" microvm,acpi=off,direct-boot=on 2 "$k" ""
            check_booted
            # Only a kernel that parses MP tables finds the second CPU
            local cpus=1
            ! kernel_has_mpparse || cpus=2
            check "nproc is '$(fact nproc)', expected $cpus (CONFIG_X86_MPPARSE: $(kernel_has_mpparse && echo y || echo n))" \
                test "$(fact nproc)" = "$cpus"
            check "QEMU exit status $rc, expected 0" test "$rc" = 0 ;;
        boot-timer)
            local line ms prev=0 p ok=1
            boot "$id" microvm,boot-timer=on 1 "$GUEST_DIR/vmlinux" \
                microvm.boot-timer=0xfe800000
            check_booted
            line=$(grep -o 'microvm boot-timer: .*' "$log" | head -n1)
            check "no 'microvm boot-timer:' line on stderr" test -n "$line"
            for p in machine-ready cpu-start fw-entry fw-handoff userspace; do
                ms=$(echo "$line" | sed -n "s/.* $p=\([0-9.]*\).*/\1/p")
                if [ -z "$ms" ] || ! awk -v a="$prev" -v b="$ms" \
                        'BEGIN { exit !(b > 0 && b >= a) }'; then
                    ok=0
                    break
                fi
                prev=$ms
            done
            check "phases missing, zero or out of order in '$line'" \
                test "$ok" = 1 ;;
        direct-reboot)
            local boots
            REBOOTS=2 boot "$id" microvm,direct-boot=on 1 \
                "$GUEST_DIR/vmlinux" ""
            boots=$(grep -c '^MICROVM-USERSPACE-OK' "$log" || true)
            check "$boots boots reached userspace, expected 3 (2 reboots)" \
                test "$boots" -ge 3
            check "the kernel did not restart between boots" \
                grep -q 'reboot: Restarting system' "$log" ;;
        upstream-doc-1|upstream-doc-2)
            boot_upstream_doc "$id" "${id#upstream-doc-}"
            check_booted
            check "nproc is '$(fact nproc)', expected 2 (-smp 2)" \
                test "$(fact nproc)" = 2
            check "no /dev/vda in the guest" test "$(fact vda)" = yes
            check "no eth0 in the guest" test "$(fact eth0)" = yes
            check "init did not reach poweroff -f" \
                grep -q '^MICROVM-DONE powering off' "$log"
            check "QEMU exit status $rc, expected 0" test "$rc" = 0 ;;
        virtio-pvh-smp4-1g|virtio-bzimage-smp4-5g)
            local k=$GUEST_DIR/vmlinux mem=1G kb
            local token="MICROVM-NET-$$-$RANDOM" hvc="token-$$-$RANDOM"
            local hvc_file="$LOG_DIR/$id.hvc0"
            [ "$id" = virtio-pvh-smp4-1g ] || { k=$GUEST_DIR/vmlinuz; mem=5G; }
            start_token_server "$id" "$token"
            rm -f "$hvc_file"
            extra_qemu=(-device virtio-serial-device
                -chardev "file,id=vcon0,path=$hvc_file"
                -device virtconsole,chardev=vcon0
                -object rng-random,id=rng0,filename=/dev/urandom
                -device virtio-rng-device,rng=rng0)
            MEM=$mem boot "$id" microvm,acpi=on 4 "$k" \
                "microvm.end=poweroff microvm.hvc=$hvc microvm.net=10.0.2.2:$srv_port"
            extra_qemu=()
            kill "$srv_pid" 2>/dev/null || true
            wait "$srv_pid" 2>/dev/null || true
            check_booted
            check "nproc is '$(fact nproc)', expected 4" test "$(fact nproc)" = 4
            kb=$(fact memtotal-kb)
            if [ "$mem" = 5G ]; then
                check "MemTotal ${kb:-?} kB, expected more than 4 GiB" \
                    test "${kb:-0}" -gt 4194304
            else
                check "MemTotal ${kb:-?} kB, expected 0.8 to 1 GiB" \
                    test "${kb:-0}" -gt 838860 -a "${kb:-0}" -le 1048576
            fi
            check "disk marker '$(fact disk-marker)', expected '$disk_marker'" \
                test "$(fact disk-marker)" = "$disk_marker"
            check "rng_current is '$(fact rng-current)', expected virtio_rng.*" \
                contains "$(fact rng-current)" virtio_rng
            check "read $(fact hwrng-bytes) bytes from /dev/hwrng, expected 64" \
                test "$(fact hwrng-bytes)" = 64
            check "guest's /dev/hvc0: '$(fact hvc0)', expected written" \
                test "$(fact hvc0)" = written
            check "the virtconsole's host file lacks 'MICROVM-HVC $hvc'" \
                grep -q "^MICROVM-HVC $hvc" "$hvc_file"
            check "port $srv_port: the guest got '$(fact net-reply)', expected '$token'" \
                test "$(fact net-reply)" = "$token"
            check "kernel did not power down (no 'reboot: Power down')" \
                grep -q 'reboot: Power down' "$log"
            check "QEMU exit status $rc, expected 0" test "$rc" = 0 ;;
        smbios-dmi)
            local vendor="microvm-linux-smbios-$$"
            EXTRA_ARGS="-smbios type=1,manufacturer=$vendor" \
                boot "$id" microvm,acpi=off 1 "$GUEST_DIR/vmlinux" ""
            check_booted
            check "sys_vendor is '$(fact dmi-sys-vendor)', expected '$vendor'" \
                test "$(fact dmi-sys-vendor)" = "$vendor" ;;
        seabios-bzimage)
            local vendor="microvm-linux-seabios-$$"
            seabios_ready linuxboot_dma.bin || return
            BIOS=$SEABIOS EXTRA_ARGS="-L $QEMU_BLOBS -smbios type=1,manufacturer=$vendor" \
                boot "$id" microvm,acpi=on 2 "$GUEST_DIR/vmlinuz" ""
            check_booted
            check "nproc is '$(fact nproc)', expected 2" test "$(fact nproc)" = 2
            check "no /dev/vda in the guest" test "$(fact vda)" = yes
            check "sys_vendor is '$(fact dmi-sys-vendor)', expected '$vendor'" \
                test "$(fact dmi-sys-vendor)" = "$vendor"
            check "QEMU exit status $rc, expected 0" test "$rc" = 0 ;;
        seabios-pvh)
            # pic=off: SeaBIOS leaves the 8259 unprogrammed (vector base
            # 0, nothing masked) and LINT0 in ExtINT mode, and a PVH entry
            # skips the bzImage setup code that masks the 8259: with a
            # PIC, the PIT's tick can reach Linux as vector 0, a "divide
            # error" panic in about 3 boots of 8 (README, Known problems;
            # upstream's microvm too).
            seabios_ready pvh.bin || return
            BIOS=$SEABIOS EXTRA_ARGS="-L $QEMU_BLOBS" \
                boot "$id" microvm,acpi=on,pic=off 2 "$GUEST_DIR/vmlinux" ""
            check_booted
            check "nproc is '$(fact nproc)', expected 2" test "$(fact nproc)" = 2
            check "no /dev/vda in the guest" test "$(fact vda)" = yes
            check "QEMU exit status $rc, expected 0" test "$rc" = 0 ;;
        mini-pvh-acpi-off)
            mini_net_case "$id" microvm,acpi=off "$MINI_DIR/vmlinux" ;;
        mini-bzimage-acpi-off)
            mini_net_case "$id" microvm,acpi=off "$MINI_DIR/bzImage" ;;
        mini-direct-pvh-acpi-off)
            mini_net_case "$id" microvm,acpi=off,direct-boot=on \
                "$MINI_DIR/vmlinux" ;;
        mini-direct-bzimage-acpi-off)
            mini_net_case "$id" microvm,acpi=off,direct-boot=on \
                "$MINI_DIR/bzImage" ;;
        mini-pvh-acpi-on)
            mini_net_case "$id" microvm,acpi=on "$MINI_DIR/vmlinux" \
                microvm.end=poweroff
            check "COM1 not enumerated through PNPACPI (no '00:0?: ttyS0' line)" \
                grep -qE '^.*00:0[0-9]: ttyS0 at I/O 0x3f8' "$log"
            check "kernel did not power down (no 'reboot: Power down')" \
                grep -q 'reboot: Power down' "$log"
            check "QEMU exit status $rc, expected 0" test "$rc" = 0 ;;
        *) die "internal: no case $id" ;;
    esac
}

echo "1..${#TESTS[@]}"
n=0
failed=0
for t in "${TESTS[@]}"; do
    n=$((n + 1))
    id=${t%%|*}
    name=${t#*|}
    why=
    skip_reason=
    log=
    case " $SKIP_TESTS " in
        *" $id "*) skip_reason="listed in SKIP_TESTS" ;;
        *) run_case "$id" ;;
    esac
    if [ -n "$skip_reason" ]; then
        echo "ok $n - $id: $name # SKIP $skip_reason"
    elif [ -z "$why" ]; then
        echo "ok $n - $id: $name"
    else
        failed=$((failed + 1))
        echo "not ok $n - $id: $name"
        echo "# $why"
        echo "# console log ($log):"
        sed 's/^/#   /' "$log"
    fi
done

if [ $failed -ne 0 ]; then
    echo "# $failed of ${#TESTS[@]} failed; logs in $LOG_DIR" >&2
    exit 1
fi
