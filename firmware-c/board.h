/* What startup.c tells main.c about the board's memory. */
#ifndef BOARD_H
#define BOARD_H

#include <stddef.h>

/* Bytes of the heap region (between .bss and the stack). */
size_t heap_size(void);
/* Bytes of the stack region, and how many of them were used so far. */
size_t stack_size(void);
size_t stack_used(void);

#endif
