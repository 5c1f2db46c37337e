/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bzimage-check: a bzImage (Linux boot protocol 2.15) that records its
 * hand-off.
 *
 * The setup part is only the header (no real-mode code); the
 * protected-mode part, not relocatable, runs at 1 MiB with ESI (RSI)
 * pointing at boot_params.  It has two entries: the 32-bit one at its
 * start (the firmware's path) and, with XLF_KERNEL_64, the 64-bit one at
 * +0x200 (startup_64: direct boot's path).  Either copies the registers,
 * its segment descriptors and the whole boot_params page into the result
 * block of boot-check.h, then the command line, hashes the initrd with
 * FNV-1a, writes the "done" marker and halts; B_MODE says which entry
 * ran.  The 64-bit one only touches memory through the page tables it
 * was handed, so it also proves they map what it reads.
 */
#include "boot-check.h"

#define RESULT_ADDR     BZ_CHECK_RESULT_ADDR

    .code32

    .section .setup, "a"
    .org 0x1f1
    .byte BZ_CHECK_SETUP_SECTS          /* setup_sects */
    .word 0                             /* root_flags */
    .long BZ_CHECK_PM_LEN / 16          /* syssize */
    .word 0                             /* ram_size */
    .word 0                             /* vid_mode */
    .word 0                             /* root_dev */
    .word 0xaa55                        /* boot_flag */
    .byte 0xeb, 0x268 - 0x202           /* jump: never run; its target,
                                           the header end, is read */
    .ascii "HdrS"                       /* header */
    .word 0x020f                        /* version */
    .long 0                             /* realmode_swtch */
    .word 0                             /* start_sys_seg */
    .word 0                             /* kernel_version */
    .byte 0                             /* type_of_loader */
    .byte 0x01                          /* loadflags: LOADED_HIGH */
    .word 0                             /* setup_move_size */
    .long BZ_CHECK_LOAD_ADDR            /* code32_start */
    .long 0                             /* ramdisk_image */
    .long 0                             /* ramdisk_size */
    .long 0                             /* bootsect_kludge */
    .word 0                             /* heap_end_ptr */
    .byte 0                             /* ext_loader_ver */
    .byte 0                             /* ext_loader_type */
    .long 0                             /* cmd_line_ptr */
    .long BZ_CHECK_INITRD_MAX           /* initrd_addr_max */
    .long 0x00200000                    /* kernel_alignment */
    .byte 0                             /* relocatable_kernel */
    .byte 0                             /* min_alignment */
    .word 0x0001                        /* xloadflags: XLF_KERNEL_64 */
    .long BZ_CHECK_CMDLINE_SIZE         /* cmdline_size */
    .long 0                             /* hardware_subarch */
    .quad 0                             /* hardware_subarch_data */
    .long 0                             /* payload_offset */
    .long 0                             /* payload_length */
    .quad BZ_CHECK_SETUP_DATA           /* setup_data */
    .quad BZ_CHECK_LOAD_ADDR            /* pref_address */
    .long BZ_CHECK_INIT_SIZE            /* init_size */
    .long 0                             /* handover_offset */
    .long 0                             /* kernel_info_offset */
    .org BZ_CHECK_SETUP_LEN

#include "boot-check.inc"

    .text
    .globl entry_start
entry_start:
    record_entry
    movl $32, R(B_MODE)

    testl %esi, %esi
    jz bz_done
    movl R(B_ESI), %esi
    movl $R(B_BOOT_PARAMS), %edi
    movl $4096, %ecx
    call copy

    movl R(B_BOOT_PARAMS + BP_CMD_LINE_PTR), %esi
    movl $R(B_CMDLINE), %edi
    movl $PVH_CHECK_MAX_CMDLINE, %ecx
    call copy_str
    movl %eax, R(B_CMDLINE_LEN)

    movl R(B_BOOT_PARAMS + BP_RAMDISK_IMAGE), %esi
    movl R(B_BOOT_PARAMS + BP_RAMDISK_SIZE), %ecx
    testl %esi, %esi
    jz bz_done
    call hash_initrd
bz_done:
    jmp finish

/* Copy the GDT descriptor of selector R(sel) to R(dst); RBX: &gdtr */
.macro copy_desc64 sel, dst
    movl R(\sel), %eax
    testl $4, %eax
    jnz 1f
    movl %eax, %ecx
    orl $7, %ecx
    cmpl R(B_GDT_LIMIT), %ecx
    ja 1f
    andl $0xfff8, %eax
    addq 2(%rbx), %rax
    movq (%rax), %rcx
    movq %rcx, R(\dst)
1:
.endm

    /* Linux 64-bit boot protocol: startup_64, at code32_start + 0x200 */
    .section .text64, "ax"
    .code64
    .globl entry_64
entry_64:
    movl $PVH_CHECK_ENTRY_MAGIC, R(B_ENTRY)
    movl $64, R(B_MODE)
    movq %rsi, R(B_RSI)
    movl %esi, R(B_ESI)
    movl %eax, R(B_EAX)
    movl %ebx, R(B_EBX)
    movl %edi, R(B_EDI)
    movl %ebp, R(B_EBP)
    movq %cr0, %rax
    movl %eax, R(B_CR0)
    movq %cr3, %rax
    movq %rax, R(B_CR3)
    movq %cr4, %rax
    movl %eax, R(B_CR4)
    movl $0xc0000080, %ecx              /* IA32_EFER */
    rdmsr
    movl %eax, R(B_EFER)
    movl %edx, R(B_EFER + 4)
    xorl %eax, %eax
    movw %cs, %ax
    movl %eax, R(B_CS)
    movw %ds, %ax
    movl %eax, R(B_DS)
    movw %es, %ax
    movl %eax, R(B_ES)
    movw %ss, %ax
    movl %eax, R(B_SS)
    movw %fs, %ax
    movl %eax, R(B_FS)
    movw %gs, %ax
    movl %eax, R(B_GS)
    movl $stack_top, %esp
    pushfq
    popq %rax
    movl %eax, R(B_EFLAGS)
    leaq entry_64(%rip), %rax
    movl %eax, R(B_EIP)
    movl $gdtr, %ebx                    /* (a symbol as immediate only) */
    sgdt (%rbx)
    movzwl (%rbx), %eax
    movl %eax, R(B_GDT_LIMIT)
    movl 2(%rbx), %eax
    movl %eax, R(B_GDT_BASE)
    movl 6(%rbx), %eax
    movl %eax, R(B_GDT_BASE_HI)
    copy_desc64 B_CS, B_DESC_CS
    copy_desc64 B_DS, B_DESC_DS
    copy_desc64 B_ES, B_DESC_ES
    copy_desc64 B_SS, B_DESC_SS
    cld

    /* boot_params, through RSI as handed over (all 64 bits of it) */
    movq R(B_RSI), %rsi
    testq %rsi, %rsi
    jz done_64
    movl $R(B_BOOT_PARAMS), %edi
    movl $4096, %ecx
    rep movsb

    /* The command line, NUL-terminated, at most PVH_CHECK_MAX_CMDLINE */
    movl R(B_BOOT_PARAMS + BP_CMD_LINE_PTR), %esi
    movl R(B_BOOT_PARAMS + BP_EXT_CMD_LINE_PTR), %eax
    shlq $32, %rax
    orq %rax, %rsi
    movl $R(B_CMDLINE), %edi
    movl $PVH_CHECK_MAX_CMDLINE - 1, %ecx
    xorl %eax, %eax
    testq %rsi, %rsi
    jz 3f
1:  cmpl %ecx, %eax
    jae 2f
    movb (%rsi,%rax), %dl
    movb %dl, (%rdi,%rax)
    testb %dl, %dl
    jz 3f
    incl %eax
    jmp 1b
2:  movb $0, (%rdi,%rax)
3:  movl %eax, R(B_CMDLINE_LEN)

    /* FNV-1a of the initrd (at most PVH_CHECK_MAX_INITRD bytes) */
    movl R(B_BOOT_PARAMS + BP_RAMDISK_IMAGE), %esi
    movl R(B_BOOT_PARAMS + BP_EXT_RAMDISK_IMAGE), %eax
    shlq $32, %rax
    orq %rax, %rsi
    movl R(B_BOOT_PARAMS + BP_RAMDISK_SIZE), %ecx
    testq %rsi, %rsi
    jz done_64
    cmpl $0, R(B_BOOT_PARAMS + BP_EXT_RAMDISK_SIZE)
    jne done_64
    cmpl $PVH_CHECK_MAX_INITRD, %ecx
    ja done_64
    movl %ecx, R(B_INITRD_LEN)
    movl $PVH_CHECK_FNV_BASIS, %edx
    testl %ecx, %ecx
    jz 2f
1:  movzbl (%rsi), %eax
    xorl %eax, %edx
    imull $PVH_CHECK_FNV_PRIME, %edx, %edx
    incq %rsi
    decl %ecx
    jnz 1b
2:  movl %edx, R(B_INITRD_SUM)
done_64:
    movl $PVH_CHECK_DONE_MAGIC, R(B_DONE)
    cli
1:  hlt
    jmp 1b
    .code32

    .bss
    .balign 16
gdtr:
    .space 16                           /* SGDT: 6 bytes, 10 in long mode */
    .balign 16
    .space 4096
stack_top:
