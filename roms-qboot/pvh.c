/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PVH boot: build struct hvm_start_info (version 1) in low RAM and enter
 * the kernel's XEN_ELFNOTE_PHYS32_ENTRY as the ABI says: 32-bit flat
 * protected mode, paging off, EBX = start_info, interrupts off.
 */
#include "boot_phase.h"
#include "e820.h"
#include "layout.h"
#include "pvh.h"
#include "segment.h"

struct pvh_boot_info {
    struct hvm_start_info start_info;
    struct hvm_modlist_entry modlist[1];    /* the initrd */
};

_Static_assert(sizeof(struct pvh_boot_info) <=
               PVH_START_INFO_END - PVH_START_INFO_ADDR,
               "PVH boot info too big");
_Static_assert(E820_MAX * sizeof(struct hvm_memmap_table_entry) <=
               PVH_MEMMAP_END - PVH_MEMMAP_ADDR, "PVH memmap too big");

/* e820 and hvm memmap types are the same numbers; the layout differs */
static uint32_t pvh_build_memmap(void)
{
    struct hvm_memmap_table_entry *m =
        (struct hvm_memmap_table_entry *)PVH_MEMMAP_ADDR;
    const struct e820_entry *e = e820_entries();
    unsigned i, n = e820_count();

    for (i = 0; i < n; i++) {
        m[i].addr = e[i].addr;
        m[i].size = e[i].size;
        m[i].type = e[i].type;
        m[i].reserved = 0;
    }
    return n;
}

static __attribute__((noreturn)) void pvh_enter(uint32_t entry,
                                                 uint32_t start_info)
{
    /*
     * CS/DS/ES/SS are already the flat selectors and CR0 is PE|ET; load
     * TR with the 0x67-limit TSS the ABI describes, then jump.
     */
    asm volatile("ltr %w2\n\t"
                 "jmp *%0"
                 : : "a"(entry), "b"(start_info), "c"(SEG_TSS32)
                 : "memory");
    __builtin_unreachable();
}

void pvh_boot(const struct microvm_kernel_info *kernel, uint32_t cmdline,
              const struct boot_module *initrd, uint32_t rsdp)
{
    struct pvh_boot_info *b = (struct pvh_boot_info *)PVH_START_INFO_ADDR;
    struct hvm_start_info *si = &b->start_info;

    /* Fields not named here (flags, reserved) are zero. */
    *si = (struct hvm_start_info) {
        .magic = XEN_HVM_START_MAGIC_VALUE,
        .version = 1,
        .cmdline_paddr = cmdline,
        .rsdp_paddr = rsdp,
        .memmap_paddr = PVH_MEMMAP_ADDR,
        .memmap_entries = pvh_build_memmap(),
    };
    if (initrd->size) {
        b->modlist[0] = (struct hvm_modlist_entry) {
            .paddr = initrd->addr,
            .size = initrd->size,
        };
        si->nr_modules = 1;
        si->modlist_paddr = (uint32_t)b->modlist;
    }
    boot_phase(BOOT_PHASE_KERNEL_HANDOFF);
    pvh_enter(kernel->entry, (uint32_t)si);
}
