#!/usr/bin/python3
"""Brings Debian's systemctl (docker-systemctl-replacement 1.4.4181) closer to real systemd in
the two places where fabric's scripts would otherwise see a different answer on the lab:

1. `is-active` / `is-failed` answer "unknown" for any unit that is not enabled, even a running
   one; systemd reports the unit's real state ("active", "inactive", "failed").
2. `disable --now` only disables; systemd also stops the unit (as `enable --now` starts it,
   which the replacement already does).

Usage: systemctl-patch.py FILE (patched in place; fails if the expected text is not there).
"""
import sys

path = sys.argv[1]
src = open(path).read()
MARK = "# fabric lab: patched\n"
if MARK in src:
    sys.exit(0)

unknown = '                if enabled != "enabled": active = "unknown"\n'
if src.count(unknown) != 2:
    sys.exit(f"{path}: the is-active/is-failed text to patch is not there (another systemctl version?)")
src = src.replace(unknown, "")

disable = """        for unit in units:
            if not self.disable_unit(unit):
               done = False
        return done
"""
if src.count(disable) != 1:
    sys.exit(f"{path}: the disable text to patch is not there (another systemctl version?)")
src = src.replace(disable, """        for unit in units:
            if not self.disable_unit(unit):
               done = False
            elif self._now:
               self.stop_unit(unit)
        return done
""")
lines = src.split("\n", 1)
open(path, "w").write(lines[0] + "\n" + MARK + lines[1])
