namespace LocalQa.Llama.Tests.Engine;

/// <summary>A ../shared model the test needs: the test is skipped (never passed) where it is absent.</summary>
internal static class SharedModels
{
    internal static string Require(string name) =>
        TestPaths.SharedModel(name) ?? throw Xunit.Sdk.SkipException.ForSkip($"../shared/models/{name} is absent; this test needs it.");
}
