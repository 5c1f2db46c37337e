/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * microvm: a minimal x86 machine for direct-boot virtual machines.
 *
 * What the guest sees: CPUs with local APICs, one IOAPIC, RAM (below
 * 3 GiB, the rest above 4 GiB), fw_cfg with DMA, eight virtio-mmio
 * transports and a small firmware ROM at the top of the 32-bit space.
 * Legacy ISA devices (i8259 PIC, i8254 PIT, MC146818 RTC, 16550 UART)
 * are each optional, because a modern Linux guest needs none of them
 * but older guests and early boot code still probe them.  An ISA bus is
 * always present so that -device isa-debug-exit and friends work.
 *
 * Why: start a Linux kernel as fast as possible, with as little emulated
 * hardware as possible for a guest to probe or attack.  There is no PCI,
 * no VGA, no option ROM scan and no SMM.  Devices are virtio-mmio only;
 * with ACPI off the machine tells Linux where they are by appending
 * "virtio_mmio.device=" entries to the kernel command line.
 *
 * Not yet: ACPI tables, the device tree, PCIe, xHCI and a second IOAPIC
 * have addresses reserved in microvm_memmap[] but are not built.
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
#include "hw/loader.h"
#include "hw/irq.h"
#include "hw/qdev-properties.h"
#include "hw/qdev-properties-system.h"
#include "hw/sysbus.h"
#include "hw/isa/isa.h"
#include "hw/intc/i8259.h"
#include "hw/intc/ioapic.h"
#include "hw/timer/i8254.h"
#include "hw/rtc/mc146818rtc.h"
#include "hw/virtio/virtio-mmio.h"
#include "hw/i386/fw_cfg.h"
#include "hw/i386/kvm/clock.h"
#include "hw/i386/microvm.h"
#include "hw/i386/x86.h"
#include "e820_memory_layout.h"
#include "kvm/kvm_i386.h"
#include "target/i386/cpu.h"
#include "microvm-boot.h"

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
    /* Read-only alias of the 64 KiB firmware ROM, reserved in e820 */
    [MICROVM_MEM_BIOS_ALIAS] =      { 0x000f0000, 64 * KiB },

    /* ---- Main memory: from 1 MiB, at most 3 GiB in all below 4 GiB ---- */
    /* RAM; its end is MIN(ram_size, 3 GiB) */
    [MICROVM_MEM_RAM_BELOW_4G] =    { 0x00100000, 3 * GiB - 1 * MiB },

    /* ---- 32-bit MMIO hole: 3 GiB to 4 GiB ---- */
    /* PCIe 32-bit BAR window (reserved, not built yet) */
    [MICROVM_MEM_PCIE_MMIO] =       { 0xc0000000, 512 * MiB },
    /* PCIe ECAM, 256 buses (reserved, not built yet) */
    [MICROVM_MEM_PCIE_ECAM] =       { 0xe0000000, 256 * MiB },
    /* xHCI USB controller registers (reserved, not built yet) */
    [MICROVM_MEM_XHCI] =            { 0xfe900000, 64 * KiB },
    /* ACPI generic event device (reserved, not built yet) */
    [MICROVM_MEM_GED] =             { 0xfea00000, 4 * KiB },
    /* virtio-mmio transports, MICROVM_VIRTIO_MMIO_STRIDE bytes each */
    [MICROVM_MEM_VIRTIO_MMIO] =     { 0xfeb00000, 4 * KiB },
    /* IOAPIC (ioapic_init_gsi maps it at IO_APIC_DEFAULT_ADDRESS) */
    [MICROVM_MEM_IOAPIC] =          { 0xfec00000, 4 * KiB },
    /* Local APICs and the MSI window */
    [MICROVM_MEM_LAPIC] =           { 0xfee00000, 1 * MiB },
    /* Firmware ROM (a -bios image is mapped to end at 4 GiB instead) */
    [MICROVM_MEM_FIRMWARE] =        { 0xffff0000, 64 * KiB },

    /* ---- Above 4 GiB ---- */
    /* RAM beyond the first 3 GiB; sized at run time */
    [MICROVM_MEM_RAM_ABOVE_4G] =    { 0x100000000ULL, 0 },
};

/* GSIs, i.e. input pins of the IOAPIC (and i8259 lines below 16) */
const int microvm_irqmap[MICROVM_IRQ__COUNT] = {
    /* i8254 PIT channel 0 */
    [MICROVM_IRQ_PIT] = 0,
    /* 16550 UART (ttyS0) */
    [MICROVM_IRQ_SERIAL] = 4,
    /* virtio-mmio transport n uses GSI 5 + n (8 transports: 5..12) */
    [MICROVM_IRQ_VIRTIO_MMIO] = 5,
    /* MC146818 RTC */
    [MICROVM_IRQ_RTC] = 8,
    /* ACPI GED (not built yet) */
    [MICROVM_IRQ_GED] = 9,
    /* xHCI (not built yet) */
    [MICROVM_IRQ_XHCI] = 10,
};

/* ISA I/O ports: base and length */
const MemMapEntry microvm_ioports[MICROVM_IO__COUNT] = {
    /* i8259 master (i8259_init places both chips itself) */
    [MICROVM_IO_PIC_MASTER] =   { 0x020, 2 },
    /* i8254 PIT */
    [MICROVM_IO_PIT] =          { 0x040, 4 },
    /* MC146818 RTC / CMOS */
    [MICROVM_IO_RTC] =          { 0x070, 2 },
    /* i8259 slave */
    [MICROVM_IO_PIC_SLAVE] =    { 0x0a0, 2 },
    /* 16550 UART (ttyS0) */
    [MICROVM_IO_SERIAL] =       { 0x3f8, 8 },
    /* fw_cfg: selector, data, and the DMA address at base + 4 */
    [MICROVM_IO_FW_CFG] =       { 0x510, 12 },
};

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
}

/*
 * With ACPI off Linux learns about virtio-mmio devices from the command
 * line.  The entries follow the order of the default system bus, i.e.
 * the last transport first, as upstream's microvm does, so that the
 * guest enumerates devices (vda, vdb, ...) the same way.
 */
static char *microvm_kernel_cmdline(MicrovmMachineState *mms)
{
    MachineState *machine = MACHINE(mms);
    const MemMapEntry *mmio = &microvm_memmap[MICROVM_MEM_VIRTIO_MMIO];
    GString *cmdline = g_string_new(machine->kernel_cmdline);
    int i;

    if (!mms->auto_kernel_cmdline) {
        return g_string_free(cmdline, false);
    }
    for (i = MICROVM_VIRTIO_MMIO_TRANSPORTS - 1; i >= 0; i--) {
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
                               microvm_irqmap[MICROVM_IRQ_VIRTIO_MMIO] + i);
    }
    return g_string_free(cmdline, false);
}

/* ---- Devices ---- */

static void microvm_interrupts_init(MicrovmMachineState *mms,
                                    ISABus *isa_bus)
{
    X86MachineState *x86ms = X86_MACHINE(mms);
    GSIState *gsi_state = g_new0(GSIState, 1);
    qemu_irq *i8259;
    int i;

    x86ms->gsi = qemu_allocate_irqs(gsi_handler, gsi_state,
                                    IOAPIC_NUM_PINS);
    isa_bus_register_input_irqs(isa_bus, x86ms->gsi);
    ioapic_init_gsi(gsi_state, OBJECT(mms));
    x86ms->ioapic_as = &address_space_memory;

    if (x86ms->pic == ON_OFF_AUTO_OFF) {
        return;
    }
    if (kvm_pic_in_kernel()) {
        i8259 = kvm_i8259_init(isa_bus);
    } else {
        i8259 = i8259_init(isa_bus, x86_allocate_cpu_irq());
    }
    for (i = 0; i < ISA_NUM_IRQS; i++) {
        gsi_state->i8259_irq[i] = i8259[i];
    }
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
        if (kvm_pit_in_kernel()) {
            kvm_pit_init(isa_bus, pit->base);
        } else {
            i8254_pit_init(isa_bus, pit->base,
                           microvm_irqmap[MICROVM_IRQ_PIT], NULL);
        }
    }

    /* KVM guests have kvmclock; the RTC is then opt-in */
    if (mms->rtc == ON_OFF_AUTO_ON ||
        (mms->rtc == ON_OFF_AUTO_AUTO && !kvm_enabled())) {
        isadev = isa_new(TYPE_MC146818_RTC);
        qdev_prop_set_int32(DEVICE(isadev), "base_year", 2000);
        qdev_prop_set_uint16(DEVICE(isadev), "iobase", rtc->base);
        qdev_prop_set_uint8(DEVICE(isadev), "irq",
                            microvm_irqmap[MICROVM_IRQ_RTC]);
        isa_realize_and_unref(isadev, isa_bus, &error_fatal);
        isa_connect_gpio_out(isadev, 0, microvm_irqmap[MICROVM_IRQ_RTC]);
        x86ms->rtc = isadev;
    }

    /* Like other machines, a UART exists only when a backend is given */
    if (mms->isa_serial && serial_hd(0)) {
        isadev = isa_new("isa-serial");
        qdev_prop_set_uint32(DEVICE(isadev), "index", 0);
        qdev_prop_set_uint32(DEVICE(isadev), "iobase", uart->base);
        qdev_prop_set_uint32(DEVICE(isadev), "irq",
                             microvm_irqmap[MICROVM_IRQ_SERIAL]);
        qdev_prop_set_chr(DEVICE(isadev), "chardev", serial_hd(0));
        isa_realize_and_unref(isadev, isa_bus, &error_fatal);
    }
}

static void microvm_virtio_mmio_init(MicrovmMachineState *mms)
{
    X86MachineState *x86ms = X86_MACHINE(mms);
    const MemMapEntry *mmio = &microvm_memmap[MICROVM_MEM_VIRTIO_MMIO];
    int i;

    QEMU_BUILD_BUG_ON(MICROVM_VIRTIO_MMIO_TRANSPORTS *
                      MICROVM_VIRTIO_MMIO_STRIDE > 4 * KiB);
    for (i = 0; i < MICROVM_VIRTIO_MMIO_TRANSPORTS; i++) {
        mms->virtio_mmio[i] = sysbus_create_simple(TYPE_VIRTIO_MMIO,
            mmio->base + i * MICROVM_VIRTIO_MMIO_STRIDE,
            x86ms->gsi[microvm_irqmap[MICROVM_IRQ_VIRTIO_MMIO] + i]);
    }
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
    microvm_isa_devices_init(mms, isa_bus);

    /* Read-only: the ROM runs in place and copies nothing to RAM */
    x86_bios_rom_init(x86ms, MICROVM_FIRMWARE_NAME, get_system_memory(),
                      false);
}

/* ---- Machine ---- */

/* Options this build cannot honour yet: refuse them, do not ignore them */
static void microvm_check_options(MicrovmMachineState *mms)
{
    X86MachineState *x86ms = X86_MACHINE(mms);

    if (x86ms->acpi == ON_OFF_AUTO_ON) {
        error_report("ACPI is not supported by this microvm build yet; "
                     "use acpi=off");
        exit(1);
    }
    x86ms->acpi = ON_OFF_AUTO_OFF;

    if (x86ms->smm == ON_OFF_AUTO_ON) {
        error_report("microvm does not support SMM; use smm=off");
        exit(1);
    }
    x86ms->smm = ON_OFF_AUTO_OFF;

    if (machine_usb(MACHINE(mms))) {
        error_report("USB (xHCI) is not supported by this microvm build yet");
        exit(1);
    }
}

static void microvm_machine_done(Notifier *notifier, void *data)
{
    MicrovmMachineState *mms = container_of(notifier, MicrovmMachineState,
                                            machine_done);
    X86MachineState *x86ms = X86_MACHINE(mms);

    if (MACHINE(mms)->kernel_filename) {
        g_autofree char *cmdline = microvm_kernel_cmdline(mms);

        microvm_boot_set_cmdline(x86ms->fw_cfg, cmdline);
    }
    fw_cfg_add_e820(x86ms->fw_cfg);
}

static void microvm_machine_init(MachineState *machine)
{
    MicrovmMachineState *mms = MICROVM_MACHINE(machine);
    X86MachineState *x86ms = X86_MACHINE(machine);

    microvm_check_options(mms);
    microvm_memory_init(mms);
    x86_cpus_init(x86ms, CPU_VERSION_LATEST);
    microvm_devices_init(mms);
    microvm_fw_cfg_init(mms);

    mms->machine_done.notify = microvm_machine_done;
    qemu_add_machine_init_done_notifier(&mms->machine_done);
}

static void microvm_machine_reset(MachineState *machine, ResetType type)
{
    CPUState *cs;

    qemu_devices_reset(type);
    CPU_FOREACH(cs) {
        x86_cpu_after_reset(X86_CPU(cs));
    }
}

/* CPUs are the only devices wired through the machine's hotplug handler */
static HotplugHandler *microvm_get_hotplug_handler(MachineState *machine,
                                                   DeviceState *dev)
{
    if (object_dynamic_cast(OBJECT(dev), TYPE_CPU)) {
        return HOTPLUG_HANDLER(machine);
    }
    return NULL;
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

static void microvm_instance_init(Object *obj)
{
    MicrovmMachineState *mms = MICROVM_MACHINE(obj);

    mms->rtc = ON_OFF_AUTO_AUTO;
    mms->isa_serial = true;
    mms->auto_kernel_cmdline = true;
}

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

    mc->get_hotplug_handler = microvm_get_hotplug_handler;
    hc->pre_plug = x86_cpu_pre_plug;
    hc->plug = x86_cpu_plug;
    hc->unplug_request = microvm_unplug_refused;
    hc->unplug = microvm_unplug_refused;

    /* Properties */
    object_class_property_add(oc, MICROVM_MACHINE_RTC, "OnOffAuto",
                              microvm_get_rtc, microvm_set_rtc, NULL, NULL);
    object_class_property_set_description(oc, MICROVM_MACHINE_RTC,
        "MC146818 RTC at I/O port 0x70 (auto: on unless KVM)");

    object_class_property_add_bool(oc, MICROVM_MACHINE_ISA_SERIAL,
                                   microvm_get_isa_serial,
                                   microvm_set_isa_serial);
    object_class_property_set_description(oc, MICROVM_MACHINE_ISA_SERIAL,
        "16550 UART at I/O port 0x3f8, IRQ 4, backed by the first -serial");

    object_class_property_add_bool(oc, MICROVM_MACHINE_AUTO_KERNEL_CMDLINE,
                                   microvm_get_auto_kernel_cmdline,
                                   microvm_set_auto_kernel_cmdline);
    object_class_property_set_description(oc,
        MICROVM_MACHINE_AUTO_KERNEL_CMDLINE,
        "Append virtio_mmio.device= entries for the used transports "
        "to the kernel command line");
}

static const TypeInfo microvm_machine_type = {
    .name = TYPE_MICROVM_MACHINE,
    .parent = TYPE_X86_MACHINE,
    .instance_size = sizeof(MicrovmMachineState),
    .instance_init = microvm_instance_init,
    .class_size = sizeof(MicrovmMachineClass),
    .class_init = microvm_class_init,
    .interfaces = (InterfaceInfo[]) {
        { TYPE_HOTPLUG_HANDLER },
        { }
    },
};

static void microvm_register_types(void)
{
    type_register_static(&microvm_machine_type);
}

type_init(microvm_register_types)
