using LocalQa.Core.Documents.Cleaning;

namespace LocalQa.Core.Documents;

/// <summary>How a source was read.</summary>
public enum DocumentFormat
{
    /// <summary>Plain text (<c>.txt</c>, stdin, and any explicitly named file of another extension).</summary>
    PlainText,

    /// <summary>Markdown (<c>.md</c>, <c>.markdown</c>).</summary>
    Markdown,

    /// <summary>HTML (<c>.html</c>, <c>.htm</c>).</summary>
    Html,

    /// <summary>PDF (<c>.pdf</c>) with a text layer, read with PdfPig; blocks carry their page.</summary>
    Pdf,

    /// <summary>Word (<c>.docx</c>), read with the Open XML SDK.</summary>
    Docx,

    /// <summary>EPUB (<c>.epub</c>): the spine's chapters, each through the HTML parser.</summary>
    Epub,
}

/// <summary>The outcome of loading one file: a document, or the reason it was skipped.</summary>
public sealed class LoadResult
{
    private LoadResult(string path, Document? document, string? skipReason)
    {
        Path = path;
        Document = document;
        SkipReason = skipReason;
    }

    /// <summary>The path as given or found.</summary>
    public string Path { get; }

    /// <summary>The document, or null when <see cref="IsLoaded"/> is false.</summary>
    public Document? Document { get; }

    /// <summary>True when the file was loaded.</summary>
    public bool IsLoaded => Document is not null;

    /// <summary>Why the file was skipped, as a sentence that names it; null when loaded.</summary>
    public string? SkipReason { get; }

    /// <summary>How the file was read.</summary>
    public DocumentFormat Format { get; private init; }

    /// <summary>The encoding the text was decoded with ("UTF-8", "UTF-16 LE", …).</summary>
    public string EncodingName { get; private init; } = "";

    /// <summary>Invalid bytes that were replaced with U+FFFD while decoding.</summary>
    public long InvalidBytesReplaced { get; private init; }

    /// <summary>Problems that did not stop the load, each naming the file (for example replaced bytes).</summary>
    public IReadOnlyList<string> Warnings { get; private init; } = [];

    /// <summary>The blocks that boilerplate cleaning removed.</summary>
    public IReadOnlyList<RemovedBlock> Removed { get; private init; } = [];

    internal static LoadResult Loaded(
        string path,
        Document document,
        DocumentFormat format,
        string encodingName,
        long invalidBytes,
        IReadOnlyList<RemovedBlock> removed,
        IReadOnlyList<string>? parseWarnings = null)
    {
        IReadOnlyList<string> warnings = [.. InvalidBytesWarnings(path, invalidBytes, encodingName), .. parseWarnings ?? []];
        return new LoadResult(path, document, null)
        {
            Format = format,
            EncodingName = encodingName,
            InvalidBytesReplaced = invalidBytes,
            Warnings = warnings,
            Removed = removed,
        };
    }

    /// <summary>The warning for bytes replaced while decoding, or none.</summary>
    internal static IReadOnlyList<string> InvalidBytesWarnings(string path, long invalidBytes, string encodingName) =>
        invalidBytes == 0
            ? []
            : [$"{path}: {invalidBytes} invalid {(invalidBytes == 1 ? "byte was" : "bytes were")} replaced with U+FFFD (the file is not valid {encodingName})."];

    internal static LoadResult Skipped(string path, string reason, DocumentFormat format = DocumentFormat.PlainText) =>
        new(path, null, reason) { Format = format };

    /// <inheritdoc/>
    public override string ToString() => IsLoaded ? $"loaded {Path}" : $"skipped: {SkipReason}";
}

/// <summary>Options for <see cref="DocumentLoader"/>.</summary>
public sealed record LoadOptions
{
    /// <summary>The default options.</summary>
    public static LoadOptions Default { get; } = new();

    /// <summary>
    /// For an article about to be summarized: the publisher's closing "about us" paragraph goes too.
    /// The index keeps it (it states facts a user may ask about), but it is not what the article says.
    /// </summary>
    public static LoadOptions Summarizing { get; } = new() { Cleaner = BoilerplateCleaner.Default.With(new PublisherBlurbRule()) };

    /// <summary>Removes boilerplate from loaded text; <see cref="BoilerplateCleaner.None"/> keeps everything.</summary>
    public BoilerplateCleaner Cleaner { get; init; } = BoilerplateCleaner.Default;

    /// <summary>
    /// Files larger than this are skipped with a reason by <see cref="DocumentLoader.Load"/>, which
    /// holds a file whole (default 256 MiB). Ingest reads large plain text a section at a time
    /// instead (see <see cref="DocumentLoader.LoadSections"/>), whatever its size.
    /// </summary>
    public long MaxFileBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>
    /// Plain-text files larger than this are ingested a section at a time, so memory stays the same
    /// whatever their size (default 16 MiB; smaller files are loaded whole, which is faster). PDFs are
    /// ingested a section at a time whatever their size, their pages streamed.
    /// </summary>
    public long StreamingThresholdBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>
    /// Characters per section of a file read a section at a time (default 1 Mi). Chunks do not cross
    /// from one section into the next; a PDF's section ends at the paragraph that reaches this size.
    /// </summary>
    public int SectionChars { get; init; } = 1 << 20;
}

/// <summary>A path that could not be read while looking for files.</summary>
/// <param name="Path">The folder or file.</param>
/// <param name="Message">A sentence that names the path and says why.</param>
public sealed record PathWarning(string Path, string Message)
{
    /// <summary>The message for a line of output, naming the path once (most messages already start with it).</summary>
    public string Line => Message.Contains(Path, StringComparison.Ordinal) ? Message : $"{Path}: {Message}";
}

/// <summary>The files found under the paths given to <see cref="DocumentLoader.EnumerateFiles"/>.</summary>
/// <param name="Files">Full paths of the files to load, in a stable order, without duplicates.</param>
/// <param name="Warnings">Folders and files that could not be read.</param>
/// <param name="UnreadableFiles">How many of the warnings are files (the rest are folders): skipped files, to count.</param>
public sealed record FileEnumeration(IReadOnlyList<string> Files, IReadOnlyList<PathWarning> Warnings, int UnreadableFiles = 0);
