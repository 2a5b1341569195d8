// Deterministic random numbers: the same seed gives the same bits on every run and platform.
//
// std::mt19937 is portable but the std:: distributions are not (their algorithms are
// implementation-defined), so the core draws uniforms and normals itself from xoshiro256**
// seeded through splitmix64. Uniforms take the top 53 bits; normals use Box–Muller on them.
#pragma once

#include "loralab/types.h"

#include <cstdint>

namespace loralab {

class Rng {
public:
    explicit Rng(std::uint64_t seed);

    std::uint64_t nextU64();
    double uniform01();                     // [0, 1), 53 random bits
    double uniform(double lo, double hi);   // [lo, hi)
    double normal();                        // N(0, 1)

    // Fill every entry (column-major order) with U(lo, hi) or N(0, stddev²).
    void fillUniform(Matrix& m, double lo, double hi);
    void fillNormal(Matrix& m, double stddev = 1.0);

private:
    std::uint64_t m_s[4];
    double m_spare = 0.0;
    bool m_hasSpare = false;
};

}  // namespace loralab
