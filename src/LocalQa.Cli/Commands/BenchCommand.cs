using System.CommandLine;
using LocalQa.Core.Bench;
using LocalQa.Llama;

namespace LocalQa.Cli.Commands;

internal static class BenchCommand
{
    public static Command Create(CliContext cli)
    {
        var model = new Option<FileInfo?>("--model") { Description = "GGUF model to measure." };
        var synthetic = new Option<string?>("--synthetic") { Description = "Measure a generated random-weight model instead: tiny." };
        var prompt = new Option<int>("--prompt") { Description = "Prompt tokens for the prefill measurement.", DefaultValueFactory = _ => 512 };
        var gen = new Option<int>("--gen") { Description = "Tokens for the decode measurement.", DefaultValueFactory = _ => 128 };
        var threads = new Option<int>("--threads") { Description = "Threads (default: physical cores).", DefaultValueFactory = _ => 0 };
        var repeat = new Option<int>("--repeat") { Description = "Repetitions; the median is reported.", DefaultValueFactory = _ => 3 };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var cmd = new Command("bench", "Measure prefill and decode tokens per second on this machine.");
        foreach (var o in new Option[] { model, synthetic, prompt, gen, threads, repeat, json }) cmd.Options.Add(o);
        cmd.SetAction((parse, ct) =>
        {
            var path = parse.GetValue(model)?.FullName;
            var synth = parse.GetValue(synthetic);
            if (path is null == synth is null)
                throw new InvalidInputException("Pass exactly one of --model FILE or --synthetic tiny.");
            if (synth is not null) path = LocalQa.Core.Bench.SyntheticModels.Get(synth);
            var asJson = parse.GetValue(json);
            var result = EngineBench.Run(path!, new EngineBenchOptions
            {
                PromptTokens = parse.GetValue(prompt),
                GenTokens = parse.GetValue(gen),
                Threads = parse.GetValue(threads),
                Repeat = parse.GetValue(repeat),
            }, asJson ? null : cli.Error.WriteLine, ct);
            if (asJson)
            {
                cli.WriteJson(new
                {
                    model = Path.GetFileName(result.Model),
                    model_path = result.Model,
                    threads = result.Threads,
                    prefill_tokens = result.PrefillTokens,
                    prefill_tps = Math.Round(result.Prefill.Median, 2),
                    decode_tokens = result.DecodeTokens,
                    decode_tps = Math.Round(result.Decode.Median, 2),
                    prefill_spread = new[] { Math.Round(result.Prefill.Min, 2), Math.Round(result.Prefill.Max, 2) },
                    decode_spread = new[] { Math.Round(result.Decode.Min, 2), Math.Round(result.Decode.Max, 2) },
                    load_seconds = Math.Round(result.LoadSeconds, 3),
                });
            }
            else
            {
                cli.Out.WriteLine($"model     {result.Model}");
                cli.Out.WriteLine($"threads   {result.Threads}");
                cli.Out.WriteLine($"prefill   {result.Prefill.Median,10:F1} tokens/s  (pp{result.PrefillTokens}; {result.Prefill.Min:F1}..{result.Prefill.Max:F1})");
                cli.Out.WriteLine($"decode    {result.Decode.Median,10:F1} tokens/s  (tg{result.DecodeTokens}; {result.Decode.Min:F1}..{result.Decode.Max:F1})");
                cli.Out.WriteLine($"load      {result.LoadSeconds,10:F2} s");
            }
            return Task.FromResult(ExitCodes.Ok);
        });
        return cmd;
    }
}
