/* QEMU 7.2 TCG plugin for firmware/qemu-run.sh (COUNT=1): exact counts of executed guest
 * instructions, for the whole run and for every pass through a region delimited by two guest
 * addresses, the entries of the firmware's `insn_region_start` and `insn_region_end` markers.
 *
 *   gcc -O2 -shared -fPIC -o libregioninsn.so regioninsn.c
 *   qemu-system-arm ... -plugin ./libregioninsn.so,start=0xADDR,end=0xADDR -d plugin -kernel ELF
 *
 * With `profile=FILE` (tools/profile.sh) it also counts every instruction address executed
 * inside the regions and writes FILE at exit: one line `ADDR COUNT` (hex, decimal) per address
 * in the 4 MiB-aligned window of code that holds the start marker (flash at 0 on most boards,
 * 0x10000000 on the M33's mps2-an505), and `other N` for any outside it. That is a callback per
 * instruction, far slower than the inline count, so only when asked.
 *
 * A region's count runs from the first instruction of the start marker (included) to the first
 * instruction of the end marker (excluded), so it includes the start marker's own few
 * instructions. Output (through QEMU's log, stderr or -D FILE):
 *   insns total: N
 *   region K insns: N        (one line per pass)
 *   regions: K, sum insns: N */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "qemu-plugin-7.2-min.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MAX_REGIONS 256

static uint64_t total; /* incremented inline before every executed instruction */
static uint64_t start_pc = ~0ull, end_pc = ~0ull;
static uint64_t region_begin;
static int inside;
static uint64_t regions[MAX_REGIONS];
static unsigned n_regions;

#define SPAN (4u << 20) /* addresses profiled one by one: [base, base + 4 MiB) */
static const char *profile_path;
static uint64_t *profile; /* one counter per halfword address */
static uint64_t profile_other;
static uint64_t profile_base; /* start of the profiled window: the start marker's 4 MiB */

static void enter_start(unsigned int vcpu, void *udata)
{
    region_begin = total;
    inside = 1;
}

static void enter_end(unsigned int vcpu, void *udata)
{
    if (!inside)
        return;
    if (n_regions < MAX_REGIONS)
        regions[n_regions] = total - region_begin;
    n_regions++;
    inside = 0;
}

/* Per instruction, when profiling: its counter += inside (1 within a region, else 0). */
static void count_address(unsigned int vcpu, void *udata)
{
    uint64_t off = (uint64_t)(uintptr_t)udata - profile_base; /* wraps below the base */
    if (off < SPAN)
        profile[off >> 1] += inside;
    else
        profile_other += inside;
}

static void translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t pc = qemu_plugin_insn_vaddr(insn);
        /* Register the marker callbacks before the inline add, so that they see the count
         * without this instruction. */
        if (pc == start_pc)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, enter_start, QEMU_PLUGIN_CB_NO_REGS, NULL);
        if (pc == end_pc)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, enter_end, QEMU_PLUGIN_CB_NO_REGS, NULL);
        qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &total, 1);
        if (profile)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, count_address, QEMU_PLUGIN_CB_NO_REGS,
                                                   (void *)(uintptr_t)pc);
    }
}

static void report(qemu_plugin_id_t id, void *udata)
{
    char line[128];
    uint64_t sum = 0;
    snprintf(line, sizeof line, "insns total: %llu\n", (unsigned long long)total);
    qemu_plugin_outs(line);
    for (unsigned i = 0; i < n_regions && i < MAX_REGIONS; i++) {
        snprintf(line, sizeof line, "region %u insns: %llu\n", i, (unsigned long long)regions[i]);
        qemu_plugin_outs(line);
        sum += regions[i];
    }
    snprintf(line, sizeof line, "regions: %u, sum insns: %llu\n", n_regions, (unsigned long long)sum);
    qemu_plugin_outs(line);
    if (profile) {
        FILE *f = fopen(profile_path, "w");
        if (!f) {
            perror(profile_path);
            return;
        }
        for (uint64_t i = 0; i < SPAN / 2; i++)
            if (profile[i])
                fprintf(f, "%llx %llu\n", (unsigned long long)(profile_base + (i << 1)),
                        (unsigned long long)profile[i]);
        if (profile_other)
            fprintf(f, "other %llu\n", (unsigned long long)profile_other);
        fclose(f);
    }
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (!strncmp(argv[i], "start=", 6))
            start_pc = strtoull(argv[i] + 6, NULL, 0) & ~1ull; /* drop the Thumb bit */
        else if (!strncmp(argv[i], "end=", 4))
            end_pc = strtoull(argv[i] + 4, NULL, 0) & ~1ull;
        else if (!strncmp(argv[i], "profile=", 8))
            profile_path = argv[i] + 8;
        else {
            fprintf(stderr, "regioninsn: unknown argument %s\n", argv[i]);
            return -1;
        }
    }
    if (profile_path && !(profile = calloc(SPAN / 2, sizeof *profile)))
        return -1;
    profile_base = start_pc & ~(uint64_t)(SPAN - 1);
    qemu_plugin_register_vcpu_tb_trans_cb(id, translate);
    qemu_plugin_register_atexit_cb(id, report, NULL);
    return 0;
}
