// A fresh folder under the system's temporary folder for one GUI test (the caller removes it).
#pragma once

#include <filesystem>
#include <string>
#include <unistd.h>

namespace loralab::guitest {

inline std::filesystem::path tempDir(const std::string& name) {
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("loralab_gui_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

}  // namespace loralab::guitest
