using System.CommandLine;
using System.Text.Json;
using LocalQa.Core;
using LocalQa.Core.Ingest;
using LocalQa.Hosting;
using LocalQa.Hosting.Configuration;
using Spectre.Console;

namespace LocalQa.Cli.Commands;

internal static class IngestCommand
{
    public static Command Create(CliContext cli)
    {
        var common = CommonOptions.Without(SettingKeys.ChatModel, SettingKeys.ContextSize, SettingKeys.PromptsDir);
        var paths = new Argument<string[]>("paths") { Description = "Files or folders to ingest (default: the bundled seeds/).", Arity = ArgumentArity.ZeroOrMore };
        var prune = new Option<bool>("--prune") { Description = "Remove indexed documents under these folders whose files are gone." };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var cmd = new Command("ingest", "Load, clean, chunk (and embed) articles into the index; unchanged files are skipped.");
        cmd.Arguments.Add(paths);
        common.AddTo(cmd);
        cmd.Options.Add(prune);
        cmd.Options.Add(json);
        cmd.SetAction(async (parse, ct) =>
        {
            var options = common.Resolve(parse);
            var targets = parse.GetValue(paths) is { Length: > 0 } given ? given
                : LocalQaPaths.SeedsDirectory is { } seeds ? [seeds]
                : throw new InvalidInputException("No paths given and no bundled seeds/ folder found.", "Pass the files or folders to ingest.");
            using var lib = LocalQaLibrary.Open(options, LibraryModels.Embedding);
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
