using LocalQa.Bench;
using LocalQa.Core.Chunking;
using LocalQa.Core.Documents;
using LocalQa.Core.Index;
using LocalQa.Core.Retrieval;

namespace LocalQa.Core.Tests.Bench;

public sealed class SyntheticCorpusTests
{
    [Fact]
    public void An_article_is_the_same_text_whatever_was_generated_before()
    {
        var a = new SyntheticCorpus(seed: 3);
        var b = new SyntheticCorpus(seed: 3);
        _ = b.Article(0);

        Assert.Equal(a.Article(5).Text, b.Article(5).Text);
        Assert.Equal(a.Article(5).Topics, b.Article(5).Topics);
        Assert.NotEqual(a.Article(5).Text, a.Article(6).Text);
        Assert.NotEqual(a.Article(5).Text, new SyntheticCorpus(seed: 4).Article(5).Text);
    }

    [Fact]
    public void Articles_are_markdown_with_a_title_sections_and_a_few_hundred_words()
    {
        var corpus = new SyntheticCorpus();
        for (var i = 0; i < 20; i++)
        {
            var article = corpus.Article(i);
            var words = article.Text.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Length;

            Assert.StartsWith("# " + article.Title + "\n", article.Text, StringComparison.Ordinal);
            Assert.Contains("\n## ", article.Text, StringComparison.Ordinal);
            Assert.InRange(words, 300, 1300);
        }
    }

    [Fact]
    public void Questions_find_chunks_by_bm25_in_an_index_of_the_articles()
    {
        var corpus = new SyntheticCorpus();
        var dir = Directory.CreateTempSubdirectory("localqa-corpus-").FullName;
        try
        {
            var files = corpus.WriteArticles(Path.Combine(dir, "articles"), 10);
            using var index = LocalQaIndex.Open(Path.Combine(dir, "index.db"));
            var chunker = new Chunker();
            foreach (var file in files)
            {
                var document = DocumentLoader.Load(file).Document!;
                index.UpsertDocument(document, chunker.Split(document));
            }

            var questions = RetrievalBench.Questions(corpus, 10, 30);
            var found = 0;
            for (var i = 0; i < questions.Count; i++)
            {
                var hits = Retriever.SearchFullText(index, questions[i], 10);
                Assert.NotEmpty(hits);
                var asked = corpus.Article((int)((long)i * 7919 % 10)).FileName;
                if (hits.Any(h => h.Chunk.DocumentPath.EndsWith(asked, StringComparison.Ordinal))) found++;
            }

            // Questions use the article's topic words, so its chunks rank high: the load is a real search.
            Assert.True(found >= questions.Count * 2 / 3, $"{found} of {questions.Count} questions found their article");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Passages_have_about_the_asked_number_of_words()
    {
        var passage = new SyntheticCorpus().Passage(2, 50);
        var words = passage.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

        Assert.InRange(words, 50, 50 + 22);
    }
}
