using LocalQa.Core.Index;
using LocalQa.Core.Retrieval;
using Xunit;

namespace LocalQa.Core.Tests.Retrieval;

public sealed class RetrieverTests : IDisposable
{
    private const string Model = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private readonly TempFolder _folder = new();
    private readonly LocalQaIndex _index;

    public RetrieverTests() => _index = LocalQaIndex.Open(_folder.IndexPath);

    public void Dispose()
    {
        _index.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public void Full_text_search_ranks_the_passage_that_matches_the_question()
    {
        Upsert("/news/original.txt", Stories.Original);
        Upsert("/news/tram.txt", Stories.Unrelated);

        var passages = new Retriever(_index).Search("How long will the new tram line be?", 3);

        Assert.NotEmpty(passages);
        var best = passages[0];
        Assert.Equal(1, best.Rank);
        Assert.Equal("/news/tram.txt", best.DocumentPath);
        Assert.Equal("City council approves new tram line to the airport", best.Title);
        Assert.Contains("eleven kilometres", best.Text, StringComparison.Ordinal);
        Assert.NotNull(best.Bm25Score);
        Assert.Null(best.DenseScore);
        Assert.Equal(Enumerable.Range(1, passages.Count), passages.Select(p => p.Rank));
        Assert.True(passages.Zip(passages.Skip(1)).All(pair => pair.First.Score >= pair.Second.Score));
    }

    [Fact]
    public void The_same_paragraph_from_two_copies_of_a_story_is_shown_once()
    {
        Upsert("/news/original.txt", Stories.Original);
        Upsert("/news/copy.txt", Stories.SyndicatedCopy);
        Upsert("/news/tram.txt", Stories.Unrelated);

        var passages = new Retriever(_index).Search("white fleece on the glacier to reflect sunlight", 5);

        Assert.Single(passages, p => p.Text.Contains("white fleece", StringComparison.Ordinal));
        Assert.Equal(passages.Count, passages.Select(p => p.Text).Distinct().Count());

        var withDuplicates = new Retriever(_index, options: new RetrieverOptions { CollapseNearDuplicates = false })
            .Search("white fleece on the glacier to reflect sunlight", 5);
        Assert.Equal(2, withDuplicates.Count(p => p.Text.Contains("white fleece", StringComparison.Ordinal)));
    }

    [Fact]
    public void Dense_search_finds_a_passage_that_shares_no_word_with_the_question()
    {
        var glacier = Upsert("/news/original.txt", Stories.Original, dimensions: 3, vectorFor: text => text.Contains("fleece", StringComparison.Ordinal) ? [0, 0, 1] : [1, 0, 0]);
        Upsert("/news/tram.txt", Stories.Unrelated, dimensions: 3, vectorFor: _ => [0, 1, 0]);
        var vectors = VectorStore.Load(_index, Model);
        var retriever = new Retriever(_index, vectors);

        var passages = retriever.Search("protective blankets", 2, queryVector: [0, 0.1f, 1]);

        var best = passages[0];
        Assert.Equal("/news/original.txt", best.DocumentPath);
        Assert.Contains("white fleece", best.Text, StringComparison.Ordinal);
        Assert.Null(best.Bm25Score);
        Assert.NotNull(best.DenseScore);
        Assert.Contains(glacier.ChunkIds, id => id == best.ChunkId);
        Assert.Empty(new Retriever(_index, vectors).Search("protective blankets", 2));
    }

    [Fact]
    public void A_chunk_found_by_both_searches_beats_one_found_by_either()
    {
        Upsert("/news/original.txt", Stories.Original, dimensions: 2, vectorFor: text => text.Contains("1878", StringComparison.Ordinal) ? [1, 0] : [0.8f, 0.6f]);
        var retriever = new Retriever(_index, VectorStore.Load(_index, Model));

        var passages = retriever.Search("measurements since 1878", 3, queryVector: [1, 0]);

        Assert.Contains("1878", passages[0].Text, StringComparison.Ordinal);
        Assert.NotNull(passages[0].Bm25Score);
        Assert.Equal(1f, passages[0].DenseScore!.Value, 1e-6);
        Assert.Equal(2.0 / 61, passages[0].Score, 12);
    }

    [Fact]
    public void Neighbour_expansion_adds_the_chunks_before_and_after()
    {
        const string text = "Alpha paragraph about moss.\n\nBeta paragraph about lichen.\n\nGamma paragraph about ferns.\n\nDelta paragraph about algae.";
        _index.UpsertDocument(IndexTestData.MakeDocument("/plants.txt", text), IndexTestData.ParagraphChunks(text, 1));
        var retriever = new Retriever(_index, options: new RetrieverOptions { NeighbourChunks = 1 });

        var passage = Assert.Single(retriever.Search("lichen", 1));

        Assert.Equal(1, passage.Ordinal);
        Assert.Equal((0, 2), (passage.FirstOrdinal, passage.LastOrdinal));
        Assert.Equal("Alpha paragraph about moss.\nBeta paragraph about lichen.\nGamma paragraph about ferns.", passage.Text);
    }

    [Fact]
    public void Overlapping_neighbours_are_joined_without_repeating_text()
    {
        const string text = "one two three four five six";
        StoredChunk[] chunks =
        [
            new(1, 1, 0, 0, 13, null, 3, text[..13]),
            new(2, 1, 1, 8, 15, null, 3, text[8..23]),
            new(3, 1, 2, 19, 8, null, 2, text[19..]),
        ];

        Assert.Equal("one two three four five six", Retriever.JoinByOffsets(chunks));
    }

    [Fact]
    public void A_question_of_stop_words_only_finds_nothing()
    {
        Upsert("/news/original.txt", Stories.Original);

        Assert.Empty(new Retriever(_index).Search("What is it about?", 5));
        Assert.Empty(new Retriever(_index).Search("glacier", 0));
    }

    [Fact]
    public void A_query_vector_without_a_vector_store_is_a_mistake()
    {
        Assert.Throws<ArgumentException>(() => new Retriever(_index).Search("glacier", 5, queryVector: [1f]));
    }

    private UpsertResult Upsert(string path, string text, int dimensions = 0, Func<string, float[]>? vectorFor = null)
    {
        var chunks = IndexTestData.ParagraphChunks(text, 30);
        var embeddings = vectorFor is null ? null : new ChunkEmbeddings(Model, dimensions, chunks.Select(c => vectorFor(c.Text)).ToList());
        return _index.UpsertDocument(IndexTestData.MakeDocument(path, text), chunks, embeddings);
    }
}
