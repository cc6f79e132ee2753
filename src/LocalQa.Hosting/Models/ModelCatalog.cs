using System.Globalization;
using System.Text.Json;
using LocalQa.Core;
using LocalQa.Llama;

namespace LocalQa.Hosting.Models;

/// <summary>
/// The models LocalQa knows (models/catalog.json): a default chat model and a default embedding
/// model, and alternatives, each with its exact file name, size and SHA-256. Loading validates every
/// entry, so a download never starts from a malformed one. Immutable and safe to share.
/// </summary>
public sealed class ModelCatalog
{
    /// <summary>The catalog's file name, in a models/ folder.</summary>
    public const string FileName = "catalog.json";

    private static readonly HashSet<string> EntryKeys = new(StringComparer.Ordinal)
    {
        "name", "default", "file", "url", "sha256", "bytes", "license", "context", "dimensions", "query_prefix", "document_prefix",
    };

    private ModelCatalog(string source, IReadOnlyList<CatalogModel> models)
    {
        Source = source;
        Models = models;
        DefaultChat = models.Single(m => m.Kind == ModelKind.Chat && m.IsDefault);
        DefaultEmbedding = models.Single(m => m.Kind == ModelKind.Embedding && m.IsDefault);
    }

    /// <summary>The file the catalog was read from (or the name given to <see cref="Parse"/>).</summary>
    public string Source { get; }

    /// <summary>Every entry: chat models first, in file order.</summary>
    public IReadOnlyList<CatalogModel> Models { get; }

    public CatalogModel DefaultChat { get; }

    public CatalogModel DefaultEmbedding { get; }

    public IEnumerable<CatalogModel> OfKind(ModelKind kind) => Models.Where(m => m.Kind == kind);

    /// <summary>The default model of <paramref name="kind"/>.</summary>
    public CatalogModel DefaultOf(ModelKind kind) => kind == ModelKind.Chat ? DefaultChat : DefaultEmbedding;

    /// <summary>The entry called <paramref name="name"/> (case-insensitive), or null.</summary>
    public CatalogModel? Find(string name) =>
        Models.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The entry whose file is <paramref name="fileName"/> (case-insensitive), or null.</summary>
    public CatalogModel? FindByFile(string fileName) =>
        Models.FirstOrDefault(m => string.Equals(m.File, fileName, StringComparison.OrdinalIgnoreCase));

    /// <summary>The entry called <paramref name="name"/>; an unknown name is the user's to fix.</summary>
    public CatalogModel Get(string name) => Find(name) ?? throw new InvalidInputException(
        $"'{name}' is not a model in LocalQa's catalog ({Source}).",
        $"Use one of: {string.Join(", ", Models.Select(m => m.Name))}; or download another model by its address and SHA-256.")
    { Setting = nameof(DownloadRequest.Url) };

    /// <summary>
    /// Where the catalog is: models/catalog.json next to the binaries when published, else in the
    /// source checkout. Null when neither exists.
    /// </summary>
    public static string? DefaultPath => CandidatePaths().FirstOrDefault(File.Exists);

    /// <summary>The folders that ship with LocalQa and may hold models: next to the binaries, the checkout's models/.</summary>
    public static IReadOnlyList<string> BundledModelFolders()
    {
        var folders = new List<string>();
        foreach (var candidate in CandidatePaths())
        {
            var dir = Path.GetDirectoryName(candidate)!;
            if (Directory.Exists(dir) && !folders.Contains(dir, StringComparer.Ordinal)) folders.Add(dir);
        }
        return folders;
    }

    /// <summary>Loads the shipped catalog, or returns null when LocalQa was installed without one.</summary>
    public static ModelCatalog? TryLoadDefault() => DefaultPath is { } path ? Load(path) : null;

    /// <summary>Loads the shipped catalog; its absence is reported with a fix.</summary>
    public static ModelCatalog LoadDefault() => TryLoadDefault() ?? throw new InvalidInputException(
        $"LocalQa's model catalog (models/{FileName}) was not found: looked in {string.Join(" and ", CandidatePaths())}.",
        "Reinstall LocalQa with its models/ folder, or download a model by its address and SHA-256.")
    { Setting = nameof(DownloadRequest.Url) };

    /// <summary>Reads and validates the catalog at <paramref name="path"/>.</summary>
    public static ModelCatalog Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"The model catalog '{path}' cannot be read: {e.Message}", "Check that the file exists and that you may read it.", e);
        }
        return Parse(json, path);
    }

    /// <summary>Parses and validates catalog JSON; <paramref name="source"/> names it in errors.</summary>
    public static ModelCatalog Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw Invalid(source, string.Create(CultureInfo.InvariantCulture,
                $"it is not valid JSON (line {(e.LineNumber ?? 0) + 1}, column {(e.BytePositionInLine ?? 0) + 1})"));
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw Invalid(source, "it must be a JSON object with \"chat\" and \"embedding\" arrays");
            var models = new List<CatalogModel>();
            foreach (var section in doc.RootElement.EnumerateObject())
            {
                ModelKind kind;
                switch (section.Name)
                {
                    case "note":
                        continue;
                    case "chat":
                        kind = ModelKind.Chat;
                        break;
                    case "embedding":
                        kind = ModelKind.Embedding;
                        break;
                    default:
                        throw Invalid(source, $"\"{section.Name}\" is not a kind of model (the kinds are \"chat\" and \"embedding\")");
                }
                if (section.Value.ValueKind != JsonValueKind.Array)
                    throw Invalid(source, $"\"{section.Name}\" must be an array of models");
                var index = 0;
                foreach (var entry in section.Value.EnumerateArray())
                {
                    models.Add(ParseEntry(entry, kind, string.Create(CultureInfo.InvariantCulture, $"{section.Name}[{index}]"), source));
                    index++;
                }
            }
            CheckWhole(models, source);
            return new ModelCatalog(source, models.OrderBy(m => m.Kind).ToArray());
        }
    }

    private static CatalogModel ParseEntry(JsonElement e, ModelKind kind, string where, string source)
    {
        if (e.ValueKind != JsonValueKind.Object) throw Invalid(source, $"{where} must be an object");
        foreach (var p in e.EnumerateObject())
        {
            if (!EntryKeys.Contains(p.Name))
                throw Invalid(source, $"{where} has an unknown field \"{p.Name}\" (known: {string.Join(", ", EntryKeys)})");
        }
        var name = RequiredString(e, "name", where, source);
        where = $"{where} '{name}'";
        if (name.Any(char.IsWhiteSpace)) throw Invalid(source, $"{where}: the name must not contain spaces");

        var file = RequiredString(e, "file", where, source);
        if (file != Path.GetFileName(file) || file.IndexOfAny(['/', '\\']) >= 0 || file is "." or ".."
            || !file.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase))
            throw Invalid(source, $"{where}: \"file\" must be a plain .gguf file name, not '{file}'");

        var urlText = RequiredString(e, "url", where, source);
        if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps)
            throw Invalid(source, $"{where}: \"url\" must be an absolute https address, not '{urlText}'");

        var sha = RequiredString(e, "sha256", where, source);
        if (!IsSha256(sha)) throw Invalid(source, $"{where}: \"sha256\" must be 64 hex digits, not '{sha}'");

        if (!e.TryGetProperty("bytes", out var bytesEl) || !bytesEl.TryGetInt64(out var bytes) || bytes <= 0)
            throw Invalid(source, $"{where}: \"bytes\" must be a positive whole number");

        var isDefault = false;
        if (e.TryGetProperty("default", out var def))
        {
            if (def.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                throw Invalid(source, $"{where}: \"default\" must be true or false");
            isDefault = def.GetBoolean();
        }

        return new CatalogModel
        {
            Name = name,
            Kind = kind,
            File = file,
            Url = url,
            Sha256 = sha.ToLowerInvariant(),
            Bytes = bytes,
            License = OptionalString(e, "license", where, source),
            IsDefault = isDefault,
            Context = OptionalPositiveInt(e, "context", where, source),
            Dimensions = OptionalPositiveInt(e, "dimensions", where, source),
            QueryPrefix = OptionalString(e, "query_prefix", where, source),
            DocumentPrefix = OptionalString(e, "document_prefix", where, source),
        };
    }

    private static void CheckWhole(List<CatalogModel> models, string source)
    {
        var dupName = models.GroupBy(m => m.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (dupName is not null) throw Invalid(source, $"the name '{dupName.Key}' appears twice");
        var dupFile = models.GroupBy(m => m.File, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (dupFile is not null) throw Invalid(source, $"the file '{dupFile.Key}' appears twice");
        foreach (var kind in Enum.GetValues<ModelKind>())
        {
            var defaults = models.Where(m => m.Kind == kind && m.IsDefault).Select(m => m.Name).ToArray();
            var label = kind == ModelKind.Chat ? "chat" : "embedding";
            if (defaults.Length != 1)
                throw Invalid(source, defaults.Length == 0
                    ? $"no {label} model is marked \"default\": true (exactly one must be)"
                    : $"{defaults.Length} {label} models are marked default ({string.Join(", ", defaults)}); exactly one must be");
        }
    }

    /// <summary>True for exactly 64 hexadecimal digits (either case).</summary>
    public static bool IsSha256(string? text) => text is { Length: 64 } && text.All(char.IsAsciiHexDigit);

    private static string RequiredString(JsonElement e, string key, string where, string source) =>
        e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s
            ? s
            : throw Invalid(source, $"{where}: \"{key}\" is required and must be a non-empty string");

    private static string? OptionalString(JsonElement e, string key, string where, string source)
    {
        if (!e.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw Invalid(source, $"{where}: \"{key}\" must be a string");
    }

    private static int? OptionalPositiveInt(JsonElement e, string key, string where, string source)
    {
        if (!e.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.TryGetInt32(out var n) && n > 0 ? n : throw Invalid(source, $"{where}: \"{key}\" must be a positive whole number");
    }

    private static InvalidInputException Invalid(string source, string problem) => new(
        $"The model catalog '{source}' is malformed: {problem}.",
        "Restore models/catalog.json from LocalQa's release (or fix the entry named above).");

    private static IEnumerable<string> CandidatePaths()
    {
        yield return Path.Combine(AppContext.BaseDirectory, "models", FileName);
        if (LocalQaPaths.RepoRoot is { } root) yield return Path.Combine(root, "models", FileName);
    }
}
