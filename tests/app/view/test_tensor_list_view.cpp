// The tensor list's view (app/view/tensor_list_view.h): the search, and which tensors can be
// the fit's target and why not.
#include "view/tensor_list_view.h"

#include "../file_fixtures.h"

#include <gtest/gtest.h>

#include <cstdio>

using namespace loralab;
using namespace loralab::test;

TEST(TensorListView, SearchAndTargetChecks) {
    const std::string path = ::testing::TempDir() + "/loralab_list.safetensors";
    writeBytes(path, safetensorsBytes({{"model.layers.0.self_attn.q_proj.weight", "BF16", Matrix::Zero(8, 8)},
                                       {"model.layers.1.mlp.up_proj.weight", "F32", Matrix::Zero(16, 8)},
                                       {"model.embed_tokens.weight", "F16", Matrix::Zero(5000, 8)}}));
    TensorListView view(path);
    EXPECT_EQ(view.totalParams(), 64 + 128 + 40000);
    view.setFilter("proj");
    EXPECT_EQ(view.visible().size(), 2u);
    view.setFilter("layers.1 UP");
    ASSERT_EQ(view.visible().size(), 1u);
    const WeightEntry& up = view.weights().entries[view.visible()[0]];
    EXPECT_EQ(targetProblem(up, 4096), "");
    WeightEntry e = up;
    e.shape = {16};
    EXPECT_NE(targetProblem(e, 4096).find("1-D"), std::string::npos);
    e = up;
    e.dtype = "I64";
    EXPECT_NE(targetProblem(e, 4096).find("I64"), std::string::npos);
    for (const WeightEntry& w : view.weights().entries)
        if (w.name == "model.embed_tokens.weight") {
            EXPECT_NE(targetProblem(w, 4096).find("5000x8"), std::string::npos);
        }
    std::remove(path.c_str());
}
