"""Engines: the local worker pool and the Ray Data actor pool give what one process gives."""

import json
import platform
import threading
from pathlib import Path

import pytest

from rasid.engine import LocalEngine, RayEngine, default_workers, make_engine
from rasid.errors import RasidError

ROOT = Path(__file__).resolve().parents[1]
SNN = ROOT.parent / "shared" / "data" / "saudinewsnet"
OUTPUT_FILES = ("documents.jsonl", "entities.jsonl", "events.jsonl", "stories.jsonl")


class Tagged:
    """A task that says which process did each item, and that it loaded before the workers forked."""

    def __init__(self):
        self.loaded_in = None

    def load(self):
        import os

        self.loaded_in = self.loaded_in or os.getpid()

    def __call__(self, batch):
        import os

        return [(x * x, self.loaded_in, os.getpid()) for x in batch]


def test_local_engine_keeps_order_and_reads_batches_in_the_calling_thread():
    import os

    caller = threading.current_thread()
    drawn = []

    def batches():
        for i in range(0, 100, 7):
            assert threading.current_thread() is caller  # (a store belongs to the thread that opened it)
            drawn.append(i)
            yield list(range(i, min(i + 7, 100)))

    with LocalEngine(2).mapping(Tagged()) as run:
        results = [r for part in run(batches()) for r in part]
    assert [r[0] for r in results] == [x * x for x in range(100)]
    assert {r[1] for r in results} == {os.getpid()}  # the model was loaded here, once, before the fork
    assert os.getpid() not in {r[2] for r in results}  # and the work was done in the workers


class FrozenCount:
    """A task that reports how many objects the collector holds frozen in the process that runs it."""

    def load(self):
        self.models = [{"weights": list(range(1000))} for _ in range(100)]  # loaded before the fork

    def __call__(self, batch):
        import gc

        return [gc.get_freeze_count() for _ in batch]


def test_workers_start_with_the_loaded_objects_frozen_and_the_parent_does_not_stay_frozen():
    import gc

    with LocalEngine(2).mapping(FrozenCount()) as run:
        assert gc.get_freeze_count() == 0  # the parent's own objects are collected as before
        counts = [c for part in run([[0], [1], [2]]) for c in part]
    # in the workers the objects loaded before the fork are out of the collector's reach, so its
    # passes do not write to their pages, which stay shared with the parent
    assert min(counts) > 100


def test_one_worker_runs_in_process():
    import os

    with LocalEngine(1).mapping(Tagged()) as run:
        (part,) = list(run([[3]]))
    assert part == [(9, os.getpid(), os.getpid())]


def test_make_engine_checks_its_arguments(monkeypatch):
    assert make_engine("local", workers=3).workers == 3
    assert make_engine("local").workers == default_workers()
    with pytest.raises(RasidError, match="unknown engine 'spark'"):
        make_engine("spark")
    with pytest.raises(RasidError, match="at least 1"):
        make_engine("local", workers=0)
    with pytest.raises(RasidError, match="--ray-address is for --engine ray"):
        make_engine("local", address="head:6379")
    monkeypatch.setitem(__import__("sys").modules, "ray", None)
    with pytest.raises(RasidError, match=r"pip install 'rasid\[ray\]'"):
        make_engine("ray")


def _analyze(paths, out, *extra):
    from rasid.cli import main

    assert main(["analyze", *map(str, paths), "--out", str(out), "-q", *map(str, extra)]) == 0
    return out


def _same_outputs(a: Path, b: Path) -> None:
    for name in OUTPUT_FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


@pytest.fixture(scope="module")
def ray_engine():
    pytest.importorskip("ray.data", reason="Ray is not installed (pip install 'rasid[ray]')")
    engine = RayEngine(2)
    yield engine
    engine.close()


def test_ray_engine_maps_a_task_in_actors(ray_engine):
    from rasid.engine import _Double  # (actors import a task's class: it must live in an installed module)

    with ray_engine.mapping(_Double()) as run:
        results = list(run([list(range(i, i + 5)) for i in range(0, 40, 5)]))
    assert results == [[2 * x for x in range(i, i + 5)] for i in range(0, 40, 5)]


@pytest.mark.slow
def test_ray_engine_gives_the_default_engines_output_on_the_samples(ray_engine, seeds_out, tmp_path):
    out = _analyze([ROOT / "demo" / "seeds"], tmp_path / "ray", "--meta", ROOT / "demo" / "meta.jsonl",
                   "--engine", "ray", "--workers", "2")
    _same_outputs(seeds_out, out)


@pytest.mark.slow
def test_ray_engine_gives_the_default_engines_output_on_200_saudinewsnet_articles(ray_engine, tmp_path):
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from bench_pipeline import write_input

    if not SNN.exists():
        pytest.skip(f"no SaudiNewsNet at {SNN}")
    source = tmp_path / "snn.jsonl"
    assert write_input(SNN, 200, source) == 200
    # stories are a global pass that both engines run in the driver: the per-document stages are compared here
    local = _analyze([source], tmp_path / "local", "--no-stories")
    ray = _analyze([source], tmp_path / "ray", "--no-stories", "--engine", "ray", "--workers", "2")
    _same_outputs(local, ray)
    entities = [json.loads(x) for x in (ray / "entities.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len({e["doc_id"] for e in entities}) > 150  # the articles were really read, tagged and coded
    assert (ray / "events.jsonl").read_text(encoding="utf-8").count("\n") > 20


@pytest.mark.slow
def test_story_leads_embed_alike_in_one_process_and_in_two_workers(tmp_path):
    """e5's results move in the last bits with the batch a lead shares, so both embed in like chunks:
    the stored vectors, and so the stories, are the same to the bit."""
    import sys

    from rasid.store import Store

    sys.path.insert(0, str(ROOT / "bench"))
    from bench_pipeline import write_input

    if not SNN.exists():
        pytest.skip(f"no SaudiNewsNet at {SNN}")
    source = tmp_path / "snn.jsonl"
    assert write_input(SNN, 120, source) == 120
    one = _analyze([source], tmp_path / "one", "--no-entities", "--workers", "1")
    two = _analyze([source], tmp_path / "two", "--no-entities", "--workers", "2")

    def members(out):
        with Store(out / "rasid.sqlite") as store:
            return {(row[1], row[2]): (row[0], row[9].tobytes()) for row in store.iter_story_members()}

    a, b = members(one), members(two)
    assert len(a) == 120 and a.keys() == b.keys()
    assert all(a[k][1] == b[k][1] for k in a)  # every lead's vector, bit for bit
    assert (one / "stories.jsonl").read_bytes() == (two / "stories.jsonl").read_bytes()


def _resident_kb() -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


@pytest.mark.skipif(not Path("/proc/self/status").exists() or platform.libc_ver()[0] != "glibc",
                    reason="reads /proc; malloc_trim is glibc's")
def test_release_memory_gives_freed_heap_back_to_the_system():
    from rasid.engine import release_memory

    blocks = [bytearray(b"x" * 4000) for _ in range(50_000)]  # 200 MB in heap-sized pieces
    sentinel = bytearray(4000)  # allocated last: the freed pieces below it are not at the heap's top
    held = _resident_kb()
    del blocks
    before = _resident_kb()
    assert release_memory(collect=True)  # glibc: malloc_trim
    after = _resident_kb()
    assert held - after > 150_000  # kB: most of the 200 MB went back ...
    assert before - after > 100_000  # ... by the trim, not by freeing alone
    assert not release_memory()  # (at most one trim every TRIM_INTERVAL seconds unless asked to collect)
    del sentinel


def test_release_models_drops_the_loaded_tagger_and_a_later_load_works():
    from rasid.entities import tagger
    from rasid.entities.tagger import EntityTagger
    from rasid.pipeline import release_models

    first = EntityTagger.load()
    assert tagger._load.cache_info().currsize == 1
    release_models()
    assert tagger._load.cache_info().currsize == 0
    again = EntityTagger.load()
    assert again is not first and again.tag(["قال", "خليفة", "حفتر"]) == first.tag(["قال", "خليفة", "حفتر"])
