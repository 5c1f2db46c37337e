/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Multiboot v1 (Multiboot Specification 0.6.96), a.out-kludge images
 * only: the machine publishes the whole file as FW_CFG_KERNEL_DATA and a
 * descriptor naming entry_addr, load_addr and the end of the bss.  The
 * firmware finds the header again, checks it field by field and against
 * the descriptor, copies the file bytes to load_addr..load_end_addr,
 * zeroes the bss, places the module (the initrd) page-aligned above the
 * kernel, builds multiboot_info and enters in 32-bit flat protected mode
 * with EAX = 0x2badb002 and EBX = multiboot_info.
 */
#include "boot_phase.h"
#include "e820.h"
#include "fw_cfg.h"
#include "layout.h"
#include "multiboot.h"
#include "print.h"
#include "string.h"

#define PAGE_SIZE       4096
#define ADDR_LIMIT_4G   0x100000000ULL
#define LOW_MEM_LIMIT   0xa0000         /* mem_lower covers at most 640 KiB */

static const char mb_loader_name[] = "qboot-microvm";

_Static_assert(sizeof(struct multiboot_info) <=
               MB_MODS_ADDR - MB_INFO_ADDR, "multiboot_info too big");
_Static_assert(sizeof(struct multiboot_mod_list) <=
               MB_LOADER_NAME_ADDR - MB_MODS_ADDR, "module list too big");
_Static_assert(sizeof(mb_loader_name) <=
               MB_MOD_CMDLINE_ADDR - MB_LOADER_NAME_ADDR, "name too long");
_Static_assert(MB_MOD_CMDLINE_ADDR + MB_MOD_CMDLINE_MAX <= PVH_START_INFO_END,
               "module string area too big");
_Static_assert(E820_MAX * sizeof(struct multiboot_mmap_entry) <=
               PVH_MEMMAP_END - MB_MMAP_ADDR, "multiboot mmap too big");
_Static_assert(MB_SCAN_ADDR + MULTIBOOT_SEARCH <= TABLE_LOADER_END,
               "header scan area too big");

/* The header's offset in the file; halts when there is none */
static uint32_t mb_find_header(uint32_t size)
{
    uint32_t *w = (uint32_t *)MB_SCAN_ADDR;
    uint32_t n = size < MULTIBOOT_SEARCH ? size : MULTIBOOT_SEARCH;
    uint32_t i;

    if (!e820_range_is_ram(MB_SCAN_ADDR, MB_SCAN_ADDR + MULTIBOOT_SEARCH)) {
        fatal("multiboot: scratch %x+%x is not RAM", MB_SCAN_ADDR,
              MULTIBOOT_SEARCH);
    }
    fw_cfg_read_item(FW_CFG_KERNEL_DATA, w, n);
    for (i = 0; i + sizeof(struct multiboot_header) <= n; i += 4) {
        if (w[i / 4] == MULTIBOOT_HEADER_MAGIC) {
            return i;
        }
    }
    fatal("multiboot: no header in the first %u bytes", n);
}

void multiboot_load(const struct microvm_kernel_info *kernel,
                    struct boot_module *module)
{
    uint32_t size = fw_cfg_read_u32(FW_CFG_KERNEL_SIZE);
    const struct multiboot_header *h;
    uint32_t off, hdr_rel, file_off, load_len, msize;
    uint64_t load_end, bss_end, maddr;

    off = mb_find_header(size);
    h = (const struct multiboot_header *)(MB_SCAN_ADDR + off);
    if (h->magic + h->flags + h->checksum != 0) {
        fatal("multiboot: header checksum %x is wrong", h->checksum);
    }
    if (h->flags & MULTIBOOT_REQ_MASK & ~MULTIBOOT_SUPPORTED_REQS) {
        fatal("multiboot: unsupported required flags %x (video mode?)",
              h->flags & MULTIBOOT_REQ_MASK & ~MULTIBOOT_SUPPORTED_REQS);
    }
    if (!(h->flags & MULTIBOOT_AOUT_KLUDGE)) {
        fatal("multiboot: header without address fields (flag 16)");
    }
    /* The file offset of load_addr: the header's, less header_addr's */
    if (h->header_addr < h->load_addr ||
        h->header_addr - h->load_addr > off) {
        fatal("multiboot: header_addr %x / load_addr %x do not fit the "
              "header at offset %x", h->header_addr, h->load_addr, off);
    }
    hdr_rel = h->header_addr - h->load_addr;
    file_off = off - hdr_rel;
    if (h->load_end_addr == 0) {
        load_len = size - file_off;
    } else if (h->load_end_addr <= h->load_addr ||
               h->load_end_addr - h->load_addr > size - file_off) {
        fatal("multiboot: load_end_addr %x is not in (load_addr %x, "
              "end of file]", h->load_end_addr, h->load_addr);
    } else {
        load_len = h->load_end_addr - h->load_addr;
    }
    if (hdr_rel + sizeof(*h) > load_len) {
        fatal("multiboot: the header is not inside the loaded bytes");
    }
    load_end = (uint64_t)h->load_addr + load_len;
    bss_end = h->bss_end_addr ? h->bss_end_addr : load_end;
    if (bss_end < load_end) {
        fatal("multiboot: bss_end_addr %x is below the loaded end %llx",
              h->bss_end_addr, load_end);
    }
    if (h->load_addr < HIGH_MEMORY_START) {
        fatal("multiboot: load_addr %x is below 1 MiB", h->load_addr);
    }
    if (h->entry_addr < h->load_addr || h->entry_addr >= load_end) {
        fatal("multiboot: entry_addr %x is outside %x-%llx",
              h->entry_addr, h->load_addr, load_end);
    }
    if (kernel->entry != h->entry_addr ||
        kernel->load_start != h->load_addr || kernel->load_end != bss_end) {
        fatal("multiboot: header does not match etc/microvm/kernel");
    }
    /* kernel_info_load() has checked [load_start, load_end) is RAM */
    fw_cfg_read_item_at(FW_CFG_KERNEL_DATA, file_off,
                        (void *)h->load_addr, load_len);
    memset((void *)(uint32_t)load_end, 0, bss_end - load_end);

    module->addr = 0;
    module->size = 0;
    msize = fw_cfg_read_u32(FW_CFG_INITRD_SIZE);
    if (msize == 0) {
        return;
    }
    maddr = (bss_end + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
    if (maddr + msize > ADDR_LIMIT_4G ||
        !e820_range_is_ram(maddr, maddr + msize)) {
        fatal("multiboot: module of %u bytes does not fit in RAM at %llx",
              msize, maddr);
    }
    fw_cfg_read_item(FW_CFG_INITRD_DATA, (void *)(uint32_t)maddr, msize);
    module->addr = maddr;
    module->size = msize;
}

/* The module's string: etc/microvm/module-cmdline, bounded, or "" */
static uint32_t mb_module_string(void)
{
    const struct fw_cfg_file *f = fw_cfg_file(FW_CFG_FILE_MODULE_CMDLINE);
    char *s = (char *)MB_MOD_CMDLINE_ADDR;
    uint32_t n = f->select ? f->size : 0;

    if (n > MB_MOD_CMDLINE_MAX) {
        fatal("multiboot: module command line of %u bytes is over %u",
              n, MB_MOD_CMDLINE_MAX);
    }
    s[0] = '\0';
    if (n) {
        fw_cfg_read_item(f->select, s, n);
        s[n - 1] = '\0';
    }
    return MB_MOD_CMDLINE_ADDR;
}

/* mem_lower: RAM from 0 (KiB, <= 640); mem_upper: RAM from 1 MiB (KiB) */
static void mb_fill_memory(struct multiboot_info *mbi)
{
    const struct e820_entry *e = e820_entries();
    unsigned i, n = e820_count();
    uint64_t end;

    for (i = 0; i < n; i++) {
        if (e[i].type != E820_RAM) {
            continue;
        }
        end = e[i].addr + e[i].size;
        if (e[i].addr == 0) {
            mbi->mem_lower = (end < LOW_MEM_LIMIT ? end : LOW_MEM_LIMIT) /
                             1024;
        }
        if (e[i].addr <= HIGH_MEMORY_START && end > HIGH_MEMORY_START) {
            if (end > ADDR_LIMIT_4G) {
                end = ADDR_LIMIT_4G;
            }
            mbi->mem_upper = (end - HIGH_MEMORY_START) / 1024;
        }
    }
}

static uint32_t mb_build_mmap(void)
{
    struct multiboot_mmap_entry *m =
        (struct multiboot_mmap_entry *)MB_MMAP_ADDR;
    const struct e820_entry *e = e820_entries();
    unsigned i, n = e820_count();

    for (i = 0; i < n; i++) {
        m[i].size = sizeof(m[i]) - sizeof(m[i].size);
        m[i].base_addr = e[i].addr;
        m[i].length = e[i].size;
        m[i].type = e[i].type;
    }
    return n * sizeof(*m);
}

static __attribute__((noreturn)) void mb_enter(uint32_t entry, uint32_t mbi)
{
    /*
     * Already as the specification asks: CS = SEG_CODE32 and the data
     * segments SEG_DATA32 (flat), CR0 = PE|ET (paging off), IF = 0, A20
     * on (the machine never turns it off).
     */
    asm volatile("jmp *%%ecx"
                 : : "a"(MULTIBOOT_BOOTLOADER_MAGIC), "b"(mbi), "c"(entry)
                 : "memory");
    __builtin_unreachable();
}

void multiboot_boot(const struct microvm_kernel_info *kernel,
                    uint32_t cmdline, const struct boot_module *module)
{
    struct multiboot_info *mbi = (struct multiboot_info *)MB_INFO_ADDR;
    struct multiboot_mod_list *mod = (struct multiboot_mod_list *)MB_MODS_ADDR;

    memset(mbi, 0, sizeof(*mbi));
    mbi->flags = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_MEM_MAP |
                 MULTIBOOT_INFO_BOOT_LOADER_NAME;
    mb_fill_memory(mbi);
    if (cmdline) {
        mbi->flags |= MULTIBOOT_INFO_CMDLINE;
        mbi->cmdline = cmdline;
    }
    if (module->size) {
        mod->mod_start = module->addr;
        mod->mod_end = module->addr + module->size;
        mod->string = mb_module_string();
        mod->reserved = 0;
        mbi->flags |= MULTIBOOT_INFO_MODS;
        mbi->mods_count = 1;
        mbi->mods_addr = MB_MODS_ADDR;
    }
    mbi->mmap_length = mb_build_mmap();
    mbi->mmap_addr = MB_MMAP_ADDR;
    memcpy((void *)MB_LOADER_NAME_ADDR, mb_loader_name,
           sizeof(mb_loader_name));
    mbi->boot_loader_name = MB_LOADER_NAME_ADDR;

    boot_phase(BOOT_PHASE_KERNEL_HANDOFF);
    mb_enter(kernel->entry, MB_INFO_ADDR);
}
