/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The machine's memory map (etc/e820), validated, and placement in it. */
#ifndef QBOOT_E820_H
#define QBOOT_E820_H

#include <stdbool.h>
#include <stdint.h>

#define E820_RAM        1
#define E820_RESERVED   2
#define E820_ACPI       3
#define E820_NVS        4
#define E820_UNUSABLE   5

#define E820_MAX        128     /* entries the firmware accepts */

/* etc/e820 entry: packed, little-endian, as QEMU writes it */
struct e820_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
} __attribute__((packed));

/* Read etc/e820, check every entry and that low RAM is there; or halt */
void e820_load(void);

unsigned e820_count(void);
const struct e820_entry *e820_entries(void);

/* True if [start, end) is inside a RAM entry and meets no other entry */
bool e820_range_is_ram(uint64_t start, uint64_t end);

/*
 * Make [start, end) of type @type in the map handed to the kernel.  The
 * range must be RAM (it is cut out of its RAM entry, which may become up
 * to three entries) or already inside one entry of type @type (nothing to
 * do); anything else halts.
 */
void e820_reserve(uint64_t start, uint64_t end, uint32_t type);

/*
 * The highest @align aligned address A with [A, A + size) RAM as above,
 * A >= floor, A + size <= limit, and not meeting [avoid_start, avoid_end).
 * Returns 0 when there is none (floor is never 0).
 */
uint64_t e820_find_top(uint64_t size, uint64_t align, uint64_t floor,
                       uint64_t limit, uint64_t avoid_start,
                       uint64_t avoid_end);

#endif
