#pragma once
// The catalog entries' readers: the versions, element counts, shapes, operator
// and type names in a matched message, turned into facts and a fix that names
// them (failure_catalog.cpp points each entry at its reader).
#include "explain/failure_catalog.h"

namespace mtool::details {

Refined bytecode_version(const MatchContext& match, Finding& finding);
Refined tensor_not_scalar(const MatchContext& match, Finding& finding);
Refined input_rank(const MatchContext& match, Finding& finding);
Refined input_channels(const MatchContext& match, Finding& finding);
Refined file_format_version(const MatchContext& match, Finding& finding);
Refined output_type(const MatchContext& match, Finding& finding);
Refined unknown_operator(const MatchContext& match, Finding& finding);
Refined unknown_type(const MatchContext& match, Finding& finding);
Refined quantized_dispatch(const MatchContext& match, Finding& finding);
Refined weights_only(const MatchContext& match, Finding& finding);
Refined unpickling_error(const MatchContext& match, Finding& finding);
Refined ran_out_of_input(const MatchContext& match, Finding& finding);
Refined central_directory(const MatchContext& match, Finding& finding);
Refined coreml_spec_version(const MatchContext& match, Finding& finding);
Refined coreml_nn_outputs(const MatchContext& match, Finding& finding);
Refined coreml_unbounded_shape(const MatchContext& match, Finding& finding);
Refined executorch_identifier(const MatchContext& match, Finding& finding);
Refined executorch_backend(const MatchContext& match, Finding& finding);
Refined executorch_operators(const MatchContext& match, Finding& finding);

}  // namespace mtool::details
