// A WASI 0.2 command written against the official WIT (wit/deps) with wit-bindgen:
// no preview 1 at all. It prints its arguments and one environment variable,
// writes to stderr, reads the clocks and random numbers (printing only their
// shape, so runs compare), reads `input.txt` from its first preopen, writes
// `output.txt` beside it, and fails (exit 1) if anything went wrong.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"

typedef wasi_io_streams_own_output_stream_t out_t;

static void put(out_t out, const char *s, size_t len) {
    wasi_io_streams_borrow_output_stream_t b = wasi_io_streams_borrow_output_stream(out);
    while (len > 0) {
        size_t n = len > 4096 ? 4096 : len;
        command_list_u8_t list = {(uint8_t *)s, n};
        wasi_io_streams_stream_error_t err;
        if (!wasi_io_streams_method_output_stream_blocking_write_and_flush(b, &list, &err)) {
            abort();
        }
        s += n;
        len -= n;
    }
}

static void puts_(out_t out, const char *s) { put(out, s, strlen(s)); }

static void put_u64(out_t out, uint64_t v) {
    char buf[24];
    int i = sizeof buf;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(out, buf + i, sizeof buf - i);
}

static bool str_eq(command_string_t s, const char *c) {
    return s.len == strlen(c) && memcmp(s.ptr, c, s.len) == 0;
}

static bool read_input(out_t out, wasi_filesystem_types_borrow_descriptor_t dir) {
    command_string_t path;
    command_string_set(&path, "input.txt");
    wasi_filesystem_types_own_descriptor_t file;
    wasi_filesystem_types_error_code_t code;
    if (!wasi_filesystem_types_method_descriptor_open_at(dir, WASI_FILESYSTEM_TYPES_PATH_FLAGS_SYMLINK_FOLLOW,
            &path, 0, WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_READ, &file, &code)) {
        puts_(out, "open input.txt failed: ");
        put_u64(out, code);
        puts_(out, "\n");
        return false;
    }
    wasi_filesystem_types_borrow_descriptor_t f = wasi_filesystem_types_borrow_descriptor(file);
    wasi_filesystem_types_descriptor_stat_t st;
    if (!wasi_filesystem_types_method_descriptor_stat(f, &st, &code)) return false;
    puts_(out, "input.txt: ");
    put_u64(out, st.size);
    puts_(out, st.type == WASI_FILESYSTEM_TYPES_DESCRIPTOR_TYPE_REGULAR_FILE ? " bytes, a regular file\n" : " bytes, not a file\n");
    wasi_io_streams_own_input_stream_t in;
    if (!wasi_filesystem_types_method_descriptor_read_via_stream(f, 0, &in, &code)) return false;
    wasi_io_streams_borrow_input_stream_t bin = wasi_io_streams_borrow_input_stream(in);
    for (;;) {
        command_list_u8_t chunk;
        wasi_io_streams_stream_error_t err;
        if (!wasi_io_streams_method_input_stream_blocking_read(bin, 7, &chunk, &err)) {
            if (err.tag != WASI_IO_STREAMS_STREAM_ERROR_CLOSED) return false;
            break;
        }
        put(out, (const char *)chunk.ptr, chunk.len);
        command_list_u8_free(&chunk);
    }
    wasi_io_streams_input_stream_drop_own(in);
    // The same bytes once more, by offset, without a stream.
    command_tuple2_list_u8_bool_t head;
    if (!wasi_filesystem_types_method_descriptor_read(f, 5, 0, &head, &code)) return false;
    puts_(out, "first five bytes: ");
    put(out, (const char *)head.f0.ptr, head.f0.len);
    puts_(out, head.f1 ? " (end of file)\n" : "\n");
    command_list_u8_free(&head.f0);
    wasi_filesystem_types_descriptor_drop_own(file);
    return true;
}

static bool write_output(wasi_filesystem_types_borrow_descriptor_t dir) {
    command_string_t path;
    command_string_set(&path, "output.txt");
    wasi_filesystem_types_own_descriptor_t file;
    wasi_filesystem_types_error_code_t code;
    if (!wasi_filesystem_types_method_descriptor_open_at(dir, 0, &path,
            WASI_FILESYSTEM_TYPES_OPEN_FLAGS_CREATE | WASI_FILESYSTEM_TYPES_OPEN_FLAGS_TRUNCATE,
            WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_WRITE, &file, &code)) {
        return false;
    }
    wasi_filesystem_types_borrow_descriptor_t f = wasi_filesystem_types_borrow_descriptor(file);
    const char *text = "written through wasi:filesystem\n";
    command_list_u8_t buf = {(uint8_t *)text, strlen(text)};
    wasi_filesystem_types_filesize_t n;
    bool ok = wasi_filesystem_types_method_descriptor_write(f, &buf, 0, &n, &code) && n == buf.len;
    wasi_filesystem_types_descriptor_drop_own(file);
    return ok;
}

bool exports_wasi_cli_run_run(void) {
    out_t out = wasi_cli_stdout_get_stdout();
    out_t err = wasi_cli_stderr_get_stderr();
    bool ok = true;

    puts_(out, "hello from WASI 0.2\n");
    // A non-blocking write within the permit check-write gives, then a flush.
    {
        wasi_io_streams_borrow_output_stream_t b = wasi_io_streams_borrow_output_stream(out);
        uint64_t permit;
        wasi_io_streams_stream_error_t e;
        const char *line = "written within the permit\n";
        command_list_u8_t list = {(uint8_t *)line, strlen(line)};
        if (!wasi_io_streams_method_output_stream_check_write(b, &permit, &e) || permit < list.len ||
            !wasi_io_streams_method_output_stream_write(b, &list, &e) ||
            !wasi_io_streams_method_output_stream_blocking_flush(b, &e)) {
            abort();
        }
    }
    command_list_string_t args;
    wasi_cli_environment_get_arguments(&args);
    for (size_t i = 0; i < args.len; i++) {
        puts_(out, "arg: ");
        put(out, (const char *)args.ptr[i].ptr, args.ptr[i].len);
        puts_(out, "\n");
    }
    command_list_string_free(&args);
    command_list_tuple2_string_string_t env;
    wasi_cli_environment_get_environment(&env);
    for (size_t i = 0; i < env.len; i++) {
        if (str_eq(env.ptr[i].f0, "GREETING")) {
            puts_(out, "GREETING=");
            put(out, (const char *)env.ptr[i].f1.ptr, env.ptr[i].f1.len);
            puts_(out, "\n");
        }
    }
    command_list_tuple2_string_string_free(&env);
    puts_(err, "a line on stderr\n");

    uint64_t t0 = wasi_clocks_monotonic_clock_now();
    uint64_t t1 = wasi_clocks_monotonic_clock_now();
    wasi_clocks_wall_clock_datetime_t wall;
    wasi_clocks_wall_clock_now(&wall);
    bool clocks = t1 >= t0 && wall.seconds > 1600000000u && wall.nanoseconds < 1000000000u;
    puts_(out, clocks ? "clocks: ok\n" : "clocks: wrong\n");
    ok = ok && clocks;

    command_list_u8_t bytes;
    wasi_random_random_get_random_bytes(16, &bytes);
    puts_(out, bytes.len == 16 ? "random: 16 bytes\n" : "random: wrong length\n");
    ok = ok && bytes.len == 16;
    command_list_u8_free(&bytes);

    wasi_filesystem_preopens_list_tuple2_own_descriptor_string_t dirs;
    wasi_filesystem_preopens_get_directories(&dirs);
    if (dirs.len == 0) {
        puts_(out, "no preopened directory\n");
        ok = false;
    } else {
        wasi_filesystem_types_borrow_descriptor_t dir = wasi_filesystem_types_borrow_descriptor(dirs.ptr[0].f0);
        ok = read_input(out, dir) && ok;
        bool wrote = write_output(dir);
        puts_(out, wrote ? "output.txt: written\n" : "output.txt: refused\n");
        ok = ok && wrote;
    }
    for (size_t i = 0; i < dirs.len; i++) {
        wasi_filesystem_types_descriptor_drop_own(dirs.ptr[i].f0);
        command_string_free(&dirs.ptr[i].f1);
    }
    free(dirs.ptr);

    wasi_io_streams_output_stream_drop_own(err);
    wasi_io_streams_output_stream_drop_own(out);
    return ok;
}
