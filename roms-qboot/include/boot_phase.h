/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Boot-phase markers.  HOOK for issue 4: the machine will document an I/O
 * port the guest writes a phase number to, and report host timestamps for
 * each phase.  Until then boot_phase() compiles to nothing, so the calls in
 * main.c mark the places without costing instructions.
 */
#ifndef QBOOT_BOOT_PHASE_H
#define QBOOT_BOOT_PHASE_H

enum boot_phase {
    BOOT_PHASE_FIRMWARE_START = 1,  /* first C code after reset */
    BOOT_PHASE_KERNEL_HANDOFF = 2,  /* last firmware instruction before */
};

static inline void boot_phase(enum boot_phase phase)
{
    (void)phase;    /* issue 4: outb(BOOT_PHASE_PORT, phase) */
}

#endif
