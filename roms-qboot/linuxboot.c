/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bzImage boot through the Linux/x86 32-bit boot protocol
 * (Documentation/arch/x86/boot.rst).  The machine publishes the whole
 * bzImage file as a fw_cfg item; the firmware reads its setup header
 * straight into boot_params, checks it, loads the protected-mode kernel
 * at its preferred address and enters it in 32-bit flat mode with
 * ESI = boot_params.  The real-mode setup code is never run.
 *
 * Minimum protocol 2.10: init_size and pref_address (both 2.10) are what
 * let the firmware prove the kernel's whole working area is RAM and keep
 * the initrd out of it; older kernels (before Linux 2.6.31) are refused.
 */
#include "boot_phase.h"
#include "e820.h"
#include "fw_cfg.h"
#include "layout.h"
#include "linuxboot.h"
#include "print.h"
#include "string.h"

#define LINUX_MIN_VERSION   0x020a  /* 2.10 */
#define LINUX_RSDP_VERSION  0x020e  /* 2.14: acpi_rsdp_addr */
#define ADDR_LIMIT_4G       0x100000000ULL

_Static_assert(sizeof(struct boot_params) == 0x1000, "boot_params is 4 KiB");
_Static_assert(SETUP_HEADER_OFFSET + sizeof(struct setup_header) <=
               SETUP_HEADER_END_MAX, "setup header too big");
_Static_assert(E820_MAX <= E820_MAX_ENTRIES_ZEROPAGE,
               "the e820 map may not fit boot_params");

/* The GDT boot.rst asks for: flat __BOOT_CS (0x10) and __BOOT_DS (0x18) */
static const uint64_t linux_gdt[4] __attribute__((aligned(8))) = {
    0,
    0,
    0x00cf9b000000ffffULL,      /* __BOOT_CS: 32-bit, execute/read */
    0x00cf93000000ffffULL,      /* __BOOT_DS: 32-bit, read/write */
};

static const struct {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed)) linux_gdtr = {
    .limit = sizeof(linux_gdt) - 1,
    .base = (uint32_t)linux_gdt,
};

static uint32_t linux_cmdline_len(uint32_t cmdline)
{
    const char *s = (const char *)cmdline;
    uint32_t n = 0;

    /* cmdline_load() NUL-terminates within CMDLINE_MAX */
    while (cmdline && s[n]) {
        n++;
    }
    return n;
}

static void linux_check_ram(const char *what, uint64_t start, uint64_t size)
{
    if (start < HIGH_MEMORY_START || start + size > ADDR_LIMIT_4G ||
        !e820_range_is_ram(start, start + size)) {
        fatal("bzImage %s %llx+%llx is not RAM in 1 MiB-4 GiB",
              what, start, size);
    }
}

uint64_t linux_load(struct microvm_kernel_info *kernel, uint32_t cmdline)
{
    struct boot_params *bp = (struct boot_params *)BOOT_PARAMS_ADDR;
    struct setup_header *h = &bp->hdr;
    uint32_t size, setup_size, ksize, hdr_end, align;
    uint64_t load, run;
    uint16_t key = FW_CFG_KERNEL_DATA;

    size = fw_cfg_read_u32(FW_CFG_KERNEL_SIZE);
    if (size < SETUP_HEADER_END_MAX) {
        fatal("bzImage of %u bytes is too small", size);
    }
    /* The first bytes of the file, setup header included, are boot_params */
    fw_cfg_read_item(key, bp, SETUP_HEADER_END_MAX);

    if (h->boot_flag != LINUX_BOOT_FLAG) {
        fatal("bzImage boot_flag is %x, not 0xaa55", h->boot_flag);
    }
    if (h->header != LINUX_HDRS_MAGIC) {
        fatal("bzImage has no \"HdrS\" header (boot protocol < 2.00)");
    }
    if (h->version < LINUX_MIN_VERSION) {
        fatal("bzImage boot protocol %x is older than 2.10", h->version);
    }
    /* Keep the setup header only: it ends at 0x202 + the byte at 0x201 */
    hdr_end = 0x202 + ((const uint8_t *)bp)[0x201];
    if (hdr_end > SETUP_HEADER_END_MAX) {
        hdr_end = SETUP_HEADER_END_MAX;
    }
    memset(bp, 0, SETUP_HEADER_OFFSET);
    memset((uint8_t *)bp + hdr_end, 0, sizeof(*bp) - hdr_end);

    setup_size = ((h->setup_sects ? h->setup_sects :
                   LINUX_DEFAULT_SETUP_SECTS) + 1) * LINUX_SECTOR_SIZE;
    if (setup_size >= size) {
        fatal("bzImage setup_sects %u is beyond the %u-byte file",
              h->setup_sects, size);
    }
    ksize = size - setup_size;
    /* syssize (32-bit from 2.04): the protected-mode code, 16-byte units */
    if (h->syssize == 0 || h->syssize > ksize / 16) {
        fatal("bzImage syssize %x does not match the %u bytes after setup",
              h->syssize, ksize);
    }
    if (!(h->loadflags & LOADED_HIGH)) {
        fatal("bzImage does not have LOADED_HIGH (a zImage?)");
    }
    /* initrd_addr_max (2.03): highest address the initrd may occupy */
    if (h->initrd_addr_max < HIGH_MEMORY_START) {
        fatal("bzImage initrd_addr_max %x is below 1 MiB",
              h->initrd_addr_max);
    }
    /* cmdline_size (2.06): longest command line, without the NUL */
    if (linux_cmdline_len(cmdline) > h->cmdline_size) {
        fatal("command line of %u bytes is over the kernel's cmdline_size %u",
              linux_cmdline_len(cmdline), h->cmdline_size);
    }
    /* init_size (2.10): memory from the runtime start the kernel needs */
    if (h->init_size < ksize) {
        fatal("bzImage init_size %x is less than its %u bytes",
              h->init_size, ksize);
    }
    /*
     * Runtime start, as boot.rst computes it: relocatable_kernel (2.05)
     * images run at pref_address (2.10) aligned up to kernel_alignment
     * (2.05), and are loaded there; the others are loaded at 1 MiB and
     * move themselves to pref_address.
     */
    if (h->relocatable_kernel) {
        align = h->kernel_alignment;
        if (align == 0 || (align & (align - 1))) {
            fatal("bzImage kernel_alignment %x is not a power of 2", align);
        }
        run = h->pref_address > HIGH_MEMORY_START ? h->pref_address :
              HIGH_MEMORY_START;
        if (run >= ADDR_LIMIT_4G) {
            fatal("bzImage pref_address %llx is above 4 GiB", run);
        }
        run = (run + align - 1) & ~(uint64_t)(align - 1);
        load = run;
    } else {
        load = HIGH_MEMORY_START;
        run = h->pref_address;
    }
    linux_check_ram("load area", load, ksize);
    linux_check_ram("init_size area", run, h->init_size);
    /*
     * xloadflags (2.12) is not needed: the 32-bit entry exists in every
     * bzImage, and the initrd stays below 4 GiB (no ext_ramdisk_image).
     */

    fw_cfg_read_item_at(key, setup_size, (void *)(uint32_t)load, ksize);
    h->code32_start = load;

    kernel->entry = load;
    kernel->load_start = load < run ? load : run;
    kernel->load_end = load + ksize > run + h->init_size ?
                       load + ksize : run + h->init_size;
    return (uint64_t)h->initrd_addr_max + 1;
}

static __attribute__((noreturn)) void linux_enter(uint32_t entry,
                                                   uint32_t boot_params)
{
    /*
     * boot.rst, 32-bit boot protocol: CS = __BOOT_CS, DS = ES = SS =
     * __BOOT_DS, both flat; paging and interrupts off; ESI = boot_params;
     * EBP = EDI = EBX = 0.  FS and GS get __BOOT_DS too.
     */
    asm volatile("lgdtl %[gdtr]\n\t"
                 "ljmpl %[cs], $1f\n"
                 "1:\n\t"
                 "movl %[ds], %%eax\n\t"
                 "movl %%eax, %%ds\n\t"
                 "movl %%eax, %%es\n\t"
                 "movl %%eax, %%ss\n\t"
                 "movl %%eax, %%fs\n\t"
                 "movl %%eax, %%gs\n\t"
                 "xorl %%ebx, %%ebx\n\t"
                 "xorl %%ebp, %%ebp\n\t"
                 "xorl %%edi, %%edi\n\t"
                 "jmp *%%ecx"
                 : : [gdtr] "m"(linux_gdtr), [cs] "i"(__BOOT_CS),
                     [ds] "i"(__BOOT_DS), "c"(entry), "S"(boot_params)
                 : "eax", "memory");
    __builtin_unreachable();
}

void linux_boot(const struct microvm_kernel_info *kernel, uint32_t cmdline,
                const struct boot_module *initrd, uint32_t rsdp)
{
    struct boot_params *bp = (struct boot_params *)BOOT_PARAMS_ADDR;
    const struct e820_entry *e = e820_entries();
    unsigned i, n = e820_count();

    bp->hdr.type_of_loader = LINUX_LOADER_UNDEFINED;
    bp->hdr.setup_data = 0;         /* none; never the image's own bytes */
    bp->hdr.cmd_line_ptr = cmdline;
    bp->hdr.ramdisk_image = initrd->addr;
    bp->hdr.ramdisk_size = initrd->size;
    if (rsdp && bp->hdr.version >= LINUX_RSDP_VERSION) {
        bp->acpi_rsdp_addr = rsdp;
    }
    for (i = 0; i < n; i++) {
        bp->e820_table[i].addr = e[i].addr;
        bp->e820_table[i].size = e[i].size;
        bp->e820_table[i].type = e[i].type;
    }
    bp->e820_entries = n;

    boot_phase(BOOT_PHASE_KERNEL_HANDOFF);
    linux_enter(kernel->entry, (uint32_t)bp);
}
