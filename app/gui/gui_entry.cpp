// The window's entry points, handed to the command line by main.cpp.
#include "gui.h"

namespace loralab {

GuiEntry guiEntry() { return {runGui, renderOffscreen}; }

}  // namespace loralab
