"""The exceptions patarm raises, all under one base, so ``except PatarmError`` catches ours
and nothing else. Each class also keeps the builtin base its callers already catch
(``ValueError`` for bad input, ``ImportError`` for a missing extra, ...).

.. code-block:: text

    PatarmError
    ├── MissingExtraError (ImportError)       an optional package is missing; names the extra
    ├── RowError (ValueError)                 bad input row: file/row, field, expected form
    │   └── MalformedRowError                 a preference row that cannot become a pair
    ├── UnknownDomainError (ValueError)       a rubric domain that no template or object serves
    ├── TemplateError (ValueError)            a rubric/prompt template that fails in the sandbox
    ├── StoreSettingsError (ValueError)       a resumable store written with other settings
    ├── PairConfigError (ValueError)          a verl/OpenRLHF setting that would split pairs
    ├── QuerySplitError (ValueError)          a policy query that no chat template splits
    ├── BackendError (RuntimeError)           a generation server failed for good
    ├── JudgeServerError (RuntimeError)       a ``patarm serve`` answered with an error
    └── serve-side errors (inside the reward server)
        ├── ServeError                        an error answer: status, code, message
        ├── QueueFullError (RuntimeError)     the server's queue is full; retry later
        ├── BatcherClosedError (RuntimeError) the micro-batcher is shut down
        ├── BatchFailedError (RuntimeError)   the backend call for a batch raised
        └── JudgeTimeoutError (TimeoutError)  a request was not answered in time

>>> from patarm.errors import PatarmError
>>> from patarm.types import RowError
>>> issubclass(RowError, PatarmError) and issubclass(RowError, ValueError)
True
"""

from __future__ import annotations

__all__ = ["PatarmError"]


class PatarmError(Exception):
    """Base of every exception patarm raises on purpose (the tree is in this module's docstring).

    Args:
        *args: As for :class:`Exception`: the message, which says what is wrong and how to
            fix it. Subclasses build it from their own arguments (see :class:`RowError`).
    """
