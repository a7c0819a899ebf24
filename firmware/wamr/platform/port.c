/*
 * platform_api_vmcore.h for wasmbed's bare-metal firmware (see
 * platform_internal.h). Allocation is in Rust (the firmware's global
 * allocator: src/port.rs); printing and the stack's limit come from the
 * firmware's board through the two hooks of platform_internal.h.
 *
 * The rule that makes the no-op mutexes sound: WAMR runs on one core, from
 * one thread of execution, never re-entered from an interrupt handler.
 */
#include "platform_api_vmcore.h"
#include "platform_api_extension.h"

int
bh_platform_init(void)
{
    return 0;
}

void
bh_platform_destroy(void)
{}

int
os_vprintf(const char *format, va_list ap)
{
    /* WAMR prints only its log lines (wasmbed sets the level to fatal). */
    char line[160];
    int n = vsnprintf(line, sizeof(line), format, ap);
    if (n > 0)
        wamr_port_write(line, (size_t)n < sizeof(line) ? (size_t)n
                                                       : sizeof(line) - 1);
    return n;
}

int
os_printf(const char *format, ...)
{
    va_list ap;
    int n;
    va_start(ap, format);
    n = os_vprintf(format, ap);
    va_end(ap);
    return n;
}

/*
 * No clock: with thread management, profiling and timers left out, WAMR
 * reads the time only to stamp log lines.
 */
uint64
os_time_get_boot_us(void)
{
    return 0;
}

uint64
os_time_thread_cputime_us(void)
{
    return 0;
}

korp_tid
os_self_thread(void)
{
    return 1;
}

/* Where the native stack ends: WAMR traps a call that would pass it (plus
   WASM_STACK_GUARD_SIZE) with "native stack overflow". */
uint8 *
os_thread_get_stack_boundary(void)
{
    return wamr_port_stack_boundary();
}

void
os_thread_jit_write_protect_np(bool enabled)
{
    (void)enabled;
}

int
os_mutex_init(korp_mutex *mutex)
{
    (void)mutex;
    return BHT_OK;
}

int
os_mutex_destroy(korp_mutex *mutex)
{
    (void)mutex;
    return BHT_OK;
}

int
os_mutex_lock(korp_mutex *mutex)
{
    (void)mutex;
    return BHT_OK;
}

int
os_mutex_unlock(korp_mutex *mutex)
{
    (void)mutex;
    return BHT_OK;
}

/*
 * No MMU: a mapping is a zeroed block of the heap (WAMR relies on fresh
 * linear memory reading zero), protection is not enforced, and remapping
 * resizes the block and zeroes what it added. Hardware bounds checks are
 * off, so WAMR maps exactly the linear memory's size.
 */
void *
os_mmap(void *hint, size_t size, int prot, int flags, os_file_handle file)
{
    void *addr;
    (void)hint;
    (void)prot;
    (void)flags;
    (void)file;
    if (size == 0 || size > UINT32_MAX)
        return NULL;
    if ((addr = os_malloc((unsigned)size)))
        memset(addr, 0, size);
    return addr;
}

void *
os_mremap(void *old_addr, size_t old_size, size_t new_size)
{
    uint8 *addr;
    if (new_size == 0 || new_size > UINT32_MAX)
        return NULL;
    if (!(addr = os_realloc(old_addr, (unsigned)new_size)))
        return NULL;
    if (new_size > old_size)
        memset(addr + old_size, 0, new_size - old_size);
    return addr;
}

void
os_munmap(void *addr, size_t size)
{
    (void)size;
    os_free(addr);
}

int
os_mprotect(void *addr, size_t size, int prot)
{
    (void)addr;
    (void)size;
    (void)prot;
    return 0;
}

void
os_dcache_flush(void)
{}

void
os_icache_flush(void *start, size_t len)
{
    (void)start;
    (void)len;
}
