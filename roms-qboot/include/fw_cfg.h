/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEMU's firmware configuration device (docs/specs/fw_cfg.rst): x86 I/O
 * ports, fixed item keys, the file directory and the DMA interface.
 */
#ifndef QBOOT_FW_CFG_H
#define QBOOT_FW_CFG_H

#include <stdbool.h>
#include <stdint.h>

/* I/O ports */
#define FW_CFG_PORT_SEL         0x510   /* 16-bit selector */
#define FW_CFG_PORT_DATA        0x511   /* 8-bit data */
#define FW_CFG_PORT_DMA_HI      0x514   /* DMA address, bits 63:32, BE */
#define FW_CFG_PORT_DMA_LO      0x518   /* DMA address, bits 31:0, BE: go */

/* Fixed items */
#define FW_CFG_SIGNATURE        0x0000
#define FW_CFG_ID               0x0001
#define FW_CFG_NB_CPUS          0x0005
#define FW_CFG_KERNEL_SIZE      0x0008
#define FW_CFG_INITRD_SIZE      0x000b
#define FW_CFG_KERNEL_DATA      0x0011
#define FW_CFG_INITRD_DATA      0x0012
#define FW_CFG_CMDLINE_SIZE     0x0014
#define FW_CFG_CMDLINE_DATA     0x0015
#define FW_CFG_FILE_DIR         0x0019
#define FW_CFG_FILE_FIRST       0x0020  /* lowest key a file may have */
#define FW_CFG_KEY_LIMIT        0x4000  /* keys are below this (arch bit) */

#define FW_CFG_SIGNATURE_VALUE  0x554d4551  /* "QEMU", little-endian */
#define FW_CFG_ID_TRADITIONAL   (1u << 0)
#define FW_CFG_ID_DMA           (1u << 1)

/* FWCfgDmaAccess.control bits */
#define FW_CFG_DMA_CTL_ERROR    (1u << 0)
#define FW_CFG_DMA_CTL_READ     (1u << 1)
#define FW_CFG_DMA_CTL_SKIP     (1u << 2)
#define FW_CFG_DMA_CTL_SELECT   (1u << 3)
#define FW_CFG_DMA_CTL_WRITE    (1u << 4)

/* One entry of the file directory: all fields big-endian */
#define FW_CFG_FILE_NAME_LEN    56
struct fw_cfg_dir_entry {
    uint32_t size;
    uint16_t select;
    uint16_t reserved;
    char name[FW_CFG_FILE_NAME_LEN];
} __attribute__((packed));

/* QEMU sizes its directory with 16-bit keys from FW_CFG_FILE_FIRST */
#define FW_CFG_MAX_FILES        (FW_CFG_KEY_LIMIT - FW_CFG_FILE_FIRST)

/* The named files the firmware uses; fw_cfg_init() looks them all up */
enum fw_cfg_file_id {
    FW_CFG_FILE_E820,           /* etc/e820 */
    FW_CFG_FILE_KERNEL,         /* etc/microvm/kernel */
    FW_CFG_FILE_MODULE_CMDLINE, /* etc/microvm/module-cmdline (multiboot) */
    FW_CFG_FILE_TABLE_LOADER,   /* etc/table-loader (ACPI) */
    FW_CFG_FILE_SMBIOS_ANCHOR,  /* etc/smbios/smbios-anchor */
    FW_CFG_FILE_SMBIOS_TABLES,  /* etc/smbios/smbios-tables */
    FW_CFG_FILE_COUNT,
};

struct fw_cfg_file {
    uint32_t size;              /* host byte order */
    uint16_t select;            /* 0: not present */
};

/* Check the signature, pick DMA or port I/O, scan the file directory */
void fw_cfg_init(void);

/* A named file, with select 0 when the machine does not provide it */
const struct fw_cfg_file *fw_cfg_file(enum fw_cfg_file_id id);

/* Select item @key and read @len bytes of it from the start into @buf */
void fw_cfg_read_item(uint16_t key, void *buf, uint32_t len);

/* The same, from byte @offset of the item on */
void fw_cfg_read_item_at(uint16_t key, uint32_t offset, void *buf,
                         uint32_t len);

/* Write @len bytes at byte @offset of item @key (needs DMA, else halts) */
void fw_cfg_write_item_at(uint16_t key, uint32_t offset, const void *buf,
                          uint32_t len);

/*
 * Compare two file names, each in a FW_CFG_FILE_NAME_LEN-byte field (4-byte
 * multiple) and NUL-terminated in it: a dword at a time, for speed.
 */
bool fw_cfg_name_equal(const char *a, const char *b);

/*
 * Look @name (a FW_CFG_FILE_NAME_LEN-byte field, NUL-terminated in it) up
 * in the file directory; false, with select 0, when it is not there.
 */
bool fw_cfg_find(const char *name, struct fw_cfg_file *file);

/* Read a little-endian 32-bit item (sizes, counts) */
uint32_t fw_cfg_read_u32(uint16_t key);

#endif
