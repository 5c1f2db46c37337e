#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generate the malformed-kernel corpus of the hostile-input suite.

Three tiny valid kernels are built from scratch (a PVH ELF, a bzImage with
the 32- and 64-bit entries, a multiboot v1 a.out-kludge image); each writes
HOSTILE_MARKER on COM1 and then leaves QEMU through isa-debug-exit.  Every
mutation is derived from one of them (or, when the guest assets exist, from
Debian's vmlinuz/vmlinux) and written to OUTDIR together with index.tsv:

    name <TAB> expect <TAB> description

expect is "boot" (must reach the marker), "reject" (QEMU's error or the
firmware's message) or "any" (either; a mutation that is still a valid
kernel may boot).  tests-hostile/run.sh boots each in every boot mode.

usage: make-corpus.py [--help] OUTDIR [VMLINUZ VMLINUX]
"""

import os
import struct
import sys

HOSTILE_MARKER = b"HOSTILE-PAYLOAD-OK\n"
LOAD = 0x100000

# Linux boot protocol setup header offsets (Documentation/arch/x86/boot.rst)
SETUP_SECTS = 0x1f1
SYSSIZE = 0x1f4
BOOT_FLAG = 0x1fe
JUMP = 0x200
HEADER = 0x202
VERSION = 0x206
LOADFLAGS = 0x211
CODE32_START = 0x214
INITRD_ADDR_MAX = 0x22c
KERNEL_ALIGNMENT = 0x230
RELOCATABLE = 0x234
XLOADFLAGS = 0x236
CMDLINE_SIZE = 0x238
PAYLOAD_OFFSET = 0x248
PAYLOAD_LENGTH = 0x24c
SETUP_DATA = 0x250
PREF_ADDRESS = 0x258
INIT_SIZE = 0x260
HDR_END = 0x268

BZ_SETUP_SECTS = 2
BZ_SETUP_LEN = (BZ_SETUP_SECTS + 1) * 512
BZ_PM_LEN = 0x1000
BZ_CMDLINE_SIZE = 2047

XEN_ELFNOTE_PHYS32_ENTRY = 18


def marker_code():
    """Print HOSTILE_MARKER on COM1, write 0x10 to isa-debug-exit, halt.

    The bytes decode the same in 32-bit protected mode and in long mode.
    """
    code = b"\x66\xba\xf8\x03"                  # mov $0x3f8, %dx
    for c in HOSTILE_MARKER:
        code += bytes([0xb0, c, 0xee])          # mov $c, %al; out %al, %dx
    code += b"\xb0\x10\xe6\xf4"                 # mov $0x10, %al; out $0xf4
    code += b"\xfa\xf4\xeb\xfd"                 # cli; hlt; jmp .-3
    return code


def put(buf, off, fmt, value):
    struct.pack_into("<" + fmt, buf, off, value)


def make_bzimage():
    setup = bytearray(BZ_SETUP_LEN)
    setup[SETUP_SECTS] = BZ_SETUP_SECTS
    put(setup, SYSSIZE, "I", BZ_PM_LEN // 16)
    put(setup, BOOT_FLAG, "H", 0xaa55)
    setup[JUMP] = 0xeb
    setup[JUMP + 1] = HDR_END - 0x202
    setup[HEADER:HEADER + 4] = b"HdrS"
    put(setup, VERSION, "H", 0x020f)
    setup[LOADFLAGS] = 0x01                     # LOADED_HIGH
    put(setup, CODE32_START, "I", LOAD)
    put(setup, INITRD_ADDR_MAX, "I", 0x37ffffff)
    put(setup, KERNEL_ALIGNMENT, "I", 0x200000)
    setup[RELOCATABLE] = 0
    put(setup, XLOADFLAGS, "H", 0x1)            # XLF_KERNEL_64
    put(setup, CMDLINE_SIZE, "I", BZ_CMDLINE_SIZE)
    put(setup, PREF_ADDRESS, "Q", LOAD)
    put(setup, INIT_SIZE, "I", 0x100000)
    pm = bytearray(BZ_PM_LEN)
    code = marker_code()
    pm[0:len(code)] = code                      # 32-bit entry
    pm[0x200:0x200 + len(code)] = code          # startup_64
    return setup + pm


def make_elf32():
    """ELF32 EM_386: PT_LOAD at 1 MiB (file offset 0x1000), PT_NOTE."""
    ehsize, phentsize, phnum = 52, 32, 2
    note_off = ehsize + phnum * phentsize
    note = struct.pack("<III", 4, 4, XEN_ELFNOTE_PHYS32_ENTRY) + \
        b"Xen\0" + struct.pack("<I", LOAD)
    code = marker_code()
    buf = bytearray(0x1000 + len(code))
    buf[0:16] = b"\x7fELF" + bytes([1, 1, 1]) + bytes(9)
    struct.pack_into("<HHIIIIIHHHHHH", buf, 16, 2, 3, 1, LOAD, ehsize, 0,
                     0, ehsize, phentsize, phnum, 0, 0, 0)
    struct.pack_into("<IIIIIIII", buf, ehsize, 1, 0x1000, LOAD, LOAD,
                     len(code), 0x2000, 5, 0x1000)
    struct.pack_into("<IIIIIIII", buf, ehsize + phentsize, 4, note_off, 0, 0,
                     len(note), 0, 4, 4)
    buf[note_off:note_off + len(note)] = note
    buf[0x1000:] = code
    return buf


def make_elf64():
    """ELF64 EM_X86_64 with the same layout as make_elf32()."""
    ehsize, phentsize, phnum = 64, 56, 2
    note_off = ehsize + phnum * phentsize
    note = struct.pack("<III", 4, 4, XEN_ELFNOTE_PHYS32_ENTRY) + \
        b"Xen\0" + struct.pack("<I", LOAD)
    code = marker_code()
    buf = bytearray(0x1000 + len(code))
    buf[0:16] = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    struct.pack_into("<HHIQQQIHHHHHH", buf, 16, 2, 62, 1, LOAD, ehsize, 0,
                     0, ehsize, phentsize, phnum, 0, 0, 0)
    struct.pack_into("<IIQQQQQQ", buf, ehsize, 1, 5, 0x1000, LOAD, LOAD,
                     len(code), 0x2000, 0x1000)
    struct.pack_into("<IIQQQQQQ", buf, ehsize + phentsize, 4, 4, note_off,
                     0, 0, len(note), 0, 4)
    buf[note_off:note_off + len(note)] = note
    buf[0x1000:] = code
    return buf


# ELF32 offsets of make_elf32()
E_ENTRY, E_PHOFF, E_EHSIZE, E_PHENTSIZE, E_PHNUM = 24, 28, 40, 42, 44
PH0 = 52                    # PT_LOAD
PH1 = 52 + 32               # PT_NOTE
P_OFFSET, P_PADDR, P_FILESZ, P_MEMSZ = 4, 12, 16, 20
NOTE = 52 + 2 * 32          # the Xen note: namesz, descsz, type, name, desc

MB_HDR = 0x40               # file offset of the multiboot header


def make_multiboot():
    code = marker_code()
    buf = bytearray(0x200)
    flags = 0x00010000      # a.out kludge only
    hdr = MB_HDR
    struct.pack_into("<IIIIIIII", buf, hdr, 0x1badb002, flags,
                     (-(0x1badb002 + flags)) & 0xffffffff,
                     LOAD + hdr, LOAD, 0, LOAD + 0x2000, LOAD + 0x100)
    buf[0x100:0x100 + len(code)] = code
    return buf


def mb_fix_checksum(buf, hdr=MB_HDR):
    magic, flags = struct.unpack_from("<II", buf, hdr)
    put(buf, hdr + 8, "I", (-(magic + flags)) & 0xffffffff)


class Corpus:
    def __init__(self, outdir):
        self.outdir = outdir
        self.index = []

    def add(self, name, data, expect, desc):
        with open(os.path.join(self.outdir, name), "wb") as f:
            f.write(bytes(data))
        self.index.append((name, expect, desc))

    def add_trunc(self, name, path, size, desc):
        """A truncated copy of a big file without reading all of it."""
        with open(path, "rb") as src:
            data = src.read(size)
        self.add(name, data, "reject", desc)

    def write_index(self):
        with open(os.path.join(self.outdir, "index.tsv"), "w") as f:
            for row in self.index:
                f.write("\t".join(row) + "\n")


def mutate(base, edits):
    """Copy @base and apply (offset, fmt, value) edits."""
    buf = bytearray(base)
    for off, fmt, value in edits:
        put(buf, off, fmt, value)
    return buf


def bzimage_corpus(c):
    bz = make_bzimage()
    c.add("bz-base", bz, "boot", "valid bzImage (protocol 2.15)")
    for off in (0, 1, 0x1f1, 0x1f2, 0x1fe, 0x200, 0x202, 0x206, 0x208,
                0x211, 0x236, 0x260, 0x264, HDR_END, 0x290, BZ_SETUP_LEN,
                BZ_SETUP_LEN + 16, len(bz) - 1):
        c.add("bz-trunc-%04x" % off, bz[:off], "reject",
              "bzImage truncated to %d bytes" % off)
    m = [
        ("bz-bootflag-0", [(BOOT_FLAG, "H", 0)], "reject", "boot_flag 0"),
        ("bz-bootflag-swapped", [(BOOT_FLAG, "H", 0x55aa)], "reject",
         "boot_flag 0x55aa"),
        ("bz-hdrs-bad", [(HEADER, "I", 0x58726448)], "reject",
         "header 'HdrX'"),
        ("bz-version-0", [(VERSION, "H", 0)], "reject", "version 0.00"),
        ("bz-version-209", [(VERSION, "H", 0x0209)], "reject",
         "version 2.09"),
        ("bz-version-20a", [(VERSION, "H", 0x020a)], "any",
         "version 2.10 (no 64-bit entry for direct boot)"),
        ("bz-version-ffff", [(VERSION, "H", 0xffff)], "any",
         "version 255.255"),
        ("bz-setup-sects-0", [(SETUP_SECTS, "B", 0)], "reject",
         "setup_sects 0 (means 4)"),
        ("bz-setup-sects-1", [(SETUP_SECTS, "B", 1)], "any",
         "setup_sects 1 (the entry then slides through zero bytes)"),
        ("bz-setup-sects-255", [(SETUP_SECTS, "B", 255)], "reject",
         "setup_sects 255"),
        ("bz-syssize-0", [(SYSSIZE, "I", 0)], "reject", "syssize 0"),
        ("bz-syssize-max", [(SYSSIZE, "I", 0xffffffff)], "reject",
         "syssize 0xffffffff (x16 overflows 32 bits)"),
        ("bz-syssize-plus1", [(SYSSIZE, "I", BZ_PM_LEN // 16 + 1)],
         "reject", "syssize one paragraph past the file"),
        ("bz-loadflags-0", [(LOADFLAGS, "B", 0)], "reject",
         "loadflags without LOADED_HIGH"),
        ("bz-init-size-0", [(INIT_SIZE, "I", 0)], "reject", "init_size 0"),
        ("bz-init-size-small", [(INIT_SIZE, "I", BZ_PM_LEN - 16)], "reject",
         "init_size below the protected-mode size"),
        ("bz-init-size-max", [(INIT_SIZE, "I", 0xffffffff)], "reject",
         "init_size 0xffffffff"),
        ("bz-init-size-ram", [(INIT_SIZE, "I", 128 << 20)], "reject",
         "init_size = all of RAM"),
        ("bz-pref-max", [(PREF_ADDRESS, "Q", 0xffffffffffffffff)], "any",
         "pref_address 2^64-1"),
        ("bz-pref-0", [(PREF_ADDRESS, "Q", 0)], "any", "pref_address 0"),
        ("bz-pref-high-reloc", [(PREF_ADDRESS, "Q", 0xfffff000),
                                (RELOCATABLE, "B", 1)], "any",
         "relocatable, pref_address 0xfffff000"),
        ("bz-align-0", [(RELOCATABLE, "B", 1), (KERNEL_ALIGNMENT, "I", 0),
                        (PREF_ADDRESS, "Q", 0x80000000)], "reject",
         "relocatable, kernel_alignment 0, pref_address outside RAM"),
        ("bz-align-3", [(RELOCATABLE, "B", 1), (KERNEL_ALIGNMENT, "I", 3),
                        (PREF_ADDRESS, "Q", 0x80000000)], "reject",
         "relocatable, kernel_alignment 3"),
        ("bz-align-2g", [(RELOCATABLE, "B", 1),
                         (KERNEL_ALIGNMENT, "I", 0x80000000),
                         (PREF_ADDRESS, "Q", 0x80000000)], "reject",
         "relocatable, kernel_alignment 2 GiB"),
        ("bz-initrd-max-0", [(INITRD_ADDR_MAX, "I", 0)], "reject",
         "initrd_addr_max 0"),
        ("bz-initrd-max-1m", [(INITRD_ADDR_MAX, "I", 0xfffff)], "reject",
         "initrd_addr_max just below 1 MiB"),
        ("bz-initrd-max-ffffffff", [(INITRD_ADDR_MAX, "I", 0xffffffff)],
         "boot", "initrd_addr_max 0xffffffff"),
        ("bz-cmdline-size-0", [(CMDLINE_SIZE, "I", 0)], "reject",
         "cmdline_size 0 with a command line"),
        ("bz-cmdline-size-max", [(CMDLINE_SIZE, "I", 0xffffffff)], "boot",
         "cmdline_size 0xffffffff"),
        ("bz-hdr-end-ff", [(JUMP + 1, "B", 0xff)], "any",
         "jump byte 0xff: setup header end past 0x290"),
        ("bz-xloadflags-0", [(XLOADFLAGS, "H", 0)], "any",
         "xloadflags 0 (no 64-bit entry)"),
        ("bz-payload-overflow", [(PAYLOAD_OFFSET, "I", 0xffffffff),
                                 (PAYLOAD_LENGTH, "I", 0xffffffff)], "boot",
         "payload_offset + payload_length overflow (unused by loaders)"),
        ("bz-code32-garbage", [(CODE32_START, "I", 0xdeadbeef)], "any",
         "code32_start 0xdeadbeef"),
        ("bz-setup-data-garbage", [(SETUP_DATA, "Q", 0xdeadbeefdeadbeef)],
         "any", "setup_data 0xdeadbeefdeadbeef"),
    ]
    for name, edits, expect, desc in m:
        c.add(name, mutate(bz, edits), expect, desc)
    c.add("bz-trailing-junk", bz + b"\xff" * (1 << 20), "reject",
          "1 MiB of junk after the image: more than init_size")


def elf_corpus(c):
    e = make_elf32()
    c.add("elf32-base", e, "boot", "valid PVH ELF32")
    c.add("elf64-base", make_elf64(), "boot", "valid PVH ELF64")
    for off in (4, 16, 0x20, 51, PH0 + 16, NOTE + 8, 0x1000 + 8):
        c.add("elf-trunc-%04x" % off, e[:off], "reject",
              "ELF32 truncated to %d bytes" % off)
    m = [
        ("elf-class-0", [(4, "B", 0)], "reject", "EI_CLASS 0"),
        ("elf-class-3", [(4, "B", 3)], "reject", "EI_CLASS 3"),
        ("elf-class-64", [(4, "B", 2)], "reject",
         "ELF32 body labelled ELFCLASS64"),
        ("elf-data-msb", [(5, "B", 2)], "reject", "big-endian EI_DATA"),
        ("elf-data-0", [(5, "B", 0)], "reject", "EI_DATA 0"),
        ("elf-version-0", [(6, "B", 0)], "reject", "EI_VERSION 0"),
        ("elf-machine-arm", [(18, "H", 40)], "reject", "e_machine ARM"),
        ("elf-type-dyn", [(16, "H", 3)], "reject", "e_type ET_DYN"),
        ("elf-ehsize-0", [(E_EHSIZE, "H", 0)], "reject", "e_ehsize 0"),
        ("elf-phoff-max", [(E_PHOFF, "I", 0xffffffff)], "reject",
         "e_phoff 0xffffffff"),
        ("elf-phoff-eof", [(E_PHOFF, "I", 0x1000 + 8)], "reject",
         "program headers run past the end of the file"),
        ("elf-phnum-0", [(E_PHNUM, "H", 0)], "reject", "e_phnum 0"),
        ("elf-phnum-max", [(E_PHNUM, "H", 0xffff)], "reject",
         "e_phnum 0xffff"),
        ("elf-phnum-200", [(E_PHNUM, "H", 200)], "reject", "e_phnum 200"),
        ("elf-phentsize-0", [(E_PHENTSIZE, "H", 0)], "reject",
         "e_phentsize 0"),
        ("elf-phentsize-16", [(E_PHENTSIZE, "H", 16)], "reject",
         "e_phentsize 16"),
        ("elf-phentsize-max", [(E_PHENTSIZE, "H", 0xffff)], "reject",
         "e_phentsize 0xffff"),
        ("elf-filesz-max", [(PH0 + P_FILESZ, "I", 0xffffffff)], "reject",
         "p_filesz 0xffffffff"),
        ("elf-filesz-gt-memsz", [(PH0 + P_FILESZ, "I", 0x3000)], "reject",
         "p_filesz > p_memsz"),
        ("elf-offset-eof", [(PH0 + P_OFFSET, "I", 0x100000)], "reject",
         "p_offset past the end of the file"),
        ("elf-memsz-max", [(PH0 + P_MEMSZ, "I", 0xffffffff)], "reject",
         "p_memsz 0xffffffff"),
        ("elf-paddr-0", [(PH0 + P_PADDR, "I", 0)], "reject",
         "p_paddr 0 (firmware area)"),
        ("elf-paddr-wrap", [(PH0 + P_PADDR, "I", 0xfffff000)], "reject",
         "p_paddr + p_memsz wraps 4 GiB"),
        ("elf-paddr-ram-end", [(PH0 + P_PADDR, "I", 128 << 20)], "reject",
         "p_paddr at the end of 128 MiB of RAM"),
        ("elf-paddr-lapic", [(PH0 + P_PADDR, "I", 0xfee00000)], "reject",
         "p_paddr on the LAPIC"),
        ("elf-note-namesz-0", [(NOTE, "I", 0)], "reject", "note namesz 0"),
        ("elf-note-namesz-max", [(NOTE, "I", 0xffffffff)], "reject",
         "note namesz 0xffffffff"),
        ("elf-note-descsz-0", [(NOTE + 4, "I", 0)], "reject",
         "note descsz 0"),
        ("elf-note-descsz-max", [(NOTE + 4, "I", 0xffffffff)], "reject",
         "note descsz 0xffffffff"),
        ("elf-note-descsz-2", [(NOTE + 4, "I", 2)], "reject",
         "note descsz 2"),
        ("elf-note-filesz-max", [(PH1 + P_FILESZ, "I", 0xffffffff)],
         "reject", "PT_NOTE p_filesz 0xffffffff"),
        ("elf-note-offset-eof", [(PH1 + P_OFFSET, "I", 0xfffffff0)],
         "reject", "PT_NOTE p_offset past the end of the file"),
        ("elf-note-type", [(NOTE + 8, "I", 17)], "reject",
         "no PHYS32_ENTRY note"),
        ("elf-entry-0", [(NOTE + 16, "I", 0)], "reject", "PVH entry 0"),
        ("elf-entry-max", [(NOTE + 16, "I", 0xffffffff)], "reject",
         "PVH entry 0xffffffff (outside RAM)"),
        ("elf-entry-bss", [(NOTE + 16, "I", LOAD + 0x1800)], "reject",
         "PVH entry in the segment's bss"),
        ("elf-e-entry-garbage", [(E_ENTRY, "I", 0xdeadbeef)], "boot",
         "e_entry garbage (PVH uses the note)"),
        ("elf-two-loads-overlap", [(PH1, "I", 1), (PH1 + P_PADDR, "I",
                                                   LOAD + 0x1000),
                                   (PH1 + P_MEMSZ, "I", 0x2000)], "reject",
         "two overlapping PT_LOAD segments, no note"),
    ]
    for name, edits, expect, desc in m:
        c.add(name, mutate(e, edits), expect, desc)


def multiboot_corpus(c):
    mb = make_multiboot()
    c.add("mb-base", mb, "boot", "valid multiboot v1 a.out kludge")
    h = MB_HDR
    fixed = [
        ("mb-checksum", [(h + 8, "I", 0)], False, "reject", "bad checksum"),
        ("mb-flag-video", [(h + 4, "I", 0x00010004)], True, "reject",
         "requires a video mode (flag 2)"),
        ("mb-flag-unknown", [(h + 4, "I", 0x00018000)], True, "reject",
         "requires unknown flag 15"),
        ("mb-no-aout", [(h + 4, "I", 0)], True, "reject",
         "no a.out kludge (ELF multiboot)"),
        ("mb-header-before-load", [(h + 12, "I", LOAD - 4)], False,
         "reject", "header_addr below load_addr"),
        ("mb-header-addr-far", [(h + 12, "I", LOAD + 0x100000)], False,
         "reject", "header_addr past the file"),
        ("mb-load-end-before", [(h + 20, "I", LOAD - 1)], False, "reject",
         "load_end_addr below load_addr"),
        ("mb-load-end-eof", [(h + 20, "I", LOAD + 0x10000)], False,
         "reject", "load_end_addr past the end of the file"),
        ("mb-bss-below", [(h + 24, "I", LOAD + 0x10)], False, "reject",
         "bss_end_addr below the loaded end"),
        ("mb-bss-max", [(h + 24, "I", 0xffffffff)], False, "reject",
         "bss_end_addr 0xffffffff"),
        ("mb-load-0", [(h + 12, "I", h), (h + 16, "I", 0),
                       (h + 24, "I", 0x2000), (h + 28, "I", 0x100)], False,
         "reject", "load_addr 0 (firmware area)"),
        ("mb-load-wrap", [(h + 12, "I", 0xfffff000 + h),
                          (h + 16, "I", 0xfffff000), (h + 24, "I", 0),
                          (h + 28, "I", 0xfffff100)], False, "reject",
         "load_addr 0xfffff000: image wraps 4 GiB"),
        ("mb-entry-0", [(h + 28, "I", 0)], False, "reject", "entry_addr 0"),
        ("mb-entry-outside", [(h + 28, "I", LOAD + 0x1000)], False,
         "reject", "entry_addr in the bss"),
    ]
    for name, edits, fix, expect, desc in fixed:
        buf = mutate(mb, edits)
        if fix:
            mb_fix_checksum(buf)
        c.add(name, buf, expect, desc)
    c.add("mb-trunc-header", mb[:h + 12], "reject",
          "file ends inside the multiboot header")
    # The header's magic in the last 4-byte slot of the 8 KiB search area
    far = bytearray(8192)
    far[8188:8192] = struct.pack("<I", 0x1badb002)
    c.add("mb-header-cut", far, "reject",
          "magic at offset 8188: header cut off by the end of the file")
    late = bytearray(8192) + mb
    c.add("mb-header-late", late, "reject",
          "header after the first 8 KiB (not found)")


def real_corpus(c, vmlinuz, vmlinux):
    """Truncations of Debian's kernels: large files, real headers."""
    size = os.path.getsize(vmlinuz)
    for name, off, desc in (("real-bz-trunc-setup", 0x400,
                             "vmlinuz cut inside the setup code"),
                            ("real-bz-trunc-half", size // 2,
                             "vmlinuz cut in half")):
        c.add_trunc(name, vmlinuz, off, desc)
    size = os.path.getsize(vmlinux)
    for name, off, desc in (("real-elf-trunc-phdrs", 0x80,
                             "vmlinux cut inside its program headers"),
                            ("real-elf-trunc-half", size // 2,
                             "vmlinux cut in half")):
        c.add_trunc(name, vmlinux, off, desc)


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help") or len(argv) not in (2, 4):
        print(__doc__.strip())
        return 0 if len(argv) == 2 else 1
    outdir = argv[1]
    os.makedirs(outdir, exist_ok=True)
    for f in os.listdir(outdir):
        os.unlink(os.path.join(outdir, f))
    c = Corpus(outdir)
    bzimage_corpus(c)
    elf_corpus(c)
    multiboot_corpus(c)
    if len(argv) == 4:
        real_corpus(c, argv[2], argv[3])
    c.write_index()
    counts = {}
    for name, _, _ in c.index:
        k = name.split("-")[0]
        counts[k] = counts.get(k, 0) + 1
    print("corpus: %d files in %s (%s)" % (
        len(c.index), outdir,
        ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
