#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the hand-made seeds of the microvm generic-fuzz corpus.

Each seed is a generic-fuzz program (tests/qtest/fuzz/generic_fuzz.c):
commands separated by "FUZZ", each an opcode byte and its operands, the
region picked by a base index modulo the fuzzable regions.  The seeds
start the fuzzer with whole-register writes of boundary values, a DMA
pattern and a virtio-mmio queue setup, so that a short smoke run gets
past the trivial inputs.  Usage: make-seeds.py DIR
"""
import os
import struct
import sys

SEP = b"FUZZ"
OP_IN, OP_OUT, OP_READ, OP_WRITE = 0, 1, 2, 3
OP_ADD_DMA_PATTERN, OP_CLOCK_STEP = 7, 9
BYTE, WORD, LONG, QUAD = 0, 1, 2, 3


def write(size, base, offset, value):
    return bytes([OP_WRITE]) + struct.pack("<BBxxIQ", size, base, offset,
                                           value)


def read(size, base, offset):
    return bytes([OP_READ]) + struct.pack("<BBxxI", size, base, offset)


def out(size, base, offset, value):
    return bytes([OP_OUT]) + struct.pack("<BBHI", size, base, offset, value)


def inp(size, base, offset):
    return bytes([OP_IN]) + struct.pack("<BBH", size, base, offset)


def dma_pattern(data):
    return bytes([OP_ADD_DMA_PATTERN, 0, 1]) + data


def program(*cmds):
    return SEP.join(cmds)


def seeds():
    # Every MMIO region: all-ones then zero at each of the first offsets
    for base in range(16):
        yield "mmio-ones-%02d" % base, program(
            *[write(LONG, base, off, 0xffffffff) for off in range(0, 0x80, 4)],
            *[read(LONG, base, off) for off in range(0, 0x80, 4)])
        yield "mmio-quad-%02d" % base, program(
            *[write(QUAD, base, off, 1 << 63) for off in range(0, 0x40, 8)],
            write(BYTE, base, 0, 0x80))
    # Every port region: each width, boundary values
    for base in range(8):
        yield "pio-%02d" % base, program(
            *[out(size, base, off, val)
              for size in (BYTE, WORD, LONG)
              for off in range(0, 12)
              for val in (0, 0xffffffff, 0x80000000)],
            inp(BYTE, base, 1))
    # A virtio-mmio device brought up with a queue over fuzzer-chosen DMA
    for base in range(8):
        regs = [(0x070, 0), (0x070, 1), (0x070, 3), (0x030, 0), (0x038, 8),
                (0x080, 0x1000), (0x090, 0x2000), (0x0a0, 0x3000),
                (0x044, 1), (0x070, 7), (0x050, 0)]
        yield "virtio-queue-%02d" % base, program(
            dma_pattern(bytes(range(1, 17))),
            *[write(LONG, base, off, val) for off, val in regs],
            bytes([OP_CLOCK_STEP]))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.splitlines()[-1])
    os.makedirs(sys.argv[1], exist_ok=True)
    for name, data in seeds():
        with open(os.path.join(sys.argv[1], "seed-" + name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
