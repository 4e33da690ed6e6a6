#!/usr/bin/env python3
"""Counts test cases from meson test logs, TAP subtests included.

meson and bats print their own summaries, which CI does not read; this prints
the single closing line "N passed, N failed, N skipped" over every case.
"""
import json
import re
import sys

TAP_LINE = re.compile(r'^(not ok|ok)\b(.*)$')


def count(log_path):
    passed = failed = skipped = 0
    with open(log_path, encoding='utf-8') as log:
        for line in log:
            test = json.loads(line)
            cases = [TAP_LINE.match(l) for l in test.get('stdout', '').splitlines()]
            cases = [c for c in cases if c]
            # meson's log does not record the protocol: TAP output speaks for itself.
            if cases:
                for c in cases:
                    directive = c.group(2).lower()
                    if '# skip' in directive:
                        skipped += 1
                    elif c.group(1) == 'ok':
                        passed += 1
                    else:
                        failed += 1
                # A TAP test can fail without a "not ok" (crash, bad plan).
                if test['result'] not in ('OK', 'SKIP', 'EXPECTEDFAIL') and \
                        all(c.group(1) == 'ok' for c in cases):
                    failed += 1
            elif test['result'] == 'SKIP':
                skipped += 1
            elif test['result'] in ('OK', 'EXPECTEDFAIL'):
                passed += 1
            else:
                failed += 1
    return passed, failed, skipped


def main():
    passed = failed = skipped = 0
    # One log per build (tests/run may run a sanitizer build after the plain one).
    for path in sys.argv[1:]:
        p, f, s = count(path)
        passed, failed, skipped = passed + p, failed + f, skipped + s
    print(f'{passed} passed, {failed} failed, {skipped} skipped')
    return 1 if failed or passed == 0 else 0


if __name__ == '__main__':
    sys.exit(main())
