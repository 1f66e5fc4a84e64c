"""The NumPy data generators draw exactly what scikit-learn draws for the same seed."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import datasets
from sklearn.model_selection import train_test_split

from gdtui.engine import generate

CASES = [(1000, 1), (1001, 7), (10, 0), (333, 123456)]


@pytest.mark.parametrize("samples, seed", CASES)
@pytest.mark.parametrize("std", [1.5, 0.3])
def test_blobs_match_sklearn(samples, seed, std):
    X, y = generate.blobs(samples, std, seed)
    X_ref, y_ref = datasets.make_blobs(n_samples=samples, n_features=2, centers=2, cluster_std=std,
                                       random_state=seed)
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref)


@pytest.mark.parametrize("samples, seed", CASES)
def test_moons_match_sklearn(samples, seed):
    X, y = generate.moons(samples, 0.2, seed)
    X_ref, y_ref = datasets.make_moons(n_samples=samples, noise=0.2, random_state=seed)
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref)


@pytest.mark.parametrize("samples, seed", CASES)
def test_circles_match_sklearn(samples, seed):
    X, y = generate.circles(samples, 0.1, seed)
    X_ref, y_ref = datasets.make_circles(n_samples=samples, noise=0.1, factor=0.5, random_state=seed)
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref)


@pytest.mark.parametrize("n", [1000, 999, 11])
@pytest.mark.parametrize("test_size", [0.5, 0.25, 0.9])
def test_split_matches_train_test_split(n, test_size):
    rows = np.arange(n)
    train_ref, test_ref = train_test_split(rows, test_size=test_size, random_state=42)
    train, test = generate.split_indices(n, test_size, 42)
    np.testing.assert_array_equal(train, train_ref)
    np.testing.assert_array_equal(test, test_ref)
