/* Prints its arguments after the program name, and the variables WASMBED_*. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++) printf("arg[%d]=%s\n", i, argv[i]);
    for (char **e = environ; *e; e++)
        if (strncmp(*e, "WASMBED_", 8) == 0) printf("env %s\n", *e);
    const char *v = getenv("WASMBED_GREETING");
    printf("getenv=%s\n", v ? v : "(unset)");
    return 0;
}
