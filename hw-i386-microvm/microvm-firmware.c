/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * microvm SMBIOS, the F-segment RAM for it, and a test hook.
 *
 * SMBIOS: QEMU's SMBIOS builder (hw/smbios) makes the structure
 * table and an entry point, as for PCs: the SMBIOS 2.1 "_SM_" anchor when
 * the tables fit its limits, else the 3.0 "_SM3_" one.  Both go to the
 * firmware as fw_cfg files; the firmware copies the tables into guest
 * memory, sets the anchor's table address and checksums, and puts the
 * anchor in the F segment where an OS looks for it.  -smbios options
 * (type=0,1,2,3,4,11,17,... and file=) are applied by the builder.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "hw/boards.h"
#include "hw/firmware/smbios.h"
#include "e820_memory_layout.h"
#include "hw/nvram/fw_cfg.h"
#include "exec/address-spaces.h"
#include "target/i386/cpu.h"
#include "microvm-firmware.h"

void microvm_smbios_init(MicrovmMachineState *mms)
{
    const MemMapEntry *fseg = &microvm_memmap[MICROVM_MEM_FSEG_RAM];
    MemoryRegion *ram = g_new(MemoryRegion, 1);

    /* No owner: the machine is not a device (migrated as global RAM) */
    memory_region_init_ram(ram, NULL, "microvm.fseg-ram", fseg->size,
                           &error_fatal);
    /* Above the ROM alias (x86_isa_bios_init() maps it at priority 1) */
    memory_region_add_subregion_overlap(get_system_memory(), fseg->base,
                                        ram, 2);
}

void microvm_smbios_setup(MicrovmMachineState *mms)
{
    MachineState *ms = MACHINE(mms);
    MachineClass *mc = MACHINE_GET_CLASS(ms);
    X86MachineState *x86ms = X86_MACHINE(mms);
    X86CPU *cpu = X86_CPU(first_cpu);
    g_autofree struct smbios_phys_mem_area *ram = NULL;
    uint8_t *tables, *anchor;
    size_t tables_len, anchor_len;
    unsigned n, count = 0;
    uint64_t addr, len;
    int i;

    /* Type 0/1 defaults ("QEMU", the machine's name); -smbios overrides */
    smbios_set_defaults("QEMU", mc->desc, mc->name);
    smbios_set_cpuid(cpu->env.cpuid_version, cpu->env.features[FEAT_1_EDX]);

    /* Type 19 (memory array mapped address): one per e820 RAM range */
    n = e820_get_table(NULL);
    ram = g_new0(struct smbios_phys_mem_area, n);
    for (i = 0; i < n; i++) {
        if (e820_get_entry(i, E820_RAM, &addr, &len)) {
            ram[count].address = addr;
            ram[count].length = len;
            count++;
        }
    }

    /* Tables and anchor stay owned by hw/smbios (rebuilt on each call) */
    smbios_get_tables(ms, SMBIOS_ENTRY_POINT_TYPE_AUTO, ram, count,
                      &tables, &tables_len, &anchor, &anchor_len,
                      &error_fatal);
    fw_cfg_add_file(x86ms->fw_cfg, "etc/smbios/smbios-tables",
                    tables, tables_len);
    fw_cfg_add_file(x86ms->fw_cfg, "etc/smbios/smbios-anchor",
                    anchor, anchor_len);
}

/* ---- Test hook: x-fw-cfg-override ---- */

/* Fixed keys a test may set: the ones only -kernel fills */
static const uint16_t override_keys[] = {
    FW_CFG_KERNEL_SIZE, FW_CFG_INITRD_SIZE, FW_CFG_KERNEL_DATA,
    FW_CFG_INITRD_DATA, FW_CFG_CMDLINE_SIZE, FW_CFG_CMDLINE_DATA,
};

static bool override_key(MachineState *ms, const char *item, uint16_t *key,
                         unsigned *seen)
{
    uint64_t val;
    int i;

    if (qemu_strtou64(item, NULL, 0, &val)) {
        return false;       /* a file name */
    }
    for (i = 0; i < ARRAY_SIZE(override_keys); i++) {
        if (val == override_keys[i] && !ms->kernel_filename &&
            !(*seen & BIT(i))) {
            *seen |= BIT(i);
            *key = val;
            return true;
        }
    }
    error_report("%s: fw_cfg key %s is not a kernel, initrd or command "
                 "line key, is given twice, or -kernel is given",
                 MICROVM_PROP_FW_CFG_OVERRIDE, item);
    exit(1);
}

void microvm_fw_cfg_override(MicrovmMachineState *mms)
{
    FWCfgState *fw_cfg = X86_MACHINE(mms)->fw_cfg;
    g_auto(GStrv) items = NULL;
    unsigned seen = 0;
    int i;

    if (!mms->fw_cfg_override) {
        return;
    }
    items = g_strsplit(mms->fw_cfg_override, ";", 0);
    for (i = 0; items[i]; i++) {
        g_autoptr(GError) err = NULL;
        char *file = strchr(items[i], '=');
        gchar *data;
        gsize len;
        uint16_t key;

        if (!file || file == items[i]) {
            error_report("%s: '%s' is not ITEM=FILE",
                         MICROVM_PROP_FW_CFG_OVERRIDE, items[i]);
            exit(1);
        }
        *file++ = '\0';
        if (!g_file_get_contents(file, &data, &len, &err)) {
            error_report("%s: %s", MICROVM_PROP_FW_CFG_OVERRIDE,
                         err->message);
            exit(1);
        }
        /* fw_cfg keeps @data for the life of the machine */
        if (override_key(MACHINE(mms), items[i], &key, &seen)) {
            fw_cfg_add_bytes(fw_cfg, key, data, len);
        } else {
            fw_cfg_modify_file(fw_cfg, items[i], data, len);
        }
    }
}

char *microvm_get_fw_cfg_override(Object *obj, Error **errp)
{
    return g_strdup(MICROVM_MACHINE(obj)->fw_cfg_override);
}

void microvm_set_fw_cfg_override(Object *obj, const char *value,
                                 Error **errp)
{
    MicrovmMachineState *mms = MICROVM_MACHINE(obj);

    g_free(mms->fw_cfg_override);
    mms->fw_cfg_override = g_strdup(value);
}
