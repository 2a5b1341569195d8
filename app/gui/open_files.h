// Files opened into the window (dropped on it, typed into File > Open, or --open): the
// tensor list of a .safetensors file and the modules of an adapter folder, each in its own
// floating window (panel_files.cpp). A picture or CSV goes straight to the fit as its target.
#pragma once

#include "view/adapter_view.h"
#include "view/tensor_list_view.h"

#include <array>
#include <memory>

namespace loralab::gui {

struct OpenFiles {
    std::unique_ptr<TensorListView> tensors;  // null: no tensor list open
    std::unique_ptr<AdapterView> adapter;     // null: no adapter open
    std::array<char, 256> tensorFilter{};     // search texts as ImGui edits them
    std::array<char, 256> moduleFilter{};
    bool openBox = false;                     // File > Open shown
    std::array<char, 1024> pathText{};
    long long uploadedAdapter = -1;           // AdapterView::version() in the heatmap slots
};

// Heatmap slots of the adapter window, after the fit's (HeatmapSlot in app.h).
enum AdapterSlot { AdapterSlotB = 16, AdapterSlotA, AdapterSlotDeltaW, AdapterSlotKept };

}  // namespace loralab::gui
