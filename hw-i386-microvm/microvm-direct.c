/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * microvm firmware-less direct boot (direct-boot=on).
 *
 * QEMU does what the firmware would (roms/qboot/README.md) and starts
 * the boot vCPU at the kernel entry, so that no firmware instruction
 * runs.  Only PVH ELF kernels (xen/include/public/arch-x86/hvm/
 * start_info.h, "PVH boot ABI") are supported; microvm_boot_load()
 * refuses the others with direct-boot=on.
 *
 * microvm-boot.c has already checked the kernel and placed a PVH
 * vmlinux's segments or, through microvm_direct_load_bzimage(), a
 * bzImage's protected-mode code.  This file writes the boot structures
 * into the e820-reserved window MICROVM_MEM_DIRECT_BOOT:
 *
 *   +0x00000  hvm_start_info (version 1) and the module list (PVH), or
 *             boot_params, the "zero page" (bzImage)
 *   +0x00800  PVH: the GDT the entry selectors name, with a 32-bit TSS
 *   +0x01000  PVH: the memory map (the machine's e820, sorted);
 *             bzImage: the GDT
 *   +0x02000  the kernel command line, NUL-terminated
 *   +0x04000  bzImage: page tables mapping 0..4 GiB 1:1 in 2 MiB pages
 *   +0x10000  the ACPI tables (acpi=on), placed and patched here
 *
 * and the initrd at the top of RAM below 4 GiB, page aligned, clear of
 * the kernel, as the firmware does.  Without ACPI, SMP is refused: the
 * guest would need an MP table, which direct boot does not write.
 *
 * Every reset writes all of it again (ROM blobs) and puts the boot vCPU
 * at the kernel entry; secondary vCPUs stay in wait-for-SIPI.
 *
 * PVH (start_info.h, "PVH boot ABI"): 32-bit flat protected mode,
 * paging off, CS a 4 GiB 32-bit code segment, DS, ES, SS 4 GiB data
 * segments, CR0 = PE | ET, EFLAGS = 0x2, EBX = &hvm_start_info,
 * EIP = the PVH entry.
 *
 * bzImage (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol",
 * protocol 2.12 with XLF_KERNEL_64): long mode with the identity page
 * tables (CR0 = PE | PG | ET, CR4 = PAE, EFER = LME | LMA), a GDT with
 * __BOOT_CS (0x10, 64-bit code) and __BOOT_DS (0x18), CS = __BOOT_CS,
 * DS = ES = SS = __BOOT_DS, RSI = &boot_params, RIP = load address +
 * 0x200 (startup_64).  The kernel is loaded at pref_address (2.10), or,
 * when that does not fit and it is relocatable, at the lowest
 * kernel_alignment boundary above 1 MiB; init_size bytes must fit.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/units.h"
#include "qemu/error-report.h"
#include "qapi/error.h"
#include "hw/loader.h"
#include "hw/xen/start_info.h"
#include "exec/address-spaces.h"
#include "system/system.h"
#include "target/i386/cpu.h"
#include "e820_memory_layout.h"
#include "microvm-acpi.h"
#include "microvm-direct.h"

/* Offsets in the MICROVM_MEM_DIRECT_BOOT window */
#define DIRECT_START_INFO       0x00000
#define DIRECT_MODLIST          0x00100
#define DIRECT_BOOT_PARAMS      0x00000
#define DIRECT_MEMMAP           0x01000
#define DIRECT_MEMMAP_END       0x02000
#define DIRECT_GDT              0x01000
#define DIRECT_PVH_GDT          0x00800
#define DIRECT_CMDLINE          0x02000
#define DIRECT_CMDLINE_END      0x04000
#define DIRECT_PAGE_TABLES      0x04000
#define DIRECT_ACPI             0x10000

/* Page tables: PML4, PDPT, then one page directory per GiB */
#define DIRECT_PT_GIB           4
#define DIRECT_PT_PAGES         (2 + DIRECT_PT_GIB)
#define PTE_PRESENT_RW          0x003
#define PTE_LARGE               0x080

/* __BOOT_CS and __BOOT_DS (the PVH entry reloads its own GDT) */
#define DIRECT_SEL_CODE         0x10
#define DIRECT_SEL_DATA         0x18
/* PVH: TR must name a 32-bit TSS (base and limit unspecified) */
#define DIRECT_SEL_TSS          0x20
#define DIRECT_PVH_GDT_ENTRIES  5
#define DIRECT_GDT_ENTRIES      4

#define DIRECT_CODE_FLAGS       (DESC_P_MASK | DESC_S_MASK | DESC_CS_MASK | \
                                 DESC_R_MASK | DESC_A_MASK | DESC_G_MASK)
#define DIRECT_DATA_FLAGS       (DESC_P_MASK | DESC_S_MASK | DESC_W_MASK | \
                                 DESC_A_MASK | DESC_G_MASK | DESC_B_MASK)

/*
 * Linux boot protocol (Documentation/arch/x86/boot.rst and zero-page.rst):
 * offsets in the bzImage file, which are also offsets in boot_params
 * for the setup header.
 */
#define BP_ACPI_RSDP_ADDR       0x070   /* u64, 2.14 */
#define BP_EXT_RAMDISK_IMAGE    0x0c0   /* u32 */
#define BP_EXT_RAMDISK_SIZE     0x0c4   /* u32 */
#define BP_EXT_CMD_LINE_PTR     0x0c8   /* u32 */
#define BP_E820_ENTRIES         0x1e8   /* u8 */
#define BP_SETUP_HEADER         0x1f1
#define BP_SETUP_SECTS          0x1f1   /* u8 */
#define BP_JUMP_END             0x201   /* u8: header end - 0x202 */
#define BP_HEADER_END_BASE      0x202
#define BP_VERSION              0x206   /* u16 */
#define BP_TYPE_OF_LOADER       0x210   /* u8 */
#define BP_RAMDISK_IMAGE        0x218   /* u32 */
#define BP_RAMDISK_SIZE         0x21c   /* u32 */
#define BP_CMD_LINE_PTR         0x228   /* u32, 2.02 */
#define BP_INITRD_ADDR_MAX      0x22c   /* u32, 2.03 */
#define BP_KERNEL_ALIGNMENT     0x230   /* u32, 2.05 */
#define BP_RELOCATABLE_KERNEL   0x234   /* u8, 2.05 */
#define BP_XLOADFLAGS           0x236   /* u16, 2.12 */
#define BP_CMDLINE_SIZE         0x238   /* u32, 2.06 */
#define BP_PREF_ADDRESS         0x258   /* u64, 2.10 */
#define BP_INIT_SIZE            0x260   /* u32, 2.10 */
#define BP_E820_TABLE           0x2d0   /* 128 entries of 20 bytes */
#define BP_E820_MAX             128
#define BP_SIZE                 4096
/* The setup header ends before this (boot.rst: 0x0268 in 2.15) */
#define BP_HEADER_LIMIT         0x290
#define BP_LOADER_UNDEFINED     0xff
#define BP_XLF_KERNEL_64        0x0001
#define BP_MIN_VERSION_64       0x020c
#define BP_STARTUP_64           0x200
#define BP_MIN_LOAD_ADDR        (1 * MiB)

void microvm_direct_check(MicrovmMachineState *mms)
{
    MachineState *machine = MACHINE(mms);

    if (!machine->kernel_filename) {
        error_report("microvm: direct-boot=on needs -kernel");
        exit(1);
    }
    if (machine->firmware) {
        error_report("microvm: direct-boot=on runs no firmware; "
                     "drop -bios");
        exit(1);
    }
    if (!x86_machine_is_acpi_enabled(X86_MACHINE(mms)) &&
        machine->smp.cpus > 1) {
        error_report("microvm: direct-boot=on with acpi=off supports one "
                     "CPU only (no MP table is written); use acpi=on");
        exit(1);
    }
}

static gint e820_compare(gconstpointer a, gconstpointer b)
{
    const struct e820_entry *x = a, *y = b;

    return x->address < y->address ? -1 : x->address > y->address;
}

/* The machine's e820 table, sorted by address; at most @max entries */
static struct e820_entry *direct_e820(int max, int *count)
{
    struct e820_entry *table;
    struct e820_entry *sorted;
    int n = e820_get_table(&table);

    if (n > max) {
        error_report("microvm: direct boot: %d e820 entries, more than the "
                     "%d the boot structures hold", n, max);
        exit(1);
    }
    sorted = g_memdup2(table, n * sizeof(*table));
    qsort(sorted, n, sizeof(*sorted), e820_compare);
    *count = n;
    return sorted;
}

/*
 * Place the initrd at the top of RAM below @limit, page aligned, clear
 * of the kernel.  Returns false when there is none.
 */
static bool direct_initrd(MicrovmMachineState *mms, uint64_t limit,
                          uint64_t *addr, uint64_t *len)
{
    MachineState *machine = MACHINE(mms);
    g_autoptr(GError) gerr = NULL;
    g_autofree gchar *data = NULL;
    gsize size = 0;

    if (!machine->initrd_filename) {
        return false;
    }
    if (!g_file_get_contents(machine->initrd_filename, &data, &size,
                             &gerr)) {
        error_report("microvm: could not read initrd '%s': %s",
                     machine->initrd_filename, gerr->message);
        exit(1);
    }
    if (size == 0) {
        return false;
    }
    limit = MIN(limit, X86_MACHINE(mms)->below_4g_mem_size);
    *addr = size <= limit ? QEMU_ALIGN_DOWN(limit - size, 4 * KiB) : 0;
    if (*addr < mms->kernel_load_end) {
        error_report("microvm: initrd '%s' (%zu bytes) does not fit in RAM "
                     "below 0x%" PRIx64 " above the kernel",
                     machine->initrd_filename, (size_t)size, limit);
        exit(1);
    }
    *len = size;
    rom_add_blob_fixed_as("microvm-direct/initrd", data, size, *addr,
                          &address_space_memory);
    return true;
}

/* PVH: hvm_start_info, the module list and the memory map */
static void direct_setup_pvh(MicrovmMachineState *mms, uint8_t *buf,
                             uint64_t rsdp)
{
    hwaddr base = microvm_memmap[MICROVM_MEM_DIRECT_BOOT].base;
    struct hvm_start_info *info = (void *)(buf + DIRECT_START_INFO);
    struct hvm_modlist_entry *mod = (void *)(buf + DIRECT_MODLIST);
    struct hvm_memmap_table_entry *map = (void *)(buf + DIRECT_MEMMAP);
    uint64_t *gdt = (uint64_t *)(buf + DIRECT_PVH_GDT);
    g_autofree struct e820_entry *e820 = NULL;
    uint64_t initrd, initrd_len;
    int i, n;

    /* Flat 4 GiB 32-bit code and data, a busy 32-bit TSS at base 0 */
    gdt[DIRECT_SEL_CODE / 8] = cpu_to_le64(0x00cf9b000000ffffULL);
    gdt[DIRECT_SEL_DATA / 8] = cpu_to_le64(0x00cf93000000ffffULL);
    gdt[DIRECT_SEL_TSS / 8] = cpu_to_le64(0x00008b0000000067ULL);

    e820 = direct_e820((DIRECT_MEMMAP_END - DIRECT_MEMMAP) / sizeof(*map),
                       &n);
    for (i = 0; i < n; i++) {
        map[i].addr = cpu_to_le64(e820[i].address);
        map[i].size = cpu_to_le64(e820[i].length);
        map[i].type = cpu_to_le32(e820[i].type);
        map[i].reserved = 0;
    }

    info->magic = cpu_to_le32(XEN_HVM_START_MAGIC_VALUE);
    info->version = cpu_to_le32(1);
    info->flags = 0;
    if (direct_initrd(mms, 4 * GiB, &initrd, &initrd_len)) {
        mod->paddr = cpu_to_le64(initrd);
        mod->size = cpu_to_le64(initrd_len);
        mod->cmdline_paddr = 0;
        mod->reserved = 0;
        info->nr_modules = cpu_to_le32(1);
        info->modlist_paddr = cpu_to_le64(base + DIRECT_MODLIST);
    }
    info->cmdline_paddr = cpu_to_le64(base + DIRECT_CMDLINE);
    info->rsdp_paddr = cpu_to_le64(rsdp);
    info->memmap_paddr = cpu_to_le64(base + DIRECT_MEMMAP);
    info->memmap_entries = cpu_to_le32(n);
    mms->direct_start_info = base + DIRECT_START_INFO;
}

/* bzImage: boot_params, the GDT and the identity-mapping page tables */
static void direct_setup_bzimage(MicrovmMachineState *mms, uint8_t *buf,
                                 size_t cmdline_len, uint64_t rsdp)
{
    hwaddr base = microvm_memmap[MICROVM_MEM_DIRECT_BOOT].base;
    const uint8_t *setup = mms->bzimage_setup;
    uint8_t *bp = buf + DIRECT_BOOT_PARAMS;
    uint8_t *pt = buf + DIRECT_PAGE_TABLES;
    uint64_t *gdt = (uint64_t *)(buf + DIRECT_GDT);
    unsigned hdr_end = BP_HEADER_END_BASE + setup[BP_JUMP_END];
    g_autofree struct e820_entry *e820 = NULL;
    uint64_t initrd, initrd_len;
    int i, n;

    /* The kernel's own header, then what a boot loader fills in */
    memcpy(bp + BP_SETUP_HEADER, setup + BP_SETUP_HEADER,
           hdr_end - BP_SETUP_HEADER);
    bp[BP_TYPE_OF_LOADER] = BP_LOADER_UNDEFINED;
    if (cmdline_len - 1 > ldl_le_p(setup + BP_CMDLINE_SIZE)) {
        error_report("microvm: kernel command line of %zu bytes is over "
                     "the kernel's cmdline_size %u", cmdline_len - 1,
                     ldl_le_p(setup + BP_CMDLINE_SIZE));
        exit(1);
    }
    stl_le_p(bp + BP_CMD_LINE_PTR, base + DIRECT_CMDLINE);
    if (direct_initrd(mms, (uint64_t)ldl_le_p(setup + BP_INITRD_ADDR_MAX) + 1,
                      &initrd, &initrd_len)) {
        stl_le_p(bp + BP_RAMDISK_IMAGE, initrd);
        stl_le_p(bp + BP_RAMDISK_SIZE, initrd_len);
    }
    stq_le_p(bp + BP_ACPI_RSDP_ADDR, rsdp);

    e820 = direct_e820(BP_E820_MAX, &n);
    for (i = 0; i < n; i++) {
        uint8_t *e = bp + BP_E820_TABLE + i * 20;

        stq_le_p(e, e820[i].address);
        stq_le_p(e + 8, e820[i].length);
        stl_le_p(e + 16, e820[i].type);
    }
    bp[BP_E820_ENTRIES] = n;

    /* __BOOT_CS: 64-bit code; __BOOT_DS: 4 GiB read/write data */
    gdt[DIRECT_SEL_CODE / 8] = cpu_to_le64(0x00af9b000000ffffULL);
    gdt[DIRECT_SEL_DATA / 8] = cpu_to_le64(0x00cf93000000ffffULL);

    /* PML4[0] -> PDPT; PDPT[g] -> PD g; PD g maps GiB g in 2 MiB pages */
    stq_le_p(pt, base + DIRECT_PAGE_TABLES + 4 * KiB + PTE_PRESENT_RW);
    for (i = 0; i < DIRECT_PT_GIB; i++) {
        uint64_t pd = DIRECT_PAGE_TABLES + (2 + i) * 4 * KiB;
        int j;

        stq_le_p(pt + 4 * KiB + i * 8, base + pd + PTE_PRESENT_RW);
        for (j = 0; j < 512; j++) {
            stq_le_p(buf + pd + j * 8,
                     ((uint64_t)i * GiB + (uint64_t)j * 2 * MiB) |
                     PTE_LARGE | PTE_PRESENT_RW);
        }
    }
    mms->direct_start_info = base + DIRECT_BOOT_PARAMS;
}

bool microvm_direct_load_bzimage(MicrovmMachineState *mms,
                                 const uint8_t *data, uint64_t size,
                                 Error **errp)
{
    uint64_t ram_top = X86_MACHINE(mms)->below_4g_mem_size;
    unsigned setup_sects = data[BP_SETUP_SECTS] ? data[BP_SETUP_SECTS] : 4;
    uint64_t setup_len = (setup_sects + 1) * 512ULL;
    uint16_t version = lduw_le_p(data + BP_VERSION);
    unsigned hdr_end = BP_HEADER_END_BASE + data[BP_JUMP_END];
    uint32_t align = ldl_le_p(data + BP_KERNEL_ALIGNMENT);
    uint64_t pref = ldq_le_p(data + BP_PREF_ADDRESS);
    uint64_t code_len = size - setup_len;
    uint64_t room = MAX(code_len, ldl_le_p(data + BP_INIT_SIZE));
    uint64_t load;

    /* bzimage_check() has bounded setup_len below size */
    if (version < BP_MIN_VERSION_64 ||
        !(lduw_le_p(data + BP_XLOADFLAGS) & BP_XLF_KERNEL_64)) {
        error_setg(errp, "direct boot needs the 64-bit entry of boot "
                   "protocol 2.12 (XLF_KERNEL_64); this bzImage has "
                   "protocol %u.%02u", version >> 8, version & 0xff);
        return false;
    }
    if (hdr_end > BP_HEADER_LIMIT || hdr_end > setup_len) {
        error_setg(errp, "setup header end 0x%x is out of range", hdr_end);
        return false;
    }
    if (pref >= BP_MIN_LOAD_ADDR && pref <= ram_top &&
        room <= ram_top - pref) {
        load = pref;
    } else if (data[BP_RELOCATABLE_KERNEL] && is_power_of_2(align) &&
               align <= 1 * GiB &&
               ROUND_UP(BP_MIN_LOAD_ADDR, align) <= ram_top &&
               room <= ram_top - ROUND_UP(BP_MIN_LOAD_ADDR, align)) {
        load = ROUND_UP(BP_MIN_LOAD_ADDR, align);
    } else {
        error_setg(errp, "%" PRIu64 " bytes at pref_address 0x%" PRIx64
                   " (kernel_alignment 0x%x) do not fit in RAM below "
                   "0x%" PRIx64, room, pref, align, ram_top);
        return false;
    }

    rom_add_blob_fixed_as("microvm-direct/kernel", data + setup_len,
                          code_len, load, &address_space_memory);
    mms->kernel_entry = load + BP_STARTUP_64;
    mms->kernel_load_start = load;
    mms->kernel_load_end = load + room;
    mms->bzimage_setup = g_memdup2(data, setup_len);
    mms->bzimage_setup_len = setup_len;
    return true;
}

void microvm_direct_setup(MicrovmMachineState *mms, const char *cmdline)
{
    const MemMapEntry *win = &microvm_memmap[MICROVM_MEM_DIRECT_BOOT];
    g_autofree uint8_t *buf = g_malloc0(win->size);
    size_t cmdline_len = strlen(cmdline) + 1;
    uint64_t rsdp = 0;
    Error *err = NULL;

    assert(mms->kernel_entry);
    if (cmdline_len > DIRECT_CMDLINE_END - DIRECT_CMDLINE) {
        error_report("microvm: kernel command line of %zu bytes is over "
                     "the %u direct boot allows", cmdline_len,
                     DIRECT_CMDLINE_END - DIRECT_CMDLINE);
        exit(1);
    }
    memcpy(buf + DIRECT_CMDLINE, cmdline, cmdline_len);

    if (x86_machine_is_acpi_enabled(X86_MACHINE(mms)) &&
        !microvm_acpi_place(mms, buf + DIRECT_ACPI,
                            win->size - DIRECT_ACPI,
                            win->base + DIRECT_ACPI, &rsdp, &err)) {
        error_reportf_err(err, "microvm: direct boot: ");
        exit(1);
    }

    if (mms->bzimage_setup) {
        direct_setup_bzimage(mms, buf, cmdline_len, rsdp);
    } else {
        direct_setup_pvh(mms, buf, rsdp);
    }
    rom_add_blob_fixed_as("microvm-direct/boot", buf, win->size, win->base,
                          &address_space_memory);
}

static void direct_load_segments(CPUX86State *env, uint32_t code_flags)
{
    int seg;

    cpu_x86_load_seg_cache(env, R_CS, DIRECT_SEL_CODE, 0, 0xffffffff,
                           code_flags);
    for (seg = R_ES; seg <= R_GS; seg++) {
        if (seg != R_CS) {
            cpu_x86_load_seg_cache(env, seg, DIRECT_SEL_DATA, 0, 0xffffffff,
                                   DIRECT_DATA_FLAGS);
        }
    }
}

void microvm_direct_reset(MicrovmMachineState *mms)
{
    hwaddr base = microvm_memmap[MICROVM_MEM_DIRECT_BOOT].base;
    CPUX86State *env = &X86_CPU(first_cpu)->env;

    memset(env->regs, 0, sizeof(env->regs));
    env->eflags = 0x2;
    if (mms->bzimage_setup) {
        env->gdt.base = base + DIRECT_GDT;
        env->gdt.limit = DIRECT_GDT_ENTRIES * 8 - 1;
        cpu_x86_update_cr4(env, CR4_PAE_MASK);
        cpu_x86_update_cr3(env, base + DIRECT_PAGE_TABLES);
        cpu_load_efer(env, env->efer | MSR_EFER_LME);
        /* With EFER.LME, setting CR0.PG also sets EFER.LMA */
        cpu_x86_update_cr0(env, CR0_PE_MASK | CR0_PG_MASK | CR0_ET_MASK);
        direct_load_segments(env, DIRECT_CODE_FLAGS | DESC_L_MASK);
        env->regs[R_ESI] = mms->direct_start_info;
    } else {
        env->gdt.base = base + DIRECT_PVH_GDT;
        env->gdt.limit = DIRECT_PVH_GDT_ENTRIES * 8 - 1;
        cpu_x86_update_cr0(env, CR0_PE_MASK | CR0_ET_MASK);
        cpu_x86_update_cr4(env, 0);
        direct_load_segments(env, DIRECT_CODE_FLAGS | DESC_B_MASK);
        env->tr.selector = DIRECT_SEL_TSS;
        env->tr.base = 0;
        env->tr.limit = 0x67;
        env->tr.flags = DESC_P_MASK | (11 << DESC_TYPE_SHIFT);
        env->regs[R_EBX] = mms->direct_start_info;
    }
    env->eip = mms->kernel_entry;
}
