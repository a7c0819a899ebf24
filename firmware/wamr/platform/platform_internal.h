/*
 * WAMR's platform layer for wasmbed's bare-metal firmware: one core, no
 * operating system, no MMU. WAMR includes this header from
 * platform_common.h; port.c implements platform_api_vmcore.h over it.
 *
 * The C library's headers (newlib's, from the cross compiler) declare what
 * WAMR calls, but no C library is linked: the few functions WAMR needs
 * beyond what Rust's compiler_builtins provides (memcpy, memset, the math
 * functions) are in libc.c.
 */
#ifndef _PLATFORM_INTERNAL_H
#define _PLATFORM_INTERNAL_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <ctype.h>
#include <limits.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#ifndef BH_PLATFORM_WASMBED_BARE
#define BH_PLATFORM_WASMBED_BARE
#endif

#define BH_APPLET_PRESERVED_STACK_SIZE (2 * BH_KB)
#define BH_THREAD_DEFAULT_PRIORITY 0

/* One thread of execution: a thread id is a constant, a mutex is nothing. */
typedef uintptr_t korp_tid;
typedef uintptr_t korp_thread;
typedef struct {
    int unused;
} korp_mutex;
typedef unsigned int korp_sem;
typedef struct {
    int unused;
} korp_rwlock;
typedef struct {
    int unused;
} korp_cond;

/* Used in platform_api_extension.h only: no files, sockets or polling here. */
typedef int os_file_handle;
typedef void *os_dir_stream;
typedef int os_raw_file_handle;
typedef int os_poll_file_handle;
typedef unsigned int os_nfds_t;
typedef int os_timespec;

static inline os_file_handle
os_get_invalid_handle(void)
{
    return -1;
}

/* No MMU: the "page" only sizes WAMR's stack guard arithmetic. */
static inline int
os_getpagesize(void)
{
    return 1024;
}

/*
 * What the firmware provides (in Rust): writes `len` bytes to its console,
 * and the lowest address its stack may reach.
 */
void
wamr_port_write(const char *bytes, size_t len);
uint8_t *
wamr_port_stack_boundary(void);

#endif /* _PLATFORM_INTERNAL_H */
