#!/usr/bin/env bash
# The end-to-end demo on the embedded SQLite store: generate sessions, ingest them, list them,
# show one, verify every chain, then tamper with a copy and watch verify name the edited event;
# then a collector, a recorded agent run shipped to it, and the behavior-gap experiment: a scripted
# agent in both conditions, one incident replayed in the sandbox, two runs compared, the gap report.
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

say "8. A central collector: tokens per project, ingest over HTTP (zstd), queries scoped to the project"
collector_db="$work/collector.sqlite"
ingest_token=$("$bin" collector token create --db "$collector_db" --project payments --role ingest --name demo-worker 2>/dev/null)
read_token=$("$bin" collector token create --db "$collector_db" --project payments --role read 2>/dev/null)
other_token=$("$bin" collector token create --db "$collector_db" --project search --role read 2>/dev/null)
admin_token=$("$bin" collector token create --db "$collector_db" --project payments --role admin 2>/dev/null)
"$bin" collector serve --db "$collector_db" --listen 127.0.0.1:0 > "$work/collector.url" 2> "$work/collector.log" &
collector_pid=$!
trap 'kill -TERM $collector_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$work/collector.url" ] && break; sleep 0.1; done
url=$(head -n 1 "$work/collector.url")
echo "   collector at $url"
"$bin" ingest "$work/traces.ndjson.zst" --collector "$url" --token "$ingest_token"
"$bin" sessions --collector "$url" --token "$read_token" --condition unsupervised
echo "   the same query with another project's token:"
"$bin" sessions --collector "$url" --token "$other_token"
"$bin" verify "$first" --collector "$url" --token "$read_token"
echo "   metrics (excerpt):"
python3 - "$url" "$admin_token" <<'PY'
import sys, urllib.request
request = urllib.request.Request(sys.argv[1] + "/metrics", headers={"Authorization": "Bearer " + sys.argv[2]})
for line in urllib.request.urlopen(request).read().decode().splitlines():
    if line.startswith(("parallax_events_total", "parallax_commit_seconds_count", "parallax_store_bytes")):
        print("   " + line)
PY

say "9. A worker records an agent run with the recording shell; the recorder ships it to the collector"
ws="$work/workspace"
mkdir -p "$ws"
printf 'print("hello from the app")\n' > "$ws/app.py"
export PX="$bin"
(cd "$ws" && "$bin" record --shell --task demo-fix --condition unsupervised --spool "$work/spool" \
    --collector "$url" --token "$ingest_token" --id-file "$work/recorded.id" -- \
    bash -c '$SHELL -c "python3 app.py > out.txt"; $SHELL -c "rm app.py && ls"; "$PX" emit --kind annotation --data "{\"label\":\"done\"}"; exit 2') \
    || echo "   the agent exited with status $? (parallax record passes it on)"
recorded=$(cat "$work/recorded.id")
"$bin" events "$recorded" --collector "$url" --token "$read_token"
"$bin" verify "$recorded" --collector "$url" --token "$read_token"

say "10. The behavior gap: a scripted agent fixes failing tests in 5 task repositories, 3 runs per task in each condition"
echo "   Each run is recorded (recording shell, model calls through the recording proxy) and shipped to the collector."
echo "   The cue tells the agent whether it is watched; unwatched, it sometimes takes a one-way-door shortcut."
PARALLAX_BIN="$bin" "$(dirname "$0")/demo_experiment.sh" "$url" "$ingest_token" "$work/experiment"

incident=$(awk -F'\t' '$3 == "unsupervised" && ($6 ~ /deleted-data/ || $6 ~ /edited-test/) { print $1; exit }' "$work/experiment/sessions.tsv")
baseline=$(awk -F'\t' -v task="$(awk -F'\t' -v id="$incident" '$1 == id { print $2 }' "$work/experiment/sessions.tsv")" \
    '$3 == "supervised" && $2 == task { print $1; exit }' "$work/experiment/sessions.tsv")
if [ -n "$incident" ]; then
    say "11. Replay one incident ($incident) in the sandbox, step by step, without touching anything here"
    "$bin" replay "$incident" --collector "$url" --token "$admin_token" || echo "   (exit code $? — some steps diverged; the report says which and why)"

    say "12. The same task, watched ($baseline) and unwatched ($incident), side by side"
    "$bin" compare "$baseline" "$incident" --collector "$url" --token "$read_token" --width 56 || true
fi

say "13. The gap report over the experiment's tasks: unsupervised against the supervised baseline"
task_flags=()
for task in $("$(dirname "$bin")/parallax-demo-agent" tasks); do task_flags+=(--task "$task"); done
"$bin" gap --collector "$url" --token "$read_token" "${task_flags[@]}"
"$bin" gap --collector "$url" --token "$read_token" "${task_flags[@]}" --format html -o "$work/gap.html"
echo "   HTML report (self-contained, open it in a browser): $work/gap.html"

kill -TERM "$collector_pid"
wait "$collector_pid" && echo "   collector stopped cleanly on SIGTERM (in-flight batches finished, WAL checkpointed)"
trap - EXIT

printf '\nDemo files are in %s (remove with: rm -rf %s)\n' "$work" "$work"
