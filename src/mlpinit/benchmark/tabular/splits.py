"""The suite's repeated train/test splits: fixed seeds, stratified for
classification.

Split ``s`` of a data set is a function of ``s`` alone (seed ``s``, 80/20),
so that split 0 is the same whether a run asks for 1 split or 10, and a
cached result of split ``s`` stays valid. The model fitted on split ``s``
gets ``random_state=s``.

Like :mod:`.datasets`, this module imports numpy and scikit-learn only, so
that ``benchmarks/realmlp_runner.py`` can import it by file path.
"""

import numpy as np

TEST_SIZE = 0.2
DEFAULT_SPLITS = 3


def split_indices(y, task, split):
    """Train and test row indices of split number ``split``.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
    task : {"classification", "regression"}
        Classification splits are stratified by ``y``.
    split : int
        The split's number; also its seed.

    Returns
    -------
    train, test : ndarray of int
        Sorted row indices; together they are every row once.
    """
    from sklearn.model_selection import train_test_split

    stratify = y if task == "classification" else None
    train, test = train_test_split(
        np.arange(len(y)), test_size=TEST_SIZE, random_state=split, stratify=stratify
    )
    return np.sort(train), np.sort(test)
