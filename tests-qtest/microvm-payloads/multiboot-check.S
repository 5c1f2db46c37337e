/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * multiboot-check: a multiboot v1 kernel (a.out kludge) that records its
 * hand-off.
 *
 * A flat image whose first bytes are the multiboot header; all of it is
 * loaded at 1 MiB, the result block of boot-check.h is in its bss.  It
 * records the registers and segment descriptors, then, if EAX holds the
 * boot magic, copies multiboot_info, the command line, module 0's entry
 * and string, the memory map and the boot loader name, hashes the module
 * with FNV-1a, writes the "done" marker and halts.
 */
#include "boot-check.h"

#define RESULT_ADDR     MB_CHECK_RESULT_ADDR

    .code32
    .text
    .globl mb_header
mb_header:
    .long MB_HEADER_MAGIC
    .long MB_HEADER_FLAGS
    .long -(MB_HEADER_MAGIC + MB_HEADER_FLAGS)
    .long mb_header                     /* header_addr */
    .long mb_header                     /* load_addr */
    .long 0                             /* load_end_addr: end of file */
    .long _end                          /* bss_end_addr */
    .long entry_start                   /* entry_addr */

#include "boot-check.inc"

    .globl entry_start
entry_start:
    record_entry

    cmpl $MB_BOOT_MAGIC, R(B_EAX)
    jne mb_done
    movl R(B_EBX), %esi
    movl $R(B_MBI), %edi
    movl $B_MBI_SIZE, %ecx
    call copy

    testl $(1 << 2), R(B_MBI + MBI_FLAGS)
    jz 1f
    movl R(B_MBI + MBI_CMDLINE), %esi
    movl $R(B_CMDLINE), %edi
    movl $PVH_CHECK_MAX_CMDLINE, %ecx
    call copy_str
    movl %eax, R(B_CMDLINE_LEN)
1:
    testl $(1 << 9), R(B_MBI + MBI_FLAGS)
    jz 1f
    movl R(B_MBI + MBI_BOOT_LOADER_NAME), %esi
    movl $R(B_LOADER_NAME), %edi
    movl $B_LOADER_NAME_MAX, %ecx
    call copy_str
1:
    testl $(1 << 6), R(B_MBI + MBI_FLAGS)
    jz 1f
    movl R(B_MBI + MBI_MMAP_LENGTH), %ecx
    cmpl $B_MMAP_MAX, %ecx
    jbe 2f
    movl $B_MMAP_MAX, %ecx
2:  movl R(B_MBI + MBI_MMAP_ADDR), %esi
    movl $R(B_MMAP), %edi
    call copy
1:
    testl $(1 << 3), R(B_MBI + MBI_FLAGS)
    jz mb_done
    cmpl $0, R(B_MBI + MBI_MODS_COUNT)
    je mb_done
    movl R(B_MBI + MBI_MODS_ADDR), %esi
    movl $R(B_MOD), %edi
    movl $16, %ecx
    call copy
    movl R(B_MOD + MOD_STRING), %esi
    movl $R(B_MOD_STRING), %edi
    movl $B_MOD_STRING_MAX, %ecx
    call copy_str
    movl R(B_MOD + MOD_START), %esi
    movl R(B_MOD + MOD_END), %ecx
    subl %esi, %ecx
    jb mb_done
    call hash_initrd
mb_done:
    jmp finish

    .section .result, "aw", @nobits
    .space B_SIZE

    .bss
    .balign 16
gdtr:
    .space 8
    .balign 16
    .space 4096
stack_top:
