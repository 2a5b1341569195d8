// Linked instead of app/gui/ when LORALAB_BUILD_GUI is OFF: there is no window to hand out.
#include "cli/gui_entry.h"

namespace loralab {

GuiEntry guiEntry() { return {}; }

}  // namespace loralab
