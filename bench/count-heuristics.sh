#!/usr/bin/env bash
# Counts the vocabulary and tuning of LocalQa's no-model heuristics (issue 26, point 4), so a change
# to them can state its before and after:
#   word lists  a run of three or more comma-separated string literals ("he", "she", "it", …)
#   words       the literals in those runs
#   regexes     [GeneratedRegex(…)] and new Regex(…) / Regex.Match(…) / Regex.IsMatch(…) / Regex.Replace(…) with a pattern
#   constants   named numeric constants: const or static readonly int/double/float/long fields
#   lines       all lines of the files counted
#   outside     word lists in any file but Text/Lexicon.cs, where the vocabulary is meant to live
# Comments are dropped before counting. Usage: bench/count-heuristics.sh [repo-root] [--files]
set -euo pipefail
root="${1:-$(git -C "$(dirname "$0")" rev-parse --show-toplevel)}"
core="$root/src/LocalQa.Core"

# The heuristic files: extractive answering and follow-ups, the shared text vocabulary, the sentence
# reader and scoring, and the extractive summarizer's cues. Globs, so a file added there is counted.
files=()
for pattern in \
    "Answering/Extractive*.cs" "Answering/FollowUps.cs" "Answering/QuestionCondenser.cs" "Answering/Answerer.Conversation.cs" \
    "Answering/Question/*.cs" \
    "Text/Discourse.cs" "Text/StopWords.cs" "Text/Lexicon*.cs" "Text/Names.cs" "Text/Words.cs" "Text/SentenceSplitter.cs" "Text/EnglishStemmer.cs" \
    "Extractive/*.cs" "Summarizing/ExtractiveSummarizer.cs" "Summarizing/Relatedness.cs"; do
    for f in $core/$pattern; do
        [ -f "$f" ] && files+=("$f")
    done
done

python3 - "$core" "${2:-}" "${files[@]}" <<'PY'
import re, sys
core, flag, files = sys.argv[1], sys.argv[2], sys.argv[3:]
literal = r'"(?:[^"\\\n]|\\.)*"'
run = re.compile(r'(?:' + literal + r'\s*,\s*){2,}' + literal)
regex = re.compile(r'\[(?:System\.Text\.RegularExpressions\.)?GeneratedRegex\(|new\s+Regex\(|Regex\.(?:Match|IsMatch|Matches|Replace|Split)\(\s*[^,]+,\s*@?"')
const = re.compile(r'\b(?:const|static\s+readonly)\s+(?:int|double|float|long)\s+\w+\s*=')
totals = dict(files=0, lines=0, lists=0, words=0, regexes=0, constants=0, outside=0)
for path in sorted(set(files)):
    text = open(path, encoding='utf-8').read()
    lines = text.count('\n')
    # Drop comments, keeping string literals whole ("//" inside a pattern is not a comment).
    code = re.sub(r'(' + literal + r')|//[^\n]*|/\*.*?\*/', lambda m: m.group(1) or '', text, flags=re.S)
    lists = [m.group(0) for m in run.finditer(code)]
    words = sum(len(re.findall(literal, l)) for l in lists)
    counts = dict(files=1, lines=lines, lists=len(lists), words=words,
                  regexes=len(regex.findall(code)), constants=len(const.findall(code)))
    for k, v in counts.items():
        totals[k] += v
    if not path.endswith('/Text/Lexicon.cs'):
        totals['outside'] += len(lists)
    if flag == '--files':
        print(f"{path[len(core)+1:]:45} lines {lines:4}  lists {len(lists):2}  words {words:4}  regexes {counts['regexes']:2}  constants {counts['constants']:2}")
print("files {files}  lines {lines}  word lists {lists} ({outside} outside Text/Lexicon.cs)  words {words}  regexes {regexes}  numeric constants {constants}".format(**totals))
PY
