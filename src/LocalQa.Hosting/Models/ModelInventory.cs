using LocalQa.Core;
using LocalQa.Core.Gguf;
using LocalQa.Llama;

namespace LocalQa.Hosting.Models;

/// <summary>Finds GGUF files in models folders and describes them from their headers alone.</summary>
public static class ModelInventory
{
    // Encoder architectures llama.cpp runs as embedding models (llama-arch.cpp names).
    private static readonly HashSet<string> EncoderArchitectures = new(StringComparer.OrdinalIgnoreCase)
    {
        "bert", "nomic-bert", "nomic-bert-moe", "jina-bert-v2", "jina-bert-v3", "modern-bert", "neo-bert", "t5encoder",
    };

    // Model stores such as LM Studio's keep files two levels down (publisher/repository/file.gguf).
    private static readonly EnumerationOptions Search = new()
    {
        RecurseSubdirectories = true,
        MaxRecursionDepth = 2,
        IgnoreInaccessible = true,
        MatchCasing = MatchCasing.CaseInsensitive,
        AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
    };

    /// <summary>
    /// Every *.gguf file in <paramref name="folders"/> (and up to two levels below), each file once,
    /// in folder order then by name. Missing folders are skipped.
    /// </summary>
    public static IReadOnlyList<LocalModel> Scan(IEnumerable<string> folders, ModelCatalog? catalog = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(folders);
        var seen = new HashSet<string>(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        var found = new List<LocalModel>();
        foreach (var folder in folders)
        {
            if (!Directory.Exists(folder)) continue;
            foreach (var file in Directory.EnumerateFiles(folder, "*.gguf", Search).Order(StringComparer.Ordinal))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var full = Path.GetFullPath(file);
                if (seen.Add(full)) found.Add(Describe(full, catalog));
            }
        }
        return found;
    }

    /// <summary>Describes one file; an invalid GGUF file gives a <see cref="LocalModel"/> with <see cref="LocalModel.Error"/>.</summary>
    public static LocalModel Describe(string path, ModelCatalog? catalog = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var size = File.Exists(path) ? FileTarget.Of(path).Length : 0;
        var entry = catalog?.FindByFile(Path.GetFileName(path));
        GgufFile gguf;
        try
        {
            gguf = GgufReader.Read(path);
        }
        catch (GgufFormatException e)
        {
            return new LocalModel { Path = path, SizeBytes = size, Catalog = entry, Error = e.Message };
        }
        return new LocalModel
        {
            Path = path,
            SizeBytes = size,
            Architecture = gguf.Architecture,
            DisplayName = gguf.Name,
            Parameters = gguf.ParameterCount,
            Quantization = gguf.FileType ?? gguf.PredominantTensorType?.ToString(),
            ContextLength = gguf.ContextLength,
            EmbeddingLength = gguf.EmbeddingLength,
            HasChatTemplate = gguf.ChatTemplate is not null,
            IsEmbeddingCapable = IsEmbeddingCapable(gguf),
            Catalog = entry,
        };
    }

    /// <summary>
    /// Whether llama.cpp can use the file for embeddings out of the box: it declares a pooling type,
    /// or its architecture is an encoder. A decoder without pooling_type still embeds when a context
    /// asks for mean pooling, but that is not what it was made for.
    /// </summary>
    public static bool IsEmbeddingCapable(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return file.PoolingType is { } p && p != GgufPoolingType.None
            || (file.Architecture is { } arch && EncoderArchitectures.Contains(arch));
    }

    /// <summary>The catalog entries with no file of their name in <paramref name="present"/>.</summary>
    public static IReadOnlyList<CatalogModel> NotDownloaded(ModelCatalog catalog, IEnumerable<LocalModel> present)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(present);
        var names = present.Where(m => m.Error is null).Select(m => m.FileName).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return catalog.Models.Where(m => !names.Contains(m.File)).ToArray();
    }

    /// <summary>
    /// Finds a model by what a user typed: a path (absolute, or relative to <paramref name="baseDirectory"/>),
    /// a catalog name, or a file name in one of <paramref name="folders"/>. Null when nothing matches.
    /// </summary>
    public static string? Locate(string reference, IEnumerable<string> folders, ModelCatalog? catalog, string baseDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        ArgumentNullException.ThrowIfNull(folders);
        var direct = Path.GetFullPath(reference, baseDirectory);
        if (File.Exists(direct)) return direct;
        if (LooksLikePath(reference)) return null;
        var fileName = catalog?.Find(reference)?.File ?? reference;
        foreach (var folder in folders)
        {
            var candidate = Path.Combine(folder, fileName);
            if (File.Exists(candidate)) return Path.GetFullPath(candidate);
            if (!fileName.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) && File.Exists(candidate + ".gguf"))
                return Path.GetFullPath(candidate + ".gguf");
        }
        return null;
    }

    /// <summary>True when <paramref name="reference"/> names a place (has a folder part), not just a model.</summary>
    public static bool LooksLikePath(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return Path.IsPathRooted(reference) || reference.IndexOfAny(['/', '\\']) >= 0 || reference.StartsWith('~');
    }
}
