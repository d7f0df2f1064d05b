"""Schedules per second the Python original runs on the race-free two-thread counter.

The figure exec_per_s_counter is compared against. Needs a checkout of
https://github.com/lucaswiman/frontrun on PYTHONPATH and hypothesis (Debian:
python3-hypothesis):

    PYTHONPATH=/path/to/frontrun python3 bench/frontrun_counter.py 2000
"""

import sys
import threading
import time

from frontrun._cooperative import patch_locks

patch_locks()  # what the frontrun CLI does before a test runs

from frontrun.bytecode import explore_interleavings  # noqa: E402


class Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.value = 0

    def increment(self):
        with self.lock:
            self.value += 1


def main():
    attempts = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    start = time.perf_counter()
    result = explore_interleavings(
        setup=Counter,
        threads=[lambda c: c.increment(), lambda c: c.increment()],
        invariant=lambda c: c.value == 2,
        max_attempts=attempts,
        max_ops=300,
        seed=1,
        detect_io=False,
        reproduce_on_failure=0,
    )
    elapsed = time.perf_counter() - start
    if not result.property_holds:
        sys.exit("the race-free counter failed: frontrun or this script is broken")
    print(f"frontrun_exec_per_s_counter {result.num_explored / elapsed:.0f} schedules/s")


if __name__ == "__main__":
    main()
