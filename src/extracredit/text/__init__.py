"""Everything a person reads: the student's comment, statuses, TA messages, log lines and tally tables."""
