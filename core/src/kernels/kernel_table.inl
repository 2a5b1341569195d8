// This ISA's table (kernels.h).
namespace loralab::LORALAB_ISA {

const detail::KernelTable& table() {
    static const detail::KernelTable kTable{
        LORALAB_ISA_ENUM, W,          packB,          fitColumns,      sumPartials,
        gramOfColumns,    gramOfRows, gradientOfColumns, packRows,     gradientOfRows,
        residualSquares,  dotDouble,  allFinite,      adam};
    return kTable;
}

}  // namespace loralab::LORALAB_ISA
