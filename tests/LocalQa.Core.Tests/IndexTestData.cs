using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LocalQa.Core.Chunking;
using LocalQa.Core.Documents;
using LocalQa.Core.Index;
using LocalQa.Core.Ingest;
using LocalQa.Core.Prompts;

namespace LocalQa.Core.Tests;

/// <summary>Test inputs for the index and retrieval tests: documents, a trivial chunker, temporary index files, the seeds and eval questions.</summary>
internal static class IndexTestData
{
    public static string RepoRoot => TestPaths.RepoRoot;

    public static string SeedsFolder => TestPaths.SeedsFolder;

    public static string SharedFolder => TestPaths.SharedFolder;

    public static string EvalQuestionsPath => Path.Combine(SharedFolder, "eval", "questions.jsonl");

    /// <summary>The repository's prompts, as the command line loads them.</summary>
    public static PromptLibrary Prompts() => PromptLibrary.Load(Path.Combine(RepoRoot, "prompts"));

    /// <summary>A new index at <paramref name="path"/> with the bundled articles ingested lexically (the default chunker, no vectors).</summary>
    public static async Task<LocalQaIndex> SeededIndexAsync(string path)
    {
        var index = LocalQaIndex.Open(path);
        await new Ingestor(index, new Chunker()).IngestAsync([SeedsFolder]);
        return index;
    }

    public static Document MakeDocument(string path, string text, string? title = null, DateTimeOffset? modified = null)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return new Document(
            path,
            title ?? FirstLine(text),
            text,
            Convert.ToHexStringLower(SHA256.HashData(bytes)),
            bytes.Length,
            modified ?? new DateTimeOffset(2025, 11, 20, 8, 30, 0, TimeSpan.Zero));
    }

    /// <summary>
    /// Stand-in for the real chunker: whole lines (paragraphs, or sentences in one-sentence-a-line
    /// articles) gathered until a chunk reaches about <paramref name="targetWords"/> words.
    /// </summary>
    public static IReadOnlyList<Chunk> ParagraphChunks(string text, int targetWords = 200)
    {
        var chunks = new List<Chunk>();
        int? chunkStart = null;
        var chunkEnd = 0;
        var words = 0;
        var position = 0;
        while (position < text.Length)
        {
            var lineEnd = text.IndexOf('\n', position);
            if (lineEnd < 0)
            {
                lineEnd = text.Length;
            }

            var line = text.AsSpan(position, lineEnd - position);
            var trimmed = line.Trim();
            if (!trimmed.IsEmpty)
            {
                var start = position + (line.Length - line.TrimStart().Length);
                chunkStart ??= start;
                chunkEnd = start + trimmed.Length;
                words += global::LocalQa.Core.Text.Words.Count(trimmed);
                if (words >= targetWords)
                {
                    Close();
                }
            }

            position = lineEnd + 1;
        }

        Close();
        return chunks;

        void Close()
        {
            if (chunkStart is int s)
            {
                var chunkText = text[s..chunkEnd];
                chunks.Add(new Chunk(chunks.Count, s, chunkEnd - s, chunkText, null, global::LocalQa.Core.Text.Words.Count(chunkText)));
            }

            chunkStart = null;
            words = 0;
        }
    }

    public static IReadOnlyList<string> SeedFiles() =>
        Directory.GetFiles(SeedsFolder, "*.txt").Order(StringComparer.Ordinal).ToList();

    public static Document LoadSeed(string file) => MakeDocument(Path.GetFullPath(file), File.ReadAllText(file));

    public static IReadOnlyList<EvalQuestion> LoadEvalQuestions()
    {
        var questions = new List<EvalQuestion>();
        foreach (var line in File.ReadLines(EvalQuestionsPath))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            questions.Add(new EvalQuestion(
                root.GetProperty("id").GetString()!,
                root.GetProperty("question").GetString()!,
                root.GetProperty("sources").EnumerateArray().Select(s => s.GetString()!).ToList(),
                root.GetProperty("unanswerable").GetBoolean()));
        }

        return questions;
    }

    private static string FirstLine(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                return line.Trim();
            }
        }

        return "";
    }

}

internal sealed record EvalQuestion(string Id, string Question, IReadOnlyList<string> Sources, bool Unanswerable);
