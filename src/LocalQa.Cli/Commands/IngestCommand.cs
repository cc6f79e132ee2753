using System.CommandLine;
using System.Text.Json;
using LocalQa.Core;
using LocalQa.Core.Ingest;
using LocalQa.Hosting;
using LocalQa.Hosting.Configuration;
using LocalQa.Hosting.Watching;
using Spectre.Console;

namespace LocalQa.Cli.Commands;

internal static class IngestCommand
{
    public static Command Create(CliContext cli)
    {
        var common = CommonOptions.Without(SettingKeys.ChatModel, SettingKeys.ContextSize, SettingKeys.PromptsDir, SettingKeys.Tokenizer);
        var paths = new Argument<string[]>("paths") { Description = "Files or folders to ingest (default: the bundled seeds/).", Arity = ArgumentArity.ZeroOrMore };
        var prune = new Option<bool>("--prune") { Description = "Remove indexed documents under these folders whose files are gone." };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var watch = new Option<bool>("--watch") { Description = "Keep running and keep the index equal to these folders: new and changed files ingested, deleted ones removed, one line per sync." };
        var debounce = new Option<int>("--debounce") { Description = "With --watch: milliseconds the files must go unchanged before they are synced.", DefaultValueFactory = _ => DefaultDebounceMs };
        var cmd = new Command("ingest", "Load, clean, chunk (and embed) articles into the index; unchanged files are skipped.");
        cmd.Arguments.Add(paths);
        common.AddTo(cmd);
        cmd.Options.Add(prune);
        cmd.Options.Add(json);
        cmd.Options.Add(watch);
        cmd.Options.Add(debounce);
        cmd.SetAction(async (parse, ct) =>
        {
            var watching = parse.GetValue(watch);
            var debounceMs = parse.GetValue(debounce);
            if (!watching && parse.GetResult(debounce) is { Implicit: false })
                throw new InvalidInputException("--debounce applies only to a watching ingest.", "Add --watch, or leave --debounce out.");
            if (debounceMs is < 0 or > MaxDebounceMs)
                throw new InvalidInputException($"--debounce {debounceMs} is out of range.", $"Give milliseconds from 0 to {MaxDebounceMs:N0}.");
            var options = common.Resolve(parse);
            var targets = parse.GetValue(paths) is { Length: > 0 } given ? given
                : LocalQaPaths.SeedsDirectory is { } seeds ? [seeds]
                : throw new InvalidInputException("No paths given and no bundled seeds/ folder found.", "Pass the files or folders to ingest.");
            using var lib = LocalQaLibrary.Open(options, LibraryModels.Embedding);
            if (watching)
            {
                await WatchAsync(cli, lib, targets, parse.GetValue(json), TimeSpan.FromMilliseconds(debounceMs), ct).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            var report = await RunAsync(cli, lib, targets, parse.GetValue(prune), ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                var node = JsonSerializer.SerializeToNode(report, LocalQaJson.Options)!.AsObject();
                // The report says what changed; where the index lives is the library's, shown before the lists.
                node.Insert(node.IndexOf("warnings"), "index", lib.IndexPath);
                cli.WriteJson(node);
            }
            else
            {
                foreach (var w in report.Warnings) cli.Error.WriteLine($"warning: {w.Line}");
                cli.Out.WriteLine($"{report.Added} added, {report.Updated} updated, {report.Unchanged} unchanged, {report.Removed} removed, {report.Skipped} skipped " +
                                  $"in {report.Seconds:F2} s — index {lib.IndexPath}: {report.Documents} documents, {report.Chunks} chunks");
                // Grouped, not dropped: both copies stay searchable, and answers cite one passage of the two.
                foreach (var d in report.NearDuplicates.Take(MaxNearDuplicatesShown))
                    cli.Out.WriteLine($"near-copy: {d.Path} repeats {d.CopyOf} (grouped; both kept)");
                if (report.NearDuplicates.Count > MaxNearDuplicatesShown)
                    cli.Out.WriteLine($"near-copy: and {report.NearDuplicates.Count - MaxNearDuplicatesShown} more (--json lists them all)");
                if (report.LexicalOnly)
                    cli.Out.WriteLine("note: no embedding model configured; retrieval is lexical (BM25) only. Add one with --embed-model.");
            }
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private const int MaxNearDuplicatesShown = 10;

    // Long enough for an editor's save or a copy to end, short enough that a dropped file is searchable at once.
    internal const int DefaultDebounceMs = 500;
    internal const int MaxDebounceMs = 3_600_000;


    /// <summary>
    /// Watches until Ctrl+C (which ends it with <see cref="OperationCanceledException"/>, exit 130): the
    /// watcher starts first, then the folders are compared with the index (catching up with what
    /// changed while LocalQa was not running), then each debounced set of changes is synced.
    /// </summary>
    /// <param name="turn">What a sync waits for before it touches the library (a server's turn, so
    /// no request uses the index meanwhile); null when nothing else uses it.</param>
    internal static async Task WatchAsync(CliContext cli, LocalQaLibrary lib, IReadOnlyList<string> targets, bool json, TimeSpan debounce, CancellationToken ct,
        Func<CancellationToken, Task<IDisposable>>? turn = null)
    {
        using var watcher = new FolderWatcher(targets, new FolderWatcherOptions { Debounce = debounce });
        var sync = new FolderSync(lib, watcher.Paths);
        watcher.Start();
        var catchUp = new FolderChanges([], Rescan: true);
        async Task<IngestReport> SyncAsync(FolderChanges changes, IProgress<IngestProgress>? progress, CancellationToken token)
        {
            using var held = turn is null ? null : await turn(token).ConfigureAwait(false);
            return await sync.SyncAsync(changes, progress, token).ConfigureAwait(false);
        }
        var first = cli.Interactive && turn is null
            ? await cli.WithProgressBarAsync<IngestReport, IngestProgress>("catching up", (task, p) =>
            {
                task.MaxValue = Math.Max(1, p.FilesTotal);
                task.Value = p.FilesDone;
                task.Description = $"files {p.FilesDone}/{p.FilesTotal}, chunks {p.Chunks}";
            }, progress => sync.SyncAsync(catchUp, progress, ct)).ConfigureAwait(false)
            : await SyncAsync(catchUp, null, ct).ConfigureAwait(false);
        WriteSync(cli, lib, first, "catch_up", json);
        if (first.LexicalOnly && !json)
            cli.Out.WriteLine("note: no embedding model configured; retrieval is lexical (BM25) only. Add one with --embed-model.");
        cli.Error.WriteLine($"watching {string.Join(", ", watcher.Paths)} for changes (Ctrl+C stops)");
        await watcher.RunAsync(async (changes, token) =>
        {
            var report = await SyncAsync(changes, null, token).ConfigureAwait(false);
            // A sync that changed nothing (a file touched, an editor's scratch file come and gone) says nothing.
            if (changes.Rescan || report.Added + report.Updated + report.Removed + report.Skipped > 0 || report.Warnings.Count > 0)
                WriteSync(cli, lib, report, changes.Rescan ? "rescan" : "sync", json);
        }, ct).ConfigureAwait(false);
    }

    /// <summary>One line per sync: a sentence, or with --json one object a line (the ingest report's keys plus "event" and "index").</summary>
    private static void WriteSync(CliContext cli, LocalQaLibrary lib, IngestReport report, string kind, bool json)
    {
        if (json)
        {
            var node = JsonSerializer.SerializeToNode(report, LocalQaJson.Options)!.AsObject();
            node.Insert(0, "event", kind);
            node.Insert(node.IndexOf("warnings"), "index", lib.IndexPath);
            cli.Out.WriteLine(node.ToJsonString(LocalQaJson.OneLine));
        }
        else
        {
            foreach (var w in report.Warnings) cli.Error.WriteLine($"warning: {w.Line}");
            var parts = new List<string>();
            if (report.Added > 0) parts.Add($"{report.Added} added");
            if (report.Updated > 0) parts.Add($"{report.Updated} updated");
            if (report.Removed > 0) parts.Add($"{report.Removed} removed");
            if (report.Skipped > 0) parts.Add($"{report.Skipped} skipped");
            var what = parts.Count > 0 ? string.Join(", ", parts) : "no changes";
            var label = kind switch
            {
                "catch_up" => "caught up",
                "rescan" => "synced (full rescan)",
                _ => "synced",
            };
            cli.Out.WriteLine($"{label}: {what} — {report.Documents} documents, {report.Chunks} chunks");
            foreach (var d in report.NearDuplicates.Take(MaxNearDuplicatesShown))
                cli.Out.WriteLine($"near-copy: {d.Path} repeats {d.CopyOf} (grouped; both kept)");
        }

        cli.Out.Flush();
    }

    /// <summary>Ingests with a progress bar on a terminal and none when output is redirected.</summary>
    internal static Task<IngestReport> RunAsync(CliContext cli, LocalQaLibrary lib, IReadOnlyList<string> targets, bool prune, CancellationToken ct)
    {
        var options = new IngestOptions { Prune = prune };
        if (!cli.Interactive) return lib.Qa.IngestAsync(targets, options, null, ct);
        return cli.WithProgressBarAsync<IngestReport, IngestProgress>("ingesting", (task, p) =>
        {
            // A file read a section at a time moves the bar within itself: a 1 GB file takes minutes.
            var within = p.CurrentBytes > 0 ? Math.Clamp((double)p.CurrentBytesDone / p.CurrentBytes, 0, 1) : 0;
            task.MaxValue = Math.Max(1, p.FilesTotal);
            task.Value = p.FilesDone + within;
            task.Description = $"files {p.FilesDone}/{p.FilesTotal}, chunks {p.Chunks}" +
                               (p.CurrentBytes > 0 ? $", {Markup.Escape(Path.GetFileName(p.Current ?? ""))} {within * 100:F0}%" : "") +
                               (p.EmbedTokensPerSecond > 0 ? $", embedding {p.EmbedTokensPerSecond:F0} tok/s" : "");
        }, progress => lib.Qa.IngestAsync(targets, options, progress, ct));
    }
}
