/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * microvm device tree.
 *
 * Linux on x86 boots from ACPI or the command line, not from this tree;
 * it exists for firmware and tools that want one description of the
 * platform: CPUs, memory, the IOAPICs (each an interrupt controller with
 * two cells: pin, trigger), the virtio-mmio transports in use, the ISA
 * UART and RTC, xHCI and the PCIe host.  Addresses are two cells, sizes
 * two cells; ISA I/O ports appear as addresses in the "reg" of their
 * node, as upstream QEMU does.  Everything comes from microvm_memmap[]
 * and the machine's row of microvm_irqmap[][].
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "qemu/error-report.h"
#include "qapi/error.h"
#include "system/device_tree.h"
#include <libfdt.h>
#include "hw/boards.h"
#include "hw/intc/ioapic.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie_host.h"
#include "hw/nvram/fw_cfg.h"
#include "hw/virtio/virtio-mmio.h"
#include "hw/i386/microvm.h"
#include "microvm-fdt.h"

#define MICROVM_FDT_COMPATIBLE      "linux,microvm"

/* Second cell of an IOAPIC interrupt specifier */
#define MICROVM_FDT_IRQ_EDGE        0
#define MICROVM_FDT_IRQ_LEVEL_HIGH  2

/*
 * Room for the tree: everything but the CPUs takes a few KiB with every
 * optional device and transport in use; one CPU node about 50 bytes.
 */
#define MICROVM_FDT_BASE_SIZE       (32 * KiB)
#define MICROVM_FDT_CPU_SIZE        128

/* Cells in one PCIe "interrupt-map" entry */
#define MICROVM_FDT_IMAP_CELLS      7

/* The tree being built and the phandles of the IOAPICs */
typedef struct MicrovmFdt {
    void *fdt;
    uint32_t ioapic_phandle[2];
} MicrovmFdt;

static void fdt_set_irq(MicrovmFdt *f, const char *node, int gsi,
                        uint32_t trigger)
{
    int ioapic = gsi / IOAPIC_NUM_PINS;

    assert(ioapic < ARRAY_SIZE(f->ioapic_phandle) &&
           f->ioapic_phandle[ioapic]);
    qemu_fdt_setprop_cell(f->fdt, node, "interrupt-parent",
                          f->ioapic_phandle[ioapic]);
    qemu_fdt_setprop_cells(f->fdt, node, "interrupts",
                           gsi % IOAPIC_NUM_PINS, trigger);
}

/* Add /@prefix@@base with "compatible" and a two-cell "reg" */
static char *fdt_add_node(MicrovmFdt *f, const char *prefix,
                          const char *compatible, hwaddr base, hwaddr size)
{
    char *node = g_strdup_printf("/%s@%" HWADDR_PRIx, prefix, base);

    qemu_fdt_add_subnode(f->fdt, node);
    qemu_fdt_setprop_string(f->fdt, node, "compatible", compatible);
    qemu_fdt_setprop_sized_cells(f->fdt, node, "reg", 2, base, 2, size);
    return node;
}

static void fdt_add_cpus(MicrovmFdt *f, MachineState *ms)
{
    const CPUArchIdList *cpus =
        MACHINE_GET_CLASS(ms)->possible_cpu_arch_ids(ms);
    int i;

    qemu_fdt_add_subnode(f->fdt, "/cpus");
    qemu_fdt_setprop_cell(f->fdt, "/cpus", "#address-cells", 1);
    qemu_fdt_setprop_cell(f->fdt, "/cpus", "#size-cells", 0);
    for (i = 0; i < ms->smp.cpus && i < cpus->len; i++) {
        g_autofree char *node =
            g_strdup_printf("/cpus/cpu@%" PRIx64, cpus->cpus[i].arch_id);

        qemu_fdt_add_subnode(f->fdt, node);
        qemu_fdt_setprop_string(f->fdt, node, "device_type", "cpu");
        qemu_fdt_setprop_cell(f->fdt, node, "reg", cpus->cpus[i].arch_id);
    }
}

static void fdt_add_memory(MicrovmFdt *f, MicrovmMachineState *mms)
{
    X86MachineState *x86ms = X86_MACHINE(mms);
    g_autofree char *node = g_strdup("/memory@0");

    qemu_fdt_add_subnode(f->fdt, node);
    qemu_fdt_setprop_string(f->fdt, node, "device_type", "memory");
    if (x86ms->above_4g_mem_size) {
        qemu_fdt_setprop_sized_cells(f->fdt, node, "reg",
            2, 0, 2, x86ms->below_4g_mem_size,
            2, x86ms->above_4g_mem_start, 2, x86ms->above_4g_mem_size);
    } else {
        qemu_fdt_setprop_sized_cells(f->fdt, node, "reg",
                                     2, 0, 2, x86ms->below_4g_mem_size);
    }
}

static void fdt_add_ioapic(MicrovmFdt *f, int index, int mem)
{
    const MemMapEntry *e = &microvm_memmap[mem];
    g_autofree char *prefix = g_strdup_printf("ioapic%d", index + 1);
    g_autofree char *node = fdt_add_node(f, prefix, "intel,ce4100-ioapic",
                                         e->base, e->size);
    uint32_t ph = qemu_fdt_alloc_phandle(f->fdt);

    qemu_fdt_setprop(f->fdt, node, "interrupt-controller", NULL, 0);
    qemu_fdt_setprop_cell(f->fdt, node, "#interrupt-cells", 2);
    qemu_fdt_setprop_cell(f->fdt, node, "#address-cells", 2);
    qemu_fdt_setprop_cell(f->fdt, node, "phandle", ph);
    qemu_fdt_setprop_cell(f->fdt, node, "linux,phandle", ph);
    f->ioapic_phandle[index] = ph;
}

static void fdt_add_virtio_mmio(MicrovmFdt *f, MicrovmMachineState *mms)
{
    const MemMapEntry *mmio = &microvm_memmap[MICROVM_MEM_VIRTIO_MMIO];
    unsigned i;

    for (i = 0; i < mms->virtio_transports; i++) {
        VirtIOMMIOProxy *proxy = VIRTIO_MMIO(mms->virtio_mmio[i]);
        g_autofree char *node = NULL;

        if (QTAILQ_EMPTY(&BUS(&proxy->bus)->children)) {
            continue;
        }
        node = fdt_add_node(f, "virtio_mmio", "virtio,mmio",
                            mmio->base + i * MICROVM_VIRTIO_MMIO_STRIDE,
                            MICROVM_VIRTIO_MMIO_STRIDE);
        qemu_fdt_setprop(f->fdt, node, "dma-coherent", NULL, 0);
        fdt_set_irq(f, node, mms->irqs[MICROVM_IRQ_VIRTIO_MMIO] + i,
                    MICROVM_FDT_IRQ_LEVEL_HIGH);
    }
}

static void fdt_add_isa(MicrovmFdt *f, MicrovmMachineState *mms)
{
    X86MachineState *x86ms = X86_MACHINE(mms);
    const MemMapEntry *uart = &microvm_ioports[MICROVM_IO_SERIAL];
    const MemMapEntry *rtc = &microvm_ioports[MICROVM_IO_RTC];

    if (mms->uart) {
        g_autofree char *node = fdt_add_node(f, "serial", "ns16550",
                                             uart->base, uart->size);

        qemu_fdt_setprop_cell(f->fdt, node, "clock-frequency", 1843200);
        fdt_set_irq(f, node, mms->irqs[MICROVM_IRQ_SERIAL],
                    MICROVM_FDT_IRQ_EDGE);
        qemu_fdt_setprop_string(f->fdt, "/chosen", "stdout-path", node);
    }
    if (x86ms->rtc) {
        g_autofree char *node = fdt_add_node(f, "rtc", "motorola,mc146818",
                                             rtc->base, rtc->size);

        fdt_set_irq(f, node, mms->irqs[MICROVM_IRQ_RTC],
                    MICROVM_FDT_IRQ_EDGE);
    }
}

static void fdt_add_xhci(MicrovmFdt *f, MicrovmMachineState *mms)
{
    const MemMapEntry *e = &microvm_memmap[MICROVM_MEM_XHCI];
    g_autofree char *node = NULL;

    if (!mms->xhci) {
        return;
    }
    node = fdt_add_node(f, "usb", "generic-xhci", e->base, e->size);
    qemu_fdt_setprop(f->fdt, node, "dma-coherent", NULL, 0);
    fdt_set_irq(f, node, mms->irqs[MICROVM_IRQ_XHCI],
                MICROVM_FDT_IRQ_LEVEL_HIGH);
}

/* ECAM host bridge: "ranges" maps PCI memory 1:1 (32- and 64-bit) */
static void fdt_add_pcie(MicrovmFdt *f, MicrovmMachineState *mms)
{
    const struct GPEXConfig *cfg = &mms->gpex;
    g_autofree char *node = NULL;
    uint32_t ph = f->ioapic_phandle[cfg->irq / IOAPIC_NUM_PINS];
    uint32_t map[PCI_NUM_PINS * MICROVM_FDT_IMAP_CELLS];
    uint32_t *entry;
    int pin;

    if (!cfg->bus) {
        return;
    }
    node = fdt_add_node(f, "pcie", "pci-host-ecam-generic",
                        cfg->ecam.base, cfg->ecam.size);
    qemu_fdt_setprop_string(f->fdt, node, "device_type", "pci");
    qemu_fdt_setprop_cell(f->fdt, node, "#address-cells", 3);
    qemu_fdt_setprop_cell(f->fdt, node, "#size-cells", 2);
    qemu_fdt_setprop_cell(f->fdt, node, "#interrupt-cells", 1);
    qemu_fdt_setprop_cell(f->fdt, node, "linux,pci-domain", 0);
    qemu_fdt_setprop(f->fdt, node, "dma-coherent", NULL, 0);
    qemu_fdt_setprop_cells(f->fdt, node, "bus-range", 0,
                           cfg->ecam.size / PCIE_MMCFG_SIZE_MIN - 1);
    if (cfg->mmio64.size) {
        qemu_fdt_setprop_sized_cells(f->fdt, node, "ranges",
            1, FDT_PCI_RANGE_MMIO, 2, cfg->mmio32.base,
            2, cfg->mmio32.base, 2, cfg->mmio32.size,
            1, FDT_PCI_RANGE_MMIO_64BIT, 2, cfg->mmio64.base,
            2, cfg->mmio64.base, 2, cfg->mmio64.size);
    } else {
        qemu_fdt_setprop_sized_cells(f->fdt, node, "ranges",
            1, FDT_PCI_RANGE_MMIO, 2, cfg->mmio32.base,
            2, cfg->mmio32.base, 2, cfg->mmio32.size);
    }

    /*
     * INTx of every device: PCI pin n (1..4) -> GSI cfg->irq + n - 1,
     * level high.  An entry: child unit address (3 cells), child pin,
     * parent phandle, parent specifier (pin, trigger).
     */
    for (pin = 0; pin < PCI_NUM_PINS; pin++) {
        int gsi = cfg->irq + pin;

        entry = &map[pin * MICROVM_FDT_IMAP_CELLS];
        entry[0] = entry[1] = entry[2] = 0;
        entry[3] = cpu_to_be32(pin + 1);
        entry[4] = cpu_to_be32(ph);
        entry[5] = cpu_to_be32(gsi % IOAPIC_NUM_PINS);
        entry[6] = cpu_to_be32(MICROVM_FDT_IRQ_LEVEL_HIGH);
    }
    qemu_fdt_setprop(f->fdt, node, "interrupt-map", map, sizeof(map));
    qemu_fdt_setprop_cells(f->fdt, node, "interrupt-map-mask", 0, 0, 0, 7);
}

void microvm_fdt_setup(MicrovmMachineState *mms)
{
    MachineState *ms = MACHINE(mms);
    X86MachineState *x86ms = X86_MACHINE(mms);
    MicrovmFdt f = { 0 };
    int size = MICROVM_FDT_BASE_SIZE + ms->smp.cpus * MICROVM_FDT_CPU_SIZE;

    /*
     * Not create_device_tree(): its 1 MiB buffer, zeroed twice, costs
     * more start-up time than building the whole tree.  Ours is sized
     * for the machine with room to spare; the qemu_fdt_* helpers end
     * QEMU with an error, never overrun, should it still fill up.
     */
    f.fdt = g_malloc0(size);
    if (fdt_create_empty_tree(f.fdt, size) != 0) {
        error_report("microvm: cannot create the device tree");
        exit(1);
    }
    qemu_fdt_setprop_string(f.fdt, "/", "compatible",
                            ms->dt_compatible ?: MICROVM_FDT_COMPATIBLE);
    qemu_fdt_setprop_cell(f.fdt, "/", "#address-cells", 2);
    qemu_fdt_setprop_cell(f.fdt, "/", "#size-cells", 2);
    qemu_fdt_add_subnode(f.fdt, "/chosen");

    fdt_add_cpus(&f, ms);
    fdt_add_memory(&f, mms);
    fdt_add_ioapic(&f, 0, MICROVM_MEM_IOAPIC);
    if (x86ms->ioapic2) {
        fdt_add_ioapic(&f, 1, MICROVM_MEM_IOAPIC2);
    }
    fdt_add_virtio_mmio(&f, mms);
    fdt_add_isa(&f, mms);
    fdt_add_xhci(&f, mms);
    fdt_add_pcie(&f, mms);

    /* Publish the tree without its unused room */
    if (fdt_pack(f.fdt) != 0) {
        error_report("microvm: cannot pack the device tree");
        exit(1);
    }
    size = fdt_totalsize(f.fdt);
    f.fdt = g_realloc(f.fdt, size);
    ms->fdt = f.fdt;
    fw_cfg_add_file(x86ms->fw_cfg, "etc/fdt", f.fdt, size);
}
