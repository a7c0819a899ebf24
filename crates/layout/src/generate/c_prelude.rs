//! The little-endian load and store helpers every generated header starts with.

/// Helpers named `P__load_u16`, `P__store_u16`, … for prefix `P`.
///
/// Bytes are assembled with shifts, so they are correct whatever the host's
/// byte order and never access memory unaligned. Every shift is done in a
/// type at least as wide as its result (`int` is 16 bits on AVR and MSP430),
/// and signed values are converted without implementation-defined casts.
pub(crate) fn helpers(prefix: &str) -> String {
    TEMPLATE.replace("P__", &format!("{prefix}__")).replace(
        "P_LE_GUARD",
        &format!("{}__LE", prefix.to_ascii_uppercase()),
    )
}

const TEMPLATE: &str = r#"/* Little-endian loads and stores: any host byte order, any alignment, no libc. */
#ifndef P_LE_GUARD
#define P_LE_GUARD
_Static_assert(sizeof(float) == 4, "`float` must be IEEE binary32");
static inline _Bool P__load_bool(const uint8_t *b) { return b[0] != 0; }
static inline void P__store_bool(uint8_t *b, _Bool v) { b[0] = (uint8_t)(v ? 1u : 0u); }
static inline uint8_t P__load_u8(const uint8_t *b) { return b[0]; }
static inline void P__store_u8(uint8_t *b, uint8_t v) { b[0] = v; }
static inline uint16_t P__load_u16(const uint8_t *b) {
    return (uint16_t)((uint16_t)b[0] | (uint16_t)((uint16_t)b[1] << 8));
}
static inline void P__store_u16(uint8_t *b, uint16_t v) {
    b[0] = (uint8_t)(v & 0xffu);
    b[1] = (uint8_t)(v >> 8);
}
static inline uint32_t P__load_u32(const uint8_t *b) {
    return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}
static inline void P__store_u32(uint8_t *b, uint32_t v) {
    b[0] = (uint8_t)(v & 0xffu);
    b[1] = (uint8_t)((v >> 8) & 0xffu);
    b[2] = (uint8_t)((v >> 16) & 0xffu);
    b[3] = (uint8_t)(v >> 24);
}
static inline uint64_t P__load_u64(const uint8_t *b) {
    return (uint64_t)P__load_u32(b) | ((uint64_t)P__load_u32(b + 4) << 32);
}
static inline void P__store_u64(uint8_t *b, uint64_t v) {
    P__store_u32(b, (uint32_t)(v & UINT32_C(0xffffffff)));
    P__store_u32(b + 4, (uint32_t)(v >> 32));
}
static inline int8_t P__load_s8(const uint8_t *b) {
    return b[0] < 0x80u ? (int8_t)b[0] : (int8_t)(-(int16_t)(uint8_t)(0xffu - b[0]) - 1);
}
static inline void P__store_s8(uint8_t *b, int8_t v) { b[0] = (uint8_t)v; }
static inline int16_t P__load_s16(const uint8_t *b) {
    uint16_t u = P__load_u16(b);
    return u < 0x8000u ? (int16_t)u : (int16_t)(-(int32_t)(uint16_t)(0xffffu - u) - 1);
}
static inline void P__store_s16(uint8_t *b, int16_t v) { P__store_u16(b, (uint16_t)v); }
static inline int32_t P__load_s32(const uint8_t *b) {
    uint32_t u = P__load_u32(b);
    return u < UINT32_C(0x80000000) ? (int32_t)u : -(int32_t)(UINT32_C(0xffffffff) - u) - 1;
}
static inline void P__store_s32(uint8_t *b, int32_t v) { P__store_u32(b, (uint32_t)v); }
static inline int64_t P__load_s64(const uint8_t *b) {
    uint64_t u = P__load_u64(b);
    return u < UINT64_C(0x8000000000000000) ? (int64_t)u
                                            : -(int64_t)(UINT64_C(0xffffffffffffffff) - u) - 1;
}
static inline void P__store_s64(uint8_t *b, int64_t v) { P__store_u64(b, (uint64_t)v); }
static inline float P__load_f32(const uint8_t *b) {
    union { uint32_t u; float f; } c;
    c.u = P__load_u32(b);
    return c.f;
}
static inline void P__store_f32(uint8_t *b, float v) {
    union { uint32_t u; float f; } c;
    c.f = v;
    P__store_u32(b, c.u);
}
/* `double` is 32 bits on some targets (AVR): there, f64 fields have only their `_bits` accessors. */
#if defined(__SIZEOF_DOUBLE__) && __SIZEOF_DOUBLE__ == 8
static inline double P__load_f64(const uint8_t *b) {
    union { uint64_t u; double f; } c;
    c.u = P__load_u64(b);
    return c.f;
}
static inline void P__store_f64(uint8_t *b, double v) {
    union { uint64_t u; double f; } c;
    c.f = v;
    P__store_u64(b, c.u);
}
#endif
#endif
"#;
