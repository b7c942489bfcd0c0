"""One module per command of the command line, each tying the rules to the adapters."""
