"""The one way a verdict reaches a PR: decide, report, plan the least writes, apply them."""
