/* Benchmark guest: writes 1 MiB to stdout in 4 KiB write(2) calls, checking each one. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CHUNK 4096
#define TOTAL (1024 * 1024)

int main(void) {
    static char buf[CHUNK];
    for (size_t i = 0; i < CHUNK; i++) buf[i] = (char)('a' + i % 26);
    for (size_t done = 0; done < TOTAL; done += CHUNK) {
        ssize_t n = write(1, buf, CHUNK);
        if (n != CHUNK) {
            fprintf(stderr, "write at %zu returned %zd\n", done, n);
            return 1;
        }
    }
    return 0;
}
