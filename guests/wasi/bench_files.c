/* Benchmark guest: opens, reads and closes f0000 … f0999 in the current
 * directory, each of which the host wrote with its own name as content. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define FILES 1000

int main(void) {
    char name[16], buf[64];
    for (int i = 0; i < FILES; i++) {
        snprintf(name, sizeof name, "f%04d", i);
        int fd = open(name, O_RDONLY);
        if (fd < 0) {
            perror(name);
            return 1;
        }
        ssize_t n = read(fd, buf, sizeof buf);
        if (close(fd) != 0) {
            perror(name);
            return 1;
        }
        size_t len = strlen(name);
        if (n != (ssize_t)len || memcmp(buf, name, len) != 0) {
            fprintf(stderr, "%s: unexpected content (%zd bytes)\n", name, n);
            return 1;
        }
    }
    printf("%d files\n", FILES);
    return 0;
}
