"""A re-run does not read again an input file that is unchanged since a run read it (size, mtime, options);
in either backend (``new_store``: SQLite, then PostgreSQL)."""

import os
import shutil
import time

import pytest

from rasid.ingest import FieldMap, ReadOptions
from rasid.pipeline import analyze

OFF = {"stories": False, "entities": False, "events": False, "views": False}
OLD = time.time() - 3600  # an mtime well before the run: not "racy"


@pytest.fixture
def corpus(tmp_path, seeds_dir):
    folder = tmp_path / "in"
    shutil.copytree(seeds_dir, folder)
    (folder / "empty.txt").write_text("   \n", encoding="utf-8")  # a skipped input is remembered too
    for f in folder.iterdir():
        os.utime(f, (OLD, OLD))
    return folder


def run(store, corpus, cleaner, **options):
    read = []
    report = analyze([corpus], store, cleaner=cleaner, options=ReadOptions(**options), on_document=read.append, **OFF)
    return report, read


def test_unchanged_files_are_not_read_again(new_store, corpus, cleaner):
    with new_store() as store:
        first, read = run(store, corpus, cleaner)
        assert (first.read, len(read), dict(first.skip_reasons())) == (5, 6, {"empty": 1})
        again, read = run(store, corpus, cleaner)
        assert read == []  # nothing opened
        assert (again.read, again.unchanged, again.processed) == (5, 5, 0)
        assert dict(again.skip_reasons()) == {"empty": 1}


def test_a_changed_file_or_options_are_read_again(new_store, corpus, cleaner):
    with new_store() as store:
        run(store, corpus, cleaner)
        target = next(corpus.glob("001_*.txt"))
        target.write_text(target.read_text(encoding="utf-8") + "\nسطر جديد في آخر الخبر.", encoding="utf-8")
        os.utime(target, (OLD + 60, OLD + 60))
        report, read = run(store, corpus, cleaner)
        assert [a.source for a in read] == [str(target)] and report.changed == 1
        report, read = run(store, corpus, cleaner, fields=FieldMap().with_overrides({"title": "headline"}))
        assert len(read) == 6 and report.unchanged == 5  # other read options: every file is read again


def test_a_file_modified_just_before_it_was_read_is_not_trusted(new_store, corpus, cleaner):
    with new_store() as store:
        target = next(corpus.glob("002_*.txt"))
        os.utime(target, None)  # modified "now": the same mtime tick could hide a later edit
        run(store, corpus, cleaner)
        _report, read = run(store, corpus, cleaner)
        assert [a.source for a in read] == [str(target)]


def test_a_file_whose_article_left_the_store_is_read_again(new_store, corpus, cleaner):
    with new_store() as store:
        run(store, corpus, cleaner)
        store.db.execute("DELETE FROM articles WHERE doc_id LIKE '003_%'")
        report, read = run(store, corpus, cleaner)
        assert len(read) == 1 and report.new == 1
