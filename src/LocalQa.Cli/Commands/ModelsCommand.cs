using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LocalQa.Core;
using LocalQa.Hosting;
using LocalQa.Core.Gguf;
using LocalQa.Core.Tokenization;
using LocalQa.Hosting.Configuration;
using LocalQa.Hosting.Models;
using LocalQa.Llama;
using LocalQa.Testing;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace LocalQa.Cli.Commands;

internal static class ModelsCommand
{
    /// <summary>The command over an injected resolver and downloader (tests never touch the real environment).</summary>
    internal static Command Create(CliContext cli, Func<SettingsResolver> resolver, Func<ModelDownloader> downloader)
    {
        var models = new Command("models", "List, inspect and download GGUF models.");
        models.Subcommands.Add(List(cli, resolver));
        models.Subcommands.Add(Inspect(cli, resolver));
        models.Subcommands.Add(Download(cli, resolver, downloader));
        return models;
    }

    private static Command List(CliContext cli, Func<SettingsResolver> resolver)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var settings = SettingsOptions.All();
        var cmd = new Command("list", "The GGUF files in the models folders (read from their headers, no model is loaded), and the catalog models not downloaded yet.");
        settings.AddTo(cmd);
        cmd.Options.Add(json);
        cmd.SetAction((parse, ct) =>
        {
            var resolved = resolver().Resolve(settings.Read(parse));
            var s = resolved.Settings;
            var found = ModelInventory.Scan(s.ModelFolders, resolved.Catalog, ct);
            var missing = resolved.Catalog is { } catalog ? ModelInventory.NotDownloaded(catalog, found) : [];
            string[] InUse(LocalModel m) =>
            [
                .. SamePath(m.Path, s.ChatModel) ? ["chat"] : Array.Empty<string>(),
                .. SamePath(m.Path, s.EmbedModel) ? ["embedding"] : Array.Empty<string>(),
            ];
            if (parse.GetValue(json))
            {
                cli.WriteJson(new ListJson(
                    s.ModelFolders,
                    found.Select(m => new FoundJson(m.Path, m.FileName, m.DisplayName, m.Catalog?.Name, m.Architecture, m.Parameters, m.Quantization, m.SizeBytes,
                        m.ContextLength, m.EmbeddingLength, m.HasChatTemplate, m.IsEmbeddingCapable, InUse(m), m.Error)).ToArray(),
                    missing.Select(c => new NotDownloadedJson(c.Name, c.Kind, c.File, c.Bytes, c.License, c.IsDefault)).ToArray()));
                return Task.FromResult(ExitCodes.Ok);
            }

            var o = cli.Out;
            o.WriteLine($"models folders: {string.Join(", ", s.ModelFolders)}");
            if (found.Count == 0) o.WriteLine("no .gguf files in them.");
            foreach (var group in found.GroupBy(m => Path.GetDirectoryName(m.Path)))
            {
                o.WriteLine();
                o.WriteLine($"{group.Key}:");
                o.WriteLine($"  {"FILE",-40} {"ARCH",-10} {"PARAMS",7} {"QUANT",-14} {"SIZE",9} {"CTX",7} {"CHAT",-4} {"EMBED",-5} IN USE");
                foreach (var m in group)
                {
                    if (m.Error is not null)
                    {
                        o.WriteLine($"  {m.FileName,-40} NOT A VALID GGUF FILE: {m.Error}");
                        continue;
                    }
                    var inUse = string.Join(", ", InUse(m));
                    o.WriteLine($"  {m.FileName,-40} {m.Architecture ?? "?",-10} {Count(m.Parameters),7} {Quant(m.Quantization),-14} {Bytes(m.SizeBytes),9} {Count(m.ContextLength),7} {(m.HasChatTemplate ? "yes" : "no"),-4} {(m.IsEmbeddingCapable ? "yes" : "no"),-5} {inUse}");
                }
            }
            if (missing.Count > 0)
            {
                o.WriteLine();
                o.WriteLine("not downloaded (localqa models download NAME):");
                foreach (var c in missing)
                    o.WriteLine($"  {c.Name,-26} {c.Kind.ToString().ToLowerInvariant(),-9} {Bytes(c.Bytes),9}  {c.License}{(c.IsDefault ? "  (default)" : "")}");
            }
            foreach (var (kind, value) in new[] { ("chat", s.ChatModel), ("embedding", s.EmbedModel) })
            {
                if (value is not null && !File.Exists(value))
                    o.WriteLine($"the configured {kind} model '{value}' was not found.");
            }
            return Task.FromResult(ExitCodes.Ok);
        });
        return cmd;
    }

    private static Command Inspect(CliContext cli, Func<SettingsResolver> resolver)
    {
        var file = new Argument<string>("FILE") { Description = "A .gguf file, or the name of a model in a models folder or the catalog." };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var settings = SettingsOptions.Folders();
        var cmd = new Command("inspect", "Show a GGUF file's header: architecture, parameters, quantization, context, vocabulary, chat template, metadata. Reads no weights and loads no native code.");
        cmd.Arguments.Add(file);
        settings.AddTo(cmd);
        cmd.Options.Add(json);
        cmd.SetAction((parse, ct) =>
        {
            var reference = parse.GetValue(file)!;
            var path = File.Exists(reference) ? Path.GetFullPath(reference) : Locate(reference, resolver(), settings.Read(parse));
            var gguf = GgufReader.Read(path);
            var described = gguf.Describe();
            var tokenizer = GgufTokenizer.Inspect(gguf);
            // Before the metadata, which stays last: it is the long part.
            var metadata = described["metadata"];
            described.Remove("metadata");
            described["tokenizer"] = new JsonObject
            {
                ["model"] = tokenizer.Model,
                ["algorithm"] = tokenizer.Algorithm,
                ["vocab_size"] = tokenizer.VocabularySize,
                ["pre"] = tokenizer.PreTokenizer,
                ["engine"] = tokenizer.Managed ? "managed" : "native",
                ["native_reason"] = tokenizer.NativeReason,
            };
            described["metadata"] = metadata;
            if (parse.GetValue(json))
            {
                cli.Out.WriteLine(described.ToJsonString(LocalQaJson.Options));
                return Task.FromResult(ExitCodes.Ok);
            }
            var o = cli.Out;
            o.WriteLine($"file:             {path}");
            o.WriteLine($"size:             {Bytes(gguf.FileLength)} ({gguf.FileLength.ToString("N0", CultureInfo.InvariantCulture)} bytes), GGUF v{gguf.Version}");
            o.WriteLine($"name:             {gguf.Name ?? "(none)"}");
            o.WriteLine($"architecture:     {gguf.Architecture ?? "(none)"}");
            o.WriteLine($"parameters:       {gguf.ParameterCount.ToString("N0", CultureInfo.InvariantCulture)} ({Count(gguf.ParameterCount)})");
            o.WriteLine($"file type:        {described["file_type"]}");
            o.WriteLine($"tensor types:     {string.Join(", ", gguf.TensorTypes.Select(t => $"{t.Type} x{t.TensorCount}"))}");
            o.WriteLine($"context length:   {gguf.ContextLength?.ToString(CultureInfo.InvariantCulture) ?? "?"}");
            o.WriteLine($"embedding length: {gguf.EmbeddingLength?.ToString(CultureInfo.InvariantCulture) ?? "?"}");
            o.WriteLine($"layers:           {gguf.BlockCount?.ToString(CultureInfo.InvariantCulture) ?? "?"}");
            o.WriteLine($"vocabulary:       {gguf.VocabSize?.ToString(CultureInfo.InvariantCulture) ?? "?"}");
            o.WriteLine($"tokenizer:        {tokenizer}");
            o.WriteLine($"chat template:    {(gguf.ChatTemplate is null ? "no" : "yes")}");
            o.WriteLine($"embedding model:  {(ModelInventory.IsEmbeddingCapable(gguf) ? $"yes (pooling: {gguf.PoolingType?.ToString() ?? "by architecture"})" : "no")}");
            o.WriteLine("metadata:");
            foreach (var (key, value) in (JsonObject)described["metadata"]!)
                o.WriteLine($"  {key} = {Shorten(value)}");
            return Task.FromResult(ExitCodes.Ok);
        });
        return cmd;
    }

    private static Command Download(CliContext cli, Func<SettingsResolver> resolver, Func<ModelDownloader> downloader)
    {
        var names = new Argument<string[]>("NAME") { Description = "Catalog models to download (see 'localqa models list').", Arity = ArgumentArity.ZeroOrMore };
        var defaults = new Option<bool>("--defaults") { Description = "Download the catalog's default chat and embedding models." };
        var url = new Option<string?>("--url") { Description = "Download this address instead of a catalog model (needs --sha256).", HelpName = "URL" };
        var sha = new Option<string?>("--sha256") { Description = "The SHA-256 the file at --url must have.", HelpName = "HEX" };
        var to = new Option<string?>("--to") { Description = "Folder to save into (default: the models folder in LocalQa's home).", HelpName = "DIR" };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var settings = SettingsOptions.Folders();
        var cmd = new Command("download", "Download models, verify their SHA-256, resume interrupted downloads. The only LocalQa command that uses the network.");
        cmd.Arguments.Add(names);
        foreach (var o in new Option[] { defaults, url, sha, to }) cmd.Options.Add(o);
        settings.AddTo(cmd);
        cmd.Options.Add(json);
        cmd.SetAction(async (parse, ct) =>
        {
            var given = parse.GetValue(names) ?? [];
            var address = parse.GetValue(url);
            var digest = parse.GetValue(sha);
            var wantDefaults = parse.GetValue(defaults);
            if ((given.Length > 0 ? 1 : 0) + (wantDefaults ? 1 : 0) + (address is null ? 0 : 1) != 1)
                throw new InvalidInputException("Say what to download: catalog model names, --defaults, or --url URL --sha256 HEX (one of them).",
                    "For example: localqa models download --defaults");
            if ((address is null) != (digest is null))
                throw new InvalidInputException(address is null ? "--sha256 goes with --url." : "--url needs --sha256: LocalQa never keeps a download it cannot verify.",
                    "Pass both --url URL and --sha256 HEX (the file's SHA-256, from the page you got the address from).");

            var settingsResolver = address is null || parse.GetValue(to) is null ? resolver() : null;
            var folder = parse.GetValue(to) is { } dir
                ? Path.GetFullPath(dir)
                : settingsResolver!.Resolve(settings.Read(parse)).Settings.ModelsDirectory;

            List<DownloadRequest> requests;
            if (address is not null)
            {
                requests = [DownloadRequest.ForUrl(address, digest!, folder)];
            }
            else
            {
                var catalog = settingsResolver!.Environment.Catalog ?? ModelCatalog.LoadDefault();
                var entries = wantDefaults ? [catalog.DefaultChat, catalog.DefaultEmbedding] : given.Select(catalog.Get).Distinct().ToList();
                requests = [.. entries.Select(e => DownloadRequest.For(e, folder))];
            }

            var results = new List<DownloadResult>();
            using var client = downloader();
            foreach (var request in requests)
            {
                DownloadResult result;
                try
                {
                    result = await RunOne(cli, client, request, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    var kept = File.Exists(request.PartialPath) ? new FileInfo(request.PartialPath).Length : 0;
                    await cli.Error.WriteLineAsync(kept > 0
                        ? $"{request.DisplayName}: interrupted; {Bytes(kept)} kept in '{request.PartialPath}'. Run the same command again to resume."
                        : $"{request.DisplayName}: interrupted.").ConfigureAwait(false);
                    throw;
                }
                results.Add(result);
                if (!parse.GetValue(json))
                {
                    await cli.Out.WriteLineAsync(result.Outcome switch
                    {
                        DownloadOutcome.AlreadyPresent => $"{request.DisplayName}: already downloaded, SHA-256 verified: {result.Path}",
                        DownloadOutcome.Resumed => $"{request.DisplayName}: resumed from {Bytes(result.ResumedFrom)}, {Bytes(result.Bytes)} in all, SHA-256 verified: {result.Path}",
                        _ => $"{request.DisplayName}: {Bytes(result.Bytes)} downloaded in {result.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s, SHA-256 verified: {result.Path}",
                    }).ConfigureAwait(false);
                }
            }
            if (parse.GetValue(json))
            {
                cli.WriteJson(results.Zip(requests).Select(p => new DownloadJson(p.Second.DisplayName, p.First.Path, p.First.Bytes, p.First.Sha256,
                    p.First.Outcome, p.First.ResumedFrom, p.First.Requests, Math.Round(p.First.Elapsed.TotalSeconds, 3))));
            }
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static async Task<DownloadResult> RunOne(CliContext cli, ModelDownloader client, DownloadRequest request, CancellationToken ct)
    {
        if (!cli.Interactive || Console.IsErrorRedirected)
        {
            await cli.Error.WriteLineAsync($"{request.DisplayName}: {request.Url} -> {request.TargetPath}").ConfigureAwait(false);
            return await client.DownloadAsync(request, null, ct).ConfigureAwait(false);
        }
        DownloadResult? result = null;
        await cli.Console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new RateColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(request.DisplayName), autoStart: true, maxValue: request.ExpectedBytes ?? 1);
                task.IsIndeterminate = request.ExpectedBytes is null;
                var progress = new SyncProgress<DownloadProgress>(p =>
                {
                    if (p.TotalBytes is { } total && total > 0)
                    {
                        task.MaxValue = total;
                        task.IsIndeterminate = false;
                    }
                    task.Tag = p;
                    task.Value = p.BytesReceived;
                });
                try
                {
                    result = await client.DownloadAsync(request, progress, ct).ConfigureAwait(false);
                    task.Value = task.MaxValue;
                }
                finally
                {
                    task.StopTask();
                }
            }).ConfigureAwait(false);
        return result!;
    }

    private static string Locate(string reference, SettingsResolver resolver, SettingsOverrides flags)
    {
        var resolved = resolver.Resolve(flags);
        return ModelInventory.Locate(reference, resolved.Settings.ModelFolders, resolved.Catalog, resolver.Environment.CurrentDirectory)
            ?? throw new InvalidInputException(
                $"'{reference}' is not a file, nor a model in the models folders ({string.Join(", ", resolved.Settings.ModelFolders)}).",
                resolved.Catalog?.Find(reference) is { } entry
                    ? $"It is in the catalog but not downloaded: localqa models download {entry.Name}"
                    : "Pass the path of a .gguf file; 'localqa models list' shows the models LocalQa can see.");
    }

    private static bool SamePath(string path, string? other) =>
        other is not null && string.Equals(Path.GetFullPath(path), Path.GetFullPath(other), OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    private static string Quant(string? fileType) =>
        fileType is null ? "?" : fileType.StartsWith("MOSTLY_", StringComparison.Ordinal) ? fileType["MOSTLY_".Length..] : fileType;

    internal static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F2} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):F1} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F1} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };

    internal static string Count(long? n) => n switch
    {
        null => "?",
        >= 1_000_000_000 => string.Create(CultureInfo.InvariantCulture, $"{n / 1e9:0.##}B"),
        >= 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{n / 1e6:0.#}M"),
        >= 10_000 => string.Create(CultureInfo.InvariantCulture, $"{n / 1e3:0}K"),
        _ => n.Value.ToString(CultureInfo.InvariantCulture),
    };

    private static string Shorten(JsonNode? value)
    {
        var text = value is null ? "null" : value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
        text = text.ReplaceLineEndings("\\n");
        return text.Length <= 120 ? text : string.Create(CultureInfo.InvariantCulture, $"{text[..117]}... ({text.Length} characters)");
    }

    /// <summary>Speed and time left as the downloader measures them (resumed bytes excluded).</summary>
    private sealed class RateColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            if (task.Tag is not DownloadProgress p || p.BytesPerSecond <= 0) return new Text("");
            var left = p.Remaining is { } r ? $", {(r.TotalHours >= 1 ? r.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : r.ToString(@"m\:ss", CultureInfo.InvariantCulture))} left" : "";
            return new Text($"{Bytes((long)p.BytesPerSecond)}/s{left}");
        }
    }

    /// <summary>models list --json: the folders searched, the files found in them, and the catalog models not among them.</summary>
    private sealed record ListJson(IReadOnlyList<string> Folders, IReadOnlyList<FoundJson> Models, IReadOnlyList<NotDownloadedJson> NotDownloaded);

    /// <summary>A file found, as its header describes it, with "in_use" saying which settings name it (chat, embedding).</summary>
    private sealed record FoundJson(
        string Path, string File, string? Name, string? Catalog, string? Architecture, long? Parameters, string? Quantization, long SizeBytes,
        long? ContextLength, long? EmbeddingLength, bool ChatTemplate, bool Embedding, IReadOnlyList<string> InUse, string? Error);

    /// <summary>A catalog model not downloaded yet: what `models download` would fetch.</summary>
    private sealed record NotDownloadedJson(string Name, ModelKind Kind, string File, long SizeBytes, string? License, bool Default);

    /// <summary>One file models download --json reports: where it is, its digest, and how it got there (downloaded, resumed, already_present).</summary>
    private sealed record DownloadJson(string Name, string Path, long Bytes, string Sha256, DownloadOutcome Outcome, long ResumedFrom, int Requests, double Seconds);
}
