/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * microvm direct kernel boot.
 *
 * The machine, not the firmware, reads the -kernel file: it checks every
 * header field it uses against the file size and the guest RAM layout
 * before anything is placed in guest memory, then registers the PT_LOAD
 * segments as ROM blobs (so they are written again on every reset) and
 * describes the result to the firmware in the fw_cfg file
 * "etc/microvm/kernel".  The firmware then only has to build the boot
 * structures and jump.
 *
 * Supported today: PVH ELF kernels (an uncompressed vmlinux carrying the
 * XEN_ELFNOTE_PHYS32_ENTRY note), 32- or 64-bit.  bzImage and multiboot
 * images are refused with our firmware; with a user-supplied -bios they
 * are handed to the generic x86 loader so SeaBIOS keeps working.
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "elf.h"
#include "hw/loader.h"
#include "system/system.h"
#include "hw/i386/x86.h"
#include "microvm-boot.h"
#include "microvm-direct.h"

/* More program headers than any kernel needs; bounds the parse loop */
#define MICROVM_ELF_MAX_PHNUM   128

/* Kernel segments must not touch the firmware's low memory */
#define MICROVM_KERNEL_MIN_ADDR (1 * MiB)

/* Linux boot protocol: "HdrS" at offset 0x202 of a bzImage */
#define BZIMAGE_HEADER_OFFSET   0x202
#define BZIMAGE_HEADER_MAGIC    0x53726448

/*
 * Linux boot protocol setup header fields (Documentation/arch/x86/
 * boot.rst), as offsets into the bzImage file.
 */
#define BZ_SETUP_SECTS          0x1f1   /* u8 */
#define BZ_SYSSIZE              0x1f4   /* u32, 16-byte paragraphs, 2.04 */
#define BZ_BOOT_FLAG            0x1fe   /* u16, 0xaa55 */
#define BZ_VERSION              0x206   /* u16 */
#define BZ_LOADFLAGS            0x211   /* u8 */
#define BZ_INITRD_ADDR_MAX      0x22c   /* u32, 2.03 */
#define BZ_CMDLINE_SIZE         0x238   /* u32, 2.06 */
#define BZ_INIT_SIZE            0x260   /* u32, 2.10 */
#define BZ_BOOT_FLAG_MAGIC      0xaa55
#define BZ_LOADED_HIGH          0x01
/* The firmware needs init_size and pref_address: protocol 2.10 */
#define BZ_MIN_VERSION          0x020a
#define BZ_MAX_SETUP_SECTS      64

/* Multiboot v1: magic in the first 8 KiB, 4-byte aligned */
#define MULTIBOOT_SEARCH_LEN    8192
#define MULTIBOOT_HEADER_MAGIC  0x1badb002

/* One ELF program header, whatever the ELF class */
typedef struct MicrovmPhdr {
    uint32_t type;
    uint64_t offset;
    uint64_t paddr;
    uint64_t filesz;
    uint64_t memsz;
    uint64_t align;
} MicrovmPhdr;

/* The parts of a checked PVH ELF image the loader needs */
typedef struct MicrovmElf {
    const uint8_t *data;
    uint64_t size;
    bool is64;
    uint64_t phoff;
    unsigned phnum;
    unsigned phentsize;
    uint64_t entry;
    uint64_t load_start;
    uint64_t load_end;
} MicrovmElf;

/* [start, start + len) lies inside [lo, hi), without overflow */
static bool range_inside(uint64_t start, uint64_t len, uint64_t lo,
                         uint64_t hi)
{
    return start >= lo && start <= hi && len <= hi - start;
}

static void elf_read_phdr(const MicrovmElf *elf, unsigned index,
                          MicrovmPhdr *ph)
{
    const uint8_t *p = elf->data + elf->phoff +
                       (uint64_t)index * elf->phentsize;

    if (elf->is64) {
        ph->type = (uint32_t)ldl_le_p(p + offsetof(Elf64_Phdr, p_type));
        ph->offset = ldq_le_p(p + offsetof(Elf64_Phdr, p_offset));
        ph->paddr = ldq_le_p(p + offsetof(Elf64_Phdr, p_paddr));
        ph->filesz = ldq_le_p(p + offsetof(Elf64_Phdr, p_filesz));
        ph->memsz = ldq_le_p(p + offsetof(Elf64_Phdr, p_memsz));
        ph->align = ldq_le_p(p + offsetof(Elf64_Phdr, p_align));
    } else {
        ph->type = (uint32_t)ldl_le_p(p + offsetof(Elf32_Phdr, p_type));
        ph->offset = (uint32_t)ldl_le_p(p + offsetof(Elf32_Phdr, p_offset));
        ph->paddr = (uint32_t)ldl_le_p(p + offsetof(Elf32_Phdr, p_paddr));
        ph->filesz = (uint32_t)ldl_le_p(p + offsetof(Elf32_Phdr, p_filesz));
        ph->memsz = (uint32_t)ldl_le_p(p + offsetof(Elf32_Phdr, p_memsz));
        ph->align = (uint32_t)ldl_le_p(p + offsetof(Elf32_Phdr, p_align));
    }
}

/* ELF identification and file header */
static bool elf_check_header(MicrovmElf *elf, Error **errp)
{
    const uint8_t *d = elf->data;
    uint16_t type, machine, ehsize;
    uint64_t table_len;

    if (d[EI_CLASS] != ELFCLASS32 && d[EI_CLASS] != ELFCLASS64) {
        error_setg(errp, "unknown ELF class %u", d[EI_CLASS]);
        return false;
    }
    elf->is64 = d[EI_CLASS] == ELFCLASS64;
    if (d[EI_DATA] != ELFDATA2LSB || d[EI_VERSION] != EV_CURRENT) {
        error_setg(errp, "not a little-endian ELF version 1 image");
        return false;
    }
    if (elf->size < (elf->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr))) {
        error_setg(errp, "ELF header truncated");
        return false;
    }

    if (elf->is64) {
        type = lduw_le_p(d + offsetof(Elf64_Ehdr, e_type));
        machine = lduw_le_p(d + offsetof(Elf64_Ehdr, e_machine));
        ehsize = lduw_le_p(d + offsetof(Elf64_Ehdr, e_ehsize));
        elf->phoff = ldq_le_p(d + offsetof(Elf64_Ehdr, e_phoff));
        elf->phentsize = lduw_le_p(d + offsetof(Elf64_Ehdr, e_phentsize));
        elf->phnum = lduw_le_p(d + offsetof(Elf64_Ehdr, e_phnum));
    } else {
        type = lduw_le_p(d + offsetof(Elf32_Ehdr, e_type));
        machine = lduw_le_p(d + offsetof(Elf32_Ehdr, e_machine));
        ehsize = lduw_le_p(d + offsetof(Elf32_Ehdr, e_ehsize));
        elf->phoff = (uint32_t)ldl_le_p(d + offsetof(Elf32_Ehdr, e_phoff));
        elf->phentsize = lduw_le_p(d + offsetof(Elf32_Ehdr, e_phentsize));
        elf->phnum = lduw_le_p(d + offsetof(Elf32_Ehdr, e_phnum));
    }

    if (machine != EM_386 && machine != EM_X86_64) {
        error_setg(errp, "ELF machine %u is not x86", machine);
        return false;
    }
    if (type != ET_EXEC) {
        error_setg(errp, "ELF type %u is not an executable (ET_EXEC)", type);
        return false;
    }
    if (ehsize != (elf->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr))) {
        error_setg(errp, "bad ELF header size %u", ehsize);
        return false;
    }
    if (elf->phentsize !=
        (elf->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr))) {
        error_setg(errp, "bad ELF program header size %u", elf->phentsize);
        return false;
    }
    if (elf->phnum == 0 || elf->phnum > MICROVM_ELF_MAX_PHNUM) {
        error_setg(errp, "ELF program header count %u out of range 1..%u",
                   elf->phnum, MICROVM_ELF_MAX_PHNUM);
        return false;
    }
    table_len = (uint64_t)elf->phnum * elf->phentsize;
    if (!range_inside(elf->phoff, table_len, 0, elf->size)) {
        error_setg(errp, "ELF program headers lie outside the file");
        return false;
    }
    return true;
}

/* One PT_LOAD segment against the file and guest RAM below 4 GiB */
static bool elf_check_load(const MicrovmElf *elf, unsigned index,
                           const MicrovmPhdr *ph, uint64_t ram_end,
                           Error **errp)
{
    MicrovmPhdr other;
    unsigned i;

    if (ph->filesz > ph->memsz) {
        error_setg(errp, "ELF segment %u: file size exceeds memory size",
                   index);
        return false;
    }
    if (!range_inside(ph->offset, ph->filesz, 0, elf->size)) {
        error_setg(errp, "ELF segment %u lies outside the file", index);
        return false;
    }
    if (!range_inside(ph->paddr, ph->memsz, MICROVM_KERNEL_MIN_ADDR,
                      ram_end)) {
        error_setg(errp, "ELF segment %u [0x%" PRIx64 ", +0x%" PRIx64
                   ") is outside guest RAM [0x%" PRIx64 ", 0x%" PRIx64 ")",
                   index, ph->paddr, ph->memsz,
                   (uint64_t)MICROVM_KERNEL_MIN_ADDR, ram_end);
        return false;
    }

    /* Segments already accepted are within RAM, so the ends cannot wrap */
    for (i = 0; i < index; i++) {
        elf_read_phdr(elf, i, &other);
        if (other.type != PT_LOAD || other.memsz == 0) {
            continue;
        }
        if (ph->paddr < other.paddr + other.memsz &&
            other.paddr < ph->paddr + ph->memsz) {
            error_setg(errp, "ELF segments %u and %u overlap", i, index);
            return false;
        }
    }
    return true;
}

/*
 * Walk the notes of a PT_NOTE segment looking for the Xen PVH entry.
 * Returns false on a malformed note; *found says whether one was seen.
 */
static bool elf_find_pvh_entry(const MicrovmElf *elf, const MicrovmPhdr *ph,
                               bool *found, uint64_t *entry, Error **errp)
{
    uint64_t align = ph->align == 8 ? 8 : 4;
    uint64_t pos = ph->offset;
    uint64_t end;

    if (!range_inside(ph->offset, ph->filesz, 0, elf->size)) {
        error_setg(errp, "ELF note segment lies outside the file");
        return false;
    }
    end = ph->offset + ph->filesz;

    while (end - pos >= sizeof(Elf32_Nhdr)) {
        const uint8_t *n = elf->data + pos;
        uint64_t namesz = (uint32_t)ldl_le_p(n + 0);
        uint64_t descsz = (uint32_t)ldl_le_p(n + 4);
        uint32_t type = ldl_le_p(n + 8);
        uint64_t name_off = pos + sizeof(Elf32_Nhdr);
        uint64_t desc_off, next;

        /*
         * Elf32_Nhdr and Elf64_Nhdr are both three 32-bit words: n_namesz,
         * n_descsz, n_type.  Sizes are below 2^32, so no uint64_t overflow.
         */
        desc_off = name_off + ROUND_UP(namesz, align);
        next = desc_off + ROUND_UP(descsz, align);
        if (desc_off > end || descsz > end - desc_off) {
            error_setg(errp, "malformed ELF note at file offset 0x%" PRIx64
                       " (name size %" PRIu64 ", desc size %" PRIu64 ")",
                       pos, namesz, descsz);
            return false;
        }

        if (type == XEN_ELFNOTE_PHYS32_ENTRY && namesz == 4 &&
            memcmp(elf->data + name_off, "Xen", 4) == 0) {
            uint64_t value;

            if (descsz == 4) {
                value = (uint32_t)ldl_le_p(elf->data + desc_off);
            } else if (descsz == 8) {
                value = ldq_le_p(elf->data + desc_off);
            } else {
                error_setg(errp, "Xen PHYS32_ENTRY note has size %" PRIu64
                           " (expected 4 or 8)", descsz);
                return false;
            }
            if (*found && value != *entry) {
                error_setg(errp, "conflicting Xen PHYS32_ENTRY notes");
                return false;
            }
            *found = true;
            *entry = value;
        }
        if (next >= end) {
            break;
        }
        pos = next;
    }
    return true;
}

/* Check the whole image; fills elf->entry and the load range */
static bool elf_check(MicrovmElf *elf, uint64_t ram_end, Error **errp)
{
    MicrovmPhdr ph;
    bool found = false;
    bool entry_loaded = false;
    unsigned loads = 0;
    unsigned i;

    if (!elf_check_header(elf, errp)) {
        return false;
    }

    elf->load_start = UINT64_MAX;
    elf->load_end = 0;
    for (i = 0; i < elf->phnum; i++) {
        elf_read_phdr(elf, i, &ph);
        if (ph.type == PT_LOAD && ph.memsz != 0) {
            if (!elf_check_load(elf, i, &ph, ram_end, errp)) {
                return false;
            }
            elf->load_start = MIN(elf->load_start, ph.paddr);
            elf->load_end = MAX(elf->load_end, ph.paddr + ph.memsz);
            loads++;
        } else if (ph.type == PT_NOTE) {
            if (!elf_find_pvh_entry(elf, &ph, &found, &elf->entry, errp)) {
                return false;
            }
        }
    }

    if (loads == 0) {
        error_setg(errp, "ELF image has no loadable segment");
        return false;
    }
    if (!found) {
        error_setg(errp, "no Xen PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY): "
                   "not a PVH kernel");
        return false;
    }
    for (i = 0; i < elf->phnum; i++) {
        elf_read_phdr(elf, i, &ph);
        if (ph.type == PT_LOAD && ph.filesz != 0 &&
            elf->entry >= ph.paddr && elf->entry - ph.paddr < ph.filesz) {
            entry_loaded = true;
        }
    }
    if (!entry_loaded) {
        error_setg(errp, "PVH entry 0x%" PRIx64 " is not inside a loaded "
                   "segment", elf->entry);
        return false;
    }
    return true;
}

/* Register the checked segments; rom_reset() rewrites them on reset */
static void elf_load(const MicrovmElf *elf, GMappedFile *file)
{
    MicrovmPhdr ph;
    unsigned i;

    for (i = 0; i < elf->phnum; i++) {
        g_autofree char *name = NULL;

        elf_read_phdr(elf, i, &ph);
        if (ph.type != PT_LOAD || ph.memsz == 0) {
            continue;
        }
        name = g_strdup_printf("microvm-kernel/seg%u", i);
        rom_add_elf_program(name, file, (void *)(elf->data + ph.offset),
                            ph.filesz, ph.memsz, ph.paddr, NULL);
    }
}

static void publish_kernel_info(FWCfgState *fw_cfg, const MicrovmElf *elf)
{
    MicrovmKernelInfo *info = g_new0(MicrovmKernelInfo, 1);

    memcpy(info->magic, MICROVM_KERNEL_INFO_MAGIC, sizeof(info->magic));
    info->version = cpu_to_le32(MICROVM_KERNEL_INFO_VERSION);
    info->protocol = cpu_to_le32(MICROVM_BOOT_PROTOCOL_PVH);
    info->flags = 0;
    info->entry = cpu_to_le64(elf->entry);
    info->load_start = cpu_to_le64(elf->load_start);
    info->load_end = cpu_to_le64(elf->load_end);
    fw_cfg_add_file(fw_cfg, MICROVM_KERNEL_INFO_FILE, info, sizeof(*info));
}

static bool load_initrd(MachineState *machine, FWCfgState *fw_cfg,
                        uint64_t room, Error **errp)
{
    g_autoptr(GError) gerr = NULL;
    gchar *data = NULL;
    gsize len = 0;

    if (!machine->initrd_filename) {
        fw_cfg_add_i32(fw_cfg, FW_CFG_INITRD_SIZE, 0);
        return true;
    }
    if (!g_file_get_contents(machine->initrd_filename, &data, &len, &gerr)) {
        error_setg(errp, "could not read initrd '%s': %s",
                   machine->initrd_filename, gerr->message);
        return false;
    }
    if (len > room) {
        error_setg(errp, "initrd '%s' (%zu bytes) does not fit in the %"
                   PRIu64 " bytes of RAM below 4 GiB above the kernel",
                   machine->initrd_filename, (size_t)len, room);
        g_free(data);
        return false;
    }
    fw_cfg_add_i32(fw_cfg, FW_CFG_INITRD_SIZE, len);
    fw_cfg_add_bytes(fw_cfg, FW_CFG_INITRD_DATA, data, len);
    return true;
}

/*
 * A bzImage for our firmware: check the setup header far enough that
 * the firmware can rely on it, then publish the whole file for it to
 * load (the firmware validates the header again, see roms/qboot).
 */
static bool bzimage_check(const uint8_t *data, uint64_t size,
                          uint64_t ram_below_4g, const char *cmdline,
                          uint32_t *init_size, Error **errp)
{
    unsigned setup_sects;
    uint64_t setup_len, syssize;
    uint16_t version;
    uint32_t cmdline_size, initrd_addr_max;

    if (size < BZ_INIT_SIZE + 4) {
        error_setg(errp, "bzImage of %" PRIu64 " bytes is truncated "
                   "inside its setup header", size);
        return false;
    }
    if (lduw_le_p(data + BZ_BOOT_FLAG) != BZ_BOOT_FLAG_MAGIC) {
        error_setg(errp, "bzImage boot_flag is not 0xaa55");
        return false;
    }
    version = lduw_le_p(data + BZ_VERSION);
    if (version < BZ_MIN_VERSION) {
        error_setg(errp, "Linux boot protocol %u.%02u is older than the "
                   "2.10 our firmware needs", version >> 8, version & 0xff);
        return false;
    }
    if (!(data[BZ_LOADFLAGS] & BZ_LOADED_HIGH)) {
        error_setg(errp, "bzImage is not LOADED_HIGH (a zImage)");
        return false;
    }
    setup_sects = data[BZ_SETUP_SECTS] ? data[BZ_SETUP_SECTS] : 4;
    setup_len = (setup_sects + 1) * 512ULL;
    if (setup_sects > BZ_MAX_SETUP_SECTS || setup_len >= size) {
        error_setg(errp, "setup_sects %u does not fit the %" PRIu64
                   "-byte file", setup_sects, size);
        return false;
    }
    syssize = (uint64_t)ldl_le_p(data + BZ_SYSSIZE) * 16;
    if (syssize == 0 || syssize > size - setup_len) {
        error_setg(errp, "syssize (%" PRIu64 " bytes) does not match the "
                   "%" PRIu64 " bytes after the setup code", syssize,
                   size - setup_len);
        return false;
    }
    /*
     * Every loader copies all the bytes after the setup code; they must
     * fit in the init_size area, as the firmware checks again.
     */
    *init_size = ldl_le_p(data + BZ_INIT_SIZE);
    if (*init_size < size - setup_len) {
        error_setg(errp, "init_size %" PRIu32 " is less than the %" PRIu64
                   " bytes after the setup code", *init_size,
                   size - setup_len);
        return false;
    }
    if (*init_size > ram_below_4g - MICROVM_KERNEL_MIN_ADDR) {
        error_setg(errp, "init_size %" PRIu32 " does not fit in RAM below "
                   "4 GiB", *init_size);
        return false;
    }
    cmdline_size = ldl_le_p(data + BZ_CMDLINE_SIZE);
    if (cmdline && strlen(cmdline) > cmdline_size) {
        error_setg(errp, "command line of %zu bytes is over the kernel's "
                   "cmdline_size %" PRIu32, strlen(cmdline), cmdline_size);
        return false;
    }
    initrd_addr_max = ldl_le_p(data + BZ_INITRD_ADDR_MAX);
    if (initrd_addr_max < MICROVM_KERNEL_MIN_ADDR) {
        error_setg(errp, "initrd_addr_max 0x%" PRIx32 " is below 1 MiB",
                   initrd_addr_max);
        return false;
    }
    return true;
}

static void publish_bzimage(FWCfgState *fw_cfg, const uint8_t *data,
                            uint64_t size)
{
    MicrovmKernelInfo *info = g_new0(MicrovmKernelInfo, 1);

    memcpy(info->magic, MICROVM_KERNEL_INFO_MAGIC, sizeof(info->magic));
    info->version = cpu_to_le32(MICROVM_KERNEL_INFO_VERSION);
    info->protocol = cpu_to_le32(MICROVM_BOOT_PROTOCOL_LINUX);
    fw_cfg_add_file(fw_cfg, MICROVM_KERNEL_INFO_FILE, info, sizeof(*info));
    fw_cfg_add_i32(fw_cfg, FW_CFG_KERNEL_SIZE, size);
    fw_cfg_add_bytes(fw_cfg, FW_CFG_KERNEL_DATA, g_memdup2(data, size),
                     size);
}

/* A checked multiboot v1 a.out-kludge header (field names: the spec's) */
typedef struct MicrovmMultiboot {
    uint32_t entry_addr;
    uint32_t load_addr;
    uint64_t bss_end;       /* bss_end_addr, or the loaded end if it is 0 */
    uint64_t file_off;      /* where the loaded bytes start in the file */
    uint64_t load_len;      /* how many bytes are loaded */
} MicrovmMultiboot;

/*
 * Check the multiboot header at file offset @off the way the firmware
 * will load it: address fields required (flag 16), the loaded bytes
 * inside the file, [load_addr, bss end) inside RAM from 1 MiB, the entry
 * inside the loaded bytes.
 */
static bool multiboot_check(const uint8_t *data, uint64_t size, uint64_t off,
                            uint64_t ram_below_4g, MicrovmMultiboot *mb,
                            Error **errp)
{
    const uint8_t *h = data + off;
    uint32_t flags, header_addr, load_end_addr, bss_end_addr;
    uint64_t file_off, load_len, load_end;

    if (size > UINT32_MAX) {
        error_setg(errp, "multiboot image larger than 4 GiB");
        return false;
    }
    if (off + MULTIBOOT_HEADER_LEN > size) {
        error_setg(errp, "multiboot header at offset 0x%" PRIx64 " is cut "
                   "off by the end of the %" PRIu64 "-byte file", off, size);
        return false;
    }
    flags = ldl_le_p(h + 4);
    if ((uint32_t)(ldl_le_p(h) + flags + ldl_le_p(h + 8)) != 0) {
        error_setg(errp, "multiboot header checksum is wrong");
        return false;
    }
    if (flags & MULTIBOOT_REQ_MASK &
        ~(MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO)) {
        error_setg(errp, "multiboot header requires flags 0x%x (video mode "
                   "or unknown) that this loader does not provide",
                   flags & MULTIBOOT_REQ_MASK &
                   ~(MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO));
        return false;
    }
    if (!(flags & MULTIBOOT_AOUT_KLUDGE)) {
        error_setg(errp, "multiboot header without address fields (flag "
                   "16, a.out kludge) is not supported: only a.out-kludge "
                   "images boot, ELF multiboot kernels do not");
        return false;
    }
    header_addr = ldl_le_p(h + 12);
    mb->load_addr = ldl_le_p(h + 16);
    load_end_addr = ldl_le_p(h + 20);
    bss_end_addr = ldl_le_p(h + 24);
    mb->entry_addr = ldl_le_p(h + 28);

    if (header_addr < mb->load_addr || header_addr - mb->load_addr > off) {
        error_setg(errp, "multiboot header_addr 0x%x and load_addr 0x%x "
                   "put the load start before the file start (header at "
                   "offset 0x%" PRIx64 ")", header_addr, mb->load_addr, off);
        return false;
    }
    file_off = off - (header_addr - mb->load_addr);
    if (load_end_addr == 0) {
        load_len = size - file_off;
    } else if (load_end_addr <= mb->load_addr ||
               load_end_addr - mb->load_addr > size - file_off) {
        error_setg(errp, "multiboot load_end_addr 0x%x is not after "
                   "load_addr 0x%x within the %" PRIu64 "-byte file",
                   load_end_addr, mb->load_addr, size);
        return false;
    } else {
        load_len = load_end_addr - mb->load_addr;
    }
    mb->file_off = file_off;
    mb->load_len = load_len;
    if (header_addr - mb->load_addr + MULTIBOOT_HEADER_LEN > load_len) {
        error_setg(errp, "multiboot header is not inside the loaded bytes");
        return false;
    }
    load_end = mb->load_addr + load_len;
    mb->bss_end = bss_end_addr ? bss_end_addr : load_end;
    if (mb->bss_end < load_end) {
        error_setg(errp, "multiboot bss_end_addr 0x%x is below the loaded "
                   "end 0x%" PRIx64, bss_end_addr, load_end);
        return false;
    }
    if (mb->load_addr < MICROVM_KERNEL_MIN_ADDR ||
        mb->bss_end > ram_below_4g) {
        error_setg(errp, "multiboot image 0x%x-0x%" PRIx64 " is not in RAM "
                   "between 1 MiB and 0x%" PRIx64, mb->load_addr,
                   mb->bss_end, ram_below_4g);
        return false;
    }
    if (mb->entry_addr < mb->load_addr || mb->entry_addr >= load_end) {
        error_setg(errp, "multiboot entry_addr 0x%x is outside the loaded "
                   "image 0x%x-0x%" PRIx64, mb->entry_addr, mb->load_addr,
                   load_end);
        return false;
    }
    return true;
}

/* The whole file for the firmware to load, and the descriptor */
static void publish_multiboot(MachineState *machine, FWCfgState *fw_cfg,
                              const uint8_t *data, uint64_t size,
                              const MicrovmMultiboot *mb)
{
    MicrovmKernelInfo *info = g_new0(MicrovmKernelInfo, 1);

    memcpy(info->magic, MICROVM_KERNEL_INFO_MAGIC, sizeof(info->magic));
    info->version = cpu_to_le32(MICROVM_KERNEL_INFO_VERSION);
    info->protocol = cpu_to_le32(MICROVM_BOOT_PROTOCOL_MULTIBOOT);
    info->entry = cpu_to_le64(mb->entry_addr);
    info->load_start = cpu_to_le64(mb->load_addr);
    info->load_end = cpu_to_le64(mb->bss_end);
    fw_cfg_add_file(fw_cfg, MICROVM_KERNEL_INFO_FILE, info, sizeof(*info));
    fw_cfg_add_i32(fw_cfg, FW_CFG_KERNEL_SIZE, size);
    fw_cfg_add_bytes(fw_cfg, FW_CFG_KERNEL_DATA, g_memdup2(data, size),
                     size);
    if (machine->initrd_filename) {
        char *name = g_strdup(machine->initrd_filename);

        fw_cfg_add_file(fw_cfg, MICROVM_MODULE_CMDLINE_FILE, name,
                        strlen(name) + 1);
    }
}

/* Multiboot v1 for our firmware: one module, from -initrd */
static bool load_multiboot(MicrovmMachineState *mms, FWCfgState *fw_cfg,
                           const uint8_t *data, uint64_t size, uint64_t off,
                           Error **errp)
{
    MachineState *machine = MACHINE(mms);
    X86MachineState *x86ms = X86_MACHINE(mms);
    MicrovmMultiboot mb;
    Error *local_err = NULL;

    if (!multiboot_check(data, size, off, x86ms->below_4g_mem_size, &mb,
                         &local_err)) {
        error_propagate_prepend(errp, local_err, "kernel '%s': ",
                                machine->kernel_filename);
        return false;
    }
    if (machine->initrd_filename && strchr(machine->initrd_filename, ',')) {
        error_setg(errp, "multiboot kernel '%s': only one module is "
                   "supported, -initrd '%s' names several",
                   machine->kernel_filename, machine->initrd_filename);
        return false;
    }
    /* The firmware puts the module at the next page above the bss */
    if (!load_initrd(machine, fw_cfg, x86ms->below_4g_mem_size -
                     ROUND_UP(mb.bss_end, 4 * KiB), errp)) {
        return false;
    }
    publish_multiboot(machine, fw_cfg, data, size, &mb);
    return true;
}

/* The offset of a multiboot header's magic in the first 8 KiB, if any */
static bool multiboot_find(const uint8_t *data, uint64_t size, uint64_t *off)
{
    uint64_t i;

    for (i = 0; i + 4 <= MIN(size, MULTIBOOT_SEARCH_LEN); i += 4) {
        if (ldl_le_p(data + i) == MULTIBOOT_HEADER_MAGIC) {
            *off = i;
            return true;
        }
    }
    return false;
}

/*
 * direct-boot=on, multiboot v1 a.out kludge: the same checks as for the
 * firmware, then microvm-direct.c places the image; the modules come
 * from -initrd, several separated by commas.
 */
static bool load_direct_multiboot(MicrovmMachineState *mms,
                                  const uint8_t *data, uint64_t size,
                                  uint64_t off, Error **errp)
{
    MicrovmMultiboot mb;
    Error *local_err = NULL;

    if (!multiboot_check(data, size, off,
                         X86_MACHINE(mms)->below_4g_mem_size, &mb,
                         &local_err)) {
        error_propagate_prepend(errp, local_err, "kernel '%s': ",
                                MACHINE(mms)->kernel_filename);
        return false;
    }
    return microvm_direct_load_multiboot(mms, data + mb.file_off,
                                         mb.load_len, mb.load_addr,
                                         mb.bss_end, mb.entry_addr);
}

/*
 * direct-boot=on, an ELF image without a PVH note but with a multiboot
 * header: with the a.out kludge (flag 16) its address fields say what
 * to load, as for a flat image; without it the PT_LOAD segments are
 * placed, checked as a PVH kernel's are, and e_entry is the entry.
 */
static bool load_direct_multiboot_elf(MicrovmMachineState *mms,
                                      MicrovmElf *elf, GMappedFile *file,
                                      uint64_t off, Error **errp)
{
    const char *filename = MACHINE(mms)->kernel_filename;
    uint64_t ram_end = X86_MACHINE(mms)->below_4g_mem_size;
    const uint8_t *h = elf->data + off;
    uint32_t flags;
    uint64_t entry;
    bool entry_loaded = false;
    unsigned i, loads = 0;
    MicrovmPhdr ph;
    Error *local_err = NULL;

    if (off + MULTIBOOT_HEADER_LEN > elf->size) {
        error_setg(errp, "kernel '%s': multiboot header cut off by the end "
                   "of the file", filename);
        return false;
    }
    flags = ldl_le_p(h + 4);
    if (flags & MULTIBOOT_AOUT_KLUDGE) {
        return load_direct_multiboot(mms, elf->data, elf->size, off, errp);
    }
    if ((uint32_t)(ldl_le_p(h) + flags + ldl_le_p(h + 8)) != 0) {
        error_setg(errp, "kernel '%s': multiboot header checksum is wrong",
                   filename);
        return false;
    }
    if (flags & MULTIBOOT_REQ_MASK &
        ~(MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO)) {
        error_setg(errp, "kernel '%s': multiboot header requires flags 0x%x "
                   "(video mode or unknown) that this loader does not "
                   "provide", filename, flags & MULTIBOOT_REQ_MASK &
                   ~(MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO));
        return false;
    }
    if (!elf_check_header(elf, &local_err)) {
        error_propagate_prepend(errp, local_err, "kernel '%s': ", filename);
        return false;
    }
    elf->load_start = UINT64_MAX;
    elf->load_end = 0;
    for (i = 0; i < elf->phnum; i++) {
        elf_read_phdr(elf, i, &ph);
        if (ph.type != PT_LOAD || ph.memsz == 0) {
            continue;
        }
        if (!elf_check_load(elf, i, &ph, ram_end, &local_err)) {
            error_propagate_prepend(errp, local_err, "kernel '%s': ",
                                    filename);
            return false;
        }
        elf->load_start = MIN(elf->load_start, ph.paddr);
        elf->load_end = MAX(elf->load_end, ph.paddr + ph.memsz);
        loads++;
    }
    entry = elf->is64 ?
            ldq_le_p(elf->data + offsetof(Elf64_Ehdr, e_entry)) :
            ldl_le_p(elf->data + offsetof(Elf32_Ehdr, e_entry));
    for (i = 0; i < elf->phnum; i++) {
        elf_read_phdr(elf, i, &ph);
        if (ph.type == PT_LOAD && ph.filesz != 0 &&
            entry >= ph.paddr && entry - ph.paddr < ph.filesz) {
            entry_loaded = true;
        }
    }
    if (!loads || !entry_loaded) {
        error_setg(errp, "kernel '%s': multiboot ELF entry 0x%" PRIx64
                   " is not inside a loaded segment", filename, entry);
        return false;
    }
    elf_load(elf, file);
    mms->kernel_entry = entry;
    mms->kernel_load_start = elf->load_start;
    mms->kernel_load_end = elf->load_end;
    mms->direct_multiboot = true;
    return true;
}

/*
 * Not an ELF: a bzImage or a multiboot image with the a.out kludge.
 * Our firmware loads it from fw_cfg; with direct-boot=on QEMU places it
 * (bzImage through its 64-bit entry).
 */
static bool load_other(MicrovmMachineState *mms, FWCfgState *fw_cfg,
                       const uint8_t *data, uint64_t size, Error **errp)
{
    MachineState *machine = MACHINE(mms);
    uint64_t ram_below_4g = X86_MACHINE(mms)->below_4g_mem_size;
    Error *local_err = NULL;
    uint32_t init_size;
    uint64_t mb_off;

    if (size < BZIMAGE_HEADER_OFFSET + 4 ||
        ldl_le_p(data + BZIMAGE_HEADER_OFFSET) != BZIMAGE_HEADER_MAGIC) {
        if (!multiboot_find(data, size, &mb_off)) {
            error_setg(errp, "kernel '%s': not a PVH ELF kernel (vmlinux), "
                       "a bzImage or a multiboot image",
                       machine->kernel_filename);
            return false;
        }
        if (mms->direct_boot) {
            return load_direct_multiboot(mms, data, size, mb_off, errp);
        }
        return load_multiboot(mms, fw_cfg, data, size, mb_off, errp);
    }
    if (size > UINT32_MAX ||
        !bzimage_check(data, size, ram_below_4g, machine->kernel_cmdline,
                       &init_size, &local_err) ||
        (mms->direct_boot &&
         !microvm_direct_load_bzimage(mms, data, size, &local_err))) {
        if (!local_err) {
            error_setg(&local_err, "bzImage larger than 4 GiB");
        }
        error_propagate_prepend(errp, local_err, "kernel '%s': ",
                                machine->kernel_filename);
        return false;
    }
    if (mms->direct_boot) {
        return true;
    }
    if (!load_initrd(machine, fw_cfg,
                     ram_below_4g - MICROVM_KERNEL_MIN_ADDR - init_size,
                     errp)) {
        return false;
    }
    publish_bzimage(fw_cfg, data, size);
    return true;
}

bool microvm_boot_load(MicrovmMachineState *mms, FWCfgState *fw_cfg,
                       Error **errp)
{
    MachineState *machine = MACHINE(mms);
    X86MachineState *x86ms = X86_MACHINE(mms);
    const char *filename = machine->kernel_filename;
    g_autoptr(GMappedFile) file = NULL;
    g_autoptr(GError) gerr = NULL;
    MicrovmElf elf = { 0 };
    Error *local_err = NULL;

    if (machine->firmware) {
        /*
         * A user firmware (SeaBIOS) reads none of our boot fw_cfg files:
         * upstream's loader places any kernel it knows and queues the
         * option ROM that starts it (linuxboot_dma.bin, pvh.bin,
         * multiboot_dma.bin), which the machine then offers in fw_cfg.
         * direct-boot=on refuses -bios before this.
         */
        x86_load_linux(x86ms, fw_cfg, 0, true);
        return true;
    }

    file = g_mapped_file_new(filename, FALSE, &gerr);
    if (!file) {
        error_setg(errp, "could not read kernel '%s': %s", filename,
                   gerr->message);
        return false;
    }
    elf.data = (const uint8_t *)g_mapped_file_get_contents(file);
    elf.size = g_mapped_file_get_length(file);

    if (elf.size < EI_NIDENT || memcmp(elf.data, ELFMAG, SELFMAG) != 0) {
        return load_other(mms, fw_cfg, elf.data, elf.data ? elf.size : 0,
                          errp);
    }
    if (!elf_check(&elf, x86ms->below_4g_mem_size, &local_err)) {
        uint64_t mb_off;

        if (mms->direct_boot &&
            multiboot_find(elf.data, elf.size, &mb_off)) {
            /* Not PVH, but multiboot: direct boot handles that too */
            error_free(local_err);
            return load_direct_multiboot_elf(mms, &elf, file, mb_off,
                                             errp);
        }
        error_propagate_prepend(errp, local_err, "kernel '%s': ", filename);
        return false;
    }
    if (!load_initrd(machine, fw_cfg,
                     x86ms->below_4g_mem_size - elf.load_end, errp)) {
        return false;
    }

    elf_load(&elf, file);
    publish_kernel_info(fw_cfg, &elf);
    mms->kernel_entry = elf.entry;
    mms->kernel_load_start = elf.load_start;
    mms->kernel_load_end = elf.load_end;
    return true;
}

void microvm_boot_set_cmdline(FWCfgState *fw_cfg, const char *cmdline)
{
    /* The size counts the terminating NUL */
    fw_cfg_modify_i32(fw_cfg, FW_CFG_CMDLINE_SIZE, strlen(cmdline) + 1);
    fw_cfg_modify_string(fw_cfg, FW_CFG_CMDLINE_DATA, cmdline);
}
