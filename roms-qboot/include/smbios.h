/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SMBIOS (DMTF DSP0134) from fw_cfg etc/smbios/smbios-{anchor,tables}. */
#ifndef QBOOT_SMBIOS_H
#define QBOOT_SMBIOS_H

/*
 * Install the machine's SMBIOS tables: the structure table at
 * SMBIOS_TABLES_ADDR, the entry point (2.1 "_SM_" or 3.0 "_SM3_") at
 * SMBIOS_ANCHOR_ADDR with its table address and checksums set.  Nothing
 * when the machine publishes neither file; halts on anything malformed.
 */
void smbios_setup(void);

#endif
