#!/bin/bash
# Run upstream QEMU's scripts/checkpatch.pl over the overlay's source
# files (as whole files), or over the exported series (--series), and
# fail if it reports any error or warning.
set -eu
. "$(dirname "$0")/lib.sh"

usage() {
    cat <<USAGE
usage: $0 [--help] [--series] [FILE...]

Without arguments: every C, header and assembly file of the overlay
(overlay.manifest), checked with 'checkpatch.pl --file'.
FILE...: only these overlay files (paths in this repository).
--series: regenerate the series into a temporary folder and check each
patch as 'make check' does (this also checks SPDX lines, MAINTAINERS
and the commit messages).
USAGE
}
series=0
files=()
for a in "$@"; do
    case "$a" in
        -h|--help) usage; exit 0 ;;
        --series) series=1 ;;
        -*) usage >&2; exit 1 ;;
        *) files+=("$(cd "$(dirname "$a")" && pwd)/$(basename "$a")") ;;
    esac
done

"$TOP/scripts/fetch-upstream.sh" >&2
pristine=$(pristine_tree)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/checkpatch-overlay.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# checkpatch finds the QEMU tree from its own path; the files are checked
# under their paths in the tree (some rules depend on them, e.g. tests/).
checkpatch() {
    (cd "$tmp/tree" && perl "$pristine/scripts/checkpatch.pl" --no-color "$@")
}
mkdir -p "$tmp/tree"
# Copy an overlay file to its place in the tree; print that place.
place() {
    local f=$1 from to rest rel
    rel=${f#"$TOP"/}
    while read -r from to rest; do
        case "$from" in ''|'#'*) continue ;; esac
        case "$rel" in
            "$from") break ;;
            "$from"*) [ "${from%/}" != "$from" ] &&
                          { to="${to%/}/${rel#"$from"}"; break; } ;;
        esac
        to=
    done < "$TOP/overlay.manifest"
    [ -n "$to" ] || die "$rel is not an overlay file (overlay.manifest)"
    mkdir -p "$(dirname "$tmp/tree/$to")"
    cp "$f" "$tmp/tree/$to"
    echo "$to"
}

if [ "$series" = 1 ]; then
    "$TOP/scripts/export-patches.sh" --output "$tmp" >&2
    for p in "$tmp"/export/0*.patch; do
        case "$p" in */0000-cover-letter.patch) continue ;; esac
        files+=("$p")
    done
    mode=()
else
    if [ ${#files[@]} -eq 0 ]; then
        while read -r from to rest; do
            case "$from" in ''|'#'*) continue ;; esac
            if [ -d "$TOP/$from" ]; then
                while IFS= read -r f; do
                    files+=("$f")
                done < <(find "$TOP/$from" -type f \
                         \( -name '*.[ch]' -o -name '*.S' \) | sort)
            else
                case "$from" in
                    *.c|*.h|*.S) files+=("$TOP/$from") ;;
                esac
            fi
        done < "$TOP/overlay.manifest"
    fi
    mode=(--file)
fi

bad=0
for f in "${files[@]}"; do
    arg=$f
    [ "$series" = 1 ] || arg=$(place "$f")
    out=$(checkpatch "${mode[@]}" "$arg" 2>&1) || true
    if grep -qE '^(ERROR|WARNING):' <<<"$out"; then
        echo "== ${f#"$TOP"/}"
        grep -E -A3 '^(ERROR|WARNING):' <<<"$out"
        bad=$((bad + 1))
    fi
done
if [ "$bad" != 0 ]; then
    echo "checkpatch: $bad of ${#files[@]} files have errors or warnings" >&2
    exit 1
fi
echo "checkpatch: ${#files[@]} files clean" >&2
