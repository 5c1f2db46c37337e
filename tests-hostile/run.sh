#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile-input suite (TAP): generate the malformed-kernel corpus
# (tests-hostile/make-corpus.py) and boot every file, plus initrd and
# command-line extremes, in every boot mode (firmware with ACPI, firmware
# without ACPI, direct boot).  Each boot must end in QEMU's one-line error
# naming the input (status 1), the firmware's one-line "qboot:" message
# followed by a halted vCPU, or, for a mutation that is still a valid
# kernel, the payload's marker; never a signal, never a hang.
set -eu
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../scripts/lib.sh"

usage() {
    cat <<USAGE
usage: $0 [--help] [FILTER]

Prints TAP; exits non-zero when any case fails.  FILTER: run only the
cases whose name contains it (e.g. "direct bz-", "elf-note").

Environment:
  QEMU             the QEMU binary (default: build/qemu-system-x86_64)
  HOSTILE_TIMEOUT  seconds before a boot counts as hung (default: 30)
Corpus: build/hostile/corpus (with index.tsv); scratch: build/hostile/work.
USAGE
}

filter=
case "${1:-}" in
    -h|--help) usage; exit 0 ;;
    -*) usage >&2; exit 1 ;;
    *) filter=${1:-} ;;
esac

QEMU=${QEMU:-$BUILD_DIR/qemu-system-x86_64}
[ -x "$QEMU" ] || die "$QEMU not found: run make build first"
corpus="$BUILD_DIR/hostile/corpus"
real=()
# Truncations of Debian's kernels join the corpus when the assets exist
if [ -f "$BUILD_DIR/guest/vmlinuz" ] && [ -f "$BUILD_DIR/guest/vmlinux" ]; then
    real=("$BUILD_DIR/guest/vmlinuz" "$BUILD_DIR/guest/vmlinux")
fi
python3 "$TOP/tests-hostile/make-corpus.py" "$corpus" "${real[@]}" >&2
exec python3 "$TOP/tests-hostile/hostile.py" "$QEMU" "$corpus" \
    "$BUILD_DIR/hostile/work" "$filter"
