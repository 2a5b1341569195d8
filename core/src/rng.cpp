// xoshiro256** (Blackman & Vigna) seeded through splitmix64; Box–Muller normals.
#include "loralab/rng.h"

#include <cmath>
#include <string>

namespace loralab {

namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

inline std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

constexpr double kTwoPi = 6.283185307179586476925286766559;

}  // namespace

Rng::Rng(std::uint64_t seed) {
    std::uint64_t x = seed;
    for (auto& s : m_s) s = splitmix64(x);
}

std::uint64_t Rng::nextU64() {
    const std::uint64_t result = rotl(m_s[1] * 5, 7) * 9;
    const std::uint64_t t = m_s[1] << 17;
    m_s[2] ^= m_s[0];
    m_s[3] ^= m_s[1];
    m_s[1] ^= m_s[2];
    m_s[0] ^= m_s[3];
    m_s[2] ^= t;
    m_s[3] = rotl(m_s[3], 45);
    return result;
}

double Rng::uniform01() {
    // Top 53 bits → exactly representable multiples of 2⁻⁵³ in [0, 1).
    return static_cast<double>(nextU64() >> 11) * 0x1.0p-53;
}

double Rng::uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }

double Rng::normal() {
    if (m_hasSpare) {
        m_hasSpare = false;
        return m_spare;
    }
    const double u1 = 1.0 - uniform01();  // (0, 1]: log is finite
    const double u2 = uniform01();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = kTwoPi * u2;
    m_spare = radius * std::sin(angle);
    m_hasSpare = true;
    return radius * std::cos(angle);
}

void Rng::fillUniform(Matrix& m, double lo, double hi) {
    require(std::isfinite(lo) && std::isfinite(hi) && lo <= hi, "Rng::fillUniform",
            "bounds [" + std::to_string(lo) + ", " + std::to_string(hi) +
                ") must be finite with lo <= hi");
    float* p = m.data();
    for (Index i = 0, n = m.size(); i < n; ++i) p[i] = static_cast<float>(uniform(lo, hi));
}

void Rng::fillNormal(Matrix& m, double stddev) {
    require(std::isfinite(stddev) && stddev >= 0.0, "Rng::fillNormal",
            "stddev = " + std::to_string(stddev) + "; must be finite and >= 0");
    float* p = m.data();
    for (Index i = 0, n = m.size(); i < n; ++i) p[i] = static_cast<float>(stddev * normal());
}

}  // namespace loralab
