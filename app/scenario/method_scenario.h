// The fine-tuning methods as a scenario states them (--method, --lr-ratio, --compare): which
// runs take the method trainer, their problem (frozen base and target weight) and config.
#pragma once

#include "scenario/scenario.h"

#include "loralab/method_trainer.h"

#include <memory>
#include <string>
#include <vector>

namespace loralab {

// True when the scenario needs the method trainer: a method other than lora, a LoRA+ ratio, or
// a comparison. Plain LoRA keeps the core Trainer (its fit step is the fast one).
bool usesMethodTrainer(const Scenario& s);

// The one-line usage errors of these options, before any work (std::invalid_argument):
// a ratio where no B learns, dora or pissa with no base, a method list with --method.
void checkMethodOptions(const Scenario& s, bool methodGiven);

// Every method's name, for --method's choices.
std::vector<std::string> methodNames();

// --compare's list: parseMethodList's, with errors that name --compare.
std::vector<MethodKind> parseCompareList(const std::string& text);

// W0ₛ and W* = W0 + T for the scenario, and LoRA's floor spectrum of W* − W0ₛ. With no base
// option W0 = 0, so W* = T and every method starts from zero.
std::shared_ptr<const MethodProblem> makeMethodProblem(const Scenario& s);

// The method trainer's config (method.kind = s.method; a comparison sets it per method).
MethodTrainerConfig toMethodTrainerConfig(const Scenario& s);

}  // namespace loralab
