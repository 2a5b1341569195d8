// The operations AVX-512 and AVX2 spell alike (_mm512_add_ps, _mm256_add_ps, ...), defined once
// for an ISA's Simd struct; included only by the x86 kernel files.
#pragma once

#include <immintrin.h>

#define LORALAB_X86_SIMD_OPS(P)                                                  \
    static V load(const float* p) { return P##_loadu_ps(p); }                    \
    static void store(float* p, V v) { P##_storeu_ps(p, v); }                    \
    static V zero() { return P##_setzero_ps(); }                                 \
    static V broadcast(float x) { return P##_set1_ps(x); }                       \
    static V fma(V a, V b, V c) { return P##_fmadd_ps(a, b, c); }                \
    static V fms(V a, V b, V c) { return P##_fmsub_ps(a, b, c); } /* a·b − c */  \
    static V mul(V a, V b) { return P##_mul_ps(a, b); }                          \
    static V add(V a, V b) { return P##_add_ps(a, b); }                          \
    static V sub(V a, V b) { return P##_sub_ps(a, b); }                          \
    static V div(V a, V b) { return P##_div_ps(a, b); }                          \
    static V sqrt(V a) { return P##_sqrt_ps(a); }                                \
    static void prefetch(const float* p) {                                       \
        _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0);             \
    }
