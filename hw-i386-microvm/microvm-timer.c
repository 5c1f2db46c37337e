/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * microvm boot timer.
 *
 * With boot-timer=on the machine notes the host time at which each boot
 * phase is reached.  Every phase is stored twice: QEMU_CLOCK_HOST
 * nanoseconds (wall clock, comparable with host logs) and nanoseconds
 * since QEMU started (QEMU_CLOCK_REALTIME, monotonic, counted from the
 * creation of the machine object, i.e. right after command-line
 * parsing).  Phases, in boot order:
 *
 *   machine-ready  the machine is complete (machine-init-done notifier)
 *   cpu-start      QEMU releases the vCPUs from their reset state: the
 *                  run state becomes "running" (vm_start, or "cont"
 *                  after -S) or, on a guest reset, the machine reset
 *                  handler returns with the VM running.  The first guest
 *                  instruction follows as soon as the vCPU thread is
 *                  scheduled (and, under TCG, has translated its first
 *                  block); that delay is not included.
 *   kernel-entry   direct-boot=on: the vCPU starts at the kernel entry,
 *                  so this equals cpu-start
 *   fw-entry       the firmware writes 0x01 to I/O port 0x80 (the
 *                  first such write of the boot; never with direct boot)
 *   fw-handoff     the firmware writes 0x02 to I/O port 0x80, just
 *                  before it jumps to the kernel (the first such write)
 *   userspace      the guest writes 123 to the MMIO marker
 *                  (microvm_memmap[MICROVM_MEM_BOOT_TIMER]); byte to
 *                  8-byte writes, reads return 0, other values ignored
 *
 * A reset starts a new record (machine-ready is kept): the property
 * always shows the latest boot.  On the userspace marker one line with
 * all phases goes to stderr.
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/timer.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "exec/address-spaces.h"
#include "exec/memory.h"
#include "system/runstate.h"
#include "microvm-timer.h"

typedef enum MicrovmBootPhase {
    MICROVM_PHASE_MACHINE_READY,
    MICROVM_PHASE_CPU_START,
    MICROVM_PHASE_KERNEL_ENTRY,
    MICROVM_PHASE_FW_ENTRY,
    MICROVM_PHASE_FW_HANDOFF,
    MICROVM_PHASE_USERSPACE,
    MICROVM_PHASE__COUNT
} MicrovmBootPhase;

static const char *const phase_names[MICROVM_PHASE__COUNT] = {
    [MICROVM_PHASE_MACHINE_READY] = "machine-ready",
    [MICROVM_PHASE_CPU_START] = "cpu-start",
    [MICROVM_PHASE_KERNEL_ENTRY] = "kernel-entry",
    [MICROVM_PHASE_FW_ENTRY] = "fw-entry",
    [MICROVM_PHASE_FW_HANDOFF] = "fw-handoff",
    [MICROVM_PHASE_USERSPACE] = "userspace",
};

struct MicrovmBootTimer {
    int64_t start_realtime_ns;
    bool seen[MICROVM_PHASE__COUNT];
    int64_t host_ns[MICROVM_PHASE__COUNT];
    int64_t since_start_ns[MICROVM_PHASE__COUNT];
    MemoryRegion port;
    MemoryRegion marker;
};

static void timer_record(MicrovmMachineState *mms, MicrovmBootPhase phase)
{
    MicrovmBootTimer *t = mms->boot_timer;

    t->seen[phase] = true;
    t->host_ns[phase] = qemu_clock_get_ns(QEMU_CLOCK_HOST);
    t->since_start_ns[phase] = qemu_clock_get_ns(QEMU_CLOCK_REALTIME) -
                               t->start_realtime_ns;
}

/* The vCPUs leave their reset state now */
static void timer_cpu_start(MicrovmMachineState *mms)
{
    timer_record(mms, MICROVM_PHASE_CPU_START);
    if (mms->direct_boot) {
        timer_record(mms, MICROVM_PHASE_KERNEL_ENTRY);
    }
}

static void timer_report(MicrovmMachineState *mms)
{
    MicrovmBootTimer *t = mms->boot_timer;
    g_autoptr(GString) line = g_string_new("microvm boot-timer:");
    int i;

    for (i = 0; i < MICROVM_PHASE__COUNT; i++) {
        if (t->seen[i]) {
            g_string_append_printf(line, " %s=%.3f", phase_names[i],
                                   t->since_start_ns[i] / 1e6);
        }
    }
    info_report("%s ms since QEMU start", line->str);
}

static uint64_t timer_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

/*
 * Only the first marker of each kind in a boot counts, and none with
 * direct boot: port 0x80 is also Linux's I/O delay port, where the kernel
 * writes whatever byte it has just written elsewhere (0x01 and 0x02
 * included), long after the firmware is gone.
 */
static void timer_port_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    MicrovmMachineState *mms = opaque;
    MicrovmBootPhase phase;

    if (val == MICROVM_BOOT_TIMER_FW_ENTRY) {
        phase = MICROVM_PHASE_FW_ENTRY;
    } else if (val == MICROVM_BOOT_TIMER_FW_HANDOFF) {
        phase = MICROVM_PHASE_FW_HANDOFF;
    } else {
        return;
    }
    if (!mms->direct_boot && !mms->boot_timer->seen[phase]) {
        timer_record(mms, phase);
    }
}

static void timer_marker_write(void *opaque, hwaddr addr, uint64_t val,
                               unsigned size)
{
    MicrovmMachineState *mms = opaque;

    if (addr == 0 && val == MICROVM_BOOT_TIMER_USERSPACE) {
        timer_record(mms, MICROVM_PHASE_USERSPACE);
        timer_report(mms);
    }
}

static const MemoryRegionOps timer_port_ops = {
    .read = timer_read,
    .write = timer_port_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid.min_access_size = 1,
    .valid.max_access_size = 4,
    .impl.min_access_size = 1,
    .impl.max_access_size = 1,
};

static const MemoryRegionOps timer_marker_ops = {
    .read = timer_read,
    .write = timer_marker_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid.min_access_size = 1,
    .valid.max_access_size = 8,
    .impl.min_access_size = 1,
    .impl.max_access_size = 8,
};

static void timer_vm_state_change(void *opaque, bool running,
                                  RunState state)
{
    MicrovmMachineState *mms = opaque;

    if (running && !mms->boot_timer->seen[MICROVM_PHASE_CPU_START]) {
        timer_cpu_start(mms);
    }
}

void microvm_boot_timer_start(MicrovmMachineState *mms)
{
    mms->boot_timer_start_ns = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
}

void microvm_boot_timer_init(MicrovmMachineState *mms)
{
    const MemMapEntry *marker = &microvm_memmap[MICROVM_MEM_BOOT_TIMER];
    const MemMapEntry *port = &microvm_ioports[MICROVM_IO_POST];
    MicrovmBootTimer *t;

    if (!mms->boot_timer_on) {
        return;
    }
    t = g_new0(MicrovmBootTimer, 1);
    t->start_realtime_ns = mms->boot_timer_start_ns;
    mms->boot_timer = t;

    memory_region_init_io(&t->port, OBJECT(mms), &timer_port_ops, mms,
                          "microvm-boot-timer-port", port->size);
    memory_region_add_subregion(get_system_io(), port->base, &t->port);
    memory_region_init_io(&t->marker, OBJECT(mms), &timer_marker_ops, mms,
                          "microvm-boot-timer-marker", marker->size);
    memory_region_add_subregion(get_system_memory(), marker->base,
                                &t->marker);
    qemu_add_vm_change_state_handler(timer_vm_state_change, mms);
}

void microvm_boot_timer_machine_ready(MicrovmMachineState *mms)
{
    if (mms->boot_timer) {
        timer_record(mms, MICROVM_PHASE_MACHINE_READY);
    }
}

void microvm_boot_timer_reset(MicrovmMachineState *mms)
{
    MicrovmBootTimer *t = mms->boot_timer;
    int i;

    if (!t) {
        return;
    }
    for (i = 0; i < MICROVM_PHASE__COUNT; i++) {
        if (i != MICROVM_PHASE_MACHINE_READY) {
            t->seen[i] = false;
        }
    }
    /* A guest reset: the vCPUs run again as soon as this returns */
    if (runstate_is_running()) {
        timer_cpu_start(mms);
    }
}

/*
 * A list of { "phase", "host-ns", "since-start-ns" } in boot order, only
 * the phases reached by the latest boot; empty with boot-timer=off.
 */
void microvm_boot_timer_get_phases(Object *obj, Visitor *v, const char *name,
                                   void *opaque, Error **errp)
{
    MicrovmBootTimer *t = MICROVM_MACHINE(obj)->boot_timer;
    int i;

    if (!visit_start_list(v, name, NULL, 0, errp)) {
        return;
    }
    for (i = 0; t && i < MICROVM_PHASE__COUNT; i++) {
        char *phase = (char *)phase_names[i];

        if (!t->seen[i]) {
            continue;
        }
        if (!visit_start_struct(v, NULL, NULL, 0, errp)) {
            return;
        }
        if (!visit_type_str(v, "phase", &phase, errp) ||
            !visit_type_int64(v, "host-ns", &t->host_ns[i], errp) ||
            !visit_type_int64(v, "since-start-ns", &t->since_start_ns[i],
                              errp)) {
            return;
        }
        if (!visit_check_struct(v, errp)) {
            return;
        }
        visit_end_struct(v, NULL);
    }
    if (visit_check_list(v, errp)) {
        visit_end_list(v, NULL);
    }
}
