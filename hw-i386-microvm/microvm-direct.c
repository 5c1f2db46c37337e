/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * microvm firmware-less direct boot (direct-boot=on).
 *
 * QEMU does what the firmware would (roms/qboot/README.md) and starts
 * the boot vCPU at the kernel entry, so that no firmware instruction
 * runs.  PVH ELF kernels (xen/include/public/arch-x86/hvm/
 * start_info.h, "PVH boot ABI"), bzImages with the 64-bit entry and
 * multiboot v1 images (a.out kludge or ELF) are supported;
 * microvm_boot_load() refuses the others with direct-boot=on.
 *
 * microvm-boot.c has already checked the kernel and placed a PVH
 * vmlinux's segments or, through microvm_direct_load_bzimage() and
 * microvm_direct_load_multiboot(), a bzImage's protected-mode code or a
 * multiboot image.  This file writes the boot structures into the
 * e820-reserved window MICROVM_MEM_DIRECT_BOOT:
 *
 *   +0x00000  hvm_start_info (version 1) and the module list (PVH),
 *             boot_params, the "zero page" (bzImage), or multiboot_info,
 *             the module list and the boot loader name (multiboot)
 *   +0x00800  PVH, multiboot: the GDT the entry selectors name (PVH:
 *             with a 32-bit TSS)
 *   +0x01000  PVH, multiboot: the memory map (the machine's e820,
 *             sorted); bzImage: the GDT
 *   +0x02000  the kernel command line, NUL-terminated
 *   +0x04000  bzImage: page tables mapping 0..4 GiB 1:1 in 2 MiB pages;
 *             multiboot: the module strings
 *   +0x10000  the ACPI tables (acpi=on), placed and patched here, or
 *             the MP configuration table (acpi=off, several CPUs)
 *
 * and the initrd at the top of RAM below 4 GiB, page aligned, clear of
 * the kernel, as the firmware does.  Without ACPI and with more than
 * one CPU, an MP table takes the ACPI tables' place (its floating
 * pointer in the EBDA, see direct_mptable()).
 *
 * Multiboot (Multiboot Specification 0.6.96, "Machine state"): 32-bit
 * flat protected mode, paging off, CS 0x08, data segments 0x10,
 * EAX = 0x2badb002, EBX = &multiboot_info, EIP = entry_addr; the
 * modules from -initrd, page-aligned above the kernel's bss.
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
/* Multiboot: multiboot_info at 0, modules, name, GDT, mmap, strings */
#define DIRECT_MB_INFO          0x00000
#define DIRECT_MB_MODS          0x00100
#define DIRECT_MB_MODS_END      0x00700
#define DIRECT_MB_LOADER_NAME   0x00700
#define DIRECT_MB_MMAP          0x01000
#define DIRECT_MB_MMAP_END      0x02000
#define DIRECT_MB_STRINGS       0x04000
#define DIRECT_MB_STRINGS_END   0x10000

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
/* Multiboot: flat code and data at 0x08 and 0x10, as our firmware has */
#define DIRECT_MB_SEL_CODE      0x08
#define DIRECT_MB_SEL_DATA      0x10
#define DIRECT_MB_GDT_ENTRIES   3
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
#define BP_SETUP_DATA           0x250   /* u64, 2.09 */
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

/*
 * Multiboot Specification 0.6.96, "Boot information format": offsets in
 * multiboot_info, its flags, the module and memory map entries.
 */
#define MBI_FLAGS               0
#define MBI_MEM_LOWER           4
#define MBI_MEM_UPPER           8
#define MBI_CMDLINE             16
#define MBI_MODS_COUNT          20
#define MBI_MODS_ADDR           24
#define MBI_MMAP_LENGTH         44
#define MBI_MMAP_ADDR           48
#define MBI_BOOT_LOADER_NAME    64
#define MBI_SIZE                88
#define MBI_F_MEMORY            (1u << 0)
#define MBI_F_CMDLINE           (1u << 2)
#define MBI_F_MODS              (1u << 3)
#define MBI_F_MMAP              (1u << 6)
#define MBI_F_LOADER_NAME       (1u << 9)
#define MB_MOD_LEN              16      /* mod_start, mod_end, string, 0 */
#define MB_MMAP_LEN             24      /* size (20), base, length, type */
#define MB_BOOTLOADER_MAGIC     0x2badb002
#define MB_LOADER_NAME          "qemu-microvm"
#define MB_LOW_MEM_END          (640 * KiB)
/* An ACPI 2.0 RSDP's length; the BDA word holding the EBDA segment */
#define DIRECT_RSDP_LEN         36
#define DIRECT_BDA_EBDA_SEG     0x40e

/*
 * MP table (Intel MultiProcessor Specification 1.4, chapter 4), written
 * with acpi=off and more than one CPU: without it Linux finds no other
 * CPU and no IOAPIC.  The floating pointer goes to the first 16 bytes of
 * the EBDA, which is the last KiB of base memory (Linux's
 * default_find_smp_config() scans 639 KiB..640 KiB) and e820-reserved;
 * the configuration table to DIRECT_ACPI, which acpi=off leaves free.
 * The same layout decisions as the firmware's (roms/qboot/mptable.c):
 * one processor entry per CPU, the ISA bus, the IOAPIC with the ID after
 * the highest APIC ID, one I/O interrupt entry per ISA IRQ, bus-conforming
 * (edge, active high), IRQ 0 on pin 2 where QEMU's IOAPIC delivers the
 * PIT, IRQ 2 (the cascade) left out, then ExtINT on LINT0 and NMI on
 * LINT1 of every local APIC.
 */
#define MP_SPEC_REV             4       /* 1.4 */
#define MP_ENTRY_CPU            0
#define MP_ENTRY_BUS            1
#define MP_ENTRY_IOAPIC         2
#define MP_ENTRY_IOINT          3
#define MP_ENTRY_LINT           4
#define MP_CPU_ENABLED          0x01
#define MP_CPU_BSP              0x02
#define MP_IOAPIC_ENABLED       0x01
#define MP_INT_VECTORED         0
#define MP_INT_NMI              1
#define MP_INT_EXTINT           3
#define MP_ALL_LAPICS           0xff
#define MP_ISA_IRQS             16
#define MP_FLOAT_LEN            16
#define MP_HEADER_LEN           44
#define MP_CPU_LEN              20
#define MP_SHORT_LEN            8       /* bus, IOAPIC, interrupt entries */

static uint8_t mp_checksum(const uint8_t *p, size_t len)
{
    uint8_t sum = 0;

    while (len--) {
        sum += *p++;
    }
    return -sum;
}

/* An I/O or local interrupt entry, polarity and trigger bus-conforming */
static uint8_t *mp_add_interrupt(uint8_t *e, uint8_t entry, uint8_t type,
                                 uint8_t src_irq, uint8_t dst_apic,
                                 uint8_t dst_pin)
{
    e[0] = entry;
    e[1] = type;
    stw_le_p(e + 2, 0);
    e[4] = 0;                   /* source bus: ISA, bus 0 */
    e[5] = src_irq;
    e[6] = dst_apic;
    e[7] = dst_pin;
    return e + MP_SHORT_LEN;
}

/*
 * Write the configuration table at @table (guest address @table_addr,
 * at most @room bytes) and return the floating pointer for it.
 */
static void direct_mptable(MicrovmMachineState *mms, uint8_t *table,
                           size_t room, hwaddr table_addr,
                           uint8_t mpf[MP_FLOAT_LEN])
{
    Object *ioapic = object_resolve_path_component(OBJECT(mms), "ioapic");
    X86CPU *bsp = X86_CPU(first_cpu);
    uint32_t eax, ebx, ecx, edx;
    uint32_t max_apic_id = 0;
    unsigned entries = 0, cpus = 0, irq;
    uint8_t lapic_ver, ioapic_id;
    uint8_t *e = table + MP_HEADER_LEN;
    CPUState *cs;

    CPU_FOREACH(cs) {
        max_apic_id = MAX(max_apic_id, X86_CPU(cs)->apic_id);
        cpus++;
    }
    /* APIC IDs are 8 bits here; 0xff means "all" */
    if (max_apic_id >= MP_ALL_LAPICS - 1) {
        error_report("microvm: direct boot: APIC ID %u does not fit in an "
                     "MP table; use acpi=on", max_apic_id);
        exit(1);
    }
    ioapic_id = max_apic_id + 1;
    assert(MP_HEADER_LEN + cpus * MP_CPU_LEN +
           (2 + MP_ISA_IRQS + 1) * MP_SHORT_LEN <= room);

    cpu_x86_cpuid(&bsp->env, 1, 0, &eax, &ebx, &ecx, &edx);
    lapic_ver = object_property_get_uint(OBJECT(bsp->apic_state), "version",
                                         &error_abort);
    CPU_FOREACH(cs) {
        e[0] = MP_ENTRY_CPU;
        e[1] = X86_CPU(cs)->apic_id;
        e[2] = lapic_ver;
        e[3] = MP_CPU_ENABLED | (cs == first_cpu ? MP_CPU_BSP : 0);
        stl_le_p(e + 4, eax);   /* CPU signature */
        stl_le_p(e + 8, edx);   /* feature flags */
        memset(e + 12, 0, 8);
        e += MP_CPU_LEN;
        entries++;
    }

    e[0] = MP_ENTRY_BUS;
    e[1] = 0;
    memcpy(e + 2, "ISA   ", 6);
    e += MP_SHORT_LEN;

    e[0] = MP_ENTRY_IOAPIC;
    e[1] = ioapic_id;
    e[2] = object_property_get_uint(ioapic, "version", &error_abort);
    e[3] = MP_IOAPIC_ENABLED;
    stl_le_p(e + 4, microvm_memmap[MICROVM_MEM_IOAPIC].base);
    e += MP_SHORT_LEN;
    entries += 2;

    for (irq = 0; irq < MP_ISA_IRQS; irq++) {
        if (irq == 2) {
            continue;
        }
        e = mp_add_interrupt(e, MP_ENTRY_IOINT, MP_INT_VECTORED, irq,
                             ioapic_id, irq == 0 ? 2 : irq);
        entries++;
    }
    e = mp_add_interrupt(e, MP_ENTRY_LINT, MP_INT_EXTINT, 0, MP_ALL_LAPICS,
                         0);
    e = mp_add_interrupt(e, MP_ENTRY_LINT, MP_INT_NMI, 0, MP_ALL_LAPICS, 1);
    entries += 2;

    memcpy(table, "PCMP", 4);
    stw_le_p(table + 4, e - table);         /* base table length */
    table[6] = MP_SPEC_REV;
    memcpy(table + 8, "QEMU    ", 8);       /* OEM ID */
    memcpy(table + 16, "microvm     ", 12); /* product ID */
    stw_le_p(table + 34, entries);
    stl_le_p(table + 36, microvm_memmap[MICROVM_MEM_LAPIC].base);
    table[7] = mp_checksum(table, e - table);

    memset(mpf, 0, MP_FLOAT_LEN);
    memcpy(mpf, "_MP_", 4);
    stl_le_p(mpf + 4, table_addr);
    mpf[8] = MP_FLOAT_LEN / 16;
    mpf[9] = MP_SPEC_REV;
    mpf[10] = mp_checksum(mpf, MP_FLOAT_LEN);
}

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
    stq_le_p(bp + BP_SETUP_DATA, 0);    /* none; never the image's bytes */
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

bool microvm_direct_load_multiboot(MicrovmMachineState *mms,
                                   const uint8_t *image, uint64_t len,
                                   uint64_t load_addr, uint64_t bss_end,
                                   uint64_t entry)
{
    /* The bytes past @len, up to the end of the bss, are zeroed */
    rom_add_blob("microvm-direct/kernel", image, len, bss_end - load_addr,
                 load_addr, NULL, NULL, NULL, &address_space_memory, true);
    mms->kernel_entry = entry;
    mms->kernel_load_start = load_addr;
    mms->kernel_load_end = bss_end;
    mms->direct_multiboot = true;
    return true;
}

/*
 * Multiboot modules from -initrd "FILE [ARGS][,FILE [ARGS]]...": each
 * file page-aligned above the previous one, the first above the
 * kernel's bss, below the end of RAM under 4 GiB; a module's string is
 * its whole item.  Fills the module list and the strings; returns the
 * number of modules.
 */
static unsigned direct_mb_modules(MicrovmMachineState *mms, uint8_t *buf)
{
    hwaddr base = microvm_memmap[MICROVM_MEM_DIRECT_BOOT].base;
    const char *spec = MACHINE(mms)->initrd_filename;
    uint64_t top = X86_MACHINE(mms)->below_4g_mem_size;
    uint64_t addr = ROUND_UP(mms->kernel_load_end, 4 * KiB);
    unsigned str = DIRECT_MB_STRINGS;
    g_auto(GStrv) items = NULL;
    unsigned i, n;

    if (!spec) {
        return 0;
    }
    items = g_strsplit(spec, ",", 0);
    n = g_strv_length(items);
    if (n > (DIRECT_MB_MODS_END - DIRECT_MB_MODS) / MB_MOD_LEN) {
        error_report("microvm: multiboot: %u modules in -initrd, more than "
                     "the %u direct boot allows", n,
                     (DIRECT_MB_MODS_END - DIRECT_MB_MODS) / MB_MOD_LEN);
        exit(1);
    }
    for (i = 0; i < n; i++) {
        g_autofree char *file = g_strndup(items[i], strcspn(items[i], " "));
        g_autofree char *name = g_strdup_printf("microvm-direct/module%u", i);
        g_autofree gchar *data = NULL;
        g_autoptr(GError) gerr = NULL;
        uint8_t *mod = buf + DIRECT_MB_MODS + i * MB_MOD_LEN;
        size_t slen = strlen(items[i]) + 1;
        gsize size = 0;

        if (!*file) {
            error_report("microvm: multiboot: module %u of -initrd '%s' "
                         "has no file name", i, spec);
            exit(1);
        }
        if (!g_file_get_contents(file, &data, &size, &gerr)) {
            error_report("microvm: could not read multiboot module '%s': %s",
                         file, gerr->message);
            exit(1);
        }
        if (addr > top || size > top - addr) {
            error_report("microvm: multiboot module '%s' (%zu bytes) does "
                         "not fit in RAM between 0x%" PRIx64 " and 0x%"
                         PRIx64, file, (size_t)size, addr, top);
            exit(1);
        }
        if (slen > DIRECT_MB_STRINGS_END - str) {
            error_report("microvm: multiboot: the module strings of -initrd "
                         "are over the %u bytes direct boot allows",
                         DIRECT_MB_STRINGS_END - DIRECT_MB_STRINGS);
            exit(1);
        }
        memcpy(buf + str, items[i], slen);
        if (size) {
            rom_add_blob_fixed_as(name, data, size, addr,
                                  &address_space_memory);
        }
        stl_le_p(mod, addr);                    /* mod_start */
        stl_le_p(mod + 4, addr + size);         /* mod_end */
        stl_le_p(mod + 8, base + str);          /* string */
        stl_le_p(mod + 12, 0);
        str += slen;
        addr = ROUND_UP(addr + size, 4 * KiB);
    }
    return n;
}

/*
 * Multiboot: multiboot_info with the memory sizes, the memory map, the
 * command line, the modules and our name.  The RSDP (acpi=on) has no
 * field there: it is copied into the EBDA, which the BDA names, where
 * the ACPI specification's search finds it.
 */
static void direct_setup_multiboot(MicrovmMachineState *mms, uint8_t *buf,
                                   uint64_t rsdp)
{
    hwaddr base = microvm_memmap[MICROVM_MEM_DIRECT_BOOT].base;
    const MemMapEntry *ebda = &microvm_memmap[MICROVM_MEM_EBDA];
    uint8_t *mbi = buf + DIRECT_MB_INFO;
    uint64_t *gdt = (uint64_t *)(buf + DIRECT_PVH_GDT);
    uint32_t flags = MBI_F_MEMORY | MBI_F_CMDLINE | MBI_F_MMAP |
                     MBI_F_LOADER_NAME;
    g_autofree struct e820_entry *e820 = NULL;
    unsigned mods;
    int i, n;

    gdt[DIRECT_MB_SEL_CODE / 8] = cpu_to_le64(0x00cf9b000000ffffULL);
    gdt[DIRECT_MB_SEL_DATA / 8] = cpu_to_le64(0x00cf93000000ffffULL);

    e820 = direct_e820((DIRECT_MB_MMAP_END - DIRECT_MB_MMAP) / MB_MMAP_LEN,
                       &n);
    for (i = 0; i < n; i++) {
        uint8_t *m = buf + DIRECT_MB_MMAP + i * MB_MMAP_LEN;
        uint64_t end = e820[i].address + e820[i].length;

        stl_le_p(m, MB_MMAP_LEN - 4);
        stq_le_p(m + 4, e820[i].address);
        stq_le_p(m + 12, e820[i].length);
        stl_le_p(m + 20, e820[i].type);
        if (e820[i].type != E820_RAM) {
            continue;
        }
        /* mem_lower: RAM from 0; mem_upper: RAM from 1 MiB (in KiB) */
        if (e820[i].address == 0) {
            stl_le_p(mbi + MBI_MEM_LOWER, MIN(end, MB_LOW_MEM_END) / KiB);
        }
        if (e820[i].address <= 1 * MiB && end > 1 * MiB) {
            stl_le_p(mbi + MBI_MEM_UPPER,
                     (MIN(end, 4 * GiB) - 1 * MiB) / KiB);
        }
    }
    stl_le_p(mbi + MBI_MMAP_LENGTH, n * MB_MMAP_LEN);
    stl_le_p(mbi + MBI_MMAP_ADDR, base + DIRECT_MB_MMAP);

    mods = direct_mb_modules(mms, buf);
    if (mods) {
        flags |= MBI_F_MODS;
        stl_le_p(mbi + MBI_MODS_COUNT, mods);
        stl_le_p(mbi + MBI_MODS_ADDR, base + DIRECT_MB_MODS);
    }
    stl_le_p(mbi + MBI_CMDLINE, base + DIRECT_CMDLINE);
    memcpy(buf + DIRECT_MB_LOADER_NAME, MB_LOADER_NAME,
           sizeof(MB_LOADER_NAME));
    stl_le_p(mbi + MBI_BOOT_LOADER_NAME, base + DIRECT_MB_LOADER_NAME);
    stl_le_p(mbi + MBI_FLAGS, flags);

    if (rsdp) {
        uint8_t seg[2];

        rom_add_blob_fixed_as("microvm-direct/rsdp", buf + (rsdp - base),
                              DIRECT_RSDP_LEN, ebda->base,
                              &address_space_memory);
        stw_le_p(seg, ebda->base >> 4);
        rom_add_blob_fixed_as("microvm-direct/bda-ebda", seg, sizeof(seg),
                              DIRECT_BDA_EBDA_SEG, &address_space_memory);
    }
    mms->direct_start_info = base + DIRECT_MB_INFO;
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

    if (x86_machine_is_acpi_enabled(X86_MACHINE(mms))) {
        if (!microvm_acpi_place(mms, buf + DIRECT_ACPI,
                                win->size - DIRECT_ACPI,
                                win->base + DIRECT_ACPI, &rsdp, &err)) {
            error_reportf_err(err, "microvm: direct boot: ");
            exit(1);
        }
    } else if (MACHINE(mms)->smp.cpus > 1) {
        uint8_t mpf[MP_FLOAT_LEN];

        direct_mptable(mms, buf + DIRECT_ACPI, win->size - DIRECT_ACPI,
                       win->base + DIRECT_ACPI, mpf);
        rom_add_blob_fixed_as("microvm-direct/mp-floating", mpf,
                              MP_FLOAT_LEN,
                              microvm_memmap[MICROVM_MEM_EBDA].base,
                              &address_space_memory);
    }

    if (mms->bzimage_setup) {
        direct_setup_bzimage(mms, buf, cmdline_len, rsdp);
    } else if (mms->direct_multiboot) {
        direct_setup_multiboot(mms, buf, rsdp);
    } else {
        direct_setup_pvh(mms, buf, rsdp);
    }
    rom_add_blob_fixed_as("microvm-direct/boot", buf, win->size, win->base,
                          &address_space_memory);
}

static void direct_load_segments(CPUX86State *env, uint32_t code_flags,
                                 unsigned code_sel, unsigned data_sel)
{
    int seg;

    cpu_x86_load_seg_cache(env, R_CS, code_sel, 0, 0xffffffff, code_flags);
    for (seg = R_ES; seg <= R_GS; seg++) {
        if (seg != R_CS) {
            cpu_x86_load_seg_cache(env, seg, data_sel, 0, 0xffffffff,
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
        direct_load_segments(env, DIRECT_CODE_FLAGS | DESC_L_MASK,
                             DIRECT_SEL_CODE, DIRECT_SEL_DATA);
        env->regs[R_ESI] = mms->direct_start_info;
    } else {
        /*
         * PVH and multiboot (0.6.96, "Machine state"): 32-bit flat
         * protected mode, paging off, the start info in EBX
         */
        bool mb = mms->direct_multiboot;
        unsigned entries = mb ? DIRECT_MB_GDT_ENTRIES : DIRECT_PVH_GDT_ENTRIES;

        env->gdt.base = base + DIRECT_PVH_GDT;
        env->gdt.limit = entries * 8 - 1;
        cpu_x86_update_cr0(env, CR0_PE_MASK | CR0_ET_MASK);
        cpu_x86_update_cr4(env, 0);
        direct_load_segments(env, DIRECT_CODE_FLAGS | DESC_B_MASK,
                             mb ? DIRECT_MB_SEL_CODE : DIRECT_SEL_CODE,
                             mb ? DIRECT_MB_SEL_DATA : DIRECT_SEL_DATA);
        env->regs[R_EBX] = mms->direct_start_info;
        if (mb) {
            env->regs[R_EAX] = MB_BOOTLOADER_MAGIC;
        } else {
            /* PVH: TR names the busy 32-bit TSS in the GDT */
            env->tr.selector = DIRECT_SEL_TSS;
            env->tr.base = 0;
            env->tr.limit = 0x67;
            env->tr.flags = DESC_P_MASK | (11 << DESC_TYPE_SHIFT);
        }
    }
    env->eip = mms->kernel_entry;
}
