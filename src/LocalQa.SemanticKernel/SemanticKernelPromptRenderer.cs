using LocalQa.Core;
using LocalQa.Core.Prompts;
using Microsoft.SemanticKernel;

namespace LocalQa.SemanticKernel;

/// <summary>
/// Renders LocalQa's prompt files with Semantic Kernel's own template engine, so they behave exactly
/// as an SK application that loads them would render them. The command line uses it.
/// </summary>
public sealed class SemanticKernelPromptRenderer : IPromptRenderer
{
    private readonly Kernel _kernel = new();

    // LocalQa fences and neutralizes article text itself (UntrustedText) and never parses the
    // rendered text as SK chat-prompt XML, so values go in as they are: SK's HTML encoding would
    // only turn an article's "&" and quotes into entities the model then reads.
    private readonly KernelPromptTemplateFactory _factory = new() { AllowDangerouslySetContent = true };

    public Func<IReadOnlyDictionary<string, string>, CancellationToken, ValueTask<string>> Compile(string file, string text)
    {
        IPromptTemplate template;
        try
        {
            template = _factory.Create(new PromptTemplateConfig(text));
        }
        catch (KernelException e)
        {
            throw new InvalidInputException($"Prompt file '{file}' is not a valid Semantic Kernel template: {e.Message}",
                $"Fix the {{{{…}}}} blocks in it, or copy {Path.GetFileName(file)} from LocalQa's prompts/ folder.", e);
        }
        return (values, cancellationToken) =>
        {
            var arguments = new KernelArguments();
            foreach (var (key, value) in values) arguments[key] = value;
            return new ValueTask<string>(template.RenderAsync(_kernel, arguments, cancellationToken));
        };
    }
}
