// The `resources` conformance guest: uses the host's `blob` every way and exports `counter`,
// whose destructor reports to the host. Bindings: `wit-bindgen c resources.wit`.
#include <stdlib.h>
#include "resources.h"

#define STORE(name) wasmbed_resources_store_##name
#define API(name) exports_wasmbed_resources_api_##name

struct exports_wasmbed_resources_api_counter_t {
    uint32_t id;
    uint32_t value;
};

static uint32_t next_id = 1;

API(own_counter_t) API(constructor_counter)(uint32_t start) {
    API(counter_t) *c = malloc(sizeof *c);
    c->id = next_id++;
    c->value = start;
    return API(counter_new)(c);
}

uint32_t API(method_counter_add)(API(borrow_counter_t) self, uint32_t n) {
    self->value += n;
    return self->value;
}

uint32_t API(method_counter_get)(API(borrow_counter_t) self) { return self->value; }

uint32_t API(method_counter_id)(API(borrow_counter_t) self) { return self->id; }

API(own_counter_t) API(static_counter_merge)(API(borrow_counter_t) a, API(own_counter_t) b) {
    uint32_t sum = a->value + API(counter_rep)(b)->value;
    // Dropping the last `own` handle runs the destructor, from inside this call.
    API(counter_drop_own)(b);
    return API(constructor_counter)(sum);
}

void API(counter_destructor)(API(counter_t) *rep) {
    STORE(dropped)(rep->id);
    free(rep);
}

void API(exercise)(resources_list_u8_t *data, resources_list_u32_t *ret) {
    uint32_t *out = malloc(6 * sizeof(uint32_t));
    STORE(own_blob_t) a = STORE(constructor_blob)(data);
    STORE(own_blob_t) b = STORE(constructor_blob)(data);
    out[0] = STORE(method_blob_append)(STORE(borrow_blob)(a), data);
    out[1] = STORE(method_blob_size)(STORE(borrow_blob)(b));
    STORE(own_blob_t) c = STORE(static_blob_concat)(a, STORE(borrow_blob)(b));
    out[2] = STORE(peek)(STORE(borrow_blob)(c));
    out[3] = STORE(consume)(b);
    out[4] = STORE(method_blob_size)(STORE(borrow_blob)(c));
    STORE(blob_drop_own)(c);
    STORE(own_blob_t) d = STORE(constructor_blob)(data);
    out[5] = STORE(method_blob_size)(STORE(borrow_blob)(d));
    STORE(blob_drop_own)(d);
    resources_list_u8_free(data);
    ret->ptr = out;
    ret->len = 6;
}

API(own_blob_t) API(make_blob)(resources_list_u8_t *data) {
    STORE(own_blob_t) b = STORE(constructor_blob)(data);
    STORE(method_blob_append)(STORE(borrow_blob)(b), data);
    resources_list_u8_free(data);
    return b;
}

uint32_t API(measure)(API(borrow_blob_t) b) {
    uint32_t n = STORE(peek)(b);
    STORE(blob_drop_borrow)(b);
    return n;
}

uint32_t API(eat)(API(own_blob_t) b) {
    uint32_t n = STORE(method_blob_size)(STORE(borrow_blob)(b));
    STORE(blob_drop_own)(b);
    return n;
}
