using System.Text;
using System.Text.RegularExpressions;

namespace LocalQa.Core.Prompts;

/// <summary>
/// Prompt texts loaded at run time from a folder (the checkout's prompts/, or one the user names), written in
/// Semantic Kernel's template syntax (<c>{{$question}}</c>), so the files are edited as SK documents them and
/// an SK application can load them as they are; rendered by the <see cref="IPromptRenderer"/> given
/// (<see cref="TemplateVariableRenderer"/> by default, so a program that embeds LocalQa needs no SK).
/// Editing a prompt never needs a rebuild. A file is checked when loaded: every <c>{{…}}</c> in it must
/// name a variable LocalQa supplies for that prompt (or be an SK literal such as <c>{{"{{"}}</c>).
/// Thread-safety: rendering may run on any thread.
/// </summary>
public sealed partial class PromptLibrary
{
    private readonly Dictionary<string, string> _templates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<IReadOnlyDictionary<string, string>, CancellationToken, ValueTask<string>>> _compiled = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _used = new(StringComparer.Ordinal);

    /// <summary>The prompts a folder must hold, each as <c>name.txt</c>.</summary>
    public static readonly string[] Required = ["system", "answer", "followup", "condense", "abstain", "passage", "summarize", "summarize-reduce"];

    /// <summary>The variables LocalQa supplies to each prompt; abstain.txt is used as it is.</summary>
    public static IReadOnlyDictionary<string, string[]> Variables { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["system"] = ["abstain"],
        ["answer"] = ["passages", "question"],
        ["followup"] = ["passages", "earlier", "question"],
        ["condense"] = ["history", "question"],
        ["abstain"] = [],
        ["passage"] = ["id", "title", "text"],
        ["summarize"] = ["title", "text", "max_words", "key_points"],
        ["summarize-reduce"] = ["title", "parts", "max_words", "key_points"],
    };

    private PromptLibrary(string directory) => Directory = directory;

    /// <summary>The full path of the folder the prompts were loaded from.</summary>
    public string Directory { get; }

    /// <summary>Loads and checks every required prompt; a missing folder or file, or a template LocalQa cannot fill, is the user's to fix.</summary>
    public static PromptLibrary Load(string? directory, IPromptRenderer? renderer = null)
    {
        if (directory is null)
            throw new InvalidInputException("No prompts folder was found next to LocalQa.", $"Give a prompts folder with {string.Join(", ", Required.Select(r => r + ".txt"))}.")
            { Setting = SettingKeys.PromptsDir };
        renderer ??= TemplateVariableRenderer.Instance;
        var full = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(full))
            throw new InvalidInputException($"Prompts folder '{full}' does not exist.", "Give a folder of prompt .txt files that exists.")
            { Setting = SettingKeys.PromptsDir };
        var lib = new PromptLibrary(full);
        foreach (var name in Required)
        {
            var file = Path.Combine(full, name + ".txt");
            if (!File.Exists(file))
                throw new InvalidInputException($"Prompt file '{file}' is missing.", $"Copy {name}.txt from LocalQa's prompts/ folder into '{full}'.");
            var text = ReadText(file, name).Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n');
            lib._templates[name] = text;
            lib._used[name] = Check(file, text, Variables[name]);
            lib._compiled[name] = renderer.Compile(file, text);
        }
        return lib;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The file as UTF-8 text. A binary file read leniently became a "prompt" of replacement
    /// characters that was then reported as leaving no room for passages, which sends the user to
    /// the wrong setting.
    /// </summary>
    private static string ReadText(string file, string name)
    {
        var bytes = File.ReadAllBytes(file);
        var notText = $"Prompt file '{file}' is not a text file";
        var fix = $"Write the prompt as UTF-8 text, or copy {name}.txt from LocalQa's prompts/ folder.";
        if (Array.IndexOf(bytes, (byte)0) >= 0)
            throw new InvalidInputException(notText + " (it holds NUL bytes, as binary files do).", fix) { Setting = SettingKeys.PromptsDir };
        try
        {
            var text = StrictUtf8.GetString(bytes);
            return text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidInputException(notText + $" (byte {e.Index} is not UTF-8).", fix, e) { Setting = SettingKeys.PromptsDir };
        }
    }

    /// <summary>The template text as written in the file.</summary>
    public string this[string name] => _templates[name];

    /// <summary>The sentence the model must say when the passages do not answer.</summary>
    public string Abstain => _templates["abstain"].Trim();

    /// <summary>Renders a prompt through the library's renderer; every variable the file uses must have a value.</summary>
    public ValueTask<string> RenderAsync(string name, IReadOnlyDictionary<string, string> values, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!_compiled.TryGetValue(name, out var template)) throw new ArgumentException($"Unknown prompt '{name}'.", nameof(name));
        foreach (var used in _used[name])
        {
            // A missing variable renders as nothing; LocalQa's callers must never leave one out.
            if (!values.ContainsKey(used))
                throw new InvalidInputException($"Prompt '{Path.Combine(Directory, name + ".txt")}' uses {{{{${used}}}}}, which LocalQa does not provide here.",
                    $"Use only: {string.Join(", ", values.Keys.Select(k => "{{$" + k + "}}"))}.");
        }
        return template(values, cancellationToken);
    }

    /// <summary>The variables a template uses; refuses the old <c>{{name}}</c> form, unknown variables and function calls, naming the file and the fix.</summary>
    internal static string[] Check(string file, string text, IReadOnlyList<string> supplied)
    {
        var allowed = supplied.Count == 0
            ? "It takes no variables (write a literal \"{{\" as {{ \"{{\" }})."
            : $"Its variables are {string.Join(", ", supplied.Select(v => "{{$" + v + "}}"))}.";
        var used = new List<string>();
        foreach (Match m in Block().Matches(text))
        {
            var content = m.Groups[1].Value.Trim();
            if (content.Length > 0 && content[0] is '"' or '\'') continue; // an SK literal: {{ "{{" }}
            var variable = Variable().Match(content);
            if (variable.Success)
            {
                // SK looks variables up ignoring case; so does this check.
                var name = supplied.FirstOrDefault(v => string.Equals(v, variable.Groups[1].Value, StringComparison.OrdinalIgnoreCase))
                    ?? throw new InvalidInputException($"Prompt file '{file}' uses {m.Value}, a variable LocalQa does not supply to this prompt.", allowed);
                if (!used.Contains(name, StringComparer.Ordinal)) used.Add(name);
                continue;
            }
            if (Identifier().IsMatch(content))
            {
                var fix = supplied.Contains(content, StringComparer.Ordinal)
                    ? $"Write {{{{${content}}}}} instead: prompts use Semantic Kernel's template syntax, where a variable starts with '$'."
                    : $"Prompts use Semantic Kernel's template syntax, where a variable starts with '$'. {allowed}";
                throw new InvalidInputException($"Prompt file '{file}' uses {m.Value}, LocalQa's old placeholder form (Semantic Kernel would call a function named '{content}').", fix);
            }
            throw new InvalidInputException($"Prompt file '{file}' uses {m.Value}, which LocalQa cannot render: its prompts call no functions.", allowed);
        }
        return [.. used];
    }

    /// <summary>A <c>{{…}}</c> block of a template (its content in group 1); the renderer splits on the same blocks this checks.</summary>
    [GeneratedRegex(@"\{\{(.*?)\}\}", RegexOptions.Singleline)]
    internal static partial Regex Block();

    [GeneratedRegex(@"^\$([A-Za-z0-9_]+)$")]
    private static partial Regex Variable();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_.\-]*$")]
    private static partial Regex Identifier();
}
