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
once share them, and a fit's numbers depend on the count it runs under. So
:class:`BlasThreadPolicy` keeps, per Python thread, what that thread needs
now (one thread, or the caller's setting) and counts the threads in each
state, under one lock: the two states exclude each other, so a thread that
needs the other state waits until the threads in this one have left it. The
first thread to need one thread limits BLAS; the caller's setting comes back
when the last one leaves, whatever order they leave in. Wide networks, which
do not limit, run under the caller's setting too, never under another fit's
limit: the same seed gives the same model, bit for bit, whatever runs
beside it. (Independent ``threadpool_limits`` contexts would each restore
what they saw on entry, and overlapping ones, left in the wrong order, would
leave the process at one thread for good.)

threadpoolctl >= 3.8 lets only one Python thread set OpenBLAS's (pthreads)
limit: the first to set one outside a with-block, often the main thread
after a plain ``threadpool_limits(2)`` call; a limit set by any other thread
is silently ignored. So the limit is read back after it is set, and if it
did not take, the policy takes control from that thread (until the last
narrow fit leaves, when it lets go and the caller's setting is back) and
sets it again; if even that fails it warns (RuntimeWarning), naming the
thread count the fits run on. Known limits: a ``with threadpool_limits``
block that another thread leaves while a narrow fit holds control cannot
restore its own setting; the policy restores the one it saw on entry.
Libraries loaded after the first fit are not seen.
"""

import threading
from contextlib import contextmanager

import threadpoolctl
from threadpoolctl import ThreadpoolController

from mlpinit._warnings import warn_at_caller

# Below this width one BLAS thread beats two on a busy 2-core machine.
SINGLE_THREAD_MAX_WIDTH = 128


def _release_control(force):
    """Let another thread set OpenBLAS's limits (threadpoolctl >= 3.8 only)."""
    openblas = getattr(threadpoolctl, "OpenBLASController", None)
    release = getattr(openblas, "clear_controlling_thread", None)
    if release is not None:
        release(force=force)


class BlasThreadPolicy:
    """The process's BLAS threads: one thread, or the caller's setting.

    Use the process-wide instance :data:`BLAS_THREADS`; a second instance
    would keep its own counts and defeat the point.

    Each Python thread keeps a stack of the sections it is in: ``"narrow"``
    (a narrow network's fit), ``"loop"`` (scipy's L-BFGS-B loop), ``"lend"``
    (one L-BFGS evaluation) and ``"wide"`` (a wide network's fit). A thread
    needs one BLAS thread inside a narrow fit, or when its innermost section
    is a loop; the caller's setting otherwise.

    Examples
    --------
    >>> from mlpinit._blas_threads import BLAS_THREADS
    >>> with BLAS_THREADS.for_network([32, 16]):  # narrow: one thread
    ...     pass
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._turn = threading.Condition(self._lock)
        self._controller = None  # built on first use: inspecting costs ms
        self._threads_in = {"one": 0, "callers": 0}
        self._local = threading.local()  # .sections: this thread's stack
        self._limiter = None  # threadpoolctl's limit while one thread is in force
        self._setter = None  # the Python thread that set it

    @staticmethod
    def _need(sections):
        """What a thread with these open sections needs: "one", "callers" or None."""
        if not sections:
            return None
        if "narrow" in sections or sections[-1] == "loop":
            return "one"
        return "callers"

    def _apply(self):
        # Called with the lock held, after any change of the counts.
        want_one = self._threads_in["one"] > 0
        if want_one and self._limiter is None:
            if self._controller is None:
                self._controller = ThreadpoolController()
            self._limiter = self._controller.limit(limits=1, user_api="blas")
            if not self._one_thread_in_force():
                self._limiter = self._forced_limit()
            self._setter = threading.current_thread()
        elif not want_one and self._limiter is not None:
            self._take_over_from(self._setter)
            self._limiter.restore_original_limits()
            self._limiter = self._setter = None
            _release_control(force=False)

    def _one_thread_in_force(self):
        # The libraries' own counts, read back: threadpoolctl >= 3.8 ignores,
        # silently, a limit set by any thread but OpenBLAS's controlling one
        # (the first to set a limit outside a with-block, usually the main
        # thread after a plain ``threadpool_limits(2)`` call).
        return all(
            lib.num_threads in (1, None)
            for lib in self._controller.select(user_api="blas").lib_controllers
        )

    def _forced_limit(self):
        """Take OpenBLAS's control from the thread that holds it, then limit.

        The caller's setting is what the first, ignored limit saw, and what
        :meth:`_apply` restores; control is let go when the last narrow fit
        leaves, so the thread that held it takes it again at its next call.
        """
        _release_control(force=True)
        limiter = self._controller.limit(limits=1, user_api="blas")
        if not self._one_thread_in_force():
            warn_at_caller(
                "mlpinit could not limit BLAS to one thread in this thread "
                f"({threading.current_thread().name}): the BLAS libraries keep "
                f"{self._blas_counts()} threads. Fits here run on them, and "
                "their results may differ in the last bits from serial fits.",
                RuntimeWarning,
            )
        return limiter

    def _blas_counts(self):
        blas = self._controller.select(user_api="blas").lib_controllers
        return sorted({lib.num_threads for lib in blas})

    @staticmethod
    def _take_over_from(setter):
        # threadpoolctl >= 3.8 lets only the thread that set OpenBLAS's limit
        # change it again, until that thread lets go. The fit that leaves
        # last may run in another thread than the one that entered first: it
        # takes over from our own earlier setter, never from a stranger.
        if setter is not threading.current_thread():
            _release_control(force=True)

    def _switch(self, sections, change):
        """Apply ``change`` to this thread's sections, moving it between states."""
        with self._turn:
            before = self._need(sections)
            change()
            after = self._need(sections)
            if before == after:
                return
            if before is not None:
                self._threads_in[before] -= 1
                self._apply()
                self._turn.notify_all()
            if after is not None:
                other = "callers" if after == "one" else "one"
                # It holds no state while it waits, so no two threads can
                # wait for each other.
                while self._threads_in[other]:
                    self._turn.wait()
                self._threads_in[after] += 1
                self._apply()

    @contextmanager
    def _section(self, kind):
        sections = getattr(self._local, "sections", None)
        if sections is None:
            sections = self._local.sections = []
        self._switch(sections, lambda: sections.append(kind))
        try:
            yield
        finally:
            self._switch(sections, sections.pop)

    def one_thread(self):
        """One BLAS thread inside (scipy's L-BFGS-B loop)."""
        return self._section("loop")

    def callers_threads(self):
        """Inside :meth:`one_thread`, the caller's threads for a while.

        Not inside a narrow network's fit, which keeps one thread throughout.
        """
        return self._section("lend")

    def for_network(self, hidden_layer_sizes):
        """One thread for a narrow network's fit; the caller's setting if wide."""
        if max(hidden_layer_sizes, default=0) > SINGLE_THREAD_MAX_WIDTH:
            return self._section("wide")
        return self._section("narrow")


#: The process-wide policy every fit goes through.
BLAS_THREADS = BlasThreadPolicy()
