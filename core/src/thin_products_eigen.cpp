// The portable oracle of the pass over T (see thin_products.h): Eigen's products on tiles.
#include "thin_products.h"

#include "team.h"

#include <algorithm>

namespace loralab {

// Each 256×32 tile of T serves both products while it is in cache; threads split the tile
// columns, each summing its own TAt part; after the team's barrier each thread adds up its
// share of TAt's rows (the same TeamWork protocol as the SIMD kernels).
void ThinProducts::computeEigen(const Matrix& T, const Matrix& B, const Matrix& A, Matrix& TAt,
                                Matrix& BtT, bool withTAt, int threads, TeamWork* work) {
    constexpr Index kTileRows = 256, kTileCols = 32;
    const Index d = T.rows(), k = T.cols(), r = A.rows();
    if (static_cast<int>(m_eigenParts.size()) < threads - 1) m_eigenParts.resize(threads - 1);
    if (withTAt)
        for (int t = 0; t + 1 < threads; ++t) m_eigenParts[t].resize(d, r);
    detail::onTeam(threads, [&](int t, int n) {
        Matrix& acc = t == 0 ? TAt : m_eigenParts[t - 1];
        if (withTAt) acc.setZero();
        const auto [c0, c1] = detail::share(k, t, n, kTileCols);
        for (Index j0 = c0; j0 < c1; j0 += kTileCols) {
            const Index w = std::min(kTileCols, c1 - j0);
            auto btt = BtT.middleCols(j0, w);
            btt.setZero();
            for (Index i0 = 0; i0 < d; i0 += kTileRows) {
                const Index h = std::min(kTileRows, d - i0);
                const auto tile = T.block(i0, j0, h, w);
                btt.noalias() += B.middleRows(i0, h).transpose() * tile;
                if (withTAt)
                    acc.middleRows(i0, h).noalias() += tile * A.middleCols(j0, w).transpose();
            }
        }
        const auto [i0, i1] = detail::share(d, t, n, 1);
        if (work != nullptr) work->partial(t, n, {c0, c1}, {i0, i1});
        if (!withTAt) return;
        detail::teamBarrier(n);
        for (int u = 1; u < n; ++u)
            TAt.middleRows(i0, i1 - i0) += m_eigenParts[u - 1].middleRows(i0, i1 - i0);
        if (work != nullptr) work->finish(t, n, {c0, c1}, {i0, i1});
    });
}

}  // namespace loralab
