"""The estimators' private floor: everything that speaks scikit-learn.

- :mod:`.base`: ``BaseMLP``, the shared base of the public estimators of
  :mod:`mlpinit.neural_network` (validate, build the training data, plan,
  run the engine, write the fitted attributes, raise the warnings);
- :mod:`.parameters`: each shared parameter once, its constraint and its
  numpydoc paragraph;
- :mod:`.plan`: ``FitPlan``, the hyperparameters of one fit, checked once;
- :mod:`.fitted`: the only code that reads or writes fitted private
  attributes of training;
- :mod:`.validation`: early stopping's split and validation closure;
- :mod:`.targets`: the classifier's and the regressor's targets (validation,
  label encoding, class weights, scores).

It imports the core (:mod:`mlpinit._core`, :mod:`mlpinit.initializers`) and
the private helpers, never a public module.
"""
