"""Output folders (SPEC §8): only our own files are ever replaced, one run at a time,
and leftovers of killed runs are cleaned up by the next run."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from charterplan.io import folder as folder_module
from charterplan.io.folder import MARKER, OutputFolderError, claim_output_folder

MINIMAL = Path(__file__).parents[1] / "data" / "valid" / "minimal.json"


def _write(target: Path, files: dict[str, str]) -> Path:
    """One run that writes ``files`` (relative path → text) into ``target``."""
    with claim_output_folder(target) as out:
        for name, text in files.items():
            (out.staging / name).parent.mkdir(parents=True, exist_ok=True)
            (out.staging / name).write_text(text, encoding="utf-8")
        return out.commit()


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text(encoding="utf-8")
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _leftover(parent: Path, name: str, marker: bool, files: dict[str, str]) -> Path:
    path = parent / name
    path.mkdir()
    if marker:
        (path / MARKER).write_text(json.dumps({"written_by": "charterplan",
                                               "entries": sorted(files)}), encoding="utf-8")
    for file, text in files.items():
        (path / file).write_text(text, encoding="utf-8")
    return path


def test_marker_lists_every_entry_written(tmp_path: Path) -> None:
    """The marker lists each file and folder of the run, and nothing is left beside it."""
    target = _write(tmp_path / "out", {"plan.json": "{}", "manifests/a.csv": "x"})
    marker = json.loads((target / MARKER).read_text(encoding="utf-8"))
    assert marker["written_by"] == "charterplan" and marker["complete"] is True
    assert marker["entries"] == ["manifests/", "manifests/a.csv", "plan.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_earlier_output_is_replaced_whole(tmp_path: Path) -> None:
    """A folder every entry of which an earlier run wrote is replaced by the new run."""
    target = _write(tmp_path / "out", {"plan.json": "old", "manifests/a.csv": "old"})
    _write(target, {"plan.json": "new"})
    assert _tree(target) == {MARKER: (target / MARKER).read_text(encoding="utf-8"),
                             "plan.json": "new"}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


@pytest.mark.parametrize("added", ["request.json", "manifests/notes.txt", "extra/"])
def test_person_file_in_an_earlier_output_is_refused(tmp_path: Path, added: str) -> None:
    """A file or folder a person put into an earlier output makes the next run refuse,
    naming it, with the folder untouched."""
    target = _write(tmp_path / "out", {"plan.json": "old", "manifests/a.csv": "old"})
    if added.endswith("/"):
        (target / added).mkdir()
    else:
        (target / added).write_text("mine", encoding="utf-8")
    before = _tree(target)
    with pytest.raises(OutputFolderError,
                       match=re.escape(f"holds '{added}', which charterplan did not")):
        _write(target, {"plan.json": "new"})
    assert _tree(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_folder_of_the_issue_is_refused(tmp_path: Path) -> None:
    """Issue 23: a folder with request.json and a plan.json not written by us is refused."""
    job = tmp_path / "job"
    job.mkdir()
    (job / "request.json").write_text("{...}", encoding="utf-8")
    (job / "plan.json").write_text("{}", encoding="utf-8")
    with pytest.raises(OutputFolderError, match="nothing was touched"):
        _write(job, {"plan.json": "new"})
    assert _tree(job) == {"plan.json": "{}", "request.json": "{...}"}


def test_marker_that_is_not_ours_does_not_count(tmp_path: Path) -> None:
    """A marker file that is not charterplan's JSON proves nothing."""
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / MARKER).write_text('{"entries": ["a.txt"]}', encoding="utf-8")
    (tmp_path / "out" / "a.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputFolderError, match=r"'a\.txt'"):
        _write(tmp_path / "out", {"plan.json": "new"})


def test_empty_folder_is_used(tmp_path: Path) -> None:
    """An empty folder is filled."""
    _write(tmp_path, {"plan.json": "new"})
    assert _tree(tmp_path)["plan.json"] == "new"


def test_cli_refuses_the_issue_folder_and_dot(tmp_path: Path) -> None:
    """`plan job/request.json --out job` and `--out .` exit 2 and delete nothing."""
    job = tmp_path / "job"
    job.mkdir()
    (job / "request.json").write_bytes(MINIMAL.read_bytes())
    (job / "plan.json").write_text("{}", encoding="utf-8")
    for out, cwd in ((job, tmp_path), (Path("."), job)):
        run = subprocess.run([sys.executable, "-m", "charterplan", "plan",
                              str(job / "request.json"), "--out", str(out)], cwd=cwd,
                             capture_output=True, text=True, timeout=120, check=False)
        assert run.returncode == 2, run.stderr
        assert "holds 'plan.json', which charterplan did not write" in run.stderr
        assert sorted(p.name for p in job.iterdir()) == ["plan.json", "request.json"]
        assert sorted(p.name for p in tmp_path.iterdir()) == ["job"]


def test_leftovers_of_killed_runs_are_removed_when_ours(tmp_path: Path) -> None:
    """Staging and old folders of killed runs into the target go; look-alikes that are
    not provably ours (no marker, not empty; another target's) stay."""
    _leftover(tmp_path, ".out.0123abcd.partial", True, {"plan.json": "half"})
    _leftover(tmp_path, ".out.4567cdef.old", True, {"plan.json": "old"})
    _leftover(tmp_path, ".out.89abcdef.partial", False, {})
    _leftover(tmp_path, ".out.deadbeef.partial", False, {"thesis.docx": "mine"})
    _leftover(tmp_path, ".outer.0123abcd.partial", True, {})
    _leftover(tmp_path, ".out.nothex00.partial", True, {})
    _write(tmp_path / "out", {"plan.json": "new"})
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".out.deadbeef.partial", ".out.nothex00.partial", ".outer.0123abcd.partial", "out"]


def test_target_a_killed_swap_left_missing_is_put_back(tmp_path: Path) -> None:
    """Killed between the two renames of the fallback swap, the target is missing and
    its old content sits in `.old`: the next run puts it back before it checks it."""
    _leftover(tmp_path, ".out.0123abcd.old", True, {"plan.json": "old"})
    _leftover(tmp_path, ".out.0123abcd.partial", True, {"plan.json": "new"})
    with claim_output_folder(tmp_path / "out"):
        assert _tree(tmp_path / "out")["plan.json"] == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_fallback_swap_replaces_the_target(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Where one-step exchange is missing, two renames replace the target all the same."""
    monkeypatch.setattr(folder_module, "_exchange", lambda a, b: False)
    target = _write(tmp_path / "out", {"plan.json": "old"})
    _write(target, {"plan.json": "new"})
    assert _tree(target)["plan.json"] == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


@pytest.mark.skipif(sys.platform != "linux", reason="renameat2 is Linux's")
def test_swap_is_one_exchange_on_linux(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On Linux the target is swapped in one step: the plain renames are never used."""
    target = _write(tmp_path / "out", {"plan.json": "old"})

    def no_rename(self: Path, other: Path) -> None:
        raise AssertionError(f"renamed {self} to {other}")
    monkeypatch.setattr(Path, "rename", no_rename)
    _write(target, {"plan.json": "new"})
    assert _tree(target)["plan.json"] == "new"


def test_work_that_fails_leaves_the_old_output_and_no_trace(tmp_path: Path) -> None:
    """An error (or a Ctrl-C) before the commit removes the staging folder and the
    parents the claim created, and leaves an earlier output as it was."""
    target = _write(tmp_path / "out", {"plan.json": "old"})
    for error in (OSError("disk full"), KeyboardInterrupt()):
        with pytest.raises(type(error)), claim_output_folder(target) as out:
            (out.staging / "plan.json").write_text("new", encoding="utf-8")
            raise error
        assert _tree(target)["plan.json"] == "old"
    with pytest.raises(KeyboardInterrupt), claim_output_folder(tmp_path / "a" / "b" / "c"):
        raise KeyboardInterrupt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_file_added_during_the_run_is_not_replaced(tmp_path: Path) -> None:
    """The rule is checked again at the commit: a file a person put into the target
    meanwhile makes the commit refuse, and the staging folder goes."""
    target = _write(tmp_path / "out", {"plan.json": "old"})
    with (pytest.raises(OutputFolderError, match=r"notes\.txt"),
          claim_output_folder(target) as out):
        (target / "notes.txt").write_text("mine", encoding="utf-8")
        out.commit()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert _tree(target)["notes.txt"] == "mine"


def test_unwritable_targets_are_refused_at_the_claim(tmp_path: Path) -> None:
    """A target below a file, or a file itself, is refused before any work."""
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(OutputFolderError, match="is a file"):
        claim_output_folder(tmp_path / "file" / "out").__enter__()
    with pytest.raises(OutputFolderError, match="is a file"):
        claim_output_folder(tmp_path / "file").__enter__()
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs a /proc file system")
def test_a_place_no_one_may_write_is_refused_at_the_claim() -> None:
    """A folder in /proc, where not even root may create one, is refused at the claim."""
    with pytest.raises(OutputFolderError, match="cannot write the output folder"):
        claim_output_folder("/proc/charterplan-out").__enter__()


def test_read_only_folder_in_an_earlier_output_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder inside an earlier output whose files could not be deleted after the
    swap is refused at the claim (os.access stands in for chmod, which binds no root)."""
    target = _write(tmp_path / "out", {"manifests/a.csv": "old"})
    access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: (
        Path(path).name != "manifests" and access(path, mode)))
    with pytest.raises(OutputFolderError, match="manifests' is read-only"):
        claim_output_folder(target).__enter__()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_cli_refuses_an_unwritable_target_before_planning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`plan --out` below a file exits 2 without ever calling the planner."""
    from charterplan import cli, pipeline

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("planned")
    monkeypatch.setattr(pipeline, "plan", never)
    (tmp_path / "file").write_text("x", encoding="utf-8")
    status = cli.main(["plan", str(MINIMAL), "--out", str(tmp_path / "file" / "out")])
    assert status == 2


def test_second_run_into_one_folder_is_refused(tmp_path: Path) -> None:
    """While one run holds the folder, another `plan` into it (a process of its own)
    exits 2 naming the holder, and neither leaves anything behind."""
    target = tmp_path / "out"
    with claim_output_folder(target) as out:
        second = subprocess.run([sys.executable, "-m", "charterplan", "plan", str(MINIMAL),
                                 "--out", str(target)], capture_output=True, text=True,
                                timeout=120, check=False)
        assert second.returncode == 2, second.stderr
        assert f"another charterplan run (pid {os.getpid()}) is writing" in second.stderr
        (out.staging / "plan.json").write_text("first", encoding="utf-8")
        out.commit()
    assert _tree(target)["plan.json"] == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_lock_is_free_again_after_a_run(tmp_path: Path) -> None:
    """Runs one after the other into one folder all succeed; the lock file goes."""
    for text in ("1", "2", "3"):
        _write(tmp_path / "out", {"plan.json": text})
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def _ours(path: Path) -> bool:
    return path.read_text(encoding="utf-8").startswith("ours")


def test_write_files_leaves_the_folders_other_files_alone(tmp_path: Path) -> None:
    """Files written one by one beside a person's: those are untouched, a file of ours
    is replaced, a missing folder is made, and no staging file stays behind."""
    (tmp_path / "design.md").write_text("a person's page", encoding="utf-8")
    (tmp_path / "a.json").write_text("ours, old", encoding="utf-8")
    written = folder_module.write_files(tmp_path, {"a.json": "ours, new", "b.json": "ours"},
                                        _ours)
    assert written == [tmp_path / "a.json", tmp_path / "b.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.json", "design.md"]
    assert (tmp_path / "a.json").read_text(encoding="utf-8") == "ours, new"
    assert (tmp_path / "design.md").read_text(encoding="utf-8") == "a person's page"
    folder_module.write_files(tmp_path / "new" / "deeper", {"a.json": "ours"}, _ours)
    assert (tmp_path / "new" / "deeper" / "a.json").is_file()


@pytest.mark.parametrize("theirs", ["file", "folder", "link"])
def test_write_files_refuses_a_file_not_ours_and_writes_nothing(
        tmp_path: Path, theirs: str) -> None:
    """A person's file, a folder or a link under one of the names is refused before
    anything is written, naming it; the other name is not written either."""
    taken = tmp_path / "b.json"
    if theirs == "file":
        taken.write_text("a person's", encoding="utf-8")
    elif theirs == "folder":
        taken.mkdir()
    else:
        (tmp_path / "elsewhere").write_text("ours", encoding="utf-8")
        taken.symlink_to(tmp_path / "elsewhere")
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(OutputFolderError, match=r"b\.json' exists and charterplan did not"):
        folder_module.write_files(tmp_path, {"a.json": "ours", "b.json": "ours"}, _ours)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_write_files_into_a_file_is_refused(tmp_path: Path) -> None:
    """A folder that is a file (or lies under one) is a clear refusal, not a crash."""
    (tmp_path / "docs").write_text("", encoding="utf-8")
    for target in (tmp_path / "docs", tmp_path / "docs" / "sub"):
        with pytest.raises(OutputFolderError, match="is a file"):
            folder_module.write_files(target, {"a.json": "ours"}, _ours)
