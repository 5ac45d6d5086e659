// SPDX-License-Identifier: MIT
// The debugger example's command parser (examples/debugger/command.hpp), table-driven: each
// line with the command it must give, or the error it must name.
#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "command.hpp"

using debugger_example::Command;
using debugger_example::ExamineFormat;
using debugger_example::Expression;
using debugger_example::parse;
using debugger_example::Verb;

namespace {

Expression number(std::uint64_t n, std::int64_t offset = 0) {
    return Expression{Expression::Kind::Number, n, "", offset};
}
Expression reg(std::string name, std::int64_t offset = 0) {
    return Expression{Expression::Kind::Register, 0, std::move(name), offset};
}
Expression symbol(std::string name, std::int64_t offset = 0) {
    return Expression{Expression::Kind::Symbol, 0, std::move(name), offset};
}

Command make(Verb verb) {
    Command c;
    c.verb = verb;
    return c;
}
Command with_number(Verb verb, std::uint64_t n) {
    Command c = make(verb);
    c.number = n;
    return c;
}
Command location(Verb verb, std::string text, Expression e) {
    Command c = make(verb);
    c.location = std::move(text);
    c.expression = std::move(e);
    return c;
}
Command examine(ExamineFormat f, Expression e) {
    Command c = make(Verb::Examine);
    c.format = f;
    c.expression = std::move(e);
    return c;
}
Command print(Expression e) {
    Command c = make(Verb::Print);
    c.expression = std::move(e);
    return c;
}

struct Good {
    std::string_view line;
    Command command;
};

struct Bad {
    std::string_view line;
    std::string_view error; ///< a part of the message that names the problem
};

} // namespace

TEST_CASE("debugger example: lines that parse") {
    const std::vector<Good> table = {
        {"break add_one", location(Verb::Break, "add_one", symbol("add_one"))},
        {"b main", location(Verb::Break, "main", symbol("main"))},
        {"br libc.so.6:puts", location(Verb::Break, "libc.so.6:puts", symbol("libc.so.6:puts"))},
        {"break ld-linux-x86-64.so.2:_dl_start",
         location(Verb::Break, "ld-linux-x86-64.so.2:_dl_start",
                  symbol("ld-linux-x86-64.so.2:_dl_start"))},
        {"break *0x401136", location(Verb::Break, "*0x401136", number(0x401136))},
        {"break *add_one+4", location(Verb::Break, "*add_one+4", symbol("add_one", 4))},
        {"break *$pc", location(Verb::Break, "*$pc", reg("rip"))},
        {"  tbreak   f  ", location(Verb::TBreak, "f", symbol("f"))},
        {"delete", make(Verb::Delete)},
        {"d 3", with_number(Verb::Delete, 3)},
        {"disable 2", with_number(Verb::Disable, 2)},
        {"enable 0x2", with_number(Verb::Enable, 2)},
        {"info breakpoints", make(Verb::InfoBreakpoints)},
        {"i b", make(Verb::InfoBreakpoints)},
        {"info registers", make(Verb::Registers)},
        {"regs", make(Verb::Registers)},
        {"info sharedlibrary", make(Verb::SharedLibraries)},
        {"info threads", make(Verb::Threads)},
        {"info proc mappings", make(Verb::Maps)},
        {"maps", make(Verb::Maps)},
        {"run", make(Verb::Run)},
        {"r", make(Verb::Run)},
        {"c", make(Verb::Continue)},
        {"continue", make(Verb::Continue)},
        {"si", make(Verb::StepInstruction)},
        {"stepi 10", with_number(Verb::StepInstruction, 10)},
        {"n", make(Verb::Next)},
        {"ni 2", with_number(Verb::Next, 2)},
        {"finish", make(Verb::Finish)},
        {"bt", make(Verb::Backtrace)},
        {"backtrace 5", with_number(Verb::Backtrace, 5)},
        {"where", make(Verb::Backtrace)},
        {"threads", make(Verb::Threads)},
        {"thread 2", with_number(Verb::Thread, 2)},
        {"kill", make(Verb::Kill)},
        {"q", make(Verb::Quit)},
        {"x $rsp", examine(ExamineFormat{1, 'x', 4}, reg("rsp"))},
        {"x/8xb $rsp", examine(ExamineFormat{8, 'x', 1}, reg("rsp"))},
        {"x/4xg $sp+16", examine(ExamineFormat{4, 'x', 8}, reg("rsp", 16))},
        {"x/gx $rbp-8", examine(ExamineFormat{1, 'x', 8}, reg("rbp", -8))},
        {"x/s greeting", examine(ExamineFormat{1, 's', 4}, symbol("greeting"))},
        {"x/2dw &counter", examine(ExamineFormat{2, 'd', 4}, symbol("counter"))},
        {"x/3c 0x1000", examine(ExamineFormat{3, 'c', 1}, number(0x1000))},
        {"x/3ch 0x1000", examine(ExamineFormat{3, 'c', 2}, number(0x1000))},
        {"x/uh 4096", examine(ExamineFormat{1, 'u', 2}, number(4096))},
        {"print $rax", print(reg("rax"))},
        {"p $fp", print(reg("rbp"))},
        {"p $rflags", print(reg("eflags"))},
        {"p main+0x10", print(symbol("main", 16))},
        {"p 42", print(number(42))},
    };
    for (const Good& g : table) {
        CAPTURE(g.line);
        const auto parsed = parse(g.line);
        CHECK(parsed.error == "");
        REQUIRE(parsed.command.has_value());
        CHECK(*parsed.command == g.command);
    }
}

TEST_CASE("debugger example: help and nothing-to-do lines") {
    for (const std::string_view line : {"", "   ", "# a comment", "\t# indented comment"}) {
        CAPTURE(line);
        const auto parsed = parse(line);
        CHECK(parsed.ok());
        CHECK_FALSE(parsed.command.has_value());
    }
    const auto help = parse("help bt");
    REQUIRE(help.command.has_value());
    CHECK(help.command->verb == Verb::Help);
    CHECK(help.command->topic == "bt");
    CHECK(debugger_example::help_text("bt").find("frame pointers") != std::string::npos);
    const std::string all = debugger_example::help_text("");
    for (const auto& info : debugger_example::command_table) {
        CAPTURE(info.usage);
        CHECK(all.find(info.usage) != std::string::npos);
    }
}

TEST_CASE("debugger example: lines that do not parse name the problem") {
    const std::vector<Bad> table = {
        {"frobnicate", "unknown command 'frobnicate'"},
        {"break", "missing location"},
        {"break 12", "line numbers need DWARF"},
        {"break foo bar", "expected a function name"},
        {"break *", "missing expression"},
        {"break *0x", "bad number '0x'"},
        {"break *99999999999999999999", "bad number"},
        {"break *$eax", "unknown register '$eax'"},
        {"break *main+", "bad offset ''"},
        {"break *main+zz", "bad offset 'zz'"},
        {"delete x", "expected a number, found 'x'"},
        {"disable", "missing number"},
        {"thread", "missing number"},
        {"stepi 0", "at least 1"},
        {"bt 0", "at least 1"},
        {"next -1", "expected a number"},
        {"x", "missing expression"},
        {"x/0x $rsp", "bad count '0'"},
        {"x/5000xb $rsp", "bad count '5000'"},
        {"x/q $rsp", "unknown letter 'q'"},
        {"x/i $pc", "disassembler"},
        {"x/s *p", "cannot read '*p'"},
        {"x/s &", "missing symbol after '&'"},
        {"p", "missing expression"},
        {"p/x $rax", "takes no /FORMAT"},
        {"p $", "unknown register '$'"},
        {"info", "info : unknown"},
        {"info frame", "info frame: unknown"},
        {"regs now", "takes no arguments, found 'now'"},
        {"run extra", "takes no arguments"},
        {"help nope", "no command 'nope'"},
    };
    for (const Bad& b : table) {
        CAPTURE(b.line);
        const auto parsed = parse(b.line);
        CHECK_FALSE(parsed.command.has_value());
        CHECK(parsed.error.find(b.error) != std::string::npos);
    }
}
