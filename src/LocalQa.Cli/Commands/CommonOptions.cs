using System.CommandLine;
using LocalQa.Core;

namespace LocalQa.Cli.Commands;

/// <summary>The options every library verb shares, turned into <see cref="LibraryOptions"/>.</summary>
internal sealed class CommonOptions
{
    public Option<string?> Index { get; } = new("--index") { Description = "Index file (default: LOCALQA_INDEX, else the user data folder)." };
    public Option<string?> Model { get; } = new("--model") { Description = "Chat model (.gguf); without one answers are extractive." };
    public Option<string?> EmbedModel { get; } = new("--embed-model") { Description = "Embedding model (.gguf) for dense retrieval." };
    public Option<string?> Prompts { get; } = new("--prompts") { Description = "Folder of prompt files overriding prompts/." };
    public Option<int?> Context { get; } = new("--context") { Description = "Context size in tokens for the chat model." };
    public Option<int?> Threads { get; } = new("--threads") { Description = "CPU threads (default: physical cores)." };
    public Option<int?> GpuLayers { get; } = new("--gpu-layers") { Description = "Layers to offload to a GPU (needs a GPU runtime build)." };

    public void AddTo(Command command, bool models = true)
    {
        command.Options.Add(Index);
        command.Options.Add(Prompts);
        if (!models) return;
        command.Options.Add(Model);
        command.Options.Add(EmbedModel);
        command.Options.Add(Context);
        command.Options.Add(Threads);
        command.Options.Add(GpuLayers);
    }

    public LibraryOptions Resolve(ParseResult parse) => Settings.Resolve(parse, this);
}
