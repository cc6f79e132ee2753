using System.Globalization;
using System.Text;

using LocalQa.Core;

namespace LocalQa.Bench;

/// <summary>A generated article: Markdown with a title, section headings and paragraphs.</summary>
/// <param name="Topics">The rare words the article is about; questions about it use them.</param>
public sealed record SyntheticArticle(string FileName, string Title, string Text, IReadOnlyList<string> Topics);

/// <summary>
/// Deterministic English-like articles for ingest and retrieval benchmarks: function words and common
/// words in Zipf proportions, plus invented topic words (a few per article, some shared by many
/// articles) so BM25 has rare and common terms to rank, as in a real news library. Article
/// <c>i</c> of a seed is always the same text, whatever else was generated. Thread-safe.
/// </summary>
public sealed class SyntheticCorpus
{
    private static readonly string[] CommonWords =
    [
        "the", "of", "and", "to", "a", "in", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on",
        "not", "he", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "had", "they",
        "you", "were", "their", "one", "all", "we", "can", "her", "has", "there", "been", "if", "more", "when",
        "will", "would", "who", "so", "no", "said", "year", "people", "new", "also", "time", "two", "first",
        "after", "city", "government", "company", "market", "report", "research", "water", "energy", "school",
        "health", "price", "police", "court", "team", "season", "minister", "council", "plan", "project",
        "week", "month", "percent", "million", "country", "state", "region", "officials", "data", "system",
        "program", "study", "found", "according", "under", "over", "between", "during", "while", "since",
        "because", "about", "against", "into", "through", "local", "national", "public", "billion",
        "growth", "support", "policy", "service", "workers", "students", "families", "river", "bridge", "road",
        "election", "vote", "budget", "tax", "bank", "rates", "prices", "trade", "industry", "farmers", "weather",
        "storm", "coast", "museum", "music", "film", "science", "climate", "hospital", "doctors", "patients",
        "technology", "software", "network", "security", "agreement", "talks", "leaders", "announced", "expected",
        "increase", "decline", "record", "early", "late", "last", "next", "major", "small", "large", "long",
    ];

    private static readonly string[] Onsets = ["b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br", "cr", "dr", "fl", "gr", "pl", "st", "tr", "sh", "ch", "th", "qu"];
    private static readonly string[] Vowels = ["a", "e", "i", "o", "u", "ai", "ea", "io", "ou", "ei"];
    private static readonly string[] Codas = ["", "", "n", "r", "l", "s", "th", "m", "x", "nd", "st", "rk"];

    private const int LexiconSize = 6000;
    private readonly ulong _seed;
    private readonly string[] _lexicon;
    private readonly double[] _commonCumulative;

    public SyntheticCorpus(int seed = 1)
    {
        _seed = (ulong)(uint)seed;
        _lexicon = BuildLexicon(Mix(_seed, 0xC0DE));
        // Zipf weights 1/rank over the common words: "the" dominates, as in English.
        _commonCumulative = new double[CommonWords.Length];
        var sum = 0.0;
        for (var i = 0; i < CommonWords.Length; i++)
        {
            sum += 1.0 / (i + 1);
            _commonCumulative[i] = sum;
        }
        for (var i = 0; i < _commonCumulative.Length; i++) _commonCumulative[i] /= sum;
    }

    /// <summary>Article <paramref name="index"/>: about 350 to 900 words in 3 to 5 sections.</summary>
    public SyntheticArticle Article(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var rng = new Rng(Mix(_seed, (ulong)index + 1));
        var topics = Topics(ref rng);
        var title = Capitalize(string.Join(' ', topics[0], Common(ref rng), topics[1], Common(ref rng), topics[2]));
        var text = new StringBuilder();
        text.Append("# ").Append(title).Append("\n\n");
        var target = 350 + rng.Next(551);
        var sections = 3 + rng.Next(3);
        for (var s = 0; s < sections; s++)
        {
            if (s > 0) text.Append("## ").Append(Capitalize(topics[rng.Next(topics.Length)] + " " + Common(ref rng))).Append("\n\n");
            var words = 0;
            do
            {
                words += AppendParagraph(text, ref rng, topics);
                text.Append("\n\n");
            }
            while (words < target / sections);
        }
        return new SyntheticArticle($"article-{index:D5}.md", title, text.ToString(), topics);
    }

    /// <summary>A question about article <paramref name="articleIndex"/>, in the words a reader would use.</summary>
    public string Question(int articleIndex, int variant = 0)
    {
        var article = Article(articleIndex);
        var rng = new Rng(Mix(_seed ^ 0x5EED, ((ulong)articleIndex << 20) + (ulong)variant));
        var t = article.Topics;
        return rng.Next(3) switch
        {
            0 => $"What did the {Common(ref rng)} say about {t[rng.Next(t.Count)]} and {t[rng.Next(t.Count)]}?",
            1 => $"Why is {t[rng.Next(t.Count)]} important for the {Common(ref rng)} {t[rng.Next(t.Count)]}?",
            _ => $"How did {t[rng.Next(t.Count)]} change the {Common(ref rng)} in {1990 + rng.Next(35)}?",
        };
    }

    /// <summary>A paragraph of about <paramref name="words"/> words on the topics of article <paramref name="index"/>.</summary>
    public string Passage(int index, int words)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(words, 1);
        var rng = new Rng(Mix(_seed ^ 0xFACE, (ulong)index + 1));
        var topics = Topics(ref rng);
        var text = new StringBuilder();
        var count = 0;
        while (count < words)
        {
            if (text.Length > 0) text.Append(' ');
            count += AppendSentence(text, ref rng, topics);
        }
        return text.ToString();
    }

    /// <summary>Writes articles 0..count-1 as Markdown files into <paramref name="folder"/>; returns their paths.</summary>
    public IReadOnlyList<string> WriteArticles(string folder, int count)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Directory.CreateDirectory(folder);
        var paths = new string[count];
        Parallel.For(0, count, i =>
        {
            var article = Article(i);
            var path = Path.Combine(folder, article.FileName);
            File.WriteAllText(path, article.Text);
            paths[i] = path;
        });
        return paths;
    }

    private string[] Topics(ref Rng rng)
    {
        // Squaring a uniform number favours the start of the lexicon: early words are topics of
        // many articles (common terms), late ones of a few (rare terms).
        var topics = new string[6 + rng.Next(5)];
        for (var i = 0; i < topics.Length; i++)
        {
            var u = rng.NextDouble();
            topics[i] = _lexicon[(int)(u * u * _lexicon.Length)];
        }
        return topics;
    }

    private int AppendParagraph(StringBuilder text, ref Rng rng, string[] topics)
    {
        var sentences = 3 + rng.Next(5);
        var words = 0;
        for (var i = 0; i < sentences; i++)
        {
            if (i > 0) text.Append(' ');
            words += AppendSentence(text, ref rng, topics);
        }
        return words;
    }

    private int AppendSentence(StringBuilder text, ref Rng rng, string[] topics)
    {
        var length = 8 + rng.Next(15);
        for (var i = 0; i < length; i++)
        {
            var roll = rng.Next(100);
            var word = roll switch
            {
                < 74 => Common(ref rng),
                < 92 => topics[rng.Next(topics.Length)],
                < 97 => _lexicon[rng.Next(_lexicon.Length)],
                _ => (1950 + rng.Next(75)).ToString(CultureInfo.InvariantCulture),
            };
            if (i == 0)
            {
                text.Append(char.ToUpperInvariant(word[0])).Append(word, 1, word.Length - 1);
            }
            else
            {
                text.Append(' ').Append(word);
                if (i < length - 2 && rng.Next(12) == 0) text.Append(',');
            }
        }
        text.Append(rng.Next(15) == 0 ? '?' : '.');
        return length;
    }

    private string Common(ref Rng rng)
    {
        var u = rng.NextDouble();
        var i = Array.BinarySearch(_commonCumulative, u);
        if (i < 0) i = ~i;
        return CommonWords[Math.Min(i, CommonWords.Length - 1)];
    }

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static string[] BuildLexicon(ulong seed)
    {
        var rng = new Rng(seed);
        var common = new HashSet<string>(CommonWords, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var words = new List<string>(LexiconSize);
        var sb = new StringBuilder();
        while (words.Count < LexiconSize)
        {
            sb.Clear();
            var syllables = 2 + rng.Next(2);
            for (var s = 0; s < syllables; s++)
            {
                sb.Append(Onsets[rng.Next(Onsets.Length)]).Append(Vowels[rng.Next(Vowels.Length)]);
                if (s == syllables - 1 || rng.Next(3) == 0) sb.Append(Codas[rng.Next(Codas.Length)]);
            }
            var word = sb.ToString();
            if (!common.Contains(word) && seen.Add(word)) words.Add(word);
        }
        return [.. words];
    }

    // splitmix64 of a combination: independent, reproducible streams per article.
    private static ulong Mix(ulong seed, ulong index)
    {
        var z = seed + ((index + 1) * 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>xorshift64*: deterministic across runtimes, unlike <see cref="Random"/> with a seed.</summary>
    private struct Rng(ulong seed)
    {
        private ulong _state = seed == 0 ? 0x9E3779B97F4A7C15UL : seed;

        public ulong NextULong()
        {
            _state ^= _state >> 12;
            _state ^= _state << 25;
            _state ^= _state >> 27;
            return _state * 0x2545F4914F6CDD1DUL;
        }

        public int Next(int bound) => (int)((NextULong() >> 33) % (ulong)bound);

        public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));
    }
}
