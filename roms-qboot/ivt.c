/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The real-mode IVT.  The firmware never runs real-mode code after its
 * reset stub and offers no BIOS services; a kernel that goes back to
 * real mode anyway (a Linux-protocol or multiboot kernel calling INT 15h
 * or INT 10h, or taking an interrupt with IF set) must get a defined
 * answer instead of jumping to 0000:0000.  Each vector is a far pointer,
 * offset then segment; the handlers are in entry.S.
 */
#include <stdint.h>
#include "ivt.h"
#include "layout.h"

/* The real-mode far pointer (f000:offset) to ROM code at @linear */
static uint32_t ivt_vector(const char *linear)
{
    return ((uint32_t)ROM_REAL_MODE_SEG << 16) |
           ((uint32_t)linear & 0xffff);
}

static void ivt_fill(unsigned first, unsigned count, uint32_t vector)
{
    /* The IVT is at linear 0: an address, not pointer arithmetic on NULL */
    uint32_t *p = (uint32_t *)(uintptr_t)(IVT_ADDR + first * 4);

    asm volatile("rep stosl" : "+D"(p), "+c"(count) : "a"(vector)
                 : "memory");
}

void ivt_setup(void)
{
    uint32_t service = ivt_vector(rm_int_unsupported);
    uint32_t irq = ivt_vector(rm_int_irq);

    ivt_fill(0x00, 0x10, irq);          /* exceptions; IRQs after reset */
    ivt_fill(0x10, 0x60, service);      /* INT 10h-6Fh: BIOS services */
    ivt_fill(0x70, 0x08, irq);          /* IRQ 8-15 as a BIOS maps them */
    ivt_fill(0x78, IVT_VECTORS - 0x78, service);
}
