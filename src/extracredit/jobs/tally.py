"""The ``tally`` command: every student's credit, written where only TAs can read it."""

from __future__ import annotations

import argparse
import csv
import gc
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from extracredit.core.credit import Tally, tally, two_decimals
from extracredit.errors import EXIT_OK, EXIT_UNDECIDED, RegistryError
from extracredit.forge import actions
from extracredit.forge.pulls import course_pulls
from extracredit.jobs import folders
from extracredit.registry.opening import load_config, open_backend
from extracredit.registry.parse import build_registry
from extracredit.text import gradebook, messages, usage

WRITE_CHUNK = 1 << 20
TALLY_TABS = ("Claims", "Roster", "Ledger", "Claims log", "Tally")  # the Tally tab as it is: written over


def write_files(result: Tally, out: Path, brightspace: bool) -> list[str]:
    """The TA's local files: byte-identical for the same inputs (no timestamp in them)."""
    out.mkdir(parents=True, exist_ok=True)
    # Each file's text made when it is written, so that a large course's are not held at once.
    files = {
        "tally.csv": gradebook.tally_csv,
        "gradebook.csv": gradebook.gradebook_csv,
        "unmatched.csv": gradebook.unmatched_csv,
    }
    if brightspace:
        files["brightspace.csv"] = gradebook.brightspace_csv
    for name, render in files.items():
        text = render(result)
        with (out / name).open("w", encoding="utf-8", newline="") as handle:
            for start in range(0, len(text), WRITE_CHUNK):  # encoded a piece at a time
                handle.write(text[start:start + WRITE_CHUNK])
        del text
    return sorted(files)


def tab_rows(result: Tally, stamp: str) -> list[list[str]]:
    """The private Tally tab: the tally's rows with when they were written."""
    rows = list(csv.reader(io.StringIO(gradebook.tally_csv(result))))
    return [rows[0] + ["Updated"]] + [[*row, stamp] for row in rows[1:]]


def terminal_table(result: Tally) -> str:
    lines = [f"{'NetID':<10} {'GitHub':<22} {'Raw':>6} {'Credit':>6}  Capped"]
    for student in result.students:
        lines.append(f"{student.netid or '-':<10} {student.github[:22]:<22} "
                     f"{two_decimals(student.raw):>6} {two_decimals(student.credit):>6}  "
                     f"{'yes' if student.capped else 'no'}")
    return "\n".join(lines)


@contextmanager
def bulk() -> Iterator[None]:
    """No garbage collection while a course's registry, PRs and tally are built: they make
    millions of objects that all live on, and the collector would sweep them over and over for
    nothing (a third of a large tally's time). Then what is alive is set aside for good (frozen)
    rather than swept again by the files' writing and at exit: a command runs once a process."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def run(args: argparse.Namespace) -> int:
    """Run ``extracredit tally`` as parsed by the command line."""
    config = load_config(args.config)
    if args.out is not None:
        folders.refuse_a_file(args.out, "--out", usage.TALLY_FOLDER_HOLDS)
    env = actions.read_environment()
    try:
        backend = open_backend(config, args.registry)
        with bulk():
            tables = backend.read(TALLY_TABS)
            written_over = tables.get("Tally")
            registry = build_registry(tables, config.zone)
            del tables  # the registry keeps what it needs of them: a large Claims tab need not stay
            pulls, now = course_pulls(args.snapshot, config, registry, env)
            result = tally(pulls, registry, config)
            del pulls
        if config.registry.backend == "sheets" and args.registry is None:
            stamp = now.astimezone(config.zone).isoformat(timespec="seconds")
            backend.replace_tab("Tally", tab_rows(result, stamp), written_over)
    except RegistryError as error:
        actions.say(messages.REGISTRY_UNREADABLE.format(reason=error))
        return EXIT_UNDECIDED
    if args.out is not None:
        with folders.writing_into(args.out, "--out"):
            written = write_files(result, args.out, args.brightspace)
        actions.say(messages.tally_written(written, str(args.out)), stderr=True)
    if env.running:
        # The log and the summary are public: aggregates only.
        if env.step_summary:
            actions.append_summary(env.step_summary, gradebook.summary_markdown(result.aggregates))
    else:
        actions.say(terminal_table(result))
    aggregates = result.aggregates
    actions.say(messages.tally_line(aggregates.credited, aggregates.students, aggregates.reached_cap,
                              aggregates.unmatched))
    return EXIT_OK

