/* An existing C header to propose WIT for (tests/check.rs, `from_c`). */
#ifndef WASMBED_TEST_SENSOR_H
#define WASMBED_TEST_SENSOR_H

#include <stdbool.h>
#include <stdint.h>

typedef enum { SENSOR_IDLE, SENSOR_RUNNING, SENSOR_FAULT } sensor_state_t;

enum unit { UNIT_MILLIVOLT = 1, UNIT_MILLIAMP = 4 };

struct calibration {
    float gain;
    float offset;
};

typedef struct sensor_reading {
    uint32_t timestampMs;
    int16_t rawValue;
    uint8_t channel_id;
    bool valid;
    sensor_state_t state;
    enum unit unit;
    struct calibration cal;
    uint8_t serial[6];
    double average;
    int count;
    char tag;
    unsigned int ready : 1;
    unsigned int mode : 3;
    int trim : 5;
} sensor_reading_t;

struct with_pointer {
    uint8_t *data;
    uint32_t len;
};

struct with_long_array {
    uint8_t name[32];
};

union raw {
    uint32_t word;
    float value;
};

struct with_union {
    union raw r;
};

#endif
