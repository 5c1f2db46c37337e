/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * microvm ACPI tables (hardware-reduced ACPI), handed to the firmware
 * through the bios-linker-loader fw_cfg files.
 */

#ifndef HW_I386_MICROVM_ACPI_H
#define HW_I386_MICROVM_ACPI_H

#include "hw/i386/microvm.h"

/*
 * Build RSDP, XSDT, FADT, DSDT, MADT (MCFG with pcie=on, ERST with an
 * acpi-erst device) and publish them as "etc/acpi/rsdp",
 * "etc/acpi/tables" and "etc/table-loader".  Called once, when the
 * machine is complete.
 */
void microvm_acpi_setup(MicrovmMachineState *mms);

/*
 * Machine reset: tables that depend on firmware-assigned PCI BARs (ERST)
 * are built again when the firmware next reads them.
 */
void microvm_acpi_reset(MicrovmMachineState *mms);

/*
 * Direct boot: place the tables microvm_acpi_setup() published in @buf,
 * which the caller writes at guest-physical @buf_addr, doing what the
 * firmware's table-loader does with "etc/table-loader" (allocate each
 * file, patch pointers, fix checksums).  The published blobs stay as they
 * are.  Sets *@rsdp to the RSDP's address.  Call after microvm_acpi_setup().
 */
bool microvm_acpi_place(MicrovmMachineState *mms, uint8_t *buf,
                        uint64_t buf_size, uint64_t buf_addr,
                        uint64_t *rsdp, Error **errp);

#endif
