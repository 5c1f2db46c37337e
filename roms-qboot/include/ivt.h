/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The real-mode interrupt vector table (README.md "Real-mode services"). */
#ifndef QBOOT_IVT_H
#define QBOOT_IVT_H

/*
 * Point every vector at a handler in the ROM: INT 00h-0Fh and 70h-77h
 * (exceptions, IRQs) return at once after an EOI, the other vectors (BIOS
 * services) return "not supported" (CF set, AH = 86h).
 */
void ivt_setup(void);

/* The real-mode handlers the vectors point at (entry.S) */
extern const char rm_int_unsupported[], rm_int_irq[];

#endif
