"""Task-adaptive rubrics: one Jinja template per domain plus generated criteria (to come)."""

__all__: list[str] = []
