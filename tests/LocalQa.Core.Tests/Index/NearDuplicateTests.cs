using LocalQa.Core.Index;
using Xunit;

namespace LocalQa.Core.Tests.Index;

public sealed class NearDuplicateTests
{
    [Fact]
    public void A_syndicated_copy_joins_the_group_of_the_original()
    {
        using var folder = new TempFolder();
        using var index = LocalQaIndex.Open(folder.IndexPath);

        var original = Upsert(index, "/news/original.txt", Stories.Original);
        var unrelated = Upsert(index, "/news/tram.txt", Stories.Unrelated);
        var copy = Upsert(index, "/news/copy.txt", Stories.SyndicatedCopy);

        Assert.Equal(original.DocumentId, original.DuplicateGroup);
        Assert.Equal(original.DocumentId, copy.DuplicateGroup);
        Assert.Equal(unrelated.DocumentId, unrelated.DuplicateGroup);
        Assert.Equal(3, index.ListDocuments().Count);
    }

    [Fact]
    public void A_text_not_in_the_index_finds_the_documents_it_copies_and_nothing_else()
    {
        using var folder = new TempFolder();
        using var index = LocalQaIndex.Open(folder.IndexPath);
        Upsert(index, "/news/original.txt", Stories.Original);
        Upsert(index, "/news/tram.txt", Stories.Unrelated);

        var copies = index.FindNearCopies(Stories.SyndicatedCopy);

        var found = Assert.Single(copies);
        Assert.Equal("/news/original.txt", found.Path);
        Assert.InRange(found.Similarity, NearDuplicateDetector.Threshold, 1.0);
        Assert.Equal(1.0, index.FindNearCopies(Stories.Unrelated).Single().Similarity);
        Assert.Empty(index.FindNearCopies("Nothing in the library resembles this short line about a green kettle on a stove."));
        Assert.Empty(index.FindNearCopies(""));
        Assert.Equal(2, index.ListDocuments().Count);
    }

    [Fact]
    public void Replacing_a_copy_with_other_text_takes_it_out_of_the_group()
    {
        using var folder = new TempFolder();
        using var index = LocalQaIndex.Open(folder.IndexPath);
        var original = Upsert(index, "/news/original.txt", Stories.Original);
        var copy = Upsert(index, "/news/copy.txt", Stories.SyndicatedCopy);
        Assert.Equal(original.DuplicateGroup, copy.DuplicateGroup);

        var rewritten = Upsert(index, "/news/copy.txt", Stories.Unrelated);

        Assert.Equal(copy.DocumentId, rewritten.DocumentId);
        Assert.Equal(rewritten.DocumentId, rewritten.DuplicateGroup);
        Assert.Equal(0, index.Stats().DuplicateGroups);
    }

    [Fact]
    public void Replacing_the_first_document_of_a_group_leaves_the_copies_together_without_it()
    {
        using var folder = new TempFolder();
        using var index = LocalQaIndex.Open(folder.IndexPath);
        var original = Upsert(index, "/news/original.txt", Stories.Original);
        var copy = Upsert(index, "/news/copy.txt", Stories.SyndicatedCopy);
        var secondCopy = Upsert(index, "/news/copy2.txt", Stories.SyndicatedCopy + "\n\nShare this story.");
        Assert.Equal([original.DocumentId], new[] { original, copy, secondCopy }.Select(r => r.DuplicateGroup).Distinct());

        var rewritten = Upsert(index, "/news/original.txt", Stories.Unrelated);

        var groups = index.ListDocuments().ToDictionary(d => d.Path, d => d.DuplicateGroup);
        Assert.Equal(original.DocumentId, rewritten.DuplicateGroup);
        Assert.Equal(copy.DocumentId, groups["/news/copy.txt"]);
        Assert.Equal(copy.DocumentId, groups["/news/copy2.txt"]);
        Assert.Equal(1, index.Stats().DuplicateGroups);

        var restored = Upsert(index, "/news/original.txt", Stories.Original);

        Assert.Equal(original.DocumentId, restored.DuplicateGroup);
        Assert.Equal([original.DocumentId], index.ListDocuments().Select(d => d.DuplicateGroup).Distinct());
    }

    [Fact]
    public void A_removed_documents_id_is_never_given_to_a_new_one()
    {
        using var folder = new TempFolder();
        using var index = LocalQaIndex.Open(folder.IndexPath);
        Upsert(index, "/news/original.txt", Stories.Original);
        var copy = Upsert(index, "/news/copy.txt", Stories.SyndicatedCopy);
        index.RemoveDocument("/news/copy.txt");

        var next = Upsert(index, "/news/tram.txt", Stories.Unrelated);

        Assert.True(next.DocumentId > copy.DocumentId);
        Assert.True(next.ChunkIds.Min() > copy.ChunkIds.Max());
    }

    [Fact]
    public void Groups_merge_when_a_document_copies_two_groups()
    {
        using var folder = new TempFolder();
        using var index = LocalQaIndex.Open(folder.IndexPath);
        var random = new Random(11);
        var parts = Enumerable.Range(0, 3)
            .Select(_ => string.Join(' ', Enumerable.Range(0, 120).Select(_ => "w" + random.Next(5000).ToString(System.Globalization.CultureInfo.InvariantCulture))))
            .ToArray();

        // Parts 1+2 and 2+3 overlap by a third only; all three parts overlap each pair by two thirds.
        var first = Upsert(index, "/first.txt", parts[0] + "\n\n" + parts[1]);
        var second = Upsert(index, "/second.txt", parts[1] + "\n\n" + parts[2]);
        Assert.NotEqual(first.DuplicateGroup, second.DuplicateGroup);

        var whole = Upsert(index, "/whole.txt", string.Join("\n\n", parts));

        Assert.Equal(first.DocumentId, whole.DuplicateGroup);
        Assert.Equal([first.DocumentId], index.ListDocuments().Select(d => d.DuplicateGroup).Distinct());
        Assert.Equal(1, index.Stats().DuplicateGroups);
    }

    /// <summary>
    /// The five seed articles are five different texts. Seeds 000 and 001 report the same event
    /// (LeCun leaving Meta) but are written independently: they share about 0.1% of their word
    /// 5-grams, less than 000 and 003 share. Shingling finds copies, not retellings.
    /// </summary>
    [Fact]
    public void The_seed_articles_are_not_copies_of_each_other()
    {
        using var folder = new TempFolder();
        using var index = LocalQaIndex.Open(folder.IndexPath);
        var files = IndexTestData.SeedFiles();
        Assert.Equal(5, files.Count);

        var groups = files
            .Select(IndexTestData.LoadSeed)
            .Select(d => index.UpsertDocument(d, IndexTestData.ParagraphChunks(d.Text)).DuplicateGroup)
            .ToList();

        Assert.Equal(5, groups.Distinct().Count());
        var seed000 = NearDuplicateDetector.ComputeSignature(File.ReadAllText(files[0]))!;
        var seed001 = NearDuplicateDetector.ComputeSignature(File.ReadAllText(files[1]))!;
        Assert.True(NearDuplicateDetector.EstimateSimilarity(seed000, seed001) < 0.05);
    }

    [Fact]
    public void The_vectorized_signature_update_computes_the_scalar_definition()
    {
        var rng = new Random(11);
        var signature = new ulong[NearDuplicateDetector.SignatureLength];
        var expected = new ulong[NearDuplicateDetector.SignatureLength];
        signature.AsSpan().Fill(ulong.MaxValue);
        expected.AsSpan().Fill(ulong.MaxValue);
        for (var n = 0; n < 1_000; n++)
        {
            var shingle = (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 40);
            NearDuplicateDetector.Update(signature, shingle);
            for (var i = 0; i < expected.Length; i++)
                expected[i] = Math.Min(expected[i], TextShingles.Mix(shingle ^ NearDuplicateDetector.Seeds[i]));
        }

        Assert.Equal(expected, signature);
    }

    [Fact]
    public void A_seed_article_saved_again_with_site_chrome_is_grouped_with_it()
    {
        using var folder = new TempFolder();
        using var index = LocalQaIndex.Open(folder.IndexPath);
        var seeds = IndexTestData.SeedFiles().Select(IndexTestData.LoadSeed).ToList();
        var results = seeds.Select(d => index.UpsertDocument(d, IndexTestData.ParagraphChunks(d.Text))).ToList();
        var text = "Menu | Tech | AI | Sign in\n\n" + seeds[2].Text.Replace("staggering", "enormous", StringComparison.Ordinal)
            + "\n\nRead more: the week in AI. Share this article. Comments are closed.";

        var resaved = index.UpsertDocument(IndexTestData.MakeDocument("/saved/fair.html", text), IndexTestData.ParagraphChunks(text));

        Assert.Equal(results[2].DuplicateGroup, resaved.DuplicateGroup);
        Assert.Equal(1, index.Stats().DuplicateGroups);
    }

    [Fact]
    public void The_minhash_estimate_follows_the_exact_jaccard_similarity()
    {
        var random = new Random(7);
        var words = Enumerable.Range(0, 400).Select(i => "w" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        for (var trial = 0; trial < 20; trial++)
        {
            var a = Enumerable.Range(0, 300).Select(_ => words[random.Next(words.Length)]).ToList();
            var b = a.ToList();
            var edits = random.Next(0, 60);
            for (var e = 0; e < edits; e++)
            {
                b[random.Next(b.Count)] = words[random.Next(words.Length)];
            }

            var textA = string.Join(' ', a);
            var textB = string.Join(' ', b);
            var exact = TextShingles.Jaccard(
                TextShingles.ShingleSet(textA, NearDuplicateDetector.WordsPerShingle),
                TextShingles.ShingleSet(textB, NearDuplicateDetector.WordsPerShingle));
            var estimate = NearDuplicateDetector.EstimateSimilarity(
                NearDuplicateDetector.ComputeSignature(textA)!,
                NearDuplicateDetector.ComputeSignature(textB)!);

            Assert.InRange(estimate, exact - 0.15, exact + 0.15);
        }
    }

    [Fact]
    public void Text_without_words_has_no_signature_and_stays_alone()
    {
        using var folder = new TempFolder();
        using var index = LocalQaIndex.Open(folder.IndexPath);

        Assert.Null(NearDuplicateDetector.ComputeSignature(" -- !! -- "));
        var first = index.UpsertDocument(IndexTestData.MakeDocument("/e1.txt", "   "), []);
        var second = index.UpsertDocument(IndexTestData.MakeDocument("/e2.txt", "   "), []);

        Assert.NotEqual(first.DuplicateGroup, second.DuplicateGroup);
    }

    private static UpsertResult Upsert(LocalQaIndex index, string path, string text) =>
        index.UpsertDocument(IndexTestData.MakeDocument(path, text), IndexTestData.ParagraphChunks(text, 60));
}
