using System.CommandLine;
using System.Text.Json;
using LocalQa.Core.Index;
using LocalQa.Hosting;
using System.Globalization;
using LocalQa.Hosting.Configuration;
using LocalQa.Hosting.Remote;
using LocalQa.Llama;
using Microsoft.Extensions.AI;
using OpenAI;

namespace LocalQa.Cli.Commands;

internal static class DoctorCommand
{
    public static Command Create(CliContext cli)
    {
        var model = new Option<FileInfo?>("--model") { Description = "Also load this GGUF model and show its metadata." };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var cmd = new Command("doctor", "Check the index (read-only) and show the llama.cpp runtime in use (path, version, CPU features, devices) and, with --model, a model's facts.");
        cmd.Options.Add(model);
        cmd.Options.Add(json);
        // The runtime doctor checks is the one the other verbs would load, flags included.
        var runtime = SettingsOptions.Doctor();
        runtime.AddTo(cmd);
        cmd.SetAction(async (parse, ct) =>
        {
            var settings = SettingsResolver.ForCurrentProcess().Resolve(runtime.Read(parse)).Settings;
            // The index first, read-only: a damaged one is named before anything else runs.
            var indexPath = Path.GetFullPath(settings.Index ?? LocalQaPaths.DefaultIndex);
            var indexProblem = LocalQaIndex.CheckFile(indexPath);
            var index = new IndexJson(indexPath, File.Exists(indexPath), indexProblem is null, indexProblem?.Message, indexProblem is null ? null : CliErrors.Fix(indexProblem));
            LlamaRuntime.UseNativeDirectory(settings.NativeDir);
            var (info, error) = LlamaRuntime.TryLoad();
            ModelFacts? modelFacts = null;
            var modelFile = parse.GetValue(model);
            if (modelFile is not null)
            {
                if (info is null) throw new LlamaRuntimeException(error ?? "The llama.cpp runtime is not available.");
                using var m = LlamaModel.Load(modelFile.FullName, new LlamaModelOptions { VocabOnly = false });
                modelFacts = new ModelFacts(m.Path, m.Architecture, m.Description, m.ParameterCount, m.SizeBytes, m.TrainingContextLength,
                    m.EmbeddingLength, m.LayerCount, m.VocabSize, m.ChatTemplate is not null, m.IsEmbeddingModel);
            }
            var remote = settings.Engine == LocalQaSettings.OpenAiEngine ? await CheckEngineAsync(LibraryOptions.From(settings), ct).ConfigureAwait(false) : null;
            if (parse.GetValue(json))
            {
                cli.WriteJson(new DoctorJson(
                    index,
                    new RuntimeJson(info is not null, info?.LibraryPath, info?.Binding, info?.Version, info?.Commit, info?.IsBundled, info?.OpenMpWaitPolicy,
                        info?.SystemInfo, info?.CpuVariant, error, info?.SupportsGpuOffload ?? false, settings.GpuLayers,
                        info?.Devices.Select(d => new DeviceJson(d.Name, d.Description, d.Kind, d.TotalMemory)).ToArray()),
                    modelFacts, remote));
            }
            else
            {
                var o = cli.Out;
                o.WriteLine(!index.Exists ? $"index:     {index.Path} (none yet: the first ingest or ask makes it)"
                    : index.Ok ? $"index:     {index.Path} (sound)"
                    : $"index:     DAMAGED — {index.Problem}");
                if (!index.Ok) o.WriteLine($"           fix: {index.Fix}");
                if (info is null)
                {
                    o.WriteLine($"runtime:   NOT LOADED — {error}");
                }
                else
                {
                    o.WriteLine($"runtime:   {info.Binding}, llama.cpp with ggml {info.Version}, commit {info.Commit}{(info.IsBundled ? "" : " (LOCALQA_NATIVE_DIR)")}");
                    o.WriteLine($"library:   {info.LibraryPath}");
                    o.WriteLine($"system:    {info.SystemInfo}");
                    o.WriteLine($"cpu build: {info.CpuVariant ?? "unknown"}{(info.IsBundled ? " (chosen by LLamaSharp for this processor)" : "")}");
                    o.WriteLine($"openmp:    OMP_WAIT_POLICY={info.OpenMpWaitPolicy ?? "(default)"}");
                    o.WriteLine($"gpu:       {(info.SupportsGpuOffload ? "offload supported" : "CPU only (no GPU backend in this runtime)")}");
                    foreach (var d in info.Devices)
                        o.WriteLine($"device:    {d.Name} ({d.Kind}) {d.Description}{(d.TotalMemory > 0 ? $", {d.TotalMemory >> 20} MiB" : "")}");
                }
                if (remote is not null) PrintEngine(o, remote);
                if (modelFacts is not null)
                {
                    o.WriteLine("model:");
                    // The same names as --json, so the two views read alike.
                    foreach (var p in typeof(ModelFacts).GetProperties())
                        o.WriteLine($"  {JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name),-17} {p.GetValue(modelFacts)}");
                }
            }
            return !index.Ok ? ExitCodes.BadInput
                : remote is { Ok: false } ? remote.ExitCode
                // A remote engine needs no llama.cpp runtime.
                : info is null && remote is null ? ExitCodes.RuntimeUnavailable : ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>
    /// The remote engine as the settings name it: reachable (and the round trip of GET /models), its
    /// models and whether the configured ones are among them, the context it says, and the
    /// embedding model's dimension (one text embedded).
    /// </summary>
    private static async Task<EngineJson> CheckEngineAsync(LibraryOptions options, CancellationToken ct)
    {
        try
        {
            var probe = RemoteEngine.Probe(options, options.ChatModel);
            int? dimension = null;
            string? embedProblem = null;
            if (options.EmbedModel is { } embedName)
            {
                try
                {
                    using var embedder = new RemoteEmbeddingGenerator(RemoteEngine.Client(options, probe.Endpoint).GetEmbeddingClient(embedName).AsIEmbeddingGenerator(),
                        probe.Endpoint.ToString(), embedName, options.Timeout, indexDimensions: null);
                    var vectors = await embedder.GenerateAsync(["LocalQa doctor"], cancellationToken: ct).ConfigureAwait(false);
                    dimension = vectors[0].Vector.Length;
                }
                catch (RemoteEngineException e)
                {
                    embedProblem = e.Message;
                }
            }
            return new EngineJson(true, probe.Endpoint.ToString(), null, null, Math.Round(probe.RoundTrip.TotalMilliseconds, 1), probe.Models,
                options.ChatModel, options.ChatModel is null ? null : probe.Models.Contains(options.ChatModel),
                options.ContextSize is > 0 ? options.ContextSize : probe.ContextSize,
                options.ContextSize is > 0 ? "the context setting" : probe.ContextSource ?? $"the server does not say; {RemoteEngine.AssumedContext} is assumed unless the context setting is set",
                options.EmbedModel, dimension, embedProblem, embedProblem is null ? ExitCodes.Ok : ExitCodes.EngineUnavailable);
        }
        catch (Exception e) when (e is RemoteEngineException or LocalQa.Core.InvalidInputException)
        {
            return new EngineJson(false, options.Endpoint, e.Message, CliErrors.Fix(e), null, [], options.ChatModel, null, null, null, options.EmbedModel, null, null, CliErrors.ExitCode(e));
        }
    }

    private static void PrintEngine(TextWriter o, EngineJson e)
    {
        if (!e.Ok)
        {
            o.WriteLine($"engine:    openai at {e.Endpoint}: NOT AVAILABLE — {e.Problem}");
            if (e.Fix is not null) o.WriteLine($"           fix: {e.Fix}");
            return;
        }
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"engine:    openai at {e.Endpoint} (reachable, round trip {e.RoundTripMs:0.#} ms)"));
        o.WriteLine($"models:    {(e.Models.Count == 0 ? "(none listed)" : string.Join(", ", e.Models))}");
        if (e.ChatModel is not null)
            o.WriteLine($"chat:      {e.ChatModel}{(e.ChatModelListed == true ? "" : "  (NOT LISTED by the server)")}, context {(e.Context is { } c ? c.ToString(CultureInfo.InvariantCulture) : "unknown")} ({e.ContextSource}); token counts estimated");
        if (e.EmbedModel is not null)
            o.WriteLine(e.EmbedProblem is null ? $"embedding: {e.EmbedModel}, {e.EmbedDimension} dimensions" : $"embedding: {e.EmbedModel}: FAILED — {e.EmbedProblem}");
    }

    /// <summary>doctor --json: the index, the runtime, the model's facts when --model named one, and the remote engine when the engine is openai (null otherwise).</summary>
    private sealed record DoctorJson(IndexJson Index, RuntimeJson Runtime, ModelFacts? Model, EngineJson? Engine);

    /// <summary>The remote engine doctor checked.</summary>
    private sealed record EngineJson(bool Ok, string? Endpoint, string? Problem, string? Fix, double? RoundTripMs, IReadOnlyList<string> Models,
        string? ChatModel, bool? ChatModelListed, int? Context, string? ContextSource, string? EmbedModel, int? EmbedDimension, string? EmbedProblem,
        [property: System.Text.Json.Serialization.JsonIgnore] int ExitCode);

    /// <summary>The index doctor checked, read-only; problem and fix are null when it is sound or absent.</summary>
    private sealed record IndexJson(string Path, bool Exists, bool Ok, string? Problem, string? Fix);

    /// <summary>
    /// What was loaded (all null but "loaded", "error" and the GPU fields when nothing was), with the
    /// GPU layers asked for beside the runtime's ability to offload them.
    /// </summary>
    private sealed record RuntimeJson(
        bool Loaded, string? Path, string? Binding, string? Version, string? Commit, bool? Bundled, string? OpenmpWaitPolicy,
        string? SystemInfo, string? CpuVariant, string? Error, bool GpuOffload, int? GpuLayers, IReadOnlyList<DeviceJson>? Devices);

    /// <summary>A device as doctor --json has always listed it: its name, kind and total memory (not its free memory).</summary>
    private sealed record DeviceJson(string Name, string Description, string Kind, long TotalMemory);

    /// <summary>A loaded model's facts, for --json and the text listing alike.</summary>
    private sealed record ModelFacts(
        string Path, string Architecture, string Description, long Parameters, long SizeBytes, int ContextLength,
        int EmbeddingLength, int Layers, int VocabSize, bool ChatTemplate, bool EmbeddingModel);
}
