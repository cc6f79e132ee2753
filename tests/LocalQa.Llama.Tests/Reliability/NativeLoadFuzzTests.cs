using System.Diagnostics;
using LocalQa.Core.Gguf;
using LocalQa.Llama.Tests.Gguf;
using LocalQa.Testing;

namespace LocalQa.Llama.Tests.Reliability;

/// <summary>
/// Native safety: a model file that the managed pre-check (GgufReader, ModelFileCheck) lets through
/// must never kill the process inside llama.cpp. Deterministic mutants of a real model and of a
/// generated one are filtered through the reader; the accepted ones are loaded and run in child
/// processes (tests/LocalQa.ModelProbe), and every one must end with a result or a user error,
/// never a signal, a hang or an unexpected exception.
/// </summary>
/// <remarks>
/// A failure names the source, seed and mutant index, which rebuild the same file. For a deeper
/// search, LOCALQA_FUZZ_SAMPLE sets the number of accepted mutants (200 by default) and
/// LOCALQA_FUZZ_SEED shifts the seeds.
/// </remarks>
public sealed class NativeLoadFuzzTests : IDisposable
{
    private static readonly int Sample = EnvironmentInt("LOCALQA_FUZZ_SAMPLE") is > 0 and var n ? n : 200;
    private static readonly int SeedShift = EnvironmentInt("LOCALQA_FUZZ_SEED") ?? 0;
    private const int Chunk = 250;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    [Trait("Category", "Reliability")]
    public void Mutants_the_reader_accepts_load_or_are_refused_never_crash()
    {
        var sources = new List<GgufMutator>();
        var generated = _folder.File("generated.gguf");
        SyntheticModel.WriteTiny(generated, new TinyModelOptions { TensorType = GgufTensorType.Q8_0 });
        sources.Add(new GgufMutator("generated tiny Q8_0", File.ReadAllBytes(generated), seed: 101 + SeedShift));
        if (TestPaths.SharedModel("stories260K.gguf") is { } stories)
        {
            sources.Add(new GgufMutator("stories260K", File.ReadAllBytes(stories), seed: 202 + SeedShift));
        }
        else
        {
            TestContext.Current.SendDiagnosticMessage("../shared/models/stories260K.gguf absent: fuzzing the generated model only.");
        }

        var clock = Stopwatch.StartNew();
        var outcomes = new List<ProbeOutcome>();
        var describe = new Dictionary<string, string>(StringComparer.Ordinal);
        var rejected = 0;
        foreach (var source in sources)
        {
            var quota = Sample / sources.Count;
            var next = 0;
            for (var accepted = 0; accepted < quota && next < quota * 10;)
            {
                // Written, filtered and probed a chunk at a time, so a deep search needs little disk.
                var paths = new List<string>();
                for (; paths.Count < Math.Min(Chunk, quota - accepted) && next < quota * 10; next++)
                {
                    var path = _folder.File($"{sources.IndexOf(source)}-{next}.gguf");
                    var description = source.Write(next, path);
                    try
                    {
                        GgufReader.Read(path);
                        paths.Add(path);
                        describe[path] = description;
                    }
                    catch (GgufFormatException)
                    {
                        rejected++;
                        File.Delete(path);
                    }
                }
                accepted += paths.Count;
                outcomes.AddRange(ModelProbe.Run(paths));
                foreach (var path in paths.Where(p => outcomes.Any(o => o.Path == p && !o.IsFailure)))
                {
                    File.Delete(path);
                }
            }
        }

        var failures = outcomes.Where(o => o.IsFailure).ToList();
        var summary = $"{outcomes.Count} mutants accepted by the reader ({rejected} rejected), loaded in child processes in {clock.Elapsed.TotalSeconds:F1} s: " +
                      string.Join(", ", outcomes.GroupBy(o => o.Verdict).Select(g => $"{g.Count()} {g.Key}"));
        TestContext.Current.SendDiagnosticMessage(summary);
        Assert.True(failures.Count == 0, summary + "\n" + string.Join("\n", failures.Select(f => $"{f.Verdict}: {describe[f.Path]}\n    {f.Detail}")));

        // The sample must reach llama.cpp both ways: models it runs and models that are refused.
        Assert.True(outcomes.Count >= Sample - sources.Count, summary);
        Assert.True(outcomes.Count(o => o.Verdict == "OK") >= Sample / 10, summary);
        Assert.True(outcomes.Count(o => o.Verdict == "REFUSED") >= Sample / 10, summary);
    }

    private static int? EnvironmentInt(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) ? value : null;
}
