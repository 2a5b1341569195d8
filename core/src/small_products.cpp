// SIMD kernels for the r×r products of the Gram form (see small_products.h).
#include "small_products.h"

#include "simd.h"

#include <cstdlib>
#include <type_traits>

namespace loralab::detail {

#if defined(LORALAB_SIMD_KERNEL)

namespace {

constexpr int W = Simd::W;
using V = Simd::V;

// Register blocks: 8 accumulators on AVX2 (16 registers: the rest hold the loads and one
// broadcast), 16 on AVX-512 (32 registers).
#if defined(__AVX512F__)
constexpr int kGramVectors = 2, kGramColumns = 8;  // gramOfColumns: vectors × out columns
constexpr int kRowsP = 4, kRowsQ = 4;              // gramOfRows: P × Q dot products
constexpr int kGradVectors = 2, kGradColumns = 8;  // gradientOfColumns: vectors × columns
constexpr int kResidualVectors = 2, kResidualColumns = 8;  // residualSquares: the same
#else
constexpr int kGramVectors = 2, kGramColumns = 4;
constexpr int kRowsP = 2, kRowsQ = 4;
constexpr int kGradVectors = 2, kGradColumns = 4;
// 12 accumulators: with 8 (2 × 4), each met the FMA latency (4 cycles × 2 a cycle) exactly
// and the kernel ran at 59 GFLOP/s on one Zen 3 core (256 rows × 128 columns, r = 16); 2 × 6
// 70, 3 × 4 62, 4 × 3 70, 2 × 5 50, 1 × 8 46. At 1024 × 512: 2 × 6 68, 4 × 3 61, 2 × 4 54.
constexpr int kResidualVectors = 2, kResidualColumns = 6;
#endif

// out(p, q) for p < q from out(q, p): the kernels below fill the lower triangle (and parts of
// the upper one, overwritten here so that the result is exactly symmetric).
void mirrorLower(Index r, float* out) {
    for (Index q = 1; q < r; ++q)
        for (Index p = 0; p < q; ++p) out[p + q * r] = out[q + p * r];
}

// out[p0 .. p0 + PV·W, q0 .. q0 + Q) of Σ a_j·a_jᵀ: PV vectors down each column of A times Q
// broadcasts of its values.
template <int PV, int Q>
void gramOfColumnsBlock(const float* A, Index r, Index w, Index p0, Index q0, float* out) {
    V acc[PV][Q];
    for (auto& row : acc)
        for (V& a : row) a = Simd::zero();
    for (Index j = 0; j < w; ++j) {
        const float* column = A + j * r;
        V a[PV];
        for (int i = 0; i < PV; ++i) a[i] = Simd::load(column + p0 + i * W);
        for (int q = 0; q < Q; ++q) {
            const V b = Simd::broadcast(column[q0 + q]);
            for (int i = 0; i < PV; ++i) acc[i][q] = Simd::fma(a[i], b, acc[i][q]);
        }
    }
    for (int q = 0; q < Q; ++q)
        for (int i = 0; i < PV; ++i) Simd::store(out + (q0 + q) * r + p0 + i * W, acc[i][q]);
}

// P × Q dot products of B's columns p0.. and q0.. over h rows, a vector of rows at a time; the
// last, partial vector is read masked (zeros past h).
template <int P, int Q>
void gramOfRowsBlock(const float* B, Index ldB, Index h, Index r, Index p0, Index q0,
                     float* out) {
    V acc[P][Q];
    for (auto& row : acc)
        for (V& a : row) a = Simd::zero();
    auto rowVector = [&](Index at, auto load) {
        V a[P];
        for (int i = 0; i < P; ++i) a[i] = load(B + (p0 + i) * ldB + at);
        for (int q = 0; q < Q; ++q) {
            const V b = load(B + (q0 + q) * ldB + at);
            for (int i = 0; i < P; ++i) acc[i][q] = Simd::fma(a[i], b, acc[i][q]);
        }
    };
    const Index full = h / W;
    const int tail = static_cast<int>(h % W);
    for (Index v = 0; v < full; ++v)
        rowVector(v * W, [](const float* p) { return Simd::load(p); });
    if (tail != 0)
        rowVector(full * W, [tail](const float* p) { return Simd::loadFirst(p, tail); });
    for (int q = 0; q < Q; ++q)
        for (int i = 0; i < P; ++i) out[p0 + i + (q0 + q) * r] = Simd::sum(acc[i][q]);
}

// out[p0 .. p0 + PV·W, j0 .. j0 + J) = cs·Σ_p G[:, p]·A[p, j] − c·C[:, j].
template <int PV, int J>
void gradientBlock(const float* G, const float* A, const float* C, Index r, Index p0, Index j0,
                   float c, float cs, float* out) {
    V acc[PV][J];
    for (auto& row : acc)
        for (V& a : row) a = Simd::zero();
    for (Index p = 0; p < r; ++p) {
        V g[PV];
        for (int i = 0; i < PV; ++i) g[i] = Simd::load(G + p * r + p0 + i * W);
        for (int j = 0; j < J; ++j) {
            const V a = Simd::broadcast(A[p + (j0 + j) * r]);
            for (int i = 0; i < PV; ++i) acc[i][j] = Simd::fma(g[i], a, acc[i][j]);
        }
    }
    const V vc = Simd::broadcast(c), vcs = Simd::broadcast(cs);
    for (int j = 0; j < J; ++j)
        for (int i = 0; i < PV; ++i) {
            const Index at = (j0 + j) * r + p0 + i * W;
            Simd::store(out + at, Simd::fms(vcs, acc[i][j], Simd::mul(vc, Simd::load(C + at))));
        }
}

// Σ over columns [j0, j0 + J) and row vectors [v, v + RV) of (s·(B·A) − T)²: RV × J
// accumulators over the ranks, then the residuals and their squares in two accumulators.
// `tail` (0 = none) is the number of valid rows in the last row vector of the matrix, when it
// is among these: T is read masked there (packed B is zero past d, so the residual is 0).
template <int RV, int J>
float residualBlock(const float* Bp, Index r, const float* A, const float* T, Index ldT,
                    Index v, Index j0, float s, int tail, bool lastIsTail) {
    V acc[RV][J];
    for (auto& row : acc)
        for (V& a : row) a = Simd::zero();
    for (Index p = 0; p < r; ++p) {
        V b[RV];
        for (int i = 0; i < RV; ++i) b[i] = Simd::load(Bp + ((v + i) * r + p) * W);
        for (int j = 0; j < J; ++j) {
            const V a = Simd::broadcast(A[p + (j0 + j) * r]);
            for (int i = 0; i < RV; ++i) acc[i][j] = Simd::fma(b[i], a, acc[i][j]);
        }
    }
    const V vs = Simd::broadcast(s);
    V sq[2] = {Simd::zero(), Simd::zero()};
    for (int j = 0; j < J; ++j)
        for (int i = 0; i < RV; ++i) {
            const float* t = T + (j0 + j) * ldT + (v + i) * W;
            const V tv = lastIsTail && i == RV - 1 ? Simd::loadFirst(t, tail) : Simd::load(t);
            const V e = Simd::fms(vs, acc[i][j], tv);
            sq[(i + j) & 1] = Simd::fma(e, e, sq[(i + j) & 1]);
        }
    return Simd::sum(Simd::add(sq[0], sq[1]));
}

}  // namespace

bool simdResidual() { return true; }

Index packedRowsSize(Index d, Index r) { return (d + W - 1) / W * W * r; }

void packRows(const float* B, Index ldB, Index d, Index r, float* out) {
    const Index full = d / W;
    const int tail = static_cast<int>(d % W);
    for (Index p = 0; p < r; ++p) {
        const float* column = B + p * ldB;
        for (Index v = 0; v < full; ++v)
            Simd::store(out + (v * r + p) * W, Simd::load(column + v * W));
        if (tail != 0)
            Simd::store(out + (full * r + p) * W, Simd::loadFirst(column + full * W, tail));
    }
}

double residualSquares(const float* Bp, Index d, Index r, const float* A, const float* T,
                       Index ldT, Index w, float s) {
    constexpr int RV = kResidualVectors, J = kResidualColumns;
    const Index vectors = (d + W - 1) / W;
    const int tail = static_cast<int>(d % W);
    double total = 0.0;
    auto rows = [&](auto columns, Index j0) {
        constexpr int kJ = decltype(columns)::value;
        Index v = 0;
        for (; v + RV <= vectors; v += RV)
            total += residualBlock<RV, kJ>(Bp, r, A, T, ldT, v, j0, s, tail,
                                           tail != 0 && v + RV == vectors);
        for (; v < vectors; ++v)
            total += residualBlock<1, kJ>(Bp, r, A, T, ldT, v, j0, s, tail,
                                          tail != 0 && v + 1 == vectors);
    };
    Index j = 0;
    for (; j + J <= w; j += J) rows(std::integral_constant<int, J>{}, j);
    for (; j < w; ++j) rows(std::integral_constant<int, 1>{}, j);
    return total;
}

bool simdSmallProducts(Index r) { return r >= W && r <= kMaxSmallRank && r % W == 0; }

void gramOfColumns(const float* A, Index r, Index w, float* out) {
    constexpr int PV = kGramVectors, Q = kGramColumns;
    static_assert(W % Q == 0, "a block of output columns must not straddle a vector");
    const Index vectors = r / W;
    for (Index q0 = 0; q0 < r; q0 += Q) {
        Index v = q0 / W;  // the first vector with rows at or below the diagonal
        for (; v + PV <= vectors; v += PV) gramOfColumnsBlock<PV, Q>(A, r, w, v * W, q0, out);
        for (; v < vectors; ++v) gramOfColumnsBlock<1, Q>(A, r, w, v * W, q0, out);
    }
    mirrorLower(r, out);
}

void gramOfRows(const float* B, Index ldB, Index h, Index r, float* out) {
    constexpr int P = kRowsP, Q = kRowsQ;
    static_assert(W % P == 0 && W % Q == 0, "r, a multiple of W, must split into blocks");
    for (Index q0 = 0; q0 < r; q0 += Q)
        for (Index p0 = q0 / P * P; p0 < r; p0 += P)
            gramOfRowsBlock<P, Q>(B, ldB, h, r, p0, q0, out);
    mirrorLower(r, out);
}

void gradientOfColumns(const float* G, const float* A, const float* C, Index r, Index w,
                       float c, float cs, float* out) {
    constexpr int PV = kGradVectors, J = kGradColumns;
    const Index vectors = r / W;
    auto columns = [&](auto pv, Index p0) {
        constexpr int kPV = decltype(pv)::value;
        Index j = 0;
        for (; j + J <= w; j += J) gradientBlock<kPV, J>(G, A, C, r, p0, j, c, cs, out);
        for (; j < w; ++j) gradientBlock<kPV, 1>(G, A, C, r, p0, j, c, cs, out);
    };
    Index v = 0;
    for (; v + PV <= vectors; v += PV) columns(std::integral_constant<int, PV>{}, v * W);
    for (; v < vectors; ++v) columns(std::integral_constant<int, 1>{}, v * W);
}

#else  // no SIMD in this build: callers take Eigen's products

bool simdSmallProducts(Index) { return false; }
bool simdResidual() { return false; }
Index packedRowsSize(Index, Index) { return 0; }
void packRows(const float*, Index, Index, Index, float*) { std::abort(); }
double residualSquares(const float*, Index, Index, const float*, const float*, Index, Index,
                       float) {
    std::abort();
}
void gramOfColumns(const float*, Index, Index, float*) { std::abort(); }
void gramOfRows(const float*, Index, Index, Index, float*) { std::abort(); }
void gradientOfColumns(const float*, const float*, const float*, Index, Index, float, float,
                       float*) {
    std::abort();
}

#endif

}  // namespace loralab::detail
