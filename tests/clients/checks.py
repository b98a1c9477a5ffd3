"""What the SDK check scripts share: a check that stops the script on the first failure,
saying which, so the Rust test that runs it can show why."""

import sys


def check(name, condition, detail=""):
    if not condition:
        print(f"FAILED: {name} {detail}")
        sys.exit(1)
    print(f"ok: {name}")
