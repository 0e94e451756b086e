/* Bare-metal platform layer of the QEMU test and benchmark images (mps2 machines):
 * Arm semihosting calls, the exit status, and the benchmark region markers. */
#ifndef MOTE_SEMIHOSTING_H
#define MOTE_SEMIHOSTING_H

/* Ends the program; QEMU (-semihosting) exits with `status` as its own exit status. */
__attribute__((noreturn)) void mote_semihosting_exit(int status);

/* Benchmark region markers: firmware/tools/insncount.c counts the guest instructions executed
 * between a call of mote_bench_start and the following call of mote_bench_stop. */
void mote_bench_start(void);
void mote_bench_stop(void);

#endif
