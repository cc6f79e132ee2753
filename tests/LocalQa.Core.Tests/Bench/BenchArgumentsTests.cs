using LocalQa.Bench;
using LocalQa.Llama;

namespace LocalQa.Core.Tests.Bench;

public sealed class BenchArgumentsTests
{
    [Fact]
    public void Parallel_list_parses_in_order_without_duplicates()
    {
        Assert.Equal([1, 2, 4, 8], BenchArguments.ParseParallel("1,2,4,8"));
        Assert.Equal([8, 1], BenchArguments.ParseParallel(" 8 , 1,8"));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("1,,2")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1,x")]
    [InlineData("2.5")]
    [InlineData("65")]
    [InlineData("1;2")]
    public void Bad_parallel_lists_are_user_errors_that_name_the_value(string text)
    {
        var e = Assert.Throws<InvalidInputException>(() => BenchArguments.ParseParallel(text));
        Assert.Contains("--parallel", e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.Fix);
    }

    [Fact]
    public void Sections_parse_case_insensitively_and_default_to_all()
    {
        Assert.Equal(BenchSections.All, BenchArguments.ParseSections(null));
        Assert.Equal(BenchSections.Prefill | BenchSections.Ttft, BenchArguments.ParseSections("prefill, TTFT"));
        Assert.Equal("prefill,decode,batched,embedding,retrieval,ttft,chat,ingest,pdf,serve", BenchArguments.Describe(BenchSections.All));
        Assert.Equal(BenchSections.Chat, BenchArguments.ParseSections("chat"));
        Assert.Equal(BenchSections.Pdf, BenchArguments.ParseSections("pdf"));
    }

    [Theory]
    [InlineData("prefil")]
    [InlineData("prefill,")]
    [InlineData("")]
    public void Unknown_sections_are_user_errors(string text)
    {
        var e = Assert.Throws<InvalidInputException>(() => BenchArguments.ParseSections(text));
        Assert.Contains("--only", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("on", FlashAttention.On)]
    [InlineData("OFF", FlashAttention.Off)]
    [InlineData("auto", FlashAttention.Auto)]
    public void Flash_attention_values_parse(string text, FlashAttention expected)
    {
        Assert.Equal(expected, BenchArguments.ParseFlashAttention(text));
    }

    [Fact]
    public void Unknown_flash_attention_value_is_a_user_error()
    {
        Assert.Throws<InvalidInputException>(() => BenchArguments.ParseFlashAttention("yes"));
    }

    [Fact]
    public void Unknown_synthetic_model_or_quantization_is_a_user_error_before_anything_is_written()
    {
        var e = Assert.Throws<InvalidInputException>(() => SyntheticModels.Get("llama-70b"));
        Assert.Contains("llama-70b", e.Message, StringComparison.Ordinal);
        Assert.Contains("tinyllama-1.1b", e.Fix, StringComparison.Ordinal);
        Assert.Throws<InvalidInputException>(() => SyntheticModels.Get("tiny", "q2_k"));
        Assert.Throws<InvalidInputException>(() => SyntheticModels.GetEmbedding("minilm"));
    }

    [Theory]
    [InlineData(0, 128, 3)]
    [InlineData(512, 0, 3)]
    [InlineData(512, 128, 0)]
    public void Options_out_of_range_are_user_errors(int prompt, int gen, int repeat)
    {
        var options = new BenchOptions { PromptTokens = prompt, GenTokens = gen, Repeat = repeat };

        Assert.Throws<InvalidInputException>(options.Validate);
    }

    [Theory]
    [InlineData(-2, false)]
    [InlineData(-1, true)]
    [InlineData(0, true)]
    [InlineData(99, true)]
    public void Gpu_layers_are_all_none_or_a_count(int layers, bool valid)
    {
        var options = new BenchOptions { GpuLayers = layers };

        if (valid) options.Validate();
        else Assert.Contains("--gpu-layers -2", Assert.Throws<InvalidInputException>(options.Validate).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_generative_section_without_a_model_is_a_user_error()
    {
        var e = await Assert.ThrowsAsync<InvalidInputException>(() => BenchRunner.RunAsync(new BenchOptions { Sections = BenchSections.Decode | BenchSections.Retrieval }));
        Assert.Contains("decode", e.Message, StringComparison.Ordinal);
    }
}
