/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the machine tells the firmware about the kernel (etc/microvm/kernel,
 * see README.md), plus the command line and the initrd every boot protocol
 * hands on.
 */
#ifndef QBOOT_KERNEL_H
#define QBOOT_KERNEL_H

#include <stdint.h>

#define MICROVM_KERNEL_MAGIC    0x494b564d  /* "MVKI", little-endian */
#define MICROVM_KERNEL_VERSION  1

#define MICROVM_KERNEL_PVH      1   /* Xen PVH direct boot ABI */
#define MICROVM_KERNEL_BZIMAGE  2   /* Linux boot protocol 2.x (>= 2.10) */
#define MICROVM_KERNEL_MBOOT1   3   /* multiboot v1, a.out kludge */

/* etc/microvm/kernel: packed, little-endian, 40 bytes */
struct microvm_kernel_info {
    uint32_t magic;
    uint32_t version;
    uint32_t protocol;
    uint32_t flags;
    uint64_t entry;
    uint64_t load_start;
    uint64_t load_end;
} __attribute__((packed));

/* The initrd as placed in RAM: size 0 when there is none */
struct boot_module {
    uint64_t addr;
    uint64_t size;
};

/* Read and check the kernel descriptor; halts without -kernel */
void kernel_info_load(struct microvm_kernel_info *kernel);

/* Read the command line to CMDLINE_ADDR; returns it, or 0 when empty */
uint32_t cmdline_load(void);

/* Place the initrd at the top of RAM below @limit and read it there */
void initrd_load(const struct microvm_kernel_info *kernel, uint64_t limit,
                 struct boot_module *initrd);

#endif
