#!/bin/bash
# Boot Debian's cloud kernel (PVH vmlinux) with the busybox initramfs, a
# virtio-blk disk and virtio-net on our microvm: the reference command of
# DESIGN.md.  On a terminal the guest gives an interactive shell; without one
# (CI) it runs the scripted check: boot with microvm.test=1, wait (bounded)
# for the userspace marker and the guest's reboot, print PASS or FAIL.
# Builds nothing but the guest assets (scripts/guest-assets.sh).
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
    cat <<USAGE
usage: $0 [--help] [--check | --interactive] [-- EXTRA-QEMU-ARGS...]

  --check        scripted boot check (default when stdin is not a terminal)
  --interactive  guest shell on this terminal (default on a terminal);
                 leave with 'reboot -f' in the guest or Ctrl-a x

Environment:
  QEMU           the QEMU binary (default: build/qemu-system-x86_64)
  MACHINE_OPTS   -M value (default: microvm, i.e. ACPI on)
  BIOS           firmware passed as -bios (default: none, i.e. the machine's
                 own; when QEMU is not our build and /usr/share/qemu/qboot.rom
                 exists, that qboot, since upstream's SeaBIOS default often
                 fails to boot this kernel under TCG); BIOS=none: no -bios
  KERNEL         kernel image (default: build/guest/vmlinux; or .../vmlinuz)
  APPEND         extra kernel command line words
  MEM, SMP       -m and -smp (default: 1G, 1)
  NET            user (default) or tap; TAP_IF names the tap (default tap0,
                 must exist: ip tuntap add tap0 mode tap && ip link set tap0 up)
  TSC_KHZ        under TCG, tsc_early_khz= for the guest (default 2000000;
                 none: let the kernel calibrate, racy under TCG)
  TIMEOUT        seconds the scripted check waits (default: 300)
  ACCEL          auto (default: KVM with -cpu host when /dev/kvm works,
                 else TCG), kvm (fail without KVM) or tcg
USAGE
}

mode=
while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --check) mode=check ;;
        --interactive) mode=interactive ;;
        --) shift; break ;;
        *) usage >&2; die "unknown argument: $1 (QEMU arguments go after --)" ;;
    esac
    shift
done
if [ -z "$mode" ]; then
    if [ -t 0 ] && [ -t 1 ]; then mode=interactive; else mode=check; fi
fi

QEMU=${QEMU:-$BUILD_DIR/qemu-system-x86_64}
MACHINE_OPTS=${MACHINE_OPTS:-microvm}
MEM=${MEM:-1G}
SMP=${SMP:-1}
NET=${NET:-user}
TIMEOUT=${TIMEOUT:-300}
GUEST_DIR="$BUILD_DIR/guest"
KERNEL=${KERNEL:-$GUEST_DIR/vmlinux}

guest_qemu_setup || exit 1

"$TOP/scripts/guest-assets.sh"
case ",$MACHINE_OPTS," in
    *,acpi=off,*)
        grep -q '^CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES=y' "$GUEST_DIR/config" ||
            msg "note: with acpi=off this guest kernel cannot find virtio-mmio devices (no CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES): no /dev/vda, no eth0; MACHINE_OPTS=microvm,acpi=on shows them" ;;
esac

case "$NET" in
    user) netdev="user,id=net0" ;;
    tap)
        TAP_IF=${TAP_IF:-tap0}
        [ -d "/sys/class/net/$TAP_IF" ] ||
            die "no tap interface $TAP_IF: ip tuntap add $TAP_IF mode tap && ip link set $TAP_IF up (as root), or NET=user"
        netdev="tap,id=net0,ifname=$TAP_IF,script=no,downscript=no" ;;
    *) die "NET=$NET: use NET=user or NET=tap" ;;
esac

append="earlyprintk=ttyS0 console=ttyS0,115200,8n1 reboot=t"
[ "$mode" = interactive ] || append="$append microvm.test=1"
[ -z "$TSC_APPEND" ] || append="$append $TSC_APPEND"
[ -z "${APPEND:-}" ] || append="$append $APPEND"

cmd=("$QEMU" -M "$MACHINE_OPTS")
[ -z "$BIOS" ] || cmd+=(-bios "$BIOS")
cmd+=(-kernel "$KERNEL" -initrd "$GUEST_DIR/initramfs.cpio.gz"
    -append "$append"
    "${accel[@]}" -m "$MEM" -smp "$SMP" -nodefaults -no-user-config
    -netdev "$netdev" -device "virtio-net-device,netdev=net0"
    -drive "id=test,file=$GUEST_DIR/disk.img,format=raw,if=none"
    -device "virtio-blk-device,drive=test"
    -nographic -serial stdio -no-reboot "$@")

msg "$accel_name: ${cmd[*]}"
if [ "$mode" = interactive ]; then
    msg "guest shell on this terminal; 'reboot -f' in the guest or Ctrl-a x quits"
    exec "${cmd[@]}"
fi

log="$BUILD_DIR/run-check.log"
msg "scripted check (timeout ${TIMEOUT}s, console log: $log)"
timeout --kill-after=10 "$TIMEOUT" "${cmd[@]}" </dev/null 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

fail() {
    echo "FAIL: $*"
    echo "(console log: $log; rerun on a terminal for a shell: make run)"
    exit 1
}
case "$rc" in
    124|137) fail "no guest reboot within ${TIMEOUT}s (QEMU killed)" ;;
esac
grep -q '^MICROVM-USERSPACE-OK' "$log" ||
    fail "the guest never reached userspace (no MICROVM-USERSPACE-OK marker)"
grep -q '^MICROVM-DONE' "$log" ||
    fail "the guest's init did not finish (no MICROVM-DONE line)"
[ "$rc" = 0 ] ||
    fail "QEMU exited with status $rc after the guest's reboot (expected 0)"
sed -n 's/^MICROVM-FACT /  /p' "$log"
echo "PASS: reached userspace and QEMU exited 0 after the guest's reboot ($accel_name)"
