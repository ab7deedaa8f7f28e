"""Fixtures shared by the learning tests: the digits split of the conversion issue."""

from typing import NamedTuple

import numpy as np
import pytest

#: Fraction of scikit-learn's 1797 8x8 digits held out (450 images), and the split's seed.
TEST_FRACTION = 0.25
SPLIT_SEED = 0


class DigitsSplit(NamedTuple):
    """Digits scaled to [0, 1] (pixel values / 16), split once, stratified by label."""

    x_train: np.ndarray
    x_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray


@pytest.fixture(scope="session")
def digits_split():
    """The issue's fixed split (25 % test, stratified, seed 0), as in benchmarks/.

    ``tests/learning/test_conversion.py`` and ``test_conversion_slow.py`` train their MLPs
    on it; ``benchmarks/bench_conversion.py`` draws the same split.
    """
    pytest.importorskip("sklearn")
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    x, y = load_digits(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(
        x / 16.0, y, test_size=TEST_FRACTION, random_state=SPLIT_SEED, stratify=y
    )
    return DigitsSplit(x_train, x_test, y_train, y_test)
