using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using LLama.Exceptions;
using LLama.Native;
using LocalQa.Llama.Native;

namespace LocalQa.Llama;

/// <summary>
/// A GGUF model loaded by llama.cpp through LLamaSharp's <see cref="SafeLlamaModelHandle"/>, which
/// owns the native model; this adds the managed file checks before loading, validation before every
/// call that takes a token, and allocation-free tokenizing. Thread-safety: tokenization, metadata and template calls are
/// safe from any thread (llama.cpp's vocab is read-only after load); contexts are not shared.
/// </summary>
public sealed unsafe class LlamaModel : IDisposable
{
    private readonly SafeLlamaModelHandle _handle;
    private readonly nint _vocab;

    private LlamaModel(string path, SafeLlamaModelHandle handle, LlamaModelOptions options, Core.Gguf.GgufFile file)
    {
        Path = path;
        _handle = handle;
        Options = options;
        File = file;
        _vocab = LlamaImports.Vocab(handle);
        VocabSize = handle.Vocab.Count;
        if (options.VocabOnly)
        {
            // A vocab-only model has no hyper-parameters loaded: llama.cpp aborts on per-layer
            // queries, so these come from the managed reader instead.
            TrainingContextLength = (int)Math.Clamp(file.ContextLength ?? 0, 0, int.MaxValue);
            EmbeddingLength = (int)Math.Clamp(file.EmbeddingLength ?? 0, 0, int.MaxValue);
            LayerCount = (int)Math.Clamp(file.BlockCount ?? 0, 0, int.MaxValue);
            HeadCount = (int)Math.Clamp(file.HeadCount ?? 0, 0, int.MaxValue);
            HeadCountKv = (int)Math.Clamp(file.HeadCountKv ?? HeadCount, 0, int.MaxValue);
            SizeBytes = file.FileLength;
            ParameterCount = file.ParameterCount;
        }
        else
        {
            TrainingContextLength = handle.ContextSize;
            EmbeddingLength = handle.EmbeddingSize;
            LayerCount = handle.LayerCount;
            HeadCount = LayerCount > 0 ? handle.HeadCount : 0;
            HeadCountKv = LayerCount > 0 ? handle.KVHeadCount : 0;
            SizeBytes = (long)handle.SizeInBytes;
            ParameterCount = (long)handle.ParameterCount;
        }
        var vocab = handle.Vocab;
        BosToken = vocab.BOS is { } b ? (int)b : -1;
        EosToken = vocab.EOS is { } e ? (int)e : -1;
        SepToken = vocab.SEP is { } sep ? (int)sep : -1;
        AddsBos = vocab.ShouldAddBOS;
        AddsEos = vocab.ShouldAddEOS;
        VocabType = vocab.Type;
        HasDecoder = handle.HasDecoder;
        HasEncoder = handle.HasEncoder;
        Metadata = ReadMetadata(handle);
        Architecture = Metadata.GetValueOrDefault("general.architecture") ?? "unknown";
        // What llama_model_chat_template returns, read from the metadata: LLamaSharp's GetTemplate
        // throws ArgumentNullException on an empty template (found by the native-load fuzz).
        ChatTemplate = Metadata.GetValueOrDefault("tokenizer.chat_template");
        Description = handle.Description;
        var pooling = Metadata.GetValueOrDefault(Architecture + ".pooling_type");
        IsEmbeddingModel = pooling is not null && pooling != "0" || Architecture is "bert" or "nomic-bert" or "jina-bert-v2";
    }

    public string Path { get; }
    public LlamaModelOptions Options { get; }

    /// <summary>The managed reader's view of the file (metadata, tensors), read before loading.</summary>
    public Core.Gguf.GgufFile File { get; }
    public string Architecture { get; }
    public string Description { get; }
    public long ParameterCount { get; }
    public long SizeBytes { get; }
    public int TrainingContextLength { get; }
    public int EmbeddingLength { get; }
    public int LayerCount { get; }
    public int HeadCount { get; }
    public int HeadCountKv { get; }
    public int VocabSize { get; }
    public int BosToken { get; }
    public int EosToken { get; }
    public bool AddsBos { get; }
    private bool AddsEos { get; }
    private int SepToken { get; }
    private LLamaVocabType VocabType { get; }
    public bool HasEncoder { get; }
    public bool HasDecoder { get; }
    public bool VocabOnly => Options.VocabOnly;

    /// <summary>True for models made to embed (BERT-like, or carrying a pooling type), not to chat.</summary>
    public bool IsEmbeddingModel { get; }

    /// <summary>The Jinja chat template from the GGUF metadata, or null when the model has none.</summary>
    public string? ChatTemplate { get; }

    /// <summary>Every metadata key/value as llama.cpp renders them (arrays summarized).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    internal SafeLlamaModelHandle Handle => _handle;

    /// <summary>Loads a model; the file is checked in managed code first so that a bad file is a
    /// <see cref="ModelFileException"/>, never a crash inside llama.cpp.</summary>
    public static LlamaModel Load(string path, LlamaModelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new LlamaModelOptions();
        var full = System.IO.Path.GetFullPath(path);
        var file = ModelFileCheck.Validate(full, options.VocabOnly);
        NativeRuntime.Ensure();

        var p = LLamaModelParams.Default();
        p.n_gpu_layers = options.GpuLayers;
        p.load_mode = options.UseMemoryMap ? LLamaLoadMode.MemoryMap : LLamaLoadMode.None;
        p.vocab_only = options.VocabOnly;
        NativeLog.Clear();
        SafeLlamaModelHandle handle;
        try
        {
            handle = SafeLlamaModelHandle.LoadFromFile(full, p);
        }
        catch (Exception ex) when (ex is LoadWeightsFailedException or IOException or UnauthorizedAccessException)
        {
            var why = NativeLog.TakeRecent();
            if (why.Length == 0 && ex is not LoadWeightsFailedException) why = ex.Message;
            throw new ModelLoadException(
                $"llama.cpp could not load model '{full}'{(why.Length > 0 ? ": " + why : ".")}",
                "Check that the file is a complete GGUF model of a supported architecture (re-download it if it was interrupted).");
        }
        var model = new LlamaModel(full, handle, options, file);
        try
        {
            model.CheckSpecialTokens();
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>
    /// llama.cpp inserts BOS, EOS or SEP while tokenizing when its vocabulary type or the file's
    /// add_*_token flags say so, and asserts that the token exists: a T5 (Unigram) vocabulary with
    /// add_bos_token and no bos_token_id ended the first tokenization with "llama-vocab.cpp:3549:
    /// GGML_ASSERT(special_bos_id != LLAMA_TOKEN_NULL) failed". The check asks llama.cpp for the ids
    /// and flags it settled on (its defaults per vocabulary type, out-of-range ids dropped), so it
    /// is exactly the condition of its asserts.
    /// </summary>
    private void CheckSpecialTokens()
    {
        var bos = BosToken >= 0;
        var eos = EosToken >= 0;
        var sep = SepToken >= 0;
        string? missing = VocabType switch
        {
            // SPM, BPE and UGM honour add_bos/add_eos; WPM always adds BOS (CLS) and SEP.
            LLamaVocabType.SentencePiece or LLamaVocabType.BytePairEncoding or LLamaVocabType.Unigram when AddsBos && !bos =>
                "it asks for a BOS token before every text but names none in its vocabulary (tokenizer.ggml.bos_token_id)",
            LLamaVocabType.SentencePiece or LLamaVocabType.BytePairEncoding or LLamaVocabType.Unigram when AddsEos && !eos =>
                "it asks for an EOS token after every text but names none in its vocabulary (tokenizer.ggml.eos_token_id)",
            LLamaVocabType.WordPiece when !bos || !sep =>
                "its BERT vocabulary lacks the CLS or SEP token that WordPiece puts around every text (tokenizer.ggml.bos_token_id, tokenizer.ggml.seperator_token_id)",
            _ => null,
        };
        if (missing is not null)
        {
            throw new ModelFileException(
                $"Model '{Path}' cannot be used: {missing}.",
                "The file is damaged or was written by a faulty converter: download it again, or convert the model with a current llama.cpp.");
        }
    }

    /// <summary>Tokenizes UTF-16 text. <paramref name="parseSpecial"/> false means text such as
    /// "&lt;|im_start|&gt;" inside an article stays plain text and can never become a control token.</summary>
    public int[] Tokenize(ReadOnlySpan<char> text, bool addSpecial = true, bool parseSpecial = false)
    {
        var byteCount = Encoding.UTF8.GetByteCount(text);
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(1, byteCount));
        try
        {
            var n = Encoding.UTF8.GetBytes(text, rented);
            return TokenizeUtf8(rented.AsSpan(0, n), addSpecial, parseSpecial);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Tokenizes UTF-8 bytes with llama.cpp's two-call sizing idiom.</summary>
    public int[] TokenizeUtf8(ReadOnlySpan<byte> utf8, bool addSpecial = true, bool parseSpecial = false)
    {
        // llama_tokenize takes an int32 length, and a token count never exceeds bytes + BOS/EOS.
        if (utf8.Length > int.MaxValue / 2)
            throw new LlamaException($"Text of {utf8.Length} bytes is too long to tokenize in one piece; split it first.");
        var guess = utf8.Length / 3 + 8;
        var tokens = new int[guess];
        fixed (byte* t = utf8)
        {
            int n;
            fixed (int* o = tokens)
                n = LlamaImports.Tokenize(_vocab, t, utf8.Length, o, tokens.Length, addSpecial, parseSpecial);
            if (n == int.MinValue)
                throw new LlamaException($"Text of {utf8.Length} bytes tokenizes to more tokens than llama.cpp can count; split it first.");
            if (n < 0)
            {
                tokens = new int[-n];
                fixed (int* o = tokens)
                    n = LlamaImports.Tokenize(_vocab, t, utf8.Length, o, tokens.Length, addSpecial, parseSpecial);
                if (n < 0) throw new InvalidOperationException($"llama_tokenize asked for {-n} tokens after being given {tokens.Length}.");
            }
            // A vocabulary with no unknown token (an RWKV one without unknown_token_id, found by the
            // native-load fuzz) gives -1 for text it cannot spell; decoding that would read out of bounds.
            var ids = tokens.AsSpan(0, n);
            if (ids.IndexOfAnyExceptInRange(0, VocabSize - 1) is var bad and >= 0)
            {
                throw new ModelFileException(
                    $"Model '{Path}' turned text into token id {ids[bad]}, outside its vocabulary of {VocabSize}: its tokenizer cannot spell that text (it names no unknown token).",
                    "Use a complete model file; a converter left out tokenizer.ggml.unknown_token_id.");
            }
            return n == tokens.Length ? tokens : ids.ToArray();
        }
    }

    /// <summary>Number of tokens the text becomes (no BOS), for chunk budgets.</summary>
    /// <remarks>
    /// Chunking counts every sentence of every document, so this rents its buffers instead of
    /// allocating a token array per call: no managed allocation in steady state.
    /// </remarks>
    public int CountTokens(ReadOnlySpan<char> text)
    {
        var byteCount = Encoding.UTF8.GetByteCount(text);
        if (byteCount > int.MaxValue / 2)
            throw new LlamaException($"Text of {byteCount} bytes is too long to tokenize in one piece; split it first.");
        var bytes = ArrayPool<byte>.Shared.Rent(Math.Max(1, byteCount));
        var tokens = ArrayPool<int>.Shared.Rent(byteCount / 3 + 8);
        try
        {
            var n = Encoding.UTF8.GetBytes(text, bytes);
            fixed (byte* t = bytes)
            {
                int count;
                fixed (int* o = tokens)
                    count = LlamaImports.Tokenize(_vocab, t, n, o, tokens.Length, false, false);
                if (count == int.MinValue)
                    throw new LlamaException($"Text of {n} bytes tokenizes to more tokens than llama.cpp can count; split it first.");
                if (count >= 0) return count;
                // Too small a guess: llama.cpp says how many it needs; count again into that many.
                ArrayPool<int>.Shared.Return(tokens);
                tokens = ArrayPool<int>.Shared.Rent(-count);
                fixed (int* o = tokens)
                    count = LlamaImports.Tokenize(_vocab, t, n, o, tokens.Length, false, false);
                if (count < 0) throw new InvalidOperationException($"llama_tokenize asked for {-count} tokens after being given {tokens.Length}.");
                return count;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<int>.Shared.Return(tokens);
        }
    }

    /// <summary>Writes a token's bytes into <paramref name="destination"/>; returns the byte count, or the
    /// negative size needed when it does not fit. Allocation-free, for the decode loop.</summary>
    public int TokenToPiece(int token, Span<byte> destination, bool renderSpecial = false)
    {
        ValidateToken(token);
        return NativeApi.llama_token_to_piece(_handle.Vocab, token, destination, 0, renderSpecial);
    }

    /// <summary>Turns tokens back into text (the inverse of <see cref="Tokenize"/>).</summary>
    public string Detokenize(ReadOnlySpan<int> tokens, bool removeSpecial = false, bool renderSpecial = false)
    {
        foreach (var t in tokens) ValidateToken(t);
        if (tokens.IsEmpty) return "";
        var buf = new byte[Math.Max(16, tokens.Length * 8)];
        fixed (int* tk = tokens)
        {
            int n;
            fixed (byte* b = buf) n = LlamaImports.Detokenize(_vocab, tk, tokens.Length, b, buf.Length, removeSpecial, renderSpecial);
            if (n < 0)
            {
                buf = new byte[-n];
                fixed (byte* b = buf) n = LlamaImports.Detokenize(_vocab, tk, tokens.Length, b, buf.Length, removeSpecial, renderSpecial);
            }
            return Encoding.UTF8.GetString(buf, 0, Math.Max(0, n));
        }
    }

    /// <summary>True when the token ends generation (EOS, EOT, &lt;|im_end|&gt; and the like).</summary>
    public bool IsEndOfGeneration(int token)
    {
        ValidateToken(token);
        return ((LLamaToken)token).IsEndOfGeneration(_handle.Vocab);
    }

    public bool IsControl(int token)
    {
        ValidateToken(token);
        return ((LLamaToken)token).IsControl(_handle.Vocab);
    }

    /// <summary>Renders messages through the model's own chat template (chatml when it has none).
    /// llama.cpp recognizes the common templates by their text; an unrecognized one falls back to chatml.
    /// A NUL character would end the C string llama.cpp reads, dropping the rest of the message: it is
    /// rendered as U+FFFD (see <see cref="TemplateText"/>).</summary>
    public string ApplyChatTemplate(IReadOnlyList<ChatTurn> messages, bool addAssistantPrompt = true, string? template = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        template ??= ChatTemplate;
        var result = TryApply(template, messages, addAssistantPrompt);
        if (result is null && template is not null) result = TryApply(null, messages, addAssistantPrompt);
        return result ?? throw new InvalidOperationException("llama.cpp refused the built-in chatml template.");
    }

    private static string? TryApply(string? template, IReadOnlyList<ChatTurn> messages, bool addAssistant)
    {
        // Marshal every string once; pin the lot for the two-call sizing idiom.
        var strings = new List<nint>(messages.Count * 2 + 1);
        try
        {
            var natives = new LLamaChatMessage[messages.Count];
            var total = 0;
            for (var i = 0; i < messages.Count; i++)
            {
                var role = Marshal.StringToCoTaskMemUTF8(TemplateText(messages[i].Role));
                var content = Marshal.StringToCoTaskMemUTF8(TemplateText(messages[i].Content));
                strings.Add(role);
                strings.Add(content);
                natives[i] = new LLamaChatMessage { role = (byte*)role, content = (byte*)content };
                total += Encoding.UTF8.GetByteCount(messages[i].Content) + messages[i].Role.Length;
            }
            nint tmpl = 0;
            if (template is not null)
            {
                tmpl = Marshal.StringToCoTaskMemUTF8(template);
                strings.Add(tmpl);
            }
            var buf = new byte[total * 2 + 256];
            fixed (LLamaChatMessage* m = natives)
            {
                int n;
                fixed (byte* b = buf) n = NativeApi.llama_chat_apply_template((byte*)tmpl, m, (nuint)natives.Length, addAssistant, b, buf.Length);
                if (n < 0) return null;
                if (n > buf.Length)
                {
                    buf = new byte[n];
                    fixed (byte* b = buf) n = NativeApi.llama_chat_apply_template((byte*)tmpl, m, (nuint)natives.Length, addAssistant, b, buf.Length);
                }
                return Encoding.UTF8.GetString(buf, 0, n);
            }
        }
        finally
        {
            foreach (var s in strings) Marshal.FreeCoTaskMem(s);
        }
    }

    /// <summary>Text as <see cref="ApplyChatTemplate"/> renders it: NUL, which a C string cannot hold, becomes U+FFFD.</summary>
    public static string TemplateText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Contains('\0', StringComparison.Ordinal) ? text.Replace('\0', '\uFFFD') : text;
    }

    /// <summary>Throws when a token id is outside the vocabulary: llama.cpp would read out of bounds.</summary>
    public void ValidateToken(int token)
    {
        if ((uint)token >= (uint)VocabSize)
            throw new ArgumentOutOfRangeException(nameof(token), token, $"Token id {token} is outside the vocabulary of '{System.IO.Path.GetFileName(Path)}' (0..{VocabSize - 1}).");
    }

    private static Dictionary<string, string> ReadMetadata(SafeLlamaModelHandle handle)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var count = handle.MetadataCount;
        for (var i = 0; i < count; i++)
        {
            var key = handle.MetadataKeyByIndex(i);
            if (key is not { } k) continue;
            var val = handle.MetadataValueByIndex(i);
            result[Encoding.UTF8.GetString(k.Span)] = val is { } v ? Encoding.UTF8.GetString(v.Span) : "";
        }
        return result;
    }

    public void Dispose() => _handle.Dispose();
}
