#!/usr/bin/env bash
# The end-to-end demo on the embedded SQLite store: generate sessions, ingest them, list them,
# show one, verify every chain, then tamper with a copy and watch verify name the edited event.
set -euo pipefail
bin=${PARALLAX_BIN:?PARALLAX_BIN must point to the parallax binary}
work=$(mktemp -d "${TMPDIR:-/tmp}/parallax-demo.XXXXXX")
db="$work/fleet.sqlite"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "1. A fleet's worth of agent sessions (synthetic: model calls, commands, file edits), zstd NDJSON"
"$bin" generate --sessions 8 --seed 7 --zstd -o "$work/traces.ndjson.zst"

say "2. Ingest them into an SQLite store ($db)"
"$bin" ingest "$work/traces.ndjson.zst" --db "$db"

say "3. Sessions in the store"
"$bin" sessions --db "$db"

first=$("$bin" sessions --db "$db" --condition unsupervised --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["sessions"][0]["id"])')
say "4. What session $first ran (process.exec and file.write events)"
"$bin" events "$first" --db "$db" --kind process.exec --kind file.write --limit 8

say "5. Verify every session's hash chain"
mapfile -t ids < <("$bin" sessions --db "$db" --json | python3 -c 'import json,sys; [print(s["id"]) for s in json.load(sys.stdin)["sessions"]]')
"$bin" verify "${ids[@]}" --db "$db"

say "6. Someone edits one recorded command's output after the fact; verify names the event"
"$bin" events "$first" --db "$db" --json > "$work/original.ndjson"
python3 - "$work/original.ndjson" "$work/tampered.ndjson" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
for i, line in enumerate(lines):
    event = json.loads(line)
    if event["kind"] == "process.exec":
        event["data"]["exit_code"] = 0
        event["data"]["stdout"] = "all tests passed"
        lines[i] = json.dumps(event, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
        print(f"   edited seq {event['seq']} ({' '.join(event['data']['argv'])})")
        break
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
PY
"$bin" ingest "$work/tampered.ndjson" --db "$work/copy.sqlite" >/dev/null
"$bin" verify "$first" --db "$work/copy.sqlite" || echo "   (exit code $? — problems found, as expected)"

say "7. The same tampered file sent to the original store is a conflict: the first version stays"
"$bin" ingest "$work/tampered.ndjson" --db "$db" || true

printf '\nDemo files are in %s (remove with: rm -rf %s)\n' "$work" "$work"
