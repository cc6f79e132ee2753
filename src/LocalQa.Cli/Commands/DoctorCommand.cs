using System.CommandLine;
using LocalQa.Core.Configuration;
using LocalQa.Llama;

namespace LocalQa.Cli.Commands;

internal static class DoctorCommand
{
    public static Command Create(CliContext cli)
    {
        var model = new Option<FileInfo?>("--model") { Description = "Also load this GGUF model and show its metadata." };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var cmd = new Command("doctor", "Show the llama.cpp runtime in use (path, version, CPU features, devices) and, with --model, a model's facts.");
        cmd.Options.Add(model);
        cmd.Options.Add(json);
        cmd.SetAction((parse, ct) =>
        {
            var settings = SettingsResolver.ForCurrentProcess().Resolve().Settings;
            LlamaRuntime.UseNativeDirectory(settings.NativeDir);
            var (info, error) = LlamaRuntime.TryLoad();
            object? modelFacts = null;
            var modelFile = parse.GetValue(model);
            if (modelFile is not null)
            {
                if (info is null) throw new LlamaRuntimeException(error ?? "The llama.cpp runtime is not available.");
                using var m = LlamaModel.Load(modelFile.FullName, new LlamaModelOptions { VocabOnly = false });
                modelFacts = new
                {
                    path = m.Path,
                    architecture = m.Architecture,
                    description = m.Description,
                    parameters = m.ParameterCount,
                    size_bytes = m.SizeBytes,
                    context_length = m.TrainingContextLength,
                    embedding_length = m.EmbeddingLength,
                    layers = m.LayerCount,
                    vocab_size = m.VocabSize,
                    chat_template = m.ChatTemplate is not null,
                    embedding_model = m.IsEmbeddingModel,
                };
            }
            if (parse.GetValue(json))
            {
                cli.WriteJson(new
                {
                    runtime = new
                    {
                        loaded = info is not null,
                        path = info?.LibraryPath,
                        binding = info?.Binding,
                        version = info?.Version,
                        commit = info?.Commit,
                        bundled = info?.IsBundled,
                        openmp_wait_policy = info?.OpenMpWaitPolicy,
                        system_info = info?.SystemInfo,
                        cpu_variant = info?.CpuVariant,
                        error,
                        gpu_offload = info?.SupportsGpuOffload ?? false,
                        gpu_layers = settings.GpuLayers,
                        devices = info?.Devices.Select(d => new { name = d.Name, description = d.Description, kind = d.Kind, total_memory = d.TotalMemory }),
                    },
                    model = modelFacts,
                });
            }
            else
            {
                var o = cli.Out;
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
                    foreach (var p in modelFacts.GetType().GetProperties())
                        o.WriteLine($"  {p.Name,-17} {p.GetValue(modelFacts)}");
                }
            }
            return Task.FromResult(info is null ? ExitCodes.RuntimeUnavailable : ExitCodes.Ok);
        });
        return cmd;
    }
}
