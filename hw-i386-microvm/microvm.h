/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * microvm: a minimal x86 machine for direct-boot virtual machines.
 *
 * The guest-physical layout lives in two tables defined in microvm.c and
 * indexed by the enums below: microvm_memmap[] (MMIO and RAM ranges) and
 * microvm_irqmap[] (IOAPIC pins).  Every address the machine, its ACPI
 * tables or its device tree use comes from these tables.
 */

#ifndef HW_I386_MICROVM_H
#define HW_I386_MICROVM_H

#include "exec/hwaddr.h"
#include "qemu/notify.h"
#include "hw/boards.h"
#include "hw/i386/x86.h"
#include "qom/object.h"

/* Indexes into microvm_memmap[], in ascending address order. */
enum {
    /* Low memory: below 1 MiB */
    MICROVM_MEM_LOW_RAM,
    MICROVM_MEM_EBDA,
    MICROVM_MEM_BIOS_ALIAS,
    /* Main memory: 1 MiB up to the 32-bit MMIO hole */
    MICROVM_MEM_RAM_BELOW_4G,
    /* 32-bit MMIO hole: 3 GiB up to 4 GiB */
    MICROVM_MEM_PCIE_MMIO,
    MICROVM_MEM_PCIE_ECAM,
    MICROVM_MEM_XHCI,
    MICROVM_MEM_GED,
    MICROVM_MEM_VIRTIO_MMIO,
    MICROVM_MEM_IOAPIC,
    MICROVM_MEM_LAPIC,
    MICROVM_MEM_FIRMWARE,
    /* Above 4 GiB */
    MICROVM_MEM_RAM_ABOVE_4G,
    MICROVM_MEM__COUNT
};

/* Indexes into microvm_irqmap[]: GSIs (IOAPIC input pins). */
enum {
    MICROVM_IRQ_PIT,
    MICROVM_IRQ_SERIAL,
    MICROVM_IRQ_VIRTIO_MMIO,
    MICROVM_IRQ_RTC,
    MICROVM_IRQ_GED,
    MICROVM_IRQ_XHCI,
    MICROVM_IRQ__COUNT
};

/* Indexes into microvm_ioports[]: the ISA I/O ports the machine decodes. */
enum {
    MICROVM_IO_PIC_MASTER,
    MICROVM_IO_PIT,
    MICROVM_IO_RTC,
    MICROVM_IO_PIC_SLAVE,
    MICROVM_IO_SERIAL,
    MICROVM_IO_FW_CFG,
    MICROVM_IO__COUNT
};

extern const MemMapEntry microvm_memmap[MICROVM_MEM__COUNT];
extern const int microvm_irqmap[MICROVM_IRQ__COUNT];
extern const MemMapEntry microvm_ioports[MICROVM_IO__COUNT];

/* virtio-mmio transports: a window of this size per transport */
#define MICROVM_VIRTIO_MMIO_STRIDE      512
#define MICROVM_VIRTIO_MMIO_TRANSPORTS  8

/* Default firmware, looked up in QEMU's data directories */
#define MICROVM_FIRMWARE_NAME           "qboot-microvm.rom"

/* Machine properties */
#define MICROVM_MACHINE_RTC                 "rtc"
#define MICROVM_MACHINE_ISA_SERIAL          "isa-serial"
#define MICROVM_MACHINE_AUTO_KERNEL_CMDLINE "auto-kernel-cmdline"

struct MicrovmMachineClass {
    X86MachineClass parent_class;
};

struct MicrovmMachineState {
    X86MachineState parent_obj;

    /* Properties */
    OnOffAuto rtc;
    bool isa_serial;
    bool auto_kernel_cmdline;

    /* State */
    DeviceState *virtio_mmio[MICROVM_VIRTIO_MMIO_TRANSPORTS];
    Notifier machine_done;
};

#define TYPE_MICROVM_MACHINE   MACHINE_TYPE_NAME("microvm")
OBJECT_DECLARE_TYPE(MicrovmMachineState, MicrovmMachineClass, MICROVM_MACHINE)

#endif
