using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using LocalQa.Core;
using LocalQa.Hosting;
using LocalQa.Server;

namespace LocalQa.Cli.Commands;

/// <summary>
/// <c>localqa serve</c>: the OpenAI API and LocalQa's own over the library, until Ctrl+C or SIGTERM,
/// which stop accepting, cancel what is in flight, and close the library.
/// </summary>
internal static class ServeCommand
{
    public static Command Create(CliContext cli)
    {
        // Every setting, serve's own (--host, --port, --parallel, --queue, --client-requests, --cors)
        // included: each also comes from localqa.json and its LOCALQA_ variable.
        var common = CommonOptions.ForServe();
        var defaults = new ServerOptions();
        var watch = new Option<string[]>("--watch") { Description = "Folders to keep the index equal to while serving (as ingest --watch); repeatable.", AllowMultipleArgumentsPerToken = true };
        var debounce = new Option<int>("--debounce") { Description = "With --watch: milliseconds the files must go unchanged before they are synced.", DefaultValueFactory = _ => IngestCommand.DefaultDebounceMs };
        var cmd = new Command("serve", "Serve the OpenAI API (/v1) and LocalQa's own (/api) over HTTP.");
        common.AddTo(cmd);
        foreach (var o in new Option[] { watch, debounce }) cmd.Options.Add(o);
        cmd.SetAction(async (parse, ct) =>
        {
            var watched = parse.GetValue(watch) ?? [];
            var debounceMs = parse.GetValue(debounce);
            if (watched.Length == 0 && parse.GetResult(debounce) is { Implicit: false })
                throw new InvalidInputException("--debounce applies only to watched folders.", "Add --watch FOLDER, or leave --debounce out.");
            if (debounceMs is < 0 or > IngestCommand.MaxDebounceMs)
                throw new InvalidInputException($"--debounce {debounceMs} is out of range.", $"Give milliseconds from 0 to {IngestCommand.MaxDebounceMs:N0}.");
            // The api_key setting (--api-key, LOCALQA_API_KEY, localqa.json): the one key of LocalQa's OpenAI traffic.
            var settings = common.ResolveSettings(parse);
            var library = CommonOptions.Library(settings);
            var slots = settings.Parallel ?? library.DefaultSlots();
            var options = new ServerOptions
            {
                Host = settings.Host ?? defaults.Host,
                Port = settings.Port ?? defaults.Port,
                ApiKey = string.IsNullOrEmpty(library.ApiKey) ? null : library.ApiKey,
                Queue = settings.Queue ?? defaults.Queue,
                Parallel = slots,
                ClientRequests = settings.ClientRequests,
                CorsOrigins = ServerOptions.ParseOrigins(settings.Cors),
            };
            // Checked before the slots size a context from it.
            options.Validate();
            library = library with { Slots = library.IsRemote ? 0 : slots };
            return await RunAsync(cli, library, options, ct, watched, TimeSpan.FromMilliseconds(debounceMs)).ConfigureAwait(false);
        });
        return cmd;
    }

    internal static async Task<int> RunAsync(CliContext cli, LibraryOptions libraryOptions, ServerOptions options, CancellationToken ct,
        IReadOnlyList<string>? watch = null, TimeSpan debounce = default)
    {
        // Refused before any model loads: an address without its key is the user's to fix (exit code 2).
        options.Validate();
        // SIGTERM (a service manager, a container) stops the server as Ctrl+C does.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        using var lib = LocalQaLibrary.Open(libraryOptions, LibraryModels.Both);
        // The slots' context is built now, not on the first request: a context the model cannot hold
        // stops serve at start with the setting to change (exit 2), rather than failing every request.
        _ = lib.Slots;
        await AskCommand.SeedAsync(cli, lib, quiet: false, stop.Token).ConfigureAwait(false);
        var server = await LocalQaServer.StartAsync(lib, options, stop.Token).ConfigureAwait(false);
        await using (server.ConfigureAwait(false))
        {
            var o = cli.Out;
            await o.WriteLineAsync($"localqa serve: listening on {server.Address} (OpenAI API at {server.Address}v1)").ConfigureAwait(false);
            await o.WriteLineAsync($"  models: {string.Join(", ", server.ModelIds)}{(lib.ChatModelName is null ? "  (no chat model: answers are extractive)" : "")}").ConfigureAwait(false);
            await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  index:  {lib.IndexPath} ({lib.Index.Stats().Documents} documents)")).ConfigureAwait(false);
            var slots = lib.ChatModelName is null ? "no chat model"
                : lib.Options.IsRemote ? $"{lib.Options.Concurrency} requests at once to the remote engine"
                : $"{options.Parallel} × {lib.ChatContextTokens} tokens, decoded together";
            await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  slots:  {slots}; {options.Parallel} requests at once, {options.Queue} waiting at most; {(options.ApiKey is null ? "no API key (loopback only)" : "API key required")}. Ctrl+C stops.")).ConfigureAwait(false);
            await o.FlushAsync(ct).ConfigureAwait(false);
            // Watched folders sync between requests, each sync holding the server's turn; a sync
            // cut short by shutdown leaves every document wholly old or wholly new, as ingest does.
            var watching = watch is { Count: > 0 }
                ? IngestCommand.WatchAsync(cli, lib, watch, json: false, debounce, stop.Token, server.WaitForTurnAsync)
                : null;
            try
            {
                // Without a watch the server runs until it is stopped (a completed task here stopped it at once).
                if (watching is null) await server.WaitForShutdownAsync(stop.Token).ConfigureAwait(false);
                else await Task.WhenAny(server.WaitForShutdownAsync(stop.Token), watching).ConfigureAwait(false);
                // A watched folder that vanished ends the watch with its message; the server stops with it.
                if (watching is { IsFaulted: true }) await watching.ConfigureAwait(false);
            }
            finally
            {
                await stop.CancelAsync().ConfigureAwait(false);
                if (watching is not null) await watching.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            await cli.Error.WriteLineAsync("localqa serve: stopped.").ConfigureAwait(false);
        }
        return ExitCodes.Ok;
    }
}
