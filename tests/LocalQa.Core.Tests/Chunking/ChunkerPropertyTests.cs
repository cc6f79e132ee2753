using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LocalQa.Core.Chunking;
using LocalQa.Core.Documents;
using LocalQa.Core.Text;
using Xunit;

namespace LocalQa.Core.Tests.Chunking;

/// <summary>Properties every chunking must have, on generated documents with headings, abbreviations and over-long words.</summary>
public sealed class ChunkerPropertyTests
{
    private static readonly string[] Words =
    [
        "the", "model", "answers", "questions", "about", "Meta", "LeCun", "research", "in", "2013", "3.5", "Dr.", "U.S.",
        "e.g.", "i.e.", "etc.", "vs.", "No.", "J.", "“quoted”", "(aside)", "AI", "open-source", "über", "naïve", "数据", "—",
        "co-founder", "$14", "49%", "LLaMA", "...", "x", "a", "supercalifragilistic", "Zuckerberg's",
    ];

    public sealed record ChunkingCase(Document Document, ChunkingOptions Options);

    private static Gen<string> WordGen =>
        Gen.Frequency(
            (40, Gen.Elements(Words)),
            (1, Gen.Choose(20, 3000).Select(n => new string('q', n))),
            (1, Gen.Choose(5, 200).Select(n => string.Concat(Enumerable.Repeat("ab\uD83D\uDE00", n)))));

    private static Gen<string> SentenceGen =>
        from words in Gen.Choose(1, 40).SelectMany(n => Gen.ArrayOf(WordGen, n))
        from end in Gen.Elements(".", "!", "?", "…", ".”", "", "?!")
        select string.Join(' ', words) + end;

    private static Gen<(string Text, bool IsHeading)> BlockGen =>
        Gen.Frequency(
            (5, Gen.Choose(1, 6).SelectMany(n => Gen.ArrayOf(SentenceGen, n)).Select(s => (string.Join(' ', s), false))),
            (1, Gen.Choose(1, 6).SelectMany(n => Gen.ArrayOf(Gen.Elements(Words), n)).Select(w => ("Heading " + string.Join(' ', w), true))));

    private static Gen<ChunkingCase> CaseGen =>
        from blocks in Gen.Choose(0, 25).SelectMany(n => Gen.ArrayOf(BlockGen, n))
        from separators in Gen.ArrayOf(Gen.Elements("\n\n", "\n", "\n\n\n  "), blocks.Length)
        from maxTokens in Gen.Choose(16, 300)
        from overlapShare in Gen.Choose(0, 49)
        from headingBreak in Gen.Choose(0, 100)
        select Build(blocks, separators, new ChunkingOptions
        {
            MaxTokens = maxTokens,
            OverlapTokens = maxTokens * overlapShare / 100,
            MinTokensBeforeHeadingBreak = headingBreak,
        });

    private static ChunkingCase Build((string Text, bool IsHeading)[] blocks, string[] separators, ChunkingOptions options)
    {
        var text = new StringBuilder();
        var headings = new List<HeadingSpan>();
        for (var i = 0; i < blocks.Length; i++)
        {
            if (i > 0)
            {
                text.Append(separators[i]);
            }

            if (blocks[i].IsHeading)
            {
                headings.Add(new HeadingSpan(text.Length, blocks[i].Text.Length, 2));
            }

            text.Append(blocks[i].Text);
        }

        var document = new Document("generated.txt", "Generated", text.ToString(), "", text.Length, DateTimeOffset.UnixEpoch) { Headings = headings };
        return new ChunkingCase(document, options);
    }

    [Property(MaxTest = 150)]
    public Property Chunks_are_exact_substrings_in_order_within_budget() =>
        Prop.ForAll(CaseGen.ToArbitrary(), c =>
        {
            var chunks = new Chunker(TokenEstimator.Default, c.Options).Split(c.Document);
            var previousStart = -1;
            for (var i = 0; i < chunks.Count; i++)
            {
                var chunk = chunks[i];
                Assert.Equal(i, chunk.Ordinal);
                Assert.Equal(c.Document.Text.Substring(chunk.Start, chunk.Length), chunk.Text);
                Assert.True(chunk.Start > previousStart, $"Chunk {i} starts at {chunk.Start}, not after {previousStart}.");
                previousStart = chunk.Start;
                var tokens = TokenEstimator.Default.CountTokens(chunk.Text);
                Assert.True(tokens <= c.Options.MaxTokens, $"Chunk {i} has {tokens} tokens, budget {c.Options.MaxTokens}.");
                Assert.Equal(tokens, chunk.TokenCount);
                Assert.False(chunk.Text.Length == 0 || char.IsWhiteSpace(chunk.Text[0]) || char.IsWhiteSpace(chunk.Text[^1]), $"Chunk {i} is not trimmed.");
            }
        });

    [Property(MaxTest = 150)]
    public Property Every_non_whitespace_character_is_in_some_chunk() =>
        Prop.ForAll(CaseGen.ToArbitrary(), c =>
        {
            var text = c.Document.Text;
            var chunks = new Chunker(TokenEstimator.Default, c.Options).Split(c.Document);
            var covered = new bool[text.Length];
            foreach (var chunk in chunks)
            {
                Array.Fill(covered, true, chunk.Start, chunk.Length);
            }

            for (var i = 0; i < text.Length; i++)
            {
                Assert.True(covered[i] || char.IsWhiteSpace(text[i]), $"Character {i} ('{text[i]}') is in no chunk.");
            }
        });

    [Property(MaxTest = 150)]
    public Property No_sentence_within_budget_is_cut() =>
        Prop.ForAll(CaseGen.ToArbitrary(), c =>
        {
            var text = c.Document.Text;
            var chunks = new Chunker(TokenEstimator.Default, c.Options).Split(c.Document);
            var boundaries = new HashSet<int>();
            foreach (var chunk in chunks)
            {
                boundaries.Add(chunk.Start);
                boundaries.Add(chunk.Start + chunk.Length);
            }

            foreach (var sentence in SentenceSplitter.Split(text))
            {
                if (TokenEstimator.Default.CountTokens(sentence.In(text)) > c.Options.MaxTokens)
                {
                    continue;
                }

                for (var b = sentence.Start + 1; b < sentence.End; b++)
                {
                    Assert.False(boundaries.Contains(b), $"A chunk boundary at {b} cuts the sentence at {sentence.Start}: {text.Substring(sentence.Start, Math.Min(sentence.Length, 80))}");
                }
            }
        });

    [Property(MaxTest = 150)]
    public Property Chunks_name_the_heading_they_sit_under() =>
        Prop.ForAll(CaseGen.ToArbitrary(), c =>
        {
            foreach (var chunk in new Chunker(TokenEstimator.Default, c.Options).Split(c.Document))
            {
                Assert.Equal(c.Document.HeadingAt(chunk.Start), chunk.Heading);
            }
        });

    [Property(MaxTest = 300)]
    public Property Sentence_spans_are_trimmed_ordered_and_cover_every_non_whitespace_character() =>
        Prop.ForAll(CaseGen.ToArbitrary(), c =>
        {
            var text = c.Document.Text;
            var covered = new bool[text.Length];
            var previousEnd = 0;
            foreach (var span in SentenceSplitter.Enumerate(text))
            {
                Assert.True(span.Length > 0);
                Assert.True(span.Start >= previousEnd, "Sentences overlap or go back.");
                Assert.False(char.IsWhiteSpace(text[span.Start]) || char.IsWhiteSpace(text[span.End - 1]), "A sentence is not trimmed.");
                Assert.DoesNotContain('\n', text.Substring(span.Start, span.Length));
                Array.Fill(covered, true, span.Start, span.Length);
                previousEnd = span.End;
            }

            for (var i = 0; i < text.Length; i++)
            {
                Assert.True(covered[i] || char.IsWhiteSpace(text[i]), $"Character {i} is in no sentence.");
            }
        });
}
