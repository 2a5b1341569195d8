// TEMPORARY (see app/CMakeLists.txt): stands in for app/modes/bench.cpp until it exists.
#include "modes/bench.h"

#include <ostream>

namespace loralab {

int runBench(const BenchOptions&, std::ostream&, std::ostream& err) {
    err << "loralab: this build has no bench (app/modes/bench.cpp not built yet)\n";
    return 1;
}

}  // namespace loralab
