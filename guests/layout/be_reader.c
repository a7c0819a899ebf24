/* Reads the bytes of a `reading` (layout.wit) from a file and prints each
 * field through the generated header's getters, one `name=value` a line.
 * crates/layout/tests/roundtrip.rs builds it for big-endian MIPS and runs it
 * under qemu-mips on the bytes the wasm guest wrote. */
#include <stdio.h>

#include "layout.h"

static _Alignas(8) unsigned char bytes[sizeof(demo_sensors_reading_t)];

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: be_reader FILE\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (f == NULL || fread(bytes, 1, sizeof bytes, f) != sizeof bytes) {
        fprintf(stderr, "be_reader: cannot read %zu bytes from %s\n", sizeof bytes, argv[1]);
        return 1;
    }
    fclose(f);
    const demo_sensors_reading_t *r = (const demo_sensors_reading_t *)(const void *)bytes;
    printf("id=%u\n", (unsigned)demo_sensors_reading_get_id(r));
    printf("delta=%d\n", (int)demo_sensors_reading_get_delta(r));
    printf("seq=%lu\n", (unsigned long)demo_sensors_reading_get_seq(r));
    printf("stamp=%llu\n", (unsigned long long)demo_sensors_reading_get_stamp(r));
    printf("offset=%lld\n", (long long)demo_sensors_reading_get_offset(r));
    printf("level=%d\n", (int)demo_sensors_reading_get_level(r));
    printf("ok=%d\n", (int)demo_sensors_reading_get_ok(r));
    printf("unit=%u\n", (unsigned)demo_sensors_reading_get_unit(r));
    printf("status=%u\n", (unsigned)demo_sensors_reading_get_status(r));
    printf("code=%ld\n", (long)demo_sensors_reading_get_code(r));
    printf("letter=%lu\n", (unsigned long)demo_sensors_reading_get_letter(r));
    printf("scale=%g\n", (double)demo_sensors_reading_get_scale(r));
    printf("precise=%g\n", demo_sensors_reading_get_precise(r));
    printf("accel=%g,%g,%g\n", (double)demo_sensors_vec3_get_x(&r->accel),
           (double)demo_sensors_vec3_get_y(&r->accel), (double)demo_sensors_vec3_get_z(&r->accel));
    unsigned tag = demo_sensors_sample_get_tag(&r->last);
    if (tag == DEMO_SENSORS_SAMPLE_POS) {
        const demo_sensors_sample_pos_t *pos = demo_sensors_sample_get_pos(&r->last);
        printf("last=pos(%d,%d)\n", (int)demo_sensors_sample_pos_get_f0(pos),
               (int)demo_sensors_sample_pos_get_f1(pos));
    } else {
        printf("last=tag %u\n", tag);
    }
    if (demo_sensors_reading_limit_get_tag(&r->limit) == DEMO_SENSORS_READING_LIMIT_SOME) {
        printf("limit=some(%lu)\n", (unsigned long)demo_sensors_reading_limit_get_some(&r->limit));
    } else {
        printf("limit=none\n");
    }
    if (demo_sensors_reading_outcome_get_tag(&r->outcome) == DEMO_SENSORS_READING_OUTCOME_OK) {
        printf("outcome=ok(%#llx)\n",
               (unsigned long long)demo_sensors_reading_outcome_get_ok(&r->outcome));
    } else {
        printf("outcome=err(%u)\n", (unsigned)demo_sensors_reading_outcome_get_err(&r->outcome));
    }
    return 0;
}
