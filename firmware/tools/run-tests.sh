#!/bin/sh
# Runs the firmware test legs and prints one summary line "N passed, N failed".
# Usage: run-tests.sh LEG...  where LEG is "host:COMMAND [ARGS]" (run directly) or
# "qemu:MACHINE:ELF" (run on qemu-system-arm -M MACHINE with semihosting).
# Each leg prints "<target> (...): N passed, N failed" itself; a leg that prints no such line
# (crash, fault, timeout) or exits non-zero without failures counts as one failure.
passed=0; failed=0

run_leg() { # name, command...
  name=$1; shift
  out=$("$@" 2>&1); status=$?
  printf '%s\n' "$out" | grep -E '^(FAIL|MISMATCH|\*\*\*|vectors:)' | head -40
  line=$(printf '%s\n' "$out" | grep -E ': [0-9]+ passed, [0-9]+ failed$' | tail -1)
  if [ -z "$line" ]; then
    printf '%s\n' "$out" | tail -5
    echo "firmware $name: no result line (exit status $status)"
    failed=$((failed + 1)); return
  fi
  echo "firmware $line"
  p=$(printf '%s' "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\1/')
  f=$(printf '%s' "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\2/')
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "firmware $name: exit status $status"; failed=$((failed + 1))
  fi
}

for leg in "$@"; do
  kind=${leg%%:*}; rest=${leg#*:}
  if [ "$kind" = host ]; then
    # shellcheck disable=SC2086 # the command and its arguments are split on purpose
    run_leg "$rest" $rest
  else
    machine=${rest%%:*}; elf=${rest#*:}
    run_leg "$elf on $machine" timeout 600 qemu-system-arm -M "$machine" -nographic -monitor none -serial none \
      -semihosting-config enable=on,target=native -kernel "$elf"
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
