using System.Globalization;
using System.Text.Json.Nodes;
using LocalQa.Core;
using LocalQa.Llama;

namespace LocalQa.Bench;

/// <summary>
/// The JSON of <c>localqa bench --json</c>: flat, snake_case keys that scripts compare across runs.
/// Rates are medians of the repeats, each with a <c>*_spread</c> [min, max]; a section that did not
/// run is null. Keys kept from the first cut: model, model_path, threads, prefill_tokens, prefill_tps,
/// decode_tokens, decode_tps, prefill_spread, decode_spread, load_seconds.
/// </summary>
public static class BenchJson
{
    public static JsonObject ToJson(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new JsonObject
        {
            ["model"] = report.ModelPath is null ? null : Path.GetFileName(report.ModelPath),
            ["model_path"] = report.ModelPath,
            ["sections"] = BenchArguments.Describe(report.Sections),
            ["threads"] = report.Threads,
            ["batch_threads"] = report.BatchThreads,
            ["ubatch"] = report.MicroBatch,
            ["flash_attn"] = FlashAttentionName(report.FlashAttention),
            ["repeat"] = report.Repeat,
            ["gpu_layers"] = report.GpuLayers,
            ["gpu_offload"] = report.GpuOffloadSupported,
            ["runtime_library"] = report.RuntimeLibrary,
            ["cpu_variant"] = report.CpuVariant,
            ["prefill_tokens"] = report.Prefill is null ? null : report.PrefillTokens,
            ["prefill_tps"] = Median(report.Prefill),
            ["prefill_spread"] = Spread(report.Prefill),
            ["decode_tokens"] = report.Decode is null ? null : report.DecodeTokens,
            ["decode_tps"] = Median(report.Decode),
            ["decode_spread"] = Spread(report.Decode),
            ["batched"] = report.Batched is null ? null : new JsonArray([.. report.Batched.Select(Batched)]),
            ["embedding"] = report.Embedding is null ? null : Embedding(report.Embedding, report.EmbeddingLoadSeconds),
            ["retrieval"] = report.Retrieval is null ? null : Retrieval(report.Retrieval),
            ["ttft"] = report.Ttft is null ? null : Ttft(report.Ttft),
            ["chat"] = report.Chat is null ? null : Chat(report.Chat),
            ["ingest"] = report.Ingest is null ? null : Ingest(report.Ingest, report.IngestWithEmbeddings),
            ["pdf"] = report.Pdf is null ? null : Pdf(report.Pdf),
            ["serve"] = report.Serve is null ? null : Serve(report.Serve),
            ["load_seconds"] = Round(report.LoadSeconds, 3),
            ["peak_memory_mb"] = Round(report.PeakMemoryMb, 1),
        };
    }

    /// <summary>The key of a dense store size: 10000 → "10k", 1500 → "1500".</summary>
    public static string SizeLabel(int vectors) =>
        vectors % 1000 == 0 ? (vectors / 1000).ToString(CultureInfo.InvariantCulture) + "k" : vectors.ToString(CultureInfo.InvariantCulture);

    public static string FlashAttentionName(FlashAttention value) => value switch
    {
        FlashAttention.On => "on",
        FlashAttention.Off => "off",
        _ => "auto",
    };

    private static JsonObject Serve(ServeBenchResult s) => new()
    {
        ["slots"] = s.Slots,
        ["endpoint"] = s.Endpoint,
        ["prompt_tokens"] = s.PromptTokens,
        ["gen_tokens"] = s.GenTokens,
        ["in_process_first_token_ms_p50"] = Math.Round(s.InProcessFirstToken.P50Ms, 1),
        ["clients"] = new JsonArray([.. s.Clients.Select(c => (JsonNode)new JsonObject
        {
            ["clients"] = c.Clients,
            ["decode_tps"] = Median(c.DecodeTokensPerSecond),
            ["decode_spread"] = Spread(c.DecodeTokensPerSecond),
            ["end_to_end_tps"] = Median(c.EndToEndTokensPerSecond),
            ["first_token_ms_p50"] = Math.Round(c.FirstToken.P50Ms, 1),
            ["first_token_ms_p99"] = Math.Round(c.FirstTokenP99Ms, 1),
            ["tokens"] = c.Tokens,
        })]),
    };

    private static JsonObject Batched(BatchedBenchResult b) => new()
    {
        ["sequences"] = b.Sequences,
        ["prompt_tokens"] = b.PromptTokens,
        ["gen_tokens"] = b.GenTokens,
        ["decode_tps"] = Median(b.DecodeTokensPerSecond),
        ["decode_spread"] = Spread(b.DecodeTokensPerSecond),
        ["prefill_tps"] = Median(b.PrefillTokensPerSecond),
        ["prefill_spread"] = Spread(b.PrefillTokensPerSecond),
    };

    private static JsonObject Embedding(EmbeddingBenchResult e, double? loadSeconds) => new()
    {
        ["model"] = Path.GetFileName(e.Model),
        ["model_path"] = e.Model,
        ["dimensions"] = e.Dimensions,
        ["texts"] = e.Texts,
        ["tokens_per_text"] = Round(e.TokensPerText, 1),
        ["batched_per_s"] = Median(e.BatchedPerSecond),
        ["batched_spread"] = Spread(e.BatchedPerSecond),
        ["batched_decode_calls"] = e.BatchedDecodeCalls,
        ["single_per_s"] = Median(e.SinglePerSecond),
        ["single_spread"] = Spread(e.SinglePerSecond),
        ["load_seconds"] = Round(loadSeconds, 3),
    };

    private static JsonObject Retrieval(RetrievalBenchResult r)
    {
        var json = new JsonObject();
        foreach (var dense in r.Dense)
        {
            var label = SizeLabel(dense.Vectors);
            json[$"dense_{label}_p50_ms"] = Round(dense.Latency.P50Ms, 4);
            json[$"dense_{label}_p95_ms"] = Round(dense.Latency.P95Ms, 4);
        }
        json["bm25_p50_ms"] = Round(r.Bm25.P50Ms, 4);
        json["bm25_p95_ms"] = Round(r.Bm25.P95Ms, 4);
        json["bm25_chunks"] = r.Bm25Chunks;
        json["dimensions"] = r.Dense.Count > 0 ? r.Dense[0].Dimensions : null;
        json["queries"] = r.Bm25.Count;
        json["top_k"] = r.TopK;
        return json;
    }

    private static JsonObject Ttft(TtftBenchResult t) => new()
    {
        ["prompt_tokens"] = t.PromptTokens,
        ["changed_tokens"] = t.ChangedTokens,
        ["reused_tokens"] = t.ReusedTokens,
        ["cold_ms"] = Median(t.ColdMs),
        ["cold_spread"] = Spread(t.ColdMs),
        ["followup_ms"] = Median(t.FollowUpMs),
        ["followup_spread"] = Spread(t.FollowUpMs),
    };

    private static JsonObject Chat(ChatBenchResult c) => new()
    {
        ["answer_tokens"] = c.AnswerTokens,
        ["turns"] = new JsonArray([.. c.Turns.Select(t => (JsonNode)new JsonObject
        {
            ["turn"] = t.Turn,
            ["prompt_tokens"] = t.PromptTokens,
            ["new_tokens"] = t.NewTokens,
            ["evaluated_tokens"] = t.EvaluatedTokens,
            ["ttft_ms"] = Median(t.TtftMs),
            ["ttft_spread"] = Spread(t.TtftMs),
            ["cold_ttft_ms"] = Median(t.ColdTtftMs),
            ["cold_ttft_spread"] = Spread(t.ColdTtftMs),
            ["share_of_cold"] = Math.Round(t.ShareOfCold, 3),
        })]),
        ["followup_share_of_cold_max"] = c.Turns.Count > 1 ? Math.Round(c.Turns.Skip(1).Max(t => t.ShareOfCold), 3) : null,
    };

    private static JsonObject Ingest(IngestBenchResult plain, IngestBenchResult? embedded)
    {
        var json = IngestRun(plain);
        json["with_embeddings"] = embedded is null ? null : IngestRun(embedded);
        return json;
    }

    private static JsonObject Pdf(PdfBenchResult p) => new()
    {
        ["pages"] = p.Pages,
        ["file_mb"] = Math.Round(p.FileBytes / (1024.0 * 1024.0), 2),
        ["chunks"] = p.Chunks,
        ["seconds"] = Round(p.Seconds, 3),
        ["pages_per_s"] = Round(p.PagesPerSecond, 2),
        ["peak_memory_mb"] = Round(p.PeakMemoryMb, 1),
        ["peak_memory_isolated"] = p.PeakIsolated,
        ["small_pages"] = p.SmallPages,
        ["small_peak_memory_mb"] = Round(p.SmallPeakMemoryMb, 1),
        ["peak_kib_per_extra_page"] = Round(p.PeakKibPerExtraPage, 2),
    };

    private static JsonObject IngestRun(IngestBenchResult i) => new()
    {
        ["documents"] = i.Documents,
        ["chunks"] = i.Chunks,
        ["seconds"] = Round(i.Seconds, 3),
        ["documents_per_s"] = Round(i.DocumentsPerSecond, 2),
        ["chunks_per_s"] = Round(i.ChunksPerSecond, 2),
        ["peak_memory_mb"] = Round(i.PeakMemoryMb, 1),
        ["peak_memory_isolated"] = i.PeakIsolated,
        ["embedding_model"] = i.EmbeddingModel is null ? null : Path.GetFileName(i.EmbeddingModel),
    };

    private static double? Median(Rate? rate) => rate is null ? null : Math.Round(rate.Median, 2);

    private static JsonArray? Spread(Rate? rate) => rate is null ? null : new JsonArray(Math.Round(rate.Min, 2), Math.Round(rate.Max, 2));

    private static double? Round(double? value, int digits) => value is { } v ? Math.Round(v, digits) : null;
}
