using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LocalQa.Core;
using LocalQa.Core.Answering;
using LocalQa.Core.Documents;
using LocalQa.Core.Summarizing;
using LocalQa.Hosting;
using LocalQa.Llama;
using Spectre.Console;

namespace LocalQa.Cli.Commands;

internal static class SummarizeCommand
{
    public static Command Create(CliContext cli)
    {
        var common = new CommonOptions();
        var files = new Argument<string[]>("files") { Description = "Article files to summarize, or - for text on stdin.", Arity = ArgumentArity.OneOrMore };
        var maxWords = new Option<int>("--max-words") { Description = "Word budget of each summary.", DefaultValueFactory = _ => 150 };
        var ingest = new Option<bool>("--ingest") { Description = "Add the articles to the index afterwards." };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var cmd = new Command("summarize", "Summarize new articles (long ones too) and show what they relate to in your library.");
        cmd.Arguments.Add(files);
        common.AddTo(cmd);
        foreach (var o in new Option[] { maxWords, ingest, json }) cmd.Options.Add(o);
        cmd.SetAction(async (parse, ct) =>
        {
            var asJson = parse.GetValue(json);
            var paths = parse.GetValue(files) ?? [];
            using var lib = LocalQaLibrary.Open(common.Resolve(parse), parse.GetValue(ingest) ? LibraryModels.Both : LibraryModels.Chat);
            await AskCommand.SeedAsync(cli, lib, asJson, ct).ConfigureAwait(false);
            // --context sizes each sequence of the library's batch context (LocalQaLibrary.Batch).
            var results = await SummarizeAsync(lib, paths, new SummarizeOptions { MaxWords = parse.GetValue(maxWords) }, ct, cli.Interactive && !asJson ? cli : null).ConfigureAwait(false);
            if (parse.GetValue(ingest))
            {
                var onDisk = paths.Where(p => p != "-").ToArray();
                if (onDisk.Length > 0) await IngestCommand.RunAsync(cli, lib, onDisk, prune: false, ct).ConfigureAwait(false);
            }
            if (asJson)
            {
                var items = results.Select(ToJson).ToArray();
                if (items.Length == 1) cli.WriteJson(items[0]);
                else cli.WriteJson(new JsonArray(items));
            }
            else
            {
                foreach (var r in results) Print(cli, r);
            }
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>Loads each input (a file or stdin) with the ingest loaders and summarizes them together.</summary>
    internal static Task<IReadOnlyList<SummaryResult>> SummarizeAsync(LocalQaLibrary lib, IReadOnlyList<string> paths, SummarizeOptions options, CancellationToken ct, CliContext? progressTo = null)
    {
        var docs = new List<Document>();
        foreach (var p in paths)
        {
            LoadResult loaded;
            if (p == "-")
            {
                var text = ReadStdin();
                if (string.IsNullOrWhiteSpace(text))
                    throw new InvalidInputException("Nothing arrived on standard input to summarize.", "Pipe an article in, e.g. `cat article.txt | localqa summarize -`.");
                loaded = DocumentLoader.LoadText(text, "stdin", LoadOptions.Summarizing);
            }
            else
            {
                // Path.GetFullPath("") throws ArgumentException: an internal error for a user's empty argument.
                if (string.IsNullOrWhiteSpace(p))
                    throw new InvalidInputException("An empty path was given to summarize.", "Name an article file, or - to read standard input.");
                var full = Path.GetFullPath(p);
                if (Directory.Exists(full))
                    throw new InvalidInputException($"'{full}' is a folder; summarize takes article files.", "Pass the files inside it, or use `localqa ingest` for a folder.");
                loaded = DocumentLoader.Load(full, LoadOptions.Summarizing, ct);
            }
            if (loaded.Document is null)
                throw new InvalidInputException($"Cannot summarize {new PathWarning(loaded.Path, loaded.SkipReason ?? "not loaded").Line}", "Pass a text, Markdown or HTML article.");
            if (string.IsNullOrWhiteSpace(loaded.Document.Text))
                throw new InvalidInputException($"'{loaded.Path}' is empty (no article text).", "Pass a file with an article in it.");
            docs.Add(loaded.Document);
        }
        if (progressTo is null) return lib.Qa.SummarizeAsync(docs, options, null, ct);
        return progressTo.WithProgressBarAsync<IReadOnlyList<SummaryResult>, SummarizeProgress>("summarizing", (task, p) =>
        {
            task.MaxValue = Math.Max(1, p.MapTotal);
            task.Value = p.MapDone;
            task.Description = $"mapped {p.MapDone}/{p.MapTotal} chunks" +
                               (p.ReduceStep > 0 ? $", reduce step {p.ReduceStep}" : "") +
                               (p.TokensPerSecond > 0 ? $", {p.TokensPerSecond:F1} tokens/s" : "");
        }, progress => lib.Qa.SummarizeAsync(docs, options, progress, ct));
    }

    /// <summary>Stdin as UTF-8; invalid bytes become U+FFFD rather than an exception.</summary>
    private static string ReadStdin()
    {
        using var stdin = Console.OpenStandardInput();
        using var reader = new StreamReader(stdin, new UTF8Encoding(false, false), detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    internal static void Print(CliContext cli, SummaryResult r)
    {
        var o = cli.Out;
        o.WriteLine($"# {r.Title}");
        o.WriteLine($"({r.Source}; {(r.Mode == AnswerMode.Generative ? "generative" : "extractive")} summary, {r.Words} words{(r.Note is null ? "" : "; " + r.Note)})");
        o.WriteLine();
        o.WriteLine(r.Summary);
        if (r.KeyPoints.Count > 0)
        {
            o.WriteLine();
            o.WriteLine("Key points:");
            foreach (var k in r.KeyPoints) o.WriteLine($"  - {k}");
        }
        if (r.Related.Count == 0 && r.RelatedSearched)
        {
            o.WriteLine();
            o.WriteLine("Related in your library: nothing related in your library.");
        }
        else if (r.Related.Count > 0)
        {
            o.WriteLine();
            o.WriteLine("Related in your library:");
            foreach (var rel in r.Related)
            {
                o.WriteLine(rel.NearCopy
                    ? $"  {rel.Title} — {rel.Document} (a near-copy of this article: about {rel.Score * 100:F0}% of their word 5-grams shared)"
                    : $"  {rel.Title} — {rel.Document} (relatedness {rel.Score:F2}: share of the summary's words, weighted by rarity, that it also uses)");
                o.WriteLine($"      {(rel.Page is { } page ? $"p. {page}: " : "")}\"{rel.Passage}\"");
            }
        }
        o.WriteLine();
    }

    /// <summary>The summary as --json shows it: the record itself, with the map-reduce shape inside "timings", which it explains.</summary>
    internal static JsonObject ToJson(SummaryResult r) => LocalQaJson.Summary(r);
}
