/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where the firmware lives and what it writes: the single source of truth
 * for addresses, shared by C, assembly and the linker script.
 *
 * The ROM is 64 KiB at the top of the 32-bit address space; everything the
 * firmware writes is in low RAM: below the EBDA-style hole the machine
 * reserves at 0x9fc00, plus the MP floating pointer in that hole.  The
 * areas a kernel receives (start_info, boot_params, memory map, command
 * line, ACPI or MP tables) are all below 1 MiB; the tables are also
 * reserved in the e820 map the kernel gets (e820_reserve()).
 */
#ifndef QBOOT_LAYOUT_H
#define QBOOT_LAYOUT_H

/* ---- ROM (read-only, mapped by the machine) ---------------------------- */
#define ROM_BASE            0xffff0000  /* 64 KiB image, reset vector at top */
#define ROM_SIZE            0x00010000
#define ROM_TEXT16_ADDR     0xffffff00  /* real-mode stub and the GDT */
#define ROM_RESET_VECTOR    0xfffffff0  /* where the CPU starts */

/* ---- Low RAM, [0, 0x9fc00) ---------------------------------------------- */
/* 0x00000-0x003ff: real-mode IVT, every vector set (ivt.c) */
#define IVT_ADDR            0x00000000
#define IVT_VECTORS         256
/* 0x00400-0x00fff: BDA, untouched but for the EBDA segment (acpi.c) */
/* Real-mode code sees the ROM's top 64 KiB through its alias at f000:0 */
#define ROM_REAL_MODE_SEG   0xf000
#define FW_DATA_ADDR        0x00001000  /* .data then .bss, copied/zeroed */
#define FW_DATA_END         0x00002000
#define FW_STACK_BOTTOM     0x00002000  /* 16 KiB stack, grows down */
#define FW_STACK_TOP        0x00006000
#define PVH_START_INFO_ADDR 0x00006000  /* hvm_start_info, then modlist */
#define PVH_START_INFO_END  0x00007000
#define BOOT_PARAMS_ADDR    0x00007000  /* bzImage boot_params (zero page) */
#define E820_TABLE_ADDR     0x00008000  /* etc/e820 as read, E820_MAX entries */
#define E820_TABLE_END      0x00009000
#define PVH_MEMMAP_ADDR     0x00009000  /* hvm_memmap_table_entry array */
#define PVH_MEMMAP_END      0x0000a000
#define FW_CFG_DIR_ADDR     0x0000a000  /* fw_cfg file directory, in chunks */
#define FW_CFG_DIR_END      0x00010000
#define CMDLINE_ADDR        0x00010000  /* kernel command line, NUL ended */
#define CMDLINE_MAX         0x00010000  /* bytes, NUL included */
#define FW_LOW_END          0x00020000  /* end of the always-used area */
#define TABLE_LOADER_ADDR   0x00020000  /* etc/table-loader commands, read */
#define TABLE_LOADER_END    0x00028000  /* whole (scratch, 256 commands) */
#define FW_TABLES_ADDR      0x00028000  /* ACPI tables (both zones) or the */
#define FW_TABLES_END       0x0009f000  /* MP config table; e820-reserved */
#define LOW_RAM_END         0x0009fc00  /* top of conventional memory */
#define MPTABLE_FLOAT_ADDR  0x0009fc00  /* MP floating pointer: last KiB of */
#define MPTABLE_FLOAT_END   0x000a0000  /* base memory, e820-reserved */
/*
 * With ACPI (then there is no MP table) the same KiB is the EBDA that
 * holds the table-loader's FSEG zone, i.e. the RSDP, where the ACPI
 * spec's legacy search finds it: the BDA word at 0x40e holds its segment.
 */
#define EBDA_ADDR           0x0009fc00
#define EBDA_END            0x000a0000
#define BDA_EBDA_SEGMENT    0x0000040e

/* ---- F segment, [0xf0000, 0x100000): e820-reserved ------------------- */
/*
 * The ROM's read-only alias, except the first 16 KiB, which the machine
 * backs with RAM for us (MICROVM_MEM_FSEG_RAM): the SMBIOS entry point
 * goes there, where an OS's F-segment search finds it, then the tables.
 */
#define SMBIOS_ANCHOR_ADDR  0x000f0000  /* entry point, 16-byte aligned */
#define SMBIOS_TABLES_ADDR  0x000f0020  /* structure table */
#define SMBIOS_AREA_END     0x000f4000

/* Multiboot v1 reuses the PVH areas (only one protocol boots) */
#define MB_INFO_ADDR        0x00006000  /* multiboot_info */
#define MB_MODS_ADDR        0x00006080  /* multiboot_mod_list[1] */
#define MB_LOADER_NAME_ADDR 0x000060c0  /* boot_loader_name */
#define MB_MOD_CMDLINE_ADDR 0x00006100  /* the module's string, NUL ended */
#define MB_MOD_CMDLINE_MAX  0x00000f00  /* bytes, NUL included */
#define MB_MMAP_ADDR        0x00009000  /* size-prefixed e820 entries */
#define MB_SCAN_ADDR        0x00020000  /* first 8 KiB of the image */

/* Kernels and the initrd go at or above 1 MiB, away from all of the above */
#define HIGH_MEMORY_START   0x00100000

#endif
