/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The flat 32-bit GDT built in entry.S (in ROM) and the CR0 bits the
 * firmware sets.  The same selectors are what a PVH kernel is entered with.
 */
#ifndef QBOOT_SEGMENT_H
#define QBOOT_SEGMENT_H

#define SEG_CODE32      0x08    /* base 0, limit 4 GiB, execute/read */
#define SEG_DATA32      0x10    /* base 0, limit 4 GiB, read/write */
#define SEG_TSS32       0x18    /* base 0, limit 0x67, as the PVH ABI asks */

#define X86_CR0_PE      0x00000001
#define X86_CR0_ET      0x00000010
#define X86_EFLAGS_CF   0x0001  /* carry: a BIOS call's error flag */

#endif
