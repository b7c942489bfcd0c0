"""The deciding half of a live check: the configuration, the registry and the verdict, worded."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from types import TracebackType

from extracredit.core.config import Config
from extracredit.core.model import PullRequest, Registry
from extracredit.core.verdict import CheckVerdict, decide
from extracredit.errors import RegistryError
from extracredit.publish.live import Decided, NoteLevel
from extracredit.registry.opening import read_registry
from extracredit.text import comment as verdict_words
from extracredit.text import messages
from extracredit.text.changes import Report
from extracredit.text.report import build_report


def report_for(verdict: CheckVerdict, config: Config) -> Report:
    """What the verdict wants the PR to show; the comment links the course's registry."""
    return build_report(verdict, config.registry.claims)


def read_or_error(config: Config, folder: Path | None) -> tuple[Registry | None, str | None]:
    """The registry, or why it cannot be read."""
    try:
        return read_registry(config, folder), None
    except RegistryError as error:
        return None, str(error)


def decided(pr: PullRequest, registry: Registry | None, registry_error: str | None,
            config: Config, has_write_access: bool, now: datetime) -> Decided:
    """One PR decided against the registry (None when unreadable, ``registry_error`` says why),
    with every line its publishing prints."""
    notes: list[tuple[NoteLevel, str]] = []
    if registry_error is not None:
        notes.append(("error", messages.REGISTRY_UNREADABLE.format(reason=registry_error)))
    if registry is not None and registry.problems:
        notes.append(("warning", messages.registry_problems_count(len(registry.problems))))
    verdict = decide(pr, registry, config, now, has_write_access=has_write_access,
                     registry_error=registry_error)
    return Decided(
        report=report_for(verdict, config),
        summary_line=verdict_words.summary_line(verdict),
        exit_code=verdict.exit_code,
        notes=tuple(notes),
        outputs=(("title", verdict.title.outcome), ("claim", verdict.claim.outcome),
                 ("claim-id", verdict.claim.claim_id or "")),
        job_summary=verdict_words.job_summary(verdict),
        fix=verdict_words.fix_annotation(verdict),
    )


class InlineDecider:
    """A ``Decider`` in this process: the registry is read in a thread from the start, so that
    it is read while GitHub is asked about the PR; read once for every PR of the run."""

    def __init__(self, config: Config | None, config_error: str | None,
                 registry_folder: Path | None) -> None:
        self.config = config
        self._config_error = config_error
        self._background = ThreadPoolExecutor(max_workers=1)
        self._reading: Future[tuple[Registry | None, str | None]] | None = (
            self._background.submit(read_or_error, config, registry_folder)
            if config is not None else None)

    def config_error(self) -> str | None:
        return self._config_error if self.config is None else None

    def decide(self, pr: PullRequest, has_write_access: bool, now: datetime) -> Decided:
        # Asked only when config_error() said there is a configuration.
        assert self.config is not None
        assert self._reading is not None
        registry, registry_error = self._reading.result()
        return decided(pr, registry, registry_error, self.config, has_write_access, now)

    def __enter__(self) -> InlineDecider:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._background.shutdown(wait=True)
