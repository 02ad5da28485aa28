"""Gradients through time: why a SimpleRNN forgets and what the gates buy, on shipped adding-problem models."""

import streamlit as st

from rnnviz.adding import ADDING_CELLS, adding_scores
from rnnviz.i18n import _
from rnnviz.figures.gradients import CELL_COLORS, OWN_COLOR, Line, adding_saliency, gradient_curves, half_life_text
from rnnviz.lessons.gradients import load_lesson, marked_ratio
from rnnviz.ui.charts import chart
from rnnviz.ui.gradient_views import own_curve

st.title(_("Gradients through time"))
st.markdown(_(
    "Training changes a weight by how much the loss would change with it, a gradient, passed back through every "
    "step the model read. Going back one step multiplies it by that step's Jacobian; when those factors are "
    "mostly below 1 the gradient **vanishes**: it shrinks exponentially, and whatever the first steps held can no "
    "longer teach the model anything. Below: ‖∂h_T/∂x_t‖, how much the final hidden state h_T still moves with the "
    "input at step t, on the **adding problem** (100 steps; the answer is the sum of two marked numbers, one in "
    "each half), for a SimpleRNN, a GRU and an LSTM of 32 units before and after training on it."))


@st.cache_data(show_spinner=False)
def lesson():
    return load_lesson(), adding_scores()


shipped, scores = lesson()
lines = [Line((_("{cell} trained · half-life {half_life}") if c.trained else
               _("{cell} untrained · half-life {half_life}")).format(cell=c.cell, half_life=half_life_text(c.half_life)),
              c.relative, CELL_COLORS[c.cell], "solid" if c.trained else "dot") for c in shipped.curves]
mine = own_curve()
if mine is not None:
    lines.append(Line(_("yours: {label} · half-life {half_life}").format(label=mine.label,
                                                                           half_life=half_life_text(mine.half_life)),
                      mine.relative, OWN_COLOR,
                      "dash"))
chart(gradient_curves(lines, title=_("How much the final state depends on each step (log scale)")),
                key="gradients.fig.curves")
if mine is not None:
    st.caption(_("Yours: on the sidebar's input, geometric mean over its rows, estimate (the exact norm is over "
                 "rnnviz's limits for this size: a random-projection estimate).") if mine.method == "estimate" else
               _("Yours: on the sidebar's input, geometric mean over its rows, exact."))

curves = {(c.cell, c.trained): c for c in shipped.curves}
st.dataframe([{_("cell"): cell,
               _("half-life, untrained"): half_life_text(curves[cell, False].half_life),
               _("half-life, trained"): half_life_text(curves[cell, True].half_life),
               _("step 0 ÷ step 99, untrained"): f"{curves[cell, False].relative[0]:.1e}",
               _("step 0 ÷ step 99, trained"): f"{curves[cell, True].relative[0]:.1e}",
               _("test MSE (mean: 0.167)"): f"{scores[cell]['trained']:.4f}"} for cell in ADDING_CELLS],
             hide_index=True, width="stretch")
st.markdown(_(
    "**What the numbers show.** At initialisation *all three* vanish: the half-life, the number of steps over which "
    "the gradient halves, is a few steps for each, so step 0 reaches h_T at a millionth or less of step 99's "
    "strength (the GRU least of all). Gates do not prevent vanishing by themselves. What they give is a path that "
    "training can open: an LSTM's cell state is updated as c_t = f_t · c_{t−1} + i_t · g_t, so going back one step "
    "along it multiplies the gradient by the **forget gate** f_t, with no squashing weight matrix in between. "
    "Training pushed f_t close to 1 where the model has to remember (the GRU's update gate does the same), and the "
    "trained LSTM and GRU keep a fifth or more of the gradient across all 100 steps and solve the task. The "
    "SimpleRNN has only h_t = tanh(W x_t + U h_{t−1} + b): every step multiplies by U and tanh's slope, it never "
    "learned to carry the first number, and its MSE stays at the mean's."))

st.subheader(_("What the trained models look at"))
example = shipped.example
ratios = {cell: marked_ratio(example.saliency[cell], example.marked) for cell in ADDING_CELLS}
chart(adding_saliency(example.values, example.marked,
                                {_("{cell} (answer {answer:.2f})").format(cell=cell, answer=example.predictions[cell]):
                                 example.saliency[cell] for cell in ADDING_CELLS},
                                title=_("Marked numbers at steps {first} and {second}: their sum is {total:.2f}").format(
                                    first=example.marked[0], second=example.marked[1], total=example.target)),
                key="gradients.fig.saliency")
st.markdown(_(
    "The saliency ‖∂y/∂x_t‖ is the same norm for the model's answer y. The trained LSTM's and GRU's answers "
    "depend on the two marked steps {lstm:.0f}× and {gru:.0f}× more than on the average "
    "unmarked step; the SimpleRNN's ({simple:.2g}×) hardly reaches back to the first marked number.").format(
    lstm=ratios["LSTM"], gru=ratios["GRU"], simple=ratios["SimpleRNN"]))
