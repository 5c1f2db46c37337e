/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The boot sequence, one call a step.  cstart.S gets here in 32-bit flat
 * protected mode with a stack; each step either succeeds or prints one
 * line on COM1 and halts.
 */
#include "acpi.h"
#include "boot_phase.h"
#include "e820.h"
#include "fw_cfg.h"
#include "ivt.h"
#include "kernel.h"
#include "linuxboot.h"
#include "mptable.h"
#include "multiboot.h"
#include "print.h"
#include "pvh.h"
#include "smbios.h"

void main(void) __attribute__((noreturn));

void main(void)
{
    struct microvm_kernel_info kernel;
    struct boot_module initrd;
    uint32_t cmdline, rsdp = 0;
    uint64_t initrd_limit;

    boot_phase(BOOT_PHASE_FIRMWARE_START);
    ivt_setup();
    fw_cfg_init();
    e820_load();
    if (!acpi_tables_load(&rsdp)) {
        mptable_setup();
    }
    smbios_setup();
    kernel_info_load(&kernel);
    cmdline = cmdline_load();

    switch (kernel.protocol) {
    case MICROVM_KERNEL_PVH:
        initrd_load(&kernel, PVH_ADDR_LIMIT, &initrd);
        pvh_boot(&kernel, cmdline, &initrd, rsdp);
    case MICROVM_KERNEL_BZIMAGE:
        initrd_limit = linux_load(&kernel, cmdline);
        initrd_load(&kernel, initrd_limit, &initrd);
        linux_boot(&kernel, cmdline, &initrd, rsdp);
    case MICROVM_KERNEL_MBOOT1:
        multiboot_load(&kernel, &initrd);
        multiboot_boot(&kernel, cmdline, &initrd);
    default:
        /* kernel_info_load() accepts only the protocols handled here */
        fatal("kernel boot protocol %u not handled", kernel.protocol);
    }
}
