/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The boot sequence, one call a step.  cstart.S gets here in 32-bit flat
 * protected mode with a stack; each step either succeeds or prints one
 * line on COM1 and halts.
 */
#include "boot_phase.h"
#include "e820.h"
#include "fw_cfg.h"
#include "kernel.h"
#include "print.h"
#include "pvh.h"

void main(void) __attribute__((noreturn));

void main(void)
{
    struct microvm_kernel_info kernel;
    struct boot_module initrd;
    uint32_t cmdline;

    boot_phase(BOOT_PHASE_FIRMWARE_START);
    fw_cfg_init();
    e820_load();
    kernel_info_load(&kernel);
    cmdline = cmdline_load();

    switch (kernel.protocol) {
    case MICROVM_KERNEL_PVH:
        initrd_load(&kernel, PVH_ADDR_LIMIT, &initrd);
        boot_phase(BOOT_PHASE_KERNEL_HANDOFF);
        pvh_boot(&kernel, cmdline, &initrd);
    default:
        /* kernel_info_load() accepts only the protocols handled here */
        fatal("kernel boot protocol %u not handled", kernel.protocol);
    }
}
