// The `sensor` example guest: implements `wasmbed:examples/filter` from sensor.wit.
// Bindings come from `wit-bindgen c sensor.wit`; examples/build.sh rebuilds sensor.wasm.
#include <stdlib.h>
#include "sensor.h"

void exports_wasmbed_examples_filter_summarize(
    exports_wasmbed_examples_filter_list_reading_t *readings, double low, double high,
    exports_wasmbed_examples_filter_summary_t *ret) {
    size_t n = readings->len;
    double sum = 0;
    uint32_t *outside = n ? malloc(n * sizeof(uint32_t)) : NULL;
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        exports_wasmbed_examples_filter_reading_t *r = &readings->ptr[i];
        sum += r->celsius;
        if (r->celsius < low || r->celsius > high) {
            outside[bad++] = r->sensor;
        }
    }
    ret->count = (uint32_t)n;
    ret->mean = n ? sum / (double)n : 0.0;
    ret->out_of_range.ptr = outside;
    ret->out_of_range.len = bad;
    sensor_string_dup(&ret->label, bad ? "check sensors" : "all in range");
    exports_wasmbed_examples_filter_list_reading_free(readings);
}
