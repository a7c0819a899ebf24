/* A test guest for crates/pubsub: world `participant` of wit/pubsub.wit.
 * Each step (a) receives every sample queued on "pong", reads its bytes in
 * place into a running checksum and drops it, then (b) publishes 64 bytes on
 * "ping", byte j being (tick + j) & 0xff. The host echoes ping to pong and
 * checks the bytes itself; the checksum is `volatile` only so that every
 * byte is really read from the broker's block. Always returns true.
 * No libc and no allocator (examples/pubsub/noalloc.c); guests/build.sh
 * rebuilds roundtrip.wasm. */
#include <stdint.h>
#include "participant.h"

#define STORAGE_LEN 512
#include "storage.h"
#define PING_LEN 64

static wasmbed_pubsub_broker_own_publisher_t ping;
static wasmbed_pubsub_broker_own_subscriber_t pong;
static volatile uint32_t checksum;

bool exports_wasmbed_pubsub_task_init(exports_wasmbed_pubsub_task_error_code_t *err) {
    if (!lend_storage(err)) {
        return false;
    }
    participant_string_t out = {(uint8_t *)"ping", 4};
    if (!wasmbed_pubsub_broker_static_publisher_open(&out, &ping, err)) {
        return false;
    }
    participant_string_t in = {(uint8_t *)"pong", 4};
    return wasmbed_pubsub_broker_static_subscriber_open(&in, &pong, err);
}

bool exports_wasmbed_pubsub_task_step(uint64_t tick) {
    wasmbed_pubsub_broker_error_code_t err;

    wasmbed_pubsub_broker_borrow_subscriber_t sub = wasmbed_pubsub_broker_borrow_subscriber(pong);
    for (;;) {
        wasmbed_pubsub_broker_option_own_sample_t got;
        if (!wasmbed_pubsub_broker_method_subscriber_receive(sub, &got, &err) || !got.is_some) {
            break;
        }
        wasmbed_pubsub_broker_borrow_sample_t b = wasmbed_pubsub_broker_borrow_sample(got.val);
        uint32_t address = wasmbed_pubsub_broker_method_sample_address(b);
        uint32_t len = wasmbed_pubsub_broker_method_sample_len(b);
        check_in_storage(address, len);
        const uint8_t *bytes = (const uint8_t *)(uintptr_t)address;
        uint32_t sum = 0;
        for (uint32_t j = 0; j < len; j++) {
            sum += bytes[j];
        }
        checksum += sum;
        wasmbed_pubsub_broker_sample_drop_own(got.val);
    }

    wasmbed_pubsub_broker_borrow_publisher_t pub = wasmbed_pubsub_broker_borrow_publisher(ping);
    wasmbed_pubsub_broker_own_loan_t loan;
    if (wasmbed_pubsub_broker_method_publisher_loan(pub, PING_LEN, &loan, &err)) {
        wasmbed_pubsub_broker_borrow_loan_t b = wasmbed_pubsub_broker_borrow_loan(loan);
        uint32_t address = wasmbed_pubsub_broker_method_loan_address(b);
        check_in_storage(address, PING_LEN);
        if (wasmbed_pubsub_broker_method_loan_capacity(b) < PING_LEN) {
            __builtin_trap();
        }
        uint8_t *bytes = (uint8_t *)(uintptr_t)address;
        for (uint32_t j = 0; j < PING_LEN; j++) {
            bytes[j] = (uint8_t)(tick + j);
        }
        (void)wasmbed_pubsub_broker_method_publisher_publish(pub, loan, PING_LEN, &err);
    }
    return true;
}
