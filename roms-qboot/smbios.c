/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SMBIOS: the machine builds the structure table and an entry point
 * (etc/smbios/smbios-tables, etc/smbios/smbios-anchor); the firmware
 * places them, fills in the entry point's table address and fixes its
 * checksums.  Entry point layouts are DSP0134's (2.1: section 5.2.1,
 * 3.0: section 5.2.2).  The entry point goes to the F segment, the only
 * place a non-EFI OS searches (16-byte steps from 0xf0000); the tables
 * follow it in the same RAM window (layout.h).
 */
#include "e820.h"
#include "fw_cfg.h"
#include "layout.h"
#include "print.h"
#include "smbios.h"
#include "string.h"

/* SMBIOS 2.1 (32-bit) entry point, 31 bytes */
struct smbios21_entry {
    char anchor[4];                 /* "_SM_" */
    uint8_t checksum;               /* bytes 0..length-1 sum to 0 */
    uint8_t length;                 /* 0x1f */
    uint8_t major, minor;
    uint16_t max_structure_size;
    uint8_t revision;
    uint8_t formatted[5];
    char intermediate_anchor[5];    /* "_DMI_" */
    uint8_t intermediate_checksum;  /* bytes 0x10..0x1e sum to 0 */
    uint16_t table_length;
    uint32_t table_address;
    uint16_t structure_count;
    uint8_t bcd_revision;
} __attribute__((packed));

/* SMBIOS 3.0 (64-bit) entry point, 24 bytes */
struct smbios30_entry {
    char anchor[5];                 /* "_SM3_" */
    uint8_t checksum;
    uint8_t length;                 /* 0x18 */
    uint8_t major, minor, docrev;
    uint8_t revision;
    uint8_t reserved;
    uint32_t table_max_size;
    uint64_t table_address;
} __attribute__((packed));

#define SMBIOS21_INTERMEDIATE   0x10    /* offset of "_DMI_" */

_Static_assert(sizeof(struct smbios21_entry) == 0x1f, "SMBIOS 2.1 EPS");
_Static_assert(sizeof(struct smbios30_entry) == 0x18, "SMBIOS 3.0 EPS");
_Static_assert(sizeof(struct smbios21_entry) <=
               SMBIOS_TABLES_ADDR - SMBIOS_ANCHOR_ADDR, "anchor room");
_Static_assert(SMBIOS_ANCHOR_ADDR % 16 == 0, "anchor on a paragraph");

/* The 8-bit sum of @n bytes: a dword at a time, bytes 0/2 and 1/3 in lanes */
static uint8_t smbios_sum(const void *p, uint32_t n)
{
    const uint32_t *d = p;
    const uint8_t *b;
    uint32_t acc = 0;

    /* n <= 31: no 16-bit lane can overflow */
    for (; n >= 4; n -= 4, d++) {
        acc += (*d & 0x00ff00ff) + ((*d >> 8) & 0x00ff00ff);
    }
    acc += acc >> 16;
    for (b = (const uint8_t *)d; n; n--) {
        acc += *b++;
    }
    return acc;
}

/* Check the 2.1 entry point against @size bytes of tables; fix it up */
static void smbios21_fixup(struct smbios21_entry *e, uint32_t size)
{
    if (e->length != sizeof(*e) ||
        memcmp(e->intermediate_anchor, "_DMI_", 5)) {
        fatal("SMBIOS 2.1 entry point has length %u or no _DMI_", e->length);
    }
    if (e->table_length != size) {
        fatal("SMBIOS 2.1 table_length %u is not the tables' %u bytes",
              e->table_length, size);
    }
    e->table_address = SMBIOS_TABLES_ADDR;
    e->intermediate_checksum = 0;
    e->intermediate_checksum =
        -smbios_sum((uint8_t *)e + SMBIOS21_INTERMEDIATE,
                    sizeof(*e) - SMBIOS21_INTERMEDIATE);
    e->checksum = 0;
    e->checksum = -smbios_sum(e, sizeof(*e));
}

static void smbios30_fixup(struct smbios30_entry *e, uint32_t size)
{
    if (e->length != sizeof(*e)) {
        fatal("SMBIOS 3.0 entry point has length %u", e->length);
    }
    if (e->table_max_size < size) {
        fatal("SMBIOS 3.0 table_max_size %u is below the tables' %u bytes",
              e->table_max_size, size);
    }
    e->table_address = SMBIOS_TABLES_ADDR;
    e->checksum = 0;
    e->checksum = -smbios_sum(e, sizeof(*e));
}

void smbios_setup(void)
{
    const struct fw_cfg_file *a = fw_cfg_file(FW_CFG_FILE_SMBIOS_ANCHOR);
    const struct fw_cfg_file *t = fw_cfg_file(FW_CFG_FILE_SMBIOS_TABLES);
    union {
        struct smbios21_entry v21;
        struct smbios30_entry v30;
    } ep;
    void *anchor = (void *)SMBIOS_ANCHOR_ADDR;

    if (!a->select && !t->select) {
        return;
    }
    if (!a->select || !t->select) {
        fatal("SMBIOS: etc/smbios/smbios-%s without the other file",
              a->select ? "anchor" : "tables");
    }
    if (t->size == 0 || t->size > SMBIOS_AREA_END - SMBIOS_TABLES_ADDR) {
        fatal("SMBIOS tables of %u bytes are not 1 to %u bytes",
              t->size, SMBIOS_AREA_END - SMBIOS_TABLES_ADDR);
    }
    if (a->size == sizeof(ep.v21)) {
        fw_cfg_read_item(a->select, &ep, sizeof(ep.v21));
        if (memcmp(ep.v21.anchor, "_SM_", 4)) {
            fatal("SMBIOS entry point of %u bytes does not start _SM_",
                  a->size);
        }
        smbios21_fixup(&ep.v21, t->size);
    } else if (a->size == sizeof(ep.v30)) {
        fw_cfg_read_item(a->select, &ep, sizeof(ep.v30));
        if (memcmp(ep.v30.anchor, "_SM3_", 5)) {
            fatal("SMBIOS entry point of %u bytes does not start _SM3_",
                  a->size);
        }
        smbios30_fixup(&ep.v30, t->size);
    } else {
        fatal("SMBIOS entry point of %u bytes is neither 2.1 nor 3.0",
              a->size);
    }

    /* The window must be reserved (or RAM, then reserved) in e820 */
    e820_reserve(SMBIOS_ANCHOR_ADDR, SMBIOS_AREA_END, E820_RESERVED);
    memcpy(anchor, &ep, a->size);
    /* A read-only window (no RAM over the ROM alias) keeps ROM bytes */
    if (*(volatile uint32_t *)anchor != *(uint32_t *)&ep) {
        fatal("SMBIOS: no RAM at %x for the entry point", SMBIOS_ANCHOR_ADDR);
    }
    fw_cfg_read_item(t->select, (void *)SMBIOS_TABLES_ADDR, t->size);
}
