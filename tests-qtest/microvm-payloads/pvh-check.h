/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Result block of the pvh-check payload, shared by the payload (assembly)
 * and tests/qtest/microvm-test.c.  Only preprocessor definitions: the file
 * is included from both C and assembly.
 *
 * The payload lives at 1 MiB (pvh-check.ld).  On entry it records what the
 * firmware handed it into the block at PVH_CHECK_RESULT_ADDR, which is part
 * of its own zero-initialised image (so it reads as zero until the payload
 * has run), then halts.
 */
#ifndef MICROVM_PVH_CHECK_H
#define MICROVM_PVH_CHECK_H

#define PVH_CHECK_LOAD_ADDR     0x00100000  /* pvh-check.ld: ". = ..." */
#define PVH_CHECK_RESULT_ADDR   0x00110000  /* pvh-check.ld: ".result" */

#define PVH_CHECK_ENTRY_MAGIC   0x52544e45  /* "ENTR": first instruction ran */
#define PVH_CHECK_DONE_MAGIC    0x454e4f44  /* "DONE": block complete */

#define PVH_CHECK_MAX_MEMMAP    32          /* memmap entries copied */
#define PVH_CHECK_MAX_CMDLINE   1024        /* cmdline bytes copied, with NUL */
#define PVH_CHECK_MAX_INITRD    0x01000000  /* module bytes hashed at most */

#define PVH_CHECK_FNV_BASIS     0x811c9dc5  /* FNV-1a 32-bit */
#define PVH_CHECK_FNV_PRIME     0x01000193

#define XEN_HVM_START_MAGIC     0x336ec578
#define LAPIC_VERSION_ADDR      0xfee00030

/* Offsets in the result block; each is a 32-bit little-endian field */
#define R_ENTRY         0x000   /* PVH_CHECK_ENTRY_MAGIC */
#define R_DONE          0x004   /* PVH_CHECK_DONE_MAGIC */
#define R_EBX           0x008   /* EBX at entry: hvm_start_info address */
#define R_CR0           0x00c
#define R_CR4           0x010
#define R_EFLAGS        0x014
#define R_CS            0x018   /* selectors, zero-extended */
#define R_DS            0x01c
#define R_ES            0x020
#define R_SS            0x024
#define R_FS            0x028
#define R_GS            0x02c
#define R_GDT_LIMIT     0x030   /* SGDT */
#define R_GDT_BASE      0x034
#define R_DESC_CS       0x038   /* 8-byte GDT descriptors (0 if unreadable) */
#define R_DESC_DS       0x040
#define R_DESC_ES       0x048
#define R_DESC_SS       0x050
#define R_INITRD_SUM    0x058   /* FNV-1a of module 0's bytes */
#define R_INITRD_LEN    0x05c   /* bytes hashed (0: none) */
#define R_CMDLINE_LEN   0x060   /* strlen of the cmdline copy */
#define R_LAPIC_VERSION 0x064   /* local APIC version register (0x30) */
#define R_START_INFO    0x080   /* copy of hvm_start_info, 56 bytes */
#define R_MODLIST       0x0c0   /* copy of modlist entry 0, 32 bytes */
#define R_MEMMAP        0x100   /* copy of the memmap, 24 bytes an entry */
#define R_CMDLINE       0x400   /* copy of the cmdline string */
#define R_SIZE          0x800

/* struct hvm_start_info (xen/include/public/arch-x86/hvm/start_info.h) */
#define SI_MAGIC            0
#define SI_VERSION          4
#define SI_FLAGS            8
#define SI_NR_MODULES       12
#define SI_MODLIST_PADDR    16
#define SI_CMDLINE_PADDR    24
#define SI_RSDP_PADDR       32
#define SI_MEMMAP_PADDR     40  /* version >= 1 */
#define SI_MEMMAP_ENTRIES   48  /* version >= 1 */
#define SI_SIZE             56

/* struct hvm_modlist_entry and struct hvm_memmap_table_entry */
#define MOD_PADDR           0
#define MOD_SIZE            8
#define MOD_SIZEOF          32
#define MEMMAP_SIZEOF       24

#endif
