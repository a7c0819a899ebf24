// A malicious WASI 0.2 command (same world as command.c): with the preopens
// `/rw` (writable) and `/ro` (read-only), it tries to leave the sandbox by `..`,
// by absolute paths and through `link`, a symlink the host planted in `/rw`
// pointing to a directory outside; to change `/ro`; and to misuse descriptors.
// It prints one line per attempt, `CATEGORY what: ok` or the `error-code`
// number, and exits 0: it is a probe, crates/wasi/tests/all/p2_malicious.rs
// judges the lines. Categories: `escape`, `ro` and `misuse` must fail;
// `allowed` must succeed (they stay inside the sandbox).
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"

typedef wasi_filesystem_types_borrow_descriptor_t dir_t;
typedef wasi_filesystem_types_own_descriptor_t own_t;
typedef wasi_filesystem_types_error_code_t code_t;

#define FOLLOW WASI_FILESYSTEM_TYPES_PATH_FLAGS_SYMLINK_FOLLOW
#define CREATE WASI_FILESYSTEM_TYPES_OPEN_FLAGS_CREATE
#define DIRECTORY WASI_FILESYSTEM_TYPES_OPEN_FLAGS_DIRECTORY
#define TRUNCATE WASI_FILESYSTEM_TYPES_OPEN_FLAGS_TRUNCATE
#define READ WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_READ
#define WRITE WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_WRITE

static wasi_io_streams_borrow_output_stream_t out;

static void put(const char *s, size_t len) {
    command_list_u8_t list = {(uint8_t *)s, len};
    wasi_io_streams_stream_error_t err;
    if (!wasi_io_streams_method_output_stream_blocking_write_and_flush(out, &list, &err)) {
        abort();
    }
}

static void puts_(const char *s) { put(s, strlen(s)); }

static void put_u64(uint64_t v) {
    char buf[24];
    int i = sizeof buf;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(buf + i, sizeof buf - i);
}

/// One line: `label: ok` or `label: CODE`.
static void report(const char *label, bool ok, code_t code) {
    puts_(label);
    puts_(": ");
    if (ok) {
        puts_("ok");
    } else {
        put_u64(code);
    }
    puts_("\n");
}

/// A borrowed WIT string of a C string; a ring of four, so one call may take two.
static command_string_t *s(const char *c) {
    static command_string_t ring[4];
    static unsigned next;
    command_string_t *r = &ring[next++ % 4];
    command_string_set(r, c);
    return r;
}

static dir_t borrow(own_t d) { return wasi_filesystem_types_borrow_descriptor(d); }

/// Opens `path` below `dir`, reports it, and keeps the descriptor in `*keep` (or drops it).
static void open_at(const char *label, dir_t dir, uint8_t path_flags, const char *path,
                    uint8_t open_flags, uint8_t flags, own_t *keep) {
    own_t d;
    code_t code;
    bool ok = wasi_filesystem_types_method_descriptor_open_at(dir, path_flags, s(path), open_flags,
                                                              flags, &d, &code);
    report(label, ok, code);
    if (ok && keep) {
        *keep = d;
    } else if (ok) {
        wasi_filesystem_types_descriptor_drop_own(d);
    }
}

static void stat_at(const char *label, dir_t dir, uint8_t path_flags, const char *path) {
    wasi_filesystem_types_descriptor_stat_t st;
    code_t code;
    report(label, wasi_filesystem_types_method_descriptor_stat_at(dir, path_flags, s(path), &st, &code),
           code);
}

static void readlink_at(const char *label, dir_t dir, const char *path) {
    command_string_t target;
    code_t code;
    bool ok = wasi_filesystem_types_method_descriptor_readlink_at(dir, s(path), &target, &code);
    report(label, ok, code);
    if (ok) command_string_free(&target);
}

static void mkdir_at(const char *label, dir_t dir, const char *path) {
    code_t code;
    report(label, wasi_filesystem_types_method_descriptor_create_directory_at(dir, s(path), &code), code);
}

static void rmdir_at(const char *label, dir_t dir, const char *path) {
    code_t code;
    report(label, wasi_filesystem_types_method_descriptor_remove_directory_at(dir, s(path), &code), code);
}

static void unlink_at(const char *label, dir_t dir, const char *path) {
    code_t code;
    report(label, wasi_filesystem_types_method_descriptor_unlink_file_at(dir, s(path), &code), code);
}

static void rename_at(const char *label, dir_t from, const char *old, dir_t to, const char *new_) {
    code_t code;
    report(label, wasi_filesystem_types_method_descriptor_rename_at(from, s(old), to, s(new_), &code),
           code);
}

static void symlink_at(const char *label, dir_t dir, const char *target, const char *path) {
    code_t code;
    report(label, wasi_filesystem_types_method_descriptor_symlink_at(dir, s(target), s(path), &code),
           code);
}

static void link_at(const char *label, dir_t from, uint8_t path_flags, const char *old, dir_t to,
                    const char *new_) {
    code_t code;
    report(label,
           wasi_filesystem_types_method_descriptor_link_at(from, path_flags, s(old), to, s(new_), &code),
           code);
}

static void set_times_at(const char *label, dir_t dir, uint8_t path_flags, const char *path) {
    wasi_filesystem_types_new_timestamp_t now = {.tag = WASI_FILESYSTEM_TYPES_NEW_TIMESTAMP_NOW};
    code_t code;
    report(label,
           wasi_filesystem_types_method_descriptor_set_times_at(dir, path_flags, s(path), &now, &now, &code),
           code);
}

static void metadata_hash_at(const char *label, dir_t dir, uint8_t path_flags, const char *path) {
    wasi_filesystem_types_metadata_hash_value_t h;
    code_t code;
    report(label,
           wasi_filesystem_types_method_descriptor_metadata_hash_at(dir, path_flags, s(path), &h, &code),
           code);
}

/// Writes through a stream from `*-via-stream`: the stream's own failure, if it was created.
static void write_stream(const char *label, wasi_io_streams_own_output_stream_t stream) {
    const char *text = "overwritten\n";
    command_list_u8_t list = {(uint8_t *)text, strlen(text)};
    wasi_io_streams_stream_error_t err;
    bool ok = wasi_io_streams_method_output_stream_blocking_write_and_flush(
        wasi_io_streams_borrow_output_stream(stream), &list, &err);
    puts_(label);
    puts_(" then write: ");
    if (ok) {
        puts_("ok\n");
    } else if (err.tag == WASI_IO_STREAMS_STREAM_ERROR_CLOSED) {
        puts_("closed\n");
    } else {
        code_t code;
        wasi_filesystem_types_borrow_error_t e = wasi_io_error_borrow_error(err.val.last_operation_failed);
        puts_("failed ");
        if (wasi_filesystem_types_filesystem_error_code(e, &code)) put_u64(code);
        puts_("\n");
        wasi_io_error_error_drop_own(err.val.last_operation_failed);
    }
    wasi_io_streams_output_stream_drop_own(stream);
}

/// Everything that tries to leave `/rw`.
static void escapes(dir_t rw) {
    open_at("escape open-at ../outside.txt", rw, FOLLOW, "../outside.txt", 0, READ, NULL);
    open_at("escape open-at /etc/passwd", rw, FOLLOW, "/etc/passwd", 0, READ, NULL);
    open_at("escape open-at link/secret.txt", rw, FOLLOW, "link/secret.txt", 0, READ, NULL);
    open_at("escape open-at link (follow)", rw, FOLLOW, "link", 0, READ, NULL);
    open_at("escape open-at link (follow, directory)", rw, FOLLOW, "link", DIRECTORY, READ, NULL);
    open_at("escape open-at link (directory)", rw, 0, "link", DIRECTORY, READ, NULL);
    open_at("escape open-at sub/../../outside.txt", rw, FOLLOW, "sub/../../outside.txt", 0, READ, NULL);
    open_at("escape open-at ../outside.txt (create, write)", rw, 0, "../outside.txt", CREATE, WRITE, NULL);
    open_at("escape open-at link/new.txt (create, write)", rw, FOLLOW, "link/new.txt", CREATE, WRITE, NULL);
    open_at("escape open-at link/secret.txt (truncate, write)", rw, FOLLOW, "link/secret.txt", TRUNCATE,
            WRITE, NULL);

    stat_at("escape stat-at ../outside.txt", rw, FOLLOW, "../outside.txt");
    stat_at("escape stat-at /etc/passwd", rw, FOLLOW, "/etc/passwd");
    stat_at("escape stat-at link/secret.txt", rw, FOLLOW, "link/secret.txt");
    stat_at("escape stat-at link (follow)", rw, FOLLOW, "link");
    stat_at("escape stat-at sub/../..", rw, FOLLOW, "sub/../..");
    metadata_hash_at("escape metadata-hash-at link (follow)", rw, FOLLOW, "link");
    readlink_at("escape readlink-at link (absolute target)", rw, "link");
    readlink_at("escape readlink-at ../rw/link", rw, "../rw/link");

    mkdir_at("escape create-directory-at ../evil", rw, "../evil");
    mkdir_at("escape create-directory-at link/evil", rw, "link/evil");
    mkdir_at("escape create-directory-at /tmp/evil", rw, "/tmp/evil");
    unlink_at("escape unlink-file-at ../outside.txt", rw, "../outside.txt");
    unlink_at("escape unlink-file-at link/secret.txt", rw, "link/secret.txt");
    rmdir_at("escape remove-directory-at ../outside", rw, "../outside");
    rmdir_at("escape remove-directory-at link/.", rw, "link/.");
    rename_at("escape rename-at ../outside.txt to stolen.txt", rw, "../outside.txt", rw, "stolen.txt");
    rename_at("escape rename-at link/secret.txt to stolen.txt", rw, "link/secret.txt", rw, "stolen.txt");
    rename_at("escape rename-at file.txt to ../moved.txt", rw, "file.txt", rw, "../moved.txt");
    rename_at("escape rename-at file.txt to link/moved.txt", rw, "file.txt", rw, "link/moved.txt");
    set_times_at("escape set-times-at link/secret.txt", rw, FOLLOW, "link/secret.txt");
    set_times_at("escape set-times-at ../outside.txt", rw, 0, "../outside.txt");

    symlink_at("escape symlink-at /etc/passwd as abs", rw, "/etc/passwd", "abs");
    symlink_at("escape symlink-at /tmp as link/abs", rw, "/tmp", "link/abs");
    symlink_at("escape symlink-at file.txt as ../planted", rw, "file.txt", "../planted");
    // A relative target may climb: the link itself is inside, and nothing goes through it.
    symlink_at("allowed symlink-at ../.. as up", rw, "../..", "up");
    open_at("escape open-at up/outside.txt", rw, FOLLOW, "up/outside.txt", 0, READ, NULL);
    open_at("escape open-at up (follow, directory)", rw, FOLLOW, "up", DIRECTORY, READ, NULL);
    stat_at("escape stat-at up (follow)", rw, FOLLOW, "up");
    mkdir_at("escape create-directory-at up/evil", rw, "up/evil");
    unlink_at("allowed unlink-file-at up", rw, "up");

    link_at("escape link-at link/secret.txt to stolen.txt", rw, 0, "link/secret.txt", rw, "stolen.txt");
    link_at("escape link-at ../outside.txt to stolen.txt", rw, 0, "../outside.txt", rw, "stolen.txt");
    link_at("escape link-at file.txt to ../linked.txt", rw, 0, "file.txt", rw, "../linked.txt");
    link_at("escape link-at file.txt to link/linked.txt", rw, 0, "file.txt", rw, "link/linked.txt");
    link_at("escape link-at link (follow) to linked", rw, FOLLOW, "link", rw, "linked");
}

/// Everything that tries to change `/ro`.
static void read_only(dir_t rw, dir_t ro) {
    open_at("ro open-at new.txt (create)", ro, 0, "new.txt", CREATE, READ, NULL);
    open_at("ro open-at secret.txt (write)", ro, 0, "secret.txt", 0, WRITE, NULL);
    open_at("ro open-at secret.txt (truncate)", ro, 0, "secret.txt", TRUNCATE, READ, NULL);
    open_at("ro open-at dir (directory, write)", ro, 0, "dir", DIRECTORY, WRITE, NULL);
    mkdir_at("ro create-directory-at newdir", ro, "newdir");
    unlink_at("ro unlink-file-at secret.txt", ro, "secret.txt");
    rmdir_at("ro remove-directory-at dir", ro, "dir");
    rename_at("ro rename-at secret.txt to moved.txt", ro, "secret.txt", ro, "moved.txt");
    rename_at("ro rename-at secret.txt to /rw/moved.txt", ro, "secret.txt", rw, "moved.txt");
    rename_at("ro rename-at /rw/file.txt to moved.txt", rw, "file.txt", ro, "moved.txt");
    symlink_at("ro symlink-at secret.txt as alias", ro, "secret.txt", "alias");
    link_at("ro link-at secret.txt to /rw/copy.txt", ro, 0, "secret.txt", rw, "copy.txt");
    link_at("ro link-at /rw/file.txt to copy.txt", rw, 0, "file.txt", ro, "copy.txt");
    set_times_at("ro set-times-at secret.txt", ro, 0, "secret.txt");

    own_t file = {0};
    open_at("allowed open-at secret.txt (read)", ro, 0, "secret.txt", 0, READ, &file);
    dir_t f = borrow(file);
    code_t code;
    report("ro set-size secret.txt", wasi_filesystem_types_method_descriptor_set_size(f, 0, &code), code);
    wasi_filesystem_types_new_timestamp_t now = {.tag = WASI_FILESYSTEM_TYPES_NEW_TIMESTAMP_NOW};
    report("ro set-times secret.txt", wasi_filesystem_types_method_descriptor_set_times(f, &now, &now, &code),
           code);
    report("ro set-times /ro", wasi_filesystem_types_method_descriptor_set_times(ro, &now, &now, &code),
           code);
    const char *text = "overwritten\n";
    command_list_u8_t buf = {(uint8_t *)text, strlen(text)};
    wasi_filesystem_types_filesize_t n;
    report("ro write secret.txt", wasi_filesystem_types_method_descriptor_write(f, &buf, 0, &n, &code), code);
    wasi_io_streams_own_output_stream_t stream;
    bool ok = wasi_filesystem_types_method_descriptor_write_via_stream(f, 0, &stream, &code);
    report("ro write-via-stream secret.txt", ok, code);
    if (ok) write_stream("ro write-via-stream secret.txt", stream);
    ok = wasi_filesystem_types_method_descriptor_append_via_stream(f, &stream, &code);
    report("ro append-via-stream secret.txt", ok, code);
    if (ok) write_stream("ro append-via-stream secret.txt", stream);
    wasi_filesystem_types_descriptor_drop_own(file);
}

/// Descriptors used for what they are not.
static void misuse(dir_t rw) {
    own_t file = {0};
    open_at("allowed open-at file.txt (read)", rw, 0, "file.txt", 0, READ, &file);
    dir_t f = borrow(file);
    open_at("misuse open-at through a file", f, 0, "x", 0, READ, NULL);
    stat_at("misuse stat-at through a file", f, 0, "x");
    mkdir_at("misuse create-directory-at through a file", f, "x");
    code_t code;
    wasi_io_streams_own_input_stream_t in;
    bool ok = wasi_filesystem_types_method_descriptor_read_via_stream(rw, 0, &in, &code);
    report("misuse read-via-stream on /rw", ok, code);
    if (ok) wasi_io_streams_input_stream_drop_own(in);
    wasi_io_streams_own_output_stream_t o;
    ok = wasi_filesystem_types_method_descriptor_write_via_stream(rw, 0, &o, &code);
    report("misuse write-via-stream on /rw", ok, code);
    if (ok) wasi_io_streams_output_stream_drop_own(o);
    ok = wasi_filesystem_types_method_descriptor_append_via_stream(rw, &o, &code);
    report("misuse append-via-stream on /rw", ok, code);
    if (ok) wasi_io_streams_output_stream_drop_own(o);
    report("misuse set-size on /rw", wasi_filesystem_types_method_descriptor_set_size(rw, 0, &code), code);
    command_tuple2_list_u8_bool_t got;
    ok = wasi_filesystem_types_method_descriptor_read(rw, 1, 0, &got, &code);
    report("misuse read on /rw", ok, code);
    if (ok) command_list_u8_free(&got.f0);
    const char *text = "overwritten\n";
    command_list_u8_t buf = {(uint8_t *)text, strlen(text)};
    wasi_filesystem_types_filesize_t n;
    report("misuse write on /rw", wasi_filesystem_types_method_descriptor_write(rw, &buf, 0, &n, &code), code);
    report("misuse set-size on file.txt opened to read",
           wasi_filesystem_types_method_descriptor_set_size(f, 0, &code), code);
    report("misuse write on file.txt opened to read",
           wasi_filesystem_types_method_descriptor_write(f, &buf, 0, &n, &code), code);
    ok = wasi_filesystem_types_method_descriptor_write_via_stream(f, 0, &o, &code);
    report("misuse write-via-stream on file.txt opened to read", ok, code);
    if (ok) write_stream("misuse write-via-stream on file.txt opened to read", o);
    ok = wasi_filesystem_types_method_descriptor_append_via_stream(f, &o, &code);
    report("misuse append-via-stream on file.txt opened to read", ok, code);
    if (ok) write_stream("misuse append-via-stream on file.txt opened to read", o);
    wasi_filesystem_types_descriptor_drop_own(file);
    stat_at("allowed stat-at link (no follow)", rw, 0, "link");
}

bool exports_wasi_cli_run_run(void) {
    wasi_io_streams_own_output_stream_t stdout_ = wasi_cli_stdout_get_stdout();
    out = wasi_io_streams_borrow_output_stream(stdout_);

    wasi_filesystem_preopens_list_tuple2_own_descriptor_string_t dirs;
    wasi_filesystem_preopens_get_directories(&dirs);
    int rw = -1, ro = -1;
    for (size_t i = 0; i < dirs.len; i++) {
        command_string_t name = dirs.ptr[i].f1;
        if (name.len == 3 && memcmp(name.ptr, "/rw", 3) == 0) rw = (int)i;
        if (name.len == 3 && memcmp(name.ptr, "/ro", 3) == 0) ro = (int)i;
    }
    if (rw < 0 || ro < 0) {
        puts_("preopens /rw and /ro are missing\n");
    } else {
        escapes(borrow(dirs.ptr[rw].f0));
        read_only(borrow(dirs.ptr[rw].f0), borrow(dirs.ptr[ro].f0));
        misuse(borrow(dirs.ptr[rw].f0));
    }
    for (size_t i = 0; i < dirs.len; i++) {
        wasi_filesystem_types_descriptor_drop_own(dirs.ptr[i].f0);
        command_string_free(&dirs.ptr[i].f1);
    }
    free(dirs.ptr);
    wasi_io_streams_output_stream_drop_own(stdout_);
    return true;
}
