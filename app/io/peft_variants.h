// Exporting DoRA, PiSSA and VeRA adapters as Hugging Face peft saves them (beside plain LoRA in
// peft_adapter.h; the same two files in DIR, each written atomically).
//
//   dora   lora_A, lora_B and base_model.model.<module>.lora_magnitude_vector (d, 1-D), with
//          "use_dora": true: get_peft_model_state_dict drops the ".weight" of DoRA's magnitude
//          module so that the key is the one DoRA adapters always had.
//   pissa  the adapter for the ORIGINAL base, as save_pretrained(...,
//          path_initial_model_for_weight_conversion=...) writes it: a plain LoRA of rank 2r,
//          lora_A = [A; A₀], lora_B = [B, −B₀] (A₀, B₀: PiSSA's initial factors), lora_alpha 2α
//          (√2·α with rsLoRA), so W0 + s·(B·A − B₀·A₀) = residual + s·B·A. peft's unconverted
//          save would need the residual base, which no adapter file carries.
//   vera   base_model.model.<module>.vera_lambda_b (d), .vera_lambda_d (r), and the shared
//          projections base_model.vera_A (r×k), base_model.vera_B (d×r): save_projection is
//          true, so peft loads these exact matrices instead of regenerating them from
//          projection_prng_key with torch's generator (which LoRA Lab does not reproduce).
// Full fine-tuning has no adapter (every weight changes): writeMethodAdapter refuses it.
#pragma once

#include "loralab/methods.h"

#include <string>

namespace loralab {

// Throws std::invalid_argument for full fine-tuning or a bad module name, IoError on I/O.
void writeMethodAdapter(const std::string& dir, const std::string& module, const Method& method);

// The adapter_config.json text for VeRA.
std::string veraConfigJson(const std::string& module, Index rank, double dInitial);

}  // namespace loralab
