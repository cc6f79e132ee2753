using System.CommandLine;
using System.Globalization;
using LocalQa.Bench;
using LocalQa.Core;
using LocalQa.Hosting;
using LocalQa.Hosting.Configuration;
using LocalQa.Llama;

namespace LocalQa.Cli.Commands;

/// <summary>
/// <c>localqa bench</c>: engine, embedding, retrieval and ingest speed on this machine. Models can be
/// real files or generated ones with the exact shapes of real models (speed depends on shapes and
/// quantization, not weight values). See <see cref="BenchOptions"/> for how to pick threads,
/// micro-batch and flash attention from the numbers.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(CliContext cli)
    {
        var model = new Option<FileInfo?>("--model") { Description = "GGUF model to measure." };
        var synthetic = new Option<string?>("--synthetic") { Description = $"Measure a generated random-weight model with a real model's shapes instead: {string.Join(", ", SyntheticModels.Names)}." };
        var quant = new Option<string>("--quant") { Description = "Weight type of the --synthetic model: f16, q8_0 or q4_0.", DefaultValueFactory = _ => "q4_0" };
        var embedModel = new Option<FileInfo?>("--embed-model") { Description = "Embedding GGUF model for the embedding and ingest measurements." };
        var embedSynthetic = new Option<string>("--embed-synthetic") { Description = $"Generated embedding model used without --embed-model: {string.Join(", ", SyntheticModels.EmbeddingNames)}.", DefaultValueFactory = _ => "bge-small" };
        var embedQuant = new Option<string>("--embed-quant") { Description = "Weight type of the generated embedding model: f16, q8_0 or q4_0.", DefaultValueFactory = _ => "f16" };
        var embedTexts = new Option<int>("--embed-texts") { Description = "Texts embedded per embedding measurement.", DefaultValueFactory = _ => 64 };
        var embedTokens = new Option<int>("--embed-tokens") { Description = "Tokens per embedded text (a chunk is up to 256; a question about 16).", DefaultValueFactory = _ => 128 };
        var threads = new Option<int>("--threads") { Description = "Decode threads (default: physical cores).", DefaultValueFactory = _ => 0 };
        var batchThreads = new Option<int>("--batch-threads") { Description = "Prompt-processing threads (default: same as --threads).", DefaultValueFactory = _ => 0 };
        var prompt = new Option<int>("--prompt") { Description = "Prompt tokens for the prefill measurement (llama-bench -p).", DefaultValueFactory = _ => 512 };
        var gen = new Option<int>("--gen") { Description = "Tokens for the decode measurement (llama-bench -n).", DefaultValueFactory = _ => 128 };
        var parallel = new Option<string>("--parallel") { Description = "Sequence counts for batched decode, comma-separated (llama-batched-bench -npl).", DefaultValueFactory = _ => "1,2,4,8" };
        var clients = new Option<string>("--clients") { Description = "Concurrent streaming clients for the serve measurement, comma-separated.", DefaultValueFactory = _ => "1,4,8" };
        var serveEndpoint = new Option<string?>("--serve-endpoint") { Description = "The serve measurement drives this OpenAI-compatible server's /v1 (llama-server, say) instead of starting LocalQa's; --model is still loaded here for the prompts and the in-process comparison.", HelpName = "URL" };
        var ubatch = new Option<int>("--ubatch") { Description = "Micro-batch size (n_ubatch).", DefaultValueFactory = _ => 512 };
        var flashAttn = new Option<string>("--flash-attn") { Description = "Flash attention: on, off or auto.", DefaultValueFactory = _ => "auto" };
        var gpuLayers = new Option<int>("--gpu-layers") { Description = "Layers of each model to offload to the GPU (0: none, -1: all); needs a CUDA or Vulkan build of the runtime.", DefaultValueFactory = _ => 0 };
        var repeat = new Option<int>("--repeat") { Description = "Repetitions; the median and the spread are reported.", DefaultValueFactory = _ => 3 };
        var only = new Option<string?>("--only") { Description = $"Run only these sections, comma-separated: {string.Join(",", BenchArguments.SectionNamesInOrder)}." };
        var articles = new Option<int>("--articles") { Description = "Generated articles to ingest and search with BM25.", DefaultValueFactory = _ => 2000 };
        var embedArticles = new Option<int>("--embed-articles") { Description = "Of those, how many to ingest again with the embedding model (every chunk goes through it).", DefaultValueFactory = _ => 100 };
        var pdfPages = new Option<int>("--pdf-pages") { Description = "Pages of the generated PDF to ingest (a tenth as many first, to compare memory).", DefaultValueFactory = _ => 1000 };
        var queries = new Option<int>("--queries") { Description = "Queries per retrieval latency measurement.", DefaultValueFactory = _ => 200 };
        var chatPrompt = new Option<int>("--chat-prompt") { Description = "Tokens of passages in the chat measurement's first message (follow-ups add 160 each).", DefaultValueFactory = _ => 800 };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var cmd = new Command("bench", "Measure prefill, decode, batched decode, embedding, retrieval, time to first token, a chat's follow-ups, ingest, PDF ingest and serve's concurrent clients on this machine.");
        foreach (var o in new Option[] { model, synthetic, quant, embedModel, embedSynthetic, embedQuant, embedTexts, embedTokens, threads, batchThreads, prompt, gen, parallel, clients, serveEndpoint, ubatch, flashAttn, gpuLayers, repeat, only, articles, embedArticles, pdfPages, queries, chatPrompt, json })
            cmd.Options.Add(o);
        var runtime = SettingsOptions.Runtime();
        runtime.AddTo(cmd);
        cmd.SetAction(async (parse, ct) =>
        {
            // Every value is checked before a model is generated: a typo must not cost a minute of writing weights.
            var sections = BenchArguments.ParseSections(parse.GetValue(only));
            var modelFile = parse.GetValue(model)?.FullName;
            var synth = parse.GetValue(synthetic);
            var needsModel = (sections & BenchSections.NeedsModel) != 0;
            if (modelFile is not null && synth is not null)
                throw new InvalidInputException("Pass either --model FILE or --synthetic NAME, not both.");
            if (needsModel && modelFile is null && synth is null)
                throw new InvalidInputException(
                    "Pass --model FILE or --synthetic NAME to measure a generative model.",
                    $"For example --synthetic tinyllama-1.1b, or --only {BenchArguments.Describe(sections & ~BenchSections.NeedsModel & BenchSections.All)} to measure without one.");
            var quantValue = parse.GetValue(quant) ?? "q4_0";
            if (!SyntheticModels.Quantizations.Contains(quantValue.ToLowerInvariant()))
                throw new InvalidInputException($"Unknown quantization '{quantValue}'.", "Use --quant f16, q8_0 or q4_0.");
            if (synth is not null && !SyntheticModels.Names.Contains(synth.ToLowerInvariant()))
                throw new InvalidInputException($"Unknown synthetic model '{synth}'.", $"Use one of: {string.Join(", ", SyntheticModels.Names)}.");
            var embedFile = parse.GetValue(embedModel)?.FullName;
            var embedSynth = parse.GetValue(embedSynthetic) ?? "bge-small";
            if (embedFile is null && !SyntheticModels.EmbeddingNames.Contains(embedSynth.ToLowerInvariant()))
                throw new InvalidInputException($"Unknown synthetic embedding model '{embedSynth}'.", $"Use one of: {string.Join(", ", SyntheticModels.EmbeddingNames)}.");
            var embedQuantValue = parse.GetValue(embedQuant) ?? "f16";
            if (!SyntheticModels.Quantizations.Contains(embedQuantValue.ToLowerInvariant()))
                throw new InvalidInputException($"Unknown quantization '{embedQuantValue}'.", "Use --embed-quant f16, q8_0 or q4_0.");
            // localqa.json and LOCALQA_* still choose the runtime, the default threads and where
            // generated models are cached; the bench's own flags win over them.
            var settings = LibraryOptions.From(SettingsResolver.ForCurrentProcess().Resolve(runtime.Read(parse)).Settings);
            LlamaRuntime.UseNativeDirectory(settings.NativeDirectory);
            var options = new BenchOptions
            {
                Sections = sections,
                Threads = parse.GetValue(threads) is > 0 and var t ? t : settings.Threads,
                BatchThreads = parse.GetValue(batchThreads),
                PromptTokens = parse.GetValue(prompt),
                GenTokens = parse.GetValue(gen),
                Parallel = BenchArguments.ParseParallel(parse.GetValue(parallel)),
                ServeClients = BenchArguments.ParseParallel(parse.GetValue(clients)),
                ServeEndpoint = parse.GetValue(serveEndpoint),
                MicroBatch = parse.GetValue(ubatch),
                FlashAttention = BenchArguments.ParseFlashAttention(parse.GetValue(flashAttn)),
                GpuLayers = parse.GetValue(gpuLayers),
                Repeat = parse.GetValue(repeat),
                Articles = parse.GetValue(articles),
                EmbeddedArticles = parse.GetValue(embedArticles),
                PdfPages = parse.GetValue(pdfPages),
                Queries = parse.GetValue(queries),
                EmbeddingTexts = parse.GetValue(embedTexts),
                EmbeddingTextTokens = parse.GetValue(embedTokens),
                ChatFirstTokens = parse.GetValue(chatPrompt),
            };
            options.Validate();

            var asJson = parse.GetValue(json);
            // Progress goes to stderr in both modes: a full run takes minutes, and stdout stays pure JSON.
            Action<string> progress = cli.Error.WriteLine;
            if (needsModel && synth is not null)
            {
                progress($"generating (or reusing) the synthetic {synth} {quantValue} model");
                modelFile = SyntheticModels.Get(synth, quantValue, settings.CacheDirectory);
            }
            var wantsEmbedding = (sections & (BenchSections.Embedding | BenchSections.Ingest)) != 0;
            if (wantsEmbedding && embedFile is null)
            {
                progress($"generating (or reusing) the synthetic {embedSynth} {embedQuantValue} embedding model");
                embedFile = SyntheticModels.GetEmbedding(embedSynth, embedQuantValue, settings.CacheDirectory);
            }
            var report = await BenchRunner.RunAsync(options with
            {
                ModelPath = needsModel ? modelFile : null,
                EmbeddingModelPath = wantsEmbedding ? embedFile : null,
            }, progress, ct).ConfigureAwait(false);

            if (asJson) cli.WriteJson(BenchJson.ToJson(report));
            else WriteTable(cli.Out, report);
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static void WriteTable(TextWriter o, BenchReport r)
    {
        var c = CultureInfo.InvariantCulture;
        if (r.ModelPath is not null) o.WriteLine(string.Create(c, $"model        {r.ModelPath}"));
        o.WriteLine(string.Create(c, $"settings     threads {r.Threads}, batch threads {r.BatchThreads}, ubatch {r.MicroBatch}, flash attention {BenchJson.FlashAttentionName(r.FlashAttention)}, {r.Repeat} repeats (median; min..max)"));
        if (r.GpuLayers != 0)
            o.WriteLine(string.Create(c, $"gpu layers   {(r.GpuLayers < 0 ? "all" : r.GpuLayers.ToString(c))}{(r.GpuOffloadSupported ? "" : " (ignored: this runtime has no GPU backend)")}"));
        if (r.RuntimeLibrary is not null) o.WriteLine(string.Create(c, $"runtime      {r.RuntimeLibrary}{(r.CpuVariant is null ? "" : $" ({r.CpuVariant})")}"));
        if (r.LoadSeconds is { } load) o.WriteLine(string.Create(c, $"load         {load,10:F2} s"));
        if (r.Prefill is { } pp) o.WriteLine(string.Create(c, $"prefill      {pp.Median,10:F1} tokens/s  (pp{r.PrefillTokens}; {pp.Min:F1}..{pp.Max:F1})"));
        if (r.Decode is { } tg) o.WriteLine(string.Create(c, $"decode       {tg.Median,10:F1} tokens/s  (tg{r.DecodeTokens}; {tg.Min:F1}..{tg.Max:F1})"));
        foreach (var b in r.Batched ?? [])
        {
            o.WriteLine(string.Create(c, $"batched {b.Sequences,3}  {b.DecodeTokensPerSecond.Median,10:F1} tokens/s aggregate decode ({b.DecodeTokensPerSecond.Min:F1}..{b.DecodeTokensPerSecond.Max:F1}); prompts {b.PrefillTokensPerSecond.Median:F1} tokens/s  ({b.Sequences} x {b.PromptTokens}+{b.GenTokens})"));
        }
        if (r.Ttft is { } t)
        {
            o.WriteLine(string.Create(c, $"ttft cold    {t.ColdMs.Median,10:F0} ms  ({t.PromptTokens}-token prompt; {t.ColdMs.Min:F0}..{t.ColdMs.Max:F0})"));
            o.WriteLine(string.Create(c, $"ttft follow  {t.FollowUpMs.Median,10:F0} ms  (last {t.ChangedTokens} tokens changed, {t.ReusedTokens} reused; {t.FollowUpMs.Min:F0}..{t.FollowUpMs.Max:F0})"));
        }
        foreach (var turn in r.Chat?.Turns ?? [])
        {
            o.WriteLine(turn.Turn == 1
                ? string.Create(c, $"chat turn 1  {turn.TtftMs.Median,10:F0} ms  to first token, cold ({turn.PromptTokens}-token prompt, all evaluated; {turn.TtftMs.Min:F0}..{turn.TtftMs.Max:F0})")
                : string.Create(c, $"chat turn {turn.Turn}  {turn.TtftMs.Median,10:F0} ms  to first token = {turn.ShareOfCold:P0} of cold {turn.ColdTtftMs.Median:F0} ms ({turn.PromptTokens}-token prompt; {turn.EvaluatedTokens} evaluated, {turn.NewTokens} new)"));
        }
        if (r.Embedding is { } e)
        {
            o.WriteLine(string.Create(c, $"embed batch  {e.BatchedPerSecond.Median,10:F1} texts/s  ({e.Texts} texts of ~{e.TokensPerText:F0} tokens in {e.BatchedDecodeCalls} decodes; {e.BatchedPerSecond.Min:F1}..{e.BatchedPerSecond.Max:F1}; {Path.GetFileName(e.Model)})"));
            o.WriteLine(string.Create(c, $"embed single {e.SinglePerSecond.Median,10:F1} texts/s  (one text per decode; {e.SinglePerSecond.Min:F1}..{e.SinglePerSecond.Max:F1})"));
        }
        if (r.Retrieval is { } q)
        {
            foreach (var d in q.Dense)
                o.WriteLine(string.Create(c, $"dense {BenchJson.SizeLabel(d.Vectors),-6} {d.Latency.P50Ms,10:F3} ms p50, {d.Latency.P95Ms:F3} ms p95  (top-{q.TopK} of {d.Vectors} x {d.Dimensions})"));
            o.WriteLine(string.Create(c, $"bm25         {q.Bm25.P50Ms,10:F3} ms p50, {q.Bm25.P95Ms:F3} ms p95  (top-{q.TopK} over {q.Bm25Chunks} chunks, {q.Bm25.Count} queries)"));
        }
        if (r.Ingest is { } i) WriteIngest(o, "ingest      ", i);
        if (r.IngestWithEmbeddings is { } ie) WriteIngest(o, "ingest+embed", ie);
        if (r.Serve is { } serve)
        {
            foreach (var s in serve.Clients)
            {
                var batched = r.Batched?.FirstOrDefault(b => b.Sequences == s.Clients);
                o.WriteLine(string.Create(c, $"serve {s.Clients,3}    {s.DecodeTokensPerSecond.Median,10:F1} tokens/s aggregate decode ({s.DecodeTokensPerSecond.Min:F1}..{s.DecodeTokensPerSecond.Max:F1}{(batched is null ? "" : $"; {s.DecodeTokensPerSecond.Median / batched.DecodeTokensPerSecond.Median:P0} of batched {s.Clients}")}); first token p50 {s.FirstToken.P50Ms:F0} ms, p99 {s.FirstTokenP99Ms:F0} ms  ({s.Clients} streaming clients of {serve.Endpoint ?? $"LocalQa's serve over loopback, {serve.Slots} slots"}, ~{serve.PromptTokens}+{s.Tokens} tokens)"));
            }
            if (serve.Clients.FirstOrDefault(s => s.Clients == 1) is { } one)
                o.WriteLine(string.Create(c, $"serve ttft   {one.FirstToken.P50Ms,10:F0} ms = {one.FirstToken.P50Ms / serve.InProcessFirstToken.P50Ms:P0} of in process {serve.InProcessFirstToken.P50Ms:F0} ms  (one client, same prompts)"));
        }
        if (r.Pdf is { } pdf)
            o.WriteLine(string.Create(c, $"pdf ingest   {pdf.PagesPerSecond,10:F1} pages/s  ({pdf.Pages} pages, {pdf.FileBytes / (1024.0 * 1024.0):F1} MB, {pdf.Chunks} chunks in {pdf.Seconds:F2} s; peak {pdf.PeakMemoryMb:F0} MB{(pdf.PeakIsolated ? "" : " since start")}, {pdf.SmallPeakMemoryMb:F0} MB for {pdf.SmallPages} pages)"));
        o.WriteLine(string.Create(c, $"peak memory  {r.PeakMemoryMb,10:F0} MB  (process)"));
    }

    private static void WriteIngest(TextWriter o, string label, IngestBenchResult i) =>
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label} {i.DocumentsPerSecond,10:F1} documents/s, {i.ChunksPerSecond:F1} chunks/s  ({i.Documents} documents, {i.Chunks} chunks in {i.Seconds:F2} s; peak {i.PeakMemoryMb:F0} MB{(i.PeakIsolated ? "" : " since start")})"));
}
