/* The pubsub demo's publisher: world `participant` of wit/pubsub.wit.
 * Each step writes one `struct frame` in place in a loan on "frames" and
 * publishes it; eight frames (ticks 0..7), then the task is finished.
 * No libc and no allocator (noalloc.c); guests/build.sh rebuilds sensor.wasm.
 *
 * Frame of tick t (little-endian, 16 bytes):
 *     seq = t, milli_celsius[i] = 20000 + 150*t + 1000*i  (i = 0, 1, 2),
 * except that on every 4th tick (t % 4 == 3) milli_celsius[t % 3] is 90000,
 * a reading out of range that filter.c rejects. */
#include <stdint.h>
#include "participant.h"

struct frame {
    uint32_t seq;
    int32_t milli_celsius[3];
};
_Static_assert(sizeof(struct frame) == 16, "a frame is 16 bytes");

#define LAST_TICK 7
#define STORAGE_LEN 1024
#include "storage.h"

static wasmbed_pubsub_broker_own_publisher_t frames;

bool exports_wasmbed_pubsub_task_init(exports_wasmbed_pubsub_task_error_code_t *err) {
    if (!lend_storage(err)) {
        return false;
    }
    participant_string_t topic = {(uint8_t *)"frames", 6};
    return wasmbed_pubsub_broker_static_publisher_open(&topic, &frames, err);
}

bool exports_wasmbed_pubsub_task_step(uint64_t tick) {
    if (tick > LAST_TICK) {
        return false;
    }
    wasmbed_pubsub_broker_borrow_publisher_t pub = wasmbed_pubsub_broker_borrow_publisher(frames);
    wasmbed_pubsub_broker_own_loan_t loan;
    wasmbed_pubsub_broker_error_code_t err;
    /* A failed loan or publish is the broker's to count: this tick's frame is lost. */
    if (wasmbed_pubsub_broker_method_publisher_loan(pub, sizeof(struct frame), &loan, &err)) {
        wasmbed_pubsub_broker_borrow_loan_t b = wasmbed_pubsub_broker_borrow_loan(loan);
        uint32_t address = wasmbed_pubsub_broker_method_loan_address(b);
        check_in_storage(address, sizeof(struct frame));
        if (wasmbed_pubsub_broker_method_loan_capacity(b) < sizeof(struct frame)) {
            __builtin_trap();
        }
        struct frame *f = (struct frame *)(uintptr_t)address;
        uint32_t t = (uint32_t)tick;
        f->seq = t;
        for (int32_t i = 0; i < 3; i++) {
            f->milli_celsius[i] = 20000 + 150 * (int32_t)t + 1000 * i;
        }
        if (t % 4 == 3) {
            f->milli_celsius[t % 3] = 90000;
        }
        (void)wasmbed_pubsub_broker_method_publisher_publish(pub, loan, sizeof(struct frame), &err);
    }
    return tick < LAST_TICK;
}
