// The loss-curve CSV: header "step,loss,floor,rank", one row per recorded step
// (step = updates applied before the loss was measured; floor = Eckart–Young floor at the rank
// in force). Written through the one output path (output_file.h): rows stream into a temporary
// file while training runs and the file appears under its name only on commit(); a FIFO gets
// them as they come, and "-" is standard output.
#pragma once

#include "io/output_file.h"
#include "loralab/methods.h"
#include "loralab/trainer.h"

#include <optional>
#include <string>
#include <vector>

namespace loralab {

class CurveCsvWriter {
public:
    explicit CurveCsvWriter(const std::string& path);  // throws IoError, OutputPathError

    void append(const HistoryPoint& point);  // throws IoError (or StdoutClosed)
    void commit();                           // throws IoError
    long long rows() const { return m_rows; }
    bool toStdout() const { return m_file.kind() == OutputKind::StandardOutput; }

private:
    OutputFile m_file;
    long long m_rows = 0;
};

// One CSV row (no newline), with enough digits to read the float back exactly.
std::string curveRow(const HistoryPoint& point);

// A comparison's curve (--compare, the window's CSV export): header "step,<method>,…,floor", a
// loss column per method in the order given, then LoRA's floor at the rank. A loss a method has
// no value for at that step (it diverged and stopped) is an empty cell.
std::string compareCsvHeader(const std::vector<MethodKind>& methods);
std::string compareCsvRow(long long step, const std::vector<std::optional<double>>& losses,
                          double floor);

// Writes a whole history at once (the GUI's "Export curve").
void writeCurveCsv(const std::string& path, const std::vector<HistoryPoint>& history);

}  // namespace loralab
