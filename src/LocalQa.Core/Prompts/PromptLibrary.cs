using System.Text;
using System.Text.RegularExpressions;
using LocalQa.Llama;

namespace LocalQa.Core.Prompts;

/// <summary>
/// Prompt texts loaded at run time from a folder (the checkout's prompts/ or --prompts DIR), with
/// named <c>{{placeholders}}</c>. Editing a prompt never needs a rebuild.
/// </summary>
public sealed partial class PromptLibrary
{
    private readonly Dictionary<string, string> _templates = new(StringComparer.Ordinal);

    public static readonly string[] Required = ["system", "answer", "abstain", "passage", "summarize", "summarize-reduce"];

    private PromptLibrary(string directory) => Directory = directory;

    public string Directory { get; }

    /// <summary>Loads every required prompt; a missing folder or file is the user's to fix.</summary>
    public static PromptLibrary Load(string? directory = null)
    {
        directory ??= LocalQaPaths.PromptsDirectory
            ?? throw new InvalidInputException("No prompts folder was found next to LocalQa.", "Pass --prompts DIR with system.txt, answer.txt, abstain.txt, passage.txt, summarize.txt and summarize-reduce.txt.");
        var full = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(full))
            throw new InvalidInputException($"Prompts folder '{full}' does not exist.", "Pass --prompts DIR pointing at a folder of prompt .txt files.");
        var lib = new PromptLibrary(full);
        foreach (var name in Required)
        {
            var file = Path.Combine(full, name + ".txt");
            if (!File.Exists(file))
                throw new InvalidInputException($"Prompt file '{file}' is missing.", $"Copy {name}.txt from LocalQa's prompts/ folder into '{full}'.");
            lib._templates[name] = File.ReadAllText(file, Encoding.UTF8).Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n');
        }
        return lib;
    }

    public string this[string name] => _templates[name];

    /// <summary>The sentence the model must say when the passages do not answer.</summary>
    public string Abstain => _templates["abstain"].Trim();

    /// <summary>Replaces every <c>{{name}}</c>; a placeholder without a value is an error naming the file.</summary>
    public string Render(string name, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var template = _templates.TryGetValue(name, out var t) ? t : throw new ArgumentException($"Unknown prompt '{name}'.", nameof(name));
        return Placeholder().Replace(template, m =>
            values.TryGetValue(m.Groups[1].Value, out var v)
                ? v
                : throw new InvalidInputException($"Prompt '{Path.Combine(Directory, name + ".txt")}' uses {{{{{m.Groups[1].Value}}}}}, which LocalQa does not provide.",
                    $"Use only: {string.Join(", ", values.Keys.Select(k => "{{" + k + "}}"))}."));
    }

    [GeneratedRegex(@"\{\{([a-z_]+)\}\}")]
    private static partial Regex Placeholder();
}
