<#
.SYNOPSIS
Downloads LocalQa's models, verified against their SHA-256 and resumed after an interruption.

.DESCRIPTION
A thin wrapper over `localqa models download` (the logic lives in C#). Without -Name it fetches the
catalog's default chat and embedding models; models/catalog.json lists the others.

.EXAMPLE
./download-model.ps1
.EXAMPLE
./download-model.ps1 -Name qwen2.5-0.5b-instruct, all-minilm-l6-v2
.EXAMPLE
./download-model.ps1 -To D:\models -- --json
#>
[CmdletBinding()]
param(
    # Catalog model names; the defaults when omitted.
    [Parameter(Position = 0)]
    [string[]] $Name,

    # Folder to save into (default: the models folder in LocalQa's home).
    [string] $To,

    # Anything else for `localqa models download`, passed through unchanged.
    [Parameter(ValueFromRemainingArguments = $true)]
    [string[]] $Rest
)

$ErrorActionPreference = 'Stop'
$project = Join-Path $PSScriptRoot 'src/LocalQa.Cli'

$given = @(@($Name) + @($Rest) | Where-Object { $_ })

# Without a model name (or --url), ask for the catalog's defaults.
$named = $false
$skipValue = $false
foreach ($arg in $given) {
    if ($skipValue) { $skipValue = $false; continue }
    if ($arg -match '^--(to|home|models-dir|sha256)$') { $skipValue = $true }
    elseif ($arg -match '^--(url|defaults)') { $named = $true }
    elseif (-not $arg.StartsWith('-')) { $named = $true }
}

$arguments = @('run', '--project', $project, '--verbosity', 'quiet', '--', 'models', 'download')
if (-not $named) { $arguments += '--defaults' }
$arguments += $given
if ($To) { $arguments += @('--to', $To) }

& dotnet @arguments
exit $LASTEXITCODE
