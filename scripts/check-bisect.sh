#!/bin/bash
# Bisectability of the exported series: check out every prefix of
# patches/export (applied with git am onto the pristine tree), configure
# it in the microvm build profile and build qemu-system-x86_64 (and the
# firmware ROM and the qtests where the prefix has them).  One work tree
# and one build folder are reused, so each prefix only rebuilds what it
# changed.  Not part of 'make check': the first build alone takes about
# 6 minutes on 2 cores.  'make check-bisect' runs it.
set -eu
. "$(dirname "$0")/lib.sh"

usage() {
    cat <<USAGE
usage: $0 [--help] [--quick] [--from N] [--keep]

  --quick   no builds: compile the hw/i386/microvm*.c files of every
            prefix with the flags of the main build ($QEMU_BUILD, from
            'make build') and -Werror; takes a minute, catches a
            patches/series.def hook that leaves a prefix broken
  --from N  start at patch N (default 1)
  --keep    keep the work tree and build folder ($BUILD_DIR/bisect)
Prints one TAP line per prefix; the build logs are in $BUILD_DIR/bisect/.
Environment: JOBS=<n> (ninja -j, default: the number of CPUs).
USAGE
}
from=1
keep=0
quick=0
while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --from) from=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        --quick) quick=1; shift ;;
        *) usage >&2; exit 1 ;;
    esac
done

"$TOP/scripts/fetch-upstream.sh" >&2
gitdir="$BUILD_DIR/patches/base.git"
[ -d "$gitdir" ] || "$TOP/scripts/export-patches.sh" --output \
    "$(mktemp -d "${TMPDIR:-/tmp}/bisect-export.XXXXXX")" > /dev/null

# --quick: each prefix's tree from 'git apply --cached' (no checkout),
# then its machine files compiled alone against the main build.
quick_check() {
    local idx cmd tree k p f t n=0 fails=0 log
    [ -f "$QEMU_BUILD/compile_commands.json" ] ||
        die "no $QEMU_BUILD/compile_commands.json: run make build first"
    cmd=$(/usr/bin/python3 - "$QEMU_BUILD/compile_commands.json" <<'PY'
import json, sys
for e in json.load(open(sys.argv[1])):
    if e["file"].endswith("hw/i386/microvm.c"):
        print(e["command"].split(" -MD ")[0])
        break
PY
)
    [ -n "$cmd" ] || die "hw/i386/microvm.c is not in the main build"
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/bisect-quick.XXXXXX")
    trap 'rm -rf "${tmp:?}"' EXIT
    idx="$tmp/index"
    mapfile -t series < <(cd "$TOP/patches/export" &&
                          ls 0*.patch | grep -v '^0000-' | sort)
    echo "1..${#series[@]}"
    GIT_INDEX_FILE=$idx git --git-dir="$gitdir" read-tree refs/heads/base
    for k in $(seq 1 "${#series[@]}"); do
        p=${series[$((k - 1))]}
        log="$tmp/$k.log"
        GIT_INDEX_FILE=$idx git --git-dir="$gitdir" apply --cached \
            "$TOP/patches/export/$p" > "$log" 2>&1 ||
            die "$p does not apply: run scripts/check-patches.sh"
        tree=$(GIT_INDEX_FILE=$idx git --git-dir="$gitdir" write-tree)
        t="$tmp/tree$k"
        mkdir -p "$t/hw/i386" "$t/include/hw/i386"
        for f in $(git --git-dir="$gitdir" ls-tree --name-only "$tree" \
                       hw/i386/ include/hw/i386/microvm.h |
                   grep -E '/microvm[^/]*\.[ch]$'); do
            git --git-dir="$gitdir" show "$tree:$f" > "$t/$f"
        done
        n=0
        for f in "$t"/hw/i386/microvm*.c; do
            [ -f "$f" ] || continue
            grep -q "'$(basename "$f")'" < <(git --git-dir="$gitdir" \
                show "$tree:hw/i386/meson.build") || continue
            # the prefix's headers first, then the build's
            (cd "$QEMU_BUILD" &&
             eval "nice ${cmd/ -iquote / -iquote $t/include -iquote }" \
                  "-iquote $SRC_DIR/hw/i386 -Werror -o /dev/null -c $f") \
                >> "$log" 2>&1 ||
                n=$((n + 1))
        done
        if [ "$n" = 0 ]; then
            echo "ok $k - compiles: $p"
        else
            echo "not ok $k - compiles: $p"
            sed -e "s,$t/,," -e 's/^/# /' "$log" | head -n 20
            fails=$((fails + 1))
        fi
    done
    [ "$fails" = 0 ] || die "$fails prefixes do not compile"
}
if [ "$quick" = 1 ]; then
    quick_check
    exit 0
fi

dir="$BUILD_DIR/bisect"
wt="$dir/src"
bld="$dir/qemu"
mkdir -p "$dir"
git --git-dir="$gitdir" worktree prune
if [ ! -d "$wt/.git" ] && [ ! -f "$wt/.git" ]; then
    rm -rf "$wt"
    msg "checking out the pristine tree into $wt"
    git --git-dir="$gitdir" worktree add -q --detach "$wt" refs/heads/base
fi
gitc() {
    git -C "$wt" -c user.name=bisect -c user.email=bisect@localhost \
        -c core.autocrlf=false "$@"
}
cleanup() {
    if [ "$keep" = 0 ]; then
        git --git-dir="$gitdir" worktree remove --force "$wt" 2>/dev/null ||
            true
        rm -rf "$dir"
    fi
}
trap cleanup EXIT

# The series as committed, applied once; prefix k is then HEAD~(N-k).
gitc am --abort > /dev/null 2>&1 || true
gitc checkout -q -f --detach refs/heads/base
gitc clean -q -fdx
mapfile -t series < <(cd "$TOP/patches/export" &&
                      ls 0*.patch | grep -v '^0000-' | sort)
(cd "$TOP/patches/export" && gitc am -q "${series[@]/#/$PWD/}") ||
    die "git am of patches/export failed: run scripts/check-patches.sh"
tip=$(gitc rev-parse HEAD)
total=${#series[@]}
echo "1..$((total - from + 1))"

# The build profile's device list (configs/devices/.../microvm.mak) is
# harness input, like configure's options: a prefix that does not have
# it yet builds with the overlay's copy.
mak=configs/devices/x86_64-softmmu/microvm.mak
fails=0
for k in $(seq "$from" "$total"); do
    p=${series[$((k - 1))]}
    log="$dir/$(printf %04d "$k").log"
    gitc checkout -q -f --detach "$tip~$((total - k))"
    gitc cat-file -e "HEAD:$mak" 2>/dev/null ||
        cp -p "$TOP/hw-i386-microvm/microvm.mak" "$wt/$mak"
    msg "[$k/$total] $p"
    rc=0
    {
        if [ ! -f "$bld/build.ninja" ]; then
            rm -rf "$bld"
            "$TOP/configure-wrapper.sh" --src "$wt" --build "$bld"
        fi
        ninja -C "$bld" build.ninja
        targets=(qemu-system-x86_64)
        for t in microvm-rom microvm-tests; do
            if ninja -C "$bld" -t query "$t" > /dev/null 2>&1; then
                targets+=("$t")
            fi
        done
        nice ninja -C "$bld" -j "${JOBS:-$(nproc)}" "${targets[@]}"
    } > "$log" 2>&1 || rc=$?
    if [ "$rc" = 0 ]; then
        echo "ok $k - builds: $p"
    else
        echo "not ok $k - builds: $p"
        tail -n 20 "$log" | sed -e 's/^/# /'
        fails=$((fails + 1))
    fi
done
[ "$fails" = 0 ] || die "$fails prefixes of the series do not build (logs: $dir)"
