#!/bin/sh
# Runs the benchmark images under QEMU with the instruction-counting plugin and prints one
# JSON object per measured layer:
#   {"layer": ..., "cpu": ..., "impl": "dsp"|"portable", "macs": N, "instructions": N, "instr_per_mac": X}
# Usage: bench.sh PLUGIN.so elf:machine:cpu_name...
# The guest prints "LAYER <name> <impl> <macs>" after each region, the plugin logs
# "MOTE_REGION <index> <instructions>"; they pair up in order. Region 0 is empty (the marker
# overhead), subtracted from the others. Exits non-zero if a run fails or the counts do not pair.
plugin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); shift
status=0
for leg in "$@"; do
  elf=${leg%%:*}; rest=${leg#*:}; machine=${rest%%:*}; cpu=${rest#*:}
  start=$(arm-none-eabi-nm "$elf" | awk '$3 == "mote_bench_start" { print $1 }')
  stop=$(arm-none-eabi-nm "$elf" | awk '$3 == "mote_bench_stop" { print $1 }')
  log=$(mktemp); out=$(mktemp)
  if ! timeout 600 qemu-system-arm -M "$machine" -nographic -monitor none -serial none \
      -semihosting-config enable=on,target=native -kernel "$elf" \
      -plugin "$plugin,start=0x$start,stop=0x$stop" -d plugin -D "$log" >"$out" 2>&1; then
    cat "$out" >&2; echo "bench: $elf on $machine failed" >&2; status=1
  fi
  grep '^MOTE_REGION' "$log" | awk -v cpu="$cpu" -v layers="$out" '
    BEGIN { n = 0; while ((getline line < layers) > 0) if (line ~ /^LAYER /) { split(line, f, " "); name[n] = f[2]; impl[n] = f[3]; macs[n] = f[4]; n++ } }
    { count[NR - 1] = $3 }
    END {
      if (NR != n || n == 0) { printf "bench: %d regions but %d LAYER lines on %s\n", NR, n, cpu > "/dev/stderr"; exit 1 }
      overhead = count[0]
      for (i = 1; i < n; i++) {
        ins = count[i] - overhead
        printf "{\"layer\": \"%s\", \"cpu\": \"%s\", \"impl\": \"%s\", \"macs\": %d, \"instructions\": %d, \"instr_per_mac\": %.2f}\n", name[i], cpu, impl[i], macs[i], ins, ins / macs[i]
      }
    }' || status=1
  rm -f "$log" "$out"
done
exit $status
