// Bad command lines: each must give exit code 2 and exactly one line on stderr that names the
// flag (or the offending word) and says what is allowed. Nothing on stdout.
#include "run_binary.h"

#include "cli/option_table.h"

#include <gtest/gtest.h>

#include <limits>

using loralab::test::runLoralab;

namespace {

struct BadCase {
    std::vector<std::string> args;
    std::vector<std::string> mustMention;  // every one must appear in the message
};

std::ostream& operator<<(std::ostream& os, const BadCase& c) {
    for (const auto& a : c.args) os << "'" << a << "' ";
    return os;
}

const std::vector<BadCase>& badCases() {
    static const std::vector<BadCase> cases{
        // numbers: not a number, negative, zero, too large, NaN, Inf, fractional
        {{"--headless", "--d", "abc"}, {"--d", "allowed", "1048576"}},
        {{"--headless", "--d", "-3"}, {"--d", "negative", "allowed"}},
        {{"--headless", "--d", "0"}, {"--d", "allowed"}},
        {{"--headless", "--d", "2000000"}, {"--d", "too large", "1048576"}},
        {{"--d", "2000000"}, {"--d", "too large", "1048576"}},  // the window: the same limit
        {{"--headless", "--d", "12.5"}, {"--d", "whole", "allowed"}},
        {{"--headless", "--k", "nan"}, {"--k", "allowed"}},
        {{"--headless", "--k", "1e400"}, {"--k", "allowed"}},
        {{"--headless", "--k", "0x20"}, {"--k", "allowed"}},
        {{"--headless", "--rank", "0"}, {"--rank", "allowed"}},
        {{"--headless", "--rank", "40"}, {"--rank", "min(--d, --k) = 32"}},
        {{"--headless", "--alpha", "0"}, {"--alpha", "zero", "> 0"}},
        {{"--headless", "--alpha", "-1"}, {"--alpha", "negative"}},
        {{"--headless", "--alpha", "nan"}, {"--alpha", "NaN"}},
        {{"--headless", "--alpha", "inf"}, {"--alpha", "finite"}},
        {{"--headless", "--lr", "0"}, {"--lr", "> 0"}},
        {{"--headless", "--lr", "-0.1"}, {"--lr", "negative"}},
        {{"--headless", "--lr", "NaN"}, {"--lr", "NaN"}},
        {{"--headless", "--lr", "-inf"}, {"--lr", "finite"}},
        {{"--headless", "--lr", "1e9"}, {"--lr", "too large", "1000"}},
        {{"--headless", "--lr", "fast"}, {"--lr", "not a number"}},
        {{"--headless", "--lr", ""}, {"--lr", "missing value"}},
        {{"--headless", "--steps", "-5"}, {"--steps", "negative"}},
        {{"--headless", "--steps", "99999999999999999999999"}, {"--steps", "too large"}},
        {{"--headless", "--steps", "1e3"}, {"--steps", "whole"}},
        {{"--headless", "--seed", "-1"}, {"--seed", "negative"}},
        {{"--headless", "--threads", "-2"}, {"--threads", "negative"}},
        {{"--headless", "--threads", "100000"}, {"--threads", "too large"}},
        {{"--headless", "--target-rank", "0", "--target", "lowrank"}, {"--target-rank", "allowed"}},
        {{"--headless", "--target", "lowrank", "--target-rank", "100"}, {"--target-rank", "32"}},
        {{"--headless", "--decay-power", "-1", "--target", "decay"}, {"--decay-power", "negative"}},
        {{"--headless", "--frames", "0", "--screenshot", "x.png"}, {"--frames", "allowed"}},
        // choices
        {{"--headless", "--init", "zeros"}, {"--init", "peft", "gaussian", "svd"}},
        {{"--headless", "--target", "random"}, {"--target", "lowrank", "file"}},
        {{"--headless", "--optimizer", "rmsprop"}, {"--optimizer", "sgd", "momentum", "adam"}},
        {{"--bench", "--optimizer", "lion"}, {"--optimizer", "adam"}},
        {{"--bench", "--workload", "train"}, {"--workload", "fit", "layer", "full", "all"}},
        {{"--params", "--model", "gpt-9"}, {"--model", "llama-2-7b", "list"}},
        // missing values, unknown flags, stray words
        {{"--headless", "--d"}, {"--d", "missing value"}},
        {{"--headless", "--d", "--k", "4"}, {"--d", "missing value"}},
        {{"--headless", "--curve"}, {"--curve", "missing value"}},
        {{"--headless", "--rnak", "3"}, {"--rnak", "did you mean --rank"}},
        {{"--headless", "--verbose"}, {"--verbose", "unknown option"}},
        {{"--headless", "train"}, {"'train'", "unexpected"}},
        {{"-d", "3"}, {"-d", "unknown option"}},
        {{"--json=yes", "--headless"}, {"--json", "no value"}},
        {{"--headless", "--d", "4", "--d", "5"}, {"--d", "more than once"}},
        // modes
        {{"--headless", "--bench"}, {"--headless", "--bench", "choose one"}},
        {{"--params", "--headless"}, {"--params", "--headless"}},
        {{"--bench", "--params"}, {"--bench", "--params"}},
        {{"--headless=1"}, {"--headless", "no value"}},
        {{"--headless", "--batch", "4"}, {"--batch", "--bench", "not of --headless"}},
        {{"--params", "--steps", "5"}, {"--steps", "not of --params"}},
        {{"--bench", "--lr", "0.1"}, {"--lr", "not of --bench"}},
        {{"--batch", "4"}, {"--batch", "GUI"}},
        // combinations
        {{"--headless", "--target", "file"}, {"--target-file"}},
        {{"--headless", "--target", "full", "--target-file", "t.csv"}, {"--target-file", "--target file"}},
        {{"--headless", "--target-file", ""}, {"--target-file", "missing value"}},
        {{"--headless", "--target-file", "t.csv", "--d", "8"}, {"--d", "--target-file"}},
        {{"--headless", "--target-rank", "2"}, {"--target-rank", "lowrank"}},
        {{"--headless", "--module-name", "q"}, {"--module-name", "--export-adapter"}},
        {{"--headless", "--export-adapter", "out", "--module-name", "a b"}, {"--module-name", "allowed"}},
        {{"--headless", "--frames", "3"}, {"--frames", "--screenshot"}},
        // params
        {{"--params", "--rank", "0"}, {"--rank", "allowed"}},
        {{"--params", "--d", "4", "--k", "4", "--rank", "5"}, {"--rank", "min(--d, --k) = 4"}},
        {{"--params", "--d", "100000000"}, {"--d", "too large"}},
        {{"--params", "--model", "llama-2-7b", "--modules", "q,x"}, {"--modules", "x"}},
        {{"--params", "--model", "llama-2-7b", "--d", "5"}, {"--d", "--model"}},
        {{"--params", "--modules", "q,v"}, {"--modules", "--model"}},
        {{"--params", "--config", "a", "--model", "llama-2-7b"}, {"--config", "give one"}},
        {{"--params", "--weights", ""}, {"--weights", "missing value"}},
        {{"--headless", "--tensor", "w"}, {"--tensor", "--target-file"}},
        {{"--inspect"}, {"--inspect", "missing value"}},
        {{"--inspect", "x", "--headless"}, {"cannot be combined"}},
        {{"--inspect", "x", "--d", "4"}, {"--d", "--inspect"}},
        {{"--params", "--model", "llama-2-7b", "--rank", "5000"}, {"--rank", "allowed"}},
        // bench
        {{"--bench", "--sizes", "1,,2"}, {"--sizes", "empty item"}},
        {{"--bench", "--sizes", "512,-1"}, {"--sizes", "negative"}},
        {{"--bench", "--ranks", "0"}, {"--ranks", "allowed"}},
        {{"--bench", "--ranks", "a"}, {"--ranks", "not an integer"}},
        {{"--bench", "--reps", "0"}, {"--reps", "allowed"}},
        {{"--bench", "--warmup", "-1"}, {"--warmup", "negative"}},
        {{"--bench", "--batch", "0"}, {"--batch", "allowed"}},
        {{"--bench", "--d", "512", "--sizes", "256"}, {"--sizes", "--d"}},
        // the GUI's own flags
        {{"--steps", "-1"}, {"--steps", "negative"}},
        {{"--out-dir", ""}, {"--out-dir", "missing value"}},
        {{"--screenshot"}, {"--screenshot", "missing value"}},
        {{"--preset", "nope"}, {"--preset", "Rank-1 outer product"}},
        {{"--preset", "Rank-1 outer product", "--rank", "3"}, {"--preset", "--rank"}},
        {{"--frames", "2"}, {"--frames", "--screenshot"}},
    };
    return cases;
}

class BadInput : public ::testing::TestWithParam<BadCase> {};

}  // namespace

TEST_P(BadInput, ExitsTwoWithOneLineNamingTheProblem) {
    const BadCase& c = GetParam();
    const auto r = runLoralab(c.args);
    EXPECT_EQ(r.exitCode, 2) << c << "\nstderr: " << r.err;
    EXPECT_EQ(loralab::test::countLines(r.err), 1) << c << "\nstderr: " << r.err;
    EXPECT_EQ(r.err.back(), '\n');
    EXPECT_TRUE(r.out.empty()) << c << "\nstdout: " << r.out;
    for (const std::string& word : c.mustMention)
        EXPECT_NE(r.err.find(word), std::string::npos)
            << c << "\nexpected '" << word << "' in: " << r.err;
}

INSTANTIATE_TEST_SUITE_P(Table, BadInput, ::testing::ValuesIn(badCases()));

// Every option of every mode, from the parser's own option table: a value below its range,
// above it, an unknown choice, an empty text or a value given to a flag exits 2 with one line
// naming the option. So an option added later is held to the contract without a new case.
TEST(BadInput, EveryOptionOfEveryModeRefusesValuesOutsideItsRange) {
    using loralab::cli::ValueKind;
    int runs = 0;
    for (const loralab::cli::OptionRow& row : loralab::cli::optionTable()) {
        for (const loralab::cli::ModeInfo& mode : loralab::cli::modeTable()) {
            if (!(row.modes & loralab::cli::maskOf(mode.mode))) continue;
            std::vector<std::string> bad;  // values outside what the row allows
            switch (row.kind) {
            case ValueKind::Flag: break;
            case ValueKind::Integer:
            case ValueKind::IntegerList:
                bad.push_back(std::to_string(row.minInt - 1));
                bad.push_back(row.maxInt == std::numeric_limits<long long>::max()
                                  ? "9223372036854775808"
                                  : std::to_string(row.maxInt + 1));
                break;
            case ValueKind::Real:
                bad.push_back(row.minOpen ? std::to_string(row.minReal) : std::to_string(row.minReal - 1));
                bad.push_back(std::to_string(row.maxReal * 10 + 1));
                break;
            case ValueKind::Choice: bad.push_back("no-such-choice"); break;
            case ValueKind::Text: bad.push_back(""); break;
            }
            std::vector<std::vector<std::string>> commands;
            const std::string flag = row.flag;
            for (const std::string& value : bad) commands.push_back({flag + "=" + value});
            if (row.kind == ValueKind::Flag) commands.push_back({flag + "=1"});
            for (std::vector<std::string> args : commands) {
                if (mode.flag[0] != '\0') args.insert(args.begin(), mode.flag);
                const auto r = runLoralab(args);
                ++runs;
                const std::string shown = (args.size() > 1 ? args[0] + " " : "") + args.back();
                EXPECT_EQ(r.exitCode, 2) << shown << "\nstderr: " << r.err;
                EXPECT_EQ(loralab::test::countLines(r.err), 1) << shown << "\nstderr: " << r.err;
                EXPECT_NE(r.err.find(flag), std::string::npos) << shown << "\nstderr: " << r.err;
                EXPECT_TRUE(r.out.empty()) << shown << "\nstdout: " << r.out;
            }
        }
    }
    EXPECT_GT(runs, 0);
}

TEST(GoodUsage, HelpExitsZeroInEveryMode) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"--help"}, {"-h"}, {"--headless", "--help"}, {"--bench", "--help"},
             {"--params", "--help"}, {"--headless", "--d", "5", "--help"}, {"--inspect", "--help"},
             {"--inspect", "dir", "--help"}}) {
        const auto r = runLoralab(args);
        EXPECT_EQ(r.exitCode, 0) << args.front();
        EXPECT_NE(r.out.find("Usage"), std::string::npos) << r.out;
        EXPECT_TRUE(r.err.empty()) << r.err;
    }
}

TEST(GoodUsage, VersionExitsZero) {
    const auto r = runLoralab({"--version"});
    EXPECT_EQ(r.exitCode, 0);
    EXPECT_NE(r.out.find("loralab"), std::string::npos);
}

TEST(GoodUsage, MainHelpNamesTheOtherModes) {
    const auto r = runLoralab({"--help"});
    for (const char* mode : {"--headless", "--bench", "--params", "--inspect"})
        EXPECT_NE(r.out.find(mode), std::string::npos) << mode;
}

TEST(GoodUsage, EqualsSyntaxAndNegativeLookingValues) {
    const auto r = runLoralab({"--headless", "--d=16", "--k=8", "--rank=2", "--steps=5", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = loralab::test::parseJsonObject(r);
    EXPECT_EQ(j["d"], 16);
    EXPECT_EQ(j["k"], 8);
}
