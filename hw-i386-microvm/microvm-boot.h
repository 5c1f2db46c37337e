/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * microvm direct kernel boot: the QEMU side of the contract with the
 * firmware (roms/qboot/README.md).
 */

#ifndef HW_I386_MICROVM_BOOT_H
#define HW_I386_MICROVM_BOOT_H

#include "hw/i386/microvm.h"
#include "hw/nvram/fw_cfg.h"

/* fw_cfg file describing the kernel the machine has placed in RAM */
#define MICROVM_KERNEL_INFO_FILE        "etc/microvm/kernel"
#define MICROVM_KERNEL_INFO_MAGIC       "MVKI"
#define MICROVM_KERNEL_INFO_VERSION     1

/* MicrovmKernelInfo.protocol */
#define MICROVM_BOOT_PROTOCOL_PVH       1
/* Linux boot protocol: the whole bzImage in FW_CFG_KERNEL_DATA */
#define MICROVM_BOOT_PROTOCOL_LINUX     2

/* Contents of MICROVM_KERNEL_INFO_FILE: packed, little-endian */
typedef struct QEMU_PACKED MicrovmKernelInfo {
    char magic[4];
    uint32_t version;
    uint32_t protocol;
    uint32_t flags;
    uint64_t entry;
    uint64_t load_start;
    uint64_t load_end;
} MicrovmKernelInfo;

/*
 * Check the -kernel image, place it in guest RAM (rewritten on every
 * reset) and publish MICROVM_KERNEL_INFO_FILE and the -initrd bytes.
 * Returns false with @errp set, having loaded nothing, on a bad image.
 */
bool microvm_boot_load(MicrovmMachineState *mms, FWCfgState *fw_cfg,
                       Error **errp);

/* Publish @cmdline as the kernel command line (FW_CFG_CMDLINE_*). */
void microvm_boot_set_cmdline(FWCfgState *fw_cfg, const char *cmdline);

#endif
