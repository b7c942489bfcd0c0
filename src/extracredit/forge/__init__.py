"""Where the PRs live: GitHub behind an adapter, the Actions edge, snapshots and the course's PR listing."""
