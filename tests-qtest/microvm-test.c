/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qtests for the x86 microvm machine
 *
 * Without guest code (the qtest accelerator): devices at their addresses,
 * the effect of each machine option, fw_cfg contents (CPU count, RAM size,
 * e820, kernel descriptors for PVH and a synthetic bzImage, command line,
 * initrd, the ACPI tables before the firmware links them) and the error
 * paths of bad options.  With TCG: the firmware boots
 * microvm-payloads/pvh-check, which records its PVH hand-off in RAM, and
 * the tests check that record (and the RSDP it points at).
 *
 * The machine/firmware contract these tests follow is roms/qboot/README.md;
 * addresses and IRQs are those of the machine's tables in
 * hw/i386/microvm.c.
 */

#include "qemu/osdep.h"
#include <sys/resource.h>
#include <sys/wait.h>
#include "libqtest.h"
#include "libqos/fw_cfg.h"
#include "hw/pci/pci_regs.h"
#include "qemu/bswap.h"
#include "qemu/units.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "elf.h"
#include "standard-headers/linux/qemu_fw_cfg.h"
#include "microvm-payloads/pvh-check.h"
#include "microvm-payloads/boot-check.h"

#define FW_CFG_IO_BASE          0x510
#define FW_CFG_DMA_ADDR_HI      (FW_CFG_IO_BASE + 4)
#define FW_CFG_DMA_ADDR_LO      (FW_CFG_IO_BASE + 8)

#define IOAPIC_BASE             UINT64_C(0xfec00000)
#define IOAPIC2_BASE            UINT64_C(0xfec10000)
#define IOAPIC_IOREGSEL         0x00
#define IOAPIC_IOWIN            0x10
#define IOAPIC_REG_VERSION      0x01
#define LAPIC_BASE              UINT64_C(0xfee00000)

#define VIRTIO_MMIO_BASE        UINT64_C(0xfeb00000)
#define VIRTIO_MMIO_STRIDE      0x200
/* acpi=off: 8 transports, transport n on GSI 5 + n (microvm_irqmap) */
#define VIRTIO_MMIO_TRANSPORTS  8
/* acpi=on with the second IOAPIC: 24 transports on GSI 24..47 */
#define VIRTIO_MMIO_TRANSPORTS_MAX 24
#define VIRTIO_MMIO_FIRST_GSI   5
#define VIRTIO_MMIO_MAGIC       0x000
#define VIRTIO_MMIO_VERSION     0x004
#define VIRTIO_MMIO_DEVICE_ID   0x008
#define VIRTIO_MMIO_MAGIC_VALUE 0x74726976      /* "virt" */

#define E820_RAM                1
#define E820_RESERVED           2
#define E820_MAX_ENTRIES        32

#define ACPI_RSDP_SIZE          36      /* ACPI 2.0 and later */
#define ACPI_HEADER_SIZE        36
#define ACPI_MADT_ENTRIES       44      /* header, LAPIC address, flags */
#define ACPI_MADT_LAPIC         0
#define ACPI_MADT_IOAPIC        1
#define ACPI_MADT_OVERRIDE      2

/* Linux boot protocol setup header (Documentation/arch/x86/boot.rst) */
#define BZ_SETUP_SECTS          0x1f1
#define BZ_SYSSIZE              0x1f4
#define BZ_BOOT_FLAG            0x1fe
#define BZ_HEADER               0x202
#define BZ_VERSION              0x206
#define BZ_LOADFLAGS            0x211
#define BZ_CODE32_START         0x214
#define BZ_INITRD_ADDR_MAX      0x22c
#define BZ_KERNEL_ALIGNMENT     0x230
#define BZ_RELOCATABLE          0x234
#define BZ_CMDLINE_SIZE         0x238
#define BZ_PREF_ADDRESS         0x258
#define BZ_INIT_SIZE            0x260
#define BZ_HEADER_END           0x268
/* The synthetic bzImage: 4 setup sectors + the boot sector, 4 KiB kernel */
#define BZ_TEST_SETUP_SECTS     4
#define BZ_TEST_SETUP_LEN       ((BZ_TEST_SETUP_SECTS + 1) * 512)
#define BZ_TEST_KERNEL_LEN      4096
#define BZ_TEST_SIZE            (BZ_TEST_SETUP_LEN + BZ_TEST_KERNEL_LEN)

/* Guest RAM the qtest-accelerator tests use for fw_cfg DMA */
#define SCRATCH_ADDR            0x10000

/* How long the boot tests wait for the payload's "done" marker */
#define BOOT_TIMEOUT_S          60

/* CPU seconds a QEMU spawned by the bad-option tests may use */
#define SPAWN_CPU_LIMIT_S       30

/* Bounded reads of fw_cfg items whose size the machine decides */
#define FW_CFG_ITEM_MAX         (1 * MiB)

#define CR0_PE                  (1u << 0)
#define CR0_ET                  (1u << 4)
#define CR0_PG                  (1u << 31)
#define CR4_PAE                 (1u << 5)
#define CR4_LA57                (1u << 12)
#define EFER_LME                (1u << 8)
#define EFER_LMA                (1u << 10)
#define EFLAGS_TF               (1u << 8)
#define EFLAGS_IF               (1u << 9)
#define EFLAGS_VM               (1u << 17)

typedef struct E820Entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
} E820Entry;

/* The contents of etc/microvm/kernel, see roms/qboot/README.md */
typedef struct QEMU_PACKED MicrovmKernelInfo {
    char magic[4];
    uint32_t version;
    uint32_t protocol;
    uint32_t flags;
    uint64_t entry;
    uint64_t load_start;
    uint64_t load_end;
} MicrovmKernelInfo;

/* ---- Helpers: launching the machine ---- */

static QTestState *microvm_init(const char *machine_opts, const char *args)
{
    return qtest_initf("-M microvm%s%s -nodefaults %s",
                       machine_opts[0] ? "," : "", machine_opts, args);
}

static const char *payload_path(void)
{
#ifdef MICROVM_PVH_CHECK
    return MICROVM_PVH_CHECK;
#else
    return NULL;
#endif
}

static const char *bzimage_path(void)
{
#ifdef MICROVM_BZIMAGE_CHECK
    return MICROVM_BZIMAGE_CHECK;
#else
    return NULL;
#endif
}

static const char *multiboot_path(void)
{
#ifdef MICROVM_MULTIBOOT_CHECK
    return MICROVM_MULTIBOOT_CHECK;
#else
    return NULL;
#endif
}

/* Skip the calling test when the payload was not built (non-x86 host) */
static const char *require_payload(void)
{
    const char *path = payload_path();

    if (!path) {
        g_test_skip("pvh-check payload not built on this host");
    }
    return path;
}

/* A deterministic initrd of @len bytes in @dir; returns its path */
static char *make_initrd(const char *dir, size_t len)
{
    g_autofree uint8_t *buf = g_malloc(len);
    char *path = g_build_filename(dir, "initrd.img", NULL);
    size_t i;

    for (i = 0; i < len; i++) {
        buf[i] = (i * 131 + (i >> 8) * 7 + 0x5a) & 0xff;
    }
    g_assert_true(g_file_set_contents(path, (char *)buf, len, NULL));
    return path;
}

static uint32_t fnv1a(const uint8_t *buf, size_t len)
{
    uint32_t h = PVH_CHECK_FNV_BASIS;
    size_t i;

    for (i = 0; i < len; i++) {
        h = (h ^ buf[i]) * PVH_CHECK_FNV_PRIME;
    }
    return h;
}

/* ---- Helpers: fw_cfg ---- */

/* Read a whole fw_cfg file (bounded); NULL and *size 0 if absent */
static uint8_t *fw_cfg_file(QFWCFG *fw_cfg, const char *name, size_t *size)
{
    g_autofree uint8_t *buf = g_malloc0(FW_CFG_ITEM_MAX);
    size_t len = qfw_cfg_get_file(fw_cfg, name, buf, FW_CFG_ITEM_MAX);

    *size = len;
    if (!len) {
        return NULL;
    }
    g_assert_cmpuint(len, <=, FW_CFG_ITEM_MAX);
    return g_steal_pointer(&buf);
}

/* Read etc/e820; returns the number of entries, sorted by address */
static int fw_cfg_e820(QFWCFG *fw_cfg, E820Entry *e, int max)
{
    g_autofree uint8_t *raw = NULL;
    size_t size;
    int i, n, a, b;

    raw = fw_cfg_file(fw_cfg, "etc/e820", &size);
    g_assert_nonnull(raw);
    g_assert_cmpuint(size % 20, ==, 0);
    n = size / 20;
    g_assert_cmpint(n, <=, max);
    for (i = 0; i < n; i++) {
        e[i].addr = ldq_le_p(raw + i * 20);
        e[i].size = ldq_le_p(raw + i * 20 + 8);
        e[i].type = ldl_le_p(raw + i * 20 + 16);
    }
    for (a = 1; a < n; a++) {
        for (b = a; b > 0 && e[b - 1].addr > e[b].addr; b--) {
            E820Entry t = e[b];
            e[b] = e[b - 1];
            e[b - 1] = t;
        }
    }
    return n;
}

/* The e820 map of roms/qboot/README.md for @ram bytes of RAM */
static int expected_e820(uint64_t ram, E820Entry *e)
{
    uint64_t below = MIN(ram, 3 * GiB);
    int n = 0;

    e[n++] = (E820Entry) { 0, 0x9fc00, E820_RAM };
    e[n++] = (E820Entry) { 0x9fc00, 0x400, E820_RESERVED };
    e[n++] = (E820Entry) { 0xf0000, 0x10000, E820_RESERVED };
    e[n++] = (E820Entry) { 1 * MiB, below - 1 * MiB, E820_RAM };
    if (ram > below) {
        e[n++] = (E820Entry) { 4 * GiB, ram - below, E820_RAM };
    }
    return n;
}

static void assert_e820_equal(const E820Entry *got, int n_got,
                              const E820Entry *want, int n_want)
{
    int i;

    for (i = 0; i < n_got; i++) {
        g_test_message("e820[%d]: 0x%" PRIx64 " +0x%" PRIx64 " type %u",
                       i, got[i].addr, got[i].size, got[i].type);
    }
    g_assert_cmpint(n_got, ==, n_want);
    for (i = 0; i < n_want; i++) {
        g_assert_cmphex(got[i].addr, ==, want[i].addr);
        g_assert_cmphex(got[i].size, ==, want[i].size);
        g_assert_cmpuint(got[i].type, ==, want[i].type);
    }
}

/* Read FW_CFG_CMDLINE_{SIZE,DATA}; the size includes the NUL */
static char *fw_cfg_cmdline(QFWCFG *fw_cfg)
{
    uint32_t size = qfw_cfg_get_u32(fw_cfg, FW_CFG_CMDLINE_SIZE);
    char *buf;

    g_assert_cmpuint(size, >=, 1);
    g_assert_cmpuint(size, <=, FW_CFG_ITEM_MAX);
    buf = g_malloc0(size + 1);
    qfw_cfg_get(fw_cfg, FW_CFG_CMDLINE_DATA, buf, size);
    g_assert_cmpint(buf[size - 1], ==, '\0');
    g_assert_cmpuint(strlen(buf), ==, size - 1);
    return buf;
}

/*
 * Read @len bytes of the selected fw_cfg item through the DMA interface
 * into guest RAM at SCRATCH_ADDR + 0x100, the access structure at
 * SCRATCH_ADDR; returns the control word the device left.
 */
static uint32_t fw_cfg_dma_read(QTestState *qts, uint16_t key, uint32_t len)
{
    struct fw_cfg_dma_access access = {
        .control = cpu_to_be32(((uint32_t)key << 16) |
                               FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ),
        .length = cpu_to_be32(len),
        .address = cpu_to_be64(SCRATCH_ADDR + 0x100),
    };

    qtest_memwrite(qts, SCRATCH_ADDR, &access, sizeof(access));
    qtest_outl(qts, FW_CFG_DMA_ADDR_HI, cpu_to_be32(0));
    qtest_outl(qts, FW_CFG_DMA_ADDR_LO, cpu_to_be32(SCRATCH_ADDR));
    return be32_to_cpu(qtest_readl(qts, SCRATCH_ADDR));
}

/* ---- Helpers: the payload's ELF image ---- */

typedef struct ElfImage {
    uint8_t *data;
    size_t size;
    uint64_t entry;         /* from the Xen PHYS32_ENTRY note */
    uint64_t load_start;
    uint64_t load_end;
    size_t note_offset;     /* file offset of the PT_NOTE program header */
    size_t note_data;       /* file offset of the first note */
    size_t load_offset;     /* first PT_LOAD with file bytes: offset */
    uint64_t load_paddr;    /* ... its address and file size */
    uint64_t load_filesz;
} ElfImage;

/* Parse our own payload; it is trusted, a failed assertion means a bug */
static void elf_image_load(const char *path, ElfImage *img)
{
    const Elf32_Ehdr *eh;
    int i;

    memset(img, 0, sizeof(*img));
    g_assert_true(g_file_get_contents(path, (char **)&img->data,
                                      &img->size, NULL));
    g_assert_cmpuint(img->size, >=, sizeof(Elf32_Ehdr));
    eh = (const Elf32_Ehdr *)img->data;
    g_assert_cmpmem(eh->e_ident, SELFMAG, ELFMAG, SELFMAG);
    g_assert_cmpuint(eh->e_ident[EI_CLASS], ==, ELFCLASS32);
    img->load_start = UINT64_MAX;
    for (i = 0; i < le16_to_cpu(eh->e_phnum); i++) {
        size_t off = le32_to_cpu(eh->e_phoff) + i * sizeof(Elf32_Phdr);
        const Elf32_Phdr *ph = (const Elf32_Phdr *)(img->data + off);
        uint32_t type = le32_to_cpu(ph->p_type);

        g_assert_cmpuint(off + sizeof(*ph), <=, img->size);
        if (type == PT_LOAD) {
            uint64_t start = le32_to_cpu(ph->p_paddr);

            img->load_start = MIN(img->load_start, start);
            img->load_end = MAX(img->load_end,
                                start + le32_to_cpu(ph->p_memsz));
            if (!img->load_filesz && ph->p_filesz) {
                img->load_offset = le32_to_cpu(ph->p_offset);
                img->load_paddr = start;
                img->load_filesz = le32_to_cpu(ph->p_filesz);
            }
        } else if (type == PT_NOTE) {
            const uint8_t *n;

            img->note_offset = off;
            img->note_data = le32_to_cpu(ph->p_offset);
            n = img->data + img->note_data;
            /* namesz 4 "Xen\0", descsz 4, XEN_ELFNOTE_PHYS32_ENTRY */
            g_assert_cmpuint(ldl_le_p(n + 8), ==, 18);
            img->entry = ldl_le_p(n + 16);
        }
    }
    g_assert_cmpuint(img->load_filesz, >, 0);
    g_assert_cmphex(img->entry, !=, 0);
}

static void elf_image_free(ElfImage *img)
{
    g_free(img->data);
}

/* ---- fw_cfg: the interface ---- */

static void test_fw_cfg_signature(void)
{
    QTestState *qts = microvm_init("", "");
    QFWCFG *fw_cfg = pc_fw_cfg_init(qts);
    char sig[5] = "";

    qfw_cfg_get(fw_cfg, FW_CFG_SIGNATURE, sig, 4);
    g_assert_cmpstr(sig, ==, "QEMU");

    pc_fw_cfg_uninit(fw_cfg);
    qtest_quit(qts);
}

static void test_fw_cfg_id(void)
{
    QTestState *qts = microvm_init("", "");
    QFWCFG *fw_cfg = pc_fw_cfg_init(qts);
    uint32_t id = qfw_cfg_get_u32(fw_cfg, FW_CFG_ID);

    g_assert_cmphex(id & FW_CFG_VERSION, ==, FW_CFG_VERSION);
    g_assert_cmphex(id & FW_CFG_VERSION_DMA, ==, FW_CFG_VERSION_DMA);

    pc_fw_cfg_uninit(fw_cfg);
    qtest_quit(qts);
}

/* The DMA address register reads as "QEMU CFG" (big-endian) */
static void test_fw_cfg_dma_signature(void)
{
    QTestState *qts = microvm_init("", "");
    uint32_t hi = be32_to_cpu(qtest_inl(qts, FW_CFG_DMA_ADDR_HI));
    uint32_t lo = be32_to_cpu(qtest_inl(qts, FW_CFG_DMA_ADDR_LO));

    g_assert_cmphex(((uint64_t)hi << 32) | lo, ==, FW_CFG_DMA_SIGNATURE);
    qtest_quit(qts);
}

/* A DMA read of FW_CFG_SIGNATURE lands in guest RAM and completes */
static void test_fw_cfg_dma_read(void)
{
    QTestState *qts = microvm_init("", "");
    char sig[5] = "";
    uint32_t control;

    control = fw_cfg_dma_read(qts, FW_CFG_SIGNATURE, 4);
    g_assert_cmphex(control, ==, 0);
    qtest_memread(qts, SCRATCH_ADDR + 0x100, sig, 4);
    g_assert_cmpstr(sig, ==, "QEMU");
    qtest_quit(qts);
}

/* ---- Interrupt controllers ---- */

static void test_ioapic_version(void)
{
    QTestState *qts = microvm_init("", "");
    uint32_t ver;

    qtest_writel(qts, IOAPIC_BASE + IOAPIC_IOREGSEL, IOAPIC_REG_VERSION);
    ver = qtest_readl(qts, IOAPIC_BASE + IOAPIC_IOWIN);
    g_test_message("IOAPIC version register 0x%08x", ver);
    /* QEMU's IOAPIC: version 0x11 or 0x20, 24 pins */
    g_assert_true((ver & 0xff) == 0x11 || (ver & 0xff) == 0x20);
    g_assert_cmpuint((ver >> 16) & 0xff, ==, 23);
    qtest_quit(qts);
}

/* ---- virtio-mmio transports ---- */

static uint32_t virtio_reg(QTestState *qts, int i, uint64_t reg)
{
    return qtest_readl(qts, VIRTIO_MMIO_BASE + i * VIRTIO_MMIO_STRIDE + reg);
}

/* @n transports answer "virt", the one after the last does not */
static void assert_transports_n(QTestState *qts, int n, uint32_t version)
{
    int i;

    for (i = 0; i < n; i++) {
        g_assert_cmphex(virtio_reg(qts, i, VIRTIO_MMIO_MAGIC), ==,
                        VIRTIO_MMIO_MAGIC_VALUE);
        g_assert_cmpuint(virtio_reg(qts, i, VIRTIO_MMIO_VERSION), ==,
                         version);
    }
    g_assert_cmphex(virtio_reg(qts, i, VIRTIO_MMIO_MAGIC), !=,
                    VIRTIO_MMIO_MAGIC_VALUE);
}

static void assert_transports(QTestState *qts, uint32_t version)
{
    assert_transports_n(qts, VIRTIO_MMIO_TRANSPORTS, version);
}

static void test_virtio_mmio_empty(void)
{
    QTestState *qts = microvm_init("acpi=off", "");
    int i;

    assert_transports(qts, 2);
    for (i = 0; i < VIRTIO_MMIO_TRANSPORTS; i++) {
        g_assert_cmpuint(virtio_reg(qts, i, VIRTIO_MMIO_DEVICE_ID), ==, 0);
    }
    qtest_quit(qts);
}

static void test_virtio_mmio_legacy(void)
{
    QTestState *qts = microvm_init("acpi=off",
                                   "-global virtio-mmio.force-legacy=on");

    assert_transports(qts, 1);
    qtest_quit(qts);
}

typedef struct VirtioDeviceCase {
    const char *name;       /* test path component */
    const char *device;     /* the -device driver */
    const char *args;       /* the rest of the command line */
    uint32_t device_id;     /* virtio device ID (virtio spec 5) */
} VirtioDeviceCase;

static const VirtioDeviceCase virtio_device_cases[] = {
    { "net", "virtio-net-device", "-device virtio-net-device", 1 },
    { "blk", "virtio-blk-device",
      "-blockdev driver=null-co,node-name=disk0 "
      "-device virtio-blk-device,drive=disk0", 2 },
    { "serial", "virtio-serial-device", "-device virtio-serial-device", 3 },
    { "rng", "virtio-rng-device", "-device virtio-rng-device", 4 },
    { "balloon", "virtio-balloon-device", "-device virtio-balloon-device", 5 },
};

/* Index of the one transport with a device, asserting it is the only one */
static int plugged_transport(QTestState *qts, uint32_t device_id)
{
    int i, found = -1;

    for (i = 0; i < VIRTIO_MMIO_TRANSPORTS; i++) {
        uint32_t id = virtio_reg(qts, i, VIRTIO_MMIO_DEVICE_ID);

        if (id) {
            g_assert_cmpint(found, ==, -1);
            g_assert_cmpuint(id, ==, device_id);
            found = i;
        }
    }
    g_assert_cmpint(found, >=, 0);
    return found;
}

static void test_virtio_mmio_device(const void *opaque)
{
    const VirtioDeviceCase *c = opaque;
    QTestState *qts;
    int i;

    if (!qtest_has_device(c->device)) {
        g_test_skip("device not in this build");
        return;
    }
    qts = microvm_init("acpi=off", c->args);
    i = plugged_transport(qts, c->device_id);
    g_test_message("%s on transport %d", c->device, i);
    g_assert_cmphex(virtio_reg(qts, i, VIRTIO_MMIO_MAGIC), ==,
                    VIRTIO_MMIO_MAGIC_VALUE);
    g_assert_cmpuint(virtio_reg(qts, i, VIRTIO_MMIO_VERSION), ==, 2);
    qtest_quit(qts);
}

/* ---- The second IOAPIC and the transport count it brings ---- */

typedef struct IrqLayoutCase {
    const char *name;       /* test path component */
    const char *machine;    /* machine options */
    bool ioapic2;           /* the second IOAPIC answers */
    int transports;
} IrqLayoutCase;

static const IrqLayoutCase irq_layout_cases[] = {
    { "default", "", true, VIRTIO_MMIO_TRANSPORTS_MAX },
    { "ioapic2-on", "ioapic2=on", true, VIRTIO_MMIO_TRANSPORTS_MAX },
    { "ioapic2-off", "ioapic2=off", false, VIRTIO_MMIO_TRANSPORTS },
    { "acpi-off", "acpi=off", false, VIRTIO_MMIO_TRANSPORTS },
};

static uint32_t ioapic_version(QTestState *qts, uint64_t base)
{
    qtest_writel(qts, base + IOAPIC_IOREGSEL, IOAPIC_REG_VERSION);
    return qtest_readl(qts, base + IOAPIC_IOWIN);
}

/* An IOAPIC at 0xfec10000: QEMU's version register, 24 pins */
static void test_ioapic2(const void *opaque)
{
    const IrqLayoutCase *c = opaque;
    QTestState *qts = microvm_init(c->machine, "");
    uint32_t ver = ioapic_version(qts, IOAPIC2_BASE);
    bool present = ((ver & 0xff) == 0x11 || (ver & 0xff) == 0x20) &&
                   ((ver >> 16) & 0xff) == 23;

    g_test_message("0xfec10000 version register 0x%08x", ver);
    g_assert_cmpint(present, ==, c->ioapic2);
    /* the first IOAPIC is there either way */
    g_assert_cmpuint((ioapic_version(qts, IOAPIC_BASE) >> 16) & 0xff, ==,
                     23);
    qtest_quit(qts);
}

static void test_virtio_mmio_count(const void *opaque)
{
    const IrqLayoutCase *c = opaque;
    QTestState *qts = microvm_init(c->machine, "");

    assert_transports_n(qts, c->transports, 2);
    qtest_quit(qts);
}

/* ---- ACPI tables in fw_cfg (before the firmware links them) ---- */

static const char *const acpi_files[] = {
    "etc/acpi/rsdp", "etc/acpi/tables", "etc/table-loader",
};

typedef struct AcpiFilesCase {
    const char *name;
    const char *machine;
    bool present;
} AcpiFilesCase;

static const AcpiFilesCase acpi_files_cases[] = {
    { "default", "", true },
    { "acpi-on", "acpi=on", true },
    { "acpi-off", "acpi=off", false },
};

static void test_acpi_files(const void *opaque)
{
    const AcpiFilesCase *c = opaque;
    QTestState *qts = microvm_init(c->machine, "");
    QFWCFG *fw_cfg = pc_fw_cfg_init(qts);
    int i;

    for (i = 0; i < ARRAY_SIZE(acpi_files); i++) {
        g_autofree uint8_t *raw = NULL;
        size_t size;

        raw = fw_cfg_file(fw_cfg, acpi_files[i], &size);
        g_test_message("%s: %zu bytes", acpi_files[i], size);
        g_assert_cmpint(raw != NULL, ==, c->present);
    }
    pc_fw_cfg_uninit(fw_cfg);
    qtest_quit(qts);
}

typedef struct AcpiBlob {
    uint8_t *data;
    size_t size;
} AcpiBlob;

/* Read etc/acpi/tables (ACPI must be on) */
static void acpi_blob_read(QTestState *qts, AcpiBlob *blob)
{
    QFWCFG *fw_cfg = pc_fw_cfg_init(qts);

    blob->data = fw_cfg_file(fw_cfg, "etc/acpi/tables", &blob->size);
    g_assert_nonnull(blob->data);
    pc_fw_cfg_uninit(fw_cfg);
}

/*
 * Find table @sig in the blob, whose tables lie back to back, each with
 * a sound length and checksum; NULL if absent
 */
static const uint8_t *acpi_find(const AcpiBlob *blob, const char *sig,
                                uint32_t *len)
{
    size_t off = 0;

    while (off < blob->size) {
        const uint8_t *t = blob->data + off;
        uint32_t l;

        g_assert_cmpuint(off + ACPI_HEADER_SIZE, <=, blob->size);
        l = ldl_le_p(t + 4);
        g_assert_cmpuint(l, >=, ACPI_HEADER_SIZE);
        g_assert_cmpuint(off + l, <=, blob->size);
        if (!memcmp(t, sig, 4)) {
            *len = l;
            return t;
        }
        off += l;
    }
    return NULL;
}

typedef struct AcpiTablesCase {
    const char *name;
    const char *machine;
    bool mcfg;
} AcpiTablesCase;

static const AcpiTablesCase acpi_tables_cases[] = {
    { "default", "", false },
    { "pcie-off", "pcie=off", false },
    { "pcie-on", "pcie=on", true },
};

static void test_acpi_tables(const void *opaque)
{
    const AcpiTablesCase *c = opaque;
    static const char *const sigs[] = { "DSDT", "FACP", "APIC", "XSDT" };
    QTestState *qts = microvm_init(c->machine, "");
    AcpiBlob blob;
    uint32_t len;
    int i;

    acpi_blob_read(qts, &blob);
    for (i = 0; i < ARRAY_SIZE(sigs); i++) {
        g_assert_nonnull(acpi_find(&blob, sigs[i], &len));
    }
    g_assert_cmpint(acpi_find(&blob, "MCFG", &len) != NULL, ==, c->mcfg);
    g_assert_null(acpi_find(&blob, "ERST", &len));     /* no acpi-erst */
    if (c->mcfg) {
        const uint8_t *mcfg = acpi_find(&blob, "MCFG", &len);

        /* one allocation: ECAM base 0xe0000000, buses 0.. */
        g_assert_cmpuint(len, ==, ACPI_HEADER_SIZE + 8 + 16);
        g_assert_cmphex(ldq_le_p(mcfg + 44), ==, 0xe0000000);
        g_assert_cmpuint(mcfg[44 + 10], ==, 0);
    }
    g_free(blob.data);
    qtest_quit(qts);
}

/*
 * ERST: the acpi-erst device's registers are given by the address of its
 * BAR 0, which firmware assigns.  The tables are built again on the first
 * fw_cfg selection after a reset, so they follow the BAR: unassigned at
 * first, the address the "firmware" (this test, through ECAM) assigned,
 * and unassigned again after a reset clears it.
 */
#define ERST_DEVFN_SLOT     2
#define ERST_BAR0           0xc0001000u     /* in the 32-bit PCIe window */
#define ERST_FIRST_ADDRESS  56      /* first instruction's register address */

static uint64_t erst_register_address(QTestState *qts)
{
    AcpiBlob blob;
    const uint8_t *erst;
    uint32_t len;
    uint64_t addr;

    acpi_blob_read(qts, &blob);
    erst = acpi_find(&blob, "ERST", &len);
    g_assert_nonnull(erst);
    g_assert_cmpuint(len, >, ERST_FIRST_ADDRESS + 8);
    addr = ldq_le_p(erst + ERST_FIRST_ADDRESS);
    g_free(blob.data);
    return addr;
}

static void test_acpi_erst(void)
{
    g_autofree char *dir = g_dir_make_tmp("microvm-test-XXXXXX", NULL);
    g_autofree char *args = g_strdup_printf(
        "-object memory-backend-file,id=erst,mem-path=%s,size=0x10000,"
        "share=on -device acpi-erst,memdev=erst,addr=%d", dir,
        ERST_DEVFN_SLOT);
    QTestState *qts;
    uint64_t cfg = 0xe0000000 + (ERST_DEVFN_SLOT << 15);

    if (!qtest_has_device("acpi-erst")) {
        g_test_skip("acpi-erst not built");
        rmdir(dir);
        return;
    }
    qts = microvm_init("pcie=on", args);
    /* vendor Red Hat, device ACPI ERST */
    g_assert_cmphex(qtest_readl(qts, cfg), ==, 0x00121b36);

    /* built at init with BAR 0 unassigned; read after it is assigned */
    qtest_writel(qts, cfg + PCI_BASE_ADDRESS_0, ERST_BAR0);
    qtest_writew(qts, cfg + PCI_COMMAND, PCI_COMMAND_MEMORY);
    g_assert_cmphex(erst_register_address(qts), ==, ERST_BAR0);

    /* one build per boot: a later BAR move does not change the tables */
    qtest_writel(qts, cfg + PCI_BASE_ADDRESS_0, ERST_BAR0 + 0x1000);
    g_assert_cmphex(erst_register_address(qts), ==, ERST_BAR0);

    /* a reset unassigns the BAR; the next boot's tables say so */
    qtest_system_reset(qts);
    g_assert_cmphex(qtest_readl(qts, cfg + PCI_BASE_ADDRESS_0), ==, 0);
    g_assert_cmphex(erst_register_address(qts), ==, UINT64_MAX);
    qtest_quit(qts);
    rmdir(dir);
}

typedef struct MadtCase {
    const char *name;
    const char *machine;
    int smp;
    int lapics;
    int ioapics;
    bool pit_override;
} MadtCase;

static const MadtCase madt_cases[] = {
    { "smp1", "", 1, 1, 2, true },
    { "smp4", "", 4, 4, 2, true },
    { "ioapic2-off", "ioapic2=off", 1, 1, 1, true },
    { "pit-off", "pit=off", 1, 1, 2, false },
};

static void test_acpi_madt(const void *opaque)
{
    const MadtCase *c = opaque;
    static const uint64_t ioapic_addr[] = { IOAPIC_BASE, IOAPIC2_BASE };
    g_autofree char *args = g_strdup_printf("-smp %d", c->smp);
    QTestState *qts = microvm_init(c->machine, args);
    const uint8_t *madt, *e;
    int lapics = 0, ioapics = 0, overrides = 0;
    AcpiBlob blob;
    uint32_t len, off;

    acpi_blob_read(qts, &blob);
    madt = acpi_find(&blob, "APIC", &len);
    g_assert_nonnull(madt);
    g_assert_cmphex((uint32_t)ldl_le_p(madt + 36), ==, LAPIC_BASE);
    for (off = ACPI_MADT_ENTRIES; off < len; off += e[1]) {
        e = madt + off;
        g_assert_cmpuint(off + 2, <=, len);
        g_assert_cmpuint(e[1], >=, 2);
        g_assert_cmpuint(off + e[1], <=, len);
        switch (e[0]) {
        case ACPI_MADT_LAPIC:
            g_assert_cmpuint(e[1], ==, 8);
            g_assert_cmpuint(e[3], ==, lapics);         /* APIC ID */
            g_assert_cmphex(ldl_le_p(e + 4) & 1, ==, 1); /* enabled */
            lapics++;
            break;
        case ACPI_MADT_IOAPIC:
            g_assert_cmpuint(e[1], ==, 12);
            g_assert_cmpint(ioapics, <, ARRAY_SIZE(ioapic_addr));
            g_assert_cmphex((uint32_t)ldl_le_p(e + 4), ==,
                            ioapic_addr[ioapics]);
            g_assert_cmpuint(ldl_le_p(e + 8), ==, ioapics * 24);
            ioapics++;
            break;
        case ACPI_MADT_OVERRIDE:
            g_assert_cmpuint(e[1], ==, 10);
            g_assert_cmpuint(e[2], ==, 0);              /* bus ISA */
            g_assert_cmpuint(e[3], ==, 0);              /* IRQ 0 */
            g_assert_cmpuint(ldl_le_p(e + 4), ==, 2);   /* GSI 2 */
            overrides++;
            break;
        }
    }
    g_assert_cmpint(lapics, ==, c->lapics);
    g_assert_cmpint(ioapics, ==, c->ioapics);
    g_assert_cmpint(overrides, ==, c->pit_override ? 1 : 0);
    g_free(blob.data);
    qtest_quit(qts);
}

typedef struct DsdtCase {
    const char *name;
    const char *machine;
    const char *args;
    int virtio_devices;     /* LNRO0005 devices in the DSDT */
} DsdtCase;

static const DsdtCase dsdt_cases[] = {
    { "none", "", "", 0 },
    { "net", "", "-device virtio-net-device", 1 },
    { "net-rng", "", "-device virtio-net-device -device virtio-rng-device",
      2 },
    { "net-ioapic2-off", "ioapic2=off", "-device virtio-net-device", 1 },
};

static void test_acpi_dsdt_virtio(const void *opaque)
{
    const DsdtCase *c = opaque;
    static const char hid[] = "LNRO0005";
    QTestState *qts = microvm_init(c->machine, c->args);
    const uint8_t *dsdt;
    AcpiBlob blob;
    uint32_t len, i;
    int found = 0;

    acpi_blob_read(qts, &blob);
    dsdt = acpi_find(&blob, "DSDT", &len);
    g_assert_nonnull(dsdt);
    for (i = ACPI_HEADER_SIZE; i + strlen(hid) <= len; i++) {
        found += !memcmp(dsdt + i, hid, strlen(hid));
    }
    g_assert_cmpint(found, ==, c->virtio_devices);
    g_free(blob.data);
    qtest_quit(qts);
}

/* ---- Device tree (etc/fdt) ---- */

#define FDT_MAGIC               0xd00dfeed
#define FDT_BEGIN_NODE          1
#define FDT_END_NODE            2
#define FDT_PROP                3
#define FDT_NOP                 4
#define FDT_END                 9

static uint32_t fdt32(const uint8_t *p)
{
    return (uint32_t)ldl_be_p(p);
}

/*
 * Walk a flattened device tree whose header and structure block must be
 * sound and lie within @size bytes; return the full path of every node
 * and set *@compatible to the root node's "compatible" (NUL-terminated).
 */
static GPtrArray *fdt_nodes(const uint8_t *fdt, size_t size,
                            const char **compatible)
{
    GPtrArray *nodes = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) stack = g_ptr_array_new_with_free_func(g_free);
    uint32_t off, end, strings, strings_size, tag;

    g_assert_cmpuint(size, >=, 40);
    g_assert_cmphex(fdt32(fdt), ==, FDT_MAGIC);
    g_assert_cmpuint(fdt32(fdt + 4), ==, size);          /* totalsize */
    g_assert_cmpuint(fdt32(fdt + 20), ==, 17);           /* version */
    off = fdt32(fdt + 8);
    end = off + fdt32(fdt + 36);
    strings = fdt32(fdt + 12);
    strings_size = fdt32(fdt + 32);
    g_assert_cmpuint(end, <=, size);
    g_assert_cmpuint(strings + strings_size, <=, size);
    *compatible = NULL;
    do {
        g_assert_cmpuint(off + 4, <=, end);
        tag = fdt32(fdt + off);
        off += 4;
        switch (tag) {
        case FDT_BEGIN_NODE: {
            const char *name = (const char *)fdt + off;
            size_t len = strnlen(name, end - off);
            const char *parent = stack->len ?
                g_ptr_array_index(stack, stack->len - 1) : NULL;
            char *path;

            g_assert_cmpuint(off + len, <, end);
            path = !parent ? g_strdup("/") :
                   g_str_equal(parent, "/") ? g_strdup_printf("/%s", name) :
                   g_strdup_printf("%s/%s", parent, name);
            g_ptr_array_add(stack, path);
            g_ptr_array_add(nodes, g_strdup(path));
            off += ROUND_UP(len + 1, 4);
            break;
        }
        case FDT_END_NODE:
            g_assert_cmpuint(stack->len, >, 0);
            g_ptr_array_remove_index(stack, stack->len - 1);
            break;
        case FDT_PROP: {
            uint32_t len, name;

            g_assert_cmpuint(off + 8, <=, end);
            len = fdt32(fdt + off);
            name = fdt32(fdt + off + 4);
            g_assert_cmpuint(off + 8 + len, <=, end);
            g_assert_cmpuint(name, <, strings_size);
            g_assert_cmpuint(stack->len, >, 0);
            if (stack->len == 1 &&
                !strcmp((const char *)fdt + strings + name, "compatible")) {
                g_assert_cmpuint(len, >, 0);
                g_assert_cmpint(fdt[off + 8 + len - 1], ==, 0);
                *compatible = (const char *)fdt + off + 8;
            }
            off += 8 + ROUND_UP(len, 4);
            break;
        }
        case FDT_NOP:
        case FDT_END:
            break;
        default:
            g_assert_not_reached();
        }
    } while (tag != FDT_END);
    g_assert_cmpuint(stack->len, ==, 0);
    return nodes;
}

static bool fdt_has(GPtrArray *nodes, const char *path)
{
    return g_ptr_array_find_with_equal_func(nodes, path, g_str_equal, NULL);
}

static unsigned fdt_count(GPtrArray *nodes, const char *prefix)
{
    unsigned i, n = 0;

    for (i = 0; i < nodes->len; i++) {
        n += g_str_has_prefix(g_ptr_array_index(nodes, i), prefix);
    }
    return n;
}

typedef struct FdtCase {
    const char *name;
    const char *machine;
    const char *args;
    unsigned cpus;
    unsigned virtio;        /* virtio_mmio nodes: transports in use */
    bool ioapic2, usb, pcie;
} FdtCase;

static const FdtCase fdt_cases[] = {
    { "default", "", "", 1, 0, true, false, false },
    /* Every optional node; 64 CPU nodes need more room than 1 */
    { "everything", "ioapic2=on,usb=on,pcie=on",
      "-smp 64 -device virtio-rng-device -device virtio-rng-device",
      64, 2, true, true, true },
    { "legacy-irqs", "ioapic2=off", "-device virtio-rng-device",
      1, 1, false, false, false },
};

static void test_fdt(const void *opaque)
{
    const FdtCase *c = opaque;
    QTestState *qts = microvm_init(c->machine, c->args);
    QFWCFG *fw_cfg = pc_fw_cfg_init(qts);
    g_autofree uint8_t *fdt = NULL;
    g_autoptr(GPtrArray) nodes = NULL;
    const char *compatible;
    size_t size;

    fdt = fw_cfg_file(fw_cfg, "etc/fdt", &size);
    g_assert_nonnull(fdt);
    g_test_message("etc/fdt: %zu bytes", size);
    nodes = fdt_nodes(fdt, size, &compatible);
    g_assert_cmpstr(compatible, ==, "linux,microvm");
    g_assert_true(fdt_has(nodes, "/chosen"));
    g_assert_true(fdt_has(nodes, "/memory@0"));
    g_assert_true(fdt_has(nodes, "/cpus/cpu@0"));
    g_assert_cmpuint(fdt_count(nodes, "/cpus/cpu@"), ==, c->cpus);
    g_assert_cmpuint(fdt_count(nodes, "/virtio_mmio@"), ==, c->virtio);
    g_assert_true(fdt_has(nodes, "/ioapic1@fec00000"));
    g_assert_cmpint(fdt_count(nodes, "/ioapic2@"), ==, c->ioapic2);
    g_assert_cmpint(fdt_count(nodes, "/usb@"), ==, c->usb);
    g_assert_cmpint(fdt_count(nodes, "/pcie@"), ==, c->pcie);
    pc_fw_cfg_uninit(fw_cfg);
    qtest_quit(qts);
}

/* ---- Machine options and the legacy devices they control ---- */

typedef struct OptionCase {
    const char *option;     /* machine property */
    const char *args;       /* what else the device needs */
    /* Probe the device, return what it read back */
    uint8_t (*probe)(QTestState *qts);
    uint8_t mask;           /* bits of the read-back value that matter */
    uint8_t present;        /* their value when the device is there */
} OptionCase;

typedef struct OptionTest {
    const OptionCase *c;
    bool on;
} OptionTest;

/* i8259 master: the interrupt mask register (OCW1) reads back */
static uint8_t probe_pic(QTestState *qts)
{
    qtest_outb(qts, 0x21, 0xa5);
    return qtest_inb(qts, 0x21);
}

/* i8254: program counter 0 (mode 2, lo/hi), read its status back */
static uint8_t probe_pit(QTestState *qts)
{
    qtest_outb(qts, 0x43, 0x34);
    qtest_outb(qts, 0x40, 0x34);
    qtest_outb(qts, 0x40, 0x12);
    qtest_outb(qts, 0x43, 0xe2);    /* read-back: status of counter 0 */
    return qtest_inb(qts, 0x40);
}

/* MC146818: a general-purpose CMOS byte reads back */
static uint8_t probe_rtc(QTestState *qts)
{
    qtest_outb(qts, 0x70, 0x34);
    qtest_outb(qts, 0x71, 0x5a);
    qtest_outb(qts, 0x70, 0x34);
    return qtest_inb(qts, 0x71);
}

/* 16550: the scratch register reads back */
static uint8_t probe_serial(QTestState *qts)
{
    qtest_outb(qts, 0x3ff, 0xc3);
    return qtest_inb(qts, 0x3ff);
}

static const OptionCase option_cases[] = {
    { "pic", "", probe_pic, 0xff, 0xa5 },
    /* status: output/null-count bits, then the control word's 0x34 */
    { "pit", "", probe_pit, 0x3f, 0x34 },
    { "rtc", "", probe_rtc, 0xff, 0x5a },
    { "isa-serial", "-serial null", probe_serial, 0xff, 0xc3 },
};

static void test_option(const void *opaque)
{
    const OptionTest *t = opaque;
    g_autofree char *opt = g_strdup_printf("%s=%s", t->c->option,
                                           t->on ? "on" : "off");
    QTestState *qts = microvm_init(opt, t->c->args);
    uint8_t v = t->c->probe(qts);

    if (t->on) {
        g_assert_cmphex(v & t->c->mask, ==, t->c->present);
    } else {
        /* nothing decodes the port: reads float to all ones */
        g_assert_cmphex(v, ==, 0xff);
    }
    qtest_quit(qts);
}

/*
 * Port 0x61 (isa-pcspk): the PIT channel 2 gate and speaker enable bits
 * read back when the PIT is on; otherwise nothing decodes the port
 */
static void test_pcspk_port(const void *opaque)
{
    bool on = *(const bool *)opaque;
    QTestState *qts = microvm_init(on ? "pit=on" : "pit=off", "");
    uint8_t v;

    qtest_outb(qts, 0x61, 0x03);
    v = qtest_inb(qts, 0x61);
    g_test_message("port 0x61 after writing 0x03: 0x%02x", v);
    if (on) {
        g_assert_cmphex(v & 0x03, ==, 0x03);
        qtest_outb(qts, 0x61, 0x00);
        g_assert_cmphex(qtest_inb(qts, 0x61) & 0x03, ==, 0x00);
    } else {
        g_assert_cmphex(v, ==, 0xff);
    }
    qtest_quit(qts);
}

static const bool pcspk_cases[] = { false, true };

/* ---- fw_cfg contents ---- */

static const int smp_cases[] = { 1, 4 };

static void test_fw_cfg_nb_cpus(const void *opaque)
{
    int smp = *(const int *)opaque;
    g_autofree char *args = g_strdup_printf("-smp %d", smp);
    QTestState *qts = microvm_init("", args);
    QFWCFG *fw_cfg = pc_fw_cfg_init(qts);

    g_assert_cmpuint(qfw_cfg_get_u16(fw_cfg, FW_CFG_NB_CPUS), ==, smp);

    pc_fw_cfg_uninit(fw_cfg);
    qtest_quit(qts);
}

typedef struct MemCase {
    const char *name;       /* test path component and -m argument */
    uint64_t size;
} MemCase;

static const MemCase mem_cases[] = {
    { "128M", 128 * MiB },
    { "5G", 5 * GiB },
};

static void test_fw_cfg_ram_size(const void *opaque)
{
    const MemCase *m = opaque;
    g_autofree char *args = g_strdup_printf("-m %s", m->name);
    QTestState *qts = microvm_init("", args);
    QFWCFG *fw_cfg = pc_fw_cfg_init(qts);

    g_assert_cmphex(qfw_cfg_get_u64(fw_cfg, FW_CFG_RAM_SIZE), ==, m->size);

    pc_fw_cfg_uninit(fw_cfg);
    qtest_quit(qts);
}

static void test_fw_cfg_e820(const void *opaque)
{
    const MemCase *m = opaque;
    g_autofree char *args = g_strdup_printf("-m %s", m->name);
    QTestState *qts = microvm_init("", args);
    QFWCFG *fw_cfg = pc_fw_cfg_init(qts);
    E820Entry got[E820_MAX_ENTRIES], want[E820_MAX_ENTRIES];
    int n_got, n_want;

    n_got = fw_cfg_e820(fw_cfg, got, E820_MAX_ENTRIES);
    n_want = expected_e820(m->size, want);
    assert_e820_equal(got, n_got, want, n_want);

    pc_fw_cfg_uninit(fw_cfg);
    qtest_quit(qts);
}

/*
 * A synthetic bzImage of BZ_TEST_SIZE bytes: a protocol 2.15 setup header
 * that passes every check of the contract, deterministic filler elsewhere
 */
static uint8_t *make_bzimage_data(void)
{
    uint8_t *d = g_malloc(BZ_TEST_SIZE);
    size_t i;

    for (i = 0; i < BZ_TEST_SIZE; i++) {
        d[i] = (i * 37 + 11) & 0xff;
    }
    memset(d + BZ_SETUP_SECTS, 0, BZ_HEADER_END - BZ_SETUP_SECTS);
    d[BZ_SETUP_SECTS] = BZ_TEST_SETUP_SECTS;
    stl_le_p(d + BZ_SYSSIZE, BZ_TEST_KERNEL_LEN / 16);
    stw_le_p(d + BZ_BOOT_FLAG, 0xaa55);
    memcpy(d + BZ_HEADER, "HdrS", 4);
    stw_le_p(d + BZ_VERSION, 0x020f);
    d[BZ_LOADFLAGS] = 0x01;                         /* LOADED_HIGH */
    stl_le_p(d + BZ_CODE32_START, 0x100000);
    stl_le_p(d + BZ_INITRD_ADDR_MAX, 0x7fffffff);
    stl_le_p(d + BZ_KERNEL_ALIGNMENT, 0x200000);
    d[BZ_RELOCATABLE] = 1;
    stl_le_p(d + BZ_CMDLINE_SIZE, 2047);
    stq_le_p(d + BZ_PREF_ADDRESS, 0x1000000);
    stl_le_p(d + BZ_INIT_SIZE, 0x100000);
    return d;
}

/* A bzImage published for the firmware: descriptor and the whole file */
static void test_fw_cfg_kernel_bzimage(void)
{
    g_autofree uint8_t *data = make_bzimage_data();
    g_autofree char *dir = g_dir_make_tmp("microvm-test-XXXXXX", NULL);
    g_autofree char *path = NULL;
    g_autofree char *args = NULL;
    g_autofree uint8_t *raw = NULL;
    g_autofree uint8_t *buf = NULL;
    MicrovmKernelInfo info;
    QTestState *qts;
    QFWCFG *fw_cfg;
    size_t size;

    g_assert_nonnull(dir);
    path = g_build_filename(dir, "bzImage", NULL);
    g_assert_true(g_file_set_contents(path, (char *)data, BZ_TEST_SIZE,
                                      NULL));
    args = g_strdup_printf("-kernel %s", path);
    qts = microvm_init("", args);
    fw_cfg = pc_fw_cfg_init(qts);

    raw = fw_cfg_file(fw_cfg, "etc/microvm/kernel", &size);
    g_assert_nonnull(raw);
    g_assert_cmpuint(size, ==, sizeof(info));
    memcpy(&info, raw, sizeof(info));
    g_assert_cmpmem(info.magic, 4, "MVKI", 4);
    g_assert_cmpuint(le32_to_cpu(info.version), ==, 1);
    g_assert_cmpuint(le32_to_cpu(info.protocol), ==, 2);
    g_assert_cmpuint(le32_to_cpu(info.flags), ==, 0);
    g_assert_cmphex(le64_to_cpu(info.entry), ==, 0);
    g_assert_cmphex(le64_to_cpu(info.load_start), ==, 0);
    g_assert_cmphex(le64_to_cpu(info.load_end), ==, 0);

    g_assert_cmpuint(qfw_cfg_get_u32(fw_cfg, FW_CFG_KERNEL_SIZE), ==,
                     BZ_TEST_SIZE);
    g_assert_cmphex(fw_cfg_dma_read(qts, FW_CFG_KERNEL_DATA, BZ_TEST_SIZE),
                    ==, 0);
    buf = g_malloc(BZ_TEST_SIZE);
    qtest_memread(qts, SCRATCH_ADDR + 0x100, buf, BZ_TEST_SIZE);
    g_assert_cmpmem(buf, BZ_TEST_SIZE, data, BZ_TEST_SIZE);

    pc_fw_cfg_uninit(fw_cfg);
    qtest_quit(qts);
    unlink(path);
    rmdir(dir);
}

static void test_fw_cfg_kernel_info(void)
{
    const char *payload = require_payload();
    g_autofree char *args = NULL;
    g_autofree uint8_t *raw = NULL;
    MicrovmKernelInfo info;
    QTestState *qts;
    QFWCFG *fw_cfg;
    ElfImage img;
    size_t size;

    if (!payload) {
        return;
    }
    elf_image_load(payload, &img);
    args = g_strdup_printf("-kernel %s", payload);
    qts = microvm_init("", args);
    fw_cfg = pc_fw_cfg_init(qts);

    raw = fw_cfg_file(fw_cfg, "etc/microvm/kernel", &size);
    g_assert_nonnull(raw);
    g_assert_cmpuint(size, ==, sizeof(info));
    memcpy(&info, raw, sizeof(info));
    g_assert_cmpmem(info.magic, 4, "MVKI", 4);
    g_assert_cmpuint(le32_to_cpu(info.version), ==, 1);
    g_assert_cmpuint(le32_to_cpu(info.protocol), ==, 1);
    g_assert_cmpuint(le32_to_cpu(info.flags), ==, 0);
    g_assert_cmphex(le64_to_cpu(info.entry), ==, img.entry);
    g_assert_cmphex(le64_to_cpu(info.load_start), ==, img.load_start);
    g_assert_cmphex(le64_to_cpu(info.load_end), ==, img.load_end);

    pc_fw_cfg_uninit(fw_cfg);
    qtest_quit(qts);
    elf_image_free(&img);
}

/* Without -kernel there is no descriptor */
static void test_fw_cfg_kernel_info_absent(void)
{
    QTestState *qts = microvm_init("", "");
    QFWCFG *fw_cfg = pc_fw_cfg_init(qts);
    g_autofree uint8_t *raw = NULL;
    size_t size;

    raw = fw_cfg_file(fw_cfg, "etc/microvm/kernel", &size);
    g_assert_null(raw);
    g_assert_cmpuint(size, ==, 0);

    pc_fw_cfg_uninit(fw_cfg);
    qtest_quit(qts);
}

/* The machine placed the PT_LOAD segments: file bytes, then zeroes */
static void test_pvh_segments_loaded(void)
{
    const char *payload = require_payload();
    g_autofree char *args = NULL;
    g_autofree uint8_t *ram = NULL;
    g_autofree uint8_t *zero = NULL;
    QTestState *qts;
    ElfImage img;

    if (!payload) {
        return;
    }
    elf_image_load(payload, &img);
    /* pvh-check.ld and pvh-check.h agree */
    g_assert_cmphex(img.load_start, ==, PVH_CHECK_LOAD_ADDR);
    g_assert_cmphex(PVH_CHECK_RESULT_ADDR + R_SIZE, <=, img.load_end);
    args = g_strdup_printf("-kernel %s", payload);
    qts = microvm_init("", args);

    ram = g_malloc(img.load_filesz);
    qtest_memread(qts, img.load_paddr, ram, img.load_filesz);
    g_assert_cmpmem(ram, img.load_filesz,
                    img.data + img.load_offset, img.load_filesz);
    /* the result block is in the zero-filled part */
    zero = g_malloc0(R_SIZE);
    g_free(ram);
    ram = g_malloc(R_SIZE);
    qtest_memread(qts, PVH_CHECK_RESULT_ADDR, ram, R_SIZE);
    g_assert_cmpmem(ram, R_SIZE, zero, R_SIZE);

    qtest_quit(qts);
    elf_image_free(&img);
}

static void test_fw_cfg_cmdline_append(void)
{
    const char *payload = require_payload();
    const char *append = "console=ttyS0 quiet a=\"b c\"";
    g_autofree char *args = NULL;
    g_autofree char *cmdline = NULL;
    QTestState *qts;
    QFWCFG *fw_cfg;

    if (!payload) {
        return;
    }
    args = g_strdup_printf("-kernel %s -append '%s'", payload, append);
    qts = microvm_init("acpi=off", args);
    fw_cfg = pc_fw_cfg_init(qts);

    cmdline = fw_cfg_cmdline(fw_cfg);
    g_assert_cmpstr(cmdline, ==, append);

    pc_fw_cfg_uninit(fw_cfg);
    qtest_quit(qts);
}

/* With a virtio device and no ACPI, the machine describes it on cmdline */
static void test_fw_cfg_cmdline_auto(void)
{
    const char *payload = require_payload();
    const char *append = "console=ttyS0";
    g_autofree char *args = NULL;
    g_autofree char *cmdline = NULL;
    g_autofree char *want = NULL;
    QTestState *qts;
    QFWCFG *fw_cfg;
    uint64_t base;
    int i;

    if (!payload) {
        return;
    }
    args = g_strdup_printf("-kernel %s -append %s "
                           "-device virtio-net-device", payload, append);
    qts = microvm_init("acpi=off", args);
    fw_cfg = pc_fw_cfg_init(qts);

    i = plugged_transport(qts, 1);
    base = VIRTIO_MMIO_BASE + i * VIRTIO_MMIO_STRIDE;
    want = g_strdup_printf("%s virtio_mmio.device=512@0x%" PRIx64 ":%d",
                           append, base, VIRTIO_MMIO_FIRST_GSI + i);
    cmdline = fw_cfg_cmdline(fw_cfg);
    g_assert_cmpstr(cmdline, ==, want);

    pc_fw_cfg_uninit(fw_cfg);
    qtest_quit(qts);
}

static void test_fw_cfg_cmdline_auto_off(void)
{
    const char *payload = require_payload();
    const char *append = "console=ttyS0";
    g_autofree char *args = NULL;
    g_autofree char *cmdline = NULL;
    QTestState *qts;
    QFWCFG *fw_cfg;

    if (!payload) {
        return;
    }
    args = g_strdup_printf("-kernel %s -append %s "
                           "-device virtio-net-device", payload, append);
    qts = microvm_init("acpi=off,auto-kernel-cmdline=off", args);
    fw_cfg = pc_fw_cfg_init(qts);

    plugged_transport(qts, 1);
    cmdline = fw_cfg_cmdline(fw_cfg);
    g_assert_cmpstr(cmdline, ==, append);

    pc_fw_cfg_uninit(fw_cfg);
    qtest_quit(qts);
}

static void test_fw_cfg_initrd(void)
{
    const char *payload = require_payload();
    g_autofree char *dir = NULL;
    g_autofree char *initrd = NULL;
    g_autofree char *args = NULL;
    g_autofree char *file = NULL;
    g_autofree uint8_t *buf = NULL;
    const size_t len = 12345;
    uint32_t control;
    QTestState *qts;
    QFWCFG *fw_cfg;
    size_t flen;

    if (!payload) {
        return;
    }
    dir = g_dir_make_tmp("microvm-test-XXXXXX", NULL);
    g_assert_nonnull(dir);
    initrd = make_initrd(dir, len);
    g_assert_true(g_file_get_contents(initrd, &file, &flen, NULL));
    args = g_strdup_printf("-kernel %s -initrd %s", payload, initrd);
    qts = microvm_init("", args);
    fw_cfg = pc_fw_cfg_init(qts);

    g_assert_cmpuint(qfw_cfg_get_u32(fw_cfg, FW_CFG_INITRD_SIZE), ==, len);
    /* the data through DMA, so the whole item is read in one go */
    control = fw_cfg_dma_read(qts, FW_CFG_INITRD_DATA, len);
    g_assert_cmphex(control, ==, 0);
    buf = g_malloc(len);
    qtest_memread(qts, SCRATCH_ADDR + 0x100, buf, len);
    g_assert_cmpmem(buf, len, file, flen);

    pc_fw_cfg_uninit(fw_cfg);
    qtest_quit(qts);
    unlink(initrd);
    rmdir(dir);
}

/* ---- Bad options: QEMU exits 1 with one error line ---- */

typedef enum BadKernel {
    KERNEL_NONE,
    KERNEL_GOOD,
    KERNEL_NOT_ELF,
    KERNEL_TRUNCATED_HEADERS,   /* cut inside the program headers */
    KERNEL_TRUNCATED_SEGMENT,   /* cut inside the first segment's bytes */
    KERNEL_NOTE_WRONG_TYPE,     /* a Xen note, but not PHYS32_ENTRY */
    KERNEL_NO_NOTE_SEGMENT,     /* PT_NOTE turned into PT_NULL */
    KERNEL_HUGE_NOTE,           /* a note whose descsz is absurd */
    KERNEL_HUGE_NOTE_NAME,      /* a note whose namesz is absurd */
    KERNEL_HUGE_NOTE_SEGMENT,   /* a PT_NOTE whose p_filesz is absurd */
    KERNEL_BZ_GOOD,             /* the synthetic bzImage */
    KERNEL_BZ_BOOT_FLAG,        /* boot_flag not 0xaa55 */
    KERNEL_BZ_VERSION_209,      /* protocol 2.09 */
    KERNEL_BZ_SETUP_PAST_EOF,   /* setup_sects reach past the end */
    KERNEL_BZ_TRUNCATED,        /* cut inside the setup header */
    KERNEL_MB_GOOD,             /* multiboot-check */
    KERNEL_MB_CHECKSUM,         /* header checksum off by one */
    KERNEL_MB_LOAD_END_BEFORE,  /* load_end_addr below load_addr */
    KERNEL_MB_LOAD_LOW,         /* the whole image moved below 1 MiB */
    KERNEL_MB_ENTRY_OUTSIDE,    /* entry_addr past the loaded bytes */
} BadKernel;

typedef struct BadOptionCase {
    const char *name;
    const char *machine;        /* -M argument */
    BadKernel kernel;
    bool missing_initrd;
    /*
     * What the error line must contain; NULL: the path of the file at
     * fault.  exit_code 0 is the control: valid options, no error.
     */
    const char *expect;
    int exit_code;
    bool bios;                  /* -bios with some file */
    int smp;                    /* -smp; 0: the default */
} BadOptionCase;

static const BadOptionCase bad_option_cases[] = {
    { "control", "microvm", KERNEL_GOOD, false, NULL, 0 },
    { "pic-maybe", "microvm,pic=maybe", KERNEL_NONE, false, "maybe", 1 },
    { "pit-maybe", "microvm,pit=maybe", KERNEL_NONE, false, "maybe", 1 },
    { "rtc-maybe", "microvm,rtc=maybe", KERNEL_NONE, false, "maybe", 1 },
    { "smm-on", "microvm,smm=on", KERNEL_NONE, false, "SMM", 1 },
    { "ioapic2-without-acpi", "microvm,acpi=off,ioapic2=on", KERNEL_NONE,
      false, "ioapic2", 1 },
    { "kernel-not-elf", "microvm", KERNEL_NOT_ELF, false, NULL, 1 },
    { "kernel-truncated-headers", "microvm", KERNEL_TRUNCATED_HEADERS,
      false, NULL, 1 },
    { "kernel-truncated-segment", "microvm", KERNEL_TRUNCATED_SEGMENT,
      false, NULL, 1 },
    { "kernel-no-pvh-note", "microvm", KERNEL_NOTE_WRONG_TYPE,
      false, NULL, 1 },
    { "kernel-no-note-segment", "microvm", KERNEL_NO_NOTE_SEGMENT,
      false, NULL, 1 },
    { "kernel-huge-note", "microvm", KERNEL_HUGE_NOTE, false, NULL, 1 },
    { "kernel-huge-note-name", "microvm", KERNEL_HUGE_NOTE_NAME,
      false, NULL, 1 },
    { "kernel-huge-note-segment", "microvm", KERNEL_HUGE_NOTE_SEGMENT,
      false, NULL, 1 },
    { "initrd-missing", "microvm", KERNEL_GOOD, true, NULL, 1 },
    { "pcie-without-acpi", "microvm,acpi=off,pcie=on", KERNEL_NONE,
      false, "pcie", 1 },
    { "usb-without-acpi", "microvm,acpi=off,usb=on", KERNEL_NONE,
      false, "usb", 1 },
    { "bzimage-control", "microvm", KERNEL_BZ_GOOD, false, NULL, 0 },
    { "bzimage-boot-flag", "microvm", KERNEL_BZ_BOOT_FLAG, false,
      "boot_flag", 1 },
    { "bzimage-version-2.09", "microvm", KERNEL_BZ_VERSION_209, false,
      "2.09", 1 },
    { "bzimage-setup-past-eof", "microvm", KERNEL_BZ_SETUP_PAST_EOF, false,
      "setup_sects", 1 },
    { "bzimage-truncated-header", "microvm", KERNEL_BZ_TRUNCATED, false,
      "truncated", 1 },
    { "multiboot-control", "microvm", KERNEL_MB_GOOD, false, NULL, 0 },
    { "multiboot-checksum", "microvm", KERNEL_MB_CHECKSUM, false,
      "checksum", 1 },
    { "multiboot-load-end-before-load", "microvm",
      KERNEL_MB_LOAD_END_BEFORE, false, "load_end_addr", 1 },
    { "multiboot-below-1M", "microvm", KERNEL_MB_LOAD_LOW, false,
      "not in RAM", 1 },
    { "multiboot-entry-outside", "microvm", KERNEL_MB_ENTRY_OUTSIDE, false,
      "entry_addr", 1 },
    { "direct-boot-control", "microvm,direct-boot=on", KERNEL_GOOD, false,
      NULL, 0 },
    { "direct-boot-no-kernel", "microvm,direct-boot=on", KERNEL_NONE, false,
      "-kernel", 1 },
    { "direct-boot-bios", "microvm,direct-boot=on", KERNEL_GOOD, false,
      "-bios", 1, true },
    { "direct-boot-acpi-off-smp2", "microvm,direct-boot=on,acpi=off",
      KERNEL_GOOD, false, NULL, 0, false, 2 },
    { "direct-boot-multiboot", "microvm,direct-boot=on", KERNEL_MB_GOOD,
      false, NULL, 0 },
    { "direct-boot-multiboot-checksum", "microvm,direct-boot=on",
      KERNEL_MB_CHECKSUM, false, "checksum", 1 },
    { "direct-boot-multiboot-entry-outside", "microvm,direct-boot=on",
      KERNEL_MB_ENTRY_OUTSIDE, false, "entry_addr", 1 },
};

/* Write the kernel image of @kind into @dir; returns its path */
static char *make_kernel(const char *dir, BadKernel kind, const char *good)
{
    char *path = g_build_filename(dir, "kernel.elf", NULL);
    static const char text[] = "this is not an ELF image\n";
    ElfImage img;
    size_t size;

    if (kind == KERNEL_NOT_ELF) {
        g_assert_true(g_file_set_contents(path, text, -1, NULL));
        return path;
    }
    if (kind >= KERNEL_MB_GOOD) {
        g_autofree uint8_t *mb = NULL;
        /* the a.out-kludge header of multiboot-check, at offset 0 */
        uint32_t load_addr, delta = MB_CHECK_LOAD_ADDR - 512 * KiB;

        g_assert_true(g_file_get_contents(multiboot_path(), (char **)&mb,
                                          &size, NULL));
        g_assert_cmphex(ldl_le_p(mb), ==, MB_HEADER_MAGIC);
        load_addr = ldl_le_p(mb + 16);
        g_assert_cmphex(load_addr, ==, MB_CHECK_LOAD_ADDR);
        switch (kind) {
        case KERNEL_MB_GOOD:
            break;
        case KERNEL_MB_CHECKSUM:
            stl_le_p(mb + 8, ldl_le_p(mb + 8) + 1);
            break;
        case KERNEL_MB_LOAD_END_BEFORE:
            stl_le_p(mb + 20, load_addr - 16);
            break;
        case KERNEL_MB_LOAD_LOW:
            /* header_addr, load_addr, bss_end_addr, entry_addr */
            stl_le_p(mb + 12, ldl_le_p(mb + 12) - delta);
            stl_le_p(mb + 16, ldl_le_p(mb + 16) - delta);
            stl_le_p(mb + 24, ldl_le_p(mb + 24) - delta);
            stl_le_p(mb + 28, ldl_le_p(mb + 28) - delta);
            break;
        case KERNEL_MB_ENTRY_OUTSIDE:
            stl_le_p(mb + 28, load_addr + size);
            break;
        default:
            g_assert_not_reached();
        }
        g_assert_true(g_file_set_contents(path, (char *)mb, size, NULL));
        return path;
    }
    if (kind >= KERNEL_BZ_GOOD) {
        g_autofree uint8_t *bz = make_bzimage_data();

        size = BZ_TEST_SIZE;
        switch (kind) {
        case KERNEL_BZ_GOOD:
            break;
        case KERNEL_BZ_BOOT_FLAG:
            stw_le_p(bz + BZ_BOOT_FLAG, 0x55aa);
            break;
        case KERNEL_BZ_VERSION_209:
            stw_le_p(bz + BZ_VERSION, 0x0209);
            break;
        case KERNEL_BZ_SETUP_PAST_EOF:
            /* (20 + 1) * 512 bytes of setup > the file */
            bz[BZ_SETUP_SECTS] = 20;
            break;
        case KERNEL_BZ_TRUNCATED:
            /* "HdrS" and the version are in, init_size is not */
            size = BZ_INIT_SIZE - 0x10;
            break;
        default:
            g_assert_not_reached();
        }
        g_assert_true(g_file_set_contents(path, (char *)bz, size, NULL));
        return path;
    }
    elf_image_load(good, &img);
    size = img.size;
    switch (kind) {
    case KERNEL_GOOD:
        break;
    case KERNEL_TRUNCATED_HEADERS:
        size = sizeof(Elf32_Ehdr) + sizeof(Elf32_Phdr) / 2;
        break;
    case KERNEL_TRUNCATED_SEGMENT:
        size = img.load_offset + img.load_filesz / 2;
        break;
    case KERNEL_NOTE_WRONG_TYPE:
        stl_le_p(img.data + img.note_data + 8, 17);
        break;
    case KERNEL_NO_NOTE_SEGMENT:
        stl_le_p(img.data + img.note_offset, PT_NULL);
        break;
    case KERNEL_HUGE_NOTE:
        stl_le_p(img.data + img.note_data + 4, 0xfffffff0);
        break;
    case KERNEL_HUGE_NOTE_NAME:
        stl_le_p(img.data + img.note_data, 0xfffffff0);
        break;
    case KERNEL_HUGE_NOTE_SEGMENT:
        stl_le_p(img.data + img.note_offset +
                 offsetof(Elf32_Phdr, p_filesz), 0x7ffffff0);
        break;
    default:
        g_assert_not_reached();
    }
    g_assert_true(g_file_set_contents(path, (char *)img.data, size, NULL));
    elf_image_free(&img);
    return path;
}

/*
 * Runs in the child before exec.  A QEMU that accepts its options quits
 * through the monitor; one that spins instead of exiting exceeds this CPU
 * limit and dies from SIGXCPU (or SIGKILL), and the test says so.  (QEMU
 * blocks SIGALRM, so alarm() would not do.)
 */
static void spawn_child_setup(gpointer data)
{
    struct rlimit lim = {
        .rlim_cur = SPAWN_CPU_LIMIT_S,
        .rlim_max = SPAWN_CPU_LIMIT_S + 5,
    };

    setrlimit(RLIMIT_CPU, &lim);
}

static void test_bad_option(const void *opaque)
{
    const BadOptionCase *c = opaque;
    const char *qemu = getenv("QTEST_QEMU_BINARY");
    const char *payload = payload_path();
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *dir = NULL;
    g_autofree char *qmp_in = NULL;
    g_autofree char *qmp_out = NULL;
    g_autofree char *kernel = NULL;
    g_autofree char *initrd = NULL;
    g_autofree char *bios = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(GError) gerr = NULL;
    const char *culprit;
    int status;

    g_assert_nonnull(qemu);
    if (c->kernel != KERNEL_NONE && c->kernel < KERNEL_BZ_GOOD && !payload) {
        g_test_skip("pvh-check payload not built on this host");
        return;
    }
    if (c->kernel >= KERNEL_MB_GOOD && !multiboot_path()) {
        g_test_skip("multiboot-check payload not built on this host");
        return;
    }
    dir = g_dir_make_tmp("microvm-test-XXXXXX", NULL);
    g_assert_nonnull(dir);

    /*
     * If QEMU accepts the options it runs the monitor commands from a
     * file, which end it: valid options never leave QEMU running.
     */
    qmp_in = g_build_filename(dir, "qmp.in", NULL);
    qmp_out = g_build_filename(dir, "qmp.out", NULL);
    g_assert_true(g_file_set_contents(qmp_in,
                                      "{'execute': 'qmp_capabilities'}\n"
                                      "{'execute': 'quit'}\n", -1, NULL));
    g_ptr_array_add(argv, g_strdup(qemu));
    g_ptr_array_add(argv, g_strdup("-M"));
    g_ptr_array_add(argv, g_strdup(c->machine));
    g_ptr_array_add(argv, g_strdup("-nodefaults"));
    g_ptr_array_add(argv, g_strdup("-display"));
    g_ptr_array_add(argv, g_strdup("none"));
    g_ptr_array_add(argv, g_strdup("-accel"));
    g_ptr_array_add(argv, g_strdup("tcg"));
    g_ptr_array_add(argv, g_strdup("-S"));
    g_ptr_array_add(argv, g_strdup("-chardev"));
    g_ptr_array_add(argv, g_strdup_printf("file,id=ctl,path=%s,"
                                          "input-path=%s", qmp_out, qmp_in));
    g_ptr_array_add(argv, g_strdup("-mon"));
    g_ptr_array_add(argv, g_strdup("chardev=ctl,mode=control"));
    culprit = NULL;
    if (c->kernel != KERNEL_NONE) {
        kernel = make_kernel(dir, c->kernel, payload);
        g_ptr_array_add(argv, g_strdup("-kernel"));
        g_ptr_array_add(argv, g_strdup(kernel));
        culprit = kernel;
    }
    if (c->bios) {
        bios = g_build_filename(dir, "bios.bin", NULL);
        g_assert_true(g_file_set_contents(bios, "not a firmware\n", -1,
                                          NULL));
        g_ptr_array_add(argv, g_strdup("-bios"));
        g_ptr_array_add(argv, g_strdup(bios));
    }
    if (c->smp) {
        g_ptr_array_add(argv, g_strdup("-smp"));
        g_ptr_array_add(argv, g_strdup_printf("%d", c->smp));
    }
    if (c->missing_initrd) {
        initrd = g_build_filename(dir, "no-such-initrd.img", NULL);
        g_ptr_array_add(argv, g_strdup("-initrd"));
        g_ptr_array_add(argv, g_strdup(initrd));
        culprit = initrd;
    }
    g_ptr_array_add(argv, NULL);

    g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, NULL,
                               G_SPAWN_DEFAULT, spawn_child_setup, NULL,
                               &out, &err, &status, &gerr));
    g_test_message("exit status 0x%x, stderr: %s", status, err);

    if (WIFSIGNALED(status) && (WTERMSIG(status) == SIGXCPU ||
                                WTERMSIG(status) == SIGKILL)) {
        g_test_message("QEMU spun for %d s of CPU time instead of exiting",
                       SPAWN_CPU_LIMIT_S);
    }
    g_assert_false(WIFSIGNALED(status));
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, c->exit_code);
    if (c->exit_code == 0) {
        g_assert_cmpstr(err, ==, "");
    } else {
        const char *want = c->expect ? c->expect : culprit;

        /* exactly one line */
        g_assert_cmpuint(strlen(err), >, 0);
        g_assert_nonnull(strchr(err, '\n'));
        g_assert_cmpstr(strchr(err, '\n'), ==, "\n");
        g_assert_nonnull(want);
        g_assert_nonnull(strstr(err, want));
    }

    if (kernel) {
        unlink(kernel);
    }
    if (bios) {
        unlink(bios);
    }
    unlink(qmp_in);
    unlink(qmp_out);
    rmdir(dir);
}

/* ---- Firmware conformance: boot pvh-check under TCG ---- */

typedef struct BootCase {
    const char *name;
    int smp;
    const char *mem;
    uint64_t mem_size;
    bool acpi;
    bool direct;            /* direct-boot=on: no firmware */
    bool timer;             /* boot-timer=on */
    bool reboot;            /* without -no-reboot: a reset reboots */
} BootCase;

static const BootCase boot_cases[] = {
    { "smp1-128M", 1, "128M", 128 * MiB, true },
    { "smp4-128M", 4, "128M", 128 * MiB, true },
    { "smp1-5G", 1, "5G", 5 * GiB, true },
    { "smp4-5G", 4, "5G", 5 * GiB, true },
    { "smp1-128M-acpi-off", 1, "128M", 128 * MiB, false },
    { "smp4-128M-acpi-off", 4, "128M", 128 * MiB, false },
    { "smp1-5G-acpi-off", 1, "5G", 5 * GiB, false },
    { "smp4-5G-acpi-off", 4, "5G", 5 * GiB, false },
};

/* direct-boot=on: the same payload, started by QEMU at its entry */
static const BootCase direct_cases[] = {
    { "smp1-128M", 1, "128M", 128 * MiB, true, true, true },
    { "smp4-128M", 4, "128M", 128 * MiB, true, true, true },
    { "smp1-5G", 1, "5G", 5 * GiB, true, true, true },
    { "smp4-5G", 4, "5G", 5 * GiB, true, true, true },
    { "smp1-128M-acpi-off", 1, "128M", 128 * MiB, false, true, true },
    { "smp4-128M-acpi-off", 4, "128M", 128 * MiB, false, true, true },
    { "smp1-5G-acpi-off", 1, "5G", 5 * GiB, false, true, true },
    { "smp4-5G-acpi-off", 4, "5G", 5 * GiB, false, true, true },
};

/*
 * The window direct boot reserves for its boot structures
 * (microvm_memmap[MICROVM_MEM_DIRECT_BOOT] in hw/i386/microvm.c; the
 * machine's header cannot be included here)
 */
#define DIRECT_BOOT_BASE        0xc0000
#define DIRECT_BOOT_SIZE        (128 * KiB)

#define BOOT_APPEND     "pvh-check console=ttyS0 x=1"
#define BOOT_INITRD_LEN 20011

typedef struct FlatCase {
    const char *name;
    const char *mem;
    uint64_t mem_size;
    bool acpi;
    bool direct;            /* direct-boot=on: no firmware */
    int smp;                /* CPUs; 0: one */
} FlatCase;

/* Large enough for either payload's result block */
#define BOOT_RESULT_SIZE        (R_SIZE > B_SIZE ? R_SIZE : B_SIZE)

typedef struct Boot {
    QTestState *qts;
    char *dir;
    char *initrd;
    char *serial;
    const FlatCase *c;      /* bzImage/multiboot case, else NULL */
    const char *initrd_more;    /* appended to -initrd's value, or NULL */
    bool reboot;                /* without -no-reboot */
    uint8_t r[BOOT_RESULT_SIZE];    /* the payload's result block */
} Boot;

static uint32_t r32(const Boot *b, int off)
{
    return ldl_le_p(b->r + off);
}

static uint64_t r64(const Boot *b, int off)
{
    return ldq_le_p(b->r + off);
}

/*
 * Boot the firmware under TCG with @kernel, an initrd and BOOT_APPEND
 * (machine options @machine_opts, @smp CPUs, @mem of RAM), and wait
 * (bounded) for the "done" marker of the result block at @result; on a
 * timeout, fail saying how far the guest got and what the firmware
 * printed.  Then read @size bytes of the result block into b->r.
 */
static bool boot_start(Boot *b, const char *kernel, const char *machine_opts,
                       int smp, const char *mem, uint64_t result, size_t size)
{
    gint64 deadline;
    uint32_t done = 0;

    if (!qtest_has_accel("tcg")) {
        g_test_skip("TCG not available");
        return false;
    }
    b->dir = g_dir_make_tmp("microvm-test-XXXXXX", NULL);
    g_assert_nonnull(b->dir);
    b->initrd = make_initrd(b->dir, BOOT_INITRD_LEN);
    b->serial = g_build_filename(b->dir, "serial.log", NULL);
    b->qts = qtest_initf("-M microvm%s -nodefaults -accel tcg "
                         "%s-no-shutdown -smp %d -m %s "
                         "-serial file:%s -kernel %s -initrd '%s%s' "
                         "-append '%s'", machine_opts,
                         b->reboot ? "" : "-no-reboot ", smp, mem, b->serial,
                         kernel, b->initrd,
                         b->initrd_more ? b->initrd_more : "", BOOT_APPEND);

    deadline = g_get_monotonic_time() + BOOT_TIMEOUT_S * G_USEC_PER_SEC;
    do {
        done = qtest_readl(b->qts, result + R_DONE);
        if (done == PVH_CHECK_DONE_MAGIC) {
            break;
        }
        g_usleep(10 * 1000);
    } while (g_get_monotonic_time() < deadline);

    if (done != PVH_CHECK_DONE_MAGIC) {
        g_autofree char *log = NULL;
        QDict *rsp = qtest_qmp(b->qts, "{'execute': 'query-status'}");
        uint32_t entry = qtest_readl(b->qts, result + R_ENTRY);

        g_file_get_contents(b->serial, &log, NULL, NULL);
        g_test_message("payload not done after %d s: entry marker 0x%08x "
                       "(%s), run state %s, serial output: %s",
                       BOOT_TIMEOUT_S, entry,
                       entry == PVH_CHECK_ENTRY_MAGIC ?
                       "payload entered" : "payload never entered",
                       qdict_get_try_str(qdict_get_qdict(rsp, "return"),
                                         "status"),
                       log ? log : "(none)");
        qobject_unref(rsp);
    }
    g_assert_cmphex(done, ==, PVH_CHECK_DONE_MAGIC);
    qtest_memread(b->qts, result, b->r, size);
    g_assert_cmphex(r32(b, R_ENTRY), ==, PVH_CHECK_ENTRY_MAGIC);
    return true;
}

/* Boot pvh-check with the machine configuration of @c */
static bool boot_pvh_check(Boot *b, const BootCase *c)
{
    const char *payload = require_payload();
    g_autofree char *opts = NULL;

    memset(b, 0, sizeof(*b));
    b->reboot = c->reboot;
    if (!payload) {
        return false;
    }
    opts = g_strdup_printf("%s%s%s", c->acpi ? "" : ",acpi=off",
                           c->direct ? ",direct-boot=on" : "",
                           c->timer ? ",boot-timer=on" : "");
    return boot_start(b, payload, opts, c->smp, c->mem,
                      PVH_CHECK_RESULT_ADDR, R_SIZE);
}

/*
 * Boot a bzimage-check or multiboot-check @kernel with the configuration
 * of @c; @initrd_more (or NULL) is appended to -initrd's value
 */
static bool boot_flat_more(Boot *b, const FlatCase *c, const char *kernel,
                           uint64_t result, const char *initrd_more)
{
    g_autofree char *opts = NULL;

    memset(b, 0, sizeof(*b));
    b->c = c;
    b->initrd_more = initrd_more;
    if (!kernel) {
        g_test_skip("boot-check payloads not built on this host");
        return false;
    }
    opts = g_strdup_printf("%s%s", c->acpi ? "" : ",acpi=off",
                           c->direct ? ",direct-boot=on" : "");
    return boot_start(b, kernel, opts, c->smp ? c->smp : 1, c->mem,
                      result, B_SIZE);
}

static bool boot_flat(Boot *b, const FlatCase *c, const char *kernel,
                      uint64_t result)
{
    return boot_flat_more(b, c, kernel, result, NULL);
}

static void boot_finish(Boot *b)
{
    if (b->qts) {
        qtest_quit(b->qts);
    }
    if (b->initrd) {
        unlink(b->initrd);
    }
    if (b->serial) {
        unlink(b->serial);
    }
    if (b->dir) {
        rmdir(b->dir);
    }
    g_free(b->initrd);
    g_free(b->serial);
    g_free(b->dir);
}

/* Decode an 8-byte GDT descriptor and check it is flat 32-bit */
static void assert_flat_segment(const char *what, uint64_t d, bool code)
{
    uint32_t base = ((d >> 16) & 0xffffff) | (((d >> 56) & 0xff) << 24);
    uint32_t limit = (d & 0xffff) | (((d >> 48) & 0xf) << 16);
    unsigned type = (d >> 40) & 0xf;

    g_test_message("%s descriptor 0x%016" PRIx64, what, d);
    if (d & (1ULL << 55)) {
        limit = (limit << 12) | 0xfff;
    }
    g_assert_true(d & (1ULL << 47));            /* present */
    g_assert_true(d & (1ULL << 44));            /* code or data */
    g_assert_true(d & (1ULL << 54));            /* 32-bit */
    g_assert_false(d & (1ULL << 53));           /* not 64-bit code */
    g_assert_cmphex(base, ==, 0);
    g_assert_cmphex(limit, ==, 0xffffffff);
    if (code) {
        g_assert_cmphex(type & 0xa, ==, 0xa);   /* code, readable */
    } else {
        g_assert_cmphex(type & 0xa, ==, 0x2);   /* data, writable */
    }
}

/* PVH ABI: CR0, CR4, EFLAGS, CS/DS/ES, EBX as the Xen pvh spec says */
static void test_pvh_registers(const void *opaque)
{
    const BootCase *c = opaque;
    Boot b;
    uint32_t cr0, eflags;

    if (boot_pvh_check(&b, opaque)) {
        cr0 = r32(&b, R_CR0);
        eflags = r32(&b, R_EFLAGS);
        g_test_message("cr0 0x%08x cr4 0x%08x eflags 0x%08x cs 0x%x ds 0x%x "
                       "es 0x%x ss 0x%x", cr0, r32(&b, R_CR4), eflags,
                       r32(&b, R_CS), r32(&b, R_DS), r32(&b, R_ES),
                       r32(&b, R_SS));

        /* cr0: PE set, PG clear, all other writable bits clear */
        g_assert_cmphex(cr0 & CR0_PE, ==, CR0_PE);
        g_assert_cmphex(cr0 & ~(CR0_PE | CR0_ET), ==, 0);
        /* cr4: all clear */
        g_assert_cmphex(r32(&b, R_CR4), ==, 0);
        g_assert_cmphex(eflags & (EFLAGS_VM | EFLAGS_IF | EFLAGS_TF), ==, 0);
        /* The GDT (firmware's or direct boot's) holds flat descriptors */
        assert_flat_segment("cs", r64(&b, R_DESC_CS), true);
        assert_flat_segment("ds", r64(&b, R_DESC_DS), false);
        assert_flat_segment("es", r64(&b, R_DESC_ES), false);
        g_assert_cmphex(r32(&b, R_EBX), !=, 0);
        if (c->direct) {
            /* ebx: start_info, in the window direct boot reserves */
            g_assert_cmphex(r32(&b, R_EBX), >=, DIRECT_BOOT_BASE);
            g_assert_cmphex(r32(&b, R_EBX) + SI_SIZE, <=,
                            DIRECT_BOOT_BASE + DIRECT_BOOT_SIZE);
        } else {
            /* ebx: start_info, in the low RAM the firmware keeps for it */
            g_assert_cmphex(r32(&b, R_EBX) + SI_SIZE, <=, 0x9fc00);
        }
    }
    boot_finish(&b);
}

static uint8_t checksum8(const uint8_t *buf, size_t len)
{
    uint8_t sum = 0;
    size_t i;

    for (i = 0; i < len; i++) {
        sum += buf[i];
    }
    return sum;
}

/*
 * The ACPI 2.0 RSDP at @addr in guest memory: signature, both checksums;
 * returns the XSDT address it holds.
 */
static uint64_t assert_rsdp(QTestState *qts, uint64_t addr)
{
    uint8_t rsdp[ACPI_RSDP_SIZE];

    g_test_message("RSDP at 0x%" PRIx64, addr);
    qtest_memread(qts, addr, rsdp, sizeof(rsdp));
    g_assert_cmpmem(rsdp, 8, "RSD PTR ", 8);
    g_assert_cmpuint(checksum8(rsdp, 20), ==, 0);
    g_assert_cmpuint(rsdp[15], ==, 2);                  /* revision */
    g_assert_cmpuint(ldl_le_p(rsdp + 20), ==, ACPI_RSDP_SIZE);
    g_assert_cmpuint(checksum8(rsdp, ACPI_RSDP_SIZE), ==, 0);
    return ldq_le_p(rsdp + 24);
}

static void test_pvh_start_info(const void *opaque)
{
    const BootCase *c = opaque;
    Boot b;

    if (boot_pvh_check(&b, opaque)) {
        const uint8_t *si = b.r + R_START_INFO;

        g_assert_cmphex(ldl_le_p(si + SI_MAGIC), ==, XEN_HVM_START_MAGIC);
        /* version 1 has the memory map */
        g_assert_cmpuint(ldl_le_p(si + SI_VERSION), >=, 1);
        g_assert_cmpuint(ldl_le_p(si + SI_NR_MODULES), ==, 1);
        g_assert_cmphex(ldq_le_p(si + SI_MODLIST_PADDR), !=, 0);
        g_assert_cmphex(ldq_le_p(si + SI_CMDLINE_PADDR), !=, 0);
        g_assert_cmphex(ldq_le_p(si + SI_MEMMAP_PADDR), !=, 0);
        if (c->acpi) {
            uint64_t rsdp = ldq_le_p(si + SI_RSDP_PADDR);
            uint64_t xsdt;
            char sig[4];

            g_assert_cmphex(rsdp, !=, 0);
            if (c->direct) {
                g_assert_cmphex(rsdp, >=, DIRECT_BOOT_BASE);
                g_assert_cmphex(rsdp + ACPI_RSDP_SIZE, <=,
                                DIRECT_BOOT_BASE + DIRECT_BOOT_SIZE);
            }
            xsdt = assert_rsdp(b.qts, rsdp);
            qtest_memread(b.qts, xsdt, sig, sizeof(sig));
            g_assert_cmpmem(sig, 4, "XSDT", 4);
        } else {
            /* acpi=off: no RSDP */
            g_assert_cmphex(ldq_le_p(si + SI_RSDP_PADDR), ==, 0);
        }
    }
    boot_finish(&b);
}

/*
 * @e820 with [@r->addr, + @r->size) cut out of the RAM entry that holds it
 * as reserved; returns the number of entries written to @out.
 */
static int e820_carve(const E820Entry *e820, int n, const E820Entry *r,
                      E820Entry *out)
{
    uint64_t r_end = r->addr + r->size;
    int i, k = 0, hits = 0;

    for (i = 0; i < n; i++) {
        uint64_t end = e820[i].addr + e820[i].size;

        if (e820[i].type != E820_RAM || r->addr < e820[i].addr ||
            r_end > end) {
            out[k++] = e820[i];
            continue;
        }
        hits++;
        if (r->addr > e820[i].addr) {
            out[k++] = (E820Entry) { e820[i].addr, r->addr - e820[i].addr,
                                     E820_RAM };
        }
        out[k++] = (E820Entry) { r->addr, r->size, E820_RESERVED };
        if (end > r_end) {
            out[k++] = (E820Entry) { r_end, end - r_end, E820_RAM };
        }
    }
    g_assert_cmpint(hits, ==, 1);
    return k;
}

/*
 * The one reserved entry of the kernel's map @got that the machine's map
 * @e820 does not have: the firmware's table range
 */
static E820Entry table_range(const E820Entry *got, int n,
                             const E820Entry *e820, int n_e820)
{
    E820Entry r = { 0 };
    int i, j, found = 0;

    for (i = 0; i < n; i++) {
        bool known = false;

        for (j = 0; j < n_e820; j++) {
            known |= got[i].addr == e820[j].addr &&
                     got[i].size == e820[j].size &&
                     got[i].type == e820[j].type;
        }
        if (!known && got[i].type == E820_RESERVED) {
            r = got[i];
            found++;
        }
    }
    g_assert_cmpint(found, ==, 1);
    g_test_message("table range 0x%" PRIx64 " +0x%" PRIx64, r.addr, r.size);
    g_assert_cmphex(r.size, !=, 0);
    g_assert_cmphex(r.addr % 4096, ==, 0);
    g_assert_cmphex(r.size % 4096, ==, 0);
    return r;
}

/*
 * @e820 (@n entries, sorted) with direct boot's window inserted as
 * reserved, where expected_e820() has none; returns the new count
 */
static int add_direct_window(E820Entry *e820, int n)
{
    int i = n;

    while (i > 0 && e820[i - 1].addr > DIRECT_BOOT_BASE) {
        e820[i] = e820[i - 1];
        i--;
    }
    e820[i] = (E820Entry) { DIRECT_BOOT_BASE, DIRECT_BOOT_SIZE,
                            E820_RESERVED };
    return n + 1;
}

/*
 * The memory map: the machine's e820 (which is that of the contract), with
 * the firmware's table range cut out as reserved when it built tables
 * (ACPI, or the MP table for more than one CPU), entry for entry otherwise.
 * Direct boot: the machine's e820, which has the reserved window direct
 * boot keeps its structures in, entry for entry.
 */
static void test_pvh_memmap(const void *opaque)
{
    const BootCase *c = opaque;
    E820Entry got[PVH_CHECK_MAX_MEMMAP], e820[E820_MAX_ENTRIES];
    E820Entry want[E820_MAX_ENTRIES], carved[E820_MAX_ENTRIES];
    QFWCFG *fw_cfg;
    int n, n_e820, n_want, i, a, j;
    Boot b;

    if (boot_pvh_check(&b, c)) {
        n = ldl_le_p(b.r + R_START_INFO + SI_MEMMAP_ENTRIES);
        g_assert_cmpint(n, >, 0);
        g_assert_cmpint(n, <=, PVH_CHECK_MAX_MEMMAP);
        for (i = 0; i < n; i++) {
            const uint8_t *m = b.r + R_MEMMAP + i * MEMMAP_SIZEOF;

            got[i].addr = ldq_le_p(m);
            got[i].size = ldq_le_p(m + 8);
            got[i].type = ldl_le_p(m + 16);
        }
        for (a = 1; a < n; a++) {
            for (j = a; j > 0 && got[j - 1].addr > got[j].addr; j--) {
                E820Entry t = got[j];
                got[j] = got[j - 1];
                got[j - 1] = t;
            }
        }
        fw_cfg = pc_fw_cfg_init(b.qts);
        n_e820 = fw_cfg_e820(fw_cfg, e820, E820_MAX_ENTRIES);
        pc_fw_cfg_uninit(fw_cfg);
        n_want = expected_e820(c->mem_size, want);
        if (c->direct) {
            n_want = add_direct_window(want, n_want);
        }
        assert_e820_equal(e820, n_e820, want, n_want);
        if (c->direct) {
            /* QEMU's tables live in its reserved window: nothing carved */
            assert_e820_equal(got, n, e820, n_e820);
        } else if (c->acpi || c->smp > 1) {
            E820Entry r = table_range(got, n, e820, n_e820);
            uint64_t table;

            if (c->acpi) {
                uint64_t rsdp = ldq_le_p(b.r + R_START_INFO + SI_RSDP_PADDR);
                uint8_t xsdt[8];

                /*
                 * The RSDP sits in the EBDA's first KiB, which the BDA
                 * names, for the ACPI spec's legacy search; the XSDT it
                 * points at is in the table range.
                 */
                g_assert_cmphex(rsdp, >=, 0x9fc00);
                g_assert_cmphex(rsdp, <, 0xa0000);
                g_assert_cmphex(qtest_readw(b.qts, 0x40e), ==, 0x9fc0);
                qtest_memread(b.qts, rsdp + 24, xsdt, sizeof(xsdt));
                table = ldq_le_p(xsdt);
            } else {
                uint8_t mpfp[16];

                /* the MP floating pointer names the MP table */
                qtest_memread(b.qts, 0x9fc00, mpfp, sizeof(mpfp));
                g_assert_cmpmem(mpfp, 4, "_MP_", 4);
                table = ldl_le_p(mpfp + 4);
            }
            g_assert_cmphex(table, >=, r.addr);
            g_assert_cmphex(table, <, r.addr + r.size);
            n_want = e820_carve(e820, n_e820, &r, carved);
            assert_e820_equal(got, n, carved, n_want);
        } else {
            assert_e820_equal(got, n, e820, n_e820);
        }
    }
    boot_finish(&b);
}

static void test_pvh_cmdline(const void *opaque)
{
    Boot b;

    if (boot_pvh_check(&b, opaque)) {
        uint32_t len = r32(&b, R_CMDLINE_LEN);

        g_assert_cmpuint(len, <, PVH_CHECK_MAX_CMDLINE);
        g_assert_cmpstr((const char *)b.r + R_CMDLINE, ==, BOOT_APPEND);
    }
    boot_finish(&b);
}

/* The initrd module: the file's bytes, in RAM below 4 GiB, clear of us */
static void test_pvh_initrd(const void *opaque)
{
    const BootCase *c = opaque;
    g_autofree char *file = NULL;
    uint64_t paddr, size, top;
    ElfImage img;
    size_t flen;
    Boot b;

    if (boot_pvh_check(&b, c)) {
        elf_image_load(payload_path(), &img);
        g_assert_true(g_file_get_contents(b.initrd, &file, &flen, NULL));
        paddr = r64(&b, R_MODLIST + MOD_PADDR);
        size = r64(&b, R_MODLIST + MOD_SIZE);
        g_test_message("initrd at 0x%" PRIx64 " +0x%" PRIx64, paddr, size);
        g_assert_cmpuint(size, ==, flen);
        g_assert_cmpuint(r32(&b, R_INITRD_LEN), ==, flen);
        g_assert_cmphex(r32(&b, R_INITRD_SUM), ==,
                        fnv1a((uint8_t *)file, flen));
        top = MIN(c->mem_size, 3 * GiB);
        g_assert_cmphex(paddr, >=, 1 * MiB);
        g_assert_cmphex(paddr + size, <=, top);
        /* not over the payload's image */
        g_assert_true(paddr >= img.load_end ||
                      paddr + size <= img.load_start);
        elf_image_free(&img);
    }
    boot_finish(&b);
}

/* The local APIC, read by the payload: an integrated APIC's version */
static void test_pvh_lapic_version(void)
{
    Boot b;

    if (boot_pvh_check(&b, &boot_cases[0])) {
        uint32_t ver = r32(&b, R_LAPIC_VERSION);

        g_test_message("LAPIC version register 0x%08x", ver);
        g_assert_cmphex(ver & 0xf0, ==, 0x10);
        g_assert_cmpuint((ver >> 16) & 0xff, >=, 3);
    }
    boot_finish(&b);
}

/* ---- Boot timer (boot-timer=on) ---- */

/*
 * The boot timer's guest interface: the userspace marker
 * (microvm_memmap[MICROVM_MEM_BOOT_TIMER] in hw/i386/microvm.c) and the
 * values of hw/i386/microvm-timer.h; those headers need QEMU's internals,
 * so they are repeated here.
 */
#define BOOT_TIMER_MARKER       UINT64_C(0xfe800000)
#define BOOT_TIMER_USERSPACE    123
#define BOOT_TIMER_PORT         0x80
#define BOOT_TIMER_FW_ENTRY     0x01
#define BOOT_TIMER_FW_HANDOFF   0x02

/* qom-get /machine boot-timer-phases */
static QList *boot_timer_phases(QTestState *qts)
{
    QDict *rsp = qtest_qmp(qts, "{'execute': 'qom-get', 'arguments': "
                           "{'path': '/machine', "
                           "'property': 'boot-timer-phases'}}");
    QList *phases;

    g_assert_true(qdict_haskey(rsp, "return"));
    phases = qdict_get_qlist(rsp, "return");
    g_assert_nonnull(phases);
    qobject_ref(phases);
    qobject_unref(rsp);
    return phases;
}

/* The entry of phase @name in @phases, NULL if absent; at most one */
static QDict *phase_find(QList *phases, const char *name)
{
    QDict *found = NULL;
    QListEntry *e;

    QLIST_FOREACH_ENTRY(phases, e) {
        QDict *d = qobject_to(QDict, qlist_entry_obj(e));

        g_assert_nonnull(d);
        if (!strcmp(qdict_get_str(d, "phase"), name)) {
            g_assert_null(found);
            found = d;
        }
    }
    return found;
}

static bool phase_seen(QList *phases, const char *name)
{
    return phase_find(phases, name) != NULL;
}

/* Both timestamps of phase @early are not after those of @late */
static void assert_phase_order(QList *phases, const char *early,
                               const char *late)
{
    QDict *e = phase_find(phases, early);
    QDict *l = phase_find(phases, late);

    g_assert_nonnull(e);
    g_assert_nonnull(l);
    g_test_message("%s host-ns %" PRId64 ", %s host-ns %" PRId64, early,
                   qdict_get_int(e, "host-ns"), late,
                   qdict_get_int(l, "host-ns"));
    g_assert_cmpint(qdict_get_int(e, "host-ns"), <=,
                    qdict_get_int(l, "host-ns"));
    g_assert_cmpint(qdict_get_int(e, "since-start-ns"), <=,
                    qdict_get_int(l, "since-start-ns"));
}

/* Nothing but QEMU itself has run: machine-ready, no guest phase */
static void test_boot_timer_machine_ready(void)
{
    QTestState *qts = microvm_init("boot-timer=on", "");
    QList *phases = boot_timer_phases(qts);
    QDict *ready = phase_find(phases, "machine-ready");

    g_assert_nonnull(ready);
    g_assert_cmpint(qdict_get_int(ready, "host-ns"), >, 0);
    g_assert_cmpint(qdict_get_int(ready, "since-start-ns"), >=, 0);
    g_assert_false(phase_seen(phases, "kernel-entry"));
    g_assert_false(phase_seen(phases, "fw-entry"));
    g_assert_false(phase_seen(phases, "fw-handoff"));
    g_assert_false(phase_seen(phases, "userspace"));
    qobject_unref(phases);
    qtest_quit(qts);
}

typedef struct MarkerCase {
    const char *name;
    unsigned width;             /* bytes written */
    uint64_t value;
    bool userspace;             /* the write records "userspace" */
} MarkerCase;

static const MarkerCase marker_cases[] = {
    { "byte-123", 1, 123, true },
    { "word-123", 2, 123, true },
    { "long-123", 4, 123, true },
    { "quad-123", 8, 123, true },
    { "byte-122", 1, 122, false },
    { "byte-0", 1, 0, false },
    { "long-0x17b", 4, 0x100 + 123, false },
    { "quad-high-123", 8, (UINT64_C(1) << 32) + 123, false },
};

static void marker_write(QTestState *qts, unsigned width, uint64_t value)
{
    switch (width) {
    case 1:
        qtest_writeb(qts, BOOT_TIMER_MARKER, value);
        break;
    case 2:
        qtest_writew(qts, BOOT_TIMER_MARKER, value);
        break;
    case 4:
        qtest_writel(qts, BOOT_TIMER_MARKER, value);
        break;
    default:
        qtest_writeq(qts, BOOT_TIMER_MARKER, value);
        break;
    }
}

/* 123 at the marker adds "userspace", after every earlier phase */
static void test_boot_timer_marker(const void *opaque)
{
    const MarkerCase *c = opaque;
    QTestState *qts = microvm_init("boot-timer=on", "");
    QList *phases;
    QListEntry *e;

    marker_write(qts, c->width, c->value);
    phases = boot_timer_phases(qts);
    g_assert_cmpint(phase_seen(phases, "userspace"), ==, c->userspace);
    if (c->userspace) {
        QLIST_FOREACH_ENTRY(phases, e) {
            QDict *d = qobject_to(QDict, qlist_entry_obj(e));

            assert_phase_order(phases, qdict_get_str(d, "phase"),
                               "userspace");
        }
    }
    g_assert_true(phase_seen(phases, "machine-ready"));
    qobject_unref(phases);
    qtest_quit(qts);
}

/* The marker reads as 0, before and after the userspace write */
static void test_boot_timer_marker_read(void)
{
    QTestState *qts = microvm_init("boot-timer=on", "");
    int i;

    for (i = 0; i < 2; i++) {
        g_assert_cmphex(qtest_readb(qts, BOOT_TIMER_MARKER), ==, 0);
        g_assert_cmphex(qtest_readw(qts, BOOT_TIMER_MARKER), ==, 0);
        g_assert_cmphex(qtest_readl(qts, BOOT_TIMER_MARKER), ==, 0);
        g_assert_cmphex(qtest_readq(qts, BOOT_TIMER_MARKER), ==, 0);
        qtest_writel(qts, BOOT_TIMER_MARKER, BOOT_TIMER_USERSPACE);
    }
    qtest_quit(qts);
}

typedef struct PortCase {
    const char *name;
    uint8_t value;
    const char *phase;          /* what the outb records; NULL: nothing */
} PortCase;

static const PortCase port_cases[] = {
    { "fw-entry", BOOT_TIMER_FW_ENTRY, "fw-entry" },
    { "fw-handoff", BOOT_TIMER_FW_HANDOFF, "fw-handoff" },
    { "other-0x03", 0x03, NULL },
    { "other-0x00", 0x00, NULL },
};

/* A firmware marker on port 0x80 adds its phase, and only that */
static void test_boot_timer_port(const void *opaque)
{
    const PortCase *c = opaque;
    QTestState *qts = microvm_init("boot-timer=on", "");
    QList *phases;

    qtest_outb(qts, BOOT_TIMER_PORT, c->value);
    phases = boot_timer_phases(qts);
    g_assert_cmpint(phase_seen(phases, "fw-entry"), ==,
                    c->phase && !strcmp(c->phase, "fw-entry"));
    g_assert_cmpint(phase_seen(phases, "fw-handoff"), ==,
                    c->phase && !strcmp(c->phase, "fw-handoff"));
    g_assert_false(phase_seen(phases, "userspace"));
    if (c->phase) {
        assert_phase_order(phases, "machine-ready", c->phase);
    }
    qobject_unref(phases);
    qtest_quit(qts);
}

/*
 * A marker written again later (Linux's I/O delay writes to port 0x80)
 * leaves the phase at its first write
 */
static void test_boot_timer_port_first(void)
{
    QTestState *qts = microvm_init("boot-timer=on", "");
    QList *phases;
    int64_t entry, handoff;

    qtest_outb(qts, BOOT_TIMER_PORT, BOOT_TIMER_FW_ENTRY);
    qtest_outb(qts, BOOT_TIMER_PORT, BOOT_TIMER_FW_HANDOFF);
    phases = boot_timer_phases(qts);
    entry = qdict_get_int(phase_find(phases, "fw-entry"), "host-ns");
    handoff = qdict_get_int(phase_find(phases, "fw-handoff"), "host-ns");
    qobject_unref(phases);

    /* the host clock moves on; the phases must not */
    g_usleep(2000);
    qtest_outb(qts, BOOT_TIMER_PORT, BOOT_TIMER_FW_HANDOFF);
    qtest_outb(qts, BOOT_TIMER_PORT, BOOT_TIMER_FW_ENTRY);
    phases = boot_timer_phases(qts);
    g_assert_cmpint(qdict_get_int(phase_find(phases, "fw-entry"), "host-ns"),
                    ==, entry);
    g_assert_cmpint(qdict_get_int(phase_find(phases, "fw-handoff"),
                                  "host-ns"), ==, handoff);
    qobject_unref(phases);
    qtest_quit(qts);
}

static const char *const timer_off_cases[] = { "boot-timer=off", "" };

/* boot-timer=off (the default): no record, the markers are inert */
static void test_boot_timer_off(const void *opaque)
{
    QTestState *qts = microvm_init(opaque, "");
    QList *phases;
    QDict *rsp;

    rsp = qtest_qmp(qts, "{'execute': 'qom-get', 'arguments': "
                    "{'path': '/machine', 'property': 'boot-timer'}}");
    g_assert_false(qdict_get_bool(rsp, "return"));
    qobject_unref(rsp);

    qtest_writeb(qts, BOOT_TIMER_MARKER, BOOT_TIMER_USERSPACE);
    qtest_writel(qts, BOOT_TIMER_MARKER, BOOT_TIMER_USERSPACE);
    qtest_outb(qts, BOOT_TIMER_PORT, BOOT_TIMER_FW_ENTRY);
    qtest_outb(qts, BOOT_TIMER_PORT, BOOT_TIMER_FW_HANDOFF);
    phases = boot_timer_phases(qts);
    g_assert_cmpuint(qlist_size(phases), ==, 0);
    qobject_unref(phases);
    qtest_quit(qts);
}

/* system_reset starts a new record: only machine-ready is kept */
static void test_boot_timer_reset(void)
{
    QTestState *qts = microvm_init("boot-timer=on", "");
    QList *phases;
    int64_t ready;

    qtest_outb(qts, BOOT_TIMER_PORT, BOOT_TIMER_FW_ENTRY);
    qtest_outb(qts, BOOT_TIMER_PORT, BOOT_TIMER_FW_HANDOFF);
    qtest_writel(qts, BOOT_TIMER_MARKER, BOOT_TIMER_USERSPACE);
    phases = boot_timer_phases(qts);
    g_assert_true(phase_seen(phases, "fw-entry"));
    g_assert_true(phase_seen(phases, "fw-handoff"));
    g_assert_true(phase_seen(phases, "userspace"));
    ready = qdict_get_int(phase_find(phases, "machine-ready"), "host-ns");
    qobject_unref(phases);

    qtest_qmp_assert_success(qts, "{'execute': 'system_reset'}");
    qtest_qmp_eventwait(qts, "RESET");
    phases = boot_timer_phases(qts);
    g_assert_nonnull(phase_find(phases, "machine-ready"));
    g_assert_cmpint(qdict_get_int(phase_find(phases, "machine-ready"),
                                  "host-ns"), ==, ready);
    g_assert_false(phase_seen(phases, "fw-entry"));
    g_assert_false(phase_seen(phases, "fw-handoff"));
    g_assert_false(phase_seen(phases, "userspace"));
    g_assert_false(phase_seen(phases, "kernel-entry"));
    qobject_unref(phases);
    qtest_quit(qts);
}

/* The firmware boots pvh-check: it marks its entry, then its hand-off */
static const BootCase timer_firmware_case = {
    "firmware", 1, "128M", 128 * MiB, true, false, true
};

static void test_boot_timer_firmware(void)
{
    QList *phases;
    Boot b;

    if (boot_pvh_check(&b, &timer_firmware_case)) {
        phases = boot_timer_phases(b.qts);
        assert_phase_order(phases, "machine-ready", "fw-entry");
        assert_phase_order(phases, "cpu-start", "fw-entry");
        assert_phase_order(phases, "fw-entry", "fw-handoff");
        g_assert_false(phase_seen(phases, "kernel-entry"));
        qobject_unref(phases);
    }
    boot_finish(&b);
}

/* Direct boot runs no firmware: the vCPU starts at the kernel entry */
static void test_direct_phases(const void *opaque)
{
    QList *phases;
    Boot b;

    if (boot_pvh_check(&b, opaque)) {
        phases = boot_timer_phases(b.qts);
        g_assert_false(phase_seen(phases, "fw-entry"));
        g_assert_false(phase_seen(phases, "fw-handoff"));
        assert_phase_order(phases, "machine-ready", "kernel-entry");
        assert_phase_order(phases, "cpu-start", "kernel-entry");
        qobject_unref(phases);

        /* no firmware runs: a port 0x80 write is the kernel's */
        qtest_outb(b.qts, BOOT_TIMER_PORT, BOOT_TIMER_FW_ENTRY);
        qtest_outb(b.qts, BOOT_TIMER_PORT, BOOT_TIMER_FW_HANDOFF);
        phases = boot_timer_phases(b.qts);
        g_assert_false(phase_seen(phases, "fw-entry"));
        g_assert_false(phase_seen(phases, "fw-handoff"));
        qobject_unref(phases);
    }
    boot_finish(&b);
}

/* ---- Firmware conformance: boot bzimage-check and multiboot-check ---- */

static const FlatCase flat_cases[] = {
    { "128M", "128M", 128 * MiB, true },
    { "5G", "5G", 5 * GiB, true },
    { "128M-acpi-off", "128M", 128 * MiB, false },
    { "5G-acpi-off", "5G", 5 * GiB, false },
    { "smp4-128M", "128M", 128 * MiB, true, false, 4 },
    { "smp4-5G", "5G", 5 * GiB, true, false, 4 },
    { "smp4-128M-acpi-off", "128M", 128 * MiB, false, false, 4 },
    { "smp4-5G-acpi-off", "5G", 5 * GiB, false, false, 4 },
};

/*
 * direct-boot=on: bzimage-check (at its 64-bit entry) and multiboot-check
 * started by QEMU, 1 and 4 CPUs
 */
static const FlatCase direct_flat_cases[] = {
    { "smp1-128M", "128M", 128 * MiB, true, true, 1 },
    { "smp4-128M", "128M", 128 * MiB, true, true, 4 },
    { "smp1-5G", "5G", 5 * GiB, true, true, 1 },
    { "smp4-5G", "5G", 5 * GiB, true, true, 4 },
    { "smp1-128M-acpi-off", "128M", 128 * MiB, false, true, 1 },
    { "smp4-128M-acpi-off", "128M", 128 * MiB, false, true, 4 },
    { "smp1-5G-acpi-off", "5G", 5 * GiB, false, true, 1 },
    { "smp4-5G-acpi-off", "5G", 5 * GiB, false, true, 4 },
};

/*
 * bzimage-check has a 32-bit entry (the firmware's path) and a 64-bit one
 * (direct boot's); every test also asserts the expected one ran.
 */
static bool boot_bzimage_check(Boot *b, const void *opaque)
{
    const FlatCase *c = opaque;

    if (!boot_flat(b, c, bzimage_path(), BZ_CHECK_RESULT_ADDR)) {
        return false;
    }
    g_assert_cmpuint(r32(b, B_MODE), ==, c->direct ? 64 : 32);
    return true;
}

static bool boot_multiboot_check(Boot *b, const void *opaque)
{
    return boot_flat(b, opaque, multiboot_path(), MB_CHECK_RESULT_ADDR);
}

/* Paging off, interrupts off, flat 32-bit segments with selectors @cs/@ds */
static void assert_flat_entry(const Boot *b, uint32_t cs, uint32_t ds)
{
    uint32_t cr0 = r32(b, B_CR0);
    uint32_t eflags = r32(b, B_EFLAGS);

    g_test_message("cr0 0x%08x cr4 0x%08x eflags 0x%08x cs 0x%x ds 0x%x "
                   "es 0x%x ss 0x%x eip 0x%x", cr0, r32(b, B_CR4), eflags,
                   r32(b, B_CS), r32(b, B_DS), r32(b, B_ES), r32(b, B_SS),
                   r32(b, B_EIP));
    g_assert_cmphex(cr0 & CR0_PE, ==, CR0_PE);
    g_assert_cmphex(cr0 & ~(CR0_PE | CR0_ET), ==, 0);
    g_assert_cmphex(r32(b, B_CR4), ==, 0);
    g_assert_cmphex(eflags & (EFLAGS_VM | EFLAGS_IF | EFLAGS_TF), ==, 0);
    g_assert_cmphex(r32(b, B_CS), ==, cs);
    g_assert_cmphex(r32(b, B_DS), ==, ds);
    g_assert_cmphex(r32(b, B_ES), ==, ds);
    g_assert_cmphex(r32(b, B_SS), ==, ds);
    assert_flat_segment("cs", ldq_le_p(b->r + B_DESC_CS), true);
    assert_flat_segment("ds", ldq_le_p(b->r + B_DESC_DS), false);
    assert_flat_segment("es", ldq_le_p(b->r + B_DESC_ES), false);
    assert_flat_segment("ss", ldq_le_p(b->r + B_DESC_SS), false);
}

/*
 * A memory map handed to a kernel: the machine's e820 (that of the
 * contract) with, when ACPI is on, the firmware's table range cut out as
 * reserved (the XSDT in it); entry for entry otherwise (one CPU: no MP
 * table).  @got is sorted here.
 */
static void assert_kernel_map(Boot *b, E820Entry *got, int n,
                              uint64_t rsdp)
{
    E820Entry e820[E820_MAX_ENTRIES], want[E820_MAX_ENTRIES];
    QFWCFG *fw_cfg;
    int n_e820, n_want, a, j;

    for (a = 1; a < n; a++) {
        for (j = a; j > 0 && got[j - 1].addr > got[j].addr; j--) {
            E820Entry t = got[j];
            got[j] = got[j - 1];
            got[j - 1] = t;
        }
    }
    fw_cfg = pc_fw_cfg_init(b->qts);
    n_e820 = fw_cfg_e820(fw_cfg, e820, E820_MAX_ENTRIES);
    pc_fw_cfg_uninit(fw_cfg);
    n_want = expected_e820(b->c->mem_size, want);
    if (b->c->direct) {
        n_want = add_direct_window(want, n_want);
    }
    assert_e820_equal(e820, n_e820, want, n_want);
    if (b->c->direct) {
        /* QEMU's tables live in its reserved window: the machine's map */
        if (b->c->acpi) {
            g_assert_cmphex(rsdp, !=, 0);
            assert_rsdp(b->qts, rsdp);
        }
        assert_e820_equal(got, n, e820, n_e820);
    } else if (b->c->acpi || b->c->smp > 1) {
        /* ACPI tables, or the MP table of acpi=off SMP */
        E820Entry r = table_range(got, n, e820, n_e820);
        uint64_t xsdt;

        if (b->c->acpi) {
            g_assert_cmphex(rsdp, !=, 0);
            xsdt = assert_rsdp(b->qts, rsdp);
            g_assert_cmphex(xsdt, >=, r.addr);
            g_assert_cmphex(xsdt, <, r.addr + r.size);
        }
        n_want = e820_carve(e820, n_e820, &r, want);
        assert_e820_equal(got, n, want, n_want);
    } else {
        assert_e820_equal(got, n, e820, n_e820);
    }
}

/* 32-bit boot protocol: __BOOT_CS 0x10, __BOOT_DS 0x18, ESI boot_params */
static void test_bzimage_registers(const void *opaque)
{
    Boot b;

    if (boot_bzimage_check(&b, opaque)) {
        assert_flat_entry(&b, 0x10, 0x18);
        g_assert_cmphex(r32(&b, B_ESI), ==, 0x7000);
        g_assert_cmphex(r32(&b, B_EBX), ==, 0);
        g_assert_cmphex(r32(&b, B_EBP), ==, 0);
        g_assert_cmphex(r32(&b, B_EDI), ==, 0);
        /* not relocatable: entered at 1 MiB, which code32_start says */
        g_assert_cmphex(r32(&b, B_EIP), ==, BZ_CHECK_LOAD_ADDR);
        g_assert_cmphex(r32(&b, B_BOOT_PARAMS + BP_CODE32_START), ==,
                        BZ_CHECK_LOAD_ADDR);
    }
    boot_finish(&b);
}

/* boot_params: the setup header from the file, the loader's fields */
static void test_bzimage_boot_params(const void *opaque)
{
    g_autofree uint8_t *file = NULL;
    const uint8_t *bp;
    size_t flen;
    Boot b;

    if (boot_bzimage_check(&b, opaque)) {
        bp = b.r + B_BOOT_PARAMS;
        g_assert_true(g_file_get_contents(bzimage_path(), (char **)&file,
                                          &flen, NULL));
        g_assert_cmpuint(flen, ==, BZ_CHECK_SETUP_LEN + BZ_CHECK_PM_LEN);
        g_assert_cmphex(bp[BP_TYPE_OF_LOADER], ==, 0xff);
        /* the header as in the file, but for what the loader fills in */
        g_assert_cmpmem(bp + 0x1f1, BP_TYPE_OF_LOADER - 0x1f1,
                        file + 0x1f1, BP_TYPE_OF_LOADER - 0x1f1);
        g_assert_cmphex(bp[BP_LOADFLAGS] & 0x01, ==, 0x01);
        g_assert_cmphex(ldl_le_p(bp + 0x22c), ==, BZ_CHECK_INITRD_MAX);
        g_assert_cmphex(ldl_le_p(bp + 0x260), ==, BZ_CHECK_INIT_SIZE);
        /* the file's setup_data is not passed on: no setup_data list */
        g_assert_cmphex(ldq_le_p(file + 0x250), ==, BZ_CHECK_SETUP_DATA);
        g_assert_cmphex(ldq_le_p(bp + 0x250), ==, 0);
        /* zero below the header but for the e820 and RSDP fields */
        g_assert_cmphex(ldq_le_p(bp), ==, 0);
        g_assert_cmphex(ldq_le_p(bp + 0x1e0), ==, 0);
        /* sentinel: else the kernel takes the loader for a broken one */
        g_assert_cmphex(bp[0x1ef], ==, 0);
        /* the 64-bit extensions of the initrd and command line fields */
        g_assert_cmphex(ldq_le_p(bp + BP_EXT_RAMDISK_IMAGE), ==, 0);
        g_assert_cmphex(ldl_le_p(bp + BP_EXT_CMD_LINE_PTR), ==, 0);
    }
    boot_finish(&b);
}

static void test_bzimage_e820(const void *opaque)
{
    E820Entry got[BP_E820_MAX];
    Boot b;
    int n, i;

    if (boot_bzimage_check(&b, opaque)) {
        const uint8_t *bp = b.r + B_BOOT_PARAMS;

        n = bp[BP_E820_ENTRIES];
        g_assert_cmpint(n, >, 0);
        g_assert_cmpint(n, <=, E820_MAX_ENTRIES);
        for (i = 0; i < n; i++) {
            const uint8_t *e = bp + BP_E820_TABLE + i * 20;

            got[i].addr = ldq_le_p(e);
            got[i].size = ldq_le_p(e + 8);
            got[i].type = ldl_le_p(e + 16);
        }
        assert_kernel_map(&b, got, n, ldq_le_p(bp + BP_ACPI_RSDP_ADDR));
    }
    boot_finish(&b);
}

/* acpi_rsdp_addr: a valid RSDP with ACPI, 0 without */
static void test_bzimage_rsdp(const void *opaque)
{
    const FlatCase *c = opaque;
    Boot b;

    if (boot_bzimage_check(&b, opaque)) {
        uint64_t rsdp = ldq_le_p(b.r + B_BOOT_PARAMS + BP_ACPI_RSDP_ADDR);

        if (c->acpi) {
            char sig[4];

            g_assert_cmphex(rsdp, !=, 0);
            qtest_memread(b.qts, assert_rsdp(b.qts, rsdp), sig, 4);
            g_assert_cmpmem(sig, 4, "XSDT", 4);
        } else {
            g_assert_cmphex(rsdp, ==, 0);
        }
    }
    boot_finish(&b);
}

static void test_bzimage_cmdline(const void *opaque)
{
    Boot b;

    if (boot_bzimage_check(&b, opaque)) {
        uint32_t ptr = r32(&b, B_BOOT_PARAMS + BP_CMD_LINE_PTR);

        g_test_message("cmd_line_ptr 0x%x", ptr);
        g_assert_cmphex(ptr, !=, 0);
        g_assert_cmphex(r32(&b, B_BOOT_PARAMS + BP_EXT_CMD_LINE_PTR), ==, 0);
        if (((const FlatCase *)opaque)->direct) {
            /* in the window direct boot reserves */
            g_assert_cmphex(ptr, >=, DIRECT_BOOT_BASE);
            g_assert_cmphex(ptr + sizeof(BOOT_APPEND), <=,
                            DIRECT_BOOT_BASE + DIRECT_BOOT_SIZE);
        } else {
            /* in the low RAM the firmware keeps for the kernel's data */
            g_assert_cmphex(ptr + sizeof(BOOT_APPEND), <=, 0x9fc00);
        }
        g_assert_cmpuint(r32(&b, B_CMDLINE_LEN), ==, strlen(BOOT_APPEND));
        g_assert_cmpstr((const char *)b.r + B_CMDLINE, ==, BOOT_APPEND);
    }
    boot_finish(&b);
}

/*
 * The initrd: the file's bytes, page-aligned in RAM below initrd_addr_max
 * and clear of the kernel's [pref_address, + init_size)
 */
static void test_bzimage_initrd(const void *opaque)
{
    const FlatCase *c = opaque;
    g_autofree char *file = NULL;
    uint64_t addr, size;
    size_t flen;
    Boot b;

    if (boot_bzimage_check(&b, opaque)) {
        g_assert_true(g_file_get_contents(b.initrd, &file, &flen, NULL));
        addr = r32(&b, B_BOOT_PARAMS + BP_RAMDISK_IMAGE);
        size = r32(&b, B_BOOT_PARAMS + BP_RAMDISK_SIZE);
        g_test_message("initrd at 0x%" PRIx64 " +0x%" PRIx64, addr, size);
        g_assert_cmpuint(size, ==, flen);
        g_assert_cmpuint(r32(&b, B_INITRD_LEN), ==, flen);
        g_assert_cmphex(r32(&b, B_INITRD_SUM), ==,
                        fnv1a((uint8_t *)file, flen));
        g_assert_cmphex(addr % 4096, ==, 0);
        g_assert_cmphex(addr, >=, 1 * MiB);
        g_assert_cmphex(addr + size, <=, MIN(c->mem_size, 3 * GiB));
        g_assert_cmphex(addr + size - 1, <=, BZ_CHECK_INITRD_MAX);
        g_assert_true(addr >= BZ_CHECK_LOAD_ADDR + BZ_CHECK_INIT_SIZE ||
                      addr + size <= BZ_CHECK_LOAD_ADDR);
    }
    boot_finish(&b);
}

/* A GDT descriptor of the 64-bit boot protocol: present, 64-bit code */
static void assert_long_segment(const char *what, uint64_t d, bool code)
{
    unsigned type = (d >> 40) & 0xf;

    g_test_message("%s descriptor 0x%016" PRIx64, what, d);
    g_assert_true(d & (1ULL << 47));            /* present */
    g_assert_true(d & (1ULL << 44));            /* code or data */
    if (code) {
        g_assert_cmphex(type & 0xa, ==, 0xa);   /* code, readable */
        g_assert_true(d & (1ULL << 53));        /* L: 64-bit code */
        g_assert_false(d & (1ULL << 54));       /* D clear, as L needs */
    } else {
        g_assert_cmphex(type & 0xa, ==, 0x2);   /* data, writable */
    }
}

/*
 * 64-bit boot protocol (Documentation/arch/x86/boot.rst): long mode,
 * entered at load address + 0x200, __BOOT_CS 0x10 / __BOOT_DS 0x18 in
 * the loaded GDT, interrupts off, RSI = boot_params
 */
static void test_bzimage_entry64(const void *opaque)
{
    uint32_t cr0, cr4, eflags;
    uint64_t efer, rsi;
    Boot b;

    if (boot_bzimage_check(&b, opaque)) {
        cr0 = r32(&b, B_CR0);
        cr4 = r32(&b, B_CR4);
        eflags = r32(&b, B_EFLAGS);
        efer = r64(&b, B_EFER);
        rsi = r64(&b, B_RSI);
        g_test_message("cr0 0x%08x cr3 0x%" PRIx64 " cr4 0x%08x efer 0x%"
                       PRIx64 " eflags 0x%08x cs 0x%x ds 0x%x es 0x%x ss 0x%x"
                       " rip 0x%x rsi 0x%" PRIx64, cr0, r64(&b, B_CR3), cr4,
                       efer, eflags, r32(&b, B_CS), r32(&b, B_DS),
                       r32(&b, B_ES), r32(&b, B_SS), r32(&b, B_EIP), rsi);
        g_assert_cmphex(cr0 & (CR0_PE | CR0_PG), ==, CR0_PE | CR0_PG);
        g_assert_cmphex(cr4 & CR4_PAE, ==, CR4_PAE);
        g_assert_cmphex(efer & (EFER_LME | EFER_LMA), ==,
                        EFER_LME | EFER_LMA);
        g_assert_cmphex(eflags & (EFLAGS_VM | EFLAGS_IF | EFLAGS_TF), ==, 0);
        /* startup_64 of the kernel loaded at pref_address */
        g_assert_cmphex(r32(&b, B_EIP), ==,
                        BZ_CHECK_LOAD_ADDR + BZ_CHECK_STARTUP_64);
        g_assert_cmphex(r32(&b, B_CS), ==, 0x10);
        g_assert_cmphex(r32(&b, B_DS), ==, 0x18);
        g_assert_cmphex(r32(&b, B_ES), ==, 0x18);
        g_assert_cmphex(r32(&b, B_SS), ==, 0x18);
        assert_long_segment("cs", r64(&b, B_DESC_CS), true);
        assert_long_segment("ds", r64(&b, B_DESC_DS), false);
        assert_long_segment("es", r64(&b, B_DESC_ES), false);
        assert_long_segment("ss", r64(&b, B_DESC_SS), false);
        /* RSI: boot_params, in the window direct boot reserves */
        g_assert_cmphex(rsi, >=, DIRECT_BOOT_BASE);
        g_assert_cmphex(rsi + 4096, <=, DIRECT_BOOT_BASE + DIRECT_BOOT_SIZE);
    }
    boot_finish(&b);
}

/*
 * The physical address 4-level paging (CR3 @cr3) maps @va to, or -1 when
 * it is not mapped
 */
static uint64_t page_walk(QTestState *qts, uint64_t cr3, uint64_t va)
{
    const uint64_t addr_mask = 0x000ffffffffff000ULL;
    uint64_t table = cr3 & addr_mask;
    int level;

    for (level = 3; level >= 0; level--) {
        int shift = 12 + 9 * level;
        uint64_t e = qtest_readq(qts, table + ((va >> shift) & 511) * 8);

        if (!(e & 1)) {
            return -1;
        }
        if (level == 0 || (level <= 2 && (e & 0x80))) {
            uint64_t off = (1ULL << shift) - 1;

            return (e & addr_mask & ~off) | (va & off);
        }
        table = e & addr_mask;
    }
    g_assert_not_reached();
}

static void assert_identity_mapped(QTestState *qts, uint64_t cr3,
                                   const char *what, uint64_t addr,
                                   uint64_t len)
{
    uint64_t a;

    g_test_message("%s: 0x%" PRIx64 " +0x%" PRIx64, what, addr, len);
    for (a = addr & ~0xfffULL; a < addr + len; a += 4096) {
        g_assert_cmphex(page_walk(qts, cr3, a), ==, a);
    }
}

/*
 * The identity map the 64-bit boot protocol promises: the kernel's
 * [load address, + init_size), the zero page and the command line
 */
static void test_bzimage_identity_map(const void *opaque)
{
    uint64_t cr3;
    Boot b;

    if (boot_bzimage_check(&b, opaque)) {
        cr3 = r64(&b, B_CR3);
        g_assert_cmphex(r32(&b, B_CR4) & CR4_LA57, ==, 0);
        assert_identity_mapped(b.qts, cr3, "kernel", BZ_CHECK_LOAD_ADDR,
                               BZ_CHECK_INIT_SIZE);
        assert_identity_mapped(b.qts, cr3, "zero page", r64(&b, B_RSI),
                               4096);
        assert_identity_mapped(b.qts, cr3, "command line",
                               r32(&b, B_BOOT_PARAMS + BP_CMD_LINE_PTR),
                               r32(&b, B_CMDLINE_LEN) + 1);
    }
    boot_finish(&b);
}

/* EAX magic, EBX multiboot_info, flat CS 0x08 and data 0x10, entry_addr */
static void test_multiboot_registers(const void *opaque)
{
    g_autofree uint8_t *file = NULL;
    size_t flen;
    Boot b;

    if (boot_multiboot_check(&b, opaque)) {
        g_assert_true(g_file_get_contents(multiboot_path(), (char **)&file,
                                          &flen, NULL));
        assert_flat_entry(&b, 0x08, 0x10);
        g_assert_cmphex(r32(&b, B_EAX), ==, MB_BOOT_MAGIC);
        /* multiboot_info: the firmware's, or direct boot's window */
        g_assert_cmphex(r32(&b, B_EBX), ==,
                        b.c->direct ? DIRECT_BOOT_BASE : 0x6000);
        /* the header's entry_addr */
        g_assert_cmphex(r32(&b, B_EIP), ==, ldl_le_p(file + 28));
    }
    boot_finish(&b);
}

/* multiboot_info: flags, memory sizes from the map, boot loader name */
static void test_multiboot_info(const void *opaque)
{
    Boot b;

    if (boot_multiboot_check(&b, opaque)) {
        const uint8_t *mbi = b.r + B_MBI;
        uint32_t flags = ldl_le_p(mbi + MBI_FLAGS);
        uint64_t below = MIN(b.c->mem_size, 3 * GiB);

        g_test_message("flags 0x%x mem_lower %u mem_upper %u", flags,
                       ldl_le_p(mbi + MBI_MEM_LOWER),
                       ldl_le_p(mbi + MBI_MEM_UPPER));
        g_assert_cmphex(flags, ==, (1 << 0) | (1 << 2) | (1 << 3) |
                        (1 << 6) | (1 << 9));
        /* RAM at 0 is 0x9fc00 bytes; the table window is reserved above */
        g_assert_cmpuint(ldl_le_p(mbi + MBI_MEM_LOWER), <=, 0x9fc00 / KiB);
        g_assert_cmpuint(ldl_le_p(mbi + MBI_MEM_UPPER), ==,
                         (below - 1 * MiB) / KiB);
        g_assert_cmpstr((const char *)b.r + B_LOADER_NAME, ==,
                        b.c->direct ? "qemu-microvm" : "qboot-microvm");
    }
    boot_finish(&b);
}

/* mmap: size-prefixed entries, the same map as a bzImage gets */
static void test_multiboot_mmap(const void *opaque)
{
    E820Entry got[E820_MAX_ENTRIES];
    Boot b;
    uint32_t len, off, mem_lower = 0;
    int n = 0;

    if (boot_multiboot_check(&b, opaque)) {
        const uint8_t *mbi = b.r + B_MBI;
        uint8_t rsdp_ptr[2];

        len = ldl_le_p(mbi + MBI_MMAP_LENGTH);
        g_assert_cmpuint(len, >, 0);
        g_assert_cmpuint(len, <=, B_MMAP_MAX);
        for (off = 0; off < len; n++) {
            const uint8_t *m = b.r + B_MMAP + off;

            g_assert_cmpint(n, <, E820_MAX_ENTRIES);
            g_assert_cmpuint(ldl_le_p(m), ==, 20);
            got[n].addr = ldq_le_p(m + 4);
            got[n].size = ldq_le_p(m + 12);
            got[n].type = ldl_le_p(m + 20);
            if (got[n].addr == 0 && got[n].type == E820_RAM) {
                mem_lower = got[n].size / KiB;
            }
            off += 24;
        }
        g_assert_cmpuint(off, ==, len);
        /* mem_lower is the RAM entry at 0 of this map */
        g_assert_cmpuint(ldl_le_p(mbi + MBI_MEM_LOWER), ==,
                         MIN(mem_lower, 640));
        /* the RSDP a multiboot kernel finds through the EBDA */
        qtest_memread(b.qts, 0x40e, rsdp_ptr, 2);
        assert_kernel_map(&b, got, n,
                          b.c->acpi ? lduw_le_p(rsdp_ptr) * 16 : 0);
    }
    boot_finish(&b);
}

static void test_multiboot_cmdline(const void *opaque)
{
    Boot b;

    if (boot_multiboot_check(&b, opaque)) {
        g_assert_cmphex(r32(&b, B_MBI + MBI_CMDLINE), !=, 0);
        g_assert_cmpuint(r32(&b, B_CMDLINE_LEN), ==, strlen(BOOT_APPEND));
        g_assert_cmpstr((const char *)b.r + B_CMDLINE, ==, BOOT_APPEND);
    }
    boot_finish(&b);
}

/* One module: the -initrd file's bytes and name, page-aligned above bss */
static void test_multiboot_module(const void *opaque)
{
    g_autofree char *file = NULL;
    uint32_t start, end;
    size_t flen;
    Boot b;

    if (boot_multiboot_check(&b, opaque)) {
        g_assert_true(g_file_get_contents(b.initrd, &file, &flen, NULL));
        g_assert_cmpuint(r32(&b, B_MBI + MBI_MODS_COUNT), ==, 1);
        start = r32(&b, B_MOD + MOD_START);
        end = r32(&b, B_MOD + MOD_END);
        g_test_message("module at 0x%x-0x%x", start, end);
        g_assert_cmpuint(end - start, ==, flen);
        g_assert_cmpuint(r32(&b, B_INITRD_LEN), ==, flen);
        g_assert_cmphex(r32(&b, B_INITRD_SUM), ==,
                        fnv1a((uint8_t *)file, flen));
        g_assert_cmphex(start % 4096, ==, 0);
        g_assert_cmphex(start, >=, MB_CHECK_RESULT_ADDR + B_SIZE);
        g_assert_cmpstr((const char *)b.r + B_MOD_STRING, ==, b.initrd);
    }
    boot_finish(&b);
}

/*
 * Direct boot, several modules: -initrd "INITRD mod0-arg,PAYLOAD"; each
 * module's bytes and string where the module list says, page-aligned,
 * one above the other
 */
static void test_direct_multiboot_modules(void)
{
    static const FlatCase c = { "smp1-128M", "128M", 128 * MiB, true,
                                true, 1 };
    g_autofree char *more = g_strdup_printf(" mod0-arg,%s",
                                            multiboot_path());
    g_autofree char *want0 = NULL;
    g_autofree uint8_t *file = NULL;
    g_autofree uint8_t *got = NULL;
    uint8_t mods[32];
    char str[256];
    size_t flen;
    Boot b;

    if (boot_flat_more(&b, &c, multiboot_path(), MB_CHECK_RESULT_ADDR,
                       more)) {
        want0 = g_strdup_printf("%s mod0-arg", b.initrd);
        g_assert_cmpuint(r32(&b, B_MBI + MBI_MODS_COUNT), ==, 2);
        g_assert_cmpstr((const char *)b.r + B_MOD_STRING, ==, want0);
        qtest_memread(b.qts, r32(&b, B_MBI + MBI_MODS_ADDR), mods,
                      sizeof(mods));
        g_assert_cmphex(ldl_le_p(mods + 16 + MOD_START) % 4096, ==, 0);
        g_assert_cmphex(ldl_le_p(mods + 16 + MOD_START), >=,
                        ldl_le_p(mods + MOD_END));
        g_assert_true(g_file_get_contents(multiboot_path(), (char **)&file,
                                          &flen, NULL));
        g_assert_cmpuint(ldl_le_p(mods + 16 + MOD_END) -
                         ldl_le_p(mods + 16 + MOD_START), ==, flen);
        got = g_malloc(flen);
        qtest_memread(b.qts, ldl_le_p(mods + 16 + MOD_START), got, flen);
        g_assert_cmpmem(got, flen, file, flen);
        qtest_memread(b.qts, ldl_le_p(mods + 16 + MOD_STRING), str,
                      sizeof(str));
        str[sizeof(str) - 1] = '\0';
        g_assert_cmpstr(str, ==, multiboot_path());
    }
    boot_finish(&b);
}

/*
 * multiboot-check as an ELF multiboot kernel in @dir: an ELF32 header and
 * one PT_LOAD for the flat image (at load_addr, memory up to
 * bss_end_addr, e_entry = entry_addr), its multiboot header at file
 * offset 4 KiB without the a.out-kludge flag.  Returns the path.
 */
static char *make_multiboot_elf(const char *dir)
{
    const uint32_t off = 4096;
    g_autofree uint8_t *flat = NULL;
    g_autofree uint8_t *img = NULL;
    uint32_t flags, load, bss_end;
    char *path = g_build_filename(dir, "multiboot.elf", NULL);
    size_t flen;

    g_assert_true(g_file_get_contents(multiboot_path(), (char **)&flat,
                                      &flen, NULL));
    flags = ldl_le_p(flat + 4) & ~(1u << 16);
    load = ldl_le_p(flat + 16);
    bss_end = ldl_le_p(flat + 24);
    img = g_malloc0(off + flen);
    memcpy(img + off, flat, flen);
    stl_le_p(img + off + 4, flags);
    stl_le_p(img + off + 8, -(MB_HEADER_MAGIC + flags));

    memcpy(img, "\x7f" "ELF", 4);
    img[4] = 1;                                 /* ELFCLASS32 */
    img[5] = 1;                                 /* little-endian */
    img[6] = 1;                                 /* EV_CURRENT */
    stw_le_p(img + 16, 2);                      /* ET_EXEC */
    stw_le_p(img + 18, 3);                      /* EM_386 */
    stl_le_p(img + 20, 1);
    stl_le_p(img + 24, ldl_le_p(flat + 28));    /* e_entry: entry_addr */
    stl_le_p(img + 28, 52);                     /* e_phoff */
    stw_le_p(img + 40, 52);                     /* e_ehsize */
    stw_le_p(img + 42, 32);                     /* e_phentsize */
    stw_le_p(img + 44, 1);                      /* e_phnum */
    stl_le_p(img + 52, 1);                      /* PT_LOAD */
    stl_le_p(img + 56, off);                    /* p_offset */
    stl_le_p(img + 60, load);                   /* p_vaddr */
    stl_le_p(img + 64, load);                   /* p_paddr */
    stl_le_p(img + 68, flen);                   /* p_filesz */
    stl_le_p(img + 72, bss_end - load);         /* p_memsz */
    stl_le_p(img + 76, 7);                      /* RWX */
    stl_le_p(img + 80, 4096);
    g_assert_true(g_file_set_contents(path, (char *)img, off + flen, NULL));
    return path;
}

/* Direct boot of an ELF multiboot kernel: entered as the a.out one is */
static void test_direct_multiboot_elf(void)
{
    static const FlatCase c = { "smp1-128M", "128M", 128 * MiB, true,
                                true, 1 };
    g_autofree char *dir = g_dir_make_tmp("microvm-test-XXXXXX", NULL);
    g_autofree char *elf = NULL;
    g_autofree char *file = NULL;
    size_t flen;
    Boot b;

    g_assert_nonnull(dir);
    if (!multiboot_path()) {
        g_test_skip("multiboot-check payload not built on this host");
        rmdir(dir);
        return;
    }
    elf = make_multiboot_elf(dir);
    if (boot_flat(&b, &c, elf, MB_CHECK_RESULT_ADDR)) {
        g_autofree uint8_t *flat = NULL;

        g_assert_true(g_file_get_contents(multiboot_path(), (char **)&flat,
                                          &flen, NULL));
        assert_flat_entry(&b, 0x08, 0x10);
        g_assert_cmphex(r32(&b, B_EAX), ==, MB_BOOT_MAGIC);
        g_assert_cmphex(r32(&b, B_EBX), ==, DIRECT_BOOT_BASE);
        g_assert_cmphex(r32(&b, B_EIP), ==, ldl_le_p(flat + 28));
        g_assert_cmpstr((const char *)b.r + B_CMDLINE, ==, BOOT_APPEND);
        g_assert_true(g_file_get_contents(b.initrd, &file, &flen, NULL));
        g_assert_cmpuint(r32(&b, B_MBI + MBI_MODS_COUNT), ==, 1);
        g_assert_cmphex(r32(&b, B_INITRD_SUM), ==,
                        fnv1a((uint8_t *)file, flen));
    }
    boot_finish(&b);
    unlink(elf);
    rmdir(dir);
}

/*
 * Direct boot's MP table: with acpi=off and several CPUs, the floating
 * pointer in the EBDA names a valid configuration table with one enabled
 * processor per CPU (the first the BSP), the ISA bus, the IOAPIC and the
 * ISA interrupts (IRQ 0 on pin 2); otherwise no floating pointer.
 */
static void test_direct_mptable(const void *opaque)
{
    const BootCase *c = opaque;
    uint8_t mpf[16], hdr[44];
    g_autofree uint8_t *t = NULL;
    int cpus = 0, ioapics = 0, buses = 0, irq0_pin = -1;
    unsigned len, off, entries, i, ioapic_id = 0;
    Boot b;

    if (!boot_pvh_check(&b, c)) {
        boot_finish(&b);
        return;
    }
    qtest_memread(b.qts, 0x9fc00, mpf, sizeof(mpf));
    if (c->acpi || c->smp == 1) {
        g_assert_false(memcmp(mpf, "_MP_", 4) == 0);
        boot_finish(&b);
        return;
    }
    g_assert_cmpmem(mpf, 4, "_MP_", 4);
    g_assert_cmpuint(checksum8(mpf, sizeof(mpf)), ==, 0);
    g_assert_cmpuint(mpf[8], ==, 1);                    /* 16 bytes */
    g_assert_cmpuint(mpf[9], ==, 4);                    /* spec 1.4 */
    g_assert_cmpuint(mpf[11], ==, 0);   /* a table, no default config */
    /* the table in direct boot's reserved window */
    g_assert_cmphex(ldl_le_p(mpf + 4), >=, DIRECT_BOOT_BASE);
    qtest_memread(b.qts, ldl_le_p(mpf + 4), hdr, sizeof(hdr));
    g_assert_cmpmem(hdr, 4, "PCMP", 4);
    len = lduw_le_p(hdr + 4);
    g_assert_cmphex(ldl_le_p(mpf + 4) + len, <=,
                    DIRECT_BOOT_BASE + DIRECT_BOOT_SIZE);
    g_assert_cmphex((uint32_t)ldl_le_p(hdr + 36), ==, 0xfee00000);
    t = g_malloc(len);
    qtest_memread(b.qts, ldl_le_p(mpf + 4), t, len);
    g_assert_cmpuint(checksum8(t, len), ==, 0);
    entries = lduw_le_p(t + 34);
    for (i = 0, off = 44; i < entries; i++) {
        g_assert_cmpuint(off, <, len);
        switch (t[off]) {
        case 0:                         /* processor */
            g_assert_cmphex(t[off + 3] & 1, ==, 1);     /* enabled */
            g_assert_cmphex(t[off + 3] & 2, ==, cpus == 0 ? 2 : 0);
            g_assert_cmpuint(t[off + 1], ==, cpus);     /* APIC ID */
            cpus++;
            off += 20;
            continue;
        case 1:                         /* bus */
            g_assert_cmpmem(t + off + 2, 6, "ISA   ", 6);
            buses++;
            break;
        case 2:                         /* IOAPIC */
            g_assert_cmphex(t[off + 3] & 1, ==, 1);
            g_assert_cmphex((uint32_t)ldl_le_p(t + off + 4), ==, 0xfec00000);
            ioapic_id = t[off + 1];
            ioapics++;
            break;
        case 3:                         /* I/O interrupt */
            g_assert_cmpuint(t[off + 6], ==, ioapic_id);
            if (t[off + 5] == 0) {
                irq0_pin = t[off + 7];
            }
            break;
        case 4:                         /* local interrupt */
            break;
        default:
            g_assert_not_reached();
        }
        off += 8;
    }
    g_assert_cmpuint(off, ==, len);
    g_assert_cmpint(cpus, ==, c->smp);
    g_assert_cmpint(buses, ==, 1);
    g_assert_cmpint(ioapics, ==, 1);
    g_assert_cmpuint(ioapic_id, >=, c->smp);
    g_assert_cmpint(irq0_pin, ==, 2);
    boot_finish(&b);
}

/*
 * system_reset under direct boot starts the kernel again: the payload
 * runs a second time and writes its markers again.
 */
static void test_direct_reset(void)
{
    static const BootCase c = { "smp1-128M", 1, "128M", 128 * MiB, true,
                                true, false, true };
    gint64 deadline;
    uint32_t done = 0;
    Boot b;

    if (boot_pvh_check(&b, &c)) {
        qtest_writel(b.qts, PVH_CHECK_RESULT_ADDR + R_ENTRY, 0);
        qtest_writel(b.qts, PVH_CHECK_RESULT_ADDR + R_DONE, 0);
        qtest_qmp_assert_success(b.qts, "{'execute': 'system_reset'}");
        deadline = g_get_monotonic_time() + BOOT_TIMEOUT_S * G_USEC_PER_SEC;
        do {
            done = qtest_readl(b.qts, PVH_CHECK_RESULT_ADDR + R_DONE);
            if (done == PVH_CHECK_DONE_MAGIC) {
                break;
            }
            g_usleep(10 * 1000);
        } while (g_get_monotonic_time() < deadline);
        g_assert_cmphex(done, ==, PVH_CHECK_DONE_MAGIC);
        g_assert_cmphex(qtest_readl(b.qts, PVH_CHECK_RESULT_ADDR + R_ENTRY),
                        ==, PVH_CHECK_ENTRY_MAGIC);
    }
    boot_finish(&b);
}

/* ---- Firmware: SMBIOS, real-mode IVT ---- */

#define SMBIOS_ANCHOR_ADDR      0xf0000     /* roms/qboot/include/layout.h */
#define SMBIOS_TABLES_ADDR      0xf0020
#define SMBIOS_AREA_END         0xf4000
#define SMBIOS_TEST_VENDOR      "microvm-qtest-vendor"

typedef struct SmbiosCase {
    const char *name;
    bool acpi;
    bool sm3;           /* hand the firmware a 3.0 entry point (test hook) */
} SmbiosCase;

static const SmbiosCase smbios_cases[] = {
    { "acpi-on", true },
    { "acpi-off", false },
    { "sm3-acpi-off", false, true },
};

static uint8_t byte_sum(const uint8_t *p, size_t n)
{
    uint8_t sum = 0;

    while (n--) {
        sum += *p++;
    }
    return sum;
}

/*
 * A structure table of a type 1 (system information) naming @vendor,
 * then the type 127 end marker; returns its length
 */
static size_t smbios_test_tables(uint8_t *t, const char *vendor)
{
    size_t n = 0;

    memset(t, 0, 27 + strlen(vendor) + 8);
    t[0] = 1;                       /* type 1 */
    t[1] = 27;                      /* formatted length (2.4+) */
    stw_le_p(t + 2, 0x100);         /* handle */
    t[4] = 1;                       /* manufacturer: string 1 */
    t[24] = 6;                      /* wake-up type: power switch */
    n = 27;
    strcpy((char *)t + n, vendor);
    n += strlen(vendor) + 2;        /* its NUL and the closing NUL */
    t[n] = 127;
    t[n + 1] = 4;
    stw_le_p(t + n + 2, 0x7f00);
    return n + 6;                   /* and two NULs */
}

/* The manufacturer string of the first type 1 structure in @t */
static const char *smbios_type1_vendor(const uint8_t *t, size_t len)
{
    size_t off = 0;

    while (off + 4 <= len) {
        const uint8_t *s = t + off;
        const char *str = (const char *)s + s[1];
        unsigned idx = 1;

        g_assert_cmpuint(s[1], >=, 4);
        g_assert_cmpuint(off + s[1], <, len);
        if (s[0] == 1) {
            g_assert_cmpuint(s[1], >, 4);
            g_assert_cmpuint(s[4], >=, 1);
            for (; idx < s[4]; idx++) {
                str += strlen(str) + 1;
            }
            return str;
        }
        g_assert_cmpuint(s[0], !=, 127);
        /* skip the strings: up to the double NUL */
        off += s[1];
        while (off + 1 < len && (t[off] || t[off + 1])) {
            off++;
        }
        off += 2;
    }
    return NULL;
}

/*
 * The firmware puts the SMBIOS entry point in the F segment where an OS
 * searches for it, with a valid checksum and the address of the
 * structure table, which holds the -smbios type=1 manufacturer.
 */
static void test_smbios(const void *opaque)
{
    const SmbiosCase *c = opaque;
    const char *payload = require_payload();
    g_autofree char *opts = NULL;
    g_autofree char *dir = NULL;
    g_autofree char *anchor_file = NULL, *tables_file = NULL;
    uint8_t ep[32], t[SMBIOS_AREA_END - SMBIOS_TABLES_ADDR];
    uint64_t addr;
    uint32_t len;
    Boot b;

    memset(&b, 0, sizeof(b));
    if (!payload) {
        return;
    }
    if (c->sm3) {
        uint8_t a[24] = "_SM3_";
        size_t tlen = smbios_test_tables(t, SMBIOS_TEST_VENDOR);

        dir = g_dir_make_tmp("microvm-smbios-XXXXXX", NULL);
        a[6] = sizeof(a);           /* length */
        a[7] = 3;                   /* 3.0 */
        a[10] = 1;                  /* entry point revision */
        stl_le_p(a + 12, tlen);     /* table maximum size */
        stq_le_p(a + 16, 0xdead0000);   /* the firmware sets it */
        a[5] = 0x5a;                /* wrong: the firmware fixes it */
        anchor_file = g_build_filename(dir, "anchor", NULL);
        tables_file = g_build_filename(dir, "tables", NULL);
        g_assert_true(g_file_set_contents(anchor_file, (char *)a, sizeof(a),
                                          NULL));
        g_assert_true(g_file_set_contents(tables_file, (char *)t, tlen,
                                          NULL));
        opts = g_strdup_printf("%s,x-fw-cfg-override='etc/smbios/"
                               "smbios-anchor=%s;etc/smbios/"
                               "smbios-tables=%s'",
                               c->acpi ? "" : ",acpi=off", anchor_file,
                               tables_file);
    } else {
        opts = g_strdup_printf("%s -smbios type=1,manufacturer=%s",
                               c->acpi ? "" : ",acpi=off",
                               SMBIOS_TEST_VENDOR);
    }
    if (boot_start(&b, payload, opts, 1, "128M", PVH_CHECK_RESULT_ADDR,
                   R_SIZE)) {
        qtest_memread(b.qts, SMBIOS_ANCHOR_ADDR, ep, sizeof(ep));
        if (c->sm3) {
            g_assert_cmpmem(ep, 5, "_SM3_", 5);
            g_assert_cmpuint(ep[6], ==, 24);
            g_assert_cmphex(byte_sum(ep, 24), ==, 0);
            addr = ldq_le_p(ep + 16);
            len = ldl_le_p(ep + 12);
        } else {
            /* QEMU picks 2.1 when the tables fit it */
            g_assert_cmpmem(ep, 4, "_SM_", 4);
            g_assert_cmpuint(ep[5], ==, 31);
            g_assert_cmphex(byte_sum(ep, 31), ==, 0);
            g_assert_cmpmem(ep + 16, 5, "_DMI_", 5);
            g_assert_cmphex(byte_sum(ep + 16, 15), ==, 0);
            addr = ldl_le_p(ep + 24);
            len = lduw_le_p(ep + 22);
        }
        g_assert_cmphex(addr, ==, SMBIOS_TABLES_ADDR);
        g_assert_cmpuint(len, >, 0);
        g_assert_cmpuint(len, <=, sizeof(t));
        qtest_memread(b.qts, addr, t, len);
        g_assert_cmpstr(smbios_type1_vendor(t, len), ==,
                        SMBIOS_TEST_VENDOR);
    }
    boot_finish(&b);
    if (dir) {
        unlink(anchor_file);
        unlink(tables_file);
        rmdir(dir);
    }
}

/* Handler bytes, as entry.S assembles them */
static const uint8_t ivt_service_code[] = {
    0x55, 0x89, 0xe5,           /* push %bp; mov %sp, %bp */
    0x80, 0x4e, 0x06, 0x01,     /* orb $1, 6(%bp): CF in the saved FLAGS */
    0x5d, 0xb4, 0x86, 0xcf,     /* pop %bp; mov $0x86, %ah; iret */
};
static const uint8_t ivt_irq_code[] = {
    0x50, 0xb0, 0x20,           /* push %ax; mov $0x20, %al */
    0xe6, 0xa0, 0xe6, 0x20,     /* out %al, $0xa0; out %al, $0x20 */
    0x58, 0xcf,                 /* pop %ax; iret */
};

/*
 * Every real-mode vector points into the ROM (f000:xxxx, seen through
 * its alias below 1 MiB): exceptions and IRQ vectors at an EOI-and-IRET
 * handler, the rest at "function not supported" (CF set, AH = 86h).
 */
static void test_ivt(void)
{
    static const BootCase c = { "smp1-128M", 1, "128M", 128 * MiB, true };
    uint32_t ivt[256];
    uint8_t code[16];
    Boot b;
    int i;

    if (boot_pvh_check(&b, &c)) {
        qtest_memread(b.qts, 0, ivt, sizeof(ivt));
        for (i = 0; i < 256; i++) {
            bool irq = i < 0x10 || (i >= 0x70 && i < 0x78);
            uint32_t v = le32_to_cpu(ivt[i]);
            const uint8_t *want = irq ? ivt_irq_code : ivt_service_code;
            size_t n = irq ? sizeof(ivt_irq_code) :
                       sizeof(ivt_service_code);

            g_test_message("vector 0x%02x: %04x:%04x", i, v >> 16,
                           v & 0xffff);
            g_assert_cmphex(v >> 16, ==, 0xf000);
            /* the handlers are in the ROM, above the F-segment RAM */
            g_assert_cmphex(0xf0000 + (v & 0xffff), >=, SMBIOS_AREA_END);
            qtest_memread(b.qts, 0xf0000 + (v & 0xffff), code, n);
            g_assert_cmpmem(code, n, want, n);
        }
    }
    boot_finish(&b);
}

/* ---- Firmware: hostile fw_cfg contents and kernel headers ---- */

/*
 * Each case hands the firmware, through the x-fw-cfg-override test hook,
 * what QEMU's own checks would refuse, and expects the firmware's one
 * line on COM1 and a halted CPU, the payload never entered.
 */
typedef enum HostileKernel {
    HOSTILE_PVH,            /* -kernel pvh-check; overrides on top */
    HOSTILE_BZIMAGE,        /* no -kernel: a bzimage-check image, patched */
} HostileKernel;

typedef struct HostileCase {
    const char *name;
    HostileKernel kernel;
    bool acpi;
    /* bzImage: a 32-bit value to patch in at offset @bz_off (0: none) */
    unsigned bz_off;
    unsigned bz_width;      /* 1 or 4 bytes */
    uint32_t bz_val;
    uint32_t initrd_size;   /* bzImage: FW_CFG_INITRD_SIZE (0: none) */
    size_t cmdline_len;     /* bzImage: command line length (0: none) */
    /* a fw_cfg file to replace, built by make_hostile_file() */
    const char *file;
    int variant;
    const char *expect;     /* in the firmware's line */
} HostileCase;

enum {
    E820_TOO_MANY,          /* etc/e820: 129 entries */
    E820_WRAPS,             /* an entry whose end wraps around */
    E820_NO_LOW_RAM,        /* no RAM where the firmware lives */
    KERNEL_PAST_RAM,        /* etc/microvm/kernel: image past RAM */
    KERNEL_ENTRY_OUTSIDE,   /* entry outside the image */
    LOADER_CHECKSUM_OUT,    /* etc/table-loader: checksum past a blob */
    LOADER_POINTER_OUT,     /* ADD_POINTER past the destination blob */
    LOADER_NO_ALLOCATE,     /* a command on a blob never allocated */
    LOADER_TOO_MANY,        /* 257 commands */
    SMBIOS_BAD_ANCHOR,      /* etc/smbios/smbios-anchor: bad signature */
};

static const HostileCase hostile_cases[] = {
    { "e820-count", HOSTILE_PVH, true, .file = "etc/e820",
      .variant = E820_TOO_MANY,
      .expect = "etc/e820 of 2580 bytes is not 1 to 128 entries" },
    { "e820-wraps", HOSTILE_PVH, false, .file = "etc/e820",
      .variant = E820_WRAPS, .expect = "e820 entry 1 is invalid" },
    { "e820-no-low-ram", HOSTILE_PVH, false, .file = "etc/e820",
      .variant = E820_NO_LOW_RAM,
      .expect = "e820 has no RAM at 0-0x20000 for the firmware" },
    { "kernel-past-ram", HOSTILE_PVH, true,
      .file = "etc/microvm/kernel", .variant = KERNEL_PAST_RAM,
      .expect = "kernel image 0x100000-0x10000000 is not in e820 RAM" },
    { "kernel-entry-outside", HOSTILE_PVH, false,
      .file = "etc/microvm/kernel", .variant = KERNEL_ENTRY_OUTSIDE,
      .expect = "kernel entry 0x200000 is outside the image" },
    { "loader-checksum-outside", HOSTILE_PVH, true,
      .file = "etc/table-loader", .variant = LOADER_CHECKSUM_OUT,
      .expect = "table-loader: checksum of etc/acpi/rsdp outside its "
                "36 bytes" },
    { "loader-pointer-outside", HOSTILE_PVH, true,
      .file = "etc/table-loader", .variant = LOADER_POINTER_OUT,
      .expect = "table-loader: ADD_POINTER of 4 bytes at 34 outside "
                "36 bytes" },
    { "loader-no-allocate", HOSTILE_PVH, true,
      .file = "etc/table-loader", .variant = LOADER_NO_ALLOCATE,
      .expect = "table-loader: etc/acpi/tables used before ALLOCATE" },
    { "loader-count", HOSTILE_PVH, true,
      .file = "etc/table-loader", .variant = LOADER_TOO_MANY,
      .expect = "etc/table-loader of 32896 bytes is not up to 256 "
                "commands" },
    { "smbios-anchor", HOSTILE_PVH, false,
      .file = "etc/smbios/smbios-anchor", .variant = SMBIOS_BAD_ANCHOR,
      .expect = "SMBIOS entry point of 31 bytes does not start _SM_" },
    { "bzimage-setup-sects", HOSTILE_BZIMAGE, true,
      .bz_off = BZ_SETUP_SECTS, .bz_width = 1, .bz_val = 0xff,
      .expect = "bzImage setup_sects 255 is beyond the 6144-byte file" },
    { "bzimage-syssize", HOSTILE_BZIMAGE, false,
      .bz_off = BZ_SYSSIZE, .bz_width = 4, .bz_val = 0x10000,
      .expect = "bzImage syssize 0x10000 does not match" },
    { "bzimage-init-size-past-ram", HOSTILE_BZIMAGE, true,
      .bz_off = BZ_INIT_SIZE, .bz_width = 4, .bz_val = 0x10000000,
      .expect = "bzImage init_size area 0x100000+0x10000000 is not RAM" },
    { "bzimage-cmdline-size", HOSTILE_BZIMAGE, false,
      .bz_off = BZ_CMDLINE_SIZE, .bz_width = 4, .bz_val = 16,
      .cmdline_len = 40,
      .expect = "command line of 40 bytes is over the kernel's "
                "cmdline_size 16" },
    { "bzimage-initrd-over-limit", HOSTILE_BZIMAGE, true,
      .bz_off = BZ_INITRD_ADDR_MAX, .bz_width = 4, .bz_val = 0x3fffff,
      .initrd_size = 4 * MiB,
      .expect = "initrd of 4194304 bytes does not fit in RAM below "
                "0x400000" },
    { "initrd-past-ram", HOSTILE_BZIMAGE, false,
      .initrd_size = 0xfff00000,
      .expect = "initrd of 4293918720 bytes does not fit in RAM" },
    { "cmdline-too-long", HOSTILE_BZIMAGE, false,
      .cmdline_len = 0x20000,
      .expect = "command line of 131073 bytes is over 65536" },
};

/* A table-loader command: ALLOCATE, ADD_POINTER or ADD_CHECKSUM */
static void loader_cmd(uint8_t *c, uint32_t cmd, const char *f1,
                       const char *f2, uint32_t a, uint32_t b, uint32_t d)
{
    memset(c, 0, 128);
    stl_le_p(c, cmd);
    strcpy((char *)c + 4, f1);
    if (cmd == 1) {                 /* ALLOCATE: align, zone */
        stl_le_p(c + 60, a);
        c[64] = b;
    } else if (cmd == 2) {          /* ADD_POINTER: dst, src, off, size */
        strcpy((char *)c + 60, f2);
        stl_le_p(c + 116, a);
        c[120] = b;
    } else {                        /* ADD_CHECKSUM: off, start, len */
        stl_le_p(c + 60, a);
        stl_le_p(c + 64, b);
        stl_le_p(c + 68, d);
    }
}

static uint8_t *make_hostile_file(int variant, size_t *len)
{
    uint8_t *p = g_malloc0(257 * 128);
    int i;

    switch (variant) {
    case E820_TOO_MANY:
        for (i = 0; i < 129; i++) {
            stq_le_p(p + i * 20, 0x100000ULL * (i + 1));
            stq_le_p(p + i * 20 + 8, 0x1000);
            stl_le_p(p + i * 20 + 16, E820_RAM);
        }
        *len = 129 * 20;
        break;
    case E820_WRAPS:
        stq_le_p(p, 0);
        stq_le_p(p + 8, 0x9f000);
        stl_le_p(p + 16, E820_RAM);
        stq_le_p(p + 20, 0xfffffffffffff000ULL);
        stq_le_p(p + 28, 0x2000);
        stl_le_p(p + 36, E820_RAM);
        *len = 40;
        break;
    case E820_NO_LOW_RAM:
        stq_le_p(p, 0x10000);
        stq_le_p(p + 8, 0x8000000 - 0x10000);
        stl_le_p(p + 16, E820_RAM);
        *len = 20;
        break;
    case KERNEL_PAST_RAM:
    case KERNEL_ENTRY_OUTSIDE:
        memcpy(p, "MVKI", 4);
        stl_le_p(p + 4, 1);         /* version */
        stl_le_p(p + 8, 1);         /* PVH */
        stq_le_p(p + 16, variant == KERNEL_PAST_RAM ? 0x100000 : 0x200000);
        stq_le_p(p + 24, 0x100000);
        stq_le_p(p + 32, variant == KERNEL_PAST_RAM ? 0x10000000 :
                 0x180000);
        *len = 40;
        break;
    case LOADER_CHECKSUM_OUT:
        loader_cmd(p, 1, "etc/acpi/rsdp", NULL, 16, 2, 0);
        loader_cmd(p + 128, 3, "etc/acpi/rsdp", NULL, 8, 0, 37);
        *len = 2 * 128;
        break;
    case LOADER_POINTER_OUT:
        loader_cmd(p, 1, "etc/acpi/rsdp", NULL, 16, 2, 0);
        loader_cmd(p + 128, 1, "etc/acpi/tables", NULL, 64, 1, 0);
        loader_cmd(p + 256, 2, "etc/acpi/rsdp", "etc/acpi/tables", 34, 4,
                   0);
        *len = 3 * 128;
        break;
    case LOADER_NO_ALLOCATE:
        loader_cmd(p, 1, "etc/acpi/rsdp", NULL, 16, 2, 0);
        loader_cmd(p + 128, 2, "etc/acpi/rsdp", "etc/acpi/tables", 16, 4,
                   0);
        *len = 2 * 128;
        break;
    case LOADER_TOO_MANY:
        for (i = 0; i < 257; i++) {
            loader_cmd(p + i * 128, 3, "etc/acpi/rsdp", NULL, 8, 0, 20);
        }
        *len = 257 * 128;
        break;
    case SMBIOS_BAD_ANCHOR:
        memcpy(p, "_SX_", 4);
        p[5] = 31;
        *len = 31;
        break;
    default:
        g_assert_not_reached();
    }
    return p;
}

/* Write @len bytes to @dir/@name; returns "ITEM=PATH" */
static char *hostile_item(const char *dir, const char *item,
                          const char *name, const void *data, size_t len)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);

    g_assert_true(g_file_set_contents(path, data, len, NULL));
    return g_strdup_printf("%s=%s", item, path);
}

static void test_fw_hostile(const void *opaque)
{
    const HostileCase *c = opaque;
    const char *pvh = require_payload();
    const char *bz = bzimage_path();
    g_autofree char *dir = g_dir_make_tmp("microvm-hostile-XXXXXX", NULL);
    g_autofree char *serial = g_build_filename(dir, "serial.log", NULL);
    g_autofree char *log = NULL;
    g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *override = NULL;
    g_autofree char *kernel_arg = NULL;
    QTestState *qts;
    gint64 deadline;
    bool halted = false;
    GDir *d;
    const char *name;

    if (!pvh || !bz || !qtest_has_accel("tcg")) {
        if (pvh) {
            g_test_skip("TCG or the bzimage-check payload is missing");
        }
        rmdir(dir);
        return;
    }
    if (c->file) {
        size_t len;
        g_autofree uint8_t *data = make_hostile_file(c->variant, &len);

        g_ptr_array_add(items, hostile_item(dir, c->file, "file", data,
                                            len));
    }
    if (c->kernel == HOSTILE_PVH) {
        kernel_arg = g_strdup_printf("-kernel %s", pvh);
    } else {
        g_autofree uint8_t *img = NULL;
        uint8_t info[40] = "MVKI";
        uint32_t v;
        size_t len;

        g_assert_true(g_file_get_contents(bz, (char **)&img, &len, NULL));
        if (c->bz_width == 1) {
            img[c->bz_off] = c->bz_val;
        } else if (c->bz_width == 4) {
            stl_le_p(img + c->bz_off, c->bz_val);
        }
        stl_le_p(info + 4, 1);
        stl_le_p(info + 8, 2);      /* bzImage: the firmware loads it */
        g_ptr_array_add(items, hostile_item(dir, "etc/microvm/kernel",
                                            "info", info, sizeof(info)));
        v = cpu_to_le32(len);
        g_ptr_array_add(items, hostile_item(dir, "0x08", "ksize", &v, 4));
        g_ptr_array_add(items, hostile_item(dir, "0x11", "kdata", img,
                                            len));
        if (c->initrd_size) {
            v = cpu_to_le32(c->initrd_size);
            g_ptr_array_add(items, hostile_item(dir, "0x0b", "isize", &v,
                                                4));
        }
        if (c->cmdline_len) {
            g_autofree char *s = g_malloc(c->cmdline_len + 1);

            memset(s, 'x', c->cmdline_len);
            s[c->cmdline_len] = '\0';
            v = cpu_to_le32(c->cmdline_len + 1);
            g_ptr_array_add(items, hostile_item(dir, "0x14", "csize", &v,
                                                4));
            g_ptr_array_add(items, hostile_item(dir, "0x15", "cdata", s,
                                                c->cmdline_len + 1));
        }
        kernel_arg = g_strdup("");
    }
    g_ptr_array_add(items, NULL);
    override = g_strjoinv(";", (char **)items->pdata);

    qts = qtest_initf("-M microvm%s,x-fw-cfg-override='%s' -nodefaults "
                      "-accel tcg -m 128M -serial file:%s %s",
                      c->acpi ? "" : ",acpi=off", override, serial,
                      kernel_arg);

    /* Wait (bounded) for the line and for the CPU to halt */
    deadline = g_get_monotonic_time() + BOOT_TIMEOUT_S * G_USEC_PER_SEC;
    do {
        g_autofree char *regs = NULL;

        g_free(log);
        log = NULL;
        g_file_get_contents(serial, &log, NULL, NULL);
        if (log && strstr(log, "\r\n")) {
            regs = qtest_hmp(qts, "info registers");
            halted = strstr(regs, "HLT=1") != NULL;
            if (halted) {
                break;
            }
        }
        g_usleep(10 * 1000);
    } while (g_get_monotonic_time() < deadline);

    g_test_message("serial: %s", log ? log : "(none)");
    g_assert_nonnull(log);
    g_assert_true(g_str_has_prefix(log, "qboot: "));
    g_assert_nonnull(strstr(log, c->expect));
    /* one line, nothing after it */
    g_assert_cmpstr(strstr(log, "\r\n"), ==, "\r\n");
    g_assert_true(halted);
    if (c->kernel == HOSTILE_PVH) {
        /* pvh-check was never entered */
        g_assert_cmphex(qtest_readl(qts, PVH_CHECK_RESULT_ADDR + R_ENTRY),
                        !=, PVH_CHECK_ENTRY_MAGIC);
    } else {
        g_assert_cmphex(qtest_readl(qts, BZ_CHECK_RESULT_ADDR + B_ENTRY),
                        !=, PVH_CHECK_ENTRY_MAGIC);
    }
    qtest_quit(qts);

    d = g_dir_open(dir, 0, NULL);
    while ((name = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, name, NULL);

        unlink(path);
    }
    g_dir_close(d);
    rmdir(dir);
}

/* ---- Registration ---- */

static void add_option_tests(void)
{
    int i, on;

    for (i = 0; i < ARRAY_SIZE(option_cases); i++) {
        for (on = 0; on <= 1; on++) {
            OptionTest *t = g_new0(OptionTest, 1);
            g_autofree char *path = NULL;

            t->c = &option_cases[i];
            t->on = on;
            path = g_strdup_printf("/microvm/option/%s=%s",
                                   option_cases[i].option, on ? "on" : "off");
            qtest_add_data_func_full(path, t, test_option, g_free);
        }
    }
}

static void add_boot_tests(const char *what, GTestDataFunc fn)
{
    int i;

    for (i = 0; i < ARRAY_SIZE(boot_cases); i++) {
        g_autofree char *path = g_strdup_printf("/microvm/pvh/%s/%s", what,
                                                boot_cases[i].name);
        qtest_add_data_func(path, &boot_cases[i], fn);
    }
}

static void add_direct_tests(const char *what, GTestDataFunc fn)
{
    int i;

    for (i = 0; i < ARRAY_SIZE(direct_cases); i++) {
        g_autofree char *path = g_strdup_printf("/microvm/direct/pvh/%s/%s",
                                                what, direct_cases[i].name);
        qtest_add_data_func(path, &direct_cases[i], fn);
    }
}

static void add_direct_flat_tests(const char *what, GTestDataFunc fn)
{
    int i;

    for (i = 0; i < ARRAY_SIZE(direct_flat_cases); i++) {
        g_autofree char *path = g_strdup_printf("/microvm/direct/%s/%s",
                                                what,
                                                direct_flat_cases[i].name);
        qtest_add_data_func(path, &direct_flat_cases[i], fn);
    }
}

static void add_flat_tests(const char *what, GTestDataFunc fn)
{
    int i;

    for (i = 0; i < ARRAY_SIZE(flat_cases); i++) {
        g_autofree char *path = g_strdup_printf("/microvm/%s/%s", what,
                                                flat_cases[i].name);
        qtest_add_data_func(path, &flat_cases[i], fn);
    }
}

int main(int argc, char **argv)
{
    g_autofree char *path = NULL;
    int i;

    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/microvm/fw_cfg/signature", test_fw_cfg_signature);
    qtest_add_func("/microvm/fw_cfg/id", test_fw_cfg_id);
    qtest_add_func("/microvm/fw_cfg/dma-signature",
                   test_fw_cfg_dma_signature);
    qtest_add_func("/microvm/fw_cfg/dma-read", test_fw_cfg_dma_read);
    qtest_add_func("/microvm/ioapic/version", test_ioapic_version);

    for (i = 0; i < ARRAY_SIZE(irq_layout_cases); i++) {
        g_free(path);
        path = g_strdup_printf("/microvm/ioapic2/%s",
                               irq_layout_cases[i].name);
        qtest_add_data_func(path, &irq_layout_cases[i], test_ioapic2);
        g_free(path);
        path = g_strdup_printf("/microvm/virtio-mmio/count/%s",
                               irq_layout_cases[i].name);
        qtest_add_data_func(path, &irq_layout_cases[i],
                            test_virtio_mmio_count);
    }
    for (i = 0; i < ARRAY_SIZE(acpi_files_cases); i++) {
        g_free(path);
        path = g_strdup_printf("/microvm/acpi/files/%s",
                               acpi_files_cases[i].name);
        qtest_add_data_func(path, &acpi_files_cases[i], test_acpi_files);
    }
    for (i = 0; i < ARRAY_SIZE(acpi_tables_cases); i++) {
        g_free(path);
        path = g_strdup_printf("/microvm/acpi/tables/%s",
                               acpi_tables_cases[i].name);
        qtest_add_data_func(path, &acpi_tables_cases[i], test_acpi_tables);
    }
    qtest_add_func("/microvm/acpi/erst", test_acpi_erst);
    for (i = 0; i < ARRAY_SIZE(fdt_cases); i++) {
        g_free(path);
        path = g_strdup_printf("/microvm/fdt/%s", fdt_cases[i].name);
        qtest_add_data_func(path, &fdt_cases[i], test_fdt);
    }
    for (i = 0; i < ARRAY_SIZE(madt_cases); i++) {
        g_free(path);
        path = g_strdup_printf("/microvm/acpi/madt/%s", madt_cases[i].name);
        qtest_add_data_func(path, &madt_cases[i], test_acpi_madt);
    }
    for (i = 0; i < ARRAY_SIZE(dsdt_cases); i++) {
        g_free(path);
        path = g_strdup_printf("/microvm/acpi/dsdt/virtio/%s",
                               dsdt_cases[i].name);
        qtest_add_data_func(path, &dsdt_cases[i], test_acpi_dsdt_virtio);
    }

    qtest_add_func("/microvm/virtio-mmio/empty", test_virtio_mmio_empty);
    qtest_add_func("/microvm/virtio-mmio/force-legacy",
                   test_virtio_mmio_legacy);
    for (i = 0; i < ARRAY_SIZE(virtio_device_cases); i++) {
        g_free(path);
        path = g_strdup_printf("/microvm/virtio-mmio/device/%s",
                               virtio_device_cases[i].name);
        qtest_add_data_func(path, &virtio_device_cases[i],
                            test_virtio_mmio_device);
    }

    add_option_tests();

    for (i = 0; i < ARRAY_SIZE(pcspk_cases); i++) {
        g_free(path);
        path = g_strdup_printf("/microvm/pcspk/pit=%s",
                               pcspk_cases[i] ? "on" : "off");
        qtest_add_data_func(path, &pcspk_cases[i], test_pcspk_port);
    }
    for (i = 0; i < ARRAY_SIZE(smp_cases); i++) {
        g_free(path);
        path = g_strdup_printf("/microvm/fw_cfg/nb-cpus/%d", smp_cases[i]);
        qtest_add_data_func(path, &smp_cases[i], test_fw_cfg_nb_cpus);
    }
    for (i = 0; i < ARRAY_SIZE(mem_cases); i++) {
        g_free(path);
        path = g_strdup_printf("/microvm/fw_cfg/ram-size/%s",
                               mem_cases[i].name);
        qtest_add_data_func(path, &mem_cases[i], test_fw_cfg_ram_size);
        g_free(path);
        path = g_strdup_printf("/microvm/fw_cfg/e820/%s", mem_cases[i].name);
        qtest_add_data_func(path, &mem_cases[i], test_fw_cfg_e820);
    }
    qtest_add_func("/microvm/fw_cfg/kernel/pvh", test_fw_cfg_kernel_info);
    qtest_add_func("/microvm/fw_cfg/kernel/bzimage",
                   test_fw_cfg_kernel_bzimage);
    qtest_add_func("/microvm/fw_cfg/kernel/absent",
                   test_fw_cfg_kernel_info_absent);
    qtest_add_func("/microvm/direct-load/pvh-segments",
                   test_pvh_segments_loaded);
    qtest_add_func("/microvm/fw_cfg/cmdline/append",
                   test_fw_cfg_cmdline_append);
    qtest_add_func("/microvm/fw_cfg/cmdline/auto-virtio",
                   test_fw_cfg_cmdline_auto);
    qtest_add_func("/microvm/fw_cfg/cmdline/auto-off",
                   test_fw_cfg_cmdline_auto_off);
    qtest_add_func("/microvm/fw_cfg/initrd", test_fw_cfg_initrd);

    for (i = 0; i < ARRAY_SIZE(bad_option_cases); i++) {
        g_free(path);
        path = g_strdup_printf("/microvm/bad-option/%s",
                               bad_option_cases[i].name);
        qtest_add_data_func(path, &bad_option_cases[i], test_bad_option);
    }

    add_boot_tests("registers", test_pvh_registers);
    add_boot_tests("start-info", test_pvh_start_info);
    add_boot_tests("memmap", test_pvh_memmap);
    add_boot_tests("cmdline", test_pvh_cmdline);
    add_boot_tests("initrd", test_pvh_initrd);
    qtest_add_func("/microvm/pvh/lapic-version", test_pvh_lapic_version);
    add_direct_tests("registers", test_pvh_registers);
    add_direct_tests("start-info", test_pvh_start_info);
    add_direct_tests("memmap", test_pvh_memmap);
    add_direct_tests("cmdline", test_pvh_cmdline);
    add_direct_tests("initrd", test_pvh_initrd);
    add_direct_tests("phases", test_direct_phases);
    add_direct_tests("mptable", test_direct_mptable);
    qtest_add_func("/microvm/direct/pvh/reset", test_direct_reset);
    add_flat_tests("bzimage/registers", test_bzimage_registers);
    add_flat_tests("bzimage/boot-params", test_bzimage_boot_params);
    add_flat_tests("bzimage/e820", test_bzimage_e820);
    add_flat_tests("bzimage/rsdp", test_bzimage_rsdp);
    add_flat_tests("bzimage/cmdline", test_bzimage_cmdline);
    add_flat_tests("bzimage/initrd", test_bzimage_initrd);
    add_flat_tests("multiboot/registers", test_multiboot_registers);
    add_flat_tests("multiboot/info", test_multiboot_info);
    add_flat_tests("multiboot/mmap", test_multiboot_mmap);
    add_flat_tests("multiboot/cmdline", test_multiboot_cmdline);
    add_flat_tests("multiboot/module", test_multiboot_module);
    for (i = 0; i < ARRAY_SIZE(smbios_cases); i++) {
        g_free(path);
        path = g_strdup_printf("/microvm/firmware/smbios/%s",
                               smbios_cases[i].name);
        qtest_add_data_func(path, &smbios_cases[i], test_smbios);
    }
    qtest_add_func("/microvm/firmware/ivt", test_ivt);
    for (i = 0; i < ARRAY_SIZE(hostile_cases); i++) {
        g_free(path);
        path = g_strdup_printf("/microvm/firmware/hostile/%s",
                               hostile_cases[i].name);
        qtest_add_data_func(path, &hostile_cases[i], test_fw_hostile);
    }
    add_direct_flat_tests("bzimage/entry64", test_bzimage_entry64);
    add_direct_flat_tests("bzimage/identity-map", test_bzimage_identity_map);
    add_direct_flat_tests("bzimage/boot-params", test_bzimage_boot_params);
    add_direct_flat_tests("bzimage/e820", test_bzimage_e820);
    add_direct_flat_tests("bzimage/rsdp", test_bzimage_rsdp);
    add_direct_flat_tests("bzimage/cmdline", test_bzimage_cmdline);
    add_direct_flat_tests("bzimage/initrd", test_bzimage_initrd);
    add_direct_flat_tests("multiboot/registers", test_multiboot_registers);
    add_direct_flat_tests("multiboot/info", test_multiboot_info);
    add_direct_flat_tests("multiboot/mmap", test_multiboot_mmap);
    add_direct_flat_tests("multiboot/cmdline", test_multiboot_cmdline);
    add_direct_flat_tests("multiboot/module", test_multiboot_module);
    qtest_add_func("/microvm/direct/multiboot/modules",
                   test_direct_multiboot_modules);
    qtest_add_func("/microvm/direct/multiboot/elf",
                   test_direct_multiboot_elf);


    qtest_add_func("/microvm/boot-timer/machine-ready",
                   test_boot_timer_machine_ready);
    for (i = 0; i < ARRAY_SIZE(marker_cases); i++) {
        g_free(path);
        path = g_strdup_printf("/microvm/boot-timer/marker/%s",
                               marker_cases[i].name);
        qtest_add_data_func(path, &marker_cases[i], test_boot_timer_marker);
    }
    qtest_add_func("/microvm/boot-timer/marker-read",
                   test_boot_timer_marker_read);
    for (i = 0; i < ARRAY_SIZE(port_cases); i++) {
        g_free(path);
        path = g_strdup_printf("/microvm/boot-timer/port/%s",
                               port_cases[i].name);
        qtest_add_data_func(path, &port_cases[i], test_boot_timer_port);
    }
    for (i = 0; i < ARRAY_SIZE(timer_off_cases); i++) {
        g_free(path);
        path = g_strdup_printf("/microvm/boot-timer/off/%s",
                               timer_off_cases[i][0] ? "off" : "default");
        qtest_add_data_func(path, timer_off_cases[i], test_boot_timer_off);
    }
    qtest_add_func("/microvm/boot-timer/port-first",
                   test_boot_timer_port_first);
    qtest_add_func("/microvm/boot-timer/reset", test_boot_timer_reset);
    qtest_add_func("/microvm/boot-timer/firmware", test_boot_timer_firmware);

    return g_test_run();
}
