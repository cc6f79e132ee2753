using System.CommandLine;
using System.Text.Json;
using LocalQa.Core.Index;
using LocalQa.Hosting;
using LocalQa.Hosting.Configuration;
using LocalQa.Llama;

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
        var runtime = SettingsOptions.RuntimeAndIndex();
        runtime.AddTo(cmd);
        cmd.SetAction((parse, ct) =>
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
            if (parse.GetValue(json))
            {
                cli.WriteJson(new DoctorJson(
                    index,
                    new RuntimeJson(info is not null, info?.LibraryPath, info?.Binding, info?.Version, info?.Commit, info?.IsBundled, info?.OpenMpWaitPolicy,
                        info?.SystemInfo, info?.CpuVariant, error, info?.SupportsGpuOffload ?? false, settings.GpuLayers,
                        info?.Devices.Select(d => new DeviceJson(d.Name, d.Description, d.Kind, d.TotalMemory)).ToArray()),
                    modelFacts));
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
                if (modelFacts is not null)
                {
                    o.WriteLine("model:");
                    // The same names as --json, so the two views read alike.
                    foreach (var p in typeof(ModelFacts).GetProperties())
                        o.WriteLine($"  {JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name),-17} {p.GetValue(modelFacts)}");
                }
            }
            return Task.FromResult(!index.Ok ? ExitCodes.BadInput : info is null ? ExitCodes.RuntimeUnavailable : ExitCodes.Ok);
        });
        return cmd;
    }

    /// <summary>doctor --json: the index, the runtime, and the model's facts when --model named one (null otherwise).</summary>
    private sealed record DoctorJson(IndexJson Index, RuntimeJson Runtime, ModelFacts? Model);

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
