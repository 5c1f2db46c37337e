/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * From reset to 32-bit flat protected mode.
 *
 * The CPU starts in real mode at 0xfffffff0 with CS base 0xffff0000, so
 * every real-mode reference below is an offset into the top 64 KiB.  The
 * reset state already has interrupts off (IF=0) and DF=0, and the
 * machine leaves A20 enabled, so the stub only loads the GDT, turns on
 * protection and jumps into 32-bit code (cstart.S).
 */
#include "layout.h"
#include "segment.h"

    .code16
    .section .text16, "ax"
real_mode_start:
    /* 32-bit base: lgdtl, CS-relative offset (the GDT is in this section) */
    lgdtl   %cs:gdt_descriptor
    /* PE on; CD, NW and everything else off, as the PVH ABI wants CR0 */
    movl    $(X86_CR0_PE | X86_CR0_ET), %eax
    movl    %eax, %cr0
    ljmpl   $SEG_CODE32, $protected_mode_start

/*
 * The GDT stays in ROM: accessed bits are preset so that loading a
 * selector never tries to write to it.  The TSS descriptor is there for
 * the PVH hand-off (TR: 32-bit TSS, base 0, limit 0x67).
 */
    .balign 8
gdt:
    .quad   0                       /* null */
    .quad   0x00cf9b000000ffff      /* SEG_CODE32: 32-bit, execute/read */
    .quad   0x00cf93000000ffff      /* SEG_DATA32: 32-bit, read/write */
    .quad   0x0000890000000067      /* SEG_TSS32: available 32-bit TSS */
gdt_end:

    .globl  gdt_descriptor
gdt_descriptor:
    .word   gdt_end - gdt - 1
    .long   gdt

/*
 * Real-mode interrupt handlers, for a kernel that returns to real mode
 * and calls the BIOS (ivt.c points the IVT here; README.md "Real-mode
 * services").  Seen by real-mode code as f000:xxxx through the ROM's
 * alias below 1 MiB.
 *
 * Software services (INT 10h-6Fh, 78h-FFh): none is provided.  Return
 * as "function not supported": AH = 86h and CF set in the FLAGS that
 * IRET restores, everything else unchanged.
 */
    .globl  rm_int_unsupported
rm_int_unsupported:
    pushw   %bp
    movw    %sp, %bp
    orb     $X86_EFLAGS_CF, 6(%bp)  /* stack: BP, IP, CS, FLAGS */
    popw    %bp
    movb    $0x86, %ah
    iret

/*
 * CPU exceptions and hardware interrupts (INT 00h-0Fh, 70h-77h: the
 * vectors the PICs use after reset and as a BIOS programs them): send a
 * non-specific EOI to both PICs, which is harmless when none is in
 * service, and return with every register unchanged.
 */
    .globl  rm_int_irq
rm_int_irq:
    pushw   %ax
    movb    $0x20, %al
    outb    %al, $0xa0
    outb    %al, $0x20
    popw    %ax
    iret

/* The reset vector: 16 bytes at 0xfffffff0, the last of the ROM */
    .section .resetvector, "ax"
    .globl  reset_vector
reset_vector:
    jmp     real_mode_start
    .balign 16, 0xcc
