/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ACPI: execute QEMU's table-loader script (etc/table-loader).  It is an
 * array of 128-byte commands that allocate fw_cfg files ("blobs") in
 * guest memory, patch pointers between them, fix checksums and write
 * blob addresses back into fw_cfg files.  Every name, offset and size in
 * a command is checked against the blob it refers to before use.
 *
 * HIGH allocations (the tables) are served from a low-RAM window,
 * [FW_TABLES_ADDR, FW_TABLES_END); the part used is marked reserved in
 * the e820 map the kernel receives.  FSEG allocations (the RSDP) go to
 * the first KiB of the EBDA, which the machine reserves, with the BDA
 * pointing at it: the F segment is a read-only ROM alias here, and the
 * EBDA is the other place the ACPI spec's RSDP search looks, which a
 * multiboot kernel (no RSDP field) relies on.  PVH and bzImage kernels
 * are also handed the address (rsdp_paddr, acpi_rsdp_addr).
 */
#include "acpi.h"
#include "e820.h"
#include "fw_cfg.h"
#include "layout.h"
#include "print.h"
#include "string.h"

#define LOADER_FILESZ       56          /* FW_CFG_MAX_FILE_PATH */
#define LOADER_ENTRY_SIZE   128

enum {
    LOADER_ALLOCATE         = 1,
    LOADER_ADD_POINTER      = 2,
    LOADER_ADD_CHECKSUM     = 3,
    LOADER_WRITE_POINTER    = 4,
};

enum {
    LOADER_ZONE_HIGH        = 1,
    LOADER_ZONE_FSEG        = 2,
};

/* All fields little-endian */
struct loader_entry {
    uint32_t command;
    union {
        struct {
            char file[LOADER_FILESZ];
            uint32_t align;
            uint8_t zone;
        } alloc;
        struct {
            char dest_file[LOADER_FILESZ];
            char src_file[LOADER_FILESZ];
            uint32_t offset;
            uint8_t size;
        } pointer;
        struct {
            char file[LOADER_FILESZ];
            uint32_t offset;
            uint32_t start;
            uint32_t length;
        } cksum;
        struct {
            char dest_file[LOADER_FILESZ];
            char src_file[LOADER_FILESZ];
            uint32_t dst_offset;
            uint32_t src_offset;
            uint8_t size;
        } wr_pointer;
        uint8_t pad[LOADER_ENTRY_SIZE - 4];
    };
} __attribute__((packed));

_Static_assert(sizeof(struct loader_entry) == LOADER_ENTRY_SIZE,
               "table-loader entry is 128 bytes");

#define LOADER_MAX_ENTRIES  ((TABLE_LOADER_END - TABLE_LOADER_ADDR) / \
                             LOADER_ENTRY_SIZE)
#define LOADER_MAX_BLOBS    16
#define LOADER_MAX_ALIGN    4096

#define ACPI_RSDP_SIGNATURE "RSD PTR "

struct loader_blob {
    const char *name;           /* in the command buffer, NUL-terminated */
    uint32_t addr;
    uint32_t size;
    uint8_t zone;
};

static struct loader_blob loader_blobs[LOADER_MAX_BLOBS];
static unsigned loader_nr_blobs;
static uint32_t loader_next = FW_TABLES_ADDR;   /* first free byte */
static uint32_t loader_next_fseg = EBDA_ADDR;   /* same, FSEG zone */

/*
 * A command's file name field must hold a NUL-terminated name.  QEMU
 * zero-fills each command, so the last byte of a good name field is NUL.
 */
static const char *loader_name(const char *field)
{
    if (field[LOADER_FILESZ - 1] != '\0') {
        fatal("table-loader: file name not NUL-terminated");
    }
    return field;
}

static struct loader_blob *loader_find_blob(const char *field)
{
    const char *name = loader_name(field);
    unsigned i;

    for (i = 0; i < loader_nr_blobs; i++) {
        if (fw_cfg_name_equal(loader_blobs[i].name, name)) {
            return &loader_blobs[i];
        }
    }
    return NULL;
}

static struct loader_blob *loader_get_blob(const char *field)
{
    struct loader_blob *b = loader_find_blob(field);

    if (!b) {
        fatal("table-loader: %s used before ALLOCATE", field);
    }
    return b;
}

/* 1, 2, 4 or 8 bytes at @offset of a @limit-byte object */
static void loader_check_field(const char *what, uint32_t offset,
                               uint8_t size, uint32_t limit)
{
    if ((size != 1 && size != 2 && size != 4 && size != 8) ||
        offset > limit || limit - offset < size) {
        fatal("table-loader: %s of %u bytes at %u outside %u bytes",
              what, size, offset, limit);
    }
}

static void loader_allocate(const struct loader_entry *c)
{
    const char *name = loader_name(c->alloc.file);
    uint32_t align = c->alloc.align;
    struct loader_blob *b;
    struct fw_cfg_file f;
    uint32_t addr, end, *next;

    if (loader_find_blob(name)) {
        fatal("table-loader: %s allocated twice", name);
    }
    if (loader_nr_blobs == LOADER_MAX_BLOBS) {
        fatal("table-loader: more than %u files", LOADER_MAX_BLOBS);
    }
    if (c->alloc.zone != LOADER_ZONE_HIGH &&
        c->alloc.zone != LOADER_ZONE_FSEG) {
        fatal("table-loader: %s has unknown zone %u", name, c->alloc.zone);
    }
    if (align == 0 || (align & (align - 1)) || align > LOADER_MAX_ALIGN) {
        fatal("table-loader: %s alignment %u is not a power of 2 <= %u",
              name, align, LOADER_MAX_ALIGN);
    }
    if (!fw_cfg_find(name, &f)) {
        fatal("table-loader: no fw_cfg file %s", name);
    }
    if (c->alloc.zone == LOADER_ZONE_FSEG) {
        next = &loader_next_fseg;
        end = EBDA_END;
    } else {
        next = &loader_next;
        end = FW_TABLES_END;
    }
    addr = (*next + align - 1) & ~(align - 1);
    if (addr > end || f.size > end - addr) {
        fatal("table-loader: %s of %u bytes does not fit below %x",
              name, f.size, end);
    }
    fw_cfg_read_item(f.select, (void *)addr, f.size);
    *next = addr + f.size;

    b = &loader_blobs[loader_nr_blobs++];
    b->name = name;
    b->addr = addr;
    b->size = f.size;
    b->zone = c->alloc.zone;
}

/* A pointer field of @size bytes must hold @val whole */
static void loader_check_fits(uint64_t val, uint8_t size)
{
    if (size < 8 && (val >> (size * 8))) {
        fatal("table-loader: pointer %llx does not fit %u bytes", val, size);
    }
}

static void loader_add_pointer(const struct loader_entry *c)
{
    struct loader_blob *dest = loader_get_blob(c->pointer.dest_file);
    struct loader_blob *src = loader_get_blob(c->pointer.src_file);
    uint8_t *p;
    uint64_t val = 0;

    loader_check_field("ADD_POINTER", c->pointer.offset, c->pointer.size,
                       dest->size);
    p = (uint8_t *)dest->addr + c->pointer.offset;
    memcpy(&val, p, c->pointer.size);
    val += src->addr;
    loader_check_fits(val, c->pointer.size);
    memcpy(p, &val, c->pointer.size);
}

/*
 * The 8-bit sum of @n bytes, four at a time: bytes 0/2 and 1/3 of each
 * dword go to the two 16-bit lanes of @acc, folded every 128 dwords
 * (128 * 2 * 0xff < 0x10000), then the tail bytes one by one.
 */
static uint8_t loader_byte_sum(const uint8_t *p, uint32_t n)
{
    const uint32_t *d = (const uint32_t *)p;
    uint32_t acc, chunk, x;
    uint8_t sum = 0;

    for (; n >= 4; n -= chunk * 4) {
        chunk = n / 4 < 128 ? n / 4 : 128;
        acc = 0;
        for (x = 0; x < chunk; x++) {
            acc += (d[x] & 0x00ff00ff) + ((d[x] >> 8) & 0x00ff00ff);
        }
        sum += acc + (acc >> 16);
        d += chunk;
    }
    for (p = (const uint8_t *)d; n; n--) {
        sum += *p++;
    }
    return sum;
}

static void loader_add_checksum(const struct loader_entry *c)
{
    struct loader_blob *b = loader_get_blob(c->cksum.file);
    const uint8_t *p = (const uint8_t *)b->addr + c->cksum.start;
    uint32_t n = c->cksum.length;

    if (c->cksum.offset >= b->size || c->cksum.start > b->size ||
        n > b->size - c->cksum.start) {
        fatal("table-loader: checksum of %s outside its %u bytes",
              b->name, b->size);
    }
    *((uint8_t *)b->addr + c->cksum.offset) -= loader_byte_sum(p, n);
}

static void loader_write_pointer(const struct loader_entry *c)
{
    const char *name = loader_name(c->wr_pointer.dest_file);
    struct loader_blob *src = loader_get_blob(c->wr_pointer.src_file);
    struct fw_cfg_file f;
    uint64_t val;

    if (!fw_cfg_find(name, &f)) {
        fatal("table-loader: no fw_cfg file %s to write", name);
    }
    loader_check_field("WRITE_POINTER", c->wr_pointer.dst_offset,
                       c->wr_pointer.size, f.size);
    if (c->wr_pointer.src_offset > src->size) {
        fatal("table-loader: WRITE_POINTER offset %u outside %s",
              c->wr_pointer.src_offset, src->name);
    }
    val = src->addr + c->wr_pointer.src_offset;
    loader_check_fits(val, c->wr_pointer.size);
    fw_cfg_write_item_at(f.select, c->wr_pointer.dst_offset, &val,
                         c->wr_pointer.size);
}

/* The RSDP is the FSEG blob that starts with its signature */
static uint32_t loader_find_rsdp(void)
{
    unsigned i;

    for (i = 0; i < loader_nr_blobs; i++) {
        const struct loader_blob *b = &loader_blobs[i];

        if (b->zone == LOADER_ZONE_FSEG &&
            b->size >= sizeof(ACPI_RSDP_SIGNATURE) - 1 &&
            !memcmp((void *)b->addr, ACPI_RSDP_SIGNATURE,
                    sizeof(ACPI_RSDP_SIGNATURE) - 1)) {
            return b->addr;
        }
    }
    return 0;
}

bool acpi_tables_load(uint32_t *rsdp)
{
    const struct fw_cfg_file *f = fw_cfg_file(FW_CFG_FILE_TABLE_LOADER);
    const struct loader_entry *c = (const struct loader_entry *)
                                   TABLE_LOADER_ADDR;
    uint32_t n, i, end;

    if (!f->select) {
        return false;
    }
    if (f->size % LOADER_ENTRY_SIZE ||
        f->size / LOADER_ENTRY_SIZE > LOADER_MAX_ENTRIES) {
        fatal("etc/table-loader of %u bytes is not up to %u commands",
              f->size, LOADER_MAX_ENTRIES);
    }
    if (!e820_range_is_ram(TABLE_LOADER_ADDR, FW_TABLES_END)) {
        fatal("e820 has no RAM at %x-%x for ACPI tables",
              TABLE_LOADER_ADDR, FW_TABLES_END);
    }
    n = f->size / LOADER_ENTRY_SIZE;
    fw_cfg_read_item(f->select, (void *)c, f->size);

    for (i = 0; i < n; i++) {
        switch (c[i].command) {
        case LOADER_ALLOCATE:
            loader_allocate(&c[i]);
            break;
        case LOADER_ADD_POINTER:
            loader_add_pointer(&c[i]);
            break;
        case LOADER_ADD_CHECKSUM:
            loader_add_checksum(&c[i]);
            break;
        case LOADER_WRITE_POINTER:
            loader_write_pointer(&c[i]);
            break;
        default:
            /* unknown commands are skipped, as the interface asks */
            break;
        }
    }

    end = (loader_next + 0xfff) & ~0xfff;
    if (end > FW_TABLES_ADDR) {
        e820_reserve(FW_TABLES_ADDR, end, E820_RESERVED);
    }
    if (loader_next_fseg > EBDA_ADDR) {
        uint16_t segment = EBDA_ADDR >> 4;

        e820_reserve(EBDA_ADDR, EBDA_END, E820_RESERVED);
        memcpy((void *)BDA_EBDA_SEGMENT, &segment, sizeof(segment));
    }
    *rsdp = loader_find_rsdp();
    return true;
}
