/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * microvm ACPI tables (hardware-reduced ACPI), handed to the firmware
 * through the bios-linker-loader fw_cfg files.
 */

#ifndef HW_I386_MICROVM_ACPI_H
#define HW_I386_MICROVM_ACPI_H

#include "hw/i386/microvm.h"

/*
 * Build RSDP, XSDT, FADT, DSDT, MADT (and MCFG with pcie=on) and publish
 * them as "etc/acpi/rsdp", "etc/acpi/tables" and "etc/table-loader".
 * Called once, when the machine is complete.
 */
void microvm_acpi_setup(MicrovmMachineState *mms);

#endif
