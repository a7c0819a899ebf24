/* Startup and system calls for QEMU's mps2-an386 (Cortex-M4F), with ARM
 * semihosting as the console and the exit status:
 * - the vector table and the reset handler (FPU on, .data copied, .bss zeroed,
 *   the stack painted to measure it, then exit(main()));
 * - what newlib's stdio and malloc call: _write over semihosting, _sbrk over
 *   the heap region of mps2-an386.ld, _exit as semihosting SYS_EXIT.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "board.h"

extern uint32_t __data_start[], __data_end[], __data_load[];
extern uint32_t __bss_start[], __bss_end[];
extern uint8_t __heap_start[], __heap_end[];
extern uint32_t __stack_top[], __stack_limit[];

int main(void);

/* ARM semihosting: operation `op` with argument `arg`, trapped by QEMU at `bkpt 0xab`. */
static int semihost(int op, const void *arg) {
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

enum { SYS_OPEN = 0x01, SYS_WRITE = 0x05, SYS_EXIT = 0x18 };
/* SYS_EXIT's reasons: QEMU exits with status 0 for the first, 1 for the other. */
enum { ADP_STOPPED_APPLICATION_EXIT = 0x20026, ADP_STOPPED_RUN_TIME_ERROR = 0x20023 };

void _exit(int status) {
    semihost(SYS_EXIT, (const void *)(uintptr_t)(status == 0 ? ADP_STOPPED_APPLICATION_EXIT
                                                              : ADP_STOPPED_RUN_TIME_ERROR));
    for (;;) {
    }
}

/* The host's console, opened once as semihosting's ":tt" for writing. */
static int console(void) {
    static int handle = -1;
    if (handle < 0) {
        const uint32_t args[3] = {(uint32_t)(uintptr_t)":tt", 4 /* "w" */, 3 /* strlen */};
        handle = semihost(SYS_OPEN, args);
    }
    return handle;
}

int _write(int fd, const char *buf, int len) {
    if (fd != 1 && fd != 2) {
        errno = EBADF;
        return -1;
    }
    const uint32_t args[3] = {(uint32_t)console(), (uint32_t)(uintptr_t)buf, (uint32_t)len};
    /* SYS_WRITE returns how many bytes were not written. */
    return len - semihost(SYS_WRITE, args);
}

/* malloc's memory: from the end of .bss up to the stack, never past it. */
void *_sbrk(ptrdiff_t incr) {
    static uint8_t *brk = __heap_start;
    if (incr > __heap_end - brk || incr < __heap_start - brk) {
        errno = ENOMEM;
        return (void *)-1;
    }
    uint8_t *old = brk;
    brk += incr;
    return old;
}

size_t heap_size(void) { return (size_t)(__heap_end - __heap_start); }

/* What newlib's stdio asks of a file descriptor: only the console exists. */
int _close(int fd) { (void)fd; errno = EBADF; return -1; }
int _read(int fd, char *buf, int len) { (void)fd; (void)buf; (void)len; errno = EBADF; return -1; }
int _lseek(int fd, int off, int whence) { (void)fd; (void)off; (void)whence; errno = ESPIPE; return -1; }
int _isatty(int fd) { return fd >= 0 && fd <= 2; }
int _fstat(int fd, struct stat *st) {
    if (fd < 0 || fd > 2) {
        errno = EBADF;
        return -1;
    }
    st->st_mode = S_IFCHR;
    return 0;
}
int _getpid(void) { return 1; }
int _kill(int pid, int sig) { (void)pid; (void)sig; errno = EINVAL; return -1; }

/* The stack is painted with this word before main runs; what main overwrote is what it used. */
#define PAINT 0x57A5C0DEu

size_t stack_used(void) {
    const uint32_t *p = __stack_limit;
    while (p < __stack_top && *p == PAINT) p++;
    return (size_t)((const uint8_t *)__stack_top - (const uint8_t *)p);
}

size_t stack_size(void) { return (size_t)((uint8_t *)__stack_top - (uint8_t *)__stack_limit); }

static void fault(void) {
    static const char what[] = "firmware-c: fault\n";
    _write(2, what, sizeof what - 1);
    _exit(1);
}

/* Everything after the FPU is on: C with hard floats may use its registers from here. */
__attribute__((noreturn, noinline)) static void start(void) {
    for (uint32_t *s = __data_load, *d = __data_start; d < __data_end;) *d++ = *s++;
    for (uint32_t *d = __bss_start; d < __bss_end;) *d++ = 0;
    /* Paint the stack below this frame (with room to spare) for stack_used(). */
    uint32_t *sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    for (uint32_t *p = __stack_limit; p < sp - 64; p++) *p = PAINT;
    exit(main());
}

__attribute__((noreturn)) void reset_handler(void) {
    /* CPACR: full access to CP10 and CP11, the FPU (thumbv7em-none-eabihf code uses it). */
    *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
    start();
}

/* The Cortex-M4 vector table: the initial stack pointer, then the system exceptions. */
__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))__stack_top, reset_handler, fault, fault, fault, fault, fault,
    NULL, NULL, NULL, NULL, fault, fault, NULL, fault, fault,
};
