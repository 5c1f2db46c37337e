#!/bin/bash
# Build the patched source tree: a fresh copy of the pristine upstream tree,
# the overlay files copied to the places overlay.manifest names, then the
# glue patches of patches/glue/series applied.  The result is synced into
# build/src by content, so files that did not change keep their timestamps
# and a rebuild recompiles only what the overlay changed.
set -eu
. "$(dirname "$0")/lib.sh"

case "${1:-}" in
    -h|--help)
        cat <<USAGE
usage: $0 [--help]

Writes the patched tree to $SRC_DIR.  Idempotent.
Environment: QEMU_SRC=<dir> starts from that tree instead of the cached
Debian tarball (see scripts/fetch-upstream.sh).
USAGE
        exit 0 ;;
esac

"$TOP/scripts/fetch-upstream.sh"
pristine=$(pristine_tree)
stage="$BUILD_DIR/.stage"

msg "applying the overlay to a copy of $pristine"
rm -rf "$stage"
mkdir -p "$stage"
# A git checkout's metadata is not part of the tree we build.
rsync -a --exclude=/.git --exclude=/build "$pristine/" "$stage/"

# Copy each overlay entry; an entry ending in '/' replaces a whole folder.
while read -r from to rest; do
    case "$from" in ''|'#'*) continue ;; esac
    [ -n "$to" ] && [ -z "$rest" ] ||
        die "overlay.manifest: bad line '$from $to $rest'"
    [ -e "$TOP/$from" ] || die "overlay.manifest names missing $from"
    case "$from" in
        */)
            rm -rf "${stage:?}/$to"
            mkdir -p "$stage/$to"
            rsync -a --exclude='*.o' "$TOP/$from" "$stage/$to"
            ;;
        *)
            mkdir -p "$(dirname "$stage/$to")"
            cp "$TOP/$from" "$stage/$to"
            ;;
    esac
done < "$TOP/overlay.manifest"

# Glue patches for upstream files we do not own, in series order.
while read -r p; do
    case "$p" in ''|'#'*) continue ;; esac
    patch -d "$stage" -p1 -s -F0 --no-backup-if-mismatch \
          < "$TOP/patches/glue/$p" ||
        die "glue patch $p does not apply to $pristine"
done < "$TOP/patches/glue/series"

# No -t: a file whose content changed gets the current time, so ninja
# rebuilds it even when the overlay file is older than its last object.
mkdir -p "$SRC_DIR"
rsync -rlpD --checksum --delete "$stage/" "$SRC_DIR/"
rm -rf "$stage"
msg "patched tree ready in $SRC_DIR"
