/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Result block of the bzimage-check and multiboot-check payloads, shared
 * by the payloads (assembly) and tests/qtest/microvm-test.c.  Only
 * preprocessor definitions: the file is included from C and assembly.
 *
 * Both payloads are flat images run at 1 MiB.  On entry they record what
 * the firmware (or direct boot) handed them into a block at a fixed
 * address that reads as zero until they have run (bzimage-check: RAM of
 * its init_size area the file does not cover; multiboot-check: its own
 * bss), then halt.
 */
#ifndef MICROVM_BOOT_CHECK_H
#define MICROVM_BOOT_CHECK_H

#include "pvh-check.h"      /* markers, FNV-1a constants, bounds */

#define BZ_CHECK_LOAD_ADDR      0x00100000  /* code32_start, pref_address */
#define BZ_CHECK_RESULT_ADDR    0x00180000  /* inside [load, + init_size) */
#define BZ_CHECK_SETUP_SECTS    3
#define BZ_CHECK_SETUP_LEN      ((BZ_CHECK_SETUP_SECTS + 1) * 512)
#define BZ_CHECK_PM_LEN         0x1000      /* protected-mode part */
#define BZ_CHECK_INIT_SIZE      0x00100000
#define BZ_CHECK_INITRD_MAX     0x03ffffff  /* initrd_addr_max */
#define BZ_CHECK_CMDLINE_SIZE   2047
/* The header's setup_data: not a list; a loader must not pass it on */
#define BZ_CHECK_SETUP_DATA     0x0123456789abcdef
#define BZ_CHECK_STARTUP_64     0x200       /* 64-bit entry: load + 0x200 */

#define MB_CHECK_LOAD_ADDR      0x00100000  /* load_addr, header at 0 */
#define MB_CHECK_RESULT_ADDR    0x00110000  /* bss */
#define MB_HEADER_MAGIC         0x1badb002
#define MB_HEADER_FLAGS         0x00010003  /* a.out kludge, bits 0-1 */
#define MB_BOOT_MAGIC           0x2badb002

/* Offsets in the result block; 32-bit little-endian unless noted */
#define B_ENTRY         0x000   /* PVH_CHECK_ENTRY_MAGIC */
#define B_DONE          0x004   /* PVH_CHECK_DONE_MAGIC */
#define B_EAX           0x008   /* general registers at entry */
#define B_EBX           0x00c
#define B_ESI           0x010
#define B_EDI           0x014
#define B_EBP           0x018
#define B_CR0           0x01c
#define B_CR4           0x020
#define B_EFLAGS        0x024
#define B_CS            0x028   /* selectors, zero-extended */
#define B_DS            0x02c
#define B_ES            0x030
#define B_SS            0x034
#define B_FS            0x038
#define B_GS            0x03c
#define B_GDT_LIMIT     0x040   /* SGDT */
#define B_GDT_BASE      0x044
#define B_DESC_CS       0x048   /* 8-byte GDT descriptors (0: unreadable) */
#define B_DESC_DS       0x050
#define B_DESC_ES       0x058
#define B_DESC_SS       0x060
#define B_EIP           0x068   /* address of the first instruction run */
#define B_INITRD_SUM    0x06c   /* FNV-1a of the initrd / module bytes */
#define B_INITRD_LEN    0x070   /* bytes hashed (0: none) */
#define B_CMDLINE_LEN   0x074   /* strlen of the cmdline copy */
#define B_MODE          0x078   /* bzimage-check: 32 or 64, the entry run */
#define B_CR3           0x080   /* 64-bit entry only: u64 */
#define B_EFER          0x088   /* 64-bit entry only: u64 */
#define B_RSI           0x090   /* 64-bit entry only: u64 */
#define B_GDT_BASE_HI   0x098   /* 64-bit entry only: SGDT base, bits 63:32 */
#define B_MBI           0x100   /* multiboot_info, B_MBI_SIZE bytes */
#define B_MBI_SIZE      0x80
#define B_MOD           0x180   /* module 0 entry, 16 bytes */
#define B_MOD_STRING    0x190   /* its string, NUL included */
#define B_MOD_STRING_MAX 0x70
#define B_LOADER_NAME   0x200   /* boot_loader_name, NUL included */
#define B_LOADER_NAME_MAX 0x100
#define B_CMDLINE       0x400   /* cmdline, NUL included */
#define B_MMAP          0x800   /* multiboot mmap, B_MMAP_MAX bytes */
#define B_MMAP_MAX      0x800
#define B_BOOT_PARAMS   0x1000  /* bzImage boot_params, 4 KiB */
#define B_SIZE          0x2000

/* boot_params (Documentation/arch/x86/zero-page.rst) */
#define BP_ACPI_RSDP_ADDR   0x070   /* u64 */
#define BP_E820_ENTRIES     0x1e8   /* u8 */
#define BP_TYPE_OF_LOADER   0x210
#define BP_LOADFLAGS        0x211
#define BP_CODE32_START     0x214
#define BP_RAMDISK_IMAGE    0x218
#define BP_RAMDISK_SIZE     0x21c
#define BP_CMD_LINE_PTR     0x228
#define BP_XLOADFLAGS       0x236   /* u16 */
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_TABLE       0x2d0   /* 20 bytes an entry */
#define BP_E820_MAX         128

/* multiboot_info (Multiboot Specification 0.6.96) */
#define MBI_FLAGS           0
#define MBI_MEM_LOWER       4
#define MBI_MEM_UPPER       8
#define MBI_CMDLINE         16
#define MBI_MODS_COUNT      20
#define MBI_MODS_ADDR       24
#define MBI_MMAP_LENGTH     44
#define MBI_MMAP_ADDR       48
#define MBI_BOOT_LOADER_NAME 64
#define MOD_START           0
#define MOD_END             4
#define MOD_STRING          8

#endif
