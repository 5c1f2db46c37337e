#!/bin/bash
# Fetch the pinned upstream QEMU source (Debian's qemu 10.0.2 tarball),
# verify its sha256 and unpack it, read-only in spirit, into the cache.
# With QEMU_SRC=<dir> set, check that tree instead and fetch nothing.
set -eu
. "$(dirname "$0")/lib.sh"

case "${1:-}" in
    -h|--help)
        cat <<USAGE
usage: $0 [--help]

Downloads $QEMU_TARBALL with 'apt-get source --download-only --tar-only'
(version $QEMU_DEB_VERSION from bookworm-backports) into
$CACHE_DIR, checks its sha256 and unpacks it to
$PRISTINE_DIR.
Environment: QEMU_SRC=<dir> uses an existing QEMU $QEMU_VERSION tree or
git checkout instead; MICROVM_CACHE=<dir> moves the cache.
USAGE
        exit 0 ;;
esac

if [ -n "${QEMU_SRC:-}" ]; then
    [ -f "$QEMU_SRC/VERSION" ] && [ -f "$QEMU_SRC/hw/i386/meson.build" ] ||
        die "QEMU_SRC=$QEMU_SRC is not a QEMU source tree"
    v=$(cat "$QEMU_SRC/VERSION")
    case "$v" in
        "$QEMU_VERSION"|"$QEMU_VERSION".*) ;;
        *) echo "warning: QEMU_SRC is QEMU $v, the overlay is made for" \
                "$QEMU_VERSION; glue patches may not apply" >&2 ;;
    esac
    exit 0
fi

if [ -f "$PRISTINE_DIR/.verified" ]; then
    exit 0
fi

mkdir -p "$CACHE_DIR"
tarball="$CACHE_DIR/$QEMU_TARBALL"
check() {
    echo "$QEMU_SHA256  $tarball" | sha256sum -c --status
}
if [ ! -f "$tarball" ] || ! check; then
    rm -f "$tarball"
    msg "fetching $QEMU_TARBALL (Debian source package qemu $QEMU_DEB_VERSION)"
    (cd "$CACHE_DIR" &&
     apt-get source -q --download-only --tar-only \
         -t bookworm-backports "qemu=$QEMU_DEB_VERSION" >/dev/null 2>&1 ||
     apt-get source -q --download-only --tar-only \
         -t bookworm-backports qemu >/dev/null) ||
        die "apt-get source failed: run scripts/setup-deps.sh (it adds deb-src and bookworm-backports), then retry"
    [ -f "$tarball" ] || die "apt-get did not produce $QEMU_TARBALL"
fi
check || die "$tarball: sha256 mismatch (expected $QEMU_SHA256); delete it and retry"

msg "unpacking $QEMU_TARBALL"
tmp="$PRISTINE_DIR.tmp"
rm -rf "$tmp" "$PRISTINE_DIR"
mkdir -p "$tmp"
tar -xJf "$tarball" -C "$tmp" --strip-components=1
touch "$tmp/.verified"
mv "$tmp" "$PRISTINE_DIR"
