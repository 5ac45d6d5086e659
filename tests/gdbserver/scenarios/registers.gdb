# The general registers (rip and the other addresses masked), eflags, and AVX through the
# target description: ymm0 holds bytes 1..32 (tests/targets/gdb_basic.cpp load_ymm0).
break vector_loaded
continue
info registers
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
