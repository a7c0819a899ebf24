/* Copies stdin to stdout, upper-casing ASCII letters. */
#include <ctype.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    char buf[7];
    ssize_t n;
    long total = 0;
    while ((n = read(0, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++) buf[i] = toupper((unsigned char)buf[i]);
        if (write(1, buf, n) != n) return 1;
        total += n;
    }
    fprintf(stderr, "%ld bytes\n", total);
    return n < 0 ? 2 : 0;
}
