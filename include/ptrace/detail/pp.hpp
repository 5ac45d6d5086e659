// SPDX-License-Identifier: MIT
// The preprocessor loop of PTRACE_API_REFLECTED and PTRACE_API_BITFLAGS: one macro per list
// length, each expanding one element and handing the rest to the next. It does what
// BOOST_PP_SEQ_FOR_EACH over BOOST_PP_VARIADIC_TO_SEQ did for them, at a fraction of the
// preprocessing cost (Boost.Preprocessor's generic repetition rescans every element many
// times, and every translation unit of the library expands these macros).
#pragma once

/// `PTRACE_API_DETAIL_PP_FOR_EACH(m, data, x1, ..., xn)` expands to
/// `m(data, 0, x1) m(data, 0 + 1, x2) ... ` for 1 to 64 elements: the second argument is the
/// element's index as an expression.
#define PTRACE_API_DETAIL_PP_FOR_EACH(m, data, ...)                                                \
    PTRACE_API_DETAIL_PP_CAT(PTRACE_API_DETAIL_PP_FE_, PTRACE_API_DETAIL_PP_COUNT(__VA_ARGS__))    \
    (m, data, 0, __VA_ARGS__)

/// The first and the second element of a pair `(a, b)`: `PTRACE_API_DETAIL_PP_FIRST pair`.
#define PTRACE_API_DETAIL_PP_FIRST(a, b) a
#define PTRACE_API_DETAIL_PP_SECOND(a, b) b
/// The argument as a string literal, after macro expansion.
#define PTRACE_API_DETAIL_PP_STRINGIZE(x) PTRACE_API_DETAIL_PP_STRINGIZE_I(x)
#define PTRACE_API_DETAIL_PP_STRINGIZE_I(x) #x

#define PTRACE_API_DETAIL_PP_CAT(a, b) PTRACE_API_DETAIL_PP_CAT_I(a, b)
#define PTRACE_API_DETAIL_PP_CAT_I(a, b) a##b

// The number of arguments, 1 to 64.
// clang-format off
#define PTRACE_API_DETAIL_PP_COUNT(...) PTRACE_API_DETAIL_PP_COUNT_I(__VA_ARGS__, 64, 63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, )
#define PTRACE_API_DETAIL_PP_COUNT_I(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, _54, _55, _56, _57, _58, _59, _60, _61, _62, _63, _64, n, ...) n

// One macro per length: element `x` at index `i`, then the rest.
#define PTRACE_API_DETAIL_PP_FE_1(m, d, i, x) m(d, i, x)
#define PTRACE_API_DETAIL_PP_FE_2(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_1(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_3(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_2(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_4(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_3(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_5(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_4(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_6(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_5(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_7(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_6(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_8(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_7(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_9(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_8(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_10(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_9(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_11(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_10(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_12(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_11(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_13(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_12(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_14(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_13(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_15(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_14(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_16(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_15(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_17(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_16(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_18(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_17(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_19(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_18(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_20(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_19(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_21(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_20(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_22(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_21(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_23(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_22(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_24(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_23(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_25(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_24(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_26(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_25(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_27(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_26(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_28(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_27(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_29(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_28(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_30(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_29(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_31(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_30(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_32(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_31(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_33(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_32(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_34(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_33(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_35(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_34(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_36(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_35(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_37(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_36(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_38(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_37(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_39(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_38(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_40(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_39(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_41(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_40(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_42(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_41(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_43(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_42(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_44(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_43(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_45(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_44(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_46(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_45(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_47(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_46(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_48(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_47(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_49(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_48(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_50(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_49(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_51(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_50(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_52(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_51(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_53(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_52(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_54(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_53(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_55(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_54(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_56(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_55(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_57(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_56(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_58(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_57(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_59(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_58(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_60(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_59(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_61(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_60(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_62(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_61(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_63(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_62(m, d, i + 1, __VA_ARGS__)
#define PTRACE_API_DETAIL_PP_FE_64(m, d, i, x, ...) m(d, i, x) PTRACE_API_DETAIL_PP_FE_63(m, d, i + 1, __VA_ARGS__)
// clang-format on
