// The adapter window's view (app/view/adapter_view.h) without ImGui: the sampled B, A, ΔW and
// ΔW_R are exact entries of the dense products, the resize figures match a dense SVD, and the
// search and module names behave.
#include "view/adapter_view.h"

#include "../file_fixtures.h"

#include "dense_reference.h"

#include <gtest/gtest.h>

#include <Eigen/SVD>

#include <filesystem>

using namespace loralab;
using namespace loralab::test;

namespace {

std::string makeAdapter(const std::string& name, Index d, Index k, Index r) {
    const std::string dir = ::testing::TempDir() + "/loralab_view_" + name;
    std::filesystem::remove_all(dir);
    const std::string p = "base_model.model.model.layers.";
    writeAdapterFolder(dir,
                       {{p + "0.self_attn.q_proj", randomMatrix(d, r, 1), randomMatrix(r, k, 2)},
                        {p + "0.self_attn.v_proj", randomMatrix(d, r, 3), randomMatrix(r, k, 4)},
                        {p + "10.self_attn.q_proj", randomMatrix(d, r, 5), randomMatrix(r, k, 6)}},
                       "F32", "{\"r\": " + std::to_string(r) + ", \"lora_alpha\": 12}");
    return dir;
}

}  // namespace

TEST(AdapterView, SampledMatricesAreExactEntries) {
    // 400 rows: more than kMaxShownCells, so rows are sampled; 30 columns are all shown.
    const std::string dir = makeAdapter("sampled", 400, 30, 6);
    AdapterView view(dir);
    AdapterFolder folder(dir);
    Matrix B, A;
    folder.load(0, B, A);
    const double s = 12.0 / 6.0;
    const MatrixD dw = s * B.cast<double>() * A.cast<double>();
    ASSERT_EQ(view.rows().size(), static_cast<std::size_t>(kMaxShownCells));
    EXPECT_EQ(view.rows().front(), 0);
    EXPECT_EQ(view.rows().back(), 399);
    ASSERT_EQ(view.cols().size(), 30u);
    for (std::size_t a = 0; a < view.rows().size(); a += 17)
        for (std::size_t b = 0; b < view.cols().size(); ++b) {
            EXPECT_NEAR(view.shownDeltaW()(static_cast<Index>(a), static_cast<Index>(b)), dw(view.rows()[a], view.cols()[b]),
                        1e-4 * dw.cwiseAbs().maxCoeff());
            EXPECT_EQ(view.shownB()(static_cast<Index>(a), 0), B(view.rows()[a], 0));
        }
    // ΔW_R: the dense truncated SVD at the same rows and columns.
    view.setKeepRank(2);
    const loralab::test::DenseSvd svd = loralab::test::jacobiSvd(dw);
    const MatrixD best = svd.matrixU().leftCols(2) * svd.singularValues().head(2).asDiagonal() *
                         svd.matrixV().leftCols(2).transpose();
    for (std::size_t a = 0; a < view.rows().size(); a += 13)
        for (std::size_t b = 0; b < view.cols().size(); b += 3)
            EXPECT_NEAR(view.shownKept()(static_cast<Index>(a), static_cast<Index>(b)), best(view.rows()[a], view.cols()[b]),
                        1e-4 * dw.cwiseAbs().maxCoeff());
    EXPECT_NEAR(view.relativeError(), (dw - best).norm() / dw.norm(), 1e-6);
    EXPECT_NEAR(view.keptEnergy(), best.squaredNorm() / dw.squaredNorm(), 1e-6);
    view.setKeepRank(99);  // clamped to r
    EXPECT_EQ(view.keepRank(), 6);
    EXPECT_NEAR(view.relativeError(), 0.0, 1e-12);
    std::filesystem::remove_all(dir);
}

TEST(AdapterView, SelectionSearchAndShortNames) {
    const std::string dir = makeAdapter("select", 10, 8, 3);
    AdapterView view(dir);
    ASSERT_EQ(view.adapter().modules().size(), 3u);
    EXPECT_EQ(view.shortName(2), "…layers.10.self_attn.q_proj");  // natural order: 0, 0, 10
    const long long before = view.version();
    view.select(1);
    EXPECT_EQ(view.selected(), 1u);
    EXPECT_GT(view.version(), before);
    view.setFilter("Q_PROJ layers.1");
    ASSERT_EQ(view.visible().size(), 1u);
    EXPECT_EQ(view.visible()[0], 2u);
    view.setFilter("");
    EXPECT_EQ(view.visible().size(), 3u);
    std::filesystem::remove_all(dir);
}
