using LocalQa.Core.Documents;

namespace LocalQa.Core.Tests.Summarizing;

/// <summary>Articles longer than a summarizing context, generated the same way each run, for map-reduce tests.</summary>
internal static class LongArticles
{
    /// <summary>"The Long Voyage": <paramref name="sentences"/> sentences of sea words, a paragraph every ten.</summary>
    public static Document Voyage(int sentences)
    {
        var rng = new Random(5);
        string[] words = ["the", "harbour", "boat", "storm", "captain", "sails", "north", "island", "lighthouse", "keeper", "wrote", "about", "tides", "and", "nets"];
        var sb = new System.Text.StringBuilder("The Long Voyage\n\n");
        for (var s = 0; s < sentences; s++)
        {
            var n = rng.Next(8, 16);
            var sentence = string.Join(' ', Enumerable.Range(0, n).Select(_ => words[rng.Next(words.Length)]));
            sb.Append(char.ToUpperInvariant(sentence[0])).Append(sentence.AsSpan(1)).Append(". ");
            if (s % 10 == 9) sb.Append("\n\n");
        }
        return DocumentLoader.LoadText(sb.ToString(), "long-voyage.txt").Document!;
    }
}
