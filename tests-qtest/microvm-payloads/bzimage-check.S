/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bzimage-check: a bzImage (Linux boot protocol 2.15) that records its
 * hand-off.
 *
 * The setup part is only the header (no real-mode code: it is entered
 * through the 32-bit boot protocol only); the protected-mode part, not
 * relocatable, runs at 1 MiB with ESI pointing at boot_params.  It copies
 * the registers, its segment descriptors and the whole boot_params page
 * into the result block of boot-check.h, then the command line, hashes
 * the initrd with FNV-1a, writes the "done" marker and halts.
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
    .byte 0xeb, 0xfe                    /* jump: never run */
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
    .word 0                             /* xloadflags */
    .long BZ_CHECK_CMDLINE_SIZE         /* cmdline_size */
    .long 0                             /* hardware_subarch */
    .quad 0                             /* hardware_subarch_data */
    .long 0                             /* payload_offset */
    .long 0                             /* payload_length */
    .quad 0                             /* setup_data */
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

    .bss
    .balign 16
gdtr:
    .space 8
    .balign 16
    .space 4096
stack_top:
