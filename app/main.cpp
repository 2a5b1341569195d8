// loralab: parse the command line and run the GUI, --headless, --bench or --params.
#include "cli/run.h"

#include <string>
#include <vector>

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    return loralab::cli::runMain(args, loralab::guiEntry());
}
