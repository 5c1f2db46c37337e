/*
 * TCG plugin for scripts/bench.sh: counts the guest instructions executed
 * from reset until the first execution of an instruction at one of the
 * given addresses (the payload's entry points), and the total until exit.
 *
 *   -plugin insn-count.so,entry=0x100000[,entry=0x...]
 *   -plugin insn-count.so,entry-bytes=e6f4
 *
 * entry-bytes matches the first instruction whose bytes start with the
 * given hex string, wherever it is: for payloads (the bench bzImage) whose
 * entry address depends on the loader (real-mode setup, 32- or 64-bit).
 *
 * Prints at exit (stderr):  insn-count entry=<hex|none> before-entry=<n> total=<n>
 * "before-entry" excludes the entry instruction itself; "entry=none" means
 * no entry address was ever executed (before-entry is then the total).
 * Counting is per executed instruction (one exec callback per insn), so
 * the count is exact whatever the TB layout.  Single vCPU (the bench runs
 * -smp 1); counters are plain because TCG runs one vCPU thread there.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MAX_ENTRIES 8
static uint64_t entries[MAX_ENTRIES];
static int n_entries;
static uint64_t total, before_entry, hit_addr;
static int hit;
static unsigned char sig[16];
static size_t sig_len;

static void insn_exec(unsigned int vcpu, void *udata)
{
    total++;
}

static void entry_exec(unsigned int vcpu, void *udata)
{
    if (!hit) {
        hit = 1;
        before_entry = total;   /* this entry insn not yet counted */
        hit_addr = (uint64_t)(uintptr_t)udata;
    }
    total++;
}

static int is_entry(struct qemu_plugin_insn *insn, uint64_t va)
{
    if (sig_len) {
        unsigned char buf[16];

        return qemu_plugin_insn_size(insn) >= sig_len &&
               qemu_plugin_insn_data(insn, buf, sig_len) == sig_len &&
               memcmp(buf, sig, sig_len) == 0;
    }
    for (int i = 0; i < n_entries; i++) {
        if (entries[i] == va) {
            return 1;
        }
    }
    return 0;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);

    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t va = qemu_plugin_insn_vaddr(insn);

        if (is_entry(insn, va)) {
            qemu_plugin_register_vcpu_insn_exec_cb(insn, entry_exec,
                QEMU_PLUGIN_CB_NO_REGS, (void *)(uintptr_t)va);
        } else {
            qemu_plugin_register_vcpu_insn_exec_cb(insn, insn_exec,
                QEMU_PLUGIN_CB_NO_REGS, NULL);
        }
    }
}

static void plugin_exit(qemu_plugin_id_t id, void *p)
{
    if (hit) {
        fprintf(stderr, "insn-count entry=0x%" PRIx64 " before-entry=%" PRIu64
                " total=%" PRIu64 "\n", hit_addr, before_entry, total);
    } else {
        fprintf(stderr, "insn-count entry=none before-entry=%" PRIu64
                " total=%" PRIu64 "\n", total, total);
    }
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info,
                                           int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        char *val = strchr(argv[i], '=');

        if (val && val - argv[i] == 11 && !strncmp(argv[i], "entry-bytes", 11)) {
            const char *h = val + 1;

            for (sig_len = 0; h[0] && h[1] && sig_len < sizeof(sig); h += 2) {
                char b[3] = { h[0], h[1], 0 };
                sig[sig_len++] = strtoul(b, NULL, 16);
            }
            if (!sig_len || *h) {
                fprintf(stderr, "insn-count: bad entry-bytes '%s'\n", val + 1);
                return -1;
            }
            continue;
        }
        if (!val || val - argv[i] != 5 || strncmp(argv[i], "entry", 5) != 0 ||
            n_entries == MAX_ENTRIES) {
            fprintf(stderr, "insn-count: bad argument '%s' (entry=ADDR, at most %d; entry-bytes=HEX)\n",
                    argv[i], MAX_ENTRIES);
            return -1;
        }
        entries[n_entries++] = strtoull(val + 1, NULL, 0);
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
    qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
    return 0;
}
