/* The storage a `participant` guest lends the broker, and the check that
 * every block the broker hands out lies inside it. Define STORAGE_LEN, then
 * include this once. Shared by examples/pubsub/{sensor,filter}.c and
 * guests/pubsub/roundtrip.c. */
#ifndef WASMBED_PUBSUB_STORAGE_H
#define WASMBED_PUBSUB_STORAGE_H

#include <stdint.h>
#include "participant.h"

/* Lent to the broker by init: it holds this guest's loans and samples. */
static _Alignas(8) uint8_t storage[STORAGE_LEN];

/* Traps unless [address, address + len) lies in the storage lent: the broker
 * places every loan and sample there, anything else is a broker bug. */
static inline void check_in_storage(uint32_t address, uint32_t len) {
    uint32_t start = (uint32_t)(uintptr_t)storage;
    if (address < start || len > STORAGE_LEN || address - start > STORAGE_LEN - len) {
        __builtin_trap();
    }
}

/* Lends the storage to the broker. */
static inline bool lend_storage(wasmbed_pubsub_broker_error_code_t *err) {
    return wasmbed_pubsub_broker_add_storage((uint32_t)(uintptr_t)storage, STORAGE_LEN, err);
}

#endif
