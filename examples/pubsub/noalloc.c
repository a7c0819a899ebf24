/* The libc of a `participant` guest, linked instead of wasi-libc: nothing
 * that allocates. wit-bindgen's C output defines and exports `cabi_realloc`,
 * which calls `realloc` and `abort`; both trap here, so a host that ever
 * asked the guest for memory would fail (no function of wasmbed:pubsub/broker
 * returns a string or a list, so none needs to). No other libc symbol is
 * reached: wit-bindgen's string helpers, which need strlen, memcpy and free,
 * are never called and the linker drops them. If a change makes the linker
 * ask for memcpy or memset, add a byte loop here.
 * See /work/shared/design/GUESTS.md, "A guest with no libc and no allocator".
 * Shared by examples/pubsub/{sensor,filter}.c and guests/pubsub/roundtrip.c. */
#include <stdlib.h>

void *realloc(void *p, size_t n) {
    (void)p;
    (void)n;
    __builtin_trap();
}

void abort(void) {
    __builtin_trap();
}
