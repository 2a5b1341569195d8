// The loss-curve CSV: header "step,loss,floor,rank", one row per recorded step
// (step = updates applied before the loss was measured; floor = Eckart–Young floor at the rank
// in force). Written atomically: rows stream into a temporary file while training runs, and
// the file appears under its name only on commit().
#pragma once

#include "io/atomic_file.h"
#include "loralab/trainer.h"

#include <string>
#include <vector>

namespace loralab {

class CurveCsvWriter {
public:
    explicit CurveCsvWriter(const std::string& path);  // throws IoError (e.g. missing folder)

    void append(const HistoryPoint& point);  // throws IoError on a write error
    void commit();                           // throws IoError
    long long rows() const { return m_rows; }

private:
    AtomicFile m_file;
    long long m_rows = 0;
};

// One CSV row (no newline), with enough digits to read the float back exactly.
std::string curveRow(const HistoryPoint& point);

// Writes a whole history at once (the GUI's "Export curve").
void writeCurveCsv(const std::string& path, const std::vector<HistoryPoint>& history);

}  // namespace loralab
