/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Xen PVH direct boot ABI (xen/include/public/arch-x86/hvm/start_info.h,
 * docs/misc/pvh.pandoc): names as Xen spells them.
 */
#ifndef QBOOT_PVH_H
#define QBOOT_PVH_H

#include <stdint.h>
#include "kernel.h"

#define XEN_HVM_START_MAGIC_VALUE   0x336ec578

struct hvm_start_info {
    uint32_t magic;
    uint32_t version;
    uint32_t flags;
    uint32_t nr_modules;
    uint64_t modlist_paddr;
    uint64_t cmdline_paddr;
    uint64_t rsdp_paddr;
    /* version 1 */
    uint64_t memmap_paddr;
    uint32_t memmap_entries;
    uint32_t reserved;
};

struct hvm_modlist_entry {
    uint64_t paddr;
    uint64_t size;
    uint64_t cmdline_paddr;
    uint64_t reserved;
};

/* Types 1-5 and 7 are the e820 ones; Xen adds 6 */
#define XEN_HVM_MEMMAP_TYPE_RAM         1
#define XEN_HVM_MEMMAP_TYPE_RESERVED    2
#define XEN_HVM_MEMMAP_TYPE_ACPI        3
#define XEN_HVM_MEMMAP_TYPE_NVS         4
#define XEN_HVM_MEMMAP_TYPE_UNUSABLE    5
#define XEN_HVM_MEMMAP_TYPE_DISABLED    6
#define XEN_HVM_MEMMAP_TYPE_PMEM        7

struct hvm_memmap_table_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
    uint32_t reserved;
};

/* PVH entries are 32-bit: kernel and initrd stay below 4 GiB */
#define PVH_ADDR_LIMIT  0x100000000ULL

/*
 * Build hvm_start_info (@rsdp: the ACPI RSDP, 0 for none) and enter the
 * kernel; does not return
 */
void pvh_boot(const struct microvm_kernel_info *kernel, uint32_t cmdline,
              const struct boot_module *initrd, uint32_t rsdp)
    __attribute__((noreturn));

#endif
