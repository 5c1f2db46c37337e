/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MP table (Intel MultiProcessor Specification, version 1.4), built when
 * the machine has no ACPI: the floating pointer structure in the last KiB
 * of base memory (one of the places the spec, and Linux, search) and a
 * configuration table in the firmware table window.
 *
 * Contents: one processor entry per boot CPU (APIC ID = CPU index, the
 * BSP is 0), the ISA bus, the IOAPIC (ID after the CPUs), one I/O
 * interrupt entry per ISA IRQ (IRQ 0 goes to pin 2, like the interrupt
 * source override QEMU's ACPI tables describe; IRQ 2, the 8259 cascade,
 * has no entry since pin 2 is taken; the others are identity-mapped and
 * bus-conforming, i.e. edge/active-high) and the two local interrupts
 * (ExtINT on LINT0, NMI on LINT1, for every local APIC).
 */
#include <stdint.h>
#include "e820.h"
#include "fw_cfg.h"
#include "layout.h"
#include "mptable.h"
#include "print.h"
#include "string.h"

#define MP_SPEC_REV_1_4         4
#define MP_LAPIC_ADDR           0xfee00000
#define MP_IOAPIC_ADDR          0xfec00000
#define MP_ISA_IRQS             16

/* Entry types */
#define MP_PROCESSOR            0
#define MP_BUS                  1
#define MP_IOAPIC               2
#define MP_INTSRC               3
#define MP_LINTSRC              4

#define MP_CPU_EN               0x01
#define MP_CPU_BP               0x02
#define MP_IOAPIC_EN            0x01
#define MP_INT                  0       /* vectored interrupt */
#define MP_NMI                  1
#define MP_EXTINT               3
#define MP_IRQ_CONFORMING       0       /* polarity and trigger: bus default */
#define MP_APIC_ALL             0xff

/*
 * The processor entry's APIC ID is 8 bits and 0xff is "all"; the IOAPIC
 * takes the ID after the last CPU
 */
#define MP_MAX_CPUS             254

struct mpf_intel {
    char signature[4];          /* "_MP_" */
    uint32_t physptr;
    uint8_t length;             /* in 16 bytes: 1 */
    uint8_t specification;
    uint8_t checksum;
    uint8_t feature1;           /* 0: a configuration table is present */
    uint8_t feature2;           /* bit 7 IMCRP: 0, virtual wire mode */
    uint8_t feature3[3];
} __attribute__((packed));

struct mpc_table {
    char signature[4];          /* "PCMP" */
    uint16_t length;            /* base table, header included */
    uint8_t spec;
    uint8_t checksum;
    char oem[8];
    char productid[12];
    uint32_t oemptr;
    uint16_t oemsize;
    uint16_t oemcount;          /* entry count */
    uint32_t lapic;
    uint16_t ext_length;
    uint8_t ext_checksum;
    uint8_t reserved;
} __attribute__((packed));

struct mpc_cpu {
    uint8_t type;
    uint8_t apicid;
    uint8_t apicver;
    uint8_t cpuflag;
    uint32_t cpufeature;        /* CPUID.1:EAX, the signature */
    uint32_t featureflag;       /* CPUID.1:EDX */
    uint32_t reserved[2];
} __attribute__((packed));

struct mpc_bus {
    uint8_t type;
    uint8_t busid;
    char bustype[6];
} __attribute__((packed));

struct mpc_ioapic {
    uint8_t type;
    uint8_t apicid;
    uint8_t apicver;
    uint8_t flags;
    uint32_t apicaddr;
} __attribute__((packed));

struct mpc_intsrc {
    uint8_t type;
    uint8_t irqtype;
    uint16_t irqflag;
    uint8_t srcbus;
    uint8_t srcbusirq;
    uint8_t dstapic;
    uint8_t dstirq;
} __attribute__((packed));

/* struct mpc_lintsrc has the same layout: dstapic/dstirq = LAPIC/LINTn */

_Static_assert(sizeof(struct mpf_intel) == 16, "MP floating pointer");
_Static_assert(sizeof(struct mpc_table) == 44, "MP table header");
_Static_assert(sizeof(struct mpc_cpu) == 20, "MP processor entry");
_Static_assert(sizeof(struct mpc_intsrc) == 8, "MP interrupt entry");

/* Worst case: MP_MAX_CPUS processors + bus + IOAPIC + 15 + 2 interrupts */
_Static_assert(sizeof(struct mpc_table) + MP_MAX_CPUS * sizeof(struct mpc_cpu)
               + sizeof(struct mpc_bus) + sizeof(struct mpc_ioapic) +
               (MP_ISA_IRQS + 1) * sizeof(struct mpc_intsrc) <=
               FW_TABLES_END - FW_TABLES_ADDR, "MP table window too small");

static uint8_t mp_checksum(const void *p, uint32_t len)
{
    const uint8_t *b = p;
    uint8_t sum = 0;

    while (len--) {
        sum += *b++;
    }
    return -sum;
}

static uint32_t mmio_read32(uint32_t addr)
{
    return *(volatile uint32_t *)addr; /* a device register: read it */
}

static void mmio_write32(uint32_t addr, uint32_t val)
{
    *(volatile uint32_t *)addr = val; /* a device register: write it */
}

/* The IOAPIC's version register (index 1), through IOREGSEL/IOWIN */
static uint8_t ioapic_version(void)
{
    mmio_write32(MP_IOAPIC_ADDR, 1);
    return mmio_read32(MP_IOAPIC_ADDR + 0x10);
}

static struct mpc_intsrc *mp_add_int(struct mpc_intsrc *e, uint8_t type,
                                     uint8_t irqtype, uint8_t srcbusirq,
                                     uint8_t dstapic, uint8_t dstirq)
{
    e->type = type;
    e->irqtype = irqtype;
    e->irqflag = MP_IRQ_CONFORMING;
    e->srcbus = 0;
    e->srcbusirq = srcbusirq;
    e->dstapic = dstapic;
    e->dstirq = dstirq;
    return e + 1;
}

void mptable_setup(void)
{
    struct mpf_intel *mpf = (struct mpf_intel *)MPTABLE_FLOAT_ADDR;
    struct mpc_table *mpc = (struct mpc_table *)FW_TABLES_ADDR;
    struct mpc_cpu *cpu = (struct mpc_cpu *)(mpc + 1);
    struct mpc_bus *bus;
    struct mpc_ioapic *ioapic;
    struct mpc_intsrc *irq;
    uint32_t eax, ebx, ecx, edx, end;
    uint16_t ncpus;
    uint8_t lapic_ver;
    unsigned i;

    fw_cfg_read_item(FW_CFG_NB_CPUS, &ncpus, sizeof(ncpus));
    if (ncpus <= 1) {
        return;
    }
    if (ncpus > MP_MAX_CPUS) {
        fatal("%u CPUs: an MP table holds at most %u (use acpi=on)",
              ncpus, MP_MAX_CPUS);
    }
    /* Both areas: in RAM (cut out of it) or already reserved */
    e820_reserve(MPTABLE_FLOAT_ADDR, MPTABLE_FLOAT_END, E820_RESERVED);
    if (!e820_range_is_ram(FW_TABLES_ADDR, FW_TABLES_END)) {
        fatal("e820 has no RAM at %x-%x for the MP table",
              FW_TABLES_ADDR, FW_TABLES_END);
    }

    asm("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(1));
    lapic_ver = mmio_read32(MP_LAPIC_ADDR + 0x30);   /* LAPIC version */
    for (i = 0; i < ncpus; i++, cpu++) {
        cpu->type = MP_PROCESSOR;
        cpu->apicid = i;
        cpu->apicver = lapic_ver;
        cpu->cpuflag = MP_CPU_EN | (i == 0 ? MP_CPU_BP : 0);
        cpu->cpufeature = eax;
        cpu->featureflag = edx;
        cpu->reserved[0] = 0;
        cpu->reserved[1] = 0;
    }

    bus = (struct mpc_bus *)cpu;
    bus->type = MP_BUS;
    bus->busid = 0;
    memcpy(bus->bustype, "ISA   ", sizeof(bus->bustype));

    ioapic = (struct mpc_ioapic *)(bus + 1);
    ioapic->type = MP_IOAPIC;
    ioapic->apicid = ncpus;
    ioapic->apicver = ioapic_version();
    ioapic->flags = MP_IOAPIC_EN;
    ioapic->apicaddr = MP_IOAPIC_ADDR;

    irq = (struct mpc_intsrc *)(ioapic + 1);
    for (i = 0; i < MP_ISA_IRQS; i++) {
        if (i == 2) {
            continue;   /* the cascade: pin 2 carries IRQ 0 */
        }
        irq = mp_add_int(irq, MP_INTSRC, MP_INT, i, ncpus, i == 0 ? 2 : i);
    }
    irq = mp_add_int(irq, MP_LINTSRC, MP_EXTINT, 0, MP_APIC_ALL, 0);
    irq = mp_add_int(irq, MP_LINTSRC, MP_NMI, 0, MP_APIC_ALL, 1);

    memcpy(mpc->signature, "PCMP", 4);
    mpc->length = (uint32_t)irq - FW_TABLES_ADDR;
    mpc->spec = MP_SPEC_REV_1_4;
    mpc->checksum = 0;
    memcpy(mpc->oem, "QEMU    ", sizeof(mpc->oem));
    memcpy(mpc->productid, "microvm     ", sizeof(mpc->productid));
    mpc->oemptr = 0;
    mpc->oemsize = 0;
    mpc->oemcount = ncpus + 2 + (MP_ISA_IRQS - 1) + 2;
    mpc->lapic = MP_LAPIC_ADDR;
    mpc->ext_length = 0;
    mpc->ext_checksum = 0;
    mpc->reserved = 0;
    mpc->checksum = mp_checksum(mpc, mpc->length);

    memcpy(mpf->signature, "_MP_", 4);
    mpf->physptr = FW_TABLES_ADDR;
    mpf->length = 1;
    mpf->specification = MP_SPEC_REV_1_4;
    mpf->checksum = 0;
    mpf->feature1 = 0;
    mpf->feature2 = 0;
    memset(mpf->feature3, 0, sizeof(mpf->feature3));
    mpf->checksum = mp_checksum(mpf, sizeof(*mpf));

    end = ((uint32_t)irq + 0xfff) & ~0xfff;
    e820_reserve(FW_TABLES_ADDR, end, E820_RESERVED);
}
