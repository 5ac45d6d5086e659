// SPDX-License-Identifier: MIT
// A complete program of exactly 14 instructions (no libc, linked static): the lessons' known
// answer. It counts ecx down from 5 and exits with status 0.

// 1 mov + 5 * (dec + jnz) + mov + xor + syscall = 14 instructions.
asm(R"(
    .text
    .globl _start
    .type _start, @function
_start:
    mov $5, %ecx
1:  dec %ecx
    jnz 1b
    mov $60, %eax
    xor %edi, %edi
    syscall
    .size _start, . - _start
    .section .note.GNU-stack, "", @progbits
)");
