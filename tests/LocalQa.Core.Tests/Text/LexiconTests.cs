using LocalQa.Core.Answering;
using LocalQa.Core.Extractive;
using LocalQa.Core.Text;

namespace LocalQa.Core.Tests.Text;

public sealed class LexiconTests
{
    [Theory]
    [InlineData("Who became Meta's Chief AI Officer?", new[] { "Meta", "Chief AI Officer" })]
    [InlineData("When was LLaMA 3 released?", new[] { "LLaMA 3" })]
    [InlineData("GenAI leads the next LLaMA versions.", new[] { "GenAI", "LLaMA" })]
    [InlineData("Research by Ursula von der Leyen and J. Smith in March.", new[] { "Ursula von der Leyen", "J Smith" })]
    [InlineData("List the labs that Erik Meijer led.", new[] { "Erik Meijer" })]
    [InlineData("Please name the founders.", new string[0])]
    public void One_name_detector_finds_runs_of_capitalized_words(string text, string[] names)
    {
        Assert.Equal(names, Names.Find(text).Select(n => n.Text));
    }

    [Fact]
    public void Word_classes_carry_their_stems()
    {
        Assert.True(Lexicon.Asking.HasStem(EnglishStemmer.Stem("named")));
        Assert.True(Lexicon.Asking.HasStem(EnglishStemmer.Stem("articles")));
        Assert.False(Lexicon.Asking.Contains("nam"));
        Assert.True(Lexicon.QuestionPhrasing.Contains("according"));
        Assert.True(Lexicon.QuestionPhrasing.Contains("call"));
        Assert.False(Lexicon.QuestionPhrasing.Contains("name"));
    }

    [Theory]
    [InlineData("He left in 2022.", "Pronoun")]
    [InlineData("Themselves they never said.", "Pronoun")]
    [InlineData("These include the lab.", "Pronoun")]
    [InlineData("There are three labs in Paris.", "None")]
    [InlineData("On the other hand, the lab grew.", "Connective")]
    [InlineData("So the lab closed.", "Connective")]
    [InlineData("The lab closed.", "None")]
    public void A_sentence_opening_is_read_once_from_one_pronoun_list(string sentence, string opening)
    {
        var read = SentenceReader.Read(sentence).Single();

        Assert.Equal(Enum.Parse<Opening>(opening), read.Opening);
        Assert.Equal(read.Opening, Discourse.OpeningOf(sentence));
    }

    [Fact]
    public void Question_analysis_runs_named_stages_in_order()
    {
        Assert.Equal(["acronym", "answer-kind", "present", "names", "wording"], ExtractiveQuestion.Stages.Select(s => s.Name));

        // A cue word is wording only in a question of its kind: "full form" asks for FAIR's long form, "full path" names a thing.
        Assert.Equal(["fair"], ExtractiveQuestion.Parse("What is the full form of FAIR?").Terms.Select(t => t.Stem));
        Assert.Contains(ExtractiveQuestion.Parse("Which function returns the full path?").Terms, t => t.Stem == "full");
        Assert.DoesNotContain(ExtractiveQuestion.Parse("How many people were in the lab?").Terms, t => t.Stem == EnglishStemmer.Stem("many"));
    }

    [Fact]
    public void The_present_stage_tells_a_time_word_that_may_name_a_thing_from_one_that_asks_about_now()
    {
        var named = ExtractiveQuestion.Parse("Which os function returns the current working directory?");
        var now = ExtractiveQuestion.Parse("What is the current price of the stock today?");

        Assert.True(named.AsksForCurrent);
        Assert.Equal(["current working"], named.TimeWordPhrases);
        Assert.Contains(named.Terms, t => t.Stem == EnglishStemmer.Stem("working"));
        Assert.DoesNotContain(named.Terms, t => t.Stem == "current");
        Assert.True(now.AsksForCurrent);
        Assert.Empty(now.TimeWordPhrases);
    }
}
