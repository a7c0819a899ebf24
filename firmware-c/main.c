/* A C firmware on the wasmbed C API without std (Cortex-M4F, QEMU's mps2-an386).
 *
 * Runs guests/cm32/calc.small.wasm as firmware/ does in Rust: its world from a
 * compact world file (`wasmbed world compile`, so the device parses no WIT),
 * its imports `concat` and `sum17` implemented here in C (typed: strings
 * borrowed from guest memory; 17 parameters, which the guest passes through its
 * memory), instantiated with limits, its exports called with typed values.
 * Prints over semihosting and exits with status 0 when every result is right,
 * 1 otherwise. Lines that start with "footprint:" are measurements, which
 * run.sh --check leaves out of the comparison with expected.txt.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define WASMBED_NO_STD
#include "wasmbed.h"

#include "board.h"

extern const uint8_t calc_wasm[], calc_wasm_end[], calc_world[], calc_world_end[];

/* The host data of the calc instance: wasmbed hands it to each host function. */
struct calc_host {
    unsigned calls;
    char text[64]; /* concat's result: must outlive the host function's return */
};

/* Bytes of the heap in use now (newlib's malloc, which Rust's allocations use too). */
static size_t heap_in_use(void) { return mallinfo().uordblks; }

/* Prints what failed, its code and message, and frees the error. `*err` is read
 * here, after the call that set it (C evaluates arguments in any order). */
static int ok(wasmbed_code_t code, wasmbed_error_t **err, const char *what) {
    wasmbed_error_t *e = err ? *err : NULL;
    if (err) *err = NULL;
    if (code == WASMBED_OK) return 1;
    printf("%s: error %d: %s\n", what, (int)code, e ? wasmbed_error_message(e) : "(none)");
    wasmbed_error_delete(e);
    return 0;
}

/* concat(a: string, b: string) -> string */
static int32_t concat(void *env, void *host_data, const wasmbed_val_t *args, size_t nargs,
                      wasmbed_val_t *result) {
    (void)env;
    struct calc_host *h = host_data;
    size_t at = 0;
    for (size_t i = 0; i < nargs; i++) {
        wasmbed_bytes_t s = args[i].of.bytes; /* borrowed from guest memory, this call only */
        if (at + s.len > sizeof h->text) return 1; /* traps the guest */
        memcpy(h->text + at, s.data, s.len);
        at += s.len;
    }
    h->calls++;
    result->of.bytes.data = (const uint8_t *)h->text; /* copied into the guest on return */
    result->of.bytes.len = at;
    return 0;
}

/* sum17(a0: u32, ..., a15: u32, a16: s64) -> u64 */
static int32_t sum17(void *env, void *host_data, const wasmbed_val_t *args, size_t nargs,
                     wasmbed_val_t *result) {
    (void)env;
    struct calc_host *h = host_data;
    uint64_t sum = (uint64_t)args[16].of.i64;
    for (size_t i = 0; i < 16 && i < nargs; i++) sum += args[i].of.u32;
    h->calls++;
    result->of.u64 = sum;
    return 0;
}

/* Prints a u64 in decimal (newlib-nano's printf has no %llu). */
static const char *u64_text(uint64_t v, char buf[21]) {
    char *p = buf + 20;
    *p = 0;
    do *--p = (char)('0' + v % 10); while ((v /= 10) != 0);
    return p;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    const char *host = "wasmbed:cm32/host@0.1.0";
    const wasmbed_kind_t concat_params[2] = {WASMBED_STRING, WASMBED_STRING};
    const wasmbed_kind_t concat_result = WASMBED_STRING;
    wasmbed_kind_t sum17_params[17];
    for (int i = 0; i < 16; i++) sum17_params[i] = WASMBED_U32;
    sum17_params[16] = WASMBED_S64;
    const wasmbed_kind_t sum17_result = WASMBED_U64;

    struct calc_host data = {0};
    wasmbed_engine_t *engine = NULL;
    wasmbed_guest_t *guest = NULL;
    wasmbed_linker_t *linker = NULL;
    wasmbed_instance_t *inst = NULL;
    wasmbed_error_t *err = NULL;
    wasmbed_limits_t limits = wasmbed_limits_default();
    limits.max_memory_pages = 2;

    printf("firmware-c: calc.small.wasm (%u bytes) with a %u-byte compact world\n",
           (unsigned)(calc_wasm_end - calc_wasm), (unsigned)(calc_world_end - calc_world));
    /* newlib's stdio has allocated its streams by now: the heap before wasmbed. */
    printf("footprint: heap in use before wasmbed: %u bytes\n", (unsigned)heap_in_use());
    int good =
        ok(wasmbed_engine_new(false, &engine), NULL, "engine") &&
        ok(wasmbed_guest_new_compact(engine, calc_wasm, (size_t)(calc_wasm_end - calc_wasm),
                                     calc_world, (size_t)(calc_world_end - calc_world), &guest,
                                     &err),
           &err, "guest") &&
        ok(wasmbed_linker_new(&linker), NULL, "linker") &&
        ok(wasmbed_linker_define(linker, host, "concat", concat_params, 2, &concat_result, concat,
                                 NULL, &err),
           &err, "concat") &&
        ok(wasmbed_linker_define(linker, host, "sum17", sum17_params, 17, &sum17_result, sum17,
                                 NULL, &err),
           &err, "sum17") &&
        ok(wasmbed_instantiate(linker, guest, &data, &limits, &inst, &err), &err, "instantiate");
    /* What is made from them keeps what it needs. */
    wasmbed_linker_delete(linker);
    wasmbed_guest_delete(guest);
    wasmbed_engine_delete(engine);
    if (!good) return 1;
    printf("footprint: heap in use after instantiation: %u bytes\n", (unsigned)heap_in_use());

    /* total(1, ..., 16, -1): 17 typed arguments, which the guest hands to sum17, plus one. */
    wasmbed_val_t args[17], total = {0}, count = {0};
    for (int i = 0; i < 16; i++) {
        args[i].kind = WASMBED_U32;
        args[i].of.u32 = (uint32_t)i + 1;
    }
    args[16].kind = WASMBED_S64;
    args[16].of.i64 = -1;
    char buf[21];
    good = ok(wasmbed_instance_call(inst, "wasmbed:cm32/api@0.1.0#total", args, 17, &total, &err),
              &err, "total") &&
           ok(wasmbed_instance_call(inst, "count", NULL, 0, &count, &err), &err, "count");
    if (good) {
        printf("total -> %s\n", u64_text(total.of.u64, buf));
        printf("count -> %u\n", (unsigned)count.of.u32);
        printf("host calls -> %u\n", data.calls);
        good = total.kind == WASMBED_U64 && total.of.u64 == 136 && count.kind == WASMBED_U32 &&
               count.of.u32 == 100 && data.calls == 1;
    }
    /* Errors are codes with a one-line message, never an abort. */
    wasmbed_code_t code = wasmbed_instance_call(inst, "nope", NULL, 0, &count, &err);
    printf("error %d: %s\n", (int)code, wasmbed_error_message(err));
    good = good && code == WASMBED_ERR_UNKNOWN_EXPORT;
    wasmbed_error_delete(err);

    printf("footprint: heap in use after the calls: %u bytes\n", (unsigned)heap_in_use());
    /* newlib-nano's malloc never gives memory back to _sbrk: what it took is its peak. */
    printf("footprint: heap at its peak: %u of %u bytes\n", (unsigned)mallinfo().arena,
           (unsigned)heap_size());
    printf("footprint: stack at its peak: %u of %u bytes\n", (unsigned)stack_used(),
           (unsigned)stack_size());
    wasmbed_instance_delete(inst);
    printf("footprint: heap in use after freeing the instance: %u bytes\n",
           (unsigned)heap_in_use());
    if (!good) {
        printf("firmware-c: unexpected results\n");
        return 1;
    }
    printf("firmware-c: ok\n");
    return 0;
}
