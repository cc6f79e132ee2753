using LocalQa.Core.Documents;
using LocalQa.Core.Text;
using Xunit;

namespace LocalQa.Core.Tests.Chunking;

public sealed class TokenEstimatorTests
{
    private static int Count(string text) => TokenEstimator.Default.CountTokens(text);

    [Fact]
    public void Empty_and_whitespace_count_zero_and_anything_else_at_least_one()
    {
        Assert.Equal(0, Count(""));
        Assert.Equal(0, Count(" \n\t "));
        Assert.Equal(1, Count("a"));
        Assert.Equal(1, Count("."));
    }

    [Theory]
    [InlineData("000_b43b1536f21f9801.txt")]
    [InlineData("001_652201106ac4656c.txt")]
    [InlineData("003_1858c857c14478af.txt")]
    public void English_articles_come_out_near_1_3_tokens_per_word(string seed)
    {
        var text = File.ReadAllText(TestPaths.Seed(seed));
        var ratio = (double)Count(text) / Words.Count(text);

        Assert.InRange(ratio, 1.2, 1.5);
    }

    [Fact]
    public void Digits_count_one_token_each_as_llama_and_qwen_vocabularies_split_them()
    {
        Assert.InRange(Count("1234567890"), 10, 12);
    }

    [Fact]
    public void Long_runs_of_letters_come_out_near_four_characters_per_token()
    {
        Assert.InRange(Count(new string('x', 4000)), 900, 1100);
    }

    [Fact]
    public void Ideographs_count_about_one_token_each()
    {
        Assert.InRange(Count("大型语言模型的开源浪潮"), 10, 13);
    }

    [Fact]
    public void Joining_with_whitespace_never_counts_more_than_the_parts()
    {
        string[] parts = ["Meta’s AI lab, FAIR, was founded in 2013.", "LeCun led it!", "数据", "x" + new string('y', 40)];
        foreach (var a in parts)
        {
            foreach (var b in parts)
            {
                Assert.True(Count(a + " \n" + b) <= Count(a) + Count(b), $"'{a}' + '{b}'");
            }
        }
    }
}
