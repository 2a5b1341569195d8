// AVX-512 vocabulary of the kernels (16 floats a vector). Included only by kernels_avx512.cpp,
// the one file compiled for x86-64-v4; everything here lives in loralab::avx512 and is inline,
// so no other file can end up calling an AVX-512 copy of it.
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
// GCC 12's AVX-512 shuffle intrinsics start from _mm512_undefined_ps() and trip -Wuninitialized
// once inlined (GCC bug 105593, a false positive fixed in 13).
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include "kernels/simd_x86.h"

#include <cstddef>

namespace loralab::avx512 {

struct Simd {
    using V = __m512;
    static constexpr int W = 16;
    LORALAB_X86_SIMD_OPS(_mm512)
    static constexpr bool kSum16 = true;  // sum16() below: 16 lane sums in one
    static __mmask16 mask(int n) { return static_cast<__mmask16>((1u << n) - 1u); }
    // The first n (< W) lanes from p, zeros after; never touches memory past p + n.
    static V loadFirst(const float* p, int n) { return _mm512_maskz_loadu_ps(mask(n), p); }
    static void storeFirst(float* p, V v, int n) { _mm512_mask_storeu_ps(p, mask(n), v); }
    static float sum(V v) {  // butterfly: every lane ends up holding the total
        v = _mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, 0x4E));  // swap 256-bit halves
        v = _mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, 0xB1));  // swap 128-bit quarters
        v = _mm512_add_ps(v, _mm512_permute_ps(v, 0x4E));        // swap 64-bit pairs
        v = _mm512_add_ps(v, _mm512_permute_ps(v, 0xB1));        // swap neighbours
        return _mm512_cvtss_f32(v);
    }
    // The lane sums of 16 vectors in one: out[i] = Σ lanes of v[i]. A transpose-and-add tree
    // halves the lanes per vector at each level (45 instructions where 16 butterflies take 128):
    // on short columns these sums are a real share of a micro-kernel call.
    static V sum16(const V (&v)[16]) {
        V a[8], b[4], c[2];
        for (int i = 0; i < 8; ++i)  // lanes 0-7 hold partials of v[2i], lanes 8-15 of v[2i + 1]
            a[i] = _mm512_add_ps(_mm512_shuffle_f32x4(v[2 * i], v[2 * i + 1], 0x44),
                                 _mm512_shuffle_f32x4(v[2 * i], v[2 * i + 1], 0xEE));
        for (int i = 0; i < 4; ++i)  // 128-bit block q holds partials of v[4i + q]
            b[i] = _mm512_add_ps(_mm512_shuffle_f32x4(a[2 * i], a[2 * i + 1], 0x88),
                                 _mm512_shuffle_f32x4(a[2 * i], a[2 * i + 1], 0xDD));
        for (int i = 0; i < 2; ++i)  // block q: lanes 0-1 partials of v[8i + q], 2-3 of v[8i + 4 + q]
            c[i] = _mm512_add_ps(_mm512_shuffle_ps(b[2 * i], b[2 * i + 1], 0x44),
                                 _mm512_shuffle_ps(b[2 * i], b[2 * i + 1], 0xEE));
        // Lane l of block q: the total of v[4l + q]; the permute puts v[i]'s total in lane i.
        const V t = _mm512_add_ps(_mm512_shuffle_ps(c[0], c[1], 0x88),
                                  _mm512_shuffle_ps(c[0], c[1], 0xDD));
        const __m512i order =
            _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
        return _mm512_permutexvar_ps(order, t);
    }
    // Σ a[i]·b[i] over n floats, products and sums in double.
    static double dotDouble(const float* a, const float* b, std::ptrdiff_t n) {
        __m512d s0 = _mm512_setzero_pd(), s1 = _mm512_setzero_pd();
        std::ptrdiff_t i = 0;
        for (; i + 16 <= n; i += 16) {
            s0 = _mm512_fmadd_pd(_mm512_cvtps_pd(_mm256_loadu_ps(a + i)),
                                 _mm512_cvtps_pd(_mm256_loadu_ps(b + i)), s0);
            s1 = _mm512_fmadd_pd(_mm512_cvtps_pd(_mm256_loadu_ps(a + i + 8)),
                                 _mm512_cvtps_pd(_mm256_loadu_ps(b + i + 8)), s1);
        }
        double sum = _mm512_reduce_add_pd(_mm512_add_pd(s0, s1));
        for (; i < n; ++i) sum += static_cast<double>(a[i]) * static_cast<double>(b[i]);
        return sum;
    }
};

}  // namespace loralab::avx512
