#!/bin/bash
# Mail the exported series (patches/export) upstream with git send-email:
# To qemu-devel, Cc whoever upstream's scripts/get_maintainer.pl names
# for each patch, subjects '[PATCH vN nn/mm]'.  A dry run (nothing is
# sent, the mails are printed) unless --send is given.
set -eu
. "$(dirname "$0")/lib.sh"

usage() {
    cat <<USAGE
usage: $0 [--help] [-v N] [--to ADDR] [--cc ADDR]... [--send]
          [-- GIT-SEND-EMAIL-ARGS...]

  -v N        version of the series: subjects become [PATCH vN nn/mm]
              (default 1: [PATCH nn/mm])
  --to ADDR   the list (default qemu-devel@nongnu.org)
  --cc ADDR   one more Cc, on every patch
  --send      really send (SMTP settings: git config sendemail.*);
              without it, git send-email --dry-run prints what it would
              send
Run 'make patches' first: the series is sent as patches/export holds it.
Needs git send-email (Debian package git-email).
USAGE
}

# Called back by git send-email as --cc-cmd: the maintainers of one patch
if [ "${1:-}" = --cc-cmd ]; then
    pristine=$(pristine_tree)
    cd "$pristine"
    exec perl scripts/get_maintainer.pl --noroles --norolestats --nogit \
        --nogit-fallback --no-l "$2"
fi

version=1
to=qemu-devel@nongnu.org
send=0
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        -v) version=$2; shift 2 ;;
        -v[0-9]*) version=${1#-v}; shift ;;
        --to) to=$2; shift 2 ;;
        --cc) extra+=("--cc=$2"); shift 2 ;;
        --send) send=1; shift ;;
        --) shift; extra+=("$@"); break ;;
        *) usage >&2; exit 1 ;;
    esac
done
case "$version" in
    ''|*[!0-9]*|0) die "-v takes a positive number" ;;
esac
git send-email --help > /dev/null 2>&1 ||
    die "git send-email is missing: apt-get install git-email"
"$TOP/scripts/fetch-upstream.sh" >&2
ls "$TOP"/patches/export/0*.patch > /dev/null 2>&1 ||
    die "no patches in patches/export: run make patches"

# Copies with the version in the subject
tmp=$(mktemp -d "${TMPDIR:-/tmp}/send-series.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=PATCH
[ "$version" = 1 ] || prefix="PATCH v$version"
for p in "$TOP"/patches/export/0*.patch; do
    sed -e "1,/^\$/s/^Subject: \[PATCH\( [0-9]*\/[0-9]*\)\?\]/Subject: [$prefix\1]/" \
        "$p" > "$tmp/$(basename "$p")"
done
grep -q "^Subject: \[$prefix" "$tmp/0000-cover-letter.patch" ||
    die "could not set the subject prefix"

args=(--to="$to" --cc-cmd="$TOP/scripts/send-series.sh --cc-cmd"
      --suppress-cc=self --no-chain-reply-to --thread --confirm=never
      --8bit-encoding=UTF-8)
if [ "$send" = 1 ]; then
    msg "sending ${prefix}: $(ls "$tmp" | wc -l) mails to $to"
else
    msg "dry run (--send to send): ${prefix}, $(ls "$tmp" | wc -l) mails"
    args+=(--dry-run)
fi
git send-email "${args[@]}" "${extra[@]}" "$tmp"/0*.patch
