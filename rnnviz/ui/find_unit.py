"""Find the unit: which unit of h or c follows the task's hidden variable, against the untrained twin."""

from __future__ import annotations

import streamlit as st

from rnnviz.figures.training import coloured_tokens, pca_trajectory, unit_and_latent
from rnnviz.i18n import _
from rnnviz.probe import UnitReport, pca_2d
from rnnviz.tasks import make_task
from rnnviz.ui import keys
from rnnviz.ui.charts import chart
from rnnviz.ui.trained import TrainedModel, unit_report

TEXT_ROWS = 6  # samples offered to the coloured text (it shows as many as fit)
TABLE_ROWS = 8  # units listed in the ranking


def _name(state: str, unit: int) -> str:
    return (_("unit {unit} of cell state c") if state == "c" else _("unit {unit} of hidden state h")).format(unit=unit)


def coloured_text(trained: TrainedModel) -> UnitReport | None:
    """The best unit's value on fresh samples as coloured text, with one sentence; None if it cannot run."""
    try:
        report = unit_report(trained)
    except ValueError as err:
        st.warning(str(err))  # already in the session's language (rnnviz.ui.trained)
        return None
    best = report.trained.best
    task = make_task(trained.task)
    values = report.trained.states[best.state][:TEXT_ROWS, :, best.unit]
    chart(coloured_tokens(report.batch.tokens[:TEXT_ROWS], values,
                          _("The text coloured by {unit}").format(unit=_name(best.state, best.unit))), key="unit_text")
    st.caption(_("Each box is one token, coloured by the unit's value just after reading it (red high, blue low). "
                 "It follows **{latent}** with r = {r:+.2f} over {samples} fresh "
                 "samples; the untrained twin's best unit reaches only |r| = {before:.2f}.").format(
        latent=_(task.latent_name), r=best.r, samples=len(report.batch.tokens), before=abs(report.untrained.best.r)))
    return report


def find_unit_section(trained: TrainedModel) -> None:
    """Ranking, untrained baseline, probe R², coloured text, the best unit over time and a PCA."""
    task = make_task(trained.task)
    st.subheader(_("Find the unit"))
    st.markdown(_("The task's hidden variable is **{latent}**: {about} "
                  "Every unit is scored by how closely it follows it (Pearson r over every step of fresh samples).")
                .format(latent=_(task.latent_name), about=_(task.latent_description)))
    report = coloured_text(trained)
    if report is None:
        return
    best, before = report.trained.best, report.untrained.best
    c1, c2, c3 = st.columns(3)
    c1.metric(_("Best unit: {state} {unit}").format(state=best.state, unit=best.unit), f"|r| = {abs(best.r):.2f}")
    c2.metric(_("Untrained twin's best unit"), f"|r| = {abs(before.r):.2f}",
              help=_("The same network with its starting weights, before any training step. A random network "
                     "already carries some of a latent; only the difference is learned."))
    c3.metric(_("Linear probe over all units"), f"R² = {report.trained.probe_r2:.2f}",
              help=_("A least-squares read-out of the latent from every unit of h and c together, scored on "
                     "held-out samples. Untrained twin: R² = {before:.2f}. A high R² with no "
                     "single high |r| means the latent is spread over several units.").format(
                  before=report.untrained.probe_r2))
    st.dataframe({_("state"): [s.state for s in report.trained.ranking[:TABLE_ROWS]],
                  _("unit"): [s.unit for s in report.trained.ranking[:TABLE_ROWS]],
                  "r": [round(s.r, 3) for s in report.trained.ranking[:TABLE_ROWS]]}, hide_index=True)
    row = int(st.number_input(_("Sample to follow"), 0, len(report.batch.tokens) - 1, 0, key=keys.FIND_ROW))
    labels = report.batch.tokens[row]
    chart(unit_and_latent(report.trained.states[best.state][row, :, best.unit], report.batch.latent[row],
                          labels, _name(best.state, best.unit), _(task.latent_name)), key="unit_curve")
    h = report.trained.states["h"]
    coords, share = pca_2d(h[row], fit_on=h.reshape(-1, h.shape[-1]))
    chart(pca_trajectory(coords, labels, report.batch.latent[row], share, _(task.latent_name)), key="pca")
    st.caption(_("Each point is the hidden state h after one token, placed by the two directions along which the "
                 "states of all samples vary most. Points of equal colour have the same value of the latent."))
