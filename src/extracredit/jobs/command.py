"""The ``command`` command: obey ``/credit`` and ``/recheck`` in a PR comment (issue_comment)."""

from __future__ import annotations

import argparse
from datetime import datetime

from extracredit.core.config import Config
from extracredit.core.slash import Credit, Malformed, Recheck, may_give_credit, parse_command
from extracredit.core.vocab import CommandOutcome
from extracredit.errors import (
    EXIT_FIX,
    EXIT_OK,
    EXIT_UNDECIDED,
    GitHubError,
    MissingEnvironment,
    RegistryError,
)
from extracredit.forge import actions
from extracredit.forge.actions import ActionsEnv
from extracredit.forge.base import Forge
from extracredit.forge.github import connect_from_environment
from extracredit.publish.deciding import InlineDecider
from extracredit.publish.live import check_live
from extracredit.registry.opening import load_config, open_backend
from extracredit.registry.parse import column_index
from extracredit.registry.schema import LEDGER_COLUMNS, RegistryBackend
from extracredit.text import messages
from extracredit.text import summary as summary_words

REACTION_DONE = "+1"
REACTION_REFUSED = "confused"


def ledger_row(credit: Credit, when: datetime, actor: str, pr_url: str, source: str) -> list[str]:
    values = {"When": when.isoformat(timespec="seconds"), "Actor": actor, "PR": pr_url,
              "Decision": credit.decision,
              "Credit": "" if credit.amount is None else str(credit.amount),
              "Reason": credit.reason, "Source": source}
    return [values[column] for column in LEDGER_COLUMNS]


def recorded(backend: RegistryBackend, source: str) -> bool:
    """Is a Ledger row with this Source (the command's comment id) there already?"""
    ledger = backend.read(("Ledger",)).get("Ledger")
    if ledger is None:
        return False
    index, _ = column_index(ledger)
    at = index.get("Source")
    return at is not None and any(len(cells) > at and cells[at].strip() == source
                                  for _, cells in ledger.rows)


def record_credit(backend: RegistryBackend, credit: Credit, when: datetime, actor: str,
                  pr_url: str, comment_id: int) -> bool:
    """Append the decision to the Ledger once; False when a re-run finds it recorded."""
    source = f"command:{comment_id}"
    if recorded(backend, source):
        return False
    backend.append_rows("Ledger", [ledger_row(credit, when, actor, pr_url, source)],
                        landed=lambda: recorded(backend, source))
    return True


def run(args: argparse.Namespace) -> int:
    """Run ``extracredit command`` for the issue_comment event of GitHub Actions."""
    config = load_config(args.config)
    env = actions.read_environment()
    if not env.event_path:
        raise MissingEnvironment("GITHUB_EVENT_PATH")
    event = actions.read_event(env.event_path)
    issue, comment = event.get("issue") or {}, event.get("comment") or {}
    if (env.event_name != "issue_comment" or event.get("action") != "created"
            or not issue.get("pull_request") or not comment):
        actions.say(messages.COMMAND_NOT_FOR_US)
        return EXIT_OK
    author = comment.get("user") or {}
    if author.get("type") == "Bot":
        actions.say(messages.COMMAND_NOT_FOR_US)
        return EXIT_OK
    command = parse_command(str(comment.get("body") or ""), config.cap)
    if command is None:
        actions.say(messages.COMMAND_NOT_FOR_US)
        _summarize(env, "none", "not-a-command")
        return EXIT_OK
    repo = str((event.get("repository") or {}).get("full_name") or env.repository)
    number, comment_id, login = int(issue["number"]), int(comment["id"]), str(author.get("login"))
    forge = connect_from_environment(env)(repo)
    try:
        code, outcome = _obey(forge, config, args, env, command, number, comment_id, login,
                              str(comment.get("created_at") or ""))
    except GitHubError as error:
        actions.say_annotation("error", str(error))
        code, outcome = EXIT_UNDECIDED, "github-error"
    _summarize(env, _command_name(command), outcome)
    return code


def _command_name(command: Recheck | Credit | Malformed) -> str:
    """The command as the summary names it: its kind of decision, never an amount or a reason."""
    if isinstance(command, Recheck):
        return "/recheck"
    if isinstance(command, Credit):
        return f"/credit {command.decision}"
    return "/credit"


def _summarize(env: ActionsEnv, command: str, outcome: CommandOutcome) -> None:
    if env.step_summary:
        actions.append_summary(env.step_summary, summary_words.command_summary(command, outcome))


def _obey(forge: Forge, config: Config, args: argparse.Namespace, env: ActionsEnv,
          command: Recheck | Credit | Malformed, number: int, comment_id: int, login: str,
          created_at: str) -> tuple[int, CommandOutcome]:
    marker = messages.reply_marker(comment_id)
    if isinstance(command, Malformed):
        forge.reply_once(number, marker, messages.command_syntax(login, command, config.cap))
        actions.say(messages.command_malformed_log(command.problem))
        return EXIT_FIX, "malformed"
    if isinstance(command, Recheck):
        forge.react(comment_id, REACTION_DONE)
        actions.say(messages.COMMAND_RECHECK)
        code = _check(forge, number, config, args, env)
        return (EXIT_UNDECIDED if code == EXIT_UNDECIDED else EXIT_OK), "rechecked"
    if not may_give_credit(forge.permission(login)):
        forge.reply_once(number, marker, messages.command_refused(login))
        forge.react(comment_id, REACTION_REFUSED)
        actions.say(messages.COMMAND_REFUSED_LOG)
        return EXIT_OK, "refused"
    pr = forge.pull(number)
    when = _when(created_at, config)
    try:
        appended = record_credit(open_backend(config, args.registry), command, when, login,
                                 pr.html_url, comment_id)
    except RegistryError as error:
        actions.say_annotation("error", messages.REGISTRY_UNREADABLE.format(reason=error))
        return EXIT_UNDECIDED, "registry-error"
    forge.react(comment_id, REACTION_DONE)
    # The log is public: it names the decision's kind, never an amount.
    actions.say(messages.command_recorded_log(command.decision, appended))
    code = _check(forge, number, config, args, env)  # reads the registry as just written
    return (EXIT_UNDECIDED if code == EXIT_UNDECIDED else EXIT_OK), (
        "recorded" if appended else "already-recorded")


def _check(forge: Forge, number: int, config: Config, args: argparse.Namespace,
           env: ActionsEnv) -> int:
    with InlineDecider(config, None, args.registry) as decider:
        return check_live(forge, number, decider, dry_run=False, env=env)


def _when(created_at: str, config: Config) -> datetime:
    try:
        moment = datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    except ValueError:
        moment = datetime.now(config.zone)
    return moment.astimezone(config.zone)
