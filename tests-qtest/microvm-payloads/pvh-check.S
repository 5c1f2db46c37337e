/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvh-check: a PVH payload that records its hand-off.
 *
 * Entered in 32-bit protected mode at the XEN_ELFNOTE_PHYS32_ENTRY address
 * with EBX pointing at struct hvm_start_info (the x86/HVM direct boot ABI,
 * xen/include/public/arch-x86/hvm/start_info.h).  It copies the registers,
 * the GDT descriptors of its segments, hvm_start_info, the first module
 * entry, the memory map, the command line and the local APIC version
 * register into the result block described in pvh-check.h, hashes the
 * first module (the initrd) with FNV-1a, writes the "done" marker and
 * halts.  Pointers are followed only when the start_info magic is right
 * and they fit in 32 bits; every copy is bounded.  Data accesses use DS
 * only.
 */
#include "pvh-check.h"

#define R(off)  (PVH_CHECK_RESULT_ADDR + (off))

#define XEN_ELFNOTE_PHYS32_ENTRY 18

    .code32

/* Xen ELF note: namesz, descsz, type, "Xen\0", 32-bit entry address */
    .section .note.Xen, "a", @note
    .balign 4
    .long 4
    .long 4
    .long XEN_ELFNOTE_PHYS32_ENTRY
    .asciz "Xen"
    .balign 4
    .long pvh_start
    .balign 4

/* Copy the 8-byte GDT descriptor of the selector stored at \sel */
.macro copy_desc sel, dst
    movl R(\sel), %eax
    testl $4, %eax                  /* LDT selector: not ours to read */
    jnz 1f
    movl %eax, %ecx
    orl $7, %ecx
    cmpl R(R_GDT_LIMIT), %ecx       /* descriptor past the GDT limit */
    ja 1f
    andl $0xfff8, %eax
    addl R(R_GDT_BASE), %eax
    movl (%eax), %ecx
    movl %ecx, R(\dst)
    movl 4(%eax), %ecx
    movl %ecx, R(\dst + 4)
1:
.endm

    .text
    .globl pvh_start
pvh_start:
    movl $PVH_CHECK_ENTRY_MAGIC, R(R_ENTRY)
    movl %ebx, R(R_EBX)
    movl %cr0, %eax
    movl %eax, R(R_CR0)
    movl %cr4, %eax
    movl %eax, R(R_CR4)

    xorl %eax, %eax
    movw %cs, %ax
    movl %eax, R(R_CS)
    movw %ds, %ax
    movl %eax, R(R_DS)
    movw %es, %ax
    movl %eax, R(R_ES)
    movw %ss, %ax
    movl %eax, R(R_SS)
    movw %fs, %ax
    movl %eax, R(R_FS)
    movw %gs, %ax
    movl %eax, R(R_GS)

    /* The ABI gives no stack: use ours from here on */
    movl $stack_top, %esp
    pushfl
    popl %eax
    movl %eax, R(R_EFLAGS)

    sgdt gdtr
    movzwl gdtr, %eax
    movl %eax, R(R_GDT_LIMIT)
    movl gdtr + 2, %eax
    movl %eax, R(R_GDT_BASE)
    copy_desc R_CS, R_DESC_CS
    copy_desc R_DS, R_DESC_DS
    copy_desc R_ES, R_DESC_ES
    copy_desc R_SS, R_DESC_SS

    movl LAPIC_VERSION_ADDR, %eax
    movl %eax, R(R_LAPIC_VERSION)

    /* hvm_start_info itself */
    movl %ebx, %esi
    movl $R(R_START_INFO), %edi
    movl $SI_SIZE, %ecx
    call copy
    cmpl $XEN_HVM_START_MAGIC, R(R_START_INFO + SI_MAGIC)
    jne done

    /* command line, up to and including its NUL */
    cmpl $0, R(R_START_INFO + SI_CMDLINE_PADDR + 4)
    jne no_cmdline
    movl R(R_START_INFO + SI_CMDLINE_PADDR), %esi
    testl %esi, %esi
    jz no_cmdline
    xorl %ecx, %ecx
1:  cmpl $PVH_CHECK_MAX_CMDLINE, %ecx
    jae 2f
    movb (%esi,%ecx), %al
    movb %al, R(R_CMDLINE)(%ecx)
    testb %al, %al
    jz 2f
    incl %ecx
    jmp 1b
2:  movl %ecx, R(R_CMDLINE_LEN)
no_cmdline:

    /* memory map (start_info version 1 and later) */
    cmpl $1, R(R_START_INFO + SI_VERSION)
    jb no_memmap
    cmpl $0, R(R_START_INFO + SI_MEMMAP_PADDR + 4)
    jne no_memmap
    movl R(R_START_INFO + SI_MEMMAP_ENTRIES), %eax
    cmpl $PVH_CHECK_MAX_MEMMAP, %eax
    jbe 1f
    movl $PVH_CHECK_MAX_MEMMAP, %eax
1:  imull $MEMMAP_SIZEOF, %eax, %ecx
    movl R(R_START_INFO + SI_MEMMAP_PADDR), %esi
    movl $R(R_MEMMAP), %edi
    call copy
no_memmap:

    /* first module: its entry, then a hash of its bytes */
    cmpl $0, R(R_START_INFO + SI_NR_MODULES)
    je done
    cmpl $0, R(R_START_INFO + SI_MODLIST_PADDR + 4)
    jne done
    movl R(R_START_INFO + SI_MODLIST_PADDR), %esi
    movl $R(R_MODLIST), %edi
    movl $MOD_SIZEOF, %ecx
    call copy
    cmpl $0, R(R_MODLIST + MOD_PADDR + 4)
    jne done
    cmpl $0, R(R_MODLIST + MOD_SIZE + 4)
    jne done
    movl R(R_MODLIST + MOD_SIZE), %ecx
    cmpl $PVH_CHECK_MAX_INITRD, %ecx
    ja done
    movl R(R_MODLIST + MOD_PADDR), %esi
    movl %ecx, R(R_INITRD_LEN)
    movl $PVH_CHECK_FNV_BASIS, %edx
    testl %ecx, %ecx
    jz 2f
1:  movzbl (%esi), %eax
    xorl %eax, %edx
    imull $PVH_CHECK_FNV_PRIME, %edx, %edx
    incl %esi
    decl %ecx
    jnz 1b
2:  movl %edx, R(R_INITRD_SUM)

done:
    movl $PVH_CHECK_DONE_MAGIC, R(R_DONE)
    cli
3:  hlt
    jmp 3b

/* Copy %ecx bytes from %esi to %edi through DS only; clobbers %eax */
copy:
    testl %ecx, %ecx
    jz 2f
1:  movb (%esi), %al
    movb %al, (%edi)
    incl %esi
    incl %edi
    decl %ecx
    jnz 1b
2:  ret

    .section .result, "aw", @nobits
    .space R_SIZE

    .bss
    .balign 16
gdtr:
    .space 8
    .balign 16
    .space 4096
stack_top:
