"""Finding the unit: correlations against numpy's Pearson r, the probe and the PCA against textbook formulas."""

import numpy as np
import pytest

import rnnviz
from rnnviz.probe import find_units, linear_probe_r2, pca_2d


def test_unit_correlations_equal_numpy_pearson():
    rng = np.random.default_rng(0)
    latent = rng.normal(size=(7, 11))
    values = rng.normal(size=(7, 11, 5)) + latent[..., None] * np.array([0.0, 0.5, -2.0, 5.0, 0.1])
    r = rnnviz.unit_correlations(values, latent)
    expected = [np.corrcoef(values[..., u].ravel(), latent.ravel())[0, 1] for u in range(5)]
    np.testing.assert_allclose(r, expected, rtol=1e-12, atol=1e-12)


def test_masked_steps_are_left_out():
    rng = np.random.default_rng(1)
    latent = rng.normal(size=(4, 9))
    values = rng.normal(size=(4, 9, 3)) + latent[..., None]
    mask = rng.random((4, 9)) < 0.6
    values_masked = values.copy()
    values_masked[~mask] = 1e6  # what a masked step holds must not matter
    r = rnnviz.unit_correlations(values_masked, latent, mask=mask)
    expected = [np.corrcoef(values[..., u][mask], latent[mask])[0, 1] for u in range(3)]
    np.testing.assert_allclose(r, expected, rtol=1e-12)


def test_constant_unit_has_r_zero_and_shapes_are_checked():
    latent = np.arange(12.0).reshape(3, 4)
    values = np.stack([np.ones((3, 4)), latent], axis=-1)
    np.testing.assert_allclose(rnnviz.unit_correlations(values, latent), [0.0, 1.0])
    with pytest.raises(ValueError, match="one latent value per row and step"):
        rnnviz.unit_correlations(values, latent[:, :3])
    with pytest.raises(ValueError, match="batch, timesteps, units"):
        rnnviz.unit_correlations(latent, latent)


def test_linear_probe_against_normal_equations_on_held_out_rows():
    rng = np.random.default_rng(2)
    values = rng.normal(size=(10, 6, 4))
    latent = values @ np.array([1.0, -2.0, 0.0, 0.5]) + 3 + rng.normal(scale=0.5, size=(10, 6))
    fit_x = values[0::2].reshape(-1, 4)
    fit_x = np.column_stack([fit_x, np.ones(len(fit_x))])
    w = np.linalg.solve(fit_x.T @ fit_x, fit_x.T @ latent[0::2].ravel())
    score_x = values[1::2].reshape(-1, 4)
    y = latent[1::2].ravel()
    residual = y - np.column_stack([score_x, np.ones(len(score_x))]) @ w
    expected = 1 - (residual**2).sum() / ((y - y.mean()) ** 2).sum()
    assert linear_probe_r2(values, latent) == pytest.approx(expected, rel=1e-9)
    assert linear_probe_r2(values, rng.normal(size=(10, 6))) < 0.2  # no relation: nothing to read


def test_pca_matches_the_covariance_eigenvectors():
    rng = np.random.default_rng(3)
    points = rng.normal(size=(50, 4)) * np.array([5.0, 2.0, 1.0, 0.1])
    coords, share = pca_2d(points)
    centred = points - points.mean(axis=0)
    eigenvalues, eigenvectors = np.linalg.eigh(np.cov(centred.T))
    top = eigenvectors[:, ::-1][:, :2]
    expected = centred @ top
    for k in range(2):  # an axis's sign is arbitrary
        assert np.allclose(coords[:, k], expected[:, k]) or np.allclose(coords[:, k], -expected[:, k])
    np.testing.assert_allclose(share, eigenvalues[::-1][:2] / eigenvalues.sum())


def test_find_units_on_the_shipped_sentiment_model():
    model = rnnviz.pretrained("sentiment")
    report = find_units(model, model, "sentiment", n=60)
    best = report.trained.best
    assert abs(best.r) > 0.9 and report.trained.probe_r2 > 0.9
    values = report.trained.states[best.state][..., best.unit]
    assert abs(np.corrcoef(values.ravel(), report.batch.latent.ravel())[0, 1]) == pytest.approx(abs(best.r))
    assert [abs(s.r) for s in report.trained.ranking] == sorted((abs(s.r) for s in report.trained.ranking), reverse=True)
    assert len(report.trained.ranking) == 32  # 16 units of h and 16 of c
