using LocalQa.Core.Text;

namespace LocalQa.Core.Tests.Text;

public sealed class EnglishTextTests
{
    [Theory]
    [InlineData("released", "releas")]
    [InlineData("releases", "releas")]
    [InlineData("release", "releas")]
    [InlineData("studies", "study")]
    [InlineData("classes", "class")]
    [InlineData("planned", "plan")]
    [InlineData("running", "run")]
    [InlineData("falling", "fall")]
    [InlineData("university", "university")]
    [InlineData("3.11", "3.11")]
    [InlineData("bus", "bus")]
    public void The_one_stemmer_meets_inflections_and_keeps_words_apart(string word, string stem)
    {
        Assert.Equal(stem, EnglishStemmer.Stem(word));
        Span<char> buffer = word.ToCharArray();
        Assert.Equal(stem, buffer[..EnglishStemmer.Stem(buffer)].ToString());
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("  one  two\tthree\n", 3)]
    [InlineData("Python 3.11 is between 10-60% faster \u2026", 7)]
    public void The_one_word_counter_counts_what_a_reader_sees(string text, int words) => Assert.Equal(words, Words.Count(text));

    [Fact]
    public void Content_words_drop_the_one_stop_list_fold_accents_and_stem()
    {
        var terms = Words.Terms("Jérôme Pesenti released it today, and now the models are new.");

        Assert.Equal(["jerom", "pesenti", "releas", "model", "new"], terms.Select(t => t.Stem));
        Assert.True(terms[0].Capitalized);
        Assert.True(Words.IsStopWord("today"));
        Assert.True(Words.IsStopWord("now"));
        Assert.False(Words.IsStopWord("new"));
    }
}
