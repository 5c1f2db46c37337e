/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * microvm device tree: a description of the platform for firmware that
 * wants one (fw_cfg "etc/fdt"); -M microvm,dumpdtb=FILE writes it out.
 */

#ifndef HW_I386_MICROVM_FDT_H
#define HW_I386_MICROVM_FDT_H

#include "hw/i386/microvm.h"

/*
 * Build the device tree of the complete machine, keep it as the
 * machine's fdt (for dumpdtb) and publish it as "etc/fdt".
 */
void microvm_fdt_setup(MicrovmMachineState *mms);

#endif
