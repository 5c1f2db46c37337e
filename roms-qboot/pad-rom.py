#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Check the flat ROM binary and pad it to its exact size.  objcopy starts
# the binary at its lowest loaded address and the image always ends with
# the reset vector at 4 GiB - 16, so any padding goes in front.

import sys


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: pad-rom.py INPUT OUTPUT SIZE")
    src, dst, size = sys.argv[1], sys.argv[2], int(sys.argv[3], 0)
    with open(src, "rb") as f:
        data = f.read()
    if len(data) > size:
        sys.exit(f"pad-rom.py: {src} is {len(data)} bytes, over {size}")
    if len(data) < 16 or data[-16] != 0xe9:
        sys.exit(f"pad-rom.py: {src} does not end with the reset vector jump")
    with open(dst, "wb") as f:
        f.write(b"\xff" * (size - len(data)) + data)


if __name__ == "__main__":
    main()
