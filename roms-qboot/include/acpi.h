/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ACPI tables from QEMU's table-loader (etc/table-loader; the command
 * format is described in QEMU's hw/acpi/bios-linker-loader.c).
 */
#ifndef QBOOT_ACPI_H
#define QBOOT_ACPI_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Run etc/table-loader when the machine publishes it: tables are placed
 * in [FW_TABLES_ADDR, FW_TABLES_END), which is then e820-reserved.
 * Returns false when there is no table-loader (ACPI off); otherwise
 * true, with the RSDP's address in @rsdp (0 if no table is an RSDP).
 */
bool acpi_tables_load(uint32_t *rsdp);

#endif
