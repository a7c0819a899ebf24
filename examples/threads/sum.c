/* wasmbed run's threads example (README, docs/threads.md): the main thread
 * spawns four `part` threads, each in its own instance, which sum the
 * squares of their quarter of a range and send the partial sum over the
 * host channel "parts"; the main thread adds them up and joins the threads.
 * Freestanding: no libc, no allocator (examples/pubsub/noalloc.c). */
#include <stdint.h>
#include <stdbool.h>
#include "sum.h"

typedef wasmbed_threads_types_error_code_t error_code_t;

#define THREADS 4
#define FAIL(code) (1000u + (uint64_t)(code))

static bool parts(wasmbed_threads_sync_own_channel_t *q, error_code_t *err) {
    sum_string_t name = {(uint8_t *)"parts", 5};
    return wasmbed_threads_sync_static_channel_open(&name, THREADS, 8, q, err);
}

uint64_t exports_sum_part(uint64_t arg) {
    uint64_t n = arg >> 2, k = arg & 3;
    uint64_t sum = 0;
    uint64_t lo = n / THREADS * k, hi = k == THREADS - 1 ? n : lo + n / THREADS;
    for (uint64_t i = lo; i < hi; i++) {
        uint64_t sq = i * i;
        /* Opaque to the optimizer, so the loop stays a loop (the closed
         * form would need 128-bit arithmetic from compiler-rt). */
        __asm__ volatile("" : "+r"(sq));
        sum += sq;
    }
    wasmbed_threads_sync_own_channel_t q;
    error_code_t err;
    if (!parts(&q, &err))
        return FAIL(err);
    uint8_t bytes[8];
    for (int b = 0; b < 8; b++)
        bytes[b] = (uint8_t)(sum >> (8 * b));
    sum_list_u8_t msg = {bytes, 8};
    bool ok = wasmbed_threads_sync_method_channel_send(
        wasmbed_threads_sync_borrow_channel(q), &msg, NULL, &err);
    wasmbed_threads_sync_channel_drop_own(q);
    return ok ? k : FAIL(err);
}

static uint8_t inbox[8];

uint64_t exports_sum_sum_squares(uint64_t n) {
    wasmbed_threads_sync_own_channel_t q;
    error_code_t err;
    if (!parts(&q, &err))
        return FAIL(err);
    wasmbed_threads_threads_own_thread_t t[THREADS];
    int spawned = 0;
    uint64_t failed = 0, sum = 0;
    for (; spawned < THREADS; spawned++) {
        sum_string_t entry = {(uint8_t *)"part", 4};
        wasmbed_threads_threads_spawn_options_t o = {0, 0};
        uint64_t arg = (n << 2) | (uint64_t)spawned;
        if (!wasmbed_threads_threads_spawn(&entry, arg, &o, &t[spawned], &err)) {
            failed = FAIL(err);
            break;
        }
    }
    /* One partial sum per thread, in whatever order they finish. */
    for (int i = 0; i < spawned && !failed; i++) {
        uint32_t len;
        if (!wasmbed_threads_sync_method_channel_receive(
                wasmbed_threads_sync_borrow_channel(q), (uint32_t)(uintptr_t)inbox,
                sizeof inbox, NULL, &len, &err)) {
            failed = FAIL(err);
            break;
        }
        for (int b = 0; b < 8; b++)
            sum += (uint64_t)inbox[b] << (8 * b);
    }
    for (int i = 0; i < spawned; i++) {
        uint64_t r;
        bool ok = wasmbed_threads_threads_method_thread_join(
            wasmbed_threads_threads_borrow_thread(t[i]), NULL, &r, &err);
        if (!ok && !failed)
            failed = FAIL(err);
        wasmbed_threads_threads_thread_drop_own(t[i]);
    }
    wasmbed_threads_sync_channel_drop_own(q);
    return failed ? failed : sum;
}
