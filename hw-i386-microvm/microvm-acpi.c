/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * microvm ACPI tables.
 *
 * The machine is hardware-reduced (no PM1 blocks, no GPEs, no SCI): the
 * FADT points its sleep and reset registers at the generic event device
 * (GED), whose interrupt delivers the power button event.  The tables go
 * to the firmware as three fw_cfg files: "etc/acpi/tables" (all tables
 * but the RSDP), "etc/acpi/rsdp" and "etc/table-loader", the
 * bios-linker-loader script with which the firmware places the two blobs
 * in guest RAM, patches the pointers between them and fixes checksums.
 *
 *   RSDP (revision 2) -> XSDT -> FADT -> DSDT
 *                             -> MADT
 *                             -> MCFG (pcie=on)
 *                             -> ERST (an acpi-erst device, pcie=on)
 *
 * Every address and GSI comes from microvm_memmap[] and the machine's
 * row of microvm_irqmap[][].
 */

#include "qemu/osdep.h"
#include CONFIG_DEVICES             /* CONFIG_ACPI_ERST */
#include "qemu/units.h"
#include "qemu/bswap.h"
#include "qemu/host-utils.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "hw/acpi/acpi-defs.h"
#include "hw/acpi/aml-build.h"
#include "hw/acpi/bios-linker-loader.h"
#include "hw/acpi/erst.h"
#include "hw/acpi/generic_event_device.h"
#include "hw/boards.h"
#include "hw/i386/fw_cfg.h"
#include "hw/i386/microvm.h"
#include "hw/intc/ioapic.h"
#include "hw/isa/isa.h"
#include "hw/pci/pcie_host.h"
#include "hw/pci-host/gpex.h"
#include "hw/usb/xhci.h"
#include "hw/virtio/virtio-acpi.h"
#include "hw/virtio/virtio-mmio.h"
#include "acpi-common.h"
#include "microvm-acpi.h"

/* FADT IAPC_BOOT_ARCH bits (ACPI 6.5, table 5.11) */
#define MICROVM_IAPC_VGA_NOT_PRESENT        (1 << 2)
#define MICROVM_IAPC_CMOS_RTC_NOT_PRESENT   (1 << 5)

/* MADT structure types (ACPI 6.5, table 5.45) */
#define MICROVM_MADT_IOAPIC                 1
#define MICROVM_MADT_INT_SRC_OVERRIDE       2
#define MICROVM_MADT_LAPIC_NMI              4
#define MICROVM_MADT_X2APIC_NMI             0xa

/* The IOAPIC pin on which ISA IRQ 0 (the PIT) arrives */
#define MICROVM_PIT_GSI 2

/* MPS INTI flags of an interrupt source override */
#define MICROVM_MPS_INTI_CONFORMING         0x0
#define MICROVM_MPS_INTI_LEVEL_HIGH         0xd

/* Local APIC input the NMI is wired to */
#define MICROVM_LAPIC_NMI_LINT              1

/* ---- DSDT ---- */

/* One LNRO0005 device per virtio-mmio transport that has a device */
static void dsdt_add_virtio_mmio(Aml *scope, MicrovmMachineState *mms)
{
    const MemMapEntry *mmio = &microvm_memmap[MICROVM_MEM_VIRTIO_MMIO];
    unsigned i;

    for (i = 0; i < mms->virtio_transports; i++) {
        VirtIOMMIOProxy *proxy = VIRTIO_MMIO(mms->virtio_mmio[i]);

        if (QTAILQ_EMPTY(&BUS(&proxy->bus)->children)) {
            continue;
        }
        virtio_acpi_dsdt_add(scope,
                             mmio->base + i * MICROVM_VIRTIO_MMIO_STRIDE,
                             MICROVM_VIRTIO_MMIO_STRIDE,
                             mms->irqs[MICROVM_IRQ_VIRTIO_MMIO] + i, i, 1);
    }
}

/* An ISA device: _HID, _UID, I/O ports and an edge-triggered IRQ */
static void dsdt_add_isa_device(Aml *scope, const char *name,
                                const char *hid, int uid,
                                const MemMapEntry *ports, int irq)
{
    Aml *dev = aml_device("%s", name);
    Aml *crs = aml_resource_template();

    aml_append(dev, aml_name_decl("_HID", aml_eisaid(hid)));
    aml_append(dev, aml_name_decl("_UID", aml_int(uid)));
    aml_append(dev, aml_name_decl("_STA", aml_int(0xf)));
    aml_append(crs, aml_io(AML_DECODE16, ports->base, ports->base, 1,
                           ports->size));
    aml_append(crs, aml_irq_no_flags(irq));
    aml_append(dev, aml_name_decl("_CRS", crs));
    aml_append(scope, dev);
}

/* \_S5: the SLP_TYP value the GED's sleep control register turns off at */
static void dsdt_add_s5(Aml *dsdt)
{
    Aml *pkg = aml_package(4);

    aml_append(pkg, aml_int(ACPI_GED_SLP_TYP_S5));
    aml_append(pkg, aml_int(0));
    aml_append(pkg, aml_int(0));
    aml_append(pkg, aml_int(0));
    aml_append(dsdt, aml_name_decl("_S5", pkg));
}

static void build_dsdt(GArray *table_data, BIOSLinker *linker,
                       MicrovmMachineState *mms)
{
    X86MachineState *x86ms = X86_MACHINE(mms);
    AcpiTable table = { .sig = "DSDT", .rev = 2, .oem_id = x86ms->oem_id,
                        .oem_table_id = x86ms->oem_table_id };
    Aml *dsdt, *sb;

    acpi_table_begin(&table, table_data);
    dsdt = init_aml_allocator();

    sb = aml_scope("_SB");
    build_ged_aml(sb, "\\_SB." GED_DEVICE, HOTPLUG_HANDLER(mms->ged),
                  mms->irqs[MICROVM_IRQ_GED], AML_SYSTEM_MEMORY,
                  microvm_memmap[MICROVM_MEM_GED].base);
    acpi_dsdt_add_power_button(sb);
    /* fw_cfg (QEMU0002): the guest's qemu_fw_cfg driver binds to it */
    fw_cfg_add_acpi_dsdt(sb, x86ms->fw_cfg);
    dsdt_add_virtio_mmio(sb, mms);
    if (mms->uart) {
        dsdt_add_isa_device(sb, "COM1", "PNP0501", 1,
                            &microvm_ioports[MICROVM_IO_SERIAL],
                            mms->irqs[MICROVM_IRQ_SERIAL]);
    }
    if (x86ms->rtc) {
        dsdt_add_isa_device(sb, "RTC", "PNP0B00", 0,
                            &microvm_ioports[MICROVM_IO_RTC],
                            mms->irqs[MICROVM_IRQ_RTC]);
    }
    if (mms->xhci) {
        xhci_sysbus_build_aml(sb, microvm_memmap[MICROVM_MEM_XHCI].base,
                              mms->irqs[MICROVM_IRQ_XHCI]);
    }
    if (mms->gpex.bus) {
        acpi_dsdt_add_gpex(sb, &mms->gpex);
    }
    aml_append(dsdt, sb);
    dsdt_add_s5(dsdt);

    g_array_append_vals(table_data, dsdt->buf->data, dsdt->buf->len);
    free_aml_allocator();
    acpi_table_end(linker, &table);
}

/* ---- FADT ---- */

/* A byte-wide GED register as a generic address structure */
static struct AcpiGenericAddress ged_register(unsigned offset)
{
    return (struct AcpiGenericAddress) {
        .space_id = AML_AS_SYSTEM_MEMORY,
        .bit_width = 8,
        .access_width = 1,      /* byte access */
        .address = microvm_memmap[MICROVM_MEM_GED_REGS].base + offset,
    };
}

/*
 * ACPI 5.1 hardware-reduced FADT.  Reset: write ACPI_GED_RESET_VALUE
 * (0x42) to the GED reset register.  Sleep: SLP_EN | SLP_TYP(S5) written
 * to the GED sleep control register powers the machine off.
 */
static void build_fadt_reduced(GArray *table_data, BIOSLinker *linker,
                               MicrovmMachineState *mms, unsigned dsdt)
{
    X86MachineState *x86ms = X86_MACHINE(mms);
    AcpiFadtData fadt = {
        .rev = 5,
        .minor_ver = 1,
        .flags = (1 << ACPI_FADT_F_HW_REDUCED_ACPI) |
                 (1 << ACPI_FADT_F_RESET_REG_SUP),
        .reset_reg = ged_register(ACPI_GED_REG_RESET),
        .reset_val = ACPI_GED_RESET_VALUE,
        .sleep_ctl = ged_register(ACPI_GED_REG_SLEEP_CTL),
        .sleep_sts = ged_register(ACPI_GED_REG_SLEEP_STS),
        .iapc_boot_arch = MICROVM_IAPC_VGA_NOT_PRESENT |
                          (x86ms->rtc ? 0 : MICROVM_IAPC_CMOS_RTC_NOT_PRESENT),
        /*
         * Both DSDT pointers: SeaBIOS reads only the 32-bit one to find
         * the virtio-mmio disks it boots from.
         */
        .dsdt_tbl_offset = &dsdt,
        .xdsdt_tbl_offset = &dsdt,
    };

    build_fadt(table_data, linker, &fadt, x86ms->oem_id,
               x86ms->oem_table_id);
}

/* ---- MADT ---- */

static void madt_add_ioapic(GArray *t, uint8_t id, uint32_t addr,
                            uint32_t gsi_base)
{
    build_append_int_noprefix(t, MICROVM_MADT_IOAPIC, 1);
    build_append_int_noprefix(t, 12, 1);            /* Length */
    build_append_int_noprefix(t, id, 1);            /* I/O APIC ID */
    build_append_int_noprefix(t, 0, 1);             /* Reserved */
    build_append_int_noprefix(t, addr, 4);          /* I/O APIC Address */
    build_append_int_noprefix(t, gsi_base, 4);      /* GSI Base */
}

static void madt_add_override(GArray *t, uint8_t isa_irq, uint32_t gsi,
                              uint16_t flags)
{
    build_append_int_noprefix(t, MICROVM_MADT_INT_SRC_OVERRIDE, 1);
    build_append_int_noprefix(t, 10, 1);            /* Length */
    build_append_int_noprefix(t, 0, 1);             /* Bus: ISA */
    build_append_int_noprefix(t, isa_irq, 1);       /* Source */
    build_append_int_noprefix(t, gsi, 4);           /* GSI */
    build_append_int_noprefix(t, flags, 2);         /* MPS INTI Flags */
}

/* LINT1 of every processor is the NMI input */
static void madt_add_nmi(GArray *t, bool x2apic)
{
    if (x2apic) {
        build_append_int_noprefix(t, MICROVM_MADT_X2APIC_NMI, 1);
        build_append_int_noprefix(t, 12, 1);        /* Length */
        build_append_int_noprefix(t, 0, 2);         /* Flags */
        build_append_int_noprefix(t, 0xffffffff, 4); /* UID: all */
        build_append_int_noprefix(t, MICROVM_LAPIC_NMI_LINT, 1);
        build_append_int_noprefix(t, 0, 3);         /* Reserved */
    } else {
        build_append_int_noprefix(t, MICROVM_MADT_LAPIC_NMI, 1);
        build_append_int_noprefix(t, 6, 1);         /* Length */
        build_append_int_noprefix(t, 0xff, 1);      /* UID: all */
        build_append_int_noprefix(t, 0, 2);         /* Flags */
        build_append_int_noprefix(t, MICROVM_LAPIC_NMI_LINT, 1);
    }
}

static void build_madt(GArray *table_data, BIOSLinker *linker,
                       MicrovmMachineState *mms)
{
    MachineState *ms = MACHINE(mms);
    X86MachineState *x86ms = X86_MACHINE(mms);
    const CPUArchIdList *cpus =
        MACHINE_GET_CLASS(ms)->possible_cpu_arch_ids(ms);
    AcpiTable table = { .sig = "APIC", .rev = 3, .oem_id = x86ms->oem_id,
                        .oem_table_id = x86ms->oem_table_id };
    bool x2apic = false;
    int i;

    acpi_table_begin(&table, table_data);
    build_append_int_noprefix(table_data,
                              microvm_memmap[MICROVM_MEM_LAPIC].base, 4);
    /* Flags: PCAT_COMPAT when the i8259 pair exists */
    build_append_int_noprefix(table_data,
                              x86ms->pic != ON_OFF_AUTO_OFF ? 1 : 0, 4);

    /* Processor Local APIC, or Local x2APIC for APIC IDs above 254 */
    for (i = 0; i < cpus->len; i++) {
        pc_madt_cpu_entry(i, cpus, table_data, false);
        x2apic |= cpus->cpus[i].arch_id > 254;
    }

    madt_add_ioapic(table_data, 0, microvm_memmap[MICROVM_MEM_IOAPIC].base,
                    0);
    if (x86ms->ioapic2) {
        madt_add_ioapic(table_data, 1,
                        microvm_memmap[MICROVM_MEM_IOAPIC2].base,
                        IO_APIC_SECONDARY_IRQBASE);
    }

    /*
     * As on a PC, QEMU's IOAPICs (userspace and KVM's) deliver ISA IRQ 0,
     * the PIT, on pin 2.  Without this override Linux waits for the
     * timer on GSI 0 and, under TCG, often fails to calibrate or hangs.
     */
    if (x86ms->pit != ON_OFF_AUTO_OFF) {
        madt_add_override(table_data, mms->irqs[MICROVM_IRQ_PIT],
                          MICROVM_PIT_GSI, MICROVM_MPS_INTI_CONFORMING);
    }
    /* PCIe INTx lines below GSI 16 are level-triggered, active high */
    for (i = 1; i < ISA_NUM_IRQS; i++) {
        if (x86ms->pci_irq_mask & (1u << i)) {
            madt_add_override(table_data, i, i, MICROVM_MPS_INTI_LEVEL_HIGH);
        }
    }

    madt_add_nmi(table_data, x2apic);
    acpi_table_end(linker, &table);
}

/* ---- MCFG (pcie=on) ---- */

/* PCI Firmware Specification 3.2, 4.1.2: one ECAM range, segment 0 */
static void build_mcfg_ecam(GArray *table_data, BIOSLinker *linker,
                            MicrovmMachineState *mms)
{
    X86MachineState *x86ms = X86_MACHINE(mms);
    const MemMapEntry *ecam = &mms->gpex.ecam;
    AcpiTable table = { .sig = "MCFG", .rev = 1, .oem_id = x86ms->oem_id,
                        .oem_table_id = x86ms->oem_table_id };

    acpi_table_begin(&table, table_data);
    build_append_int_noprefix(table_data, 0, 8);    /* Reserved */
    build_append_int_noprefix(table_data, ecam->base, 8);
    build_append_int_noprefix(table_data, 0, 2);    /* PCI Segment Group */
    build_append_int_noprefix(table_data, 0, 1);    /* Start Bus Number */
    /* End Bus Number: one MiB of ECAM per bus */
    build_append_int_noprefix(table_data,
                              ecam->size / PCIE_MMCFG_SIZE_MIN - 1, 1);
    build_append_int_noprefix(table_data, 0, 4);    /* Reserved */
    acpi_table_end(linker, &table);
}

/* ---- Table set ---- */

static void microvm_acpi_build(MicrovmMachineState *mms,
                               AcpiBuildTables *tables)
{
    X86MachineState *x86ms = X86_MACHINE(mms);
    GArray *tables_blob = tables->table_data;
    g_autoptr(GArray) table_offsets = g_array_new(false, true,
                                                  sizeof(uint32_t));
    unsigned dsdt, xsdt;
    AcpiRsdpData rsdp = {
        .revision = 2,
        .oem_id = x86ms->oem_id,
        .xsdt_tbl_offset = &xsdt,
    };

    bios_linker_loader_alloc(tables->linker, ACPI_BUILD_TABLE_FILE,
                             tables_blob, 64, false /* high memory */);

    dsdt = tables_blob->len;
    build_dsdt(tables_blob, tables->linker, mms);

    acpi_add_table(table_offsets, tables_blob);
    build_fadt_reduced(tables_blob, tables->linker, mms, dsdt);

    acpi_add_table(table_offsets, tables_blob);
    build_madt(tables_blob, tables->linker, mms);

    if (mms->gpex.bus) {
        acpi_add_table(table_offsets, tables_blob);
        build_mcfg_ecam(tables_blob, tables->linker, mms);
    }

#ifdef CONFIG_ACPI_ERST
    if (find_erst_dev()) {
        acpi_add_table(table_offsets, tables_blob);
        build_erst(tables_blob, tables->linker, find_erst_dev(),
                   x86ms->oem_id, x86ms->oem_table_id);
    }
#endif

    xsdt = tables_blob->len;
    build_xsdt(tables_blob, tables->linker, table_offsets, x86ms->oem_id,
               x86ms->oem_table_id);

    build_rsdp(tables->rsdp, tables->linker, &rsdp);
}

/*
 * The published tables.  They do not change after machine init, with one
 * exception: the ERST gives the acpi-erst device's registers by the
 * address of its BAR 0, which only firmware assigns.  SeaBIOS assigns BARs
 * before it reads the tables; our firmware does not, and the table then
 * carries the unassigned address, as upstream's always does.  With such a
 * device the first selection of one of the files after a reset builds the
 * tables again and copies them over the published bytes (the BAR changes
 * values, never sizes).
 */
struct MicrovmAcpi {
    MicrovmMachineState *mms;
    AcpiBuildTables tables;
    bool current;               /* rebuilt since the last reset */
};

static void microvm_acpi_select(void *opaque)
{
    MicrovmAcpi *acpi = opaque;
    AcpiBuildTables fresh;
    GArray *published[] = {
        acpi->tables.table_data, acpi->tables.linker->cmd_blob,
        acpi->tables.rsdp,
    };
    GArray *built[3];
    int i;

    if (acpi->current) {
        return;
    }
    acpi->current = true;
    acpi_build_tables_init(&fresh);
    microvm_acpi_build(acpi->mms, &fresh);
    built[0] = fresh.table_data;
    built[1] = fresh.linker->cmd_blob;
    built[2] = fresh.rsdp;
    for (i = 0; i < ARRAY_SIZE(published); i++) {
        if (published[i]->len != built[i]->len) {
            warn_report_once("microvm: ACPI tables changed size after "
                             "machine init; the firmware gets the old ones");
            goto out;
        }
    }
    for (i = 0; i < ARRAY_SIZE(published); i++) {
        memcpy(published[i]->data, built[i]->data, built[i]->len);
    }
out:
    acpi_build_tables_cleanup(&fresh, true);
}

static void microvm_acpi_publish(FWCfgState *fw_cfg, const char *name,
                                 GArray *blob, MicrovmAcpi *acpi,
                                 bool rebuild)
{
    fw_cfg_add_file_callback(fw_cfg, name,
                             rebuild ? microvm_acpi_select : NULL, NULL,
                             acpi, blob->data, blob->len, true);
}

void microvm_acpi_setup(MicrovmMachineState *mms)
{
    FWCfgState *fw_cfg = X86_MACHINE(mms)->fw_cfg;
    MicrovmAcpi *acpi = g_new0(MicrovmAcpi, 1);
    bool rebuild = false;

    assert(mms->ged && !mms->acpi);
#ifdef CONFIG_ACPI_ERST
    rebuild = find_erst_dev() != NULL;
#endif
    acpi->mms = mms;
    acpi_build_tables_init(&acpi->tables);
    microvm_acpi_build(mms, &acpi->tables);
    mms->acpi = acpi;

    /*
     * Plain fw_cfg files that point at the blobs above, not ROM blobs
     * (acpi_add_rom_blob): those reserve 2 MiB of host RAM for the
     * tables, which transparent huge pages fault in whole on the first
     * write (2 MiB of RSS for 2 KiB of tables).  A migration target
     * builds the same bytes from the same options.
     */
    microvm_acpi_publish(fw_cfg, ACPI_BUILD_TABLE_FILE,
                         acpi->tables.table_data, acpi, rebuild);
    microvm_acpi_publish(fw_cfg, ACPI_BUILD_LOADER_FILE,
                         acpi->tables.linker->cmd_blob, acpi, rebuild);
    microvm_acpi_publish(fw_cfg, ACPI_BUILD_RSDP_FILE, acpi->tables.rsdp,
                         acpi, rebuild);
}

void microvm_acpi_reset(MicrovmMachineState *mms)
{
    if (mms->acpi) {
        mms->acpi->current = false;
    }
}

/* ---- Direct boot: the table-loader, run by QEMU ---- */

/*
 * Layout of one "etc/table-loader" command (hw/acpi/bios-linker-loader.c
 * documents the format; the firmware's acpi.c reads the same).
 */
#define LOADER_ENTRY_SIZE       128
#define LOADER_FILE_LEN         56
#define LOADER_CMD              0
#define LOADER_ALLOC_FILE       4
#define LOADER_ALLOC_ALIGN      60
#define LOADER_PTR_DEST         4
#define LOADER_PTR_SRC          60
#define LOADER_PTR_OFFSET       116
#define LOADER_PTR_SIZE         120
#define LOADER_CKSUM_FILE       4
#define LOADER_CKSUM_OFFSET     60
#define LOADER_CKSUM_START      64
#define LOADER_CKSUM_LENGTH     68
#define LOADER_CMD_ALLOCATE     1
#define LOADER_CMD_ADD_POINTER  2
#define LOADER_CMD_ADD_CHECKSUM 3
/* Largest alignment a table may ask for */
#define LOADER_MAX_ALIGN        4096

typedef struct LoaderFile {
    const char *name;
    GArray *blob;
    bool placed;
    uint64_t offset;        /* in the caller's buffer */
} LoaderFile;

static LoaderFile *loader_file(LoaderFile *files, unsigned n,
                               const uint8_t *name, Error **errp)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        if (!strncmp((const char *)name, files[i].name, LOADER_FILE_LEN)) {
            return &files[i];
        }
    }
    error_setg(errp, "table-loader names an unknown file '%.*s'",
               LOADER_FILE_LEN, (const char *)name);
    return NULL;
}

static bool loader_run(GArray *cmds, LoaderFile *files, unsigned nfiles,
                       uint8_t *buf, uint64_t buf_size, uint64_t buf_addr,
                       Error **errp)
{
    uint64_t pos = 0;
    unsigned i;

    for (i = 0; i + LOADER_ENTRY_SIZE <= cmds->len; i += LOADER_ENTRY_SIZE) {
        const uint8_t *e = (const uint8_t *)cmds->data + i;
        LoaderFile *f, *src;
        uint32_t align, off, start, len, size;
        uint64_t value;
        uint8_t sum = 0;

        switch (ldl_le_p(e + LOADER_CMD)) {
        case LOADER_CMD_ALLOCATE:
            f = loader_file(files, nfiles, e + LOADER_ALLOC_FILE, errp);
            align = ldl_le_p(e + LOADER_ALLOC_ALIGN);
            if (!f) {
                return false;
            }
            if (f->placed || !is_power_of_2(align) ||
                align > LOADER_MAX_ALIGN) {
                error_setg(errp, "bad table-loader allocation of '%s'",
                           f->name);
                return false;
            }
            pos = ROUND_UP(pos, align);
            if (f->blob->len > buf_size - MIN(pos, buf_size)) {
                error_setg(errp, "ACPI tables do not fit in %" PRIu64
                           " bytes", buf_size);
                return false;
            }
            memcpy(buf + pos, f->blob->data, f->blob->len);
            f->offset = pos;
            f->placed = true;
            pos += f->blob->len;
            break;
        case LOADER_CMD_ADD_POINTER:
            f = loader_file(files, nfiles, e + LOADER_PTR_DEST, errp);
            src = f ? loader_file(files, nfiles, e + LOADER_PTR_SRC, errp)
                    : NULL;
            if (!src) {
                return false;
            }
            off = ldl_le_p(e + LOADER_PTR_OFFSET);
            size = e[LOADER_PTR_SIZE];
            if (!f->placed || !src->placed ||
                (size != 1 && size != 2 && size != 4 && size != 8) ||
                off > f->blob->len || size > f->blob->len - off) {
                error_setg(errp, "bad table-loader pointer in '%s'",
                           f->name);
                return false;
            }
            value = 0;
            memcpy(&value, buf + f->offset + off, size);
            value = le64_to_cpu(value) + buf_addr + src->offset;
            value = cpu_to_le64(value);
            memcpy(buf + f->offset + off, &value, size);
            break;
        case LOADER_CMD_ADD_CHECKSUM:
            f = loader_file(files, nfiles, e + LOADER_CKSUM_FILE, errp);
            if (!f) {
                return false;
            }
            off = ldl_le_p(e + LOADER_CKSUM_OFFSET);
            start = ldl_le_p(e + LOADER_CKSUM_START);
            len = ldl_le_p(e + LOADER_CKSUM_LENGTH);
            if (!f->placed || off >= f->blob->len ||
                start > f->blob->len || len > f->blob->len - start) {
                error_setg(errp, "bad table-loader checksum in '%s'",
                           f->name);
                return false;
            }
            for (size = 0; size < len; size++) {
                sum += buf[f->offset + start + size];
            }
            buf[f->offset + off] -= sum;
            break;
        default:
            error_setg(errp, "unsupported table-loader command %u",
                       ldl_le_p(e + LOADER_CMD));
            return false;
        }
    }
    return true;
}

bool microvm_acpi_place(MicrovmMachineState *mms, uint8_t *buf,
                        uint64_t buf_size, uint64_t buf_addr,
                        uint64_t *rsdp, Error **errp)
{
    AcpiBuildTables *tables;
    LoaderFile files[2];

    assert(mms->acpi);
    tables = &mms->acpi->tables;
    files[0] = (LoaderFile) { ACPI_BUILD_TABLE_FILE, tables->table_data };
    files[1] = (LoaderFile) { ACPI_BUILD_RSDP_FILE, tables->rsdp };

    /* The published blobs, copied into @buf and patched there only */
    if (!loader_run(tables->linker->cmd_blob, files, ARRAY_SIZE(files),
                    buf, buf_size, buf_addr, errp)) {
        return false;
    }
    if (!files[1].placed) {
        error_setg(errp, "the table-loader did not place the RSDP");
        return false;
    }
    *rsdp = buf_addr + files[1].offset;
    return true;
}
