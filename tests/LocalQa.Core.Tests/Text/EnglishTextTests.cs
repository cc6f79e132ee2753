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

    [Fact]
    public void All_words_keep_stop_words_and_numbers_and_drop_contraction_tails()
    {
        var words = Words.All("Don't ask who's on the other side of LLaMA 3.1, Jérôme's.");

        Assert.Equal(["don", "ask", "who", "on", "the", "other", "side", "of", "llama", "3.1", "jerome"], words.Select(w => w.Lower));
        Assert.Equal("LLaMA", "Don't ask who's on the other side of LLaMA 3.1, Jérôme's.".Substring(words[8].Start, words[8].Length));
    }

    [Theory]
    [InlineData("He joined in 2018.", true, true, false)]
    [InlineData("These include two researchers.", true, true, false)]
    [InlineData("On the other side, you had AML.", true, false, true)]
    [InlineData("On one side, you had FAIR.", true, false, true)]
    [InlineData("However, the vote failed.", true, false, true)]
    [InlineData("Hence the name.", true, false, true)]
    [InlineData("Helen joined in 2018.", false, false, false)]
    [InlineData("The other side won.", false, false, false)]
    [InlineData("Online sales grew.", false, false, false)]
    public void Openers_that_lean_on_the_sentence_before_are_read_from_the_first_words(string sentence, bool leans, bool refersBack, bool continues)
    {
        Assert.Equal(leans, Discourse.LeansOnPrevious(sentence));
        Assert.Equal(refersBack, Discourse.RefersBack(sentence));
        Assert.Equal(continues, Discourse.Continues(sentence));
    }

    [Theory]
    [InlineData("Pesenti had to bridge the company's two major AI labs.", true)]
    [InlineData("Both teams report to him.", true)]
    [InlineData("The release brings the following changes:", true)]
    [InlineData("The lab opened in 2013 with 12 researchers.", false)]
    public void A_sentence_that_counts_things_or_ends_with_a_colon_announces_what_follows(string sentence, bool announces) =>
        Assert.Equal(announces, Discourse.AnnouncesFollowing(sentence));
}
