/* Compute-bound kernels for comparing engines: CRC-32 over 64 KiB and a
 * sieve of Eratosthenes. Freestanding C, no libc, no allocator; built to a
 * cm32p2 core module by guests/build.sh and natively by crates/bench's
 * build script, so every engine and the native build run the same code. */
#include <stdint.h>

#ifdef __wasm__
#define EXPORT(name) __attribute__((export_name(name)))
#else
#define EXPORT(name)
#endif

#define BUF 65536u

static uint8_t buf[BUF];
static uint8_t composite[BUF];
static uint32_t table[256];
static int table_ready;

EXPORT("cm32p2||fill")
void compute_fill(uint32_t seed) {
    uint32_t x = seed ? seed : 1;
    for (uint32_t i = 0; i < BUF; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (uint8_t)x;
    }
}

EXPORT("cm32p2||crc32")
uint32_t compute_crc32(uint32_t len) {
    if (!table_ready) {
        for (uint32_t n = 0; n < 256; n++) {
            uint32_t c = n;
            for (int k = 0; k < 8; k++)
                c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        table_ready = 1;
    }
    if (len > BUF)
        len = BUF;
    uint32_t c = 0xFFFFFFFFu;
    for (uint32_t i = 0; i < len; i++)
        c = table[(c ^ buf[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

EXPORT("cm32p2||primes")
uint32_t compute_primes(uint32_t limit) {
    if (limit > BUF)
        limit = BUF;
    for (uint32_t i = 0; i < limit; i++)
        composite[i] = 0;
    uint32_t count = 0;
    for (uint32_t i = 2; i < limit; i++) {
        if (composite[i])
            continue;
        count++;
        for (uint32_t j = i * i; j < limit; j += i)
            composite[j] = 1;
    }
    return count;
}
