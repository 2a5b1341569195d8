// `loralab --headless` with --method (other than plain lora), --lr-ratio or --compare: the
// method trainer instead of the LoRA Trainer. Same streams, exit codes and outputs as
// runHeadless (headless.h); --compare prints one row per method (or {"results": [...]}) and its
// --curve has a loss column per method.
#pragma once

#include "headless/headless.h"

#include <iosfwd>

namespace loralab {

// renderOffscreen draws --screenshot (checked by the caller) after the run.
int runMethodHeadless(const HeadlessOptions& options, std::ostream& out, std::ostream& err,
                      GuiRunner renderOffscreen);
int runCompareHeadless(const HeadlessOptions& options, std::ostream& out, std::ostream& err,
                       GuiRunner renderOffscreen);

}  // namespace loralab
