#include "io/curve_csv.h"

#include <cstdio>

namespace loralab {

std::string curveRow(const HistoryPoint& p) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "%lld,%.9g,%.9g,%lld", p.step, p.loss, p.floor,
                  static_cast<long long>(p.rank));
    return buf;
}

std::string compareCsvHeader(const std::vector<MethodKind>& methods) {
    std::string line = "step";
    for (MethodKind kind : methods) line += std::string(",") + methodName(kind);
    return line + ",floor";
}

std::string compareCsvRow(long long step, const std::vector<std::optional<double>>& losses,
                          double floor) {
    char buf[64];
    std::string line = std::to_string(step);
    for (const std::optional<double>& loss : losses) {
        line += ',';
        if (loss) {
            std::snprintf(buf, sizeof buf, "%.9g", *loss);
            line += buf;
        }
    }
    std::snprintf(buf, sizeof buf, ",%.9g", floor);
    return line + buf;
}

CurveCsvWriter::CurveCsvWriter(const std::string& path) : m_file(path, true) {
    m_file.write("step,loss,floor,rank\n");
}

void CurveCsvWriter::append(const HistoryPoint& point) {
    m_file.write(curveRow(point) + '\n');
    ++m_rows;
    if (m_rows % 4096 == 0) m_file.flush();  // surface a full disk early, not only at the end
}

void CurveCsvWriter::commit() { m_file.commit(); }

void writeCurveCsv(const std::string& path, const std::vector<HistoryPoint>& history) {
    CurveCsvWriter writer(path);
    for (const HistoryPoint& p : history) writer.append(p);
    writer.commit();
}

}  // namespace loralab
