"""The numerical core (floor 1): plain numpy and scipy, no scikit-learn.

Arrays in, arrays out. ``activations`` holds the activation, derivative and
loss tables; ``network`` the flat-parameter layout, forward and backward
passes and chunked prediction; ``optimizers`` SGD, Adam and L-BFGS;
``training`` the mini-batch loop; ``layer_stats`` the per-layer statistics.
``tests/test_layering.py`` checks that nothing here imports scikit-learn,
matplotlib, pandas or an mlpinit module above this floor.
"""
