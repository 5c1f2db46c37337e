/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * microvm boot timer (boot-timer=on): host timestamps of boot phases.
 */

#ifndef HW_I386_MICROVM_TIMER_H
#define HW_I386_MICROVM_TIMER_H

#include "hw/i386/microvm.h"

/* Value a guest writes to the marker (Firecracker's convention) */
#define MICROVM_BOOT_TIMER_USERSPACE    123
/* Firmware boot-phase markers on I/O port 0x80 (roms/qboot/README.md) */
#define MICROVM_BOOT_TIMER_FW_ENTRY     0x01
#define MICROVM_BOOT_TIMER_FW_HANDOFF   0x02

/* Note when QEMU started (instance init of the machine) */
void microvm_boot_timer_start(MicrovmMachineState *mms);

/* Map the I/O port 0x80 listener and the MMIO marker (boot-timer=on) */
void microvm_boot_timer_init(MicrovmMachineState *mms);

/* Phase "machine-ready": the machine is complete */
void microvm_boot_timer_machine_ready(MicrovmMachineState *mms);

/* Machine reset: start a new record */
void microvm_boot_timer_reset(MicrovmMachineState *mms);

/* Getter of the read-only QOM property MICROVM_PROP_BOOT_TIMER_PHASES */
void microvm_boot_timer_get_phases(Object *obj, Visitor *v, const char *name,
                                   void *opaque, Error **errp);

#endif
