/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Multiboot v1 (Multiboot Specification 0.6.96): the header a kernel
 * carries and the information structure the boot loader hands it.  Field
 * names are the specification's.
 */
#ifndef QBOOT_MULTIBOOT_H
#define QBOOT_MULTIBOOT_H

#include <stdint.h>
#include "kernel.h"

#define MULTIBOOT_SEARCH            8192        /* header within these bytes */
#define MULTIBOOT_HEADER_MAGIC      0x1badb002
#define MULTIBOOT_BOOTLOADER_MAGIC  0x2badb002  /* EAX at entry */

/* Multiboot header flags: bits 0-15 are requirements, 16-31 optional */
#define MULTIBOOT_PAGE_ALIGN        (1u << 0)   /* modules page-aligned */
#define MULTIBOOT_MEMORY_INFO       (1u << 1)   /* mem_* fields wanted */
#define MULTIBOOT_VIDEO_MODE        (1u << 2)   /* video mode table wanted */
#define MULTIBOOT_AOUT_KLUDGE       (1u << 16)  /* address fields valid */
/* Requirements this loader meets (it always does both) */
#define MULTIBOOT_SUPPORTED_REQS    (MULTIBOOT_PAGE_ALIGN | \
                                     MULTIBOOT_MEMORY_INFO)
#define MULTIBOOT_REQ_MASK          0x0000ffffu

struct multiboot_header {
    uint32_t magic;
    uint32_t flags;
    uint32_t checksum;
    /* valid with MULTIBOOT_AOUT_KLUDGE */
    uint32_t header_addr;
    uint32_t load_addr;
    uint32_t load_end_addr;
    uint32_t bss_end_addr;
    uint32_t entry_addr;
} __attribute__((packed));

/* multiboot_info.flags */
#define MULTIBOOT_INFO_MEMORY           (1u << 0)
#define MULTIBOOT_INFO_CMDLINE          (1u << 2)
#define MULTIBOOT_INFO_MODS             (1u << 3)
#define MULTIBOOT_INFO_MEM_MAP          (1u << 6)
#define MULTIBOOT_INFO_BOOT_LOADER_NAME (1u << 9)

/*
 * multiboot_info: only the fields this loader fills are named, at their
 * specification offsets; the others (boot device, symbols, drives,
 * config table, APM, VBE) stay zero, and their flags bits clear.
 */
struct multiboot_info {
    uint32_t flags;                 /* 0 */
    uint32_t mem_lower;             /* 4: KiB from 0 */
    uint32_t mem_upper;             /* 8: KiB from 1 MiB */
    uint32_t unused_boot_device;    /* 12 */
    uint32_t cmdline;               /* 16 */
    uint32_t mods_count;            /* 20 */
    uint32_t mods_addr;             /* 24 */
    uint32_t unused_syms[4];        /* 28: a.out or ELF symbols */
    uint32_t mmap_length;           /* 44: bytes */
    uint32_t mmap_addr;             /* 48 */
    uint32_t unused_drives[2];      /* 52 */
    uint32_t unused_config_table;   /* 60 */
    uint32_t boot_loader_name;      /* 64 */
    uint32_t unused_apm_vbe[5];     /* 68: APM table, VBE info, to 88 */
} __attribute__((packed));

_Static_assert(sizeof(struct multiboot_info) == 88,
               "multiboot_info is 88 bytes in Multiboot 0.6.96");

struct multiboot_mod_list {
    uint32_t mod_start;
    uint32_t mod_end;           /* one past the last byte */
    uint32_t string;
    uint32_t reserved;
} __attribute__((packed));

/* size does not count itself: the next entry is at base + size + 4 */
struct multiboot_mmap_entry {
    uint32_t size;
    uint64_t base_addr;
    uint64_t length;
    uint32_t type;
} __attribute__((packed));

/*
 * Find and check the header in FW_CFG_KERNEL_DATA against @kernel, load
 * the image and the module (the initrd) above it
 */
void multiboot_load(const struct microvm_kernel_info *kernel,
                    struct boot_module *module);

/* Build multiboot_info and enter the kernel; does not return */
void multiboot_boot(const struct microvm_kernel_info *kernel,
                    uint32_t cmdline, const struct boot_module *module)
    __attribute__((noreturn));

#endif
