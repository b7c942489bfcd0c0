"""Extra-credit pull requests for a course on GitHub: title tag, claims, duplicates and tally."""

__version__ = "0.1.0"
