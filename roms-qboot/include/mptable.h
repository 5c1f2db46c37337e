/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Intel MultiProcessor Specification 1.4 table, for SMP without ACPI. */
#ifndef QBOOT_MPTABLE_H
#define QBOOT_MPTABLE_H

/*
 * With more than one boot CPU (FW_CFG_NB_CPUS), write the MP floating
 * pointer at MPTABLE_FLOAT_ADDR and the configuration table in the
 * firmware table window, both e820-reserved; with one CPU, nothing.
 */
void mptable_setup(void);

#endif
