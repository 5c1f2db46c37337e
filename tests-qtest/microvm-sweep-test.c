/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device-window sweep of the x86 microvm machine
 *
 * Plays a hostile guest: writes and reads back every register offset of
 * every device window the machine maps (virtio-mmio transports, fw_cfg
 * ports and DMA with hostile descriptors, the ACPI GED, both IOAPICs, the
 * RTC, the PCIe ECAM and windows, xHCI, the boot-timer page and port, the
 * legacy ports) at 1, 2, 4 and 8 bytes with boundary values, then checks
 * that QEMU still answers QMP with a running VM and that the registers
 * with a defined value still read it.  Built with sanitizers
 * ('make check-asan') it must produce no report.
 *
 * Addresses are those of the machine's tables in hw/i386/microvm.c.
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qemu/bswap.h"
#include "qobject/qdict.h"
#include "standard-headers/linux/qemu_fw_cfg.h"

#define VIRTIO_MMIO_BASE        UINT64_C(0xfeb00000)
#define VIRTIO_MMIO_STRIDE      0x200
#define VIRTIO_MMIO_MAGIC       0x000
#define VIRTIO_MMIO_VERSION     0x004
#define VIRTIO_MMIO_DEVICE_ID   0x008
#define VIRTIO_MMIO_VENDOR_ID   0x00c
#define VIRTIO_MMIO_CONFIG      0x100
#define VIRTIO_MMIO_MAGIC_VALUE 0x74726976      /* "virt" */

#define FW_CFG_IO_BASE          0x510
#define FW_CFG_DATA             (FW_CFG_IO_BASE + 1)
#define FW_CFG_DMA_ADDR_HI      (FW_CFG_IO_BASE + 4)
#define FW_CFG_DMA_ADDR_LO      (FW_CFG_IO_BASE + 8)

#define GED_EVT_BASE            UINT64_C(0xfea00000)
#define GED_REGS_BASE           UINT64_C(0xfea00200)
#define GED_REG_RESET           0x02
#define GED_RESET_VALUE         0x42

#define IOAPIC_BASE             UINT64_C(0xfec00000)
#define IOAPIC2_BASE            UINT64_C(0xfec10000)
#define IOAPIC_IOREGSEL         0x00
#define IOAPIC_IOWIN            0x10
#define IOAPIC_REG_VERSION      0x01

#define RTC_INDEX               0x70
#define RTC_DATA                0x71
#define RTC_REG_D               0x0d
#define RTC_REG_D_VRT           0x80

#define PCIE_MMIO_BASE          UINT64_C(0xc0000000)
#define PCIE_ECAM_BASE          UINT64_C(0xe0000000)
#define PCIE_ECAM_SIZE          UINT64_C(0x10000000)
#define BOOT_TIMER_MMIO         UINT64_C(0xfe800000)
#define XHCI_BASE               UINT64_C(0xfe900000)

/* Guest RAM the fw_cfg DMA cases use; the machine has 128 MiB */
#define RAM_SIZE                (128 * 1024 * 1024)
#define DMA_DESC                UINT64_C(0x10000)
#define DMA_BUF                 UINT64_C(0x20000)

/* A window of guest-physical memory or I/O ports to sweep */
typedef struct Window {
    const char *name;
    uint64_t base;
    uint64_t span;          /* every offset in [0, span) */
    uint64_t size;          /* then every 0x100th offset up to size */
    bool io;                /* I/O ports: 1, 2 and 4 bytes only */
} Window;

/* Write @v at @width bytes; widths the bus lacks are split by QEMU */
static void poke(QTestState *qts, const Window *w, uint64_t off,
                 unsigned width, uint64_t v)
{
    uint64_t a = w->base + off;

    if (w->io) {
        switch (width) {
        case 1:
            qtest_outb(qts, a, v);
            break;
        case 2:
            qtest_outw(qts, a, v);
            break;
        default:
            qtest_outl(qts, a, v);
            break;
        }
        return;
    }
    switch (width) {
    case 1:
        qtest_writeb(qts, a, v);
        break;
    case 2:
        qtest_writew(qts, a, v);
        break;
    case 4:
        qtest_writel(qts, a, v);
        break;
    default:
        qtest_writeq(qts, a, v);
        break;
    }
}

static uint64_t peek(QTestState *qts, const Window *w, uint64_t off,
                     unsigned width)
{
    uint64_t a = w->base + off;

    if (w->io) {
        switch (width) {
        case 1:
            return qtest_inb(qts, a);
        case 2:
            return qtest_inw(qts, a);
        default:
            return qtest_inl(qts, a);
        }
    }
    switch (width) {
    case 1:
        return qtest_readb(qts, a);
    case 2:
        return qtest_readw(qts, a);
    case 4:
        return qtest_readl(qts, a);
    default:
        return qtest_readq(qts, a);
    }
}

/*
 * Called after each read of the sweep: asserts what the register must
 * read whatever was written (NULL: nothing defined).
 */
typedef void (*ReadCheck)(uint64_t off, unsigned width, uint64_t v);

/*
 * Boundary values at @width bytes: all-ones, the top bit alone, zero.
 * Registers are 4 or 8 bytes wide: narrower accesses get all-ones only
 * (they test the access-size checks, not the register's semantics);
 * returns how many values to use.
 */
static int boundary_values(unsigned width, uint64_t v[3])
{
    uint64_t ones = width == 8 ? UINT64_MAX : (UINT64_C(1) << (8 * width)) - 1;

    v[0] = ones;
    v[1] = UINT64_C(1) << (8 * width - 1);
    v[2] = 0;
    return width >= 4 ? 3 : 1;
}

static void sweep_access(QTestState *qts, const Window *w, uint64_t off,
                         unsigned width, ReadCheck check)
{
    uint64_t vals[3];
    int i, n;

    n = boundary_values(width, vals);
    for (i = 0; i < n; i++) {
        uint64_t got;

        poke(qts, w, off, width, vals[i]);
        got = peek(qts, w, off, width);
        if (check) {
            check(off, width, got);
        }
    }
}

static void sweep_window(QTestState *qts, const Window *w, ReadCheck check)
{
    static const unsigned widths[] = { 1, 2, 4, 8 };
    uint64_t off;
    int i;

    g_test_message("sweeping %s: 0x%" PRIx64 " + 0x%" PRIx64,
                   w->name, w->base, w->size);
    for (i = 0; i < ARRAY_SIZE(widths); i++) {
        unsigned width = widths[i];

        if (w->io && width == 8) {
            continue;
        }
        for (off = 0; off + width <= w->span; off += width) {
            sweep_access(qts, w, off, width, check);
        }
    }
    for (off = QEMU_ALIGN_UP(w->span, 0x100); off < w->size; off += 0x100) {
        sweep_access(qts, w, off, 4, check);
    }
}

/* QEMU answers QMP and the VM still runs */
static void assert_alive(QTestState *qts)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'query-status' }");
    QDict *ret;

    g_assert_nonnull(rsp);
    ret = qdict_get_qdict(rsp, "return");
    g_assert_nonnull(ret);
    g_assert_true(qdict_get_bool(ret, "running"));
    g_assert_cmpstr(qdict_get_str(ret, "status"), ==, "running");
    qobject_unref(rsp);
}

static QTestState *sweep_init(const char *machine_opts, const char *args)
{
    return qtest_initf("-M microvm%s%s -m 128M -nodefaults %s",
                       machine_opts[0] ? "," : "", machine_opts, args);
}

/* ---- virtio-mmio ---- */

/* One of each virtio-mmio device of the build profile, with a backend */
#define VIRTIO_DEVICES \
    "-blockdev driver=null-co,node-name=disk0 " \
    "-device virtio-blk-device,drive=disk0 " \
    "-netdev user,id=net0 -device virtio-net-device,netdev=net0 " \
    "-device virtio-serial-device -device virtio-rng-device " \
    "-device virtio-balloon-device"
#define VIRTIO_DEVICE_COUNT 5

typedef struct VirtioSweepCase {
    const char *name;
    const char *machine_opts;
    int transports;
} VirtioSweepCase;

static const VirtioSweepCase virtio_sweep_cases[] = {
    { "acpi-off", "acpi=off", 8 },
    { "ioapic2", "", 24 },
};

static uint32_t virtio_expected_id;

/* Magic, version, device and vendor IDs are read-only */
static void virtio_check(uint64_t off, unsigned width, uint64_t v)
{
    if (width != 4) {
        return;
    }
    switch (off) {
    case VIRTIO_MMIO_MAGIC:
        g_assert_cmphex(v, ==, VIRTIO_MMIO_MAGIC_VALUE);
        break;
    case VIRTIO_MMIO_VERSION:
        g_assert_cmphex(v, ==, 2);
        break;
    case VIRTIO_MMIO_DEVICE_ID:
        g_assert_cmphex(v, ==, virtio_expected_id);
        break;
    case VIRTIO_MMIO_VENDOR_ID:
        if (virtio_expected_id) {
            g_assert_cmphex(v, ==, 0x554d4551);     /* "QEMU" */
        }
        break;
    }
}

static void test_sweep_virtio_mmio(const void *opaque)
{
    const VirtioSweepCase *c = opaque;
    QTestState *qts = sweep_init(c->machine_opts, VIRTIO_DEVICES);
    uint32_t ids[24];
    int i, plugged = 0;

    g_assert_cmpint(c->transports, <=, ARRAY_SIZE(ids));
    for (i = 0; i < c->transports; i++) {
        uint64_t base = VIRTIO_MMIO_BASE + i * VIRTIO_MMIO_STRIDE;

        g_assert_cmphex(qtest_readl(qts, base + VIRTIO_MMIO_MAGIC), ==,
                        VIRTIO_MMIO_MAGIC_VALUE);
        ids[i] = qtest_readl(qts, base + VIRTIO_MMIO_DEVICE_ID);
        plugged += ids[i] != 0;
    }
    g_assert_cmpint(plugged, ==, VIRTIO_DEVICE_COUNT);

    /*
     * Every offset of each transport with a device (its registers and
     * its device's configuration space) and of the first and the last
     * empty one; the other empty transports run the same code as those
     * two: the registers, 4 bytes wide.
     */
    for (i = 0; i < c->transports; i++) {
        g_autofree char *name = g_strdup_printf("virtio-mmio.%d", i);
        bool full = ids[i] || i == 0 || i == c->transports - 1;
        Window w = {
            .name = name,
            .base = VIRTIO_MMIO_BASE + i * VIRTIO_MMIO_STRIDE,
            .span = full ? VIRTIO_MMIO_STRIDE : 0,
            .size = full ? VIRTIO_MMIO_STRIDE : 0,
        };
        uint64_t off;

        virtio_expected_id = ids[i];
        if (full) {
            sweep_window(qts, &w, virtio_check);
            continue;
        }
        for (off = 0; off < VIRTIO_MMIO_CONFIG; off += 4) {
            sweep_access(qts, &w, off, 4, virtio_check);
        }
    }
    /* One past the last transport: nothing there */
    g_assert_cmphex(qtest_readl(qts, VIRTIO_MMIO_BASE +
                                c->transports * VIRTIO_MMIO_STRIDE), !=,
                    VIRTIO_MMIO_MAGIC_VALUE);
    assert_alive(qts);
    qtest_quit(qts);
}

/* ---- fw_cfg ---- */

static uint64_t fw_cfg_dma_signature(QTestState *qts)
{
    uint32_t hi = be32_to_cpu(qtest_inl(qts, FW_CFG_DMA_ADDR_HI));
    uint32_t lo = be32_to_cpu(qtest_inl(qts, FW_CFG_DMA_ADDR_LO));

    return ((uint64_t)hi << 32) | lo;
}

/* fw_cfg still works: the signature through the ports and through DMA */
static void assert_fw_cfg_works(QTestState *qts)
{
    struct fw_cfg_dma_access access = {
        .control = cpu_to_be32(((uint32_t)FW_CFG_SIGNATURE << 16) |
                               FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ),
        .length = cpu_to_be32(4),
        .address = cpu_to_be64(DMA_BUF),
    };
    char sig[5] = "";
    int i;

    qtest_outw(qts, FW_CFG_IO_BASE, FW_CFG_SIGNATURE);
    for (i = 0; i < 4; i++) {
        sig[i] = qtest_inb(qts, FW_CFG_DATA);
    }
    g_assert_cmpstr(sig, ==, "QEMU");
    g_assert_cmphex(fw_cfg_dma_signature(qts), ==, FW_CFG_DMA_SIGNATURE);

    memset(sig, 0, sizeof(sig));
    qtest_memwrite(qts, DMA_BUF, sig, 4);
    qtest_memwrite(qts, DMA_DESC, &access, sizeof(access));
    qtest_outl(qts, FW_CFG_DMA_ADDR_HI, 0);
    qtest_outl(qts, FW_CFG_DMA_ADDR_LO, cpu_to_be32(DMA_DESC));
    g_assert_cmphex(qtest_readl(qts, DMA_DESC), ==, 0);
    qtest_memread(qts, DMA_BUF, sig, 4);
    g_assert_cmpstr(sig, ==, "QEMU");
}

/*
 * Every selector key (both the generic and the arch-specific range, and
 * the invalid values above them), each followed by data-port reads and
 * writes; then every offset of the port window except the DMA address
 * low half (writing it starts a DMA: see the dma cases).
 */
static void test_sweep_fw_cfg_ports(void)
{
    QTestState *qts = sweep_init("", "");
    static const Window sel_data = {
        .name = "fw_cfg selector and data", .base = FW_CFG_IO_BASE,
        .span = 2, .size = 2, .io = true,
    };
    static const Window dma_hi = {
        .name = "fw_cfg DMA address, high half", .base = FW_CFG_DMA_ADDR_HI,
        .span = 4, .size = 4, .io = true,
    };
    uint32_t key;

    for (key = 0; key <= 0xffff; key += (key & 0x3fff) < 0x100 ? 1 : 0x80) {
        qtest_outw(qts, FW_CFG_IO_BASE, key);
        qtest_inl(qts, FW_CFG_DATA);
        qtest_outb(qts, FW_CFG_DATA, 0xff);
    }
    sweep_window(qts, &sel_data, NULL);
    sweep_window(qts, &dma_hi, NULL);
    /* The high half latched by the sweep must not leak into a DMA */
    qtest_outl(qts, FW_CFG_DMA_ADDR_HI, 0);
    assert_fw_cfg_works(qts);
    assert_alive(qts);
    qtest_quit(qts);
}

typedef struct DmaCase {
    const char *name;
    uint64_t desc;          /* where the access structure is */
    uint32_t control;
    uint32_t length;
    uint64_t address;
    bool error;             /* the device must report an error */
} DmaCase;

#define DMA_SEL(key)    (((uint32_t)(key) << 16) | FW_CFG_DMA_CTL_SELECT)

static const DmaCase dma_cases[] = {
    { "read-past-ram", DMA_DESC,
      DMA_SEL(FW_CFG_SIGNATURE) | FW_CFG_DMA_CTL_READ,
      4, UINT64_C(0x100000000000), true },
    { "read-top-of-space", DMA_DESC,
      DMA_SEL(FW_CFG_SIGNATURE) | FW_CFG_DMA_CTL_READ,
      64, UINT64_C(0xffffffffffffffc0), true },
    { "read-wraps", DMA_DESC,
      DMA_SEL(FW_CFG_SIGNATURE) | FW_CFG_DMA_CTL_READ,
      0x100, UINT64_C(0xffffffffffffff80), true },
    { "read-huge-length-past-ram", DMA_DESC,
      DMA_SEL(FW_CFG_SIGNATURE) | FW_CFG_DMA_CTL_READ,
      0x1000000, UINT64_C(0xfffffffff0000000), true },
    { "read-straddles-ram-end", DMA_DESC,
      DMA_SEL(FW_CFG_FILE_DIR) | FW_CFG_DMA_CTL_READ,
      0x1000, RAM_SIZE - 0x10, true },
    { "read-over-descriptor", DMA_DESC,
      DMA_SEL(FW_CFG_FILE_DIR) | FW_CFG_DMA_CTL_READ,
      0x100, DMA_DESC, false },
    { "read-zero-length", DMA_DESC,
      DMA_SEL(FW_CFG_SIGNATURE) | FW_CFG_DMA_CTL_READ, 0, DMA_BUF, false },
    { "read-past-item", DMA_DESC,
      DMA_SEL(FW_CFG_SIGNATURE) | FW_CFG_DMA_CTL_READ,
      0x10000, DMA_BUF, false },
    { "read-invalid-key", DMA_DESC,
      DMA_SEL(0x7fff) | FW_CFG_DMA_CTL_READ, 0x100, DMA_BUF, false },
    { "select-all-ones", DMA_DESC, 0xffff0000 | FW_CFG_DMA_CTL_SELECT,
      0, 0, false },
    { "write-read-only-item", DMA_DESC,
      DMA_SEL(FW_CFG_SIGNATURE) | FW_CFG_DMA_CTL_WRITE,
      4, DMA_BUF, true },
    { "write-past-ram", DMA_DESC,
      DMA_SEL(FW_CFG_FILE_DIR) | FW_CFG_DMA_CTL_WRITE,
      UINT32_MAX, UINT64_C(0xffffffffffff0000), true },
    { "skip-huge", DMA_DESC,
      DMA_SEL(FW_CFG_FILE_DIR) | FW_CFG_DMA_CTL_SKIP,
      UINT32_MAX, 0, false },
    { "skip-then-read", DMA_DESC, FW_CFG_DMA_CTL_SKIP | FW_CFG_DMA_CTL_READ,
      0x100, DMA_BUF, false },
    { "all-control-bits", DMA_DESC, UINT32_MAX, 0x100, DMA_BUF, false },
    { "unknown-control-bits", DMA_DESC, 0x0000ffe0, 0x100, DMA_BUF, false },
    { "no-operation", DMA_DESC, 0, UINT32_MAX, UINT64_MAX, false },
    { "descriptor-past-ram", UINT64_C(0x100000000000),
      DMA_SEL(FW_CFG_SIGNATURE) | FW_CFG_DMA_CTL_READ, 4, DMA_BUF, true },
    { "descriptor-at-ram-end", RAM_SIZE - 8,
      DMA_SEL(FW_CFG_SIGNATURE) | FW_CFG_DMA_CTL_READ, 4, DMA_BUF, true },
    { "descriptor-in-mmio", VIRTIO_MMIO_BASE,
      DMA_SEL(FW_CFG_SIGNATURE) | FW_CFG_DMA_CTL_READ, 4, DMA_BUF, true },
};

static void test_sweep_fw_cfg_dma(const void *opaque)
{
    const DmaCase *c = opaque;
    QTestState *qts = sweep_init("", "");
    struct fw_cfg_dma_access access = {
        .control = cpu_to_be32(c->control),
        .length = cpu_to_be32(c->length),
        .address = cpu_to_be64(c->address),
    };
    bool in_ram = c->desc + sizeof(access) <= RAM_SIZE;
    uint32_t control;

    if (in_ram) {
        qtest_memwrite(qts, c->desc, &access, sizeof(access));
    }
    qtest_outl(qts, FW_CFG_DMA_ADDR_HI, cpu_to_be32(c->desc >> 32));
    qtest_outl(qts, FW_CFG_DMA_ADDR_LO, cpu_to_be32((uint32_t)c->desc));
    if (in_ram) {
        /* The transfer is over: no operation bit is left set */
        control = be32_to_cpu(qtest_readl(qts, c->desc));
        g_test_message("%s: control after the transfer 0x%08x",
                       c->name, control);
        g_assert_cmphex(control & ~FW_CFG_DMA_CTL_ERROR, ==, 0);
        g_assert_cmpint(!!(control & FW_CFG_DMA_CTL_ERROR), ==, c->error);
    } else if (c->desc < RAM_SIZE) {
        /* Unreadable: the device stores the error bit where it can */
        control = be32_to_cpu(qtest_readl(qts, c->desc));
        g_assert_cmphex(control, ==, FW_CFG_DMA_CTL_ERROR);
    }
    if (c->desc == VIRTIO_MMIO_BASE) {
        g_assert_cmphex(qtest_readl(qts, VIRTIO_MMIO_BASE), ==,
                        VIRTIO_MMIO_MAGIC_VALUE);
    }
    assert_fw_cfg_works(qts);
    assert_alive(qts);
    qtest_quit(qts);
}

/* ---- ACPI GED ---- */

static void ged_evt_check(uint64_t off, unsigned width, uint64_t v)
{
    /* No event is pending: the selector reads 0 */
    if (off == 0 && width == 4) {
        g_assert_cmphex(v, ==, 0);
    }
}

static void test_sweep_ged(void)
{
    QTestState *qts = sweep_init("", "");
    static const Window evt = {
        .name = "GED event selector", .base = GED_EVT_BASE,
        .span = 0x10, .size = 0x200,
    };
    static const Window regs = {
        .name = "GED sleep and reset registers", .base = GED_REGS_BASE,
        .span = 0x10, .size = 0x100,
    };

    sweep_window(qts, &evt, ged_evt_check);
    sweep_window(qts, &regs, NULL);
    /* The reset value resets the machine; QEMU goes on */
    qtest_writeb(qts, GED_REGS_BASE + GED_REG_RESET, GED_RESET_VALUE);
    assert_alive(qts);
    g_assert_cmphex(fw_cfg_dma_signature(qts), ==, FW_CFG_DMA_SIGNATURE);
    qtest_quit(qts);
}

/* ---- IOAPICs ---- */

static uint32_t ioapic_read(QTestState *qts, uint64_t base, uint8_t reg)
{
    qtest_writel(qts, base + IOAPIC_IOREGSEL, reg);
    return qtest_readl(qts, base + IOAPIC_IOWIN);
}

static void sweep_ioapic(QTestState *qts, const char *name, uint64_t base)
{
    Window w = {
        .name = name, .base = base, .span = 0x100, .size = 0x1000,
    };
    uint32_t version = ioapic_read(qts, base, IOAPIC_REG_VERSION);
    uint64_t vals[3];
    int reg, i, n;

    g_assert_cmpuint((version >> 16) & 0xff, ==, 23);
    sweep_window(qts, &w, NULL);
    /*
     * Every defined indirect register (ID, version, arbitration, the 24
     * redirection entries: 0x00..0x3f) through IOREGSEL and IOWIN, then
     * every 16th index above
     */
    n = boundary_values(4, vals);
    for (reg = 0; reg <= 0xff; reg += reg < 0x40 ? 1 : 0x10) {
        for (i = 0; i < n; i++) {
            qtest_writel(qts, base + IOAPIC_IOREGSEL, reg);
            qtest_writel(qts, base + IOAPIC_IOWIN, vals[i]);
            qtest_readl(qts, base + IOAPIC_IOWIN);
        }
    }
    /* The version register is read-only */
    g_assert_cmphex(ioapic_read(qts, base, IOAPIC_REG_VERSION), ==, version);
}

static void test_sweep_ioapic(void)
{
    QTestState *qts = sweep_init("", "");

    sweep_ioapic(qts, "IOAPIC", IOAPIC_BASE);
    sweep_ioapic(qts, "IOAPIC2", IOAPIC2_BASE);
    assert_alive(qts);
    qtest_quit(qts);
}

/* ---- RTC, legacy ports, boot timer ---- */

/* Every CMOS index, with and without the NMI-disable bit */
static void test_sweep_rtc(void)
{
    QTestState *qts = sweep_init("", "");
    static const Window ports = {
        .name = "RTC ports", .base = RTC_INDEX, .span = 2, .size = 2,
        .io = true,
    };
    static const uint8_t vals[] = { 0xff, 0x80, 0 };
    int idx, i;

    for (idx = 0; idx <= 0xff; idx++) {
        for (i = 0; i < (idx < 0x80 ? ARRAY_SIZE(vals) : 1); i++) {
            qtest_outb(qts, RTC_INDEX, idx);
            qtest_outb(qts, RTC_DATA, vals[i]);
            qtest_outb(qts, RTC_INDEX, idx);
            qtest_inb(qts, RTC_DATA);
        }
    }
    sweep_window(qts, &ports, NULL);
    /* Register D is read-only: valid RAM and time */
    qtest_outb(qts, RTC_INDEX, RTC_REG_D);
    g_assert_cmphex(qtest_inb(qts, RTC_DATA), ==, RTC_REG_D_VRT);
    assert_alive(qts);
    qtest_quit(qts);
}

typedef struct LegacyCase {
    const char *name;
    const char *machine_opts;
} LegacyCase;

static const LegacyCase legacy_cases[] = {
    { "on", "boot-timer=on" },
    { "off", "pic=off,pit=off,rtc=off,isa-serial=off" },
};

static const Window legacy_windows[] = {
    { "PIC master", 0x20, 2, 2, true },
    { "PIT", 0x40, 4, 4, true },
    { "port 0x61", 0x61, 1, 1, true },
    { "POST port 0x80", 0x80, 1, 1, true },
    { "PIC slave", 0xa0, 2, 2, true },
    { "ELCR", 0x4d0, 2, 2, true },
    { "COM1", 0x3f8, 8, 8, true },
};

static void test_sweep_legacy(const void *opaque)
{
    const LegacyCase *c = opaque;
    QTestState *qts = sweep_init(c->machine_opts, "-serial null");
    int i;

    for (i = 0; i < ARRAY_SIZE(legacy_windows); i++) {
        sweep_window(qts, &legacy_windows[i], NULL);
    }
    assert_alive(qts);
    qtest_quit(qts);
}

/* The boot-timer marker page reads 0 whatever was written */
static void boot_timer_check(uint64_t off, unsigned width, uint64_t v)
{
    g_assert_cmphex(v, ==, 0);
}

static void test_sweep_boot_timer(void)
{
    QTestState *qts = sweep_init("boot-timer=on", "");
    static const Window page = {
        .name = "boot-timer marker", .base = BOOT_TIMER_MMIO,
        .span = 0x40, .size = 0x1000,
    };

    sweep_window(qts, &page, boot_timer_check);
    qtest_writel(qts, BOOT_TIMER_MMIO, 123);
    assert_alive(qts);
    qtest_quit(qts);
}

/* ---- PCIe and xHCI ---- */

static void test_sweep_pcie(void)
{
    QTestState *qts = sweep_init("pcie=on", "");
    static const Window windows[] = {
        /* The host bridge's configuration space, then the whole ECAM */
        { "ECAM 00:00.0", PCIE_ECAM_BASE, 0x100, 0x1000 },
        { "ECAM 00:01.0 (absent)", PCIE_ECAM_BASE + 0x8000, 0x40, 0x1000 },
        { "ECAM ff:1f.7 (absent)", PCIE_ECAM_BASE + PCIE_ECAM_SIZE - 0x1000,
          0x40, 0x1000 },
        { "PCIe 32-bit window", PCIE_MMIO_BASE, 0x40, 0x1000 },
    };
    uint64_t off;
    int i;

    for (i = 0; i < ARRAY_SIZE(windows); i++) {
        sweep_window(qts, &windows[i], NULL);
    }
    for (off = 0; off < PCIE_ECAM_SIZE; off += 0x100000) {
        qtest_writel(qts, PCIE_ECAM_BASE + off + 4, UINT32_MAX);
        qtest_readl(qts, PCIE_ECAM_BASE + off);
    }
    /* The host bridge is still there: a Red Hat vendor ID */
    g_assert_cmphex(qtest_readw(qts, PCIE_ECAM_BASE), ==, 0x1b36);
    /* An absent function reads all-ones */
    g_assert_cmphex(qtest_readl(qts, PCIE_ECAM_BASE + 0x8000), ==,
                    UINT32_MAX);
    assert_alive(qts);
    qtest_quit(qts);
}

static void test_sweep_xhci(void)
{
    QTestState *qts = sweep_init("usb=on", "");
    static const Window windows[] = {
        /* Capabilities, operational registers and 8 port register sets */
        { "xHCI capability and operational", XHCI_BASE, 0x480, 0x1000 },
        /* MFINDEX and 16 interrupter register sets */
        { "xHCI runtime", XHCI_BASE + 0x1000, 0x220, 0x1000 },
        /* Host controller and 64 slot doorbells; the rest sampled */
        { "xHCI doorbells", XHCI_BASE + 0x2000, 0x104, 0xe000 },
    };
    uint32_t caplen = qtest_readl(qts, XHCI_BASE);
    int i;

    for (i = 0; i < ARRAY_SIZE(windows); i++) {
        sweep_window(qts, &windows[i], NULL);
    }
    /* CAPLENGTH and HCIVERSION are read-only */
    g_assert_cmphex(qtest_readl(qts, XHCI_BASE), ==, caplen);
    assert_alive(qts);
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    int i;

    g_test_init(&argc, &argv, NULL);

    for (i = 0; i < ARRAY_SIZE(virtio_sweep_cases); i++) {
        g_autofree char *path = g_strdup_printf(
            "/microvm/sweep/virtio-mmio/%s", virtio_sweep_cases[i].name);
        qtest_add_data_func(path, &virtio_sweep_cases[i],
                            test_sweep_virtio_mmio);
    }
    qtest_add_func("/microvm/sweep/fw-cfg/ports", test_sweep_fw_cfg_ports);
    for (i = 0; i < ARRAY_SIZE(dma_cases); i++) {
        g_autofree char *path = g_strdup_printf(
            "/microvm/sweep/fw-cfg/dma/%s", dma_cases[i].name);
        qtest_add_data_func(path, &dma_cases[i], test_sweep_fw_cfg_dma);
    }
    qtest_add_func("/microvm/sweep/ged", test_sweep_ged);
    qtest_add_func("/microvm/sweep/ioapic", test_sweep_ioapic);
    qtest_add_func("/microvm/sweep/rtc", test_sweep_rtc);
    for (i = 0; i < ARRAY_SIZE(legacy_cases); i++) {
        g_autofree char *path = g_strdup_printf(
            "/microvm/sweep/legacy-ports/%s", legacy_cases[i].name);
        qtest_add_data_func(path, &legacy_cases[i], test_sweep_legacy);
    }
    qtest_add_func("/microvm/sweep/boot-timer", test_sweep_boot_timer);
    qtest_add_func("/microvm/sweep/pcie", test_sweep_pcie);
    qtest_add_func("/microvm/sweep/xhci", test_sweep_xhci);

    return g_test_run();
}
