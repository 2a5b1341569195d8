// The core's SIMD vocabulary (internal to core/src): one vector of floats and the few
// operations its hand-written kernels use, for AVX-512 (16 lanes) or AVX2 with FMA (8 lanes),
// whichever the build targets (-march). LORALAB_SIMD_KERNEL is defined when there is one;
// without it the callers take their portable (Eigen) paths.
#pragma once

#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12's own AVX-512 shuffle intrinsics start from _mm512_undefined_ps() and then trip its
// -Wuninitialized once inlined into a kernel (a known false positive); clang checks these
// files cleanly. The pragma holds for the rest of each file that includes this header.
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>
#define LORALAB_SIMD_KERNEL 1

namespace loralab::detail {

#if defined(__AVX512F__)
struct Simd {
    using V = __m512;
    static constexpr int W = 16;
    static constexpr const char* kName = "avx512";
    static V load(const float* p) { return _mm512_loadu_ps(p); }
    // The first n (< W) lanes from p, zeros after; never touches memory past p + n.
    static V loadFirst(const float* p, int n) {
        return _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << n) - 1u), p);
    }
    static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
    static V zero() { return _mm512_setzero_ps(); }
    static V broadcast(float x) { return _mm512_set1_ps(x); }
    static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
    static V fms(V a, V b, V c) { return _mm512_fmsub_ps(a, b, c); }  // a·b − c, one rounding
    static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
    static V add(V a, V b) { return _mm512_add_ps(a, b); }
    static void prefetch(const float* p) {
        _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0);
    }
    static float sum(V v) {  // butterfly: every lane ends up holding the total
        v = _mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, 0x4E));  // swap 256-bit halves
        v = _mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, 0xB1));  // swap 128-bit quarters
        v = _mm512_add_ps(v, _mm512_permute_ps(v, 0x4E));        // swap 64-bit pairs
        v = _mm512_add_ps(v, _mm512_permute_ps(v, 0xB1));        // swap neighbours
        return _mm512_cvtss_f32(v);
    }
    // The lane sums of 16 vectors in one: out[i] = Σ lanes of v[i]. A transpose-and-add tree
    // halves the lanes per vector at each level (30 shuffles, 15 adds and a final permute, where
    // 16 butterflies take 128 instructions); at d = 256 a micro-kernel call has only 16 rows
    // of work per accumulator, so these sums are a real share of it.
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
};
#else
struct Simd {
    using V = __m256;
    static constexpr int W = 8;
    static constexpr const char* kName = "avx2";
    static V load(const float* p) { return _mm256_loadu_ps(p); }
    static V loadFirst(const float* p, int n) {
        const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        return _mm256_maskload_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lanes));
    }
    static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
    static V zero() { return _mm256_setzero_ps(); }
    static V broadcast(float x) { return _mm256_set1_ps(x); }
    static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
    static V fms(V a, V b, V c) { return _mm256_fmsub_ps(a, b, c); }  // a·b − c, one rounding
    static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
    static V add(V a, V b) { return _mm256_add_ps(a, b); }
    static void prefetch(const float* p) {
        _mm_prefetch(reinterpret_cast<const char*>(p), _MM_HINT_T0);
    }
    static float sum(V v) {
        __m128 x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
        x = _mm_add_ps(x, _mm_movehl_ps(x, x));
        x = _mm_add_ss(x, _mm_movehdup_ps(x));
        return _mm_cvtss_f32(x);
    }
};
#endif

}  // namespace loralab::detail

#endif
