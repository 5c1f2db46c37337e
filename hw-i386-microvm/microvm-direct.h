/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * microvm firmware-less direct boot (direct-boot=on).
 */

#ifndef HW_I386_MICROVM_DIRECT_H
#define HW_I386_MICROVM_DIRECT_H

#include "hw/i386/microvm.h"

/* Refuse option combinations direct boot cannot serve (error + exit) */
void microvm_direct_check(MicrovmMachineState *mms);

/*
 * Once the machine is complete: write the boot structures into
 * microvm_memmap[MICROVM_MEM_DIRECT_BOOT] and the initrd below 4 GiB,
 * as ROM blobs so that every reset writes them again.  @cmdline is the
 * complete kernel command line.
 */
void microvm_direct_setup(MicrovmMachineState *mms, const char *cmdline);

/*
 * Check the rest of a bzImage's setup header (bzimage_check() in
 * microvm-boot.c did the basics) and place its protected-mode code at
 * its load address for the 64-bit boot protocol.
 */
bool microvm_direct_load_bzimage(MicrovmMachineState *mms,
                                 const uint8_t *data, uint64_t size,
                                 Error **errp);

/*
 * Place a checked multiboot v1 a.out-kludge image: @len bytes of @image
 * at @load_addr, zeroes up to @bss_end, entry at @entry.  The modules
 * (-initrd) and multiboot_info come with microvm_direct_setup().
 */
bool microvm_direct_load_multiboot(MicrovmMachineState *mms,
                                   const uint8_t *image, uint64_t len,
                                   uint64_t load_addr, uint64_t bss_end,
                                   uint64_t entry);

/* After a machine reset: put the boot vCPU at the kernel entry */
void microvm_direct_reset(MicrovmMachineState *mms);

#endif
