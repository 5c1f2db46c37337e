#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Boot every kernel of the hostile corpus in every boot mode (TAP).

Called by tests-hostile/run.sh (which builds the corpus first).  Each case
starts a fresh QEMU with -no-reboot -nodefaults, COM1 to a file and a QMP
socket, and classifies how it ended:

  error     QEMU exited 1 with exactly one line on stderr naming the input
  firmware  COM1 shows one complete "qboot: ..." line and the vCPU is then
            halted ("info registers" says HLT=1, asked over QMP), and
            nothing more is printed; the runner then quits QEMU
  boot      COM1 shows the payload's marker and QEMU exited through
            isa-debug-exit (status 33)

Anything else fails: a signal or status >= 128, status 0, another status,
a second stderr line, or no outcome before the hang-detector timeout.
Every failure line names the input file and the boot mode.

usage: hostile.py QEMU CORPUS_DIR WORK_DIR [NAME_FILTER]
"""

import os
import signal
import subprocess
import sys
import time

from qmp import Qmp, QmpError

MARKER = "HOSTILE-PAYLOAD-OK"
EXIT_BOOT = 33          # isa-debug-exit: (0x10 << 1) | 1
HANG_TIMEOUT = float(os.environ.get("HOSTILE_TIMEOUT", "30"))
RAM = "128M"

MODES = [
    ("fw-acpi", ["-M", "microvm"]),
    ("fw-noacpi", ["-M", "microvm,acpi=off"]),
    ("direct", ["-M", "microvm,direct-boot=on"]),
]


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("latin-1")
    except FileNotFoundError:
        return ""


def run_case(qemu, work, mode_args, kernel, extra, names):
    """Boot once; returns (outcome, detail)."""
    serial = os.path.join(work, "serial")
    qmp_path = os.path.join(work, "qmp")
    errf = os.path.join(work, "stderr")
    for p in (serial, qmp_path):
        if os.path.exists(p):
            os.unlink(p)
    argv = [qemu] + mode_args + [
        "-m", RAM, "-nodefaults", "-no-user-config", "-no-reboot",
        "-display", "none", "-serial", "file:" + serial,
        "-qmp", "unix:%s,server=on,wait=off" % qmp_path,
        "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
        "-kernel", kernel] + extra
    with open(errf, "wb") as err:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + HANG_TIMEOUT
    outcome = None
    while outcome is None:
        rc = proc.poll()
        if rc is not None:
            break
        out = read(serial)
        if "qboot: " in out and out.rstrip("\r").endswith("\n"):
            outcome = check_halted(proc, qmp_path, serial, out)
            break
        if time.monotonic() > deadline:
            outcome = ("hang", "no outcome within %gs; serial: %r" %
                       (HANG_TIMEOUT, out[-200:]))
            break
        time.sleep(0.02)
    if proc.poll() is None:
        proc.kill()
    rc = proc.wait()
    if outcome is not None:
        return outcome
    out = read(serial)
    err = read(errf)
    lines = [x for x in err.split("\n") if x.strip()]
    if rc < 0 or rc >= 128:
        return ("signal", "killed by signal/status %d; stderr: %r" %
                (rc, err[-300:]))
    if rc == EXIT_BOOT and MARKER in out and not lines:
        return ("boot", "")
    if rc == 1 and len(lines) == 1 and any(n in lines[0] for n in names):
        return ("error", lines[0])
    return ("bad-exit", "status %d, stderr %r, serial %r" %
            (rc, err[-300:], out[-200:]))


def check_halted(proc, qmp_path, serial, out):
    """The firmware printed its message: the vCPU must now be halted."""
    msg = [x for x in out.split("\n") if "qboot: " in x]
    try:
        q = Qmp(qmp_path, HANG_TIMEOUT)
    except (OSError, EOFError) as e:
        return ("bad-exit", "firmware message %r but no QMP: %s" % (msg, e))
    try:
        deadline = time.monotonic() + HANG_TIMEOUT
        while True:
            regs = q.hmp("info registers")
            if "HLT=1" in regs:
                break
            if time.monotonic() > deadline:
                return ("hang", "firmware message %r but the vCPU never "
                        "halts" % msg)
            time.sleep(0.02)
        # Still halted and silent a moment later: halted for good
        time.sleep(0.1)
        regs = q.hmp("info registers")
        if "HLT=1" not in regs or read(serial) != out:
            return ("bad-exit", "firmware message %r but the vCPU went on"
                    % msg)
        if len(msg) != 1:
            return ("bad-exit", "%d firmware messages: %r" %
                    (len(msg), msg))
        q.cmd("quit")
    except (OSError, EOFError, QmpError) as e:
        return ("bad-exit", "QMP failed after %r: %s" % (msg, e))
    finally:
        q.close()
    return ("firmware", msg[0].strip())


def load_index(corpus):
    with open(os.path.join(corpus, "index.tsv")) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def cases(corpus, work):
    """(id, kernel, extra args, mode, expectation, names) for every run."""
    idx = load_index(corpus)
    out = []
    for mode, margs in MODES:
        for name, expect, desc in idx:
            kernel = os.path.join(corpus, name)
            out.append(("%s %s (%s)" % (mode, name, desc), kernel,
                        ["-append", "console=ttyS0"], mode, margs, expect,
                        [kernel]))
    # Initrd and command-line extremes with each valid kernel
    big = os.path.join(work, "initrd-over-ram")
    with open(big, "wb") as f:
        f.truncate(160 << 20)           # sparse, larger than -m 128M
    empty = os.path.join(work, "initrd-0-bytes")
    open(empty, "wb").close()
    cpio = os.path.join(work, "initrd-empty-cpio")
    with open(cpio, "wb") as f:
        hdr = "070701" + "%08x" * 13 % (0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
                                         11, 0) + "TRAILER!!!\0"
        hdr += "\0" * (-len(hdr) % 4)
        f.write(hdr.encode().ljust(512, b"\0"))
    missing = os.path.join(work, "initrd-missing")
    for mode, margs in MODES:
        for name in ("bz-base", "elf32-base", "mb-base"):
            kernel = os.path.join(corpus, name)
            ap = ["-append", "console=ttyS0"]
            for what, path, exp in (("initrd larger than RAM", big,
                                     "reject"),
                                    ("initrd of 0 bytes", empty, "boot"),
                                    ("empty cpio initrd", cpio, "boot"),
                                    ("missing initrd", missing, "reject")):
                out.append(("%s %s + %s" % (mode, name, what), kernel,
                            ap + ["-initrd", path], mode, margs, exp,
                            [path]))
            if name == "bz-base":
                longest = "console=ttyS0 " + "x" * (2047 - 14)
                out.append(("%s %s + command line of cmdline_size bytes" %
                            (mode, name), kernel, ["-append", longest],
                            mode, margs, "boot", [kernel]))
                out.append(("%s %s + command line over cmdline_size" %
                            (mode, name), kernel,
                            ["-append", longest + "y"], mode, margs,
                            "reject", [kernel, "command line"]))
            else:
                huge = "console=ttyS0 " + "x" * 100000
                out.append(("%s %s + command line of 100000 bytes" %
                            (mode, name), kernel, ["-append", huge], mode,
                            margs, "any", [kernel, "command line"]))
    return out


ALLOWED = {
    "boot": ("boot",),
    "reject": ("error", "firmware"),
    "any": ("error", "firmware", "boot"),
}


def main(argv):
    if len(argv) < 4 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) > 1 and argv[1] in ("-h", "--help") else 1
    qemu, corpus, work = argv[1:4]
    filt = argv[4] if len(argv) > 4 else ""
    os.makedirs(work, exist_ok=True)
    todo = [c for c in cases(corpus, work) if filt in c[0]]
    print("1..%d" % len(todo), flush=True)
    failed = 0
    tally = {}
    for n, (cid, kernel, extra, mode, margs, exp, names) in \
            enumerate(todo, 1):
        outcome, detail = run_case(qemu, work, margs, kernel, extra, names)
        allowed = ALLOWED[exp]
        if mode == "direct":
            allowed = tuple(a for a in allowed if a != "firmware")
        tally[outcome] = tally.get(outcome, 0) + 1
        if outcome in allowed:
            print("ok %d - %s: %s%s" % (n, cid, outcome,
                                        ": " + detail if detail else ""),
                  flush=True)
        else:
            failed += 1
            print("not ok %d - %s: %s, expected %s; input %s: %s" %
                  (n, cid, outcome, "/".join(allowed), names[0], detail),
                  flush=True)
    print("# outcomes: %s" % ", ".join("%s %d" % kv
                                       for kv in sorted(tally.items())))
    return 1 if failed else 0


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    sys.exit(main(sys.argv))
