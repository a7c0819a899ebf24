/* The guest and its compact world, as bytes in flash: GUEST and WORLD are
   their paths, given by run.sh (-DGUEST='"..."' -DWORLD='"..."'). */
    .section .rodata.embed, "a"
    .balign 8
    .global calc_wasm, calc_wasm_end, calc_world, calc_world_end
calc_wasm:
    .incbin GUEST
calc_wasm_end:
    .balign 4
calc_world:
    .incbin WORLD
calc_world_end:
