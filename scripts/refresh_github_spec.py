"""Regenerate the GitHub contract spec and webhook fixtures from the octokit npm packages.

Run by ``scripts/refresh-github-spec``, which installs the packages into a temporary directory and
passes its ``node_modules`` here. Writes:

- ``tests/contract/github.json``: ``@octokit/openapi``'s REST description trimmed to
  ``OPERATIONS`` plus every component they reach through ``$ref`` (no webhooks), patched where the
  published description disagrees with the live API;
- ``tests/fixtures/webhooks/*.json``: real payloads from ``@octokit/webhooks-examples`` and payloads
  derived from them for cases the examples lack, each validated against
  ``@octokit/webhooks-schemas``.

Writing is idempotent: a file whose content would not change is left alone.
"""

from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema

OPERATIONS: tuple[tuple[str, str], ...] = (
    ("get", "/repos/{owner}/{repo}"),
    ("get", "/repos/{owner}/{repo}/pulls"),
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}"),
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}/files"),
    ("get", "/repos/{owner}/{repo}/issues/{issue_number}"),
    ("get", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    ("post", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    ("patch", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),
    ("post", "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions"),
    ("post", "/repos/{owner}/{repo}/statuses/{sha}"),
    ("get", "/repos/{owner}/{repo}/commits/{ref}/status"),
    ("post", "/repos/{owner}/{repo}/issues/{issue_number}/labels"),
    ("delete", "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}"),
    ("get", "/repos/{owner}/{repo}/collaborators/{username}/permission"),
    ("get", "/rate_limit"),
    ("get", "/user"),
)

# The list operations above; GitHub's pagination links for them use /repositories/{repository_id}.
PAGINATED: tuple[str, ...] = (
    "/repos/{owner}/{repo}/pulls",
    "/repos/{owner}/{repo}/pulls/{pull_number}/files",
    "/repos/{owner}/{repo}/issues/{issue_number}/comments",
)

SPEC_FILE = "tests/contract/github.json"
FIXTURE_DIR = "tests/fixtures/webhooks"

# The account and repository of the derived fork pull request (any values other than the base's).
FORK_OWNER_LOGIN = "student-forker"
FORK_OWNER_ID = 90000001
FORK_REPO_ID = 700000001


def refs(node: Any) -> Iterator[str]:
    """Yield every ``$ref`` string inside a JSON value."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def repository_id_path(path: str) -> str:
    """The ``/repositories/{repository_id}/...`` form of a ``/repos/{owner}/{repo}/...`` path."""
    return path.replace("/repos/{owner}/{repo}", "/repositories/{repository_id}", 1)


def patch_spec(full: dict[str, Any]) -> None:
    """Fix the gaps between the published description and what api.github.com really does."""
    paths, schemas = full["paths"], full["components"]["schemas"]
    # PyGithub's Issue.add_to_labels sends a bare JSON array of names, which GitHub accepts.
    add_labels = paths["/repos/{owner}/{repo}/issues/{issue_number}/labels"]["post"]
    add_labels["requestBody"]["content"]["application/json"]["schema"]["oneOf"].append(
        {"type": "array", "minItems": 1, "items": {"type": "string"}}
    )
    # A pull request whose head repository (usually a fork) was deleted has "head.repo": null.
    for name in ("pull-request", "pull-request-simple"):
        head = schemas[name]["properties"]["head"]["properties"]
        head["repo"] = {"$ref": "#/components/schemas/nullable-repository"}
    # A label without a description has "description": null everywhere, as "label" and
    # "pull-request" say; the labels of "pull-request-simple" forgot the nullable.
    labels = schemas["pull-request-simple"]["properties"]["labels"]["items"]["properties"]
    labels["description"]["nullable"] = True
    # GitHub writes the "next"/"last" links of repository lists as /repositories/{repository_id}/...
    # (which clients follow verbatim), a form the description does not list.
    for path in PAGINATED:
        operation = copy.deepcopy(paths[path]["get"])
        operation["operationId"] += "-by-repository-id"
        operation["parameters"] = [
            {"name": "repository_id", "in": "path", "required": True, "schema": {"type": "integer"}}
        ] + [
            p
            for p in operation["parameters"]
            if p.get("$ref") not in {"#/components/parameters/owner", "#/components/parameters/repo"}
        ]
        paths[repository_id_path(path)] = {"get": operation}


def reached_components(full: dict[str, Any], paths: dict[str, Any]) -> set[tuple[str, str]]:
    """Every (section, name) of ``components`` that ``paths`` reach through ``$ref``, transitively."""
    reached: set[tuple[str, str]] = set()
    pending = list(refs(paths))
    while pending:
        ref = pending.pop()
        match = re.fullmatch(r"#/components/([^/]+)/([^/]+)", ref)
        if match is None:
            raise SystemExit(f"unexpected $ref {ref!r}")
        key = (match[1], match[2])
        if key not in reached:
            reached.add(key)
            pending.extend(refs(full["components"][key[0]][key[1]]))
    return reached


def trim_spec(full: dict[str, Any]) -> dict[str, Any]:
    """Keep ``OPERATIONS`` (and their paginated aliases) and the components they reach."""
    kept_operations = OPERATIONS + tuple(("get", repository_id_path(p)) for p in PAGINATED)
    paths: dict[str, Any] = {}
    for method, path in kept_operations:
        item = full["paths"][path]
        kept = paths.setdefault(path, {k: v for k, v in item.items() if k == "parameters"})
        kept[method] = item[method]

    reached = reached_components(full, paths)

    components: dict[str, Any] = {}
    for section, entries in full["components"].items():
        kept_entries = {name: body for name, body in entries.items() if (section, name) in reached}
        if kept_entries:
            components[section] = kept_entries

    used_tags = {tag for item in paths.values() for op in item.values() for tag in op.get("tags", ())}
    trimmed = {k: v for k, v in full.items() if k not in {"paths", "components", "x-webhooks", "webhooks"}}
    trimmed["tags"] = [tag for tag in full.get("tags", []) if tag["name"] in used_tags]
    trimmed["paths"] = paths
    trimmed["components"] = components
    return trimmed


def unwrap_examples(spec: dict[str, Any]) -> None:
    """Point the two response examples that wrap a component Example at the component itself.

    They read ``{"summary": ..., "value": {"$ref": <Example>}}``, and an Example is itself
    ``{"value": ..., "x-github-breaking-changes": ...}``, so the example payload was the wrapper.
    """
    unwrapped = 0
    for item in spec["paths"].values():
        for op in item.values():
            for response in op.get("responses", {}).values():
                for media in response.get("content", {}).values():
                    for name, example in media.get("examples", {}).items():
                        value = example.get("value")
                        if isinstance(value, dict) and set(value) == {"$ref"}:
                            media["examples"][name] = {"summary": example["summary"], **value}
                            unwrapped += 1
    if unwrapped != 2:
        raise SystemExit(f"expected 2 wrapped response examples, found {unwrapped}")


class WebhookSchemas:
    """Validates payloads against ``@octokit/webhooks-schemas`` definitions (``event$action``)."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self._definitions = schema["definitions"]

    def errors(self, event: str, payload: dict[str, Any]) -> list[str]:
        """Return the schema violations of ``payload`` as ``event``/``payload["action"]``."""
        validator = jsonschema.Draft7Validator(
            {"definitions": self._definitions, "$ref": f"#/definitions/{event}${payload['action']}"},
            format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER,
        )
        return [
            f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}"
            for error in validator.iter_errors(payload)
        ]


def first_valid_example(
    examples: dict[str, list[dict[str, Any]]], schemas: WebhookSchemas, event: str, action: str
) -> dict[str, Any]:
    """Return the first ``event``/``action`` example that passes its schema; report the others."""
    candidates = [e for e in examples[event] if e["action"] == action]
    for position, example in enumerate(candidates, start=1):
        errors = schemas.errors(event, example)
        if not errors:
            return copy.deepcopy(example)
        print(
            f"skipped {event}.{action} example {position}/{len(candidates)}: "
            f"{len(errors)} schema errors, e.g. {errors[0]}"
        )
    raise SystemExit(f"no {event}.{action} example passes its schema")


def node_id(kind: str, number: int) -> str:
    """GitHub's legacy global node id, e.g. ``MDQ6VXNlcjE=`` for user 1."""
    return base64.b64encode(f"0{len(kind)}:{kind}{number}".encode()).decode()


def replace_strings(node: Any, old: str, new: str) -> Any:
    """Return a copy of a JSON value with ``old`` replaced by ``new`` in every string."""
    if isinstance(node, dict):
        return {k: replace_strings(v, old, new) for k, v in node.items()}
    if isinstance(node, list):
        return [replace_strings(v, old, new) for v in node]
    if isinstance(node, str):
        return node.replace(old, new)
    return node


def make_user(template: dict[str, Any], login: str, user_id: int) -> dict[str, Any]:
    """A webhook user object for another account, shaped like ``template``."""
    user: dict[str, Any] = replace_strings(template, template["login"], login)
    user["id"] = user_id
    user["node_id"] = node_id("User", user_id)
    user["avatar_url"] = f"https://avatars.githubusercontent.com/u/{user_id}?v=4"
    return user


def fork_of(payload: dict[str, Any]) -> dict[str, Any]:
    """A pull request from a fork owned by another account, opened by that account."""
    derived = copy.deepcopy(payload)
    pr = derived["pull_request"]
    base_repo = pr["base"]["repo"]
    forker = make_user(pr["user"], FORK_OWNER_LOGIN, FORK_OWNER_ID)
    fork_name = f"{FORK_OWNER_LOGIN}/{base_repo['name']}"
    fork = replace_strings(base_repo, base_repo["full_name"], fork_name)
    fork.update(
        id=FORK_REPO_ID,
        node_id=node_id("Repository", FORK_REPO_ID),
        full_name=fork_name,
        owner=forker,
        fork=True,
        forks_count=0,
        forks=0,
        stargazers_count=0,
        watchers_count=0,
        watchers=0,
        open_issues_count=0,
        open_issues=0,
    )
    pr["head"].update(label=f"{FORK_OWNER_LOGIN}:{pr['head']['ref']}", user=forker, repo=fork)
    pr["user"] = forker
    pr["author_association"] = "FIRST_TIME_CONTRIBUTOR"
    derived["sender"] = forker
    return derived


def edited(payload: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The ``edited`` event of the pull request in ``payload`` with the given ``changes``."""
    derived = copy.deepcopy(payload)
    derived["action"] = "edited"
    derived["changes"] = changes
    return derived


def merged(closed: dict[str, Any]) -> dict[str, Any]:
    """The ``closed`` event of a merged pull request (merged by its author)."""
    derived = copy.deepcopy(closed)
    pr = derived["pull_request"]
    pr.update(merged=True, merged_at=pr["closed_at"], merged_by=copy.deepcopy(pr["user"]))
    return derived


def comment_on_pull_request(comment: dict[str, Any], pull: dict[str, Any]) -> dict[str, Any]:
    """Move an ``issue_comment`` payload onto the pull request of a ``pull_request`` payload."""
    derived = copy.deepcopy(comment)
    pr = pull["pull_request"]
    issue = derived["issue"]
    old_number, number = issue["number"], pr["number"]
    derived["issue"] = replace_strings(issue, f"/issues/{old_number}", f"/issues/{number}")
    derived["issue"].update(
        number=number,
        title=pr["title"],
        html_url=pr["html_url"],
        pull_request={
            "url": pr["url"],
            "html_url": pr["html_url"],
            "diff_url": pr["diff_url"],
            "patch_url": pr["patch_url"],
            "merged_at": pr["merged_at"],
        },
    )
    remote = derived["comment"]
    remote["issue_url"] = derived["issue"]["url"]
    remote["html_url"] = f"{pr['html_url']}#issuecomment-{remote['id']}"
    return derived


def fixtures(
    examples: dict[str, list[dict[str, Any]]], schemas: WebhookSchemas
) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every webhook fixture, by file name: (event name, payload)."""
    real = {
        action: first_valid_example(examples, schemas, "pull_request", action)
        for action in ("opened", "reopened", "synchronize", "ready_for_review", "closed")
    }
    opened = real["opened"]
    fork = fork_of(opened)
    previous_base_sha = hashlib.sha1(b"previous base").hexdigest()
    head_repo_deleted = edited(fork, {"title": {"from": "Update the README"}})
    head_repo_deleted["pull_request"]["head"]["repo"] = None
    comment = first_valid_example(examples, schemas, "issue_comment", "created")

    result = {f"pull_request.{action}.json": ("pull_request", p) for action, p in real.items()}
    result.update(
        {
            "pull_request.edited.title.json": (
                "pull_request",
                edited(opened, {"title": {"from": "Update the README"}}),
            ),
            "pull_request.edited.base.json": (
                "pull_request",
                edited(
                    opened,
                    {"base": {"ref": {"from": "develop"}, "sha": {"from": previous_base_sha}}},
                ),
            ),
            "pull_request.closed.merged.json": ("pull_request", merged(real["closed"])),
            "pull_request.opened.fork.json": ("pull_request", fork),
            "pull_request.edited.head-repo-deleted.json": ("pull_request", head_repo_deleted),
            "issue_comment.created.pull_request.json": (
                "issue_comment",
                comment_on_pull_request(comment, opened),
            ),
        }
    )
    return result


def write_json(path: Path, data: Any, root: Path) -> None:
    """Write pretty-printed JSON, or leave the file alone when it already holds exactly that."""
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    shown = path.relative_to(root)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        print(f"unchanged {shown}")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {shown} ({len(text.encode()):,} bytes)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=Path, required=True, help="node_modules directory")
    parser.add_argument("--root", type=Path, required=True, help="repository root")
    args = parser.parse_args(argv)
    octokit = args.packages / "@octokit"

    full = json.loads((octokit / "openapi/generated/api.github.com.json").read_text("utf-8"))
    patch_spec(full)
    spec = trim_spec(full)
    unwrap_examples(spec)
    write_json(args.root / SPEC_FILE, spec, args.root)
    print(
        f"  {len(OPERATIONS)} operations (+{len(PAGINATED)} pagination aliases), "
        + ", ".join(f"{len(v)} {k}" for k, v in spec["components"].items())
    )

    schemas = WebhookSchemas(json.loads((octokit / "webhooks-schemas/schema.json").read_text()))
    index = json.loads((octokit / "webhooks-examples/api.github.com/index.json").read_text())
    examples = {entry["name"]: entry["examples"] for entry in index}
    for name, (event, payload) in fixtures(examples, schemas).items():
        errors = schemas.errors(event, payload)
        if errors:
            raise SystemExit(f"{name} fails the {event} schema:\n  " + "\n  ".join(errors))
        write_json(args.root / FIXTURE_DIR / name, payload, args.root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
