/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fw_cfg access.  Bulk data goes through the DMA interface (one port
 * write per transfer, whatever the size); the 8-bit data port is the
 * fallback for a device without DMA (reads only: writes need DMA).  The
 * file directory is scanned once at init for every fixed name the
 * firmware needs, and again for each name the ACPI table-loader asks for.
 */
#include <stdbool.h>
#include "fw_cfg.h"
#include "io.h"
#include "layout.h"
#include "print.h"
#include "string.h"

/* QEMU completes a transfer before the port write returns; still bounded */
#define FW_CFG_DMA_POLLS    1000000

/* FWCfgDmaAccess: all fields big-endian */
struct fw_cfg_dma_access {
    uint32_t control;
    uint32_t length;
    uint64_t address;
} __attribute__((packed));

struct fw_cfg_file_name {
    /* zero-padded like a directory entry's, for fw_cfg_name_equal() */
    char name[FW_CFG_FILE_NAME_LEN] __attribute__((aligned(4)));
    uint8_t len;                /* without the NUL */
};

/* The array size is negative, a compile error, for a name too long */
#define FW_CFG_NAME(s) { \
    .name = s, \
    .len = sizeof(s) - 1 + \
           0 * sizeof(char[sizeof(s) <= FW_CFG_FILE_NAME_LEN ? 1 : -1]) }

static const struct fw_cfg_file_name fw_cfg_file_names[FW_CFG_FILE_COUNT] = {
    [FW_CFG_FILE_E820] = FW_CFG_NAME("etc/e820"),
    [FW_CFG_FILE_KERNEL] = FW_CFG_NAME("etc/microvm/kernel"),
    [FW_CFG_FILE_MODULE_CMDLINE] =
        FW_CFG_NAME("etc/microvm/module-cmdline"),
    [FW_CFG_FILE_TABLE_LOADER] = FW_CFG_NAME("etc/table-loader"),
    [FW_CFG_FILE_SMBIOS_ANCHOR] = FW_CFG_NAME("etc/smbios/smbios-anchor"),
    [FW_CFG_FILE_SMBIOS_TABLES] = FW_CFG_NAME("etc/smbios/smbios-tables"),
};

static bool fw_cfg_has_dma;
static struct fw_cfg_file fw_cfg_files[FW_CFG_FILE_COUNT];

static void fw_cfg_dma(uint32_t control, void *buf, uint32_t len)
{
    /* volatile: the device rewrites control behind the compiler's back */
    volatile struct fw_cfg_dma_access access;
    uint32_t status = 0;
    unsigned i;

    access.control = bswap32(control);
    access.length = bswap32(len);
    access.address = bswap64((uint32_t)buf);
    /* The high half of the descriptor address is 0 after every transfer */
    outl(FW_CFG_PORT_DMA_LO, bswap32((uint32_t)&access));
    for (i = 0; i < FW_CFG_DMA_POLLS; i++) {
        status = bswap32(access.control);
        if (!(status & ~FW_CFG_DMA_CTL_ERROR)) {
            break;
        }
    }
    if (status) {
        fatal("fw_cfg DMA of %u bytes failed (control %x)", len, status);
    }
}

/* Read the next @len bytes of the selected item */
static void fw_cfg_read(void *buf, uint32_t len)
{
    if (fw_cfg_has_dma) {
        fw_cfg_dma(FW_CFG_DMA_CTL_READ, buf, len);
    } else {
        insb(FW_CFG_PORT_DATA, buf, len);
    }
}

void fw_cfg_read_item(uint16_t key, void *buf, uint32_t len)
{
    if (fw_cfg_has_dma) {
        fw_cfg_dma(((uint32_t)key << 16) | FW_CFG_DMA_CTL_SELECT |
                   FW_CFG_DMA_CTL_READ, buf, len);
    } else {
        outw(FW_CFG_PORT_SEL, key);
        insb(FW_CFG_PORT_DATA, buf, len);
    }
}

uint32_t fw_cfg_read_u32(uint16_t key)
{
    uint32_t val;

    fw_cfg_read_item(key, &val, sizeof(val));
    return val;
}

const struct fw_cfg_file *fw_cfg_file(enum fw_cfg_file_id id)
{
    return &fw_cfg_files[id];
}

static void fw_cfg_set_file(struct fw_cfg_file *f, const char *name,
                            const struct fw_cfg_dir_entry *e)
{
    uint16_t select = __builtin_bswap16(e->select);

    if (select < FW_CFG_FILE_FIRST || select >= FW_CFG_KEY_LIMIT) {
        fatal("fw_cfg file %s has invalid key %x", name, select);
    }
    f->select = select;
    f->size = bswap32(e->size);
}

/*
 * Every wanted name starts "etc/"; the byte after it (mod 32) picks the
 * candidates, so most directory entries ("etc/acpi/...", "genroms/...")
 * cost a few instructions.  A name missing here is never matched: keep
 * this table in step with fw_cfg_file_names[].
 */
#define FW_CFG_ETC_PREFIX   0x2f637465      /* "etc/", little-endian */
#define FW_CFG_BIT(id)      (1u << (id))

static const uint8_t fw_cfg_candidates[32] = {
    ['e' & 31] = FW_CFG_BIT(FW_CFG_FILE_E820),
    ['m' & 31] = FW_CFG_BIT(FW_CFG_FILE_KERNEL) |
                 FW_CFG_BIT(FW_CFG_FILE_MODULE_CMDLINE),
    ['t' & 31] = FW_CFG_BIT(FW_CFG_FILE_TABLE_LOADER),
    ['s' & 31] = FW_CFG_BIT(FW_CFG_FILE_SMBIOS_ANCHOR) |
                 FW_CFG_BIT(FW_CFG_FILE_SMBIOS_TABLES),
};

_Static_assert(FW_CFG_FILE_COUNT <= 8, "fw_cfg_candidates holds 8 bits");

/* Directory scan callback: the init one records every wanted name */
static bool fw_cfg_match_wanted(const struct fw_cfg_dir_entry *e,
                                void *opaque)
{
    unsigned id, candidates;

    (void)opaque;
    if (*(const uint32_t *)e->name != FW_CFG_ETC_PREFIX) {
        return false;
    }
    candidates = fw_cfg_candidates[e->name[4] & 31];
    for (id = 0; candidates; id++, candidates >>= 1) {
        const struct fw_cfg_file_name *want = &fw_cfg_file_names[id];

        if (!(candidates & 1)) {
            continue;
        }
        /* Test where the name ends first, cheaply */
        if (e->name[want->len] != '\0' ||
            e->name[want->len - 1] != want->name[want->len - 1] ||
            !fw_cfg_name_equal(e->name, want->name)) {
            continue;
        }
        fw_cfg_set_file(&fw_cfg_files[id], want->name, e);
        break;
    }
    return false;       /* keep scanning */
}

bool fw_cfg_name_equal(const char *a, const char *b)
{
    const uint32_t *x = (const uint32_t *)a, *y = (const uint32_t *)b;
    unsigned i;

    for (i = 0; i < FW_CFG_FILE_NAME_LEN / 4; i++) {
        if (x[i] != y[i]) {
            return false;
        }
        /* Equal so far and this dword holds a NUL: the names are equal */
        if ((x[i] - 0x01010101) & ~x[i] & 0x80808080) {
            return true;
        }
    }
    return true;
}

struct fw_cfg_lookup {
    const char *name;
    struct fw_cfg_file *file;
};

static bool fw_cfg_match_name(const struct fw_cfg_dir_entry *e, void *opaque)
{
    struct fw_cfg_lookup *l = opaque;

    /*
     * Names are zero-padded in their fields and nearly all start "etc/":
     * bytes 4-7 tell most of them apart in one comparison.
     */
    if (((const uint32_t *)e->name)[1] != ((const uint32_t *)l->name)[1] ||
        !fw_cfg_name_equal(e->name, l->name)) {
        return false;
    }
    fw_cfg_set_file(l->file, l->name, e);
    return true;
}

/*
 * Read the directory into low RAM as few DMA transfers as it takes (one
 * for any machine today) and offer every entry to @match until it
 * returns true.
 */
static void fw_cfg_scan_dir(bool (*match)(const struct fw_cfg_dir_entry *,
                                          void *),
                            void *opaque)
{
    struct fw_cfg_dir_entry *buf = (struct fw_cfg_dir_entry *)FW_CFG_DIR_ADDR;
    const uint32_t per_chunk = (FW_CFG_DIR_END - FW_CFG_DIR_ADDR) /
                               sizeof(*buf);
    uint32_t count, n, i;

    fw_cfg_read_item(FW_CFG_FILE_DIR, &count, sizeof(count));
    count = bswap32(count);
    if (count > FW_CFG_MAX_FILES) {
        fatal("fw_cfg file directory has %u entries (at most %u)",
              count, FW_CFG_MAX_FILES);
    }
    for (; count; count -= n) {
        n = count < per_chunk ? count : per_chunk;
        fw_cfg_read(buf, n * sizeof(*buf));
        for (i = 0; i < n; i++) {
            if (match(&buf[i], opaque)) {
                return;
            }
        }
    }
}

bool fw_cfg_find(const char *name, struct fw_cfg_file *file)
{
    struct fw_cfg_lookup l = { .name = name, .file = file };

    file->select = 0;
    file->size = 0;
    fw_cfg_scan_dir(fw_cfg_match_name, &l);
    return file->select != 0;
}

/*
 * Select @key and move @offset bytes into it.  DMA skips for free; the
 * port I/O fallback reads and drops them (only bzImage setup code, a few
 * KiB, is ever skipped that way).
 */
static void fw_cfg_select_at(uint16_t key, uint32_t offset)
{
    uint8_t drop;

    if (fw_cfg_has_dma) {
        fw_cfg_dma(((uint32_t)key << 16) | FW_CFG_DMA_CTL_SELECT |
                   FW_CFG_DMA_CTL_SKIP, NULL, offset);
        return;
    }
    outw(FW_CFG_PORT_SEL, key);
    for (; offset; offset--) {
        insb(FW_CFG_PORT_DATA, &drop, 1);
    }
}

void fw_cfg_read_item_at(uint16_t key, uint32_t offset, void *buf,
                         uint32_t len)
{
    fw_cfg_select_at(key, offset);
    fw_cfg_read(buf, len);
}

void fw_cfg_write_item_at(uint16_t key, uint32_t offset, const void *buf,
                          uint32_t len)
{
    if (!fw_cfg_has_dma) {
        fatal("fw_cfg write to key %x needs the DMA interface", key);
    }
    fw_cfg_select_at(key, offset);
    fw_cfg_dma(FW_CFG_DMA_CTL_WRITE, (void *)buf, len);
}

void fw_cfg_init(void)
{
    uint32_t sig;

    /* Port I/O first: DMA is only known to exist after FW_CFG_ID */
    outw(FW_CFG_PORT_SEL, FW_CFG_SIGNATURE);
    insb(FW_CFG_PORT_DATA, &sig, sizeof(sig));
    if (sig != FW_CFG_SIGNATURE_VALUE) {
        fatal("no fw_cfg device at port %x (signature %x)",
              FW_CFG_PORT_SEL, sig);
    }
    fw_cfg_has_dma = fw_cfg_read_u32(FW_CFG_ID) & FW_CFG_ID_DMA;
    fw_cfg_scan_dir(fw_cfg_match_wanted, NULL);
}
