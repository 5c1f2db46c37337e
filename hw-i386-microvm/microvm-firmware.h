/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * microvm: what the machine provides for its firmware beyond the boot
 * protocol (microvm-boot.c): SMBIOS in fw_cfg and RAM in the F segment
 * to install it, and a test hook that replaces fw_cfg items.
 */

#ifndef HW_I386_MICROVM_FIRMWARE_H
#define HW_I386_MICROVM_FIRMWARE_H

#include "hw/i386/microvm.h"

/*
 * Map MICROVM_MEM_FSEG_RAM, writable RAM over the start of the ROM's
 * F-segment alias, for the SMBIOS entry point (our firmware only).
 */
void microvm_smbios_init(MicrovmMachineState *mms);

/*
 * Publish etc/smbios/smbios-tables and etc/smbios/smbios-anchor (the
 * -smbios options included).  Call once the e820 map is complete.
 */
void microvm_smbios_setup(MicrovmMachineState *mms);

/*
 * Test hook (property x-fw-cfg-override, not for users): after the
 * machine is complete, replace fw_cfg items with the bytes of host
 * files, so that tests can hand the firmware what QEMU itself would
 * refuse.  Value: ITEM=FILE, ';'-separated; ITEM is a file name
 * ("etc/e820"), added when absent, or, without -kernel only, one of the
 * fixed kernel, initrd and command line keys (e.g. "0x11").  A bad value
 * is an error at startup.
 */
void microvm_fw_cfg_override(MicrovmMachineState *mms);
char *microvm_get_fw_cfg_override(Object *obj, Error **errp);
void microvm_set_fw_cfg_override(Object *obj, const char *value,
                                 Error **errp);

#endif
