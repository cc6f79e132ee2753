using System.Runtime.CompilerServices;
using System.Text;
using LocalQa.Core.Ai;
using LocalQa.Core.Text;
using Microsoft.Extensions.AI;

namespace LocalQa.Llama;

/// <summary>
/// <see cref="IChatClient"/> over an in-process llama.cpp model. It keeps the KV cache of the last
/// conversation, so a follow-up that repeats the earlier prompt (a chat history, or a question over
/// the same passages) evaluates only the new tokens. A growing message list whose last assistant
/// message is the answer this client just gave reuses the very tokens it sampled (see
/// <see cref="PreparePrompt"/>), so the answer is not evaluated again. Usage reports the reuse as
/// <see cref="UsageDetails.CachedInputTokenCount"/>, and its timings as <see cref="UsageTimings"/>.
/// It offers the <see cref="IPromptBudget"/> and <see cref="IPromptCache"/> answering uses.
/// Thread-safety: calls may come from any thread; they run one at a time (one context, one owner).
/// </summary>
public sealed class LlamaChatClient : IChatClient, IPromptBudget, IPromptCache
{
    private readonly LlamaModel _model;
    private readonly LlamaContext _context;
    private readonly LlamaGenerator _generator;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly bool _ownsModel;

    // What the cache stands for, as text and as the tokens evaluated for it, and the points of that
    // text (chars, tokens) where a later prompt may continue with a fresh tokenization.
    private string _transcript = "";
    private int[] _transcriptTokens = [];
    private readonly List<(int Chars, int Tokens)> _marks = [];

    public LlamaChatClient(LlamaModel model, LlamaContextOptions? contextOptions = null, bool ownsModel = false)
    {
        LlamaPrompts.EnsureChatModel(model);
        _model = model;
        _context = LlamaContext.Create(model, contextOptions);
        _generator = new LlamaGenerator(_context);
        _ownsModel = ownsModel;
        Metadata = new ChatClientMetadata("llama.cpp", null, Path.GetFileName(model.Path));
    }

    public ChatClientMetadata Metadata { get; }

    public LlamaModel Model => _model;

    /// <summary>Tokens one conversation holds: the context's room for a sequence.</summary>
    public int ContextTokens => _context.SequenceContextSize;

    // Looked up when a prompt is laid out, not built with the client: a caller that sends ready
    // messages never pays for the managed tokenizer.
    public ITokenCounter TextTokens => ModelTokenCounter.For(_model);

    /// <summary>The cost of the last request (prompt, reuse, timings); the same numbers as the <see cref="UsageContent"/> it yielded.</summary>
    internal GenerationStats? LastStats => _generator.LastStats;

    /// <summary>Forgets the cached conversation (the chat's /reset).</summary>
    public void ResetCache()
    {
        _gate.Wait();
        try
        {
            _generator.Reset();
            ForgetTranscript();
        }
        finally { _gate.Release(); }
    }

    private void ForgetTranscript()
    {
        _transcript = "";
        _transcriptTokens = [];
        _marks.Clear();
    }

    /// <summary>Renders messages through the model's chat template and tokenizes them; template
    /// markers are parsed as special tokens (callers neutralize untrusted text before).</summary>
    internal int[] RenderPrompt(IEnumerable<ChatMessage> messages) => LlamaPrompts.Tokenize(_model, LlamaPrompts.Render(_model, messages));

    /// <summary>
    /// The tokens this client would evaluate for <paramref name="messages"/>, with the text they
    /// render to. When the rendered text continues what the cache stands for (the last prompt and
    /// the answer sampled for it, or an earlier point of them), those tokens are kept as they are
    /// and only the rest is tokenized — split at a special token, where llama.cpp's tokenizer
    /// starts afresh anyway, so the result equals a whole tokenization except that the answer keeps
    /// the tokens the model sampled. Call under the gate.
    /// </summary>
    private (int[] Tokens, string Text, int SplicedChars) PreparePrompt(IEnumerable<ChatMessage> messages)
    {
        var text = LlamaPrompts.Render(_model, messages);
        for (var m = _marks.Count - 1; m >= 0; m--)
        {
            var (chars, count) = _marks[m];
            if (chars >= text.Length || !text.AsSpan(0, chars).SequenceEqual(_transcript.AsSpan(0, chars))) continue;
            var rest = _model.Tokenize(text.AsSpan(chars), addSpecial: false, parseSpecial: true);
            if (rest.Length == 0 || !_model.IsControl(rest[0])) continue;
            var tokens = new int[count + rest.Length];
            _transcriptTokens.AsSpan(0, count).CopyTo(tokens);
            rest.CopyTo(tokens, count);
            return (tokens, text, chars);
        }
        return (LlamaPrompts.Tokenize(_model, text), text, 0);
    }

    /// <summary>Prompt tokens <paramref name="messages"/> would take now, the cached answer's own tokens counted as they are.</summary>
    public int CountPromptTokens(IEnumerable<ChatMessage> messages)
    {
        _gate.Wait();
        try { return PreparePrompt(messages).Tokens.Length; }
        finally { _gate.Release(); }
    }

    // After a generation: the cache now stands for the prompt and the answer; earlier marks inside
    // the spliced part stay valid, later ones were overwritten.
    private void RememberTranscript(int[] prompt, string promptText, int splicedChars, string answer, IReadOnlyList<int> answerTokens)
    {
        _marks.RemoveAll(mark => mark.Chars > splicedChars);
        _marks.Add((promptText.Length, prompt.Length));
        var tokens = new int[prompt.Length + answerTokens.Count];
        prompt.CopyTo(tokens, 0);
        for (var i = 0; i < answerTokens.Count; i++) tokens[prompt.Length + i] = answerTokens[i];
        // The answer comes back inside a message, rendered as the template renders text.
        _transcript = promptText + LlamaModel.TemplateText(answer);
        _transcriptTokens = tokens;
        if (answerTokens.Count > 0) _marks.Add((_transcript.Length, tokens.Length));
    }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        LlamaPrompts.CollectAsync(GetStreamingResponseAsync(messages, options, cancellationToken), Metadata.DefaultModelId);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages.ToList();
        var gen = LlamaPrompts.Options(options);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var (prompt, promptText, splicedChars) = PreparePrompt(list);
            var answer = new StringBuilder();
            var completed = false;
            try
            {
                await foreach (var piece in _generator.GenerateAsync(prompt, gen, cancellationToken).ConfigureAwait(false))
                {
                    answer.Append(piece);
                    yield return new ChatResponseUpdate(ChatRole.Assistant, piece) { ModelId = Metadata.DefaultModelId };
                }
                completed = true;
            }
            finally
            {
                // A stopped answer leaves the cache part-way: trust nothing. One cut at a stop string is
                // not the text of the tokens sampled: only its prompt is kept.
                if (!completed) ForgetTranscript();
                else if (_generator.LastStats!.StopReason == StopReason.StopString) RememberTranscript(prompt, promptText, splicedChars, "", []);
                else RememberTranscript(prompt, promptText, splicedChars, answer.ToString(), _generator.LastAnswerTokens);
            }
            yield return LlamaPrompts.UsageUpdate(_generator.LastStats!, null);
        }
        finally
        {
            _gate.Release();
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(ChatClientMetadata)) return Metadata;
        if (serviceType.IsInstanceOfType(this)) return this;
        if (serviceType == typeof(LlamaModel)) return _model;
        return null;
    }

    public void Dispose()
    {
        _generator.Dispose();
        _context.Dispose();
        if (_ownsModel) _model.Dispose();
        _gate.Dispose();
    }
}
