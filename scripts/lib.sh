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
