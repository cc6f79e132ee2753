using System.Globalization;
using LocalQa.Llama;

// Reads model paths from standard input, one a line, and for each loads the model, creates a
// small context, tokenizes, decodes a prompt and one generated token, detokenizes and applies the
// chat template: what `localqa ask` does with a model. It answers one line per model on standard
// output, flushed before the next one starts, so that when native code kills the process the
// parent knows which file did it:
//   BEGIN <path>            before touching the file
//   OK <path>               everything ran
//   REFUSED <path> <text>   an engine error (LlamaException), the message on one line
//   ERROR <path> <text>     any other exception: a managed bug, which the tests also count as a failure
// The parent asks for llama.cpp's warnings on stderr, so a crash report shows its last words.
if (Environment.GetEnvironmentVariable("LOCALQA_LOG") is "warn") LlamaRuntime.NativeLogLevel = NativeLogLevel.Warning;
var output = Console.Out;
while (Console.In.ReadLine() is { } line)
{
    var path = line.Trim();
    if (path.Length == 0) continue;
    output.WriteLine($"BEGIN {path}");
    output.Flush();
    string verdict;
    try
    {
        Exercise(path);
        verdict = $"OK {path}";
    }
    catch (LlamaException e)
    {
        verdict = $"REFUSED {path} {OneLine(e.Message)}";
    }
#pragma warning disable CA1031 // Every other exception is reported to the parent, which fails the test with it.
    catch (Exception e)
#pragma warning restore CA1031
    {
        verdict = $"ERROR {path} {e.GetType().Name}: {OneLine(e.Message)}";
    }
    output.WriteLine(verdict);
    output.Flush();
}
return 0;

static void Exercise(string path)
{
    using var model = LlamaModel.Load(path);
    var train = model.TrainingContextLength;
    using var context = LlamaContext.Create(model, new LlamaContextOptions
    {
        ContextSize = Math.Clamp(train, 16, 64),
        BatchSize = 64,
        MicroBatchSize = 64,
        Threads = 1,
    });
    var prompt = model.Tokenize("Once upon a time, the harbour keeper counted boats.");
    if (prompt.Length == 0) return;
    prompt = prompt[..Math.Min(prompt.Length, context.ContextSize / 2)];
    using var batch = new LlamaBatch(context.BatchSize);
    batch.AddRange(prompt, 0, 0, outputLast: true);
    context.Decode(batch);
    var logits = context.GetLogits(batch.Count - 1);
    var next = 0;
    for (var i = 1; i < logits.Length; i++)
    {
        if (logits[i] > logits[next]) next = i;
    }
    _ = model.IsEndOfGeneration(next);
    _ = model.Detokenize([.. prompt, next]);
    batch.Clear();
    batch.Add(next, prompt.Length, 0, output: true);
    context.Decode(batch);
    _ = model.ApplyChatTemplate([new ChatTurn("user", "How many boats?")]);
    _ = string.Create(CultureInfo.InvariantCulture, $"{model.VocabSize}");
}

static string OneLine(string text) => text.ReplaceLineEndings(" ");
