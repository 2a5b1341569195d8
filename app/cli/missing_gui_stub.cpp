// TEMPORARY (see app/CMakeLists.txt, LORALAB_APP_WITHOUT_GUI): stands in for loralab_gui.
#include "gui/gui.h"

#include <iostream>

namespace loralab {

int runGui(const GuiOptions&) {
    std::cerr << "loralab: this build has no GUI (LORALAB_APP_WITHOUT_GUI)\n";
    return 1;
}

int renderOffscreen(const GuiOptions&) {
    std::cerr << "loralab: this build has no offscreen renderer (LORALAB_APP_WITHOUT_GUI)\n";
    return 1;
}

}  // namespace loralab
