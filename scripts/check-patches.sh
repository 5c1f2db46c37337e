#!/bin/bash
# Check the exported patch series (patches/export, patches/debian) and
# print the results as TAP:
#   1. no drift: the committed patches/ equal what 'make patches' writes
#   2. 'git am' applies patches/export to the pristine upstream tree and
#      gives the tree of the overlay (the series' last commit)
#   3. 'quilt push -a' of patches/debian (then the files of
#      patches/debian/binaries.list) gives the same tree
#   4+. upstream's scripts/checkpatch.pl: no error, no warning, per patch
# 'scripts/check.sh patches' (part of 'make check') runs it.
set -eu
. "$(dirname "$0")/lib.sh"

case "${1:-}" in
    -h|--help)
        cat <<USAGE
usage: $0 [--help]

Needs git, quilt and perl, and the pristine tree (scripts/fetch-upstream.sh).
Works in a temporary directory; writes nothing else but the cache of
scripts/export-patches.sh ($BUILD_DIR/patches/base.git).
USAGE
        exit 0 ;;
esac
for tool in git quilt perl; do
    command -v "$tool" >/dev/null ||
        die "$tool is missing: run scripts/setup-deps.sh"
done

pristine=$(pristine_tree)
gitdir="$BUILD_DIR/patches/base.git"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-patches.XXXXXX")
wt="$tmp/tree"
cleanup() {
    git --git-dir="$gitdir" worktree remove --force "$wt" 2>/dev/null ||
        true
    git --git-dir="$gitdir" worktree prune 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

n=0
fails=0
result() {                      # result OK|FAIL DESCRIPTION [LOG]
    n=$((n + 1))
    if [ "$1" = OK ]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2"
        fails=$((fails + 1))
        if [ -n "${3:-}" ] && [ -s "$3" ]; then
            sed -e 's/^/# /' "$3" | head -n 40
        fi
    fi
}

# 1. Drift
msg "regenerating the series into $tmp/gen"
if ! tree=$("$TOP/scripts/export-patches.sh" --output "$tmp/gen" \
        --print-tree 2> "$tmp/export.log"); then
    cat "$tmp/export.log" >&2
    echo "1..1"
    result FAIL "make patches runs" "$tmp/export.log"
    exit 1
fi
nchk=$(find "$TOP/patches/export" -name '0*.patch' ! -name '0000-*' \
       2>/dev/null | wc -l)
echo "1..$((3 + nchk))"
if diff -r "$tmp/gen/export" "$TOP/patches/export" > "$tmp/drift" 2>&1 &&
   diff -r "$tmp/gen/debian" "$TOP/patches/debian" >> "$tmp/drift" 2>&1
then
    result OK "patches/ is up to date"
else
    echo "patches/ differs from the overlay: run make patches" \
         "(and commit patches/)" >> "$tmp/drift"
    result FAIL "patches/ is out of date: run make patches" "$tmp/drift"
fi

# 2. git am onto the pristine tree
msg "git am onto a checkout of the pristine tree"
# A sparse checkout of the folders the series touches: the commits still
# hold the whole tree, and checking out 38,000 files would take minutes.
git --git-dir="$gitdir" worktree add -q --no-checkout --detach "$wt" \
    refs/heads/base > "$tmp/wt.log" 2>&1 ||
    { cat "$tmp/wt.log" >&2; die "git worktree add failed"; }
gitc() {
    git -C "$wt" -c user.name=check -c user.email=check@localhost \
        -c core.autocrlf=false "$@"
}
sed -n 's,^diff --git a/\(.*\) b/.*,\1,p' "$TOP"/patches/export/0*.patch |
    sed -n 's,/[^/]*$,,p' | sort -u > "$tmp/dirs"
gitc sparse-checkout set --cone --stdin < "$tmp/dirs"
gitc checkout -q --detach refs/heads/base
mapfile -t series < <(cd "$TOP/patches/export" &&
                      ls 0*.patch | grep -v '^0000-' | sort)
if (cd "$TOP/patches/export" && gitc am -q "${series[@]/#/$PWD/}") \
        > "$tmp/am.log" 2>&1 &&
   [ "$(gitc rev-parse 'HEAD^{tree}')" = "$tree" ]; then
    result OK "git am applies patches/export to pristine $QEMU_VERSION"
else
    echo "tree after git am: $(gitc rev-parse 'HEAD^{tree}'), expected" \
         "$tree" >> "$tmp/am.log"
    result FAIL "git am applies patches/export to pristine $QEMU_VERSION" \
           "$tmp/am.log"
fi

# 3. quilt push -a onto the pristine tree, same result
msg "quilt push -a onto the pristine tree"
gitc am --abort > /dev/null 2>&1 || true
gitc checkout -q -f --detach refs/heads/base
gitc clean -q -fdx
# git am left the skip-worktree files alone; quilt only reads the ones
# its patches name, all inside the sparse cone.
ok=1
(cd "$wt" && QUILT_PATCHES="$TOP/patches/debian" QUILT_PC=.pc \
    quilt push -a -q --fuzz=0) > "$tmp/quilt.log" 2>&1 || ok=0
if [ "$ok" = 1 ]; then
    while read -r b; do
        case "$b" in
            ''|'#'*) continue ;;
            -*) rm -f "$wt/${b#-}"; continue ;;
        esac
        mkdir -p "$(dirname "$wt/$b")"
        cp "$TOP/patches/debian/binaries/$b" "$wt/$b"
    done < "$TOP/patches/debian/binaries.list"
    rm -rf "$wt/.pc"
    gitc add -A -f --sparse . > /dev/null
    qtree=$(gitc write-tree)
    [ "$qtree" = "$tree" ] || {
        ok=0
        gitc diff --cached --stat "$tree" >> "$tmp/quilt.log" 2>&1 || true
    }
fi
if [ "$ok" = 1 ]; then
    result OK "quilt push -a (patches/debian) gives the same tree"
else
    result FAIL "quilt push -a (patches/debian) gives the same tree" \
           "$tmp/quilt.log"
fi

# 4. checkpatch, one result per patch.  Not counted, for the expected ACPI
# tables only (binary files): that a new one has no SPDX line, and that a
# patch of nothing but such tables has no unified diff.
excused="^WARNING: Does new file 'tests/data/acpi/[^']*' need"
for p in "${series[@]}"; do
    log="$tmp/checkpatch-$p.log"
    rc=0
    (cd "$pristine" && perl scripts/checkpatch.pl --no-color \
         "$TOP/patches/export/$p") > "$log" 2>&1 || rc=$?
    ex=$excused
    if ! grep '^diff --git ' "$TOP/patches/export/$p" |
            grep -qv '^diff --git a/tests/data/acpi/'; then
        ex="$ex|^ERROR: Does not appear to be a unified-diff format patch"
    fi
    grep -E '^(ERROR|WARNING):' "$log" | grep -vE "$ex" > "$log.real" ||
        true
    if [ "$rc" != 0 ] && [ ! -s "$log.real" ] &&
            grep -q '^total: ' "$log"; then
        rc=0        # checkpatch's status counted only the excused warning
    fi
    if [ "$rc" = 0 ] && [ ! -s "$log.real" ]; then
        result OK "checkpatch: $p"
    else
        grep -E -A3 '^(ERROR|WARNING):' "$log" > "$log.short" || true
        result FAIL "checkpatch: $p" "$log.short"
    fi
done

[ "$fails" = 0 ]
