/* Structs whose bytes are the same on every target: fixed-width fields at
 * offsets that are multiples of their size. Alignment still differs (AVR
 * aligns nothing, i686 aligns uint64_t to 4), which changes no byte. */
#ifndef WASMBED_TEST_CLEAN_H
#define WASMBED_TEST_CLEAN_H

#include <stdbool.h>
#include <stdint.h>

struct clean_words {
    uint32_t a;
    uint32_t b;
    uint8_t c[8];
};

struct __attribute__((packed)) clean_packed {
    uint8_t a;
    uint32_t b;
    uint16_t c;
    uint64_t d;
};

typedef struct {
    uint16_t x;
    uint16_t y;
    uint32_t z;
} clean_point_t;

struct clean_nested {
    clean_point_t p;
    struct clean_words w;
    uint64_t stamp;
};

struct clean_bytes {
    uint8_t tag;
    int8_t delta;
    uint16_t len;
    bool flag;
    uint8_t pad[3];
};

union clean_union {
    uint32_t word;
    uint8_t bytes[4];
    float value;
};

#endif
