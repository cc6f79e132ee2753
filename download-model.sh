#!/usr/bin/env bash
# Downloads LocalQa's models, verified against their SHA-256 and resumed after an interruption.
# A thin wrapper over `localqa models download` (the logic lives in C#).
#
#   ./download-model.sh                         the default chat and embedding models
#   ./download-model.sh qwen2.5-0.5b-instruct   other catalog models (see models/catalog.json)
#   ./download-model.sh --to ~/models           any option of `localqa models download` passes through
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Without a model name (or --url), ask for the catalog's defaults.
named=0
expect_value=0
for arg in "$@"; do
  if [ "$expect_value" = 1 ]; then expect_value=0; continue; fi
  case "$arg" in
    --to|--home|--models-dir|--sha256) expect_value=1 ;;
    --url|--url=*|--defaults) named=1 ;;
    -*) ;;
    *) named=1 ;;
  esac
done
if [ "$named" = 0 ]; then set -- --defaults "$@"; fi

exec dotnet run --project "$here/src/LocalQa.Cli" --verbosity quiet -- models download "$@"
