#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Fault tests of the microvm machine (TAP): resets, migration, savevm.

resets   a PVH payload prints a line on COM1 and triple-faults; QEMU
         resets the machine and the firmware (or direct boot) starts the
         payload again.  After WARMUP_RESETS resets, RESETS more in a row
         must each print the line, with QEMU's VmRSS grown by at most
         1 MiB and as many file descriptors open as before them.  The
         TCG translation cache is capped at 1 MiB (-accel tcg,tb-size=1):
         every reset rewrites the kernel's ROM blobs, so the code is
         translated again, and with the default 1 GiB cache that fills
         pages (about 5 MiB per 1000 resets) until the cache is flushed;
         the cap keeps that cache out of what is measured.
migrate  a payload fills 16 MiB of RAM with a pseudo-random pattern and
         halts; a qcow2 disk on virtio-blk holds a pattern written through
         QEMU's block layer.  ROUNDS times: migrate to a file
         ("exec:cat > FILE"), quit, start a new QEMU with -incoming from
         that file; the whole of guest RAM (QMP pmemsave) and the disk's
         pattern (HMP qemu-io read -P) must be unchanged and the guest
         running.
savevm   ROUNDS times: savevm, overwrite the disk's pattern, loadvm: guest
         RAM and the disk's first pattern must be back.

usage: faults.py [--help] QEMU WORK_DIR [resets=N] [rounds=N] [modes=a,b]
"""

import hashlib
import os
import struct
import subprocess
import sys
import time

from qmp import Qmp

LOAD = 0x100000
RAM = "64M"
RAM_BYTES = 64 << 20
TIMEOUT = 120.0
# Resets before the first RSS sample: QEMU's heap and hash tables settle
WARMUP_RESETS = 200
XEN_ELFNOTE_PHYS32_ENTRY = 18
MODES = {
    "fw-acpi": ["-M", "microvm"],
    "fw-noacpi": ["-M", "microvm,acpi=off"],
    "direct": ["-M", "microvm,direct-boot=on"],
}


def serial_print(text):
    code = b"\x66\xba\xf8\x03"                  # mov $0x3f8, %dx
    for c in text:
        code += bytes([0xb0, c, 0xee])          # mov $c, %al; out %al, %dx
    return code


def reset_code():
    """Print RESET-PAYLOAD, then triple-fault (empty IDT, int3)."""
    code = serial_print(b"RESET-PAYLOAD\n")
    idt_ptr = LOAD + 0x200                      # six zero bytes
    code += b"\x0f\x01\x1d" + struct.pack("<I", idt_ptr)   # lidt idt_ptr
    code += b"\xcc\xeb\xfe"                     # int3; jmp .
    return code


def fill_code():
    """Fill [2 MiB, 18 MiB) with an LCG pattern, print FILLED, halt."""
    code = b"\xfc"                              # cld
    code += b"\xbf" + struct.pack("<I", 0x200000)           # mov edi
    code += b"\xb8" + struct.pack("<I", 0x12345678)         # mov eax
    loop = b"\x69\xc0" + struct.pack("<I", 1103515245)      # imul eax
    loop += b"\x05" + struct.pack("<I", 12345)              # add eax
    loop += b"\xab"                                         # stosd
    loop += b"\x81\xff" + struct.pack("<I", 0x1200000)      # cmp edi
    loop += b"\x72" + bytes([(-(len(loop) + 2)) & 0xff])    # jb loop
    code += loop + serial_print(b"FILLED\n")
    code += b"\xfa\xf4\xeb\xfd"                 # cli; hlt; jmp .-3
    return code


def make_pvh(code):
    """A PVH ELF32 running @code at 1 MiB (as make-corpus.py builds)."""
    ehsize, phentsize, phnum = 52, 32, 2
    note_off = ehsize + phnum * phentsize
    note = struct.pack("<III", 4, 4, XEN_ELFNOTE_PHYS32_ENTRY) + \
        b"Xen\0" + struct.pack("<I", LOAD)
    body = bytearray(0x400)
    body[0:len(code)] = code
    buf = bytearray(0x1000) + body
    buf[0:16] = b"\x7fELF" + bytes([1, 1, 1]) + bytes(9)
    struct.pack_into("<HHIIIIIHHHHHH", buf, 16, 2, 3, 1, LOAD, ehsize, 0,
                     0, ehsize, phentsize, phnum, 0, 0, 0)
    struct.pack_into("<IIIIIIII", buf, ehsize, 1, 0x1000, LOAD, LOAD,
                     len(body), len(body), 5, 0x1000)
    struct.pack_into("<IIIIIIII", buf, ehsize + phentsize, 4, note_off, 0,
                     0, len(note), 0, 4, 4)
    buf[note_off:note_off + len(note)] = note
    return bytes(buf)


class Vm:
    def __init__(self, qemu, work, mode, kernel, extra=()):
        self.serial = os.path.join(work, "serial")
        self.qmp_path = os.path.join(work, "qmp")
        for p in (self.serial, self.qmp_path):
            if os.path.exists(p):
                os.unlink(p)
        argv = [qemu] + MODES[mode] + [
            "-m", RAM, "-nodefaults", "-no-user-config", "-display", "none",
            "-serial", "file:" + self.serial,
            "-qmp", "unix:%s,server=on,wait=off" % self.qmp_path,
            "-kernel", kernel, "-append", "console=ttyS0"] + \
            os.environ.get("FAULTS_QEMU_ARGS", "").split() + list(extra)
        self.errf = open(os.path.join(work, "stderr"), "wb")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=self.errf)
        self.qmp = Qmp(self.qmp_path, TIMEOUT, wait=TIMEOUT)

    def serial_text(self):
        with open(self.serial, "rb") as f:
            return f.read().decode("latin-1")

    def wait_serial(self, text, count=1):
        deadline = time.monotonic() + TIMEOUT
        while self.serial_text().count(text) < count:
            if self.proc.poll() is not None:
                raise RuntimeError("QEMU exited with %d" % self.proc.returncode)
            if time.monotonic() > deadline:
                raise RuntimeError("%r seen %d of %d times in %gs" %
                                   (text, self.serial_text().count(text),
                                    count, TIMEOUT))
            time.sleep(0.01)

    def status(self, field):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        raise RuntimeError("no %s" % field)

    def fds(self):
        return len(os.listdir("/proc/%d/fd" % self.proc.pid))

    def ram_hash(self, work):
        path = os.path.join(work, "ram.bin")
        self.qmp.cmd("pmemsave", val=0, size=RAM_BYTES, filename=path)
        with open(path, "rb") as f:
            h = hashlib.sha256(f.read()).hexdigest()
        os.unlink(path)
        return h

    def quit(self):
        try:
            self.qmp.cmd("quit")
        except (EOFError, OSError):
            pass
        self.qmp.close()
        try:
            self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.errf.close()


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def result(self, ok, name, detail=""):
        self.n += 1
        if not ok:
            self.failed += 1
        print("%s %d - %s%s" % ("ok" if ok else "not ok", self.n, name,
                                ": " + detail if detail else ""),
              flush=True)


def test_resets(tap, qemu, work, mode, resets):
    kernel = os.path.join(work, "reset-payload.elf")
    with open(kernel, "wb") as f:
        f.write(make_pvh(reset_code()))
    name = "%s: %d guest resets each reach the payload again" % (mode,
                                                                 resets)
    vm = Vm(qemu, work, mode, kernel, ["-accel", "tcg,tb-size=1"])
    try:
        first = WARMUP_RESETS
        vm.wait_serial("RESET-PAYLOAD", first)
        rss0, fd0 = vm.status("VmRSS"), vm.fds()
        vm.wait_serial("RESET-PAYLOAD", first + resets)
        rss1, fd1 = vm.status("VmRSS"), vm.fds()
        seen = vm.serial_text().count("RESET-PAYLOAD")
        detail = ("payload runs %d (after boot %d); VmRSS %d -> %d KiB "
                  "(+%d); fds %d -> %d" % (seen, first, rss0, rss1,
                                           rss1 - rss0, fd0, fd1))
        tap.result(seen >= first + resets and rss1 - rss0 <= 1024 and
                   fd1 == fd0,
                   name, detail)
    except (RuntimeError, OSError, EOFError) as e:
        tap.result(False, name, str(e))
    finally:
        vm.quit()


def make_disk(qemu, work):
    disk = os.path.join(work, "disk.qcow2")
    img = os.path.join(os.path.dirname(os.path.realpath(qemu)), "qemu-img")
    subprocess.run([img, "create", "-q", "-f", "qcow2", disk, "64M"],
                   check=True)
    return disk


def disk_args(disk):
    return ["-drive", "id=d0,file=%s,format=qcow2,if=none" % disk,
            "-device", "virtio-blk-device,drive=d0"]


def qemu_io(vm, op):
    out = vm.qmp.hmp("qemu-io d0 \"%s\"" % op)
    if "fail" in out.lower() or "error" in out.lower():
        raise RuntimeError("qemu-io %s: %s" % (op, out.strip()))
    return out


def test_round_trips(tap, qemu, work, mode, rounds, what, one_round):
    """A guest fills its RAM and writes its disk; each round of
    one_round(vm, i, kernel, disk) -> vm must leave it running with the
    same RAM checksum and the disk's data."""
    kernel = os.path.join(work, "fill-payload.elf")
    with open(kernel, "wb") as f:
        f.write(make_pvh(fill_code()))
    disk = make_disk(qemu, work)
    name = "%s: %d %s keep RAM and disk" % (mode, rounds, what)
    vm = Vm(qemu, work, mode, kernel, disk_args(disk))
    try:
        vm.wait_serial("FILLED")
        qemu_io(vm, "write -P 0x5a 0 1M")
        ref = vm.ram_hash(work)
        for i in range(rounds):
            vm = one_round(vm, i, kernel, disk)
            got = vm.ram_hash(work)
            if got != ref:
                raise RuntimeError("round %d: RAM sha256 %s, was %s" %
                                   (i, got[:16], ref[:16]))
            qemu_io(vm, "read -P 0x5a 0 1M")
            if vm.qmp.cmd("query-status")["status"] != "running":
                raise RuntimeError("round %d: guest not running" % i)
        tap.result(True, name, "RAM sha256 %s... after each round" %
                   ref[:16])
    except (RuntimeError, OSError, EOFError, subprocess.CalledProcessError) \
            as e:
        tap.result(False, name, str(e))
    finally:
        vm.quit()


def test_migrate(tap, qemu, work, mode, rounds):
    state = os.path.join(work, "migration.bin")

    def one_round(vm, i, kernel, disk):
        vm.qmp.cmd("migrate", uri="exec:cat > %s" % state)
        deadline = time.monotonic() + TIMEOUT
        while True:
            st = vm.qmp.cmd("query-migrate").get("status")
            if st == "completed":
                break
            if st in ("failed", "cancelled") or \
                    time.monotonic() > deadline:
                raise RuntimeError("round %d: migration %s" % (i, st))
            time.sleep(0.02)
        vm.quit()
        vm = Vm(qemu, work, mode, kernel,
                disk_args(disk) + ["-incoming", "exec:cat %s" % state])
        deadline = time.monotonic() + TIMEOUT
        while vm.qmp.cmd("query-status")["status"] != "running":
            if time.monotonic() > deadline:
                raise RuntimeError("round %d: guest not running after "
                                   "the incoming migration" % i)
            time.sleep(0.02)
        return vm

    test_round_trips(tap, qemu, work, mode, rounds,
                     "migrations through a file", one_round)


def test_savevm(tap, qemu, work, mode, rounds):
    def one_round(vm, i, kernel, disk):
        for line in ("savevm s%d" % i, None, "loadvm s%d" % i):
            if line is None:
                qemu_io(vm, "write -P 0xa5 0 1M")
                continue
            out = vm.qmp.hmp(line)
            if out.strip():
                raise RuntimeError("round %d: %s: %s" %
                                   (i, line, out.strip()))
        return vm

    test_round_trips(tap, qemu, work, mode, rounds,
                     "savevm/loadvm rounds on a qcow2 disk", one_round)


def main(argv):
    if len(argv) < 3 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) > 1 and argv[1] in ("-h", "--help") else 1
    qemu, work = argv[1], argv[2]
    opts = {"resets": "1000", "rounds": "20", "modes": ",".join(MODES)}
    for a in argv[3:]:
        k, _, v = a.partition("=")
        if k not in opts:
            print("unknown option %s" % a, file=sys.stderr)
            return 1
        opts[k] = v
    modes = opts["modes"].split(",")
    os.makedirs(work, exist_ok=True)
    print("1..%d" % (3 * len(modes)), flush=True)
    tap = Tap()
    for mode in modes:
        test_resets(tap, qemu, work, mode, int(opts["resets"]))
        test_migrate(tap, qemu, work, mode, int(opts["rounds"]))
        test_savevm(tap, qemu, work, mode, int(opts["rounds"]))
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
