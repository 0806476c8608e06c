#!/usr/bin/env bash
# Applies one mutant by hand, runs the tests named, restores the file, and prints the result.
#
#   scripts/mutant.sh <module> <file> <exact text> <replacement> <surefire -Dtest pattern>
#
# The exact text must occur once in the file. Example:
#   scripts/mutant.sh tracker-core \
#     tracker-core/src/main/java/dev/durableeffect/tracker/delivery/SenderLoop.java \
#     'if (state == RUNNING) {' 'if (state != RUNNING) {' SenderLoopTest
# A killed mutant shows failures or errors; "COMPILE ERROR" means the mutant was not valid Java;
# "TIMED OUT" means the tests did not finish within MUTANT_TIMEOUT seconds (default 300): the
# mutant hangs them, which a test run would also show. The file is restored in every case, also
# when the script is interrupted.
set -u
cd "$(dirname "$0")/.."
module="$1"; file="$2"; old="$3"; new="$4"; tests="$5"
backup="$(mktemp)"
cp "$file" "$backup"
restore() { cp "$backup" "$file"; rm -f "$backup"; }
trap restore EXIT
trap 'exit 130' INT TERM HUP
python3 - "$file" "$old" "$new" <<'PY' || exit 3
import sys
path, old, new = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(path).read()
count = text.count(old)
if count != 1:
    sys.exit(f"the text occurs {count} times in {path}; it must occur once")
open(path, "w").write(text.replace(old, new))
PY
out=$(timeout --kill-after=10 "${MUTANT_TIMEOUT:-300}" \
  ./mvnw -B -o -pl "$module" test -Dtest="$tests" -Dsurefire.failIfNoSpecifiedTests=false 2>&1)
status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
  echo "TIMED OUT after ${MUTANT_TIMEOUT:-300} s"
  exit 5
fi
if grep -q "COMPILATION ERROR" <<<"$out"; then
  echo "COMPILE ERROR"
  exit 4
fi
grep -E "^\[ERROR\] +[A-Za-z]+Test\.[a-zA-Z]+|Tests run: [0-9]+, [^-]*$" <<<"$out" | tail -8
