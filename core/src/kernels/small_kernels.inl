// The Gram form's r-sized products and the vector kernels (see kernels.h), written once over
// an ISA's Simd and compiled in each kernels_<isa>.cpp inside loralab::LORALAB_ISA.
//
//   gramOfColumns, gramOfRows       AAᵀ and BᵀB over a thread's share
//   gradientOfColumns               dA's columns
//   packRows, gradientOfRows        dB's rows
//   residualSquares                 the loss near an exact fit
//   dotDouble, allFinite, adam      vectors

namespace loralab::LORALAB_ISA {

namespace {

// Register blocks: 16 accumulators with 32 registers (AVX-512), 8 with 16 (the rest hold the
// loads and broadcasts).
constexpr int kGramVectors = 2, kGramColumns = W == 16 ? 8 : 4;  // vectors × out columns
constexpr int kRowsP = W == 16 ? 4 : 2, kRowsQ = 4;               // P × Q dot products
constexpr int kGradVectors = 2, kGradColumns = W == 16 ? 8 : 4;  // vectors × columns
// 12 residual accumulators on narrow ISAs: with 8, each waited on the FMA latency.
constexpr int kResidualVectors = 2, kResidualColumns = W == 16 ? 8 : 6;
static_assert(W % kGramColumns == 0, "a block of Gram columns must not straddle a vector");

// out(p, q) for p < q from out(q, p): the kernels fill the lower triangle (and parts of the
// upper one, overwritten here so that the result is exactly symmetric).
void mirrorLower(Index r, float* out) {
    for (Index q = 1; q < r; ++q)
        for (Index p = 0; p < q; ++p) out[p + q * r] = out[q + p * r];
}

// out[p0 .. p0 + PV·W, q0 .. q0 + Q) of Σ a_j·a_jᵀ: PV vectors down each column of A (the last
// with `tail` rows, 0 = full) times Q broadcasts of its values.
template <int PV, int Q, bool Tail>
void gramOfColumnsBlock(const float* A, Index r, Index w, Index p0, Index q0, int tail,
                        float* out) {
    V acc[PV][Q];
    for (auto& row : acc)
        for (V& a : row) a = Simd::zero();
    for (Index j = 0; j < w; ++j) {
        const float* column = A + j * r;
        V a[PV];
        for (int i = 0; i < PV; ++i)
            a[i] = Tail && i == PV - 1 ? Simd::loadFirst(column + p0 + i * W, tail)
                                       : Simd::load(column + p0 + i * W);
        for (int q = 0; q < Q; ++q) {
            const V b = Simd::broadcast(column[q0 + q]);
            for (int i = 0; i < PV; ++i) acc[i][q] = Simd::fma(a[i], b, acc[i][q]);
        }
    }
    for (int q = 0; q < Q; ++q)
        for (int i = 0; i < PV; ++i)
            storeLanes(out + (q0 + q) * r + p0 + i * W, acc[i][q], Tail && i == PV - 1 ? tail : 0);
}

void gramOfColumns(const float* A, Index r, Index w, float* out) {
    if (r == 1) {  // the sum of squares of w contiguous floats
        V acc = Simd::zero();
        Index j = 0;
        for (; j + W <= w; j += W) acc = Simd::fma(Simd::load(A + j), Simd::load(A + j), acc);
        if (j < w) {
            const V x = Simd::loadFirst(A + j, static_cast<int>(w - j));
            acc = Simd::fma(x, x, acc);
        }
        out[0] = Simd::sum(acc);
        return;
    }
    constexpr int PV = kGramVectors, Q = kGramColumns;
    const Index vectors = (r + W - 1) / W;
    const int tail = static_cast<int>(r % W);
    for (Index q0 = 0; q0 < r; q0 += Q) {
        withCount<Q>(static_cast<int>(lo(Q, r - q0)), [&](auto qn) {
            constexpr int kQ = decltype(qn)::value;
            Index v = q0 / W;  // the first vector with rows at or below the diagonal
            for (; v + PV <= vectors; v += PV) {
                if (tail != 0 && v + PV == vectors)
                    gramOfColumnsBlock<PV, kQ, true>(A, r, w, v * W, q0, tail, out);
                else
                    gramOfColumnsBlock<PV, kQ, false>(A, r, w, v * W, q0, 0, out);
            }
            for (; v < vectors; ++v) {
                if (tail != 0 && v + 1 == vectors)
                    gramOfColumnsBlock<1, kQ, true>(A, r, w, v * W, q0, tail, out);
                else
                    gramOfColumnsBlock<1, kQ, false>(A, r, w, v * W, q0, 0, out);
            }
        });
    }
    mirrorLower(r, out);
}

// P × Q dot products of B's columns p0.. and q0.. over h rows, a vector of rows at a time; the
// last, partial vector read masked.
template <int P, int Q>
void gramOfRowsBlock(const float* B, Index ldB, Index h, Index r, Index p0, Index q0,
                     float* out) {
    V acc[P][Q];
    for (auto& row : acc)
        for (V& a : row) a = Simd::zero();
    auto rowVector = [&](Index at, int lanes) {
        V a[P];
        for (int i = 0; i < P; ++i) a[i] = loadLanes(B + (p0 + i) * ldB + at, lanes);
        for (int q = 0; q < Q; ++q) {
            const V b = loadLanes(B + (q0 + q) * ldB + at, lanes);
            for (int i = 0; i < P; ++i) acc[i][q] = Simd::fma(a[i], b, acc[i][q]);
        }
    };
    const Index full = h / W;
    const int tail = static_cast<int>(h % W);
    for (Index v = 0; v < full; ++v) rowVector(v * W, 0);
    if (tail != 0) rowVector(full * W, tail);
    for (int q = 0; q < Q; ++q)
        for (int i = 0; i < P; ++i) out[p0 + i + (q0 + q) * r] = Simd::sum(acc[i][q]);
}

void gramOfRows(const float* B, Index ldB, Index h, Index r, float* out) {
    constexpr int P = kRowsP, Q = kRowsQ;
    for (Index q0 = 0; q0 < r; q0 += Q)
        for (Index p0 = q0 / P * P; p0 < r; p0 += P)
            withCount<P>(static_cast<int>(lo(P, r - p0)), [&](auto pn) {
                withCount<Q>(static_cast<int>(lo(Q, r - q0)), [&](auto qn) {
                    gramOfRowsBlock<decltype(pn)::value, decltype(qn)::value>(B, ldB, h, r, p0,
                                                                              q0, out);
                });
            });
    mirrorLower(r, out);
}

// out[p0 .. p0 + PV·W, j0 .. j0 + J) = cs·Σ_p G[:, p]·A[p, j] − c·C[:, j] (the last vector with
// `tail` rows, 0 = full).
template <int PV, int J, bool Tail>
void gradientBlock(const float* G, const float* A, const float* C, Index r, Index p0, Index j0,
                   int tail, float c, float cs, float* out) {
    V acc[PV][J];
    for (auto& row : acc)
        for (V& a : row) a = Simd::zero();
    for (Index p = 0; p < r; ++p) {
        V g[PV];
        for (int i = 0; i < PV; ++i)
            g[i] = Tail && i == PV - 1 ? Simd::loadFirst(G + p * r + p0 + i * W, tail)
                                       : Simd::load(G + p * r + p0 + i * W);
        for (int j = 0; j < J; ++j) {
            const V a = Simd::broadcast(A[p + (j0 + j) * r]);
            for (int i = 0; i < PV; ++i) acc[i][j] = Simd::fma(g[i], a, acc[i][j]);
        }
    }
    const V vc = Simd::broadcast(c), vcs = Simd::broadcast(cs);
    for (int j = 0; j < J; ++j)
        for (int i = 0; i < PV; ++i) {
            const Index at = (j0 + j) * r + p0 + i * W;
            const int lanes = Tail && i == PV - 1 ? tail : 0;
            storeLanes(out + at, Simd::fms(vcs, acc[i][j], Simd::mul(vc, loadLanes(C + at, lanes))),
                       lanes);
        }
}

void gradientOfColumns(const float* G, const float* A, const float* C, Index r, Index w,
                       float c, float cs, float* out) {
    if (r == 1) {  // w contiguous values: out = (cs·G)·A − c·C
        const V g = Simd::broadcast(cs * G[0]), vc = Simd::broadcast(c);
        for (Index j = 0; j < w; j += W) {
            const int lanes = j + W <= w ? 0 : static_cast<int>(w - j);
            storeLanes(out + j,
                       Simd::fms(g, loadLanes(A + j, lanes), Simd::mul(vc, loadLanes(C + j, lanes))),
                       lanes);
        }
        return;
    }
    constexpr int PV = kGradVectors, J = kGradColumns;
    const Index vectors = (r + W - 1) / W;
    const int tail = static_cast<int>(r % W);
    auto columns = [&](auto pv, Index v) {
        constexpr int kPV = decltype(pv)::value;
        const int lanes = v + kPV == vectors ? tail : 0;
        auto run = [&](auto hasTail) {
            constexpr bool kTail = decltype(hasTail)::value;
            Index j = 0;
            for (; j + J <= w; j += J)
                gradientBlock<kPV, J, kTail>(G, A, C, r, v * W, j, lanes, c, cs, out);
            for (; j < w; ++j) gradientBlock<kPV, 1, kTail>(G, A, C, r, v * W, j, lanes, c, cs, out);
        };
        if (lanes != 0) run(Flag<true>{});
        else run(Flag<false>{});
    };
    Index v = 0;
    for (; v + PV <= vectors; v += PV) columns(Int<PV>{}, v);
    for (; v < vectors; ++v) columns(Int<1>{}, v);
}

void packRows(const float* B, Index ldB, Index h, Index r, float* out) {
    const Index full = h / W;
    const int tail = static_cast<int>(h % W);
    for (Index p = 0; p < r; ++p) {
        const float* column = B + p * ldB;
        for (Index v = 0; v < full; ++v)
            Simd::store(out + (v * r + p) * W, Simd::load(column + v * W));
        if (tail != 0)
            Simd::store(out + (full * r + p) * W, Simd::loadFirst(column + full * W, tail));
    }
}

// Rows of RV row vectors (from v; the last with `tail` rows, 0 = full) × Q columns from q0 of
// cs·B·G − c·C. B packed by rows, so that its r columns are one stream, not r strides of ldB
// that fall in the same L1 sets.
template <int RV, int Q, bool Tail>
void gradientOfRowsBlock(const float* Bp, const float* G, const float* C, Index ldC, Index r,
                         Index v, Index q0, int tail, float c, float cs, float* out,
                         Index ldOut) {
    V acc[RV][Q];
    for (auto& row : acc)
        for (V& a : row) a = Simd::zero();
    for (Index p = 0; p < r; ++p) {
        V b[RV];
        for (int i = 0; i < RV; ++i) b[i] = Simd::load(Bp + ((v + i) * r + p) * W);
        for (int q = 0; q < Q; ++q) {
            const V g = Simd::broadcast(G[p + (q0 + q) * r]);
            for (int i = 0; i < RV; ++i) acc[i][q] = Simd::fma(b[i], g, acc[i][q]);
        }
    }
    const V vc = Simd::broadcast(c), vcs = Simd::broadcast(cs);
    for (int q = 0; q < Q; ++q)
        for (int i = 0; i < RV; ++i) {
            const int lanes = Tail && i == RV - 1 ? tail : 0;
            const V cv = loadLanes(C + (q0 + q) * ldC + (v + i) * W, lanes);
            storeLanes(out + (q0 + q) * ldOut + (v + i) * W,
                       Simd::fms(vcs, acc[i][q], Simd::mul(vc, cv)), lanes);
        }
}

void gradientOfRows(const float* Bp, const float* G, const float* C, Index ldC, Index h, Index r,
                    float c, float cs, float* out, Index ldOut) {
    constexpr int RV = kGradVectors, Q = kGradColumns;
    const Index vectors = (h + W - 1) / W;
    const int tail = static_cast<int>(h % W);
    auto rows = [&](auto rv, Index v) {
        constexpr int kRV = decltype(rv)::value;
        const int lanes = v + kRV == vectors ? tail : 0;
        for (Index q0 = 0; q0 < r; q0 += Q)
            withCount<Q>(static_cast<int>(lo(Q, r - q0)), [&](auto qn) {
                constexpr int kQ = decltype(qn)::value;
                if (lanes != 0)
                    gradientOfRowsBlock<kRV, kQ, true>(Bp, G, C, ldC, r, v, q0, lanes, c, cs,
                                                       out, ldOut);
                else
                    gradientOfRowsBlock<kRV, kQ, false>(Bp, G, C, ldC, r, v, q0, 0, c, cs, out,
                                                        ldOut);
            });
    };
    Index v = 0;
    for (; v + RV <= vectors; v += RV) rows(Int<RV>{}, v);
    for (; v < vectors; ++v) rows(Int<1>{}, v);
}

// Σ over columns [j0, j0 + J) and row vectors [v, v + RV) of (s·(B·A) − T)²: RV × J
// accumulators over the ranks, then the residuals and their squares in two accumulators. T is
// read masked in the matrix's last row vector (`lastIsTail`; packed B is zero past d).
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
    for (; j + J <= w; j += J) rows(Int<J>{}, j);
    for (; j < w; ++j) rows(Int<1>{}, j);
    return total;
}

double dotDouble(const float* a, const float* b, Index n) { return Simd::dotDouble(a, b, n); }

// x·0 is 0 for every finite x and NaN for ±inf and NaN, so the sum of the products is 0
// exactly when every entry is finite (built without -ffast-math, which would fold x·0).
bool allFinite(const float* x, Index n) {
    V acc0 = Simd::zero(), acc1 = Simd::zero();
    const V zero = Simd::zero();
    Index i = 0;
    for (; i + 2 * W <= n; i += 2 * W) {
        acc0 = Simd::fma(Simd::load(x + i), zero, acc0);
        acc1 = Simd::fma(Simd::load(x + i + W), zero, acc1);
    }
    for (; i < n; i += W) acc0 = Simd::fma(loadLanes(x + i, i + W <= n ? 0 : static_cast<int>(n - i)), zero, acc0);
    return Simd::sum(Simd::add(acc0, acc1)) == 0.0f;
}

void adam(const detail::AdamArgs& a, Index n) {
    const V b1 = Simd::broadcast(a.b1), b2 = Simd::broadcast(a.b2);
    const V omb1 = Simd::broadcast(a.omb1), omb2 = Simd::broadcast(a.omb2);
    const V stepScale = Simd::broadcast(a.stepScale), invBc2 = Simd::broadcast(a.invBc2);
    const V eps = Simd::broadcast(a.eps);
    for (Index i = 0; i < n; i += W) {
        const int lanes = i + W <= n ? 0 : static_cast<int>(n - i);
        const V g = loadLanes(a.g + i, lanes);
        const V m = Simd::add(Simd::mul(b1, loadLanes(a.m + i, lanes)), Simd::mul(omb1, g));
        const V v = Simd::add(Simd::mul(b2, loadLanes(a.v + i, lanes)),
                              Simd::mul(omb2, Simd::mul(g, g)));
        const V step = Simd::div(Simd::mul(stepScale, m),
                                 Simd::add(Simd::sqrt(Simd::mul(invBc2, v)), eps));
        storeLanes(a.mOut + i, m, lanes);
        storeLanes(a.vOut + i, v, lanes);
        storeLanes(a.pOut + i, Simd::sub(loadLanes(a.p + i, lanes), step), lanes);
    }
}

}  // namespace

}  // namespace loralab::LORALAB_ISA
