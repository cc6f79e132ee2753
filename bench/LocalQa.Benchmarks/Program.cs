using BenchmarkDotNet.Running;
using LocalQa.Benchmarks;

BenchmarkSwitcher.FromAssembly(typeof(DecodeStepBenchmarks).Assembly).Run(args);
