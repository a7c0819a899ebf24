/* The pubsub demo's filter: world `participant` of wit/pubsub.wit.
 * Each step receives every frame queued on "frames", reads it in place,
 * and publishes a `struct summary` on "filtered": the mean of its readings
 * in range (0..=60000 milli-degrees, integer division truncating toward
 * zero; 0 if none is) and how many it rejected. A sample that is not 16
 * bytes long is dropped unread. No libc and no allocator (noalloc.c);
 * guests/build.sh rebuilds filter.wasm. */
#include <stdint.h>
#include "participant.h"

struct frame {
    uint32_t seq;
    int32_t milli_celsius[3];
};
_Static_assert(sizeof(struct frame) == 16, "a frame is 16 bytes");

struct summary {
    uint32_t seq;
    int32_t mean_milli;
    uint32_t rejected;
};
_Static_assert(sizeof(struct summary) == 12, "a summary is 12 bytes");

#define STORAGE_LEN 1024
#include "storage.h"
#define MIN_MILLI 0
#define MAX_MILLI 60000

static wasmbed_pubsub_broker_own_subscriber_t frames;
static wasmbed_pubsub_broker_own_publisher_t filtered;

bool exports_wasmbed_pubsub_task_init(exports_wasmbed_pubsub_task_error_code_t *err) {
    if (!lend_storage(err)) {
        return false;
    }
    participant_string_t in = {(uint8_t *)"frames", 6};
    if (!wasmbed_pubsub_broker_static_subscriber_open(&in, &frames, err)) {
        return false;
    }
    participant_string_t out = {(uint8_t *)"filtered", 8};
    return wasmbed_pubsub_broker_static_publisher_open(&out, &filtered, err);
}

/* Publishes the summary of `f` on "filtered"; a failure is the broker's to count. */
static void summarize(const struct frame *f) {
    int64_t sum = 0;
    uint32_t kept = 0;
    for (int i = 0; i < 3; i++) {
        int32_t v = f->milli_celsius[i];
        if (v >= MIN_MILLI && v <= MAX_MILLI) {
            sum += v;
            kept++;
        }
    }
    wasmbed_pubsub_broker_borrow_publisher_t pub = wasmbed_pubsub_broker_borrow_publisher(filtered);
    wasmbed_pubsub_broker_own_loan_t loan;
    wasmbed_pubsub_broker_error_code_t err;
    if (!wasmbed_pubsub_broker_method_publisher_loan(pub, sizeof(struct summary), &loan, &err)) {
        return;
    }
    wasmbed_pubsub_broker_borrow_loan_t b = wasmbed_pubsub_broker_borrow_loan(loan);
    uint32_t address = wasmbed_pubsub_broker_method_loan_address(b);
    check_in_storage(address, sizeof(struct summary));
    if (wasmbed_pubsub_broker_method_loan_capacity(b) < sizeof(struct summary)) {
        __builtin_trap();
    }
    struct summary *s = (struct summary *)(uintptr_t)address;
    s->seq = f->seq;
    s->mean_milli = kept ? (int32_t)(sum / kept) : 0;
    s->rejected = 3 - kept;
    (void)wasmbed_pubsub_broker_method_publisher_publish(pub, loan, sizeof(struct summary), &err);
}

bool exports_wasmbed_pubsub_task_step(uint64_t tick) {
    (void)tick;
    wasmbed_pubsub_broker_borrow_subscriber_t sub = wasmbed_pubsub_broker_borrow_subscriber(frames);
    for (;;) {
        wasmbed_pubsub_broker_option_own_sample_t got;
        wasmbed_pubsub_broker_error_code_t err;
        if (!wasmbed_pubsub_broker_method_subscriber_receive(sub, &got, &err) || !got.is_some) {
            break;
        }
        wasmbed_pubsub_broker_borrow_sample_t b = wasmbed_pubsub_broker_borrow_sample(got.val);
        uint32_t len = wasmbed_pubsub_broker_method_sample_len(b);
        if (len == sizeof(struct frame)) {
            uint32_t address = wasmbed_pubsub_broker_method_sample_address(b);
            check_in_storage(address, len);
            summarize((const struct frame *)(uintptr_t)address);
        }
        wasmbed_pubsub_broker_sample_drop_own(got.val);
    }
    return true;
}
