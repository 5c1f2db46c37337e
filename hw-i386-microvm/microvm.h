/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * microvm: a minimal x86 machine for direct-boot virtual machines.
 *
 * The guest-physical layout lives in two tables defined in microvm.c and
 * indexed by the enums below: microvm_memmap[] (MMIO and RAM ranges) and
 * microvm_irqmap[][] (IOAPIC pins, one row per interrupt layout).
 * Every address the machine, its ACPI tables or its device tree use
 * comes from these tables.
 */

#ifndef HW_I386_MICROVM_H
#define HW_I386_MICROVM_H

#include "exec/hwaddr.h"
#include "qemu/notify.h"
#include "hw/boards.h"
#include "hw/i386/x86.h"
#include "hw/isa/isa.h"
#include "hw/pci-host/gpex.h"
#include "qom/object.h"

/* Indexes into microvm_memmap[], in ascending address order. */
enum {
    /* Low memory: below 1 MiB */
    MICROVM_MEM_LOW_RAM,
    MICROVM_MEM_EBDA,
    MICROVM_MEM_DIRECT_BOOT,
    MICROVM_MEM_BIOS_ALIAS,
    MICROVM_MEM_FSEG_RAM,
    /* Main memory: 1 MiB up to the 32-bit MMIO hole */
    MICROVM_MEM_RAM_BELOW_4G,
    /* 32-bit MMIO hole: 3 GiB up to 4 GiB */
    MICROVM_MEM_PCIE_MMIO,
    MICROVM_MEM_PCIE_ECAM,
    MICROVM_MEM_BOOT_TIMER,
    MICROVM_MEM_XHCI,
    MICROVM_MEM_GED,
    MICROVM_MEM_GED_REGS,
    MICROVM_MEM_VIRTIO_MMIO,
    MICROVM_MEM_IOAPIC,
    MICROVM_MEM_IOAPIC2,
    MICROVM_MEM_LAPIC,
    MICROVM_MEM_FIRMWARE,
    /* Above 4 GiB */
    MICROVM_MEM_RAM_ABOVE_4G,
    MICROVM_MEM_PCIE_MMIO64,
    MICROVM_MEM__COUNT
};

/*
 * Interrupt layouts: which GSIs the devices use depends on whether the
 * guest learns about them from ACPI and on the number of IOAPICs.
 */
typedef enum MicrovmIrqLayout {
    /* acpi=off: one IOAPIC, devices announced on the kernel command line */
    MICROVM_IRQS_LEGACY,
    /* acpi=on, ioapic2=off: one IOAPIC, 24 GSIs */
    MICROVM_IRQS_ACPI,
    /* acpi=on, ioapic2=on: a second IOAPIC adds GSIs 24..47 */
    MICROVM_IRQS_ACPI_IOAPIC2,
    MICROVM_IRQS__COUNT
} MicrovmIrqLayout;

/* Indexes into a row of microvm_irqmap[][]: GSIs (IOAPIC input pins). */
enum {
    MICROVM_IRQ_PIT,
    MICROVM_IRQ_SERIAL,
    MICROVM_IRQ_VIRTIO_MMIO,
    MICROVM_IRQ_RTC,
    MICROVM_IRQ_GED,
    MICROVM_IRQ_XHCI,
    MICROVM_IRQ_PCIE,
    MICROVM_IRQ__COUNT
};

/* Indexes into microvm_ioports[]: the ISA I/O ports the machine decodes. */
enum {
    MICROVM_IO_PIC_MASTER,
    MICROVM_IO_PIT,
    MICROVM_IO_PORT61,
    MICROVM_IO_RTC,
    MICROVM_IO_POST,
    MICROVM_IO_PIC_SLAVE,
    MICROVM_IO_SERIAL,
    MICROVM_IO_FW_CFG,
    MICROVM_IO__COUNT
};

extern const MemMapEntry microvm_memmap[MICROVM_MEM__COUNT];
extern const int microvm_irqmap[MICROVM_IRQS__COUNT][MICROVM_IRQ__COUNT];
extern const unsigned microvm_virtio_transports[MICROVM_IRQS__COUNT];
extern const MemMapEntry microvm_ioports[MICROVM_IO__COUNT];

/* virtio-mmio transports: a window of this size per transport */
#define MICROVM_VIRTIO_MMIO_STRIDE      512
/* The most transports any interrupt layout has (one per IOAPIC2 pin) */
#define MICROVM_VIRTIO_MMIO_TRANSPORTS  24

/* The PCIe host's INTA..INTD use four consecutive GSIs */
#define MICROVM_PCIE_IRQS               4

/* Default firmware, looked up in QEMU's data directories */
#define MICROVM_FIRMWARE_NAME           "qboot-microvm.rom"

/* Machine properties, as -M microvm,help lists them */
#define MICROVM_PROP_AUTO_KERNEL_CMDLINE    "auto-kernel-cmdline"
#define MICROVM_PROP_BOOT_TIMER             "boot-timer"
#define MICROVM_PROP_BOOT_TIMER_PHASES      "boot-timer-phases"
#define MICROVM_PROP_DIRECT_BOOT            "direct-boot"
#define MICROVM_PROP_IOAPIC2                "ioapic2"
#define MICROVM_PROP_ISA_SERIAL             "isa-serial"
#define MICROVM_PROP_PCIE                   "pcie"
#define MICROVM_PROP_RTC                    "rtc"
#define MICROVM_PROP_OPTION_ROMS            "x-option-roms"
/* Test hook, undocumented: see microvm-firmware.c */
#define MICROVM_PROP_FW_CFG_OVERRIDE        "x-fw-cfg-override"

typedef struct MicrovmBootTimer MicrovmBootTimer;
typedef struct MicrovmAcpi MicrovmAcpi;

struct MicrovmMachineClass {
    X86MachineClass parent_class;
};

struct MicrovmMachineState {
    X86MachineState parent_obj;

    /* Properties: devices (auto: decided at machine init) */
    OnOffAuto ioapic2, pcie, rtc;
    /* Properties: switches */
    bool auto_kernel_cmdline, boot_timer_on, direct_boot, isa_serial;
    bool option_roms;
    char *fw_cfg_override;      /* test hook: ITEM=FILE;... */

    /* State */
    MicrovmIrqLayout irq_layout;
    const int *irqs;            /* microvm_irqmap[irq_layout] */
    unsigned virtio_transports; /* microvm_virtio_transports[irq_layout] */
    DeviceState *virtio_mmio[MICROVM_VIRTIO_MMIO_TRANSPORTS];
    ISADevice *uart;            /* the 16550, when created */
    DeviceState *ged;           /* ACPI GED, with acpi=on */
    DeviceState *xhci;          /* with usb=on */
    struct GPEXConfig gpex;     /* PCIe host (pcie=on: bus != NULL) */
    MicrovmAcpi *acpi;          /* published ACPI tables (acpi=on) */
    Notifier init_done;
    Notifier powerdown;
    int64_t boot_timer_start_ns;    /* QEMU_CLOCK_REALTIME at creation */
    MicrovmBootTimer *boot_timer;   /* boot-timer=on */
    /* The PVH kernel microvm_boot_load() placed (entry 0: none) */
    uint64_t kernel_entry;
    uint64_t kernel_load_start;
    uint64_t kernel_load_end;
    /* direct-boot=on */
    uint64_t direct_start_info;     /* hvm_start_info or boot_params */
    uint8_t *bzimage_setup;         /* bzImage: a copy of its setup code */
    uint64_t bzimage_setup_len;
    bool direct_multiboot;          /* a multiboot kernel is placed */
};

#define TYPE_MICROVM_MACHINE   MACHINE_TYPE_NAME("microvm")
OBJECT_DECLARE_TYPE(MicrovmMachineState, MicrovmMachineClass, MICROVM_MACHINE)

#endif
