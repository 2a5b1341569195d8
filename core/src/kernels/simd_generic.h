// The portable vocabulary of the kernels: 4 floats a vector in GCC/Clang vector extensions,
// which become SSE2 on baseline x86-64 and NEON on arm64. No intrinsics of any architecture.
#pragma once

#include <cstddef>

namespace loralab::generic {

struct Simd {
    typedef float V __attribute__((vector_size(16)));
    static constexpr int W = 4;
    static constexpr bool kSum16 = false;
    static V load(const float* p) {
        V v;
        __builtin_memcpy(&v, p, sizeof v);
        return v;
    }
    static V loadFirst(const float* p, int n) {
        V v = {0.0f, 0.0f, 0.0f, 0.0f};
        for (int i = 0; i < n; ++i) v[i] = p[i];
        return v;
    }
    static void store(float* p, V v) { __builtin_memcpy(p, &v, sizeof v); }
    static void storeFirst(float* p, V v, int n) {
        for (int i = 0; i < n; ++i) p[i] = v[i];
    }
    static V zero() { return V{0.0f, 0.0f, 0.0f, 0.0f}; }
    static V broadcast(float x) { return V{x, x, x, x}; }
    static V fma(V a, V b, V c) { return a * b + c; }
    static V fms(V a, V b, V c) { return a * b - c; }
    static V mul(V a, V b) { return a * b; }
    static V add(V a, V b) { return a + b; }
    static V sub(V a, V b) { return a - b; }
    static V div(V a, V b) { return a / b; }
    static V sqrt(V a) {
        for (int i = 0; i < W; ++i) a[i] = __builtin_sqrtf(a[i]);
        return a;
    }
    static void prefetch(const float* p) { __builtin_prefetch(p); }
    static float sum(V v) { return (v[0] + v[1]) + (v[2] + v[3]); }
    static V sum16(const V (&)[16]) { return zero(); }  // not used: kSum16 is false
    static double dotDouble(const float* a, const float* b, std::ptrdiff_t n) {
        double s0 = 0.0, s1 = 0.0;
        std::ptrdiff_t i = 0;
        for (; i + 2 <= n; i += 2) {
            s0 += static_cast<double>(a[i]) * static_cast<double>(b[i]);
            s1 += static_cast<double>(a[i + 1]) * static_cast<double>(b[i + 1]);
        }
        if (i < n) s0 += static_cast<double>(a[i]) * static_cast<double>(b[i]);
        return s0 + s1;
    }
};

}  // namespace loralab::generic
