"""The CPU demo: a tiny pointwise judge learns, from preference pairs alone, to score a
synthetic task, through SFT (format only) then GRPO with PAR in TRL (extra ``demo``)."""

from patarm.demo._run import DemoConfig, DemoResult, evaluate, run_demo
from patarm.demo._task import BAD_WORDS, DEMO_DOMAIN, DEMO_RUBRIC, GOOD_WORDS, DemoTask, flip_labels

__all__ = [
    "BAD_WORDS",
    "DEMO_DOMAIN",
    "DEMO_RUBRIC",
    "GOOD_WORDS",
    "DemoConfig",
    "DemoResult",
    "DemoTask",
    "evaluate",
    "flip_labels",
    "run_demo",
]
