// Enum values and the names the command line, JSON and messages use for them: one table per
// enum, read both ways, so a name and its error message cannot drift apart.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace loralab {

template <class E>
struct Named {
    E value;
    const char* name;
};

// The names as a message lists them: "a", "a or b", "a, b or c".
template <class E, std::size_t N>
std::string choiceList(const Named<E> (&table)[N]) {
    std::string out;
    for (std::size_t i = 0; i < N; ++i) {
        if (i > 0) out += (i + 1 == N) ? " or " : ", ";
        out += table[i].name;
    }
    return out;
}

// The name of `value`; "?" for a value outside the table (a cast integer).
template <class E, std::size_t N>
const char* nameIn(const Named<E> (&table)[N], E value) {
    for (const Named<E>& entry : table)
        if (entry.value == value) return entry.name;
    return "?";
}

// The value named `name`; otherwise std::invalid_argument
// "<what>: '<name>' is unknown; choose a, b or c".
template <class E, std::size_t N>
E parseIn(const Named<E> (&table)[N], const std::string& name, const char* what) {
    for (const Named<E>& entry : table)
        if (name == entry.name) return entry.value;
    throw std::invalid_argument(std::string(what) + ": '" + name + "' is unknown; choose " +
                                choiceList(table));
}

}  // namespace loralab
