// AVX2 + FMA vocabulary of the kernels (8 floats a vector). Included only by kernels_avx2.cpp,
// the one file compiled for x86-64-v3; everything here lives in loralab::avx2 and is inline.
#pragma once

#include "kernels/simd_x86.h"

#include <cstddef>

namespace loralab::avx2 {

struct Simd {
    using V = __m256;
    static constexpr int W = 8;
    LORALAB_X86_SIMD_OPS(_mm256)
    static constexpr bool kSum16 = false;
    static __m256i mask(int n) {
        return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    }
    static V loadFirst(const float* p, int n) { return _mm256_maskload_ps(p, mask(n)); }
    static void storeFirst(float* p, V v, int n) { _mm256_maskstore_ps(p, mask(n), v); }
    static float sum(V v) {
        __m128 x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
        x = _mm_add_ps(x, _mm_movehl_ps(x, x));
        x = _mm_add_ss(x, _mm_movehdup_ps(x));
        return _mm_cvtss_f32(x);
    }
    static V sum16(const V (&)[16]) { return zero(); }  // not used: kSum16 is false
    static double dotDouble(const float* a, const float* b, std::ptrdiff_t n) {
        __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
        std::ptrdiff_t i = 0;
        for (; i + 8 <= n; i += 8) {
            s0 = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm_loadu_ps(a + i)),
                                 _mm256_cvtps_pd(_mm_loadu_ps(b + i)), s0);
            s1 = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm_loadu_ps(a + i + 4)),
                                 _mm256_cvtps_pd(_mm_loadu_ps(b + i + 4)), s1);
        }
        const __m256d s = _mm256_add_pd(s0, s1);
        const __m128d h = _mm_add_pd(_mm256_castpd256_pd128(s), _mm256_extractf128_pd(s, 1));
        double sum = _mm_cvtsd_f64(_mm_add_sd(h, _mm_unpackhi_pd(h, h)));
        for (; i < n; ++i) sum += static_cast<double>(a[i]) * static_cast<double>(b[i]);
        return sum;
    }
};

}  // namespace loralab::avx2
