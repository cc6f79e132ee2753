namespace LocalQa.Core.Prompts;

/// <summary>
/// Renders LocalQa's prompt files. The files are written in Semantic Kernel's template syntax;
/// <see cref="PromptLibrary"/> refuses any template that is more than text, <c>{{$variables}}</c>
/// and quoted literals, so <see cref="TemplateVariableRenderer"/> renders every file LocalQa
/// accepts without Semantic Kernel, and a host may plug in SK's own engine
/// (LocalQa.SemanticKernel's <c>SemanticKernelPromptRenderer</c>) to render them as SK does.
/// Implementations are thread-safe: rendering may run on any thread.
/// </summary>
public interface IPromptRenderer
{
    /// <summary>
    /// Prepares one template, once, when its file is loaded; the result renders it with the
    /// values LocalQa supplies. Throws <see cref="InvalidInputException"/> naming
    /// <paramref name="file"/> for a template it cannot render. Rendering is asynchronous because
    /// template engines are (Semantic Kernel's awaits function blocks); a renderer with nothing to
    /// await returns a completed <see cref="ValueTask{TResult}"/>, which costs no allocation.
    /// </summary>
    Func<IReadOnlyDictionary<string, string>, CancellationToken, ValueTask<string>> Compile(string file, string text);
}
