/* Prints to stdout and stderr and exits with status 3. */
#include <stdio.h>

int main(void) {
    printf("hello from wasi\n");
    fprintf(stderr, "to stderr\n");
    return 3;
}
