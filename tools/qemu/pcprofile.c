/* QEMU 7.2 TCG plugin for tools/profile.sh: how many times each guest instruction executed,
 * counted exactly, only between the firmware's `insn_region_start` and `insn_region_end`
 * markers (the measured inference and step of mcu_cost), so startup and printing stay out.
 *
 *   gcc -O2 -shared -fPIC -o libpcprofile.so pcprofile.c
 *   qemu-system-arm ... -plugin ./libpcprofile.so,start=0xADDR,end=0xADDR,out=FILE -kernel ELF
 *
 * Writes FILE: one line `ADDR COUNT` (hex address, decimal count) per instruction executed
 * inside a region. Addresses above 4 MiB (RAM, peripherals) are not expected in a region and
 * are counted in one line `other N`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "qemu-plugin-7.2-min.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define SPAN (4u << 20) /* flash addresses profiled: [0, 4 MiB) */

static uint64_t *counts;  /* one counter per halfword address */
static uint64_t other;
static uint64_t start_pc = ~0ull, end_pc = ~0ull;
static uint64_t inside; /* 1 between the markers: added to the counters, so no branch */
static char out_path[256] = "pcprofile.txt";

static void enter_start(unsigned int vcpu, void *udata) { inside = 1; }
static void enter_end(unsigned int vcpu, void *udata) { inside = 0; }

/* Per instruction: counter += inside (a callback reading `inside` would be far slower). */
static void count(unsigned int vcpu, void *udata)
{
    uint64_t pc = (uint64_t)(uintptr_t)udata;
    if (pc < SPAN)
        counts[pc >> 1] += inside;
    else
        other += inside;
}

static void translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t pc = qemu_plugin_insn_vaddr(insn);
        if (pc == start_pc)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, enter_start, QEMU_PLUGIN_CB_NO_REGS, NULL);
        if (pc == end_pc)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, enter_end, QEMU_PLUGIN_CB_NO_REGS, NULL);
        qemu_plugin_register_vcpu_insn_exec_cb(insn, count, QEMU_PLUGIN_CB_NO_REGS,
                                               (void *)(uintptr_t)pc);
    }
}

static void report(qemu_plugin_id_t id, void *udata)
{
    FILE *f = fopen(out_path, "w");
    if (!f) {
        perror(out_path);
        return;
    }
    for (uint64_t i = 0; i < SPAN / 2; i++)
        if (counts[i])
            fprintf(f, "%llx %llu\n", (unsigned long long)(i << 1), (unsigned long long)counts[i]);
    if (other)
        fprintf(f, "other %llu\n", (unsigned long long)other);
    fclose(f);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (!strncmp(argv[i], "start=", 6))
            start_pc = strtoull(argv[i] + 6, NULL, 0) & ~1ull; /* drop the Thumb bit */
        else if (!strncmp(argv[i], "end=", 4))
            end_pc = strtoull(argv[i] + 4, NULL, 0) & ~1ull;
        else if (!strncmp(argv[i], "out=", 4))
            snprintf(out_path, sizeof out_path, "%s", argv[i] + 4);
        else {
            fprintf(stderr, "pcprofile: unknown argument %s\n", argv[i]);
            return -1;
        }
    }
    counts = calloc(SPAN / 2, sizeof *counts);
    if (!counts)
        return -1;
    qemu_plugin_register_vcpu_tb_trans_cb(id, translate);
    qemu_plugin_register_atexit_cb(id, report, NULL);
    return 0;
}
