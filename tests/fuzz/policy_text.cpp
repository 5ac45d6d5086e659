// SPDX-License-Identifier: MIT
// Fuzzes the sandbox policy's text format (sandbox/include/ptrace/sandbox/policy_text.hpp).
//
// Input: a policy text.
//
// Properties:
// - exactly one outcome: a policy, or an error whose line is one of the input's lines (or 1
//   for a missing default) and whose column is within that line (or just past its end);
// - a policy written back by format_policy parses again into an equal policy;
// - a policy compiles to BPF, or the compiler says it is too large (never anything else), and
//   the program starts with the architecture check;
// - decide() on the numbers the policy names agrees with its normal form: a syscall with no
//   conditional rule gets its fallback.
#include <ptrace/sandbox/policy_bpf.hpp>
#include <ptrace/sandbox/policy_text.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz.hpp"

namespace sb = ptrace_api::sandbox;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto policy = sb::parse_policy(text);
    if (!policy) {
        const sb::PolicyError& error = policy.error();
        const std::size_t lines =
            static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
        FUZZ_CHECK(error.where.line >= 1 && error.where.line <= lines, error.describe());
        FUZZ_CHECK(error.where.column >= 1, error.describe());
        FUZZ_CHECK(!error.message.empty(), "an error without a message");
        // The column lies within the line (or one past its end, for "expected ..." at the end).
        std::size_t start = 0;
        for (std::size_t l = 1; l < error.where.line; ++l) {
            start = text.find('\n', start) + 1;
        }
        const std::size_t end = std::min(text.find('\n', start), text.size());
        FUZZ_CHECK(error.where.column <= end - start + 1, error.describe());
        return 0;
    }
    const std::string written = sb::format_policy(*policy);
    const auto again = sb::parse_policy(written);
    FUZZ_CHECK(again.has_value(), written + (again ? "" : "\n" + again.error().describe()));
    FUZZ_CHECK(*again == *policy, written);
    const auto program = sb::compile_bpf(*policy);
    if (!program) {
        FUZZ_CHECK(program.error().message.find("more than the kernel's limit") !=
                       std::string::npos,
                   program.error().message);
    } else {
        FUZZ_CHECK(program->size() >= 7 && (*program)[1].k == AUDIT_ARCH_X86_64, "no arch check");
    }
    for (const sb::SyscallRules& rules : policy->syscalls()) {
        if (rules.conditional.empty()) {
            FUZZ_CHECK(policy->decide(static_cast<std::uint32_t>(rules.nr), {}) == rules.fallback,
                       written);
        }
    }
    return 0;
}
