#!/bin/bash
# Print a glue patch: the difference between an upstream file in the
# pristine tree and an edited copy of it, with a/ and b/ paths as
# scripts/apply-overlay.sh applies them (patch -p1).
set -eu
. "$(dirname "$0")/lib.sh"

if [ $# -ne 2 ] || [ "$1" = --help ] || [ "$1" = -h ]; then
    echo "usage: $0 TREE-PATH EDITED-FILE > patches/glue/NNNN-name.patch" >&2
    echo "  TREE-PATH    the file's path in the QEMU tree (e.g. meson.build)" >&2
    echo "  EDITED-FILE  your edited copy of the pristine file" >&2
    echo "then add the patch's name to patches/glue/series" >&2
    [ $# -eq 2 ] && exit 0 || exit 1
fi
"$TOP/scripts/fetch-upstream.sh"
orig="$(pristine_tree)/$1"
[ -f "$orig" ] || orig=/dev/null
diff -u --label "a/$1" --label "b/$1" "$orig" "$2" && {
    echo "make-glue: no difference" >&2; exit 1; } || [ $? = 1 ]
