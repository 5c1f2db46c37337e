/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * microvm: a minimal x86 machine for direct-boot virtual machines.
 *
 * What the guest sees: CPUs with local APICs, one IOAPIC (two with ACPI
 * unless ioapic2=off), RAM (below 3 GiB, the rest above 4 GiB), fw_cfg
 * with DMA, virtio-mmio transports (8, or 24 on the second IOAPIC) and a
 * small firmware ROM at the top of the 32-bit space.
 * Legacy ISA devices (i8259 PIC, i8254 PIT, MC146818 RTC, 16550 UART)
 * are each optional, because a modern Linux guest needs none of them
 * but older guests and early boot code still probe them.  An ISA bus is
 * always present so that -device isa-debug-exit and friends work.
 *
 * Why: start a Linux kernel as fast as possible, with as little emulated
 * hardware as possible for a guest to probe or attack.  There is no PCI,
 * no VGA, no option ROM scan and no SMM.  Devices are virtio-mmio only;
 * with ACPI off the machine tells Linux where they are by appending
 * "virtio_mmio.device=" entries to the kernel command line; with ACPI on
 * (the default) the DSDT describes them (microvm-acpi.c).  A device tree
 * (microvm-fdt.c) describes the platform in fw_cfg "etc/fdt".
 *
 * Optional, and only with ACPI, which is how the guest finds them: a
 * PCIe host bridge (pcie=on) and an xHCI USB controller (usb=on).
 *
 * direct-boot=on skips the firmware: QEMU writes the boot structures
 * and starts the vCPU at the entry of a PVH vmlinux or, in long mode,
 * of a bzImage (microvm-direct.c).  Off by default.
 *
 * boot-timer=on records host timestamps of the boot phases, readable
 * with qom-get (microvm-timer.c).  Off by default.
 *
 * The guest-visible addresses and IRQs match upstream QEMU's microvm,
 * so existing command lines and kernel command lines keep working.
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "qapi/qapi-visit-common.h"
#include "qemu/error-report.h"
#include "system/system.h"
#include "system/kvm.h"
#include "system/reset.h"
#include "system/runstate.h"
#include "hw/loader.h"
#include "hw/irq.h"
#include "hw/qdev-properties.h"
#include "hw/qdev-properties-system.h"
#include "hw/sysbus.h"
#include "hw/isa/isa.h"
#include "hw/intc/i8259.h"
#include "hw/intc/ioapic.h"
#include "hw/timer/i8254.h"
#include "hw/audio/pcspk.h"
#include "hw/rtc/mc146818rtc.h"
#include "hw/virtio/virtio-mmio.h"
#include "hw/i386/fw_cfg.h"
#include "hw/i386/kvm/clock.h"
#include "hw/i386/microvm.h"
#include "hw/i386/x86.h"
#include "hw/acpi/acpi.h"
#include "hw/acpi/acpi_dev_interface.h"
#include "hw/acpi/generic_event_device.h"
#include "hw/usb/xhci.h"
#include "e820_memory_layout.h"
#include "kvm/kvm_i386.h"
#include "target/i386/cpu.h"
#include "microvm-boot.h"
#include "microvm-acpi.h"
#include "microvm-fdt.h"
#include "microvm-direct.h"
#include "microvm-timer.h"
#include "microvm-firmware.h"

/*
 * Guest-physical memory map.  Entries with size 0 are sized at run time
 * (RAM).  Keep in ascending address order.
 */
const MemMapEntry microvm_memmap[MICROVM_MEM__COUNT] = {
    /* ---- Low memory: below 1 MiB ---- */
    /* Conventional RAM: firmware stack, data and the boot structures */
    [MICROVM_MEM_LOW_RAM] =         { 0x00000000, 0x9fc00 },
    /* Extended BIOS data area, reserved in e820 */
    [MICROVM_MEM_EBDA] =            { 0x0009fc00, 1 * KiB },
    /*
     * direct-boot=on only, reserved in e820 then: the boot structures
     * QEMU writes instead of the firmware (hvm_start_info or
     * boot_params, memory map, command line, GDT, page tables, ACPI
     * tables); see microvm-direct.c
     */
    [MICROVM_MEM_DIRECT_BOOT] =     { 0x000c0000, 128 * KiB },
    /* Read-only alias of the 64 KiB firmware ROM, reserved in e820 */
    [MICROVM_MEM_BIOS_ALIAS] =      { 0x000f0000, 64 * KiB },
    /*
     * Our firmware only: RAM over the first 16 KiB of that alias (ROM
     * bytes no real-mode code uses), where the firmware puts the SMBIOS
     * entry point and tables for the OS's F-segment search; see
     * microvm-firmware.c.  Inside the alias's reserved e820 range.
     */
    [MICROVM_MEM_FSEG_RAM] =        { 0x000f0000, 16 * KiB },

    /* ---- Main memory: from 1 MiB, at most 3 GiB in all below 4 GiB ---- */
    /* RAM; its end is MIN(ram_size, 3 GiB) */
    [MICROVM_MEM_RAM_BELOW_4G] =    { 0x00100000, 3 * GiB - 1 * MiB },

    /* ---- 32-bit MMIO hole: 3 GiB to 4 GiB ---- */
    /* PCIe 32-bit BAR window (pcie=on) */
    [MICROVM_MEM_PCIE_MMIO] =       { 0xc0000000, 512 * MiB },
    /* PCIe ECAM, 256 buses (pcie=on) */
    [MICROVM_MEM_PCIE_ECAM] =       { 0xe0000000, 256 * MiB },
    /*
     * Boot-timer userspace marker (boot-timer=on): the guest writes 123
     * (any width) at the base; reads return 0.  See microvm-timer.c
     */
    [MICROVM_MEM_BOOT_TIMER] =      { 0xfe800000, 4 * KiB },
    /* xHCI USB controller registers (usb=on) */
    [MICROVM_MEM_XHCI] =            { 0xfe900000, 64 * KiB },
    /* ACPI generic event device: event selector (acpi=on) */
    [MICROVM_MEM_GED] =             { 0xfea00000, ACPI_GED_EVT_SEL_LEN },
    /* GED sleep control, sleep status and reset registers (acpi=on) */
    [MICROVM_MEM_GED_REGS] =        { 0xfea00200, ACPI_GED_REG_COUNT },
    /* virtio-mmio transports, MICROVM_VIRTIO_MMIO_STRIDE bytes each */
    [MICROVM_MEM_VIRTIO_MMIO] =     { 0xfeb00000, 12 * KiB },
    /* IOAPIC, GSIs 0..23 (ioapic_init_gsi: IO_APIC_DEFAULT_ADDRESS) */
    [MICROVM_MEM_IOAPIC] =          { 0xfec00000, 4 * KiB },
    /* Second IOAPIC, GSIs 24..47 (ioapic_init_secondary: ioapic2=on) */
    [MICROVM_MEM_IOAPIC2] =         { 0xfec10000, 4 * KiB },
    /* Local APICs and the MSI window */
    [MICROVM_MEM_LAPIC] =           { 0xfee00000, 1 * MiB },
    /* Firmware ROM (a -bios image is mapped to end at 4 GiB instead) */
    [MICROVM_MEM_FIRMWARE] =        { 0xffff0000, 64 * KiB },

    /* ---- Above 4 GiB ---- */
    /* RAM beyond the first 3 GiB; sized at run time */
    [MICROVM_MEM_RAM_ABOVE_4G] =    { 0x100000000ULL, 0 },
    /* PCIe 64-bit BAR window: top quarter of the physical space (pcie=on) */
    [MICROVM_MEM_PCIE_MMIO64] =     { 0, 0 },
};

/*
 * GSIs, i.e. input pins of the IOAPICs (and i8259 lines below 16), one
 * row per interrupt layout; -1: the device does not exist in that layout.
 * The first 16 GSIs are ISA IRQs, edge-triggered; the PCIe INTx lines
 * are level-triggered and need an interrupt source override below 16.
 */
const int microvm_irqmap[MICROVM_IRQS__COUNT][MICROVM_IRQ__COUNT] = {
    [MICROVM_IRQS_LEGACY] = {
        /* i8254 PIT channel 0 */
        [MICROVM_IRQ_PIT] = 0,
        /* 16550 UART (ttyS0) */
        [MICROVM_IRQ_SERIAL] = 4,
        /* virtio-mmio transport n uses GSI 5 + n (8 transports: 5..12) */
        [MICROVM_IRQ_VIRTIO_MMIO] = 5,
        /* MC146818 RTC */
        [MICROVM_IRQ_RTC] = 8,
        /* GED, xHCI and PCIe need ACPI */
        [MICROVM_IRQ_GED] = -1,
        [MICROVM_IRQ_XHCI] = -1,
        [MICROVM_IRQ_PCIE] = -1,
    },
    [MICROVM_IRQS_ACPI] = {
        [MICROVM_IRQ_PIT] = 0,
        [MICROVM_IRQ_SERIAL] = 4,
        /* virtio-mmio transport n uses GSI 16 + n (8 transports: 16..23) */
        [MICROVM_IRQ_VIRTIO_MMIO] = 16,
        [MICROVM_IRQ_RTC] = 8,
        /* ACPI GED: power button event */
        [MICROVM_IRQ_GED] = 9,
        /* xHCI (usb=on) */
        [MICROVM_IRQ_XHCI] = 10,
        /* PCIe INTA..INTD: GSIs 12..15 (pcie=on) */
        [MICROVM_IRQ_PCIE] = 12,
    },
    [MICROVM_IRQS_ACPI_IOAPIC2] = {
        [MICROVM_IRQ_PIT] = 0,
        [MICROVM_IRQ_SERIAL] = 4,
        /* virtio-mmio transport n uses GSI 24 + n: all of IOAPIC2 */
        [MICROVM_IRQ_VIRTIO_MMIO] = 24,
        [MICROVM_IRQ_RTC] = 8,
        [MICROVM_IRQ_GED] = 9,
        [MICROVM_IRQ_XHCI] = 10,
        /* PCIe INTA..INTD: GSIs 16..19 (pcie=on) */
        [MICROVM_IRQ_PCIE] = 16,
    },
};

/* Number of virtio-mmio transports in each interrupt layout */
const unsigned microvm_virtio_transports[MICROVM_IRQS__COUNT] = {
    [MICROVM_IRQS_LEGACY] = 8,
    [MICROVM_IRQS_ACPI] = 8,
    [MICROVM_IRQS_ACPI_IOAPIC2] = 24,
};

/* ISA I/O ports: base and length */
const MemMapEntry microvm_ioports[MICROVM_IO__COUNT] = {
    /* i8259 master (i8259_init places both chips itself) */
    [MICROVM_IO_PIC_MASTER] =   { 0x020, 2 },
    /* i8254 PIT */
    [MICROVM_IO_PIT] =          { 0x040, 4 },
    /* System control port B: PIT channel 2 gate and output (with pit) */
    [MICROVM_IO_PORT61] =       { 0x061, 1 },
    /* MC146818 RTC / CMOS */
    [MICROVM_IO_RTC] =          { 0x070, 2 },
    /* POST port: firmware boot-phase markers (boot-timer=on) */
    [MICROVM_IO_POST] =         { 0x080, 1 },
    /* i8259 slave */
    [MICROVM_IO_PIC_SLAVE] =    { 0x0a0, 2 },
    /* 16550 UART (ttyS0) */
    [MICROVM_IO_SERIAL] =       { 0x3f8, 8 },
    /* fw_cfg: selector, data, and the DMA address at base + 4 */
    [MICROVM_IO_FW_CFG] =       { 0x510, 12 },
};

/* GED sysbus MMIO regions (acpi_ged_initfn order) */
#define MICROVM_GED_MMIO_EVT    0
#define MICROVM_GED_MMIO_REGS   2

/* ---- Memory ---- */

static void microvm_memory_init(MicrovmMachineState *mms)
{
    MachineState *machine = MACHINE(mms);
    X86MachineState *x86ms = X86_MACHINE(mms);
    const MemMapEntry *low = &microvm_memmap[MICROVM_MEM_LOW_RAM];
    const MemMapEntry *ebda = &microvm_memmap[MICROVM_MEM_EBDA];
    const MemMapEntry *rom = &microvm_memmap[MICROVM_MEM_BIOS_ALIAS];
    const MemMapEntry *ram_main =
        &microvm_memmap[MICROVM_MEM_RAM_BELOW_4G];
    const MemMapEntry *high = &microvm_memmap[MICROVM_MEM_RAM_ABOVE_4G];
    uint64_t below_max = ram_main->base + ram_main->size;
    MemoryRegion *ram;

    if (machine->ram_size <= ram_main->base) {
        error_report("microvm needs more than %" PRIu64 " MiB of RAM",
                     ram_main->base / MiB);
        exit(1);
    }
    x86ms->below_4g_mem_size = MIN(machine->ram_size, below_max);
    x86ms->above_4g_mem_size = machine->ram_size - x86ms->below_4g_mem_size;
    x86ms->above_4g_mem_start = high->base;

    ram = g_new(MemoryRegion, 1);
    memory_region_init_alias(ram, OBJECT(mms), "ram-below-4g", machine->ram,
                             0, x86ms->below_4g_mem_size);
    memory_region_add_subregion(get_system_memory(), 0, ram);

    e820_add_entry(low->base, low->size, E820_RAM);
    e820_add_entry(ebda->base, ebda->size, E820_RESERVED);
    if (mms->direct_boot) {
        const MemMapEntry *direct =
            &microvm_memmap[MICROVM_MEM_DIRECT_BOOT];

        e820_add_entry(direct->base, direct->size, E820_RESERVED);
    }
    e820_add_entry(rom->base, rom->size, E820_RESERVED);
    e820_add_entry(ram_main->base,
                   x86ms->below_4g_mem_size - ram_main->base, E820_RAM);

    if (x86ms->above_4g_mem_size) {
        ram = g_new(MemoryRegion, 1);
        memory_region_init_alias(ram, OBJECT(mms), "ram-above-4g",
                                 machine->ram, x86ms->below_4g_mem_size,
                                 x86ms->above_4g_mem_size);
        memory_region_add_subregion(get_system_memory(), high->base, ram);
        e820_add_entry(high->base, x86ms->above_4g_mem_size, E820_RAM);
    }
}

/* ---- fw_cfg and kernel ---- */

static void microvm_fw_cfg_init(MicrovmMachineState *mms)
{
    MachineState *machine = MACHINE(mms);
    X86MachineState *x86ms = X86_MACHINE(mms);
    hwaddr port = microvm_ioports[MICROVM_IO_FW_CFG].base;
    FWCfgState *fw_cfg;

    fw_cfg = fw_cfg_init_io_dma(port, port + 4, &address_space_memory);
    fw_cfg_add_i16(fw_cfg, FW_CFG_NB_CPUS, machine->smp.cpus);
    fw_cfg_add_i16(fw_cfg, FW_CFG_MAX_CPUS, machine->smp.max_cpus);
    fw_cfg_add_i64(fw_cfg, FW_CFG_RAM_SIZE, machine->ram_size);
    rom_set_fw(fw_cfg);
    x86ms->fw_cfg = fw_cfg;

    if (machine->kernel_filename) {
        microvm_boot_load(mms, fw_cfg, &error_fatal);
    }

    /*
     * Option ROMs queued in option_rom[]: -option-rom images, kvmvapic
     * and, for a kernel a user firmware boots, linuxboot.  Offered to
     * the firmware as fw_cfg "genroms/" files; our ROM runs none.
     */
    if (mms->option_roms) {
        int i;

        for (i = 0; i < nb_option_roms; i++) {
            rom_add_option(option_rom[i].name, option_rom[i].bootindex);
        }
    }
}

/*
 * With ACPI off Linux learns about virtio-mmio devices from the command
 * line (with ACPI on, from the DSDT: nothing is appended).  The entries
 * follow the order of the default system bus, i.e. the last transport
 * first, as upstream's microvm does, so that the guest enumerates
 * devices (vda, vdb, ...) the same way.
 */
static char *microvm_kernel_cmdline(MicrovmMachineState *mms)
{
    MachineState *machine = MACHINE(mms);
    const MemMapEntry *mmio = &microvm_memmap[MICROVM_MEM_VIRTIO_MMIO];
    GString *cmdline = g_string_new(machine->kernel_cmdline);
    int i;

    if (!mms->auto_kernel_cmdline ||
        x86_machine_is_acpi_enabled(X86_MACHINE(mms))) {
        return g_string_free(cmdline, false);
    }
    for (i = mms->virtio_transports - 1; i >= 0; i--) {
        VirtIOMMIOProxy *proxy = VIRTIO_MMIO(mms->virtio_mmio[i]);
        BusState *bus = BUS(&proxy->bus);

        if (QTAILQ_EMPTY(&bus->children)) {
            continue;
        }
        g_string_append_printf(cmdline, "%svirtio_mmio.device=%u@0x%"
                               HWADDR_PRIx ":%d",
                               cmdline->len ? " " : "",
                               MICROVM_VIRTIO_MMIO_STRIDE,
                               mmio->base + i * MICROVM_VIRTIO_MMIO_STRIDE,
                               mms->irqs[MICROVM_IRQ_VIRTIO_MMIO] + i);
    }
    return g_string_free(cmdline, false);
}

/* ---- Devices ---- */

static void microvm_interrupts_init(MicrovmMachineState *mms,
                                    ISABus *isa_bus)
{
    X86MachineState *x86ms = X86_MACHINE(mms);
    GSIState *gsi_state = g_new0(GSIState, 1);
    bool ioapic2 = mms->irq_layout == MICROVM_IRQS_ACPI_IOAPIC2;
    qemu_irq *i8259;

    x86ms->gsi = qemu_allocate_irqs(gsi_handler, gsi_state,
                                    IOAPIC_NUM_PINS * (ioapic2 ? 2 : 1));
    isa_bus_register_input_irqs(isa_bus, x86ms->gsi);
    ioapic_init_gsi(gsi_state, OBJECT(mms));
    if (ioapic2) {
        QEMU_BUILD_BUG_ON(IO_APIC_SECONDARY_IRQBASE != IOAPIC_NUM_PINS);
        assert(microvm_memmap[MICROVM_MEM_IOAPIC2].base ==
               IO_APIC_SECONDARY_ADDRESS);
        x86ms->ioapic2 = ioapic_init_secondary(gsi_state);
    }
    x86ms->ioapic_as = &address_space_memory;

    if (x86ms->pic == ON_OFF_AUTO_OFF) {
        return;
    }
    if (kvm_pic_in_kernel()) {
        i8259 = kvm_i8259_init(isa_bus);
    } else {
        i8259 = i8259_init(isa_bus, x86_allocate_cpu_irq());
    }
    memcpy(gsi_state->i8259_irq, i8259, sizeof(gsi_state->i8259_irq));
    g_free(i8259);
}

static void microvm_isa_devices_init(MicrovmMachineState *mms,
                                     ISABus *isa_bus)
{
    X86MachineState *x86ms = X86_MACHINE(mms);
    const MemMapEntry *pit = &microvm_ioports[MICROVM_IO_PIT];
    const MemMapEntry *rtc = &microvm_ioports[MICROVM_IO_RTC];
    const MemMapEntry *uart = &microvm_ioports[MICROVM_IO_SERIAL];
    ISADevice *isadev;

    if (x86ms->pit != ON_OFF_AUTO_OFF) {
        ISADevice *pitdev;

        if (kvm_pit_in_kernel()) {
            pitdev = kvm_pit_init(isa_bus, pit->base);
        } else {
            pitdev = i8254_pit_init(isa_bus, pit->base,
                                    mms->irqs[MICROVM_IRQ_PIT], NULL);
        }
        /*
         * Port 0x61 gates PIT channel 2 and reads back its output.
         * Linux calibrates the TSC against that channel; without the
         * port its calibration fails at random and, lacking HPET and
         * the ACPI PM timer here, the boot can stall.
         */
        isadev = isa_new(TYPE_PC_SPEAKER);
        qdev_prop_set_uint32(DEVICE(isadev), "iobase",
                             microvm_ioports[MICROVM_IO_PORT61].base);
        object_property_set_link(OBJECT(isadev), "pit", OBJECT(pitdev),
                                 &error_fatal);
        isa_realize_and_unref(isadev, isa_bus, &error_fatal);
    }

    /* KVM guests have kvmclock; the RTC is then opt-in */
    if (mms->rtc == ON_OFF_AUTO_ON ||
        (mms->rtc == ON_OFF_AUTO_AUTO && !kvm_enabled())) {
        isadev = isa_new(TYPE_MC146818_RTC);
        qdev_prop_set_int32(DEVICE(isadev), "base_year", 2000);
        qdev_prop_set_uint16(DEVICE(isadev), "iobase", rtc->base);
        qdev_prop_set_uint8(DEVICE(isadev), "irq", mms->irqs[MICROVM_IRQ_RTC]);
        isa_realize_and_unref(isadev, isa_bus, &error_fatal);
        isa_connect_gpio_out(isadev, 0, mms->irqs[MICROVM_IRQ_RTC]);
        x86ms->rtc = isadev;
    }

    /* Like other machines, a UART exists only when a backend is given */
    if (mms->isa_serial && serial_hd(0)) {
        isadev = isa_new("isa-serial");
        qdev_prop_set_uint32(DEVICE(isadev), "index", 0);
        qdev_prop_set_uint32(DEVICE(isadev), "iobase", uart->base);
        qdev_prop_set_uint32(DEVICE(isadev), "irq",
                             mms->irqs[MICROVM_IRQ_SERIAL]);
        qdev_prop_set_chr(DEVICE(isadev), "chardev", serial_hd(0));
        isa_realize_and_unref(isadev, isa_bus, &error_fatal);
        mms->uart = isadev;
    }
}

static void microvm_virtio_mmio_init(MicrovmMachineState *mms)
{
    X86MachineState *x86ms = X86_MACHINE(mms);
    const MemMapEntry *mmio = &microvm_memmap[MICROVM_MEM_VIRTIO_MMIO];
    int i;

    assert(MICROVM_VIRTIO_MMIO_TRANSPORTS * MICROVM_VIRTIO_MMIO_STRIDE <=
           mmio->size);
    assert(mms->virtio_transports <= MICROVM_VIRTIO_MMIO_TRANSPORTS);
    for (i = 0; i < mms->virtio_transports; i++) {
        mms->virtio_mmio[i] = sysbus_create_simple(TYPE_VIRTIO_MMIO,
            mmio->base + i * MICROVM_VIRTIO_MMIO_STRIDE,
            x86ms->gsi[mms->irqs[MICROVM_IRQ_VIRTIO_MMIO] + i]);
    }
}

/*
 * Hardware-reduced ACPI: the generic event device carries the power
 * button event (GSI MICROVM_IRQ_GED) and the FADT's sleep control,
 * sleep status and reset registers.
 */
static void microvm_ged_init(MicrovmMachineState *mms)
{
    X86MachineState *x86ms = X86_MACHINE(mms);
    SysBusDevice *sbd;

    mms->ged = qdev_new(TYPE_ACPI_GED);
    qdev_prop_set_uint32(mms->ged, "ged-event", ACPI_GED_PWR_DOWN_EVT);
    sbd = SYS_BUS_DEVICE(mms->ged);
    sysbus_realize_and_unref(sbd, &error_fatal);
    sysbus_mmio_map(sbd, MICROVM_GED_MMIO_EVT,
                    microvm_memmap[MICROVM_MEM_GED].base);
    sysbus_mmio_map(sbd, MICROVM_GED_MMIO_REGS,
                    microvm_memmap[MICROVM_MEM_GED_REGS].base);
    sysbus_connect_irq(sbd, 0, x86ms->gsi[mms->irqs[MICROVM_IRQ_GED]]);
    x86ms->acpi_dev = HOTPLUG_HANDLER(mms->ged);
}

static void microvm_xhci_init(MicrovmMachineState *mms)
{
    X86MachineState *x86ms = X86_MACHINE(mms);
    SysBusDevice *sbd;

    mms->xhci = qdev_new(TYPE_XHCI_SYSBUS);
    qdev_prop_set_uint32(mms->xhci, "intrs", 1);
    qdev_prop_set_uint32(mms->xhci, "slots", XHCI_MAXSLOTS);
    qdev_prop_set_uint32(mms->xhci, "p2", 8);
    qdev_prop_set_uint32(mms->xhci, "p3", 8);
    sbd = SYS_BUS_DEVICE(mms->xhci);
    sysbus_realize_and_unref(sbd, &error_fatal);
    sysbus_mmio_map(sbd, 0, microvm_memmap[MICROVM_MEM_XHCI].base);
    sysbus_connect_irq(sbd, 0, x86ms->gsi[mms->irqs[MICROVM_IRQ_XHCI]]);
}

/* Map @size bytes of @mr at guest-physical @base, offset @base in @mr */
static void microvm_pcie_window(DeviceState *dev, const char *name,
                                MemoryRegion *mr, hwaddr base, hwaddr size,
                                hwaddr offset)
{
    MemoryRegion *alias = g_new(MemoryRegion, 1);

    memory_region_init_alias(alias, OBJECT(dev), name, mr, offset, size);
    memory_region_add_subregion(get_system_memory(), base, alias);
}

/*
 * The generic PCIe host bridge: ECAM and a 32-bit MMIO window in the
 * hole below 4 GiB, a 64-bit window in the top quarter of the physical
 * address space, INTA..INTD on MICROVM_PCIE_IRQS consecutive GSIs.
 */
static void microvm_pcie_init(MicrovmMachineState *mms)
{
    X86MachineState *x86ms = X86_MACHINE(mms);
    struct GPEXConfig *cfg = &mms->gpex;
    hwaddr phys_size = 1ULL << X86_CPU(first_cpu)->phys_bits;
    MemoryRegion *ecam, *mmio;
    DeviceState *dev;
    int i;

    cfg->ecam = microvm_memmap[MICROVM_MEM_PCIE_ECAM];
    cfg->mmio32 = microvm_memmap[MICROVM_MEM_PCIE_MMIO];
    cfg->mmio64 = microvm_memmap[MICROVM_MEM_PCIE_MMIO64];
    if (phys_size > 16 * MiB) {
        cfg->mmio64.size = phys_size / 4;
        cfg->mmio64.base = phys_size - cfg->mmio64.size;
    }
    cfg->irq = mms->irqs[MICROVM_IRQ_PCIE];

    dev = qdev_new(TYPE_GPEX_HOST);
    sysbus_realize_and_unref(SYS_BUS_DEVICE(dev), &error_fatal);
    ecam = sysbus_mmio_get_region(SYS_BUS_DEVICE(dev), 0);
    mmio = sysbus_mmio_get_region(SYS_BUS_DEVICE(dev), 1);
    microvm_pcie_window(dev, "pcie-ecam", ecam, cfg->ecam.base,
                        cfg->ecam.size, 0);
    microvm_pcie_window(dev, "pcie-mmio32", mmio, cfg->mmio32.base,
                        cfg->mmio32.size, cfg->mmio32.base);
    if (cfg->mmio64.size) {
        microvm_pcie_window(dev, "pcie-mmio64", mmio, cfg->mmio64.base,
                            cfg->mmio64.size, cfg->mmio64.base);
    }

    x86ms->pci_irq_mask = 0;
    for (i = 0; i < MICROVM_PCIE_IRQS; i++) {
        sysbus_connect_irq(SYS_BUS_DEVICE(dev), i,
                           x86ms->gsi[cfg->irq + i]);
        gpex_set_irq_num(GPEX_HOST(dev), i, cfg->irq + i);
        if (cfg->irq + i < ISA_NUM_IRQS) {
            x86ms->pci_irq_mask |= 1u << (cfg->irq + i);
        }
    }
    cfg->bus = PCI_HOST_BRIDGE(dev)->bus;
}

static void microvm_devices_init(MicrovmMachineState *mms)
{
    X86MachineState *x86ms = X86_MACHINE(mms);
    ISABus *isa_bus;

    isa_bus = isa_bus_new(NULL, get_system_memory(), get_system_io(),
                          &error_fatal);
    microvm_interrupts_init(mms, isa_bus);
    if (kvm_enabled()) {
        kvmclock_create(true);
    }
    microvm_virtio_mmio_init(mms);
    if (x86_machine_is_acpi_enabled(x86ms)) {
        microvm_ged_init(mms);
    }
    if (machine_usb(MACHINE(mms))) {
        microvm_xhci_init(mms);
    }
    x86ms->pci_irq_mask = 0;
    if (mms->pcie == ON_OFF_AUTO_ON) {
        microvm_pcie_init(mms);
    }
    microvm_isa_devices_init(mms, isa_bus);

    /*
     * Our ROM runs in place and copies nothing to RAM: map it read-only.
     * A user firmware (SeaBIOS) relocates itself into its low alias and
     * needs it writable.
     */
    x86_bios_rom_init(x86ms, MICROVM_FIRMWARE_NAME, get_system_memory(),
                      MACHINE(mms)->firmware != NULL);
    if (!MACHINE(mms)->firmware) {
        microvm_smbios_init(mms);
    }
}

/* ---- Machine ---- */

/*
 * Check the option combination and pick the interrupt layout.  Devices
 * the guest could only find through ACPI need acpi=on: refuse them, do
 * not silently drop them.
 */
static void microvm_check_options(MicrovmMachineState *mms)
{
    X86MachineState *x86ms = X86_MACHINE(mms);
    bool acpi = x86_machine_is_acpi_enabled(x86ms);

    if (x86ms->smm == ON_OFF_AUTO_ON) {
        error_report("microvm does not support SMM; use smm=off");
        exit(1);
    }
    x86ms->smm = ON_OFF_AUTO_OFF;

    if (!acpi && mms->ioapic2 == ON_OFF_AUTO_ON) {
        error_report("microvm: ioapic2=on needs acpi=on (without ACPI the "
                     "guest cannot find the second IOAPIC)");
        exit(1);
    }
    if (!acpi && mms->pcie == ON_OFF_AUTO_ON) {
        error_report("microvm: pcie=on needs acpi=on (the guest finds the "
                     "PCIe host bridge through ACPI)");
        exit(1);
    }
    if (!acpi && machine_usb(MACHINE(mms))) {
        error_report("microvm: usb=on needs acpi=on (the guest finds the "
                     "xHCI controller through ACPI)");
        exit(1);
    }

    if (!acpi) {
        mms->irq_layout = MICROVM_IRQS_LEGACY;
    } else if (mms->ioapic2 == ON_OFF_AUTO_OFF) {
        mms->irq_layout = MICROVM_IRQS_ACPI;
    } else {
        mms->irq_layout = MICROVM_IRQS_ACPI_IOAPIC2;
    }
    mms->irqs = microvm_irqmap[mms->irq_layout];
    mms->virtio_transports = microvm_virtio_transports[mms->irq_layout];

    if (mms->direct_boot) {
        microvm_direct_check(mms);
    }
}

static void microvm_init_done(Notifier *notifier, void *data)
{
    MicrovmMachineState *mms = container_of(notifier, MicrovmMachineState,
                                            init_done);
    X86MachineState *x86ms = X86_MACHINE(mms);

    if (x86_machine_is_acpi_enabled(x86ms)) {
        microvm_acpi_setup(mms);
    }
    if (MACHINE(mms)->kernel_filename) {
        g_autofree char *cmdline = microvm_kernel_cmdline(mms);

        microvm_boot_set_cmdline(x86ms->fw_cfg, cmdline);
        if (mms->direct_boot) {
            microvm_direct_setup(mms, cmdline);
        }
    }
    microvm_fdt_setup(mms);
    fw_cfg_add_e820(x86ms->fw_cfg);
    microvm_smbios_setup(mms);
    microvm_fw_cfg_override(mms);
    microvm_boot_timer_machine_ready(mms);
}

/* system_powerdown: press the ACPI power button (no ACPI: nothing to do) */
static void microvm_powerdown(Notifier *notifier, void *data)
{
    MicrovmMachineState *mms = container_of(notifier, MicrovmMachineState,
                                            powerdown);

    if (mms->ged) {
        AcpiDeviceIfClass *adevc = ACPI_DEVICE_IF_GET_CLASS(mms->ged);

        adevc->send_event(ACPI_DEVICE_IF(mms->ged), ACPI_POWER_DOWN_STATUS);
    }
}

static void microvm_machine_init(MachineState *machine)
{
    MicrovmMachineState *mms = MICROVM_MACHINE(machine);
    X86MachineState *x86ms = X86_MACHINE(machine);

    microvm_check_options(mms);
    microvm_memory_init(mms);
    x86_cpus_init(x86ms, CPU_VERSION_LATEST);
    /*
     * One memory transaction for all devices: otherwise every region
     * mapped (24 virtio-mmio transports alone) rebuilds the flat views
     * and dispatch tables of every address space, the largest part of
     * machine init's time and of its peak RSS.
     */
    memory_region_transaction_begin();
    microvm_devices_init(mms);
    memory_region_transaction_commit();
    microvm_boot_timer_init(mms);
    microvm_fw_cfg_init(mms);

    mms->init_done.notify = microvm_init_done;
    qemu_add_machine_init_done_notifier(&mms->init_done);
    mms->powerdown.notify = microvm_powerdown;
    qemu_register_powerdown_notifier(&mms->powerdown);
}

static void microvm_machine_reset(MachineState *machine, ResetType type)
{
    MicrovmMachineState *mms = MICROVM_MACHINE(machine);
    CPUState *cpu;

    qemu_devices_reset(type);
    CPU_FOREACH(cpu) {
        x86_cpu_after_reset(X86_CPU(cpu));
    }
    microvm_acpi_reset(mms);
    if (mms->direct_boot) {
        microvm_direct_reset(mms);
    }
    microvm_boot_timer_reset(mms);
}

/* CPUs are the only devices wired through the machine's hotplug handler */
static HotplugHandler *microvm_get_hotplug_handler(MachineState *machine,
                                                   DeviceState *dev)
{
    bool is_cpu = object_dynamic_cast(OBJECT(dev), TYPE_CPU) != NULL;

    return is_cpu ? HOTPLUG_HANDLER(machine) : NULL;
}

static void microvm_unplug_refused(HotplugHandler *hotplug_dev,
                                   DeviceState *dev, Error **errp)
{
    error_setg(errp, "microvm does not support device unplug");
}

/* ---- Properties ---- */

static void microvm_get_rtc(Object *obj, Visitor *v, const char *name,
                            void *opaque, Error **errp)
{
    OnOffAuto value = MICROVM_MACHINE(obj)->rtc;

    visit_type_OnOffAuto(v, name, &value, errp);
}

static void microvm_set_rtc(Object *obj, Visitor *v, const char *name,
                            void *opaque, Error **errp)
{
    visit_type_OnOffAuto(v, name, &MICROVM_MACHINE(obj)->rtc, errp);
}

static void microvm_get_pcie(Object *obj, Visitor *v, const char *name,
                             void *opaque, Error **errp)
{
    OnOffAuto value = MICROVM_MACHINE(obj)->pcie;

    visit_type_OnOffAuto(v, name, &value, errp);
}

static void microvm_set_pcie(Object *obj, Visitor *v, const char *name,
                             void *opaque, Error **errp)
{
    visit_type_OnOffAuto(v, name, &MICROVM_MACHINE(obj)->pcie, errp);
}

static void microvm_get_ioapic2(Object *obj, Visitor *v, const char *name,
                                void *opaque, Error **errp)
{
    OnOffAuto value = MICROVM_MACHINE(obj)->ioapic2;

    visit_type_OnOffAuto(v, name, &value, errp);
}

static void microvm_set_ioapic2(Object *obj, Visitor *v, const char *name,
                                void *opaque, Error **errp)
{
    visit_type_OnOffAuto(v, name, &MICROVM_MACHINE(obj)->ioapic2, errp);
}

static bool microvm_get_option_roms(Object *obj, Error **errp)
{
    return MICROVM_MACHINE(obj)->option_roms;
}

static void microvm_set_option_roms(Object *obj, bool value, Error **errp)
{
    MICROVM_MACHINE(obj)->option_roms = value;
}

static bool microvm_get_isa_serial(Object *obj, Error **errp)
{
    return MICROVM_MACHINE(obj)->isa_serial;
}

static void microvm_set_isa_serial(Object *obj, bool value, Error **errp)
{
    MICROVM_MACHINE(obj)->isa_serial = value;
}

static bool microvm_get_auto_kernel_cmdline(Object *obj, Error **errp)
{
    return MICROVM_MACHINE(obj)->auto_kernel_cmdline;
}

static void microvm_set_auto_kernel_cmdline(Object *obj, bool value,
                                            Error **errp)
{
    MICROVM_MACHINE(obj)->auto_kernel_cmdline = value;
}

static bool microvm_get_boot_timer(Object *obj, Error **errp)
{
    return MICROVM_MACHINE(obj)->boot_timer_on;
}

static void microvm_set_boot_timer(Object *obj, bool value, Error **errp)
{
    MICROVM_MACHINE(obj)->boot_timer_on = value;
}

static bool microvm_get_direct_boot(Object *obj, Error **errp)
{
    return MICROVM_MACHINE(obj)->direct_boot;
}

static void microvm_set_direct_boot(Object *obj, bool value, Error **errp)
{
    MICROVM_MACHINE(obj)->direct_boot = value;
}

static void microvm_instance_init(Object *obj)
{
    MicrovmMachineState *mms = MICROVM_MACHINE(obj);

    microvm_boot_timer_start(mms);

    /* Defaults as upstream's microvm: legacy bits decided at init */
    mms->ioapic2 = mms->pcie = mms->rtc = ON_OFF_AUTO_AUTO;
    mms->auto_kernel_cmdline = mms->isa_serial = mms->option_roms = true;
}

/*
 * Defaults for devices on this machine; -global still overrides them.
 * virtio-mmio: version 2 (virtio 1.x), which every Linux since 4.0 and
 * Firecracker-style guests drive; force-legacy=on brings version 1 back.
 * kvmvapic patches the TPR accesses of 32-bit Windows guests and needs
 * an option ROM: nothing a microvm boots uses it.
 * fw_cfg: the ACPI tables are plain fw_cfg files, not RAM-backed ROM
 * blobs, so there is no memory region to resize on an incoming
 * migration or loadvm (acpi-mr-restore would dereference none).
 */
static GlobalProperty microvm_globals[] = {
    { "virtio-mmio", "force-legacy", "off" },
    { "apic-common", "vapic", "off" },
    { "fw_cfg", "acpi-mr-restore", "false" },
};

static void microvm_class_init(ObjectClass *oc, void *data)
{
    MachineClass *mc = MACHINE_CLASS(oc);
    X86MachineClass *x86mc = X86_MACHINE_CLASS(oc);
    HotplugHandlerClass *hc = HOTPLUG_HANDLER_CLASS(oc);

    mc->desc = "microvm (i386)";
    mc->family = "microvm_i386";
    mc->init = microvm_machine_init;
    mc->reset = microvm_machine_reset;
    mc->default_ram_id = "microvm.ram";
    mc->default_cpu_type = TARGET_DEFAULT_CPU_TYPE;
    mc->max_cpus = 288;
    mc->units_per_default_bus = 1;
    mc->no_floppy = 1;
    mc->no_cdrom = 1;
    mc->no_parallel = 1;
    mc->has_hotpluggable_cpus = false;
    mc->auto_enable_numa_with_memhp = false;
    mc->auto_enable_numa_with_memdev = false;
    mc->nvdimm_supported = false;
    /* Keep the IOAPIC and PIC in QEMU; only the LAPICs in the kernel */
    mc->default_kernel_irqchip_split = true;
    x86mc->fwcfg_dma_enabled = true;
    compat_props_add(mc->compat_props, microvm_globals,
                     G_N_ELEMENTS(microvm_globals));

    mc->get_hotplug_handler = microvm_get_hotplug_handler;
    hc->pre_plug = x86_cpu_pre_plug;
    hc->plug = x86_cpu_plug;
    hc->unplug_request = microvm_unplug_refused;
    hc->unplug = microvm_unplug_refused;

    /* Properties */
    object_class_property_add(oc, MICROVM_PROP_RTC, "OnOffAuto",
                              microvm_get_rtc, microvm_set_rtc, NULL, NULL);
    object_class_property_set_description(oc, MICROVM_PROP_RTC,
        "MC146818 RTC at I/O port 0x70 (auto: on unless KVM)");

    object_class_property_add(oc, MICROVM_PROP_PCIE, "OnOffAuto",
                              microvm_get_pcie, microvm_set_pcie, NULL, NULL);
    object_class_property_set_description(oc, MICROVM_PROP_PCIE,
        "PCIe host bridge: ECAM at 0xe0000000 (on needs acpi=on; "
        "auto: off)");

    object_class_property_add(oc, MICROVM_PROP_IOAPIC2, "OnOffAuto",
                              microvm_get_ioapic2, microvm_set_ioapic2,
                              NULL, NULL);
    object_class_property_set_description(oc, MICROVM_PROP_IOAPIC2,
        "Second IOAPIC at 0xfec10000 for 24 virtio-mmio transports "
        "(auto: on with ACPI)");

    object_class_property_add_bool(oc, MICROVM_PROP_OPTION_ROMS,
                                   microvm_get_option_roms,
                                   microvm_set_option_roms);
    object_class_property_set_description(oc, MICROVM_PROP_OPTION_ROMS,
        "Set off to disable loading option ROMs (-option-rom)");

    object_class_property_add_str(oc, MICROVM_PROP_FW_CFG_OVERRIDE,
                                  microvm_get_fw_cfg_override,
                                  microvm_set_fw_cfg_override);
    object_class_property_set_description(oc, MICROVM_PROP_FW_CFG_OVERRIDE,
        "Test only: replace fw_cfg items the firmware reads "
        "(ITEM=FILE;...)");

    object_class_property_add_bool(oc, MICROVM_PROP_ISA_SERIAL,
                                   microvm_get_isa_serial,
                                   microvm_set_isa_serial);
    object_class_property_set_description(oc, MICROVM_PROP_ISA_SERIAL,
        "16550 UART at I/O port 0x3f8, IRQ 4, backed by the first -serial");

    object_class_property_add_bool(oc, MICROVM_PROP_AUTO_KERNEL_CMDLINE,
                                   microvm_get_auto_kernel_cmdline,
                                   microvm_set_auto_kernel_cmdline);
    object_class_property_set_description(oc,
        MICROVM_PROP_AUTO_KERNEL_CMDLINE,
        "Append virtio_mmio.device= entries for the used transports "
        "to the kernel command line");

    object_class_property_add_bool(oc, MICROVM_PROP_BOOT_TIMER,
                                   microvm_get_boot_timer,
                                   microvm_set_boot_timer);
    object_class_property_set_description(oc, MICROVM_PROP_BOOT_TIMER,
        "Time the boot phases: firmware markers on I/O port 0x80, guest "
        "writes 123 to 0xfe800000 when userspace is up (default off)");

    object_class_property_add(oc, MICROVM_PROP_BOOT_TIMER_PHASES,
                              "list", microvm_boot_timer_get_phases,
                              NULL, NULL, NULL);
    object_class_property_set_description(oc,
        MICROVM_PROP_BOOT_TIMER_PHASES,
        "Boot phases of the latest boot (boot-timer=on), read-only: "
        "phase, host-ns (QEMU_CLOCK_HOST), since-start-ns");

    object_class_property_add_bool(oc, MICROVM_PROP_DIRECT_BOOT,
                                   microvm_get_direct_boot,
                                   microvm_set_direct_boot);
    object_class_property_set_description(oc, MICROVM_PROP_DIRECT_BOOT,
        "Start the vCPU at the entry of the -kernel (PVH vmlinux or "
        "64-bit bzImage) with the boot structures in place; no firmware "
        "runs (default off)");
}

static const TypeInfo microvm_types[] = {
    {
        .name = TYPE_MICROVM_MACHINE,
        .parent = TYPE_X86_MACHINE,
        .instance_size = sizeof(MicrovmMachineState),
        .instance_init = microvm_instance_init,
        .class_size = sizeof(MicrovmMachineClass),
        .class_init = microvm_class_init,
        .interfaces = (InterfaceInfo[]) {
            { TYPE_HOTPLUG_HANDLER },
            { },
        },
    },
};

DEFINE_TYPES(microvm_types)
