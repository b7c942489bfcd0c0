"""Start commands in alternating turns and print each one's wall seconds and peak memory (run as a
script of its own, by ``measured.alternate``).

Reads from stdin {"times": N, "commands": {name: [argv, env]}} and prints {"walls": {name: [s]},
"peaks": {name: [MiB]}}. It is a process of its own, and a small one, because a child's peak
memory as the kernel reports it starts from that of the process that started it (fork and exec
keep the high-water mark): started from the benchmark, every process would look as big as it.
Standard library only.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time


def main() -> int:
    request = json.load(sys.stdin)
    commands: dict[str, tuple[list[str], dict[str, str]]] = request["commands"]
    walls: dict[str, list[float]] = {name: [] for name in commands}
    peaks: dict[str, list[float]] = {name: [] for name in commands}
    # One untimed turn first: it writes the bytecode and warms the disk cache, as earlier runs
    # on a runner have.
    for index in range(-1, request["times"]):
        # Whatever else the machine does meanwhile falls on each command alike.
        order = list(commands) if index % 2 == 0 else list(reversed(commands))
        for name in order:
            argv, env = commands[name]
            with tempfile.TemporaryFile() as errors:
                actions = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                           (os.POSIX_SPAWN_DUP2, errors.fileno(), 2)]
                started = time.perf_counter()
                pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
                _, status, usage = os.wait4(pid, 0)
                if index >= 0:
                    walls[name].append(time.perf_counter() - started)
                    peaks[name].append(usage.ru_maxrss / 1024)
                if os.waitstatus_to_exitcode(status) not in (0, 1):
                    errors.seek(0)
                    print(f"{' '.join(argv)} failed:\n{errors.read().decode(errors='replace')}",
                          file=sys.stderr)
                    return 1
    json.dump({"walls": walls, "peaks": peaks}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
