"""How many BLAS threads a fit uses, and giving the caller's setting back.

Two rules, both about reproducibility and speed:

- narrow networks (every hidden layer at most :data:`SINGLE_THREAD_MAX_WIDTH`
  units) train on one BLAS thread: their matrix products are too small to
  gain from a second one on a busy machine, and one thread makes the result
  independent of the caller's thread count;
- scipy's L-BFGS-B loop runs on one thread (its long dot products would
  otherwise round differently with the thread count), while each loss and
  gradient evaluation inside it, where the time goes, gets the caller's
  threads back.

BLAS thread counts are process-wide, so fits running in several threads at
once share them. :class:`BlasThreadPolicy` therefore counts, under a lock,
the contexts that currently need one thread: the first to arrive limits BLAS
to one thread, and the caller's setting comes back only when the last one
leaves, whatever order they leave in. (Independent ``threadpool_limits``
contexts would each restore what they saw on entry, and overlapping ones,
left in the wrong order, would leave the process at one thread for good.)
"""

import threading
from contextlib import contextmanager, nullcontext

import threadpoolctl
from threadpoolctl import ThreadpoolController

# Below this width one BLAS thread beats two on a busy 2-core machine.
SINGLE_THREAD_MAX_WIDTH = 128


def _release_control(force):
    """Let another thread set OpenBLAS's limits (threadpoolctl >= 3.8 only)."""
    openblas = getattr(threadpoolctl, "OpenBLASController", None)
    release = getattr(openblas, "clear_controlling_thread", None)
    if release is not None:
        release(force=force)


class BlasThreadPolicy:
    """Reference-counted one-thread limit on the process's BLAS libraries.

    Use the process-wide instance :data:`BLAS_THREADS`; a second instance
    would keep its own count and defeat the point.

    Examples
    --------
    >>> from mlpinit._blas_threads import BLAS_THREADS
    >>> with BLAS_THREADS.for_network([32, 16]):  # narrow: one thread
    ...     pass
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._controller = None  # built on first use: inspecting costs ms
        self._needing_one = 0  # open contexts that want one thread
        self._lending = 0  # of those, how many lent the caller's threads back
        self._limiter = None  # threadpoolctl's limit while one thread is in force
        self._setter = None  # the Python thread that set it

    def _apply(self):
        # Called with the lock held, after any change of the two counts.
        want_one = self._needing_one > self._lending
        if want_one and self._limiter is None:
            if self._controller is None:
                self._controller = ThreadpoolController()
            self._limiter = self._controller.limit(limits=1, user_api="blas")
            self._setter = threading.current_thread()
        elif not want_one and self._limiter is not None:
            self._take_over_from(self._setter)
            self._limiter.restore_original_limits()
            self._limiter = self._setter = None
            _release_control(force=False)

    @staticmethod
    def _take_over_from(setter):
        # threadpoolctl >= 3.8 lets only the thread that set OpenBLAS's limit
        # change it again, until that thread lets go. The fit that leaves
        # last may run in another thread than the one that entered first: it
        # takes over from our own earlier setter, never from a stranger.
        if setter is not threading.current_thread():
            _release_control(force=True)

    def _change(self, needing_one=0, lending=0):
        with self._lock:
            self._needing_one += needing_one
            self._lending += lending
            self._apply()

    @contextmanager
    def one_thread(self):
        """One BLAS thread inside; the caller's setting is back after the last."""
        self._change(needing_one=1)
        try:
            yield
        finally:
            self._change(needing_one=-1)

    @contextmanager
    def callers_threads(self):
        """Inside :meth:`one_thread`, give the caller's threads back for a while.

        They come back only if no other open context still needs one thread.
        """
        self._change(lending=1)
        try:
            yield
        finally:
            self._change(lending=-1)

    def for_network(self, hidden_layer_sizes):
        """One thread for a narrow network; the caller's setting for a wide one."""
        if max(hidden_layer_sizes, default=0) > SINGLE_THREAD_MAX_WIDTH:
            return nullcontext()
        return self.one_thread()


#: The process-wide policy every fit goes through.
BLAS_THREADS = BlasThreadPolicy()
