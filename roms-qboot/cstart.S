/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * First 32-bit code: flat segments, the stack in low RAM, .data copied
 * from ROM and .bss zeroed where the linker script puts them, then main().
 */
#include "layout.h"
#include "segment.h"

    .code32
    .section .text.start, "ax"
    .globl  protected_mode_start
protected_mode_start:
    movl    $SEG_DATA32, %eax
    movl    %eax, %ds
    movl    %eax, %es
    movl    %eax, %ss
    movl    %eax, %fs
    movl    %eax, %gs
    movl    $FW_STACK_TOP, %esp

    /* .data and .bss are adjacent and dword sized (rom.lds.in) */
    movl    $_data_rom, %esi
    movl    $_data_start, %edi
    movl    $_data_dwords, %ecx
    rep movsl
    xorl    %eax, %eax
    movl    $_bss_dwords, %ecx
    rep stosl

    call    main
    /* main() does not return; be safe anyway */
1:  cli
    hlt
    jmp     1b
