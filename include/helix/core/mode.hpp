// set_mode(ctx, mode::training | mode::evaluation | mode::inference): the one switch between training and evaluation,
// for any context (cpu_context, cuda::context). What each mode means for the layers:
//   training     dropout active, batch_norm uses and updates batch statistics, auxiliary<> heads run
//   evaluation   dropout off, batch_norm reads its running statistics, auxiliary<> heads run (a validation loss)
//   inference    as evaluation, but auxiliary<> heads are skipped (their outputs NaN): prediction
// mode_of(ctx) reads it back. (The two flags it sets, ctx.training and ctx.auxiliary_outputs, stay public.)
#pragma once

namespace helix {

enum class mode { training, evaluation, inference };

template <class Ctx>
void set_mode(Ctx& ctx, mode m) noexcept {
    ctx.training = m == mode::training;
    ctx.auxiliary_outputs = m != mode::inference;
}

template <class Ctx>
mode mode_of(const Ctx& ctx) noexcept {
    if (ctx.training) return mode::training;
    return ctx.auxiliary_outputs ? mode::evaluation : mode::inference;
}

}  // namespace helix
