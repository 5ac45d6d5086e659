# The general registers (rip and the other addresses masked), eflags, and AVX through the
# target description: ymm0 holds bytes 1..32 (tests/targets/gdb_basic.cpp load_ymm0). The
# registers of `info registers` one by one, without k0-k7: GNU gdbserver shows the opmask
# registers as 0 on these machines even after the program set them (examples/gdbserver/
# README.md, "Differences"), so they cannot be compared.
break vector_loaded
continue
info registers rax rbx rcx rdx rsi rdi rbp rsp r8 r9 r10 r11 r12 r13 r14 r15 rip eflags
info registers cs ss ds es fs gs fs_base gs_base
info registers rip
p $pc
p/x $eflags
p $sp == $rsp
info registers ymm0
p $ymm0
p $ymm0.v8_int32
p $xmm0
p/x $ymm0.v32_int8[31]
set var $rax = 1234
p $rax
kill
