/* Startup code of the QEMU test and benchmark images for mps2-an385 (Cortex-M3),
 * mps2-an386 (Cortex-M4F) and mps2-an500 (Cortex-M7), all with code at 0x0 and RAM at
 * 0x20000000 (platform/mps2.ld).
 *
 * Reset: enable the FPU if the build uses it, turn on the configurable fault exceptions,
 * copy .data, clear .bss, run the C library's constructors, open the semihosting console
 * (newlib's librdimon: printf and fopen go to the host), call main, and pass its return
 * value to SYS_EXIT_EXTENDED so it becomes QEMU's exit status. A fault prints the stacked
 * PC and the fault status registers and exits with status 127. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "semihosting.h"

extern uint32_t __stack_top, __data_load, __data_start, __data_end, __bss_start, __bss_end;
extern void __libc_init_array(void);
extern void initialise_monitor_handles(void);
extern int main(int argc, char **argv);

/* -nostartfiles drops crti.o/crtn.o, whose hooks __libc_init_array calls. */
void _init(void) {}
void _fini(void) {}

#define SEMIHOSTING_SYS_WRITE0 0x04
#define SEMIHOSTING_SYS_EXIT 0x18
#define SEMIHOSTING_SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u
#define ADP_STOPPED_RUNTIME_ERROR 0x20023u

static int semihosting_call(int operation, void *argument)
{
    register int r0 __asm__("r0") = operation;
    register void *r1 __asm__("r1") = argument;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

__attribute__((noreturn)) void mote_semihosting_exit(int status)
{
    uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status};
    semihosting_call(SEMIHOSTING_SYS_EXIT_EXTENDED, block);
    /* Without the extended call: success or failure only. */
    semihosting_call(SEMIHOSTING_SYS_EXIT,
                     (void *)(uintptr_t)(status == 0 ? ADP_STOPPED_APPLICATION_EXIT : ADP_STOPPED_RUNTIME_ERROR));
    for (;;) {}
}

/* newlib's exit() ends here: flush and hand the status to QEMU. */
__attribute__((noreturn)) void _exit(int status)
{
    fflush(stdout);
    mote_semihosting_exit(status);
}

__attribute__((noinline, used)) void mote_bench_start(void) { __asm__ volatile("" ::: "memory"); }
__attribute__((noinline, used)) void mote_bench_stop(void) { __asm__ volatile("" ::: "memory"); }

/* ---- exceptions ---- */
#define SCB_CFSR (*(volatile uint32_t *)0xE000ED28u)
#define SCB_HFSR (*(volatile uint32_t *)0xE000ED2Cu)
#define SCB_MMFAR (*(volatile uint32_t *)0xE000ED34u)
#define SCB_BFAR (*(volatile uint32_t *)0xE000ED38u)
#define SCB_SHCSR (*(volatile uint32_t *)0xE000ED24u)
#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)

void mote_fault_report(const uint32_t *frame)
{
    char line[160];
    snprintf(line, sizeof line, "\n*** fault: PC=%08lx LR=%08lx CFSR=%08lx HFSR=%08lx MMFAR=%08lx BFAR=%08lx\n",
             (unsigned long)frame[6], (unsigned long)frame[5], (unsigned long)SCB_CFSR, (unsigned long)SCB_HFSR,
             (unsigned long)SCB_MMFAR, (unsigned long)SCB_BFAR);
    semihosting_call(SEMIHOSTING_SYS_WRITE0, line);
    mote_semihosting_exit(127);
}

/* Passes the stacked exception frame (MSP or PSP, from EXC_RETURN bit 2) to the report. */
__attribute__((naked)) void mote_fault_handler(void)
{
    __asm__ volatile("tst lr, #4\n"
                     "ite eq\n"
                     "mrseq r0, msp\n"
                     "mrsne r0, psp\n"
                     "b mote_fault_report\n");
}

void mote_unexpected_interrupt(void)
{
    semihosting_call(SEMIHOSTING_SYS_WRITE0, "\n*** unexpected interrupt\n");
    mote_semihosting_exit(126);
}

__attribute__((noreturn)) void mote_reset(void)
{
#if defined(__ARM_FP)
    SCB_CPACR |= 0xFu << 20; /* CP10, CP11 full access */
    __asm__ volatile("dsb\n isb" ::: "memory");
#endif
    SCB_SHCSR |= 7u << 16; /* MemManage, BusFault, UsageFault enabled */
    for (uint32_t *s = &__data_load, *d = &__data_start; d < &__data_end;) *d++ = *s++;
    for (uint32_t *d = &__bss_start; d < &__bss_end;) *d++ = 0;
    __libc_init_array();
    initialise_monitor_handles();
    static char program[] = "mote";
    static char *argv[] = {program, NULL};
    exit(main(1, argv));
}

typedef void (*vector)(void);

/* 16 system exceptions + 32 external interrupts (more than the mps2 images raise). */
__attribute__((section(".vectors"), used)) const vector mote_vectors[48] = {
    (vector)&__stack_top, (vector)mote_reset,
    mote_fault_handler, /* NMI */
    mote_fault_handler, /* HardFault */
    mote_fault_handler, /* MemManage */
    mote_fault_handler, /* BusFault */
    mote_fault_handler, /* UsageFault */
    [7 ... 47] = mote_unexpected_interrupt,
};
