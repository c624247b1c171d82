"""The CPU demo: a tiny pointwise judge learns, from preference pairs alone, to score a
synthetic task, through SFT (format only) then GRPO with PAR in TRL (extra ``demo``).

Its pieces serve the other demos too (the analysis and hackcheck demos reuse them): the task
(:class:`DemoTask`, :data:`GOOD_WORDS`, :data:`BAD_WORDS`), its rubric (:func:`demo_rubrics`)
and prompt template (:data:`DEMO_TEMPLATE_DIR`), and the tiny judge
(:func:`demo_model_and_tokenizer`, whose tokenizer knows :data:`DEMO_VOCABULARY`). The
training curves are drawn by :mod:`patarm.demo.plots` (matplotlib).
"""

from patarm.demo._model import DEMO_VOCABULARY, demo_model_and_tokenizer
from patarm.demo._run import DEMO_TEMPLATE_DIR, DemoConfig, DemoResult, evaluate, run_demo
from patarm.demo._task import (
    BAD_WORDS,
    DEMO_DOMAIN,
    DEMO_RUBRIC,
    GOOD_WORDS,
    DemoTask,
    demo_rubrics,
    flip_labels,
)

__all__ = [
    "BAD_WORDS",
    "DEMO_DOMAIN",
    "DEMO_RUBRIC",
    "DEMO_TEMPLATE_DIR",
    "DEMO_VOCABULARY",
    "GOOD_WORDS",
    "DemoConfig",
    "DemoResult",
    "DemoTask",
    "demo_model_and_tokenizer",
    "demo_rubrics",
    "evaluate",
    "flip_labels",
    "run_demo",
]
