#include <stdint.h>

struct broken {
    uint32_t a
    unknown_t b;
};
