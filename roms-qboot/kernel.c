/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel as the machine describes it (etc/microvm/kernel), the
 * command line and the initrd.  For PVH the machine has already loaded
 * the kernel image; for a bzImage the firmware loads it (linuxboot.c).
 * Nothing the machine says is trusted until checked here.
 */
#include "e820.h"
#include "fw_cfg.h"
#include "kernel.h"
#include "layout.h"
#include "print.h"

#define PAGE_SIZE       4096
#define ADDR_LIMIT_4G   0x100000000ULL

/* PVH (loaded by the machine) or multiboot: check where the image is */
static void kernel_info_check_pvh(const struct microvm_kernel_info *k)
{
    if (k->load_start < HIGH_MEMORY_START || k->load_end <= k->load_start ||
        k->load_end > ADDR_LIMIT_4G) {
        fatal("kernel image %llx-%llx is not within 1 MiB-4 GiB",
              k->load_start, k->load_end);
    }
    if (k->entry < k->load_start || k->entry >= k->load_end) {
        fatal("kernel entry %llx is outside the image %llx-%llx",
              k->entry, k->load_start, k->load_end);
    }
    if (!e820_range_is_ram(k->load_start, k->load_end)) {
        fatal("kernel image %llx-%llx is not in e820 RAM",
              k->load_start, k->load_end);
    }
}

void kernel_info_load(struct microvm_kernel_info *k)
{
    const struct fw_cfg_file *f = fw_cfg_file(FW_CFG_FILE_KERNEL);

    if (!f->select) {
        fatal("no kernel (use -kernel)");
    }
    if (f->size != sizeof(*k)) {
        fatal("etc/microvm/kernel is %u bytes, expected %u",
              f->size, (unsigned)sizeof(*k));
    }
    fw_cfg_read_item(f->select, k, sizeof(*k));

    if (k->magic != MICROVM_KERNEL_MAGIC) {
        fatal("etc/microvm/kernel has bad magic %x", k->magic);
    }
    if (k->version != MICROVM_KERNEL_VERSION) {
        fatal("etc/microvm/kernel version %u not supported", k->version);
    }
    if (k->flags != 0) {
        fatal("etc/microvm/kernel has unknown flags %x", k->flags);
    }
    switch (k->protocol) {
    case MICROVM_KERNEL_PVH:
    case MICROVM_KERNEL_MBOOT1:
        /* Multiboot: the firmware loads it, where the header says */
        kernel_info_check_pvh(k);
        break;
    case MICROVM_KERNEL_BZIMAGE:
        /* The firmware loads a bzImage itself (linuxboot.c) */
        if (k->entry || k->load_start || k->load_end) {
            fatal("etc/microvm/kernel: bzImage entry/load_start/load_end "
                  "must be 0");
        }
        break;
    default:
        fatal("kernel boot protocol %u not supported", k->protocol);
    }
}

uint32_t cmdline_load(void)
{
    uint32_t size = fw_cfg_read_u32(FW_CFG_CMDLINE_SIZE);
    char *cmdline = (char *)CMDLINE_ADDR;

    if (size == 0) {
        return 0;
    }
    if (size > CMDLINE_MAX) {
        fatal("command line of %u bytes is over %u", size, CMDLINE_MAX);
    }
    fw_cfg_read_item(FW_CFG_CMDLINE_DATA, cmdline, size);
    cmdline[size - 1] = '\0';
    return CMDLINE_ADDR;
}

void initrd_load(const struct microvm_kernel_info *k, uint64_t limit,
                 struct boot_module *initrd)
{
    uint32_t size = fw_cfg_read_u32(FW_CFG_INITRD_SIZE);
    uint64_t addr;

    initrd->addr = 0;
    initrd->size = 0;
    if (size == 0) {
        return;
    }
    addr = e820_find_top(size, PAGE_SIZE, HIGH_MEMORY_START, limit,
                         k->load_start, k->load_end);
    if (!addr) {
        fatal("initrd of %u bytes does not fit in RAM below %llx "
              "beside the kernel", size, limit);
    }
    fw_cfg_read_item(FW_CFG_INITRD_DATA, (void *)(uint32_t)addr, size);
    initrd->addr = addr;
    initrd->size = size;
}
