/* A guest that fills a `reading` (layout.wit) in its own linear memory
 * through the generated header's setters, and returns its address.
 * Built by guests/build.sh; crates/layout/tests/roundtrip.rs reads the
 * struct in place with the generated Rust type. */
#include "layout.h"

/* The Canonical ABI alignment of `reading` is 8: the struct itself is
 * made of bytes, so its place in memory is aligned here. */
static _Alignas(8) demo_sensors_reading_t reading;

demo_sensors_reading_t *write_reading(void) {
    demo_sensors_reading_t *r = &reading;
    demo_sensors_reading_set_id(r, 0xa5);
    demo_sensors_reading_set_delta(r, -2);
    demo_sensors_reading_set_seq(r, UINT32_C(0x01020304));
    demo_sensors_reading_set_stamp(r, UINT64_C(0x1122334455667788));
    demo_sensors_reading_set_offset(r, INT64_C(-5000000000));
    demo_sensors_reading_set_level(r, -7);
    demo_sensors_reading_set_ok(r, 1);
    demo_sensors_reading_set_unit(r, DEMO_SENSORS_UNIT_KELVIN);
    demo_sensors_reading_set_status(
        r, DEMO_SENSORS_STATUS_OK | DEMO_SENSORS_STATUS_CALIBRATED | DEMO_SENSORS_STATUS_SATURATED);
    demo_sensors_reading_set_code(r, -123456);
    demo_sensors_reading_set_letter(r, 0x20ac); /* U+20AC EURO SIGN */
    demo_sensors_reading_set_scale(r, 1.5f);
    demo_sensors_reading_set_precise(r, -2.25);
    demo_sensors_vec3_set_x(&r->accel, 0.5f);
    demo_sensors_vec3_set_y(&r->accel, -1.0f);
    demo_sensors_vec3_set_z(&r->accel, 9.75f);
    demo_sensors_sample_pos_t *pos = demo_sensors_sample_set_pos(&r->last);
    demo_sensors_sample_pos_set_f0(pos, -3);
    demo_sensors_sample_pos_set_f1(pos, 300);
    demo_sensors_reading_limit_set_some(&r->limit, UINT32_C(4000000000));
    demo_sensors_reading_outcome_set_ok(&r->outcome, UINT64_C(0xcafebabedeadbeef));
    return r;
}
