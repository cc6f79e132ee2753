#!/usr/bin/env bash
# Side by side: the same verbs (ingest, ask, chat, summarize) through two builds of the CLI, alternated
# run by run on the same files, so a change to the library's plumbing is measured against the build
# before it on a machine whose load moves. Prints one JSON line per run and the medians.
#
#   bench/compare-builds.sh OLD_CLI_DIR NEW_CLI_DIR CHAT_MODEL EMBED_MODEL [RUNS]
#
# OLD_CLI_DIR/NEW_CLI_DIR hold a built `localqa` (src/LocalQa.Cli/bin/Debug/net10.0 of each checkout).
# Models: any GGUF chat and embedding models; `localqa bench --synthetic tinyllama-1.1b --only decode,embedding`
# leaves generated ones under $LOCALQA_HOME/cache/synthetic.
set -euo pipefail
old=$1; new=$2; chat_model=$3; embed_model=$4; runs=${5:-3}
root="$(cd "$(dirname "$0")/.." && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
article=$(ls "$root"/seeds/* | head -1)
questions=("Who founded FAIR?" "When did he leave?" "What does the new startup do?")
one() { # build label run
  local cli=$1/localqa label=$2 run=$3 home="$work/$2-$3"
  mkdir -p "$home"
  # Questions go without the embedding model: a generated one's random vectors would make retrieval
  # refuse every passage, and no answer would be generated to time.
  local common=(--home "$home" --prompts "$root/prompts" --model "$chat_model" --max-tokens 32)
  local t0 t1 ingest ask chat summarize
  t0=$(date +%s.%N); "$cli" ingest "$root/seeds" --home "$home" --embed-model "$embed_model" --json > "$home/ingest.json"; t1=$(date +%s.%N)
  ingest=$(python3 -c "print(round($t1-$t0,3))")
  ask=$("$cli" ask "${questions[0]}" "${common[@]}" --json | python3 -c "import json,sys; t=json.load(sys.stdin)['timings']; print(json.dumps({'ttft_ms':t['ttft_ms'],'total_ms':t['total_ms']}))")
  chat=$(printf '%s\n' "${questions[@]}" | "$cli" chat "${common[@]}" --json | python3 -c "
import json,sys
turns=[json.loads(l) for l in sys.stdin if l.strip()]
print(json.dumps({'ttft_ms':[t['timings']['ttft_ms'] for t in turns],'total_ms':round(sum(t['timings']['total_ms'] for t in turns),3)}))")
  summarize=$("$cli" summarize "$article" --home "$home" --prompts "$root/prompts" --model "$chat_model" --max-words 60 --json | python3 -c "import json,sys; t=json.load(sys.stdin)['timings']; print(json.dumps({'map_ms':t['map_ms'],'total_ms':t['total_ms']}))")
  echo "{\"build\":\"$label\",\"run\":$run,\"ingest_s\":$ingest,\"ask\":$ask,\"chat\":$chat,\"summarize\":$summarize}"
}
for run in $(seq 1 "$runs"); do
  if (( run % 2 )); then one "$old" old "$run"; one "$new" new "$run"; else one "$new" new "$run"; one "$old" old "$run"; fi
done | tee "$work/runs.jsonl"
python3 - "$work/runs.jsonl" <<'PY'
import json,sys,statistics as st
rows=[json.loads(l) for l in open(sys.argv[1])]
def med(build,f): return st.median(f(r) for r in rows if r['build']==build)
for name,f in [("ingest s",lambda r:r['ingest_s']),("ask ttft ms",lambda r:r['ask']['ttft_ms']),("ask total ms",lambda r:r['ask']['total_ms']),
               ("chat total ms (3 turns)",lambda r:r['chat']['total_ms']),("chat turn-3 ttft ms",lambda r:r['chat']['ttft_ms'][-1]),
               ("summary map ms",lambda r:r['summarize']['map_ms']),("summary total ms",lambda r:r['summarize']['total_ms'])]:
    o,n=med("old",f),med("new",f)
    print(f"{name:26} old {o:10.1f}   new {n:10.1f}   new/old {n/o if o else float('nan'):.3f}")
PY
