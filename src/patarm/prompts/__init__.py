"""Judge prompts: Jinja templates (pointwise, pairwise, criteria) and their builder."""

from patarm.prompts._builder import (
    PROMPT_TAGS,
    REFERENCE_TAG,
    TEMPLATE_DIR,
    JudgePrompts,
    PromptInput,
    Tiers,
    as_messages,
    prompt_as_text,
)

__all__ = [
    "PROMPT_TAGS",
    "REFERENCE_TAG",
    "TEMPLATE_DIR",
    "JudgePrompts",
    "PromptInput",
    "Tiers",
    "as_messages",
    "prompt_as_text",
]
