// The driver of the one pass over T (see thin_products.h): scratch space, the team, the
// kernel table's packing, column loops and sums, and the TeamWork protocol.
#include "thin_products.h"

#include "kernels.h"
#include "team.h"

#include <algorithm>

namespace loralab {

using detail::onSpinTeam;
using detail::onTeam;
using detail::share;
using detail::teamBarrier;

void ThinProducts::forceIsa(Isa isa) { m_table = &detail::kernelTable(isa); }

void ThinProducts::computeSimd(const Matrix& T, const Matrix& B, const Matrix& A, Matrix& TAt,
                               Matrix& BtT, bool withTAt, int threads, TeamWork* work) {
    const detail::KernelTable& kt = m_table != nullptr ? *m_table : detail::kernels();
    const Index d = T.rows(), k = T.cols(), r = A.rows(), W = kt.width;
    const FitPlan plan = planFitPass({d, k, r, threads}, kt.isa, CacheInfo::ofThisMachine());
    m_lastPlan = plan;
    const Index vectors = (d + W - 1) / W;
    const auto size = static_cast<std::size_t>(detail::packedSize(kt, d, r));

    if (static_cast<int>(m_packedB.size()) < threads) m_packedB.resize(threads);
    if (static_cast<int>(m_parts.size()) < threads) m_parts.resize(threads);
    if (static_cast<int>(m_partPointers.size()) < threads) m_partPointers.resize(threads);
    for (int t = 0; t < threads; ++t) {
        m_packedB[t].resize(size);
        if (withTAt) m_parts[t].resize(size);
        m_partPointers[t] = m_parts[t].data();
    }

    auto body = [&](int t, int n) {
        // Each thread packs B itself, onto its own pages: packed once for all before the fork,
        // one core held every line modified while the other read it, and ran slower.
        kt.packB(B.data(), d, r, plan.P, m_packedB[t].data());
        float* C = withTAt ? m_parts[t].data() : nullptr;
        if (withTAt) std::fill(m_parts[t].begin(), m_parts[t].end(), 0.0f);
        const auto [j0, j1] = share(k, t, n, plan.J);
        BtT.middleCols(j0, j1 - j0).setZero();
        const detail::FitPassArgs args{T.data(), d, k, r, A.data(), BtT.data(),
                                       m_packedB[t].data(), C, plan};
        kt.fitColumns(args, j0, j1);
        const auto [vb, ve] = share(vectors, t, n, 1);
        const TeamWork::Range cols{j0, j1}, rows{std::min(d, vb * W), std::min(d, ve * W)};
        if (work != nullptr) work->partial(t, n, cols, rows);
        if (!withTAt) return;
        teamBarrier(n);  // every partial complete: each thread sums a share of TAt's rows
        kt.sumPartials(m_partPointers.data(), n, d, r, plan.P, vb, ve, TAt.data());
        if (work != nullptr) work->finish(t, n, cols, rows);
    };
    if (work != nullptr && work->onOpenMpTeam()) onTeam(threads, body);
    else onSpinTeam(threads, body);
}

void ThinProducts::compute(const Matrix& T, const Matrix& B, const Matrix& A, Matrix& TAt,
                           Matrix& BtT, bool withTAt, int threads, Kernel kernel,
                           TeamWork* work) {
    const Index d = T.rows(), k = T.cols(), r = A.rows();
    if (!(B.rows() == d && B.cols() == r && A.cols() == k && r >= 1 && BtT.rows() == r &&
          BtT.cols() == k && (!withTAt || (TAt.rows() == d && TAt.cols() == r))))
        require(false, "ThinProducts",
                "shapes do not agree: need T d x k, B d x r, A r x k, TAt d x r, BtT r x k");
    if (threads < 1) require(false, "ThinProducts", "threads must be >= 1");
    if (kernel == Kernel::Eigen) computeEigen(T, B, A, TAt, BtT, withTAt, threads, work);
    else computeSimd(T, B, A, TAt, BtT, withTAt, threads, work);
}

}  // namespace loralab
