// queries::first / queries::second: which half of an attention layer's input pair asks (holds the queries); the other
// half answers (keys and values). One pair thereby feeds attention in either direction.
#pragma once

namespace helix {

enum class queries { first, second };

}  // namespace helix
