using System.CommandLine;
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
            var (info, error) = LlamaRuntime.TryLoad();
            object? modelFacts = null;
            string? note = null;
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
                note = F16Note(m, info);
            }
            if (parse.GetValue(json))
            {
                cli.WriteJson(new
                {
                    runtime = new
                    {
                        loaded = info is not null,
                        path = info?.LibraryPath,
                        version = info?.Version,
                        system_info = info?.SystemInfo,
                        cpu_variant = info?.CpuVariant,
                        error,
                        gpu_offload = info?.SupportsGpuOffload ?? false,
                        gpu_layers = Environment.GetEnvironmentVariable("LOCALQA_GPU_LAYERS"),
                        devices = info?.Devices.Select(d => new { name = d.Name, description = d.Description, kind = d.Kind, total_memory = d.TotalMemory }),
                    },
                    model = modelFacts,
                    note,
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
                    o.WriteLine($"runtime:   llama.cpp {info.Version} (expected {LlamaRuntime.ExpectedVersion})");
                    o.WriteLine($"library:   {info.LibraryPath}");
                    o.WriteLine($"system:    {info.SystemInfo}");
                    o.WriteLine($"cpu build: {info.CpuVariant ?? "unknown"}");
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
                if (note is not null) o.WriteLine($"note:      {note}");
            }
            return Task.FromResult(info is null ? ExitCodes.BadInput : ExitCodes.Ok);
        });
        return cmd;
    }

    /// <summary>
    /// The bundled prebuilt's F16 kernels prefill at about half the speed of a native build (README,
    /// Performance); a user who picked an F16 file deserves to know before blaming the model.
    /// </summary>
    private static string? F16Note(LlamaModel model, RuntimeInfo runtime)
    {
        const string MostlyF16 = "1";
        if (model.Metadata.GetValueOrDefault("general.file_type") != MostlyF16 || !runtime.IsBundled) return null;
        return "F16 weights: the bundled llama.cpp build processes prompts about half as fast as a native build "
               + "(LOCALQA_NATIVE_DIR, see the README's Performance section); a Q8_0 or Q4_K_M file of this model is faster here.";
    }
}
