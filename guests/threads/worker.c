/* The threads test guest (guests/threads/wit/worker.wit): every export is a
 * thread entry `func(arg: u64) -> u64`; the `run-*` ones run on the main
 * thread and spawn the others. No libc and no allocator: names and messages
 * live in static memory, and `channel.receive` copies into a static buffer.
 * Each thread is its own instance, so these globals are per thread. */
#include <stdint.h>
#include <stdbool.h>
#include "worker.h"

typedef wasmbed_threads_types_error_code_t error_code_t;

#define FAIL(code) (1000u + (uint64_t)(code))

static worker_string_t str(const char *s, size_t n) {
    worker_string_t out = {(uint8_t *)s, n};
    return out;
}
#define NAME(lit) str(lit, sizeof(lit) - 1)

static wasmbed_threads_sync_borrow_mutex_t mutex_m(void) {
    static bool open;
    static wasmbed_threads_sync_own_mutex_t m;
    if (!open) {
        worker_string_t name = NAME("m");
        error_code_t err;
        if (!wasmbed_threads_sync_static_mutex_open(&name, &m, &err))
            __builtin_trap();
        open = true;
    }
    return wasmbed_threads_sync_borrow_mutex(m);
}

static wasmbed_threads_sync_borrow_channel_t channel_q(void) {
    static bool open;
    static wasmbed_threads_sync_own_channel_t q;
    if (!open) {
        worker_string_t name = NAME("q");
        error_code_t err;
        if (!wasmbed_threads_sync_static_channel_open(&name, 4, 8, &q, &err))
            __builtin_trap();
        open = true;
    }
    return wasmbed_threads_sync_borrow_channel(q);
}

/* Spawns `entry(arg)`: the handle, or false with the error in `err`. */
static bool spawn(worker_string_t entry, uint64_t arg, uint8_t priority, uint32_t stack,
                  wasmbed_threads_threads_own_thread_t *t, error_code_t *err) {
    wasmbed_threads_threads_spawn_options_t o = {priority, stack};
    return wasmbed_threads_threads_spawn(&entry, arg, &o, t, err);
}

/* Joins `t` with no deadline: its result, or 1000 plus the error code. */
static uint64_t join(wasmbed_threads_threads_own_thread_t t) {
    uint64_t r;
    error_code_t err;
    bool ok = wasmbed_threads_threads_method_thread_join(
        wasmbed_threads_threads_borrow_thread(t), NULL, &r, &err);
    wasmbed_threads_threads_thread_drop_own(t);
    return ok ? r : FAIL(err);
}

uint64_t exports_worker_count(uint64_t n) {
    wasmbed_threads_sync_borrow_mutex_t m = mutex_m();
    error_code_t err;
    for (uint64_t i = 0; i < n; i++) {
        if (!wasmbed_threads_sync_method_mutex_lock(m, NULL, &err))
            return FAIL(err);
        wasmbed_threads_test_cell_set(wasmbed_threads_test_cell_get() + 1);
        if (!wasmbed_threads_sync_method_mutex_unlock(m, &err))
            return FAIL(err);
    }
    return n;
}

uint64_t exports_worker_run_counters(uint64_t n) {
    wasmbed_threads_threads_own_thread_t t[4];
    error_code_t err;
    for (int i = 0; i < 4; i++) {
        if (!spawn(NAME("count"), n, 0, 0, &t[i], &err))
            return FAIL(err);
    }
    uint64_t sum = 0;
    for (int i = 0; i < 4; i++)
        sum += join(t[i]);
    return sum;
}

uint64_t exports_worker_produce(uint64_t n) {
    wasmbed_threads_sync_borrow_channel_t q = channel_q();
    error_code_t err;
    for (uint64_t i = 0; i < n; i++) {
        uint8_t bytes[8];
        for (int b = 0; b < 8; b++)
            bytes[b] = (uint8_t)(i >> (8 * b));
        worker_list_u8_t msg = {bytes, 8};
        if (!wasmbed_threads_sync_method_channel_send(q, &msg, NULL, &err))
            return FAIL(err);
    }
    return n;
}

static uint8_t inbox[16];

uint64_t exports_worker_consume(uint64_t n) {
    wasmbed_threads_sync_borrow_channel_t q = channel_q();
    error_code_t err;
    uint64_t sum = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint32_t len;
        if (!wasmbed_threads_sync_method_channel_receive(q, (uint32_t)(uintptr_t)inbox,
                                                         sizeof inbox, NULL, &len, &err))
            return FAIL(err);
        uint64_t v = 0;
        for (int b = 0; b < 8; b++)
            v |= (uint64_t)inbox[b] << (8 * b);
        if (len != 8 || v != i)
            return UINT64_MAX;
        sum += v;
    }
    return sum;
}

uint64_t exports_worker_run_pipeline(uint64_t n) {
    wasmbed_threads_threads_own_thread_t c, p;
    error_code_t err;
    if (!spawn(NAME("consume"), n, 0, 0, &c, &err) || !spawn(NAME("produce"), n, 0, 0, &p, &err))
        return FAIL(err);
    uint64_t sent = join(p);
    uint64_t got = join(c);
    return sent == n ? got : sent;
}

uint64_t exports_worker_crash(uint64_t arg) {
    (void)arg;
    error_code_t err;
    if (!wasmbed_threads_sync_method_mutex_lock(mutex_m(), NULL, &err))
        return FAIL(err);
    __builtin_trap();
}

uint64_t exports_worker_run_crash(uint64_t n) {
    wasmbed_threads_threads_own_thread_t t;
    error_code_t err;
    if (!spawn(NAME("crash"), 0, 0, 0, &t, &err))
        return FAIL(err);
    uint64_t crashed = join(t);
    if (crashed != FAIL(WASMBED_THREADS_TYPES_ERROR_CODE_TRAPPED))
        return 2000 + crashed;
    if (!spawn(NAME("count"), n, 0, 0, &t, &err))
        return FAIL(err);
    return join(t);
}

uint64_t exports_worker_try_spawn(uint64_t arg) {
    wasmbed_threads_threads_own_thread_t t;
    error_code_t err;
    if (!spawn(NAME("count"), 1, (uint8_t)(arg >> 32), (uint32_t)arg, &t, &err))
        return FAIL(err);
    return join(t);
}

/* Semaphore "ping" (0) or "pong" (1), opened once per instance. */
static wasmbed_threads_sync_borrow_semaphore_t semaphore(int which) {
    static bool open[2];
    static wasmbed_threads_sync_own_semaphore_t s[2];
    if (!open[which]) {
        worker_string_t n = which ? NAME("pong") : NAME("ping");
        error_code_t err;
        if (!wasmbed_threads_sync_static_semaphore_open(&n, 0, 1, &s[which], &err))
            __builtin_trap();
        open[which] = true;
    }
    return wasmbed_threads_sync_borrow_semaphore(s[which]);
}

/* `n` turns: wait on `wait`, release `post`. */
static uint64_t hand_off(uint64_t n, bool first, wasmbed_threads_sync_borrow_semaphore_t wait,
                         wasmbed_threads_sync_borrow_semaphore_t post) {
    error_code_t err;
    for (uint64_t i = 0; i < n; i++) {
        if (first && !wasmbed_threads_sync_method_semaphore_release(post, &err))
            return FAIL(err);
        if (!wasmbed_threads_sync_method_semaphore_acquire(wait, NULL, &err))
            return FAIL(err);
        if (!first && !wasmbed_threads_sync_method_semaphore_release(post, &err))
            return FAIL(err);
    }
    return n;
}

uint64_t exports_worker_pong(uint64_t n) {
    return hand_off(n, false, semaphore(0), semaphore(1));
}

uint64_t exports_worker_run_ping_pong(uint64_t n) {
    wasmbed_threads_threads_own_thread_t t;
    error_code_t err;
    if (!spawn(NAME("pong"), n, 0, 0, &t, &err))
        return FAIL(err);
    uint64_t mine = hand_off(n, true, semaphore(1), semaphore(0));
    uint64_t theirs = join(t);
    return mine == n ? theirs : mine;
}

uint64_t exports_worker_spin(uint64_t arg) {
    volatile uint64_t x = arg;
    for (;;)
        x = x + 1;
}

uint64_t exports_worker_run_spin(uint64_t arg) {
    wasmbed_threads_threads_own_thread_t t;
    error_code_t err;
    if (!spawn(NAME("spin"), arg, 0, 0, &t, &err))
        return FAIL(err);
    return join(t);
}
