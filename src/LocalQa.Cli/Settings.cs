using System.CommandLine;
using System.Globalization;
using LocalQa.Cli.Commands;
using LocalQa.Core;
using LocalQa.Llama;

namespace LocalQa.Cli;

/// <summary>Flags over environment variables over defaults, for the library verbs.</summary>
internal static class Settings
{
    public static LibraryOptions Resolve(ParseResult parse, CommonOptions o)
    {
        static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
        static int? EnvInt(string name)
        {
            var v = Env(name);
            if (v is null) return null;
            return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
                ? n
                : throw new InvalidInputException($"Environment variable {name}='{v}' is not a whole number.", $"Set {name} to a number or unset it.");
        }
        return new LibraryOptions
        {
            IndexPath = parse.GetValue(o.Index) ?? Env("LOCALQA_INDEX"),
            ChatModel = parse.GetValue(o.Model) ?? Env("LOCALQA_MODEL"),
            EmbedModel = parse.GetValue(o.EmbedModel) ?? Env("LOCALQA_EMBED_MODEL"),
            PromptsDirectory = parse.GetValue(o.Prompts),
            ContextSize = parse.GetValue(o.Context) ?? 4096,
            Threads = parse.GetValue(o.Threads) ?? EnvInt("LOCALQA_THREADS") ?? 0,
            GpuLayers = parse.GetValue(o.GpuLayers) ?? EnvInt("LOCALQA_GPU_LAYERS") ?? 0,
        };
    }
}
