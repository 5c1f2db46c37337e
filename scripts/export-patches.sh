#!/bin/bash
# Regenerate patches/export/ (a git format-patch series with a cover
# letter) and patches/debian/ (the same patches with DEP-3 headers, a
# quilt 'series' file and the binary files quilt cannot apply) from the
# overlay (overlay.manifest) and the glue patches (patches/glue/), cut
# into the patches that patches/series.def defines, against the pinned
# pristine upstream tree.  Deterministic: a second run writes
# byte-identical files.  'make patches' runs it.
set -eu
. "$(dirname "$0")/lib.sh"

usage() {
    cat <<USAGE
usage: $0 [--help] [--output DIR] [--print-tree]

Writes DIR/export and DIR/debian (default DIR: $TOP/patches).
--print-tree prints the git tree id of the series' result on stdout.  The pristine tree is imported
once into $BUILD_DIR/patches/base.git (delete it after changing
QEMU_SRC).  The series layout is patches/series.def; the cover letter's
text is patches/cover-letter.txt.
USAGE
}
out="$TOP/patches"
print_tree=0
while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --output) out=$2; shift 2 ;;
        --print-tree) print_tree=1; shift ;;
        *) usage >&2; exit 1 ;;
    esac
done

"$TOP/scripts/fetch-upstream.sh" >&2
mkdir -p "$out"
tree=$(/usr/bin/python3 "$TOP/scripts/export-patches.py" \
    "$(pristine_tree)" "$BUILD_DIR" "$out")
if [ "$print_tree" = 1 ]; then
    echo "$tree"
else
    msg "wrote $(ls "$out/export" | wc -l) files to $out/export and" \
        "the quilt series to $out/debian"
fi
