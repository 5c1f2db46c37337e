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
/*
 * Multiboot v1, a.out-kludge header (flag 16): the whole file in
 * FW_CFG_KERNEL_DATA; entry = entry_addr, load_start = load_addr,
 * load_end = bss_end_addr (or the loaded end when it is 0)
 */
#define MICROVM_BOOT_PROTOCOL_MULTIBOOT 3

/* Multiboot: the module's (the -initrd's) string, NUL-terminated */
#define MICROVM_MODULE_CMDLINE_FILE     "etc/microvm/module-cmdline"

/* Multiboot Specification 0.6.96 header flags */
#define MULTIBOOT_PAGE_ALIGN            (1u << 0)
#define MULTIBOOT_MEMORY_INFO           (1u << 1)
#define MULTIBOOT_AOUT_KLUDGE           (1u << 16)
#define MULTIBOOT_REQ_MASK              0x0000ffffu
/* magic, flags, checksum, then the five address fields */
#define MULTIBOOT_HEADER_LEN            32

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
