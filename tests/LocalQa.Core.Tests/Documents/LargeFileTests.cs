using System.Diagnostics;
using System.Text;
using LocalQa.Core.Chunking;
using LocalQa.Core.Documents;
using Xunit;

namespace LocalQa.Core.Tests.Documents;

public sealed class LargeFileTests
{
    [Fact]
    public void A_50_megabyte_text_file_loads_within_a_small_multiple_of_its_size()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "big.txt");
        var seed = File.ReadAllText(TestPaths.Seed("000_b43b1536f21f9801.txt"));
        using (var writer = new StreamWriter(path, append: false, new UTF8Encoding(false)))
        {
            var copy = 0;
            while (writer.BaseStream.Length < 50L * 1024 * 1024)
            {
                writer.Write($"Part {copy++}\n\n");
                writer.Write(seed);
                writer.Write("\n\n");
                writer.Flush();
            }
        }

        var size = new FileInfo(path).Length;
        GC.Collect();
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        var result = DocumentLoader.Load(path, cancellationToken: TestContext.Current.CancellationToken);
        watch.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        Assert.True(result.IsLoaded, result.SkipReason);
        Assert.True(result.Document!.Text.Length > 45_000_000);

        // UTF-16 doubles ASCII: the lines and the final text are 2x each; everything else is small change.
        // Allocation over the whole load bounds the peak from above.
        Assert.True(allocated < size * 8, $"Loading {size:N0} bytes allocated {allocated:N0} bytes ({(double)allocated / size:F1}x).");
        TestContext.Current.SendDiagnosticMessage($"Loaded {size:N0} bytes in {watch.Elapsed}, allocating {(double)allocated / size:F1}x the file size.");
    }

    [Fact]
    public void A_single_megabyte_line_without_punctuation_loads_and_chunks_in_linear_time()
    {
        using var folder = new TempFolder();
        string Write(string name, int words, int run) =>
            folder.Write(name, string.Concat(Enumerable.Range(0, words).Select(i => "word" + (i % 10) + " ")) + "\n" + new string('x', run));
        var smallPath = Write("small.txt", 150_000 / 16, (1 << 20) / 16);
        var path = Write("one-line.txt", 150_000, 1 << 20);
        var line = string.Concat(Enumerable.Range(0, 150_000).Select(i => "word" + (i % 10) + " "));
        Document document = null!;
        IReadOnlyList<Chunk> chunks = [];
        var ct = TestContext.Current.CancellationToken;

        var (ratio, pieces, whole) = Growth.TimeRatio(
            () => new Chunker().Split(DocumentLoader.Load(smallPath, cancellationToken: ct).Document!), 16,
            () => chunks = new Chunker().Split(document = DocumentLoader.Load(path, cancellationToken: ct).Document!));

        Assert.Equal(line.TrimEnd() + "\n" + new string('x', 1 << 20), document.Text);
        Assert.All(chunks, c => Assert.InRange(c.TokenCount, 1, 256));
        // As long as a sixteenth of it sixteen times when loading and cutting are linear.
        Assert.True(ratio < 4, $"16 sixteenths: {pieces}, all: {whole} ({ratio:F1}x).");
    }
}
