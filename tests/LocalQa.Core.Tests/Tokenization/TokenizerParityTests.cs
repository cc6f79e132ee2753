using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LocalQa.Core.Gguf;
using LocalQa.Core.Tokenization;
using LocalQa.Llama;
using LocalQa.Testing;

namespace LocalQa.Core.Tests.Tokenization;

/// <summary>Each vocabulary once: its managed tokenizer and llama.cpp's, loaded vocabulary-only.</summary>
public sealed class TokenizerPairsFixture : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("localqa-vocab-").FullName;
    private readonly Dictionary<string, (GgufTokenizer Managed, LlamaModel Native)> _pairs = new(StringComparer.Ordinal);

    public TokenizerPairsFixture()
    {
        var shared = Path.Combine(TestPaths.SharedFolder, "models");
        Paths["stories260K"] = Path.Combine(shared, "stories260K.gguf");
        Paths["llama-2-tiny-random"] = Path.Combine(shared, "llama-2-tiny-random.gguf");
        Paths["synthetic-llama"] = Path.Combine(_dir, "synthetic-llama.gguf");
        SyntheticModel.WriteTiny(Paths["synthetic-llama"]);
        foreach (var pre in new[] { "llama-bpe", "qwen2", "smollm", "gpt-2" })
        {
            Paths["bpe-" + pre] = Path.Combine(_dir, $"bpe-{pre}.gguf");
            TestVocabularies.WriteBpe(Paths["bpe-" + pre], pre);
        }
        Paths["bert"] = Path.Combine(_dir, "bert.gguf");
        TestVocabularies.WriteBert(Paths["bert"]);
    }

    public Dictionary<string, string> Paths { get; } = new(StringComparer.Ordinal);

    public (GgufTokenizer Managed, LlamaModel Native) Get(string name)
    {
        lock (_pairs)
        {
            if (_pairs.TryGetValue(name, out var pair)) return pair;
            var path = Paths[name];
            if (!File.Exists(path)) Assert.Skip($"Model absent: {path}");
            var managed = GgufTokenizer.TryCreate(GgufReader.Read(path), out var whyNot)
                ?? throw new InvalidOperationException($"{name}: no managed tokenizer: {whyNot}");
            var native = LlamaModel.Load(path, new LlamaModelOptions { VocabOnly = true });
            return _pairs[name] = (managed, native);
        }
    }

    public void Dispose()
    {
        foreach (var (_, native) in _pairs.Values) native.Dispose();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>
/// The managed tokenizer gives exactly llama.cpp's ids, on random text built to hit the edges:
/// Unicode of many scripts, whitespace runs of every kind, digit runs, emoji, control characters,
/// contractions, lone surrogates.
/// </summary>
public sealed class TokenizerParityTests(TokenizerPairsFixture pairs) : IClassFixture<TokenizerPairsFixture>
{
    private static readonly string[] Words =
    [
        "the", "The", "keeper", "counted", "forty", "boats", "harbour", "Once", "upon", "a", "time", "little", "girl",
        "zyzzyva", "ZYZZYVA", "it's", "IT'S", "they'll", "we're", "you've", "I'd", "don't", "café", "naïve", "résumé",
        "Über", "İstanbul", "straße", "Привет", "мир", "你好", "世界", "数据", "안녕하세요", "한글", "مرحبا", "नमस्ते", "ελληνικά",
        "<tool_call>", "<|im_start|>", "<s>", "</s>", "[CLS]", "<0x41>", "▁", "##ing", "e-mail", "C++", "x86_64",
        "3.14159", "2024-05-01", "$14.99", "(49%)", "“quoted”", "—", "…", "€", "😀", "👍🏽", "🇫🇷", "👨‍👩‍👧", "𝐀𝐁𝐂", "𠀀",
    ];

    private static readonly string[] Spaces = [" ", " ", " ", "  ", "   ", "\t", "\n", "\r\n", "\n\n", " \n ", "\u00A0", "\u3000", "\u2009", "\u0085", "\v", "\f", ""];

    private static Gen<string> CodepointGen =>
        Gen.Frequency(
            (4, Gen.Choose(0x20, 0x7E)),
            (2, Gen.Choose(0xA0, 0x24F)),
            (1, Gen.Choose(0x370, 0x3FF)),
            (1, Gen.Choose(0x400, 0x4FF)),
            (1, Gen.Choose(0x300, 0x36F)),
            (1, Gen.Choose(0x4E00, 0x4FFF)),
            (1, Gen.Choose(0xAC00, 0xAD00)),
            (1, Gen.Choose(0x1F300, 0x1F64F)),
            (1, Gen.Choose(0x2000, 0x206F)),
            (1, Gen.Choose(0x0, 0x1F)),
            (1, Gen.Elements(0x7F, 0x85, 0xAD, 0x200B, 0x200D, 0xFEFF, 0xFFFD, 0xE000)))
        .Select(char.ConvertFromUtf32);

    private static Gen<string> PieceGen =>
        Gen.Frequency(
            (8, Gen.Elements(Words)),
            (3, Gen.Elements(Spaces)),
            (2, Gen.Choose(1, 12).SelectMany(n => Gen.ArrayOf(Gen.Choose('0', '9'), n)).Select(d => new string([.. d.Select(c => (char)c)]))),
            (4, Gen.Choose(1, 6).SelectMany(n => Gen.ArrayOf(CodepointGen, n)).Select(string.Concat)),
            (1, Gen.Elements("\uD800", "\uDC00", "a\uD83D", "'s", "'S", "'ll", "'LL", "'", "''", "...", "!!!", "?!")));

    private static Gen<string> TextGen =>
        Gen.Choose(0, 40).SelectMany(n => Gen.ArrayOf(PieceGen, n)).Select(string.Concat);

    public static TheoryData<string> Vocabularies =>
        ["stories260K", "llama-2-tiny-random", "synthetic-llama", "bpe-llama-bpe", "bpe-qwen2", "bpe-smollm", "bpe-gpt-2", "bert"];

    [Theory]
    [MemberData(nameof(Vocabularies))]
    public void Ids_match_llama_cpp_on_random_text(string vocabulary)
    {
        var (managed, native) = pairs.Get(vocabulary);
        Prop.ForAll(TextGen.ToArbitrary(), text =>
        {
            var expected = native.Tokenize(text, addSpecial: false, parseSpecial: false);
            var actual = managed.EncodeToIds(text);
            Assert.True(expected.SequenceEqual(actual),
                $"{vocabulary}: \"{Escape(text)}\"\n native:  [{string.Join(' ', expected)}]\n managed: [{string.Join(' ', actual)}]");
            Assert.Equal(expected.Length, managed.CountTokens(text));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(1000).WithQuietOnSuccess(true));
    }

    [Theory]
    [MemberData(nameof(Vocabularies))]
    public void Special_tokens_added_match_llama_cpp(string vocabulary)
    {
        var (managed, native) = pairs.Get(vocabulary);
        foreach (var text in new[] { "", "The keeper counted the boats.", " leading space", "trailing\n" })
        {
            Assert.Equal(native.Tokenize(text, addSpecial: true, parseSpecial: false), managed.EncodeToIds(text, addSpecial: true));
        }
        Assert.Equal(native.VocabSize, managed.VocabularySize);
    }

    [Theory]
    [MemberData(nameof(Vocabularies))]
    public void Ids_match_llama_cpp_on_the_seed_articles(string vocabulary)
    {
        var (managed, native) = pairs.Get(vocabulary);
        foreach (var file in Directory.EnumerateFiles(TestPaths.SeedsFolder).Take(20))
        {
            var text = File.ReadAllText(file);
            Assert.Equal(native.Tokenize(text, addSpecial: false, parseSpecial: false), managed.EncodeToIds(text));
        }
    }

    private static string Escape(string s)
    {
        var sb = new StringBuilder();
        foreach (var c in s)
        {
            if (c < 0x20 || c is >= '\u007F' and <= '\u00A0' || char.IsSurrogate(c) || c > 0x2000) sb.Append($"\\u{(int)c:X4}");
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
