# Shared settings for the overlay scripts; sourced, never run.
# shellcheck shell=bash

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The upstream pin: QEMU 10.0.2 as Debian's source package ships it.
QEMU_VERSION=10.0.2
QEMU_DEB_VERSION="1:10.0.2+ds-2+deb13u1~bpo12+1"
QEMU_TARBALL="qemu_10.0.2+ds.orig.tar.xz"
QEMU_SHA256=0901da33844a331bf8b3602b9c1fbd178e60b737c8e3ade678255bd090c9b9f1

# Downloads and the pristine tree live outside the checkout.
CACHE_DIR=${MICROVM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/qemu-microvm}
PRISTINE_DIR="$CACHE_DIR/pristine-$QEMU_VERSION"

# Everything generated lives under build/ (ignored by git).
BUILD_DIR=${MICROVM_BUILD:-$TOP/build}
SRC_DIR="$BUILD_DIR/src"
QEMU_BUILD="$BUILD_DIR/qemu"

msg() {
    echo "==> $*" >&2
}

die() {
    echo "error: $*" >&2
    exit 1
}

# The pristine upstream tree to start from: $QEMU_SRC when set, else the
# verified Debian tarball unpacked in the cache.
pristine_tree() {
    if [ -n "${QEMU_SRC:-}" ]; then
        echo "$QEMU_SRC"
    else
        echo "$PRISTINE_DIR"
    fi
}

# True when this host can run $QEMU with KVM: /dev/kvm opens read-write
# and the accelerator initialises (a stopped VM that quits at once).
kvm_usable() {
    [ -c /dev/kvm ] && ( exec 3<>/dev/kvm ) 2>/dev/null || return 1
    echo quit | timeout 20 "$QEMU" -M microvm -accel kvm -cpu host \
        -nodefaults -no-user-config -display none -S -monitor stdio \
        >/dev/null 2>&1
}

# Guest boots (run.sh, tests-linux): after guest_qemu_setup, $BIOS is the
# -bios image to pass (empty: the machine's default, our ROM; Debian's
# qboot when $QEMU is another build, e.g. /usr/bin/qemu-system-x86_64),
# accel/accel_name say KVM (-cpu host) or TCG, as ACCEL (auto, kvm, tcg)
# and kvm_usable decide, and $TSC_APPEND is what the
# guest command line needs: under TCG, Linux's TSC calibration against the
# PIT races the host clock and still fails now and then, so a fixed
# frequency (TSC_KHZ, default 2 GHz; TSC_KHZ=none: let the kernel try)
# makes every boot take the same path.
guest_qemu_setup() {
    local ours

    if [ ! -x "$QEMU" ] && ! command -v "$QEMU" >/dev/null 2>&1; then
        echo "error: $QEMU not found: build it (make build), or set" \
             "QEMU=/usr/bin/qemu-system-x86_64" >&2
        return 1
    fi
    if [ -z "${BIOS+set}" ]; then
        BIOS=
        ours=$(readlink -f "$BUILD_DIR/qemu-system-x86_64" 2>/dev/null || true)
        if [ "$(readlink -f "$(command -v "$QEMU")")" != "$ours" ] &&
                [ -f /usr/share/qemu/qboot.rom ]; then
            BIOS=/usr/share/qemu/qboot.rom
        fi
    fi
    [ "$BIOS" != none ] || BIOS=

    # ACCEL=auto (the default): KVM with -cpu host when /dev/kvm opens
    # read-write and QEMU's KVM accelerator starts, TCG otherwise.
    accel=()
    accel_name=TCG
    case "${ACCEL:-auto}" in
        tcg) ;;
        kvm|auto)
            if kvm_usable; then
                accel=(-enable-kvm -cpu host)
                accel_name=KVM
            elif [ "${ACCEL:-auto}" = kvm ]; then
                echo "error: ACCEL=kvm but KVM is not usable here" \
                     "(/dev/kvm missing, not writable, or QEMU's KVM" \
                     "accelerator fails to start)" >&2
                return 1
            fi
            ;;
        *)
            echo "error: ACCEL must be auto, kvm or tcg (got '$ACCEL')" >&2
            return 1
            ;;
    esac
    TSC_KHZ=${TSC_KHZ:-2000000}
    TSC_APPEND=
    if [ "$accel_name" = TCG ] && [ "$TSC_KHZ" != none ]; then
        TSC_APPEND="tsc_early_khz=$TSC_KHZ"
    fi
}
