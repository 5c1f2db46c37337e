/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Boot-phase markers: one outb of the phase number to I/O port 0x80 (the
 * POST-code port).  The machine's boot timer listens there and stamps
 * each phase with host time; without a listener the write is dropped.
 * README.md has the table of values.
 */
#ifndef QBOOT_BOOT_PHASE_H
#define QBOOT_BOOT_PHASE_H

#include "io.h"

#define BOOT_PHASE_PORT 0x80

enum boot_phase {
    BOOT_PHASE_FIRMWARE_START = 0x01,   /* first C code after reset */
    BOOT_PHASE_KERNEL_HANDOFF = 0x02,   /* just before the kernel jump */
};

static inline void boot_phase(enum boot_phase phase)
{
    outb(BOOT_PHASE_PORT, phase);
}

#endif
