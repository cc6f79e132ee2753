using LocalQa.Core.Gguf;
using LocalQa.Testing;

namespace LocalQa.Benchmarks;

/// <summary>Scratch files of one benchmark process: the tiny generated model, generated indexes.</summary>
internal static class BenchmarkFiles
{
    private static readonly Lazy<string> Folder = new(() => Directory.CreateTempSubdirectory("localqa-benchmarks-").FullName);

    /// <summary>The tiny random-weight llama model (width 64, 2 layers), written on first use.</summary>
    public static string TinyModel()
    {
        var path = Path.Combine(Folder.Value, "tiny.gguf");
        if (!File.Exists(path)) SyntheticModel.WriteTiny(path);
        return path;
    }

    public static string PathOf(string name) => Path.Combine(Folder.Value, name);

    /// <summary>Removes the scratch folder; the benchmark classes call it from their cleanup.</summary>
    public static void DeleteAll()
    {
        if (!Folder.IsValueCreated) return;
        try
        {
            Directory.Delete(Folder.Value, recursive: true);
        }
        catch (IOException)
        {
            // Another benchmark class of this process may still hold a file; the temp folder is harmless.
        }
    }
}
