/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Linux/x86 boot protocol (Documentation/arch/x86/boot.rst): the
 * setup header and the parts of struct boot_params (the "zero page") the
 * firmware fills.  Field names and offsets are boot.rst's; the protocol
 * version that introduced a field is noted beside it.
 */
#ifndef QBOOT_LINUXBOOT_H
#define QBOOT_LINUXBOOT_H

#include <stdint.h>
#include "kernel.h"

/* The setup header, at offset 0x1f1 of the image and of boot_params */
struct setup_header {
    uint8_t setup_sects;            /* 0x1f1 */
    uint16_t root_flags;            /* 0x1f2 */
    uint32_t syssize;               /* 0x1f4, 32 bits from 2.04 */
    uint16_t ram_size;              /* 0x1f8 */
    uint16_t vid_mode;              /* 0x1fa */
    uint16_t root_dev;              /* 0x1fc */
    uint16_t boot_flag;             /* 0x1fe, 0xaa55 */
    uint16_t jump;                  /* 0x200, header end = 0x202 + byte 0x201 */
    uint32_t header;                /* 0x202, "HdrS" (2.00) */
    uint16_t version;               /* 0x206 (2.00) */
    uint32_t realmode_swtch;        /* 0x208 (2.00) */
    uint16_t start_sys_seg;         /* 0x20c (2.00) */
    uint16_t kernel_version;        /* 0x20e (2.00) */
    uint8_t type_of_loader;         /* 0x210 (2.00) */
    uint8_t loadflags;              /* 0x211 (2.00) */
    uint16_t setup_move_size;       /* 0x212 (2.00) */
    uint32_t code32_start;          /* 0x214 (2.00) */
    uint32_t ramdisk_image;         /* 0x218 (2.00) */
    uint32_t ramdisk_size;          /* 0x21c (2.00) */
    uint32_t bootsect_kludge;       /* 0x220 (2.00) */
    uint16_t heap_end_ptr;          /* 0x224 (2.01) */
    uint8_t ext_loader_ver;         /* 0x226 (2.02) */
    uint8_t ext_loader_type;        /* 0x227 (2.02) */
    uint32_t cmd_line_ptr;          /* 0x228 (2.02) */
    uint32_t initrd_addr_max;       /* 0x22c (2.03) */
    uint32_t kernel_alignment;      /* 0x230 (2.05) */
    uint8_t relocatable_kernel;     /* 0x234 (2.05) */
    uint8_t min_alignment;          /* 0x235 (2.10) */
    uint16_t xloadflags;            /* 0x236 (2.12) */
    uint32_t cmdline_size;          /* 0x238 (2.06) */
    uint32_t hardware_subarch;      /* 0x23c (2.07) */
    uint64_t hardware_subarch_data; /* 0x240 (2.07) */
    uint32_t payload_offset;        /* 0x248 (2.08) */
    uint32_t payload_length;        /* 0x24c (2.08) */
    uint64_t setup_data;            /* 0x250 (2.09) */
    uint64_t pref_address;          /* 0x258 (2.10) */
    uint32_t init_size;             /* 0x260 (2.10) */
    uint32_t handover_offset;       /* 0x264 (2.11) */
    uint32_t kernel_info_offset;    /* 0x268 (2.15) */
} __attribute__((packed));

#define SETUP_HEADER_OFFSET     0x1f1
#define SETUP_HEADER_END_MAX    0x290   /* boot_params: edd_mbr_sig_buffer */

#define LINUX_BOOT_FLAG         0xaa55
#define LINUX_HDRS_MAGIC        0x53726448  /* "HdrS" */
#define LINUX_SECTOR_SIZE       512
#define LINUX_DEFAULT_SETUP_SECTS 4         /* when setup_sects is 0 */

/* loadflags */
#define LOADED_HIGH             (1u << 0)
/* xloadflags (2.12) */
#define XLF_KERNEL_64           (1u << 0)
#define XLF_CAN_BE_LOADED_ABOVE_4G (1u << 1)

/* type_of_loader: 0xff, "undefined" (no boot loader ID assigned) */
#define LINUX_LOADER_UNDEFINED  0xff

/* boot_params is one 4 KiB page */
#define E820_MAX_ENTRIES_ZEROPAGE 128

struct boot_e820_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
} __attribute__((packed));

struct boot_params {
    uint8_t _pad0[0x070];
    uint64_t acpi_rsdp_addr;        /* 0x070 (2.14) */
    uint8_t _pad1[0x1e8 - 0x078];
    uint8_t e820_entries;           /* 0x1e8 */
    uint8_t _pad2[SETUP_HEADER_OFFSET - 0x1e9];
    struct setup_header hdr;        /* 0x1f1 */
    uint8_t _pad3[0x2d0 - SETUP_HEADER_OFFSET - sizeof(struct setup_header)];
    struct boot_e820_entry e820_table[E820_MAX_ENTRIES_ZEROPAGE]; /* 0x2d0 */
    uint8_t _pad4[0x1000 - 0x2d0 - 20 * E820_MAX_ENTRIES_ZEROPAGE];
} __attribute__((packed));

/* Linux's boot segments for the 32-bit boot protocol */
#define __BOOT_CS               0x10
#define __BOOT_DS               0x18

/*
 * Read and check the bzImage setup header, load the protected-mode
 * kernel and set kernel->entry/load_start/load_end to where it runs
 * (load_end: the end of its init_size range).  Returns the highest
 * address + 1 the initrd may use.
 */
uint64_t linux_load(struct microvm_kernel_info *kernel, uint32_t cmdline);

/* Fill boot_params and enter the kernel through the 32-bit protocol */
void linux_boot(const struct microvm_kernel_info *kernel, uint32_t cmdline,
                const struct boot_module *initrd, uint32_t rsdp)
    __attribute__((noreturn));

#endif
