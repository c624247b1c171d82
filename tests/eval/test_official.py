"""Scores equal the official ones on randomly scored rows.

RewardBench and RewardBench 2: against the benchmark's own code, the PyPI package
``rewardbench`` (`pip install --no-deps rewardbench`). Its ``__init__`` imports model code
that needs fastchat and an older transformers, so the package cannot be imported whole here:
the tests read ``constants.py`` and the scoring functions of ``utils.py`` from the installed
files and run them as they are. Without the package these tests skip.

RM-Bench ships no package: its scoring script is restated below with numpy, line for line
from the benchmark's definition, and run on real rows copied from the benchmark.
"""

from __future__ import annotations

import ast
import importlib.util
import math
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from patarm.eval import (
    RowScores,
    load_rmbench,
    score_rewardbench,
    score_rewardbench2,
    score_rmbench,
)
from patarm.eval._rewardbench import EXAMPLE_COUNTS, REWARDBENCH_SUBSETS, SECTIONS
from patarm.eval._scores_file import row_scores

FIXTURES = Path(__file__).parent / "fixtures"
RMBENCH_FILES = sorted((FIXTURES / "rmbench").glob("*.json"))


def _official_dir() -> Path:
    spec = importlib.util.find_spec("rewardbench")  # finds the package without running its __init__
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("the official package is not installed: pip install --no-deps rewardbench")
    return Path(next(iter(spec.submodule_search_locations)))


@pytest.fixture(scope="module")
def official() -> dict[str, Any]:
    """The official constants and scoring functions, loaded from the installed package's files."""
    folder = _official_dir()
    spec = importlib.util.spec_from_file_location("official_rewardbench_constants", folder / "constants.py")
    assert spec is not None and spec.loader is not None
    constants = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(constants)
    import datasets
    import pandas as pd

    namespace: dict[str, Any] = {"np": np, "pd": pd, "math": math, "Dataset": datasets.Dataset}
    wanted = {"calculate_scores_per_section", "reroll_and_score_dataset", "sample_stats", "process_single_model"}
    tree = ast.parse((folder / "utils.py").read_text(encoding="utf-8"))
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in wanted]
    found = {f.name for f in functions}
    if found != wanted:
        pytest.skip(f"this version of the official package lacks {sorted(wanted - found)}")
    exec(compile(ast.Module(body=functions, type_ignores=[]), "official_utils", "exec"), namespace)
    namespace["EXAMPLE_COUNTS"] = constants.EXAMPLE_COUNTS
    namespace["SUBSET_MAPPING"] = constants.SUBSET_MAPPING
    return namespace


def test_constants_equal_the_official_ones(official: dict[str, Any]) -> None:
    assert official["EXAMPLE_COUNTS"] == EXAMPLE_COUNTS
    assert {k: list(v) for k, v in SECTIONS.items()} == official["SUBSET_MAPPING"]


@pytest.mark.parametrize("seed", range(5))
def test_rewardbench_sections_equal_the_official_ones(official: dict[str, Any], seed: int) -> None:
    rng = random.Random(seed)
    subsets = list(REWARDBENCH_SUBSETS) if seed < 3 else rng.sample(REWARDBENCH_SUBSETS, 9)
    rows = []
    for subset in subsets:
        for k in range(rng.randint(1, 12)):
            chosen, rejected = rng.randint(1, 5), rng.randint(1, 5)  # small integers: many ties
            rows.append(RowScores(f"{subset}-{k}", (float(chosen),), (float(rejected),), subset=subset))
    metrics = {}  # the official per-subset accuracy: mean of chosen > rejected
    for subset in subsets:
        group = [r for r in rows if r.subset == subset]
        metrics[subset] = float(np.mean([r.chosen[0] > r.rejected[0] for r in group]))  # type: ignore[operator]
    expected = official["calculate_scores_per_section"](official["EXAMPLE_COUNTS"], official["SUBSET_MAPPING"], metrics)
    report = score_rewardbench(rows)
    assert report.subsets == pytest.approx(metrics, abs=1e-15)
    for section, value in expected.items():
        if section in report.sections:
            assert report.sections[section] == value  # same additions in the same order: equal to the bit
        else:
            assert not any(s in metrics for s in SECTIONS[section])  # the official 0 for an empty section


@pytest.mark.parametrize("seed", range(5))
def test_rewardbench2_best_of_n_equals_the_official_credit(official: dict[str, Any], seed: int) -> None:
    import datasets

    rng = random.Random(seed)
    rows, flat, sizes = [], {"text": [], "scores": [], "id": [], "subset": []}, []
    for k in range(40):
        subset = rng.choice(["Factuality", "Precise IF", "Math", "Safety", "Focus"])
        scores = [float(rng.randint(1, 4)) for _ in range(4)]
        rows.append(RowScores(str(k), (scores[0],), tuple(scores[1:]), subset=subset))
        for i, s in enumerate(scores):
            flat["text"].append(f"{k}-{i}")
            flat["scores"].append(s)
            flat["id"].append(str(k))
            flat["subset"].append(subset)
        sizes.append(4)
    rerolled = official["reroll_and_score_dataset"](datasets.Dataset.from_dict(flat), sizes, ["text", "scores"])
    credit: dict[str, list[float]] = {}
    for subset, result in zip(rerolled["subset"], rerolled["results"], strict=True):
        credit.setdefault(subset, []).append(result)
    report = score_rewardbench2(rows)
    assert report.subsets == pytest.approx({s: sum(v) / len(v) for s, v in credit.items()}, abs=1e-12)


def _ties_rows(rng: random.Random, prompts: int) -> list[RowScores]:
    rows = []
    for p in range(prompts):
        kinds = rng.choice([("ref", "tied"), ("ref", "tied"), ("ref",), ("tied",)])
        for kind in kinds:
            n_correct = 1 if kind == "ref" else rng.randint(2, 4)
            draw = (lambda: float(rng.randint(1, 6))) if rng.random() < 0.5 else (lambda: rng.uniform(0, 10))
            correct = tuple(draw() + 2 for _ in range(n_correct))
            incorrect = tuple(draw() for _ in range(rng.randint(1, 3)))
            rows.append(RowScores(f"{kind}:{p}", correct, incorrect, subset="Ties"))
    return rows


@pytest.mark.parametrize("seed", range(8))
def test_ties_equals_the_official_score(official: dict[str, Any], seed: int) -> None:
    rng = random.Random(seed)
    rows = _ties_rows(rng, 25)
    samples = [
        {"id": r.id, "scores": [*r.chosen, *r.rejected], "num_correct": len(r.chosen), "subset": "ties"} for r in rows
    ]
    _, expected = official["process_single_model"](samples)
    assert not math.isnan(expected)
    assert score_rewardbench2(rows).subsets["Ties"] == pytest.approx(float(expected), abs=1e-12)


# --- RM-Bench: the benchmark's scoring script, restated with numpy ----------------------------


def _official_rmbench(results: list[dict[str, Any]]) -> dict[str, float]:
    def accuracy(group: list[dict[str, Any]]) -> dict[str, float]:
        matrix = np.zeros((3, 3))
        for result in group:
            for i in range(3):
                for j in range(3):
                    if result["score_chosen"][i] > result["score_rejected"][j]:
                        matrix[i][j] += 1
        matrix /= len(group)
        return {
            "hard_acc": np.sum(np.triu(matrix, 1)) / 3,
            "normal_acc": np.mean(np.diag(matrix)),
            "easy_acc": np.sum(np.tril(matrix, -1)) / 3,
        }

    domains = [d for d in ("chat", "math", "code", "safety") if any(r["domain"].startswith(d) for r in results)]
    per_domain = {d: accuracy([r for r in results if r["domain"].startswith(d)]) for d in domains}
    out = {d: float(np.mean(list(v.values()))) for d, v in per_domain.items()}
    for key in ("hard_acc", "normal_acc", "easy_acc"):
        out[key] = float(np.mean([per_domain[d][key] for d in per_domain]))
    out["total_avg_acc"] = float(np.mean([out[d] for d in domains]))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_rmbench_equals_the_official_script_on_real_rows(seed: int) -> None:
    data = load_rmbench(RMBENCH_FILES)
    rng = random.Random(seed)
    integer = seed % 2 == 0  # integer scores tie often, as a pointwise judge's do
    scored, results = [], []
    for n, row in enumerate(data.rows):
        part = "math" if seed >= 4 and n % 4 == 0 else row.part  # seeds 4-5: some rows stand in for math
        draw = (lambda: float(rng.randint(1, 4))) if integer else (lambda: rng.random())
        chosen, rejected = tuple(draw() for _ in range(3)), tuple(draw() for _ in range(3))
        base = row_scores(row, chosen, rejected)
        scored.append(RowScores(base.id, chosen, rejected, subset=base.subset, domain=part))
        results.append({"score_chosen": chosen, "score_rejected": rejected, "domain": part})
    expected = _official_rmbench(results)
    report = score_rmbench(scored)
    for name, domain in report.domains.items():
        if domain is None:
            assert name not in expected
        else:
            assert domain.score == expected[name]
    assert (report.hard, report.normal, report.easy) == pytest.approx(
        (expected["hard_acc"], expected["normal_acc"], expected["easy_acc"]), abs=1e-15
    )
    assert report.overall == pytest.approx(expected["total_avg_acc"], abs=1e-15)
    assert report.counts.rows == len(data.rows) == 24
