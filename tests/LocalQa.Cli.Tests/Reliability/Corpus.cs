namespace LocalQa.Cli.Tests.Reliability;

/// <summary>Deterministic article folders for the reliability tests.</summary>
internal static class Corpus
{
    private static readonly string[] Words =
        ["harbour", "boat", "lighthouse", "storm", "captain", "net", "fish", "tide", "rope", "sail", "island", "gull", "anchor", "wave", "deck", "keeper"];

    /// <summary>Writes <paramref name="files"/> articles of about <paramref name="sentences"/> sentences each.</summary>
    public static string Write(string folder, int files, int sentences, int seed)
    {
        Directory.CreateDirectory(folder);
        var rng = new Random(seed);
        for (var f = 0; f < files; f++)
        {
            using var w = new StreamWriter(Path.Combine(folder, $"article-{f:D5}.txt"));
            w.WriteLine($"Article number {f} about the sea");
            w.WriteLine();
            for (var s = 0; s < sentences; s++)
            {
                var n = rng.Next(6, 18);
                var sentence = string.Join(' ', Enumerable.Range(0, n).Select(_ => Words[rng.Next(Words.Length)]));
                w.Write(char.ToUpperInvariant(sentence[0]) + sentence[1..] + $" {f}-{s}. ");
                if (s % 8 == 7) w.WriteLine("\n");
            }
        }
        return folder;
    }
}
