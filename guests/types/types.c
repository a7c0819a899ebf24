// The `types` conformance guest: every export of `wasmbed:types/api` calls the host's
// function of the same name with values derived from its arguments and returns values
// derived from the host's result, so a test sees both sides. Bindings: `wit-bindgen c`.
#include <stdlib.h>
#include "types.h"

#define API(name) exports_wasmbed_types_api_##name
#define HOST(name) wasmbed_types_host_##name

bool API(echo_bool)(bool a) { return !HOST(echo_bool)(!a); }
int8_t API(echo_s8)(int8_t a) { return HOST(echo_s8)(a ^ 0x11) ^ 0x22; }
uint8_t API(echo_u8)(uint8_t a) { return HOST(echo_u8)(a ^ 0x11) ^ 0x22; }
int16_t API(echo_s16)(int16_t a) { return HOST(echo_s16)(a ^ 0x1111) ^ 0x2222; }
uint16_t API(echo_u16)(uint16_t a) { return HOST(echo_u16)(a ^ 0x1111) ^ 0x2222; }
int32_t API(echo_s32)(int32_t a) { return HOST(echo_s32)(a ^ 0x11111111) ^ 0x22222222; }
uint32_t API(echo_u32)(uint32_t a) { return HOST(echo_u32)(a ^ 0x11111111u) ^ 0x22222222u; }
int64_t API(echo_s64)(int64_t a) { return HOST(echo_s64)(a ^ 0x1111111111111111ll) ^ 0x22; }
uint64_t API(echo_u64)(uint64_t a) { return HOST(echo_u64)(a ^ 0x1111111111111111ull) ^ 0x22; }
float API(echo_f32)(float a) { return HOST(echo_f32)(a * 2.0f) + 0.5f; }
double API(echo_f64)(double a) { return HOST(echo_f64)(a * 2.0) + 0.5; }

uint32_t API(echo_char)(uint32_t a) {
    uint32_t c = HOST(echo_char)(a >= 'a' && a <= 'z' ? a - 32 : a);
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

// Strings and lists: the argument is lent to the host, the host's result is returned.
void API(echo_string)(types_string_t *a, types_string_t *ret) {
    HOST(echo_string)(a, ret);
    types_string_free(a);
}

void API(echo_bytes)(types_list_u8_t *a, types_list_u8_t *ret) {
    for (size_t i = 0, j = a->len; i + 1 < j; i++, j--) {
        uint8_t t = a->ptr[i];
        a->ptr[i] = a->ptr[j - 1];
        a->ptr[j - 1] = t;
    }
    HOST(echo_bytes)(a, ret);
    types_list_u8_free(a);
}

void API(echo_list)(types_list_u32_t *a, types_list_u32_t *ret) {
    for (size_t i = 0; i < a->len; i++) {
        a->ptr[i] += (uint32_t)i;
    }
    HOST(echo_list)(a, ret);
    types_list_u32_free(a);
}

void API(echo_strings)(types_list_string_t *a, types_list_string_t *ret) {
    HOST(echo_strings)(a, ret);
    types_list_string_free(a);
}

void API(echo_point)(wasmbed_types_defs_point_t *a, wasmbed_types_defs_point_t *ret) {
    wasmbed_types_defs_point_t swapped = {a->y, a->x};
    HOST(echo_point)(&swapped, ret);
    ret->x = (int32_t)(0u - (uint32_t)ret->x);
}

void API(echo_person)(wasmbed_types_defs_person_t *a, wasmbed_types_defs_person_t *ret) {
    a->age ^= 1;
    HOST(echo_person)(a, ret);
    wasmbed_types_defs_person_free(a);
}

void API(echo_tuple)(types_tuple3_u8_string_f64_t *a, types_tuple3_u8_string_f64_t *ret) {
    a->f0 ^= 1;
    HOST(echo_tuple)(a, ret);
    ret->f2 += 1.0;
    types_tuple3_u8_string_f64_free(a);
}

void API(echo_shape)(wasmbed_types_defs_shape_t *a, wasmbed_types_defs_shape_t *ret) {
    HOST(echo_shape)(a, ret);
    wasmbed_types_defs_shape_free(a);
}

wasmbed_types_defs_color_t API(echo_color)(wasmbed_types_defs_color_t a) {
    return HOST(echo_color)((a + 1) % 3);
}

wasmbed_types_defs_perms_t API(echo_perms)(wasmbed_types_defs_perms_t a) {
    return HOST(echo_perms)(a ^ WASMBED_TYPES_DEFS_PERMS_EXEC) ^ WASMBED_TYPES_DEFS_PERMS_READ;
}

wasmbed_types_defs_wide_t API(echo_wide)(wasmbed_types_defs_wide_t a) {
    return HOST(echo_wide)(a ^ 0x201) ^ 0x3;
}

bool API(echo_option)(types_string_t *maybe_a, types_string_t *ret) {
    bool some = HOST(echo_option)(maybe_a, ret);
    if (maybe_a) {
        types_string_free(maybe_a);
    }
    return some;
}

bool API(echo_result)(exports_wasmbed_types_api_result_u32_string_t *a, uint32_t *ret,
                      types_string_t *err) {
    wasmbed_types_host_result_u32_string_t h = {.is_err = a->is_err};
    if (a->is_err) {
        h.val.err = a->val.err;
    } else {
        h.val.ok = a->val.ok;
    }
    bool ok = HOST(echo_result)(&h, ret, err);
    exports_wasmbed_types_api_result_u32_string_free(a);
    if (ok) {
        *ret ^= 1;
    }
    return ok;
}

bool API(echo_unit_result)(exports_wasmbed_types_api_result_void_color_t *a,
                           wasmbed_types_defs_color_t *err) {
    wasmbed_types_host_result_void_color_t h = {.is_err = a->is_err};
    h.val.err = a->val.err;
    return HOST(echo_unit_result)(&h, err);
}

void API(spill)(uint8_t a, int8_t b, uint16_t c, int16_t d, uint32_t e, int32_t f, uint64_t g,
                int64_t h, float i, double j, uint32_t k, bool l, types_string_t *m,
                types_list_u8_t *n, wasmbed_types_defs_point_t *o,
                types_tuple3_u64_f64_string_t *ret) {
    HOST(spill)(a ^ 1, b ^ 1, c ^ 1, d ^ 1, e ^ 1, f ^ 1, g ^ 1, h ^ 1, -i, -j, k, !l, m, n, o,
                ret);
    ret->f0 ^= 0xff;
    types_string_free(m);
    types_list_u8_free(n);
}

uint32_t exports_types_tock(uint32_t n) { return types_tick(n + 1) * 2u; }
