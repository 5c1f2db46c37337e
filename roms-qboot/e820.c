/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The memory map.  etc/e820 is read once into low RAM and every entry is
 * checked (no empty or wrapping entries, no type 0).  The map is not
 * assumed sorted or free of overlaps: "is this range RAM" means inside a
 * RAM entry and clear of every other entry, so a reserved entry always
 * wins over RAM it overlaps.
 */
#include "e820.h"
#include "fw_cfg.h"
#include "layout.h"
#include "print.h"
#include "string.h"

_Static_assert(E820_MAX * sizeof(struct e820_entry) <=
               E820_TABLE_END - E820_TABLE_ADDR, "E820_MAX too big");

static unsigned e820_nr;

unsigned e820_count(void)
{
    return e820_nr;
}

const struct e820_entry *e820_entries(void)
{
    return (const struct e820_entry *)E820_TABLE_ADDR;
}

static bool ranges_meet(uint64_t a_start, uint64_t a_end,
                        uint64_t b_start, uint64_t b_end)
{
    return a_start < b_end && b_start < a_end;
}

bool e820_range_is_ram(uint64_t start, uint64_t end)
{
    const struct e820_entry *e = e820_entries();
    bool inside = false;
    unsigned i;

    for (i = 0; i < e820_nr; i++) {
        uint64_t e_end = e[i].addr + e[i].size;

        if (e[i].type == E820_RAM) {
            inside |= e[i].addr <= start && end <= e_end;
        } else if (ranges_meet(start, end, e[i].addr, e_end)) {
            return false;
        }
    }
    return inside;
}

/*
 * Lower @top until [top - size, top) aligned down is free of every
 * non-RAM entry and of the avoided range; 0 if it falls below @floor.
 * Each step moves the candidate below one obstacle, so there are at most
 * e820_nr + 1 of them.
 */
static uint64_t e820_fit_below(uint64_t top, uint64_t size, uint64_t align,
                               uint64_t floor, uint64_t avoid_start,
                               uint64_t avoid_end)
{
    const struct e820_entry *e = e820_entries();
    unsigned step, i;
    uint64_t cand;

    for (step = 0; step <= e820_nr + 1; step++) {
        if (top < floor + size) {
            return 0;
        }
        cand = (top - size) & ~(align - 1);
        if (cand < floor) {
            return 0;
        }
        if (ranges_meet(cand, cand + size, avoid_start, avoid_end)) {
            top = avoid_start;
            continue;
        }
        for (i = 0; i < e820_nr; i++) {
            if (e[i].type != E820_RAM &&
                ranges_meet(cand, cand + size, e[i].addr,
                            e[i].addr + e[i].size)) {
                break;
            }
        }
        if (i == e820_nr) {
            return cand;
        }
        top = e[i].addr;
    }
    return 0;
}

uint64_t e820_find_top(uint64_t size, uint64_t align, uint64_t floor,
                       uint64_t limit, uint64_t avoid_start,
                       uint64_t avoid_end)
{
    const struct e820_entry *e = e820_entries();
    uint64_t best = 0;
    unsigned i;

    for (i = 0; i < e820_nr; i++) {
        uint64_t lo = e[i].addr, hi = e[i].addr + e[i].size, cand;

        if (e[i].type != E820_RAM) {
            continue;
        }
        lo = lo > floor ? lo : floor;
        hi = hi < limit ? hi : limit;
        if (hi <= lo) {
            continue;
        }
        cand = e820_fit_below(hi, size, align, lo, avoid_start, avoid_end);
        if (cand > best) {
            best = cand;
        }
    }
    return best;
}

static bool e820_inside(const struct e820_entry *e, uint64_t start,
                        uint64_t end)
{
    return e->addr <= start && end <= e->addr + e->size;
}

void e820_reserve(uint64_t start, uint64_t end, uint32_t type)
{
    struct e820_entry *e = (struct e820_entry *)E820_TABLE_ADDR;
    struct e820_entry ram;
    unsigned i, n;

    if (!e820_range_is_ram(start, end)) {
        for (i = 0; i < e820_nr; i++) {
            if (e[i].type == type && e820_inside(&e[i], start, end)) {
                return;
            }
        }
        fatal("e820: %llx-%llx is neither RAM nor of type %u",
              start, end, type);
    }
    for (i = 0; !(e[i].type == E820_RAM && e820_inside(&e[i], start, end));
         i++) {
        /* e820_range_is_ram() found the entry */
    }
    ram = e[i];
    /* [ram.addr, start) RAM, [start, end) @type, [end, ram end) RAM */
    n = (ram.addr < start) + 1 + (end < ram.addr + ram.size);
    if (e820_nr + n - 1 > E820_MAX) {
        fatal("e820: no room for %u more entries", n - 1);
    }
    memmove(&e[i + n], &e[i + 1], (e820_nr - i - 1) * sizeof(*e));
    e820_nr += n - 1;
    if (ram.addr < start) {
        e[i].addr = ram.addr;
        e[i].size = start - ram.addr;
        e[i++].type = E820_RAM;
    }
    e[i].addr = start;
    e[i].size = end - start;
    e[i++].type = type;
    if (end < ram.addr + ram.size) {
        e[i].addr = end;
        e[i].size = ram.addr + ram.size - end;
        e[i].type = E820_RAM;
    }
}

void e820_load(void)
{
    const struct fw_cfg_file *f = fw_cfg_file(FW_CFG_FILE_E820);
    struct e820_entry *e = (struct e820_entry *)E820_TABLE_ADDR;
    unsigned i;

    if (!f->select) {
        fatal("no etc/e820 in fw_cfg");
    }
    if (f->size == 0 || f->size % sizeof(*e) ||
        f->size > E820_MAX * sizeof(*e)) {
        fatal("etc/e820 of %u bytes is not 1 to %u entries of %u bytes",
              f->size, E820_MAX, (unsigned)sizeof(*e));
    }
    fw_cfg_read_item(f->select, e, f->size);
    e820_nr = f->size / sizeof(*e);

    for (i = 0; i < e820_nr; i++) {
        uint64_t end = e[i].addr + e[i].size;

        if (e[i].size == 0 || end < e[i].addr || e[i].type == 0) {
            fatal("e820 entry %u is invalid: %llx+%llx type %u",
                  i, e[i].addr, e[i].size, e[i].type);
        }
    }
    if (!e820_range_is_ram(0, FW_LOW_END)) {
        fatal("e820 has no RAM at 0-%x for the firmware", FW_LOW_END);
    }
}
