// A preview 1 command on wasi-libc (`main`, `_start`) that also calls WASI 0.2
// through wit-bindgen bindings (wit/mixed.wit): the two must share one stdout
// and one descriptor table, with one limit on it.
//
// The host preopens a directory as `.` holding a.txt and b.txt. Lines that
// depend on descriptor numbers or on the host's descriptor limit start with
// `fds: `; the others read the same on any host. The exit status is the number
// of failed checks on contents, which every host must pass.
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mixed.h"

typedef wasi_filesystem_types_own_descriptor_t desc_t;
typedef wasi_filesystem_types_borrow_descriptor_t bdesc_t;
typedef wasi_filesystem_types_error_code_t code_t;

static int failures;

static const char *errname(int e) {
    switch (e) {
    case 0: return "ok";
    case EBADF: return "EBADF";
    case EMFILE: return "EMFILE";
    case ENOENT: return "ENOENT";
    default: return "another errno";
    }
}

// WASI 0.2's `error-code` cases this program may meet.
static const char *codename(code_t c) {
    switch (c) {
    case WASI_FILESYSTEM_TYPES_ERROR_CODE_BAD_DESCRIPTOR: return "bad-descriptor";
    case WASI_FILESYSTEM_TYPES_ERROR_CODE_NO_ENTRY: return "no-entry";
    case WASI_FILESYSTEM_TYPES_ERROR_CODE_INSUFFICIENT_MEMORY: return "insufficient-memory";
    default: return "another error-code";
    }
}

// Writes `s` to `wasi:cli/stdout`'s stream, bypassing wasi-libc's stdio.
static void p2_puts(const char *s) {
    wasi_io_streams_own_output_stream_t out = wasi_cli_stdout_get_stdout();
    mixed_list_u8_t list = {(uint8_t *)s, strlen(s)};
    wasi_io_streams_stream_error_t err;
    if (!wasi_io_streams_method_output_stream_blocking_write_and_flush(
            wasi_io_streams_borrow_output_stream(out), &list, &err)) {
        abort();
    }
    wasi_io_streams_output_stream_drop_own(out);
}

static bool p2_open(bdesc_t dir, const char *path, bool write, desc_t *out, code_t *code) {
    mixed_string_t p;
    mixed_string_set(&p, path);
    wasi_filesystem_types_descriptor_flags_t flags = write
        ? WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_WRITE
        : WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_READ;
    return wasi_filesystem_types_method_descriptor_open_at(dir, 0, &p, 0, flags, out, code);
}

// The whole file behind a 0.2 descriptor, NUL-terminated, read through `descriptor.read`.
static void p2_slurp(desc_t d, char *buf, size_t cap) {
    mixed_tuple2_list_u8_bool_t got;
    code_t code;
    buf[0] = 0;
    if (!wasi_filesystem_types_method_descriptor_read(
            wasi_filesystem_types_borrow_descriptor(d), cap - 1, 0, &got, &code)) {
        snprintf(buf, cap, "(read failed: %s)\n", codename(code));
        return;
    }
    memcpy(buf, got.f0.ptr, got.f0.len);
    buf[got.f0.len] = 0;
    mixed_list_u8_free(&got.f0);
}

// The whole file behind a preview 1 descriptor, from its start.
static void p1_slurp(int fd, char *buf, size_t cap) {
    ssize_t n = pread(fd, buf, cap - 1, 0);
    buf[n < 0 ? 0 : n] = 0;
}

static void agree(const char *name, const char *host, const char *via1, const char *via2) {
    bool ok = strcmp(via1, host) == 0 && strcmp(via2, host) == 0;
    printf("%s through preview 1 and WASI 0.2: %s", name, ok ? via1 : "they differ\n");
    failures += !ok;
}

// Opens `path` through preview 1 (relative to the preopen `.`), errno cleared first.
static int p1_open(const char *path, int flags) {
    errno = 0;
    return open(path, flags, 0644);
}

// The command's entry point, in place of Debian's wasi-libc crt1-command.o
// (hence -nostartfiles). That one leaves the constructors to wasm-ld, which
// then wraps every other export, `cabi_realloc` included, in calls to the
// constructors and destructors: each list or string a WASI 0.2 import returns
// would re-run wasi-libc's preopen scan (preview 1 calls) and flush stdio from
// inside `cabi_realloc`, where the component model forbids calling out.
// Calling the constructors here, as newer wasi-libc does, tells wasm-ld not to.
void __wasm_call_ctors(void);
void __wasm_call_dtors(void);
int __main_void(void);

__attribute__((export_name("_start"))) void _start(void) {
    __wasm_call_ctors();
    int status = __main_void();
    __wasm_call_dtors();
    if (status != 0) _Exit(status);
}

int main(void) {
    // One stdout: stdio's buffer is flushed before WASI 0.2 writes.
    printf("one\n");
    fflush(stdout);
    p2_puts("two\n");
    printf("three\n");
    fflush(stdout);

    int a = p1_open("a.txt", O_RDONLY);
    printf("fds: preview 1 open a.txt: fd %d\n", a);

    wasi_filesystem_preopens_list_tuple2_own_descriptor_string_t dirs;
    wasi_filesystem_preopens_get_directories(&dirs);
    if (dirs.len != 1) {
        printf("expected one preopen, got %zu\n", dirs.len);
        return 1;
    }
    printf("WASI 0.2 preopen: \"%.*s\"\n", (int)dirs.ptr[0].f1.len, (const char *)dirs.ptr[0].f1.ptr);
    desc_t dir_own = dirs.ptr[0].f0;
    bdesc_t dir = wasi_filesystem_types_borrow_descriptor(dir_own);
    mixed_string_free(&dirs.ptr[0].f1);
    free(dirs.ptr);

    desc_t b2;
    code_t code;
    if (!p2_open(dir, "b.txt", false, &b2, &code)) {
        printf("WASI 0.2 open-at b.txt failed: %s\n", codename(code));
        return 1;
    }

    // The 0.2 descriptors took numbers in the one table: preview 1's next is past them.
    int a_again = p1_open("a.txt", O_RDONLY);
    printf("fds: preview 1 open a.txt again: fd %d\n", a_again);

    // Preview 1's view of the table past the standard streams: 'o' is open, '-' is EBADF.
    char view[8];
    int held[7], nheld = 0;
    for (int fd = 3; fd < 10; fd++) {
        struct stat st;
        bool ok = fstat(fd, &st) == 0;
        view[fd - 3] = ok ? 'o' : '-';
        if (!ok && fd < a_again) held[nheld++] = fd;
    }
    view[7] = 0;
    printf("fds: preview 1 fstat of fds 3-9: %s\n", view);
    printf("fds: numbers below fd %d preview 1 cannot use:", a_again);
    for (int i = 0; i < nheld; i++) printf(" %d", held[i]);
    printf("\n");
    for (int i = 0; i < nheld; i++) {
        int r = close(held[i]);
        printf("fds: preview 1 close(%d): %s\n", held[i], r == 0 ? "ok" : errname(errno));
    }

    // One limit: the table is full now, for both.
    int over = p1_open("b.txt", O_RDONLY);
    printf("fds: preview 1 open at the limit: %s\n", over >= 0 ? "ok" : errname(errno));
    if (over >= 0) close(over);
    desc_t d;
    bool opened = p2_open(dir, "a.txt", false, &d, &code);
    printf("fds: WASI 0.2 open-at at the limit: %s\n", opened ? "ok" : codename(code));
    if (opened) wasi_filesystem_types_descriptor_drop_own(d);

    // The 0.2 descriptor still reads after preview 1 tried to close its number.
    char host_a[] = "alpha\n", host_b[] = "bravo\n";
    char via1[64], via2[64];
    p2_slurp(b2, via2, sizeof via2);
    wasi_filesystem_types_descriptor_drop_own(b2);
    int b1 = p1_open("b.txt", O_RDONLY);
    printf("fds: preview 1 open b.txt after the 0.2 drop: fd %d\n", b1);
    p1_slurp(b1, via1, sizeof via1);
    agree("b.txt", host_b, via1, via2);

    close(a_again);
    p1_slurp(a, via1, sizeof via1);
    if (p2_open(dir, "a.txt", false, &d, &code)) {
        p2_slurp(d, via2, sizeof via2);
        wasi_filesystem_types_descriptor_drop_own(d);
    } else {
        snprintf(via2, sizeof via2, "(open-at failed: %s)\n", codename(code));
    }
    agree("a.txt", host_a, via1, via2);
    close(a);
    close(b1);

    // One file written through both: preview 1 creates it, 0.2 writes the second line.
    const char *l1 = "line 1 from preview 1\n", *l2 = "line 2 from WASI 0.2\n";
    int c = p1_open("c.txt", O_WRONLY | O_CREAT | O_TRUNC);
    failures += c < 0 || write(c, l1, strlen(l1)) != (ssize_t)strlen(l1);
    close(c);
    if (p2_open(dir, "c.txt", true, &d, &code)) {
        mixed_list_u8_t buf = {(uint8_t *)l2, strlen(l2)};
        wasi_filesystem_types_filesize_t n;
        failures += !wasi_filesystem_types_method_descriptor_write(
            wasi_filesystem_types_borrow_descriptor(d), &buf, strlen(l1), &n, &code);
        wasi_filesystem_types_descriptor_drop_own(d);
    } else {
        failures++;
    }
    c = p1_open("c.txt", O_RDONLY);
    p1_slurp(c, via1, sizeof via1);
    close(c);
    printf("c.txt:\n%s", via1);

    wasi_filesystem_types_descriptor_drop_own(dir_own);
    printf("failed checks: %d\n", failures);
    return failures;
}
