// What every kernel file of an ISA shares (see kernels.h): its vector, and small helpers of
// its own, so that no inline function of the standard library is compiled for this ISA.
namespace loralab::LORALAB_ISA {

namespace {

constexpr int W = Simd::W;
using V = Simd::V;

inline Index lo(Index a, Index b) { return a < b ? a : b; }
inline Index hi(Index a, Index b) { return a < b ? b : a; }

template <bool B>
struct Flag {
    static constexpr bool value = B;
};
template <int N>
struct Int {
    static constexpr int value = N;
};

// f(Int<n>{}) for a run-time 1 <= n <= Max: blocks at the edges get kernels of their size.
template <int Max, class F>
void withCount(int n, F&& f) {
    if constexpr (Max > 1) {
        if (n < Max) {
            withCount<Max - 1>(n, f);
            return;
        }
    }
    f(Int<Max>{});
}

// A vector of which only the first `lanes` are meant (0 = all): the rest read as zeros and are
// never written.
inline V loadLanes(const float* p, int lanes) {
    return lanes == 0 ? Simd::load(p) : Simd::loadFirst(p, lanes);
}
inline void storeLanes(float* p, V v, int lanes) {
    if (lanes == 0) Simd::store(p, v);
    else Simd::storeFirst(p, v, lanes);
}

}  // namespace

}  // namespace loralab::LORALAB_ISA
