/* A C host for wasmbed guests through the C API (include/wasmbed.h).
 *
 * 1. Runs the sensor guest (examples/sensor) as `wasmbed run` does: its world
 *    from its component-type section, the call and the result in WAVE text.
 * 2. Runs the calc guest (guests/cm32) with its world from WIT text, and its
 *    imports implemented here in C: `concat` typed (strings borrowed from
 *    guest memory), `sum17` over WAVE text (17 parameters, past the typed path).
 *
 * Usage: c-host SENSOR.wasm CALC.wasm CALC.wit    (run.sh builds and runs it)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmbed.h"

/* The sensor example's call, exactly as in the README. */
static const char *SUMMARIZE =
    "wasmbed:examples/filter@0.1.0#summarize([{sensor: 1, celsius: 21.5}, "
    "{sensor: 2, celsius: 48.0}, {sensor: 3, celsius: 19.0}], 0.0, 40.0)";

/* The host data every calc instance carries: wasmbed hands it to each host function. */
struct calc_host {
    unsigned concat_calls;
    char text[256]; /* concat's result: must outlive the host function's return */
    char wave[32];  /* sum17's result, as WAVE text */
};

/* Reads a whole file; NUL-terminated so WIT text can be passed as is. */
static unsigned char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
        buf[n] = 0;
        *len = (size_t)n;
    } else {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

/* Prints a failure's code and message, frees the error, and says whether all went well.
 * `err` is read here, after the call that set it (C evaluates arguments in any order). */
static int ok(wasmbed_code_t code, wasmbed_error_t **err, const char *what) {
    wasmbed_error_t *e = err ? *err : NULL;
    if (err) *err = NULL;
    if (code == WASMBED_OK) return 1;
    fprintf(stderr, "%s: error %d: %s\n", what, (int)code,
            e ? wasmbed_error_message(e) : "(no message)");
    wasmbed_error_delete(e);
    return 0;
}

/* concat(a: string, b: string) -> string: the typed path. */
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
    h->concat_calls++;
    result->of.bytes.data = (const uint8_t *)h->text; /* copied into the guest on return */
    result->of.bytes.len = at;
    return 0;
}

/* sum17(a0: u32, ..., a16: s64) -> u64: the WAVE path, one text per argument. */
static int32_t sum17(void *env, void *host_data, const char *const *args, size_t nargs,
                     const char **result) {
    (void)env;
    struct calc_host *h = host_data;
    long long sum = 0;
    for (size_t i = 0; i < nargs; i++) sum += strtoll(args[i], NULL, 10);
    snprintf(h->wave, sizeof h->wave, "%lld", sum);
    *result = h->wave;
    return 0;
}

/* Calls `call` by WAVE text and prints `label` and the result. */
static int call_and_print(wasmbed_instance_t *inst, const char *label, const char *call) {
    char *out = NULL;
    wasmbed_error_t *err = NULL;
    if (!ok(wasmbed_instance_call_wave(inst, call, &out, &err), &err, call)) return 0;
    printf("%s%s\n", label, out ? out : "");
    wasmbed_string_delete(out);
    return 1;
}

static int run_sensor(const char *path) {
    size_t len = 0;
    unsigned char *wasm = read_file(path, &len);
    if (!wasm) return 0;
    wasmbed_guest_t *guest = NULL;
    wasmbed_linker_t *linker = NULL;
    wasmbed_instance_t *inst = NULL;
    wasmbed_error_t *err = NULL;
    int good = ok(wasmbed_guest_load(wasm, len, &guest, &err), &err, path) &&
               ok(wasmbed_linker_new(&linker), NULL, "linker") &&
               ok(wasmbed_instantiate(linker, guest, NULL, NULL, &inst, &err), &err, path) &&
               call_and_print(inst, "", SUMMARIZE);
    wasmbed_instance_delete(inst);
    wasmbed_linker_delete(linker);
    wasmbed_guest_delete(guest);
    free(wasm);
    return good;
}

static int run_calc(const char *wasm_path, const char *wit_path) {
    size_t len = 0, wit_len = 0;
    unsigned char *wasm = read_file(wasm_path, &len);
    char *wit = (char *)read_file(wit_path, &wit_len);
    if (!wasm || !wit) return 0;
    const char *iface = "wasmbed:cm32/host@0.1.0";
    const wasmbed_kind_t params[2] = {WASMBED_STRING, WASMBED_STRING};
    const wasmbed_kind_t result = WASMBED_STRING;
    struct calc_host host = {0};
    wasmbed_guest_t *guest = NULL;
    wasmbed_linker_t *linker = NULL;
    wasmbed_instance_t *inst = NULL;
    wasmbed_error_t *err = NULL;
    wasmbed_limits_t limits = wasmbed_limits_default();
    limits.fuel = 1000000;
    limits.max_memory_pages = 4;
    int good =
        ok(wasmbed_guest_load_wit(wasm, len, wit, "calc", &guest, &err), &err, wasm_path) &&
        ok(wasmbed_linker_new(&linker), NULL, "linker") &&
        ok(wasmbed_linker_define(linker, iface, "concat", params, 2, &result, concat, NULL, &err),
           &err, "concat") &&
        ok(wasmbed_linker_define_wave(linker, iface, "sum17", sum17, NULL, &err), &err, "sum17") &&
        ok(wasmbed_instantiate(linker, guest, &host, &limits, &inst, &err), &err, wasm_path) &&
        call_and_print(inst, "greet: ", "wasmbed:cm32/api@0.1.0#greet(\"C\")") &&
        call_and_print(inst, "total: ",
                       "wasmbed:cm32/api@0.1.0#total(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, "
                       "13, 14, 15, 16, 17)");
    if (good) {
        /* The typed fast path: `count: func() -> u32`. */
        wasmbed_val_t count;
        good = ok(wasmbed_instance_call(inst, "count", NULL, 0, &count, &err), &err, "count");
        if (good) printf("count: %" PRIu32 " (concat called %u time(s) in C)\n", count.of.u32,
                         host.concat_calls);
    }
    if (good) {
        /* Errors are codes with a message, never an abort. */
        char *out = NULL;
        wasmbed_code_t code = wasmbed_instance_call_wave(inst, "nope()", &out, &err);
        printf("error %d: %s\n", (int)code, wasmbed_error_message(err));
        wasmbed_error_delete(err);
    }
    wasmbed_instance_delete(inst);
    wasmbed_linker_delete(linker);
    wasmbed_guest_delete(guest);
    free(wasm);
    free(wit);
    return good;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s SENSOR.wasm CALC.wasm CALC.wit\n", argv[0]);
        return 2;
    }
    if (!run_sensor(argv[1]) || !run_calc(argv[2], argv[3])) return 1;
    return 0;
}
