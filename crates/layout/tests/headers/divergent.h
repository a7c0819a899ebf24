/* Structs whose bytes differ between targets, one known reason each.
 * tests/check.rs asserts exactly which fields differ, how, and on which targets. */
#ifndef WASMBED_TEST_DIVERGENT_H
#define WASMBED_TEST_DIVERGENT_H

#include <stdbool.h>
#include <stdint.h>

/* i686 aligns uint64_t to 4 inside structs (AVR to 1, MSP430 to 2). */
struct u64_after_u8 {
    uint8_t a;
    uint64_t b;
};

/* The same for double; avr-gcc's double is also 32 bits. */
struct double_after_u32 {
    uint32_t a;
    double d;
};

/* Only the size of double: 4 bytes on AVR. */
struct lone_double {
    double d;
};

/* int is 16 bits on AVR and MSP430. */
struct int_field {
    int32_t a;
    int b;
};

/* long is 64 bits on x86_64 only (LP64). */
struct long_field {
    uint32_t a;
    long b;
};

/* Bitfields: a 32-bit unit starts where the target aligns it (bit 32 on most,
 * 13 on AVR, 16 on MSP430), and big-endian MIPS allocates from the other end. */
struct bitfields {
    uint8_t a : 3;
    uint16_t b : 10;
    uint32_t c : 20;
};

/* Packing removes padding but not the width of int. */
struct __attribute__((packed)) packed_int {
    uint8_t a;
    int b;
    uint8_t c;
};

/* #pragma pack(2) caps alignment at 2, but AVR aligns nothing. */
#pragma pack(push, 2)
struct pack2 {
    uint8_t a;
    uint32_t b;
};
#pragma pack(pop)

/* An enum is an int: 16 bits on AVR and MSP430. */
enum mode { MODE_OFF, MODE_ON };
struct enum_field {
    enum mode m;
    uint8_t x;
};

/* Members of an anonymous union are fields of the struct. */
struct anonymous_union {
    uint8_t kind;
    union {
        uint32_t u;
        float f;
    };
};

#endif
