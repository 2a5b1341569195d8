// A scenario whose every field differs from the defaults, so a field that is dropped on the
// way (to the trainer's config, to JSON and back) shows.
#pragma once

#include "scenario/scenario.h"

namespace loralab::test {

inline Scenario variedScenario() {
    Scenario s;
    s.d = 48;
    s.k = 20;
    s.rank = 5;
    s.alpha = 16.0;
    s.rslora = true;
    s.init = Init::Gaussian;
    s.target = TargetKind::Decay;
    s.targetRank = 7;
    s.decayPower = 1.5;
    s.optimizer = OptimizerKind::Momentum;
    s.lr = 0.003;
    s.steps = 40;
    s.seed = 77;
    s.base = BaseKind::File;
    s.baseFile = "w0.safetensors";
    s.baseTensor = "q.weight";
    s.baseDtype = BaseDtype::Nf4;
    s.doubleQuant = true;
    return s;
}

}  // namespace loralab::test
