/* QEMU TCG plugin: counts executed guest instructions between benchmark markers.
 *
 *   qemu-system-arm ... -plugin build/insncount.so,start=0xADDR,stop=0xADDR -d plugin -D log
 *
 * start/stop are the addresses of mote_bench_start / mote_bench_stop (platform/startup.c).
 * Every translated guest instruction gets an inline "counter += 1" (no helper call, so the
 * count is exact and identical run to run); the first instruction of each marker gets a
 * callback. At start the counter is remembered; at stop the difference is written to the
 * QEMU log as "MOTE_REGION <index> <instructions>". The difference includes a constant
 * marker overhead (the call and return instructions), which the benchmark measures with an
 * empty region and subtracts. QEMU counts instructions, not cycles: it models no pipeline. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_plugin_min.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static uint64_t executed;
static uint64_t at_start;
static uint64_t start_address = UINT64_MAX, stop_address = UINT64_MAX;
static unsigned regions;

static void on_start(unsigned int vcpu, void *userdata)
{
    (void)vcpu, (void)userdata;
    at_start = executed;
}

static void on_stop(unsigned int vcpu, void *userdata)
{
    (void)vcpu, (void)userdata;
    char line[96];
    snprintf(line, sizeof line, "MOTE_REGION %u %" PRIu64 "\n", regions++, executed - at_start);
    qemu_plugin_outs(line);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    const size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        const uint64_t address = qemu_plugin_insn_vaddr(insn);
        if (address == start_address) qemu_plugin_register_vcpu_insn_exec_cb(insn, on_start, QEMU_PLUGIN_CB_NO_REGS, NULL);
        if (address == stop_address) qemu_plugin_register_vcpu_insn_exec_cb(insn, on_stop, QEMU_PLUGIN_CB_NO_REGS, NULL);
        qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &executed, 1);
    }
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    (void)info;
    for (int i = 0; i < argc; i++) {
        if (!strncmp(argv[i], "start=", 6)) start_address = strtoull(argv[i] + 6, NULL, 0) & ~1ull;
        else if (!strncmp(argv[i], "stop=", 5)) stop_address = strtoull(argv[i] + 5, NULL, 0) & ~1ull;
        else {
            fprintf(stderr, "insncount: unknown argument '%s' (expected start=ADDR, stop=ADDR)\n", argv[i]);
            return -1;
        }
    }
    if (start_address == UINT64_MAX || stop_address == UINT64_MAX) {
        fprintf(stderr, "insncount: start=ADDR and stop=ADDR are required\n");
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    return 0;
}
