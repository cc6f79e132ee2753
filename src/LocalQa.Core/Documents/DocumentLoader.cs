using LocalQa.Core.Documents.Cleaning;
using LocalQa.Core.Text;

namespace LocalQa.Core.Documents;

/// <summary>
/// Loads <c>.txt</c>, <c>.md</c>, <c>.html</c>, <c>.pdf</c>, <c>.docx</c> and <c>.epub</c> files
/// (and stdin text) into cleaned <see cref="Document"/>s, and finds such files in folders. Thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// Text is read as UTF-8 (with or without a byte-order mark) or as UTF-16 / UTF-32 when a
/// byte-order mark says so; invalid bytes become U+FFFD and are counted in the result. Files that
/// are not text (a known binary signature such as PDF, PNG, JPEG, GIF, ZIP/docx, GZIP, ELF or GGUF,
/// or NUL bytes in the first 8 KB without a UTF-16 byte-order mark) are skipped with a reason, unless
/// their extension names a format read by a parser (<c>.pdf</c>, <c>.docx</c>, <c>.epub</c>): those
/// are read whole and parsed, and one that cannot be read is skipped with a reason.
/// Files are read in pieces: a plain-text file needs a few times its size in memory.
/// </para>
/// <para>
/// A user's mistake (a missing path, a folder where a file is expected) throws
/// <see cref="InvalidInputException"/>; a file that cannot be read or is not text gives a skipped
/// <see cref="LoadResult"/>, so that a folder ingest loads everything else.
/// </para>
/// </remarks>
public static class DocumentLoader
{
    private const int MaxTitleLength = 200;

    /// <summary>The extensions that folder enumeration picks up, with their formats.</summary>
    public static IReadOnlyDictionary<string, DocumentFormat> SupportedExtensions { get; } =
        new Dictionary<string, DocumentFormat>(StringComparer.OrdinalIgnoreCase)
        {
            [".txt"] = DocumentFormat.PlainText,
            [".text"] = DocumentFormat.PlainText,
            [".md"] = DocumentFormat.Markdown,
            [".markdown"] = DocumentFormat.Markdown,
            [".html"] = DocumentFormat.Html,
            [".htm"] = DocumentFormat.Html,
            [".pdf"] = DocumentFormat.Pdf,
            [".docx"] = DocumentFormat.Docx,
            [".epub"] = DocumentFormat.Epub,
        };

    /// <summary>The format a file of this name is read as; plain text for unknown extensions.</summary>
    public static DocumentFormat FormatOf(string path) =>
        SupportedExtensions.TryGetValue(Path.GetExtension(path), out var format) ? format : DocumentFormat.PlainText;

    /// <summary>Loads one file.</summary>
    /// <exception cref="InvalidInputException">The path does not exist or is a folder.</exception>
    public static LoadResult Load(string path, LoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= LoadOptions.Default;
        var format = FormatOf(path);
        return ReadFile(
            path,
            fullPath =>
            {
                if (FileKind.Special(fullPath) is { } kind)
                {
                    return ReadSpecial(fullPath, kind, format, options, cancellationToken);
                }

                var info = FileTarget.Of(fullPath);
                if (info.Length > options.MaxFileBytes)
                {
                    return LoadResult.Skipped(
                        fullPath,
                        $"{fullPath}: skipped, it is {info.Length:N0} bytes, more than the limit of {options.MaxFileBytes:N0} bytes.",
                        format);
                }

                if (IsPackaged(format))
                {
                    // A PDF is read where the parser needs it (PdfPig seeks to each page's objects), never
                    // held whole: a long report's scans and figures are most of its bytes. Word and EPUB
                    // files are zip archives their parsers take as bytes.
                    using var file = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024, FileOptions.RandomAccess);
                    return BuildPackaged(fullPath, format, file, info.LastWriteTimeUtc, options, cancellationToken);
                }

                using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
                var source = SourceReader.Read(stream, asLines: format == DocumentFormat.PlainText, cancellationToken);
                return Build(fullPath, format, source, info.LastWriteTimeUtc, options);
            },
            (fullPath, reason) => LoadResult.Skipped(fullPath, reason, format));
    }

    /// <summary>
    /// A pipe or a character device named on its own (<c>summarize &lt;(cmd)</c>, /dev/stdin, a
    /// terminal) is read as the stream it is; it has no length to check first, so reading stops at
    /// the size limit (a device like /dev/zero never ends). Block devices and sockets are not read.
    /// </summary>
    private static LoadResult ReadSpecial(string fullPath, SpecialFile kind, DocumentFormat format, LoadOptions options, CancellationToken cancellationToken)
    {
        if (!FileKind.IsStream(kind))
        {
            return LoadResult.Skipped(fullPath, $"{fullPath}: skipped, it is {FileKind.Describe(kind)}, not a regular file.", format);
        }

        using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        var bytes = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (bytes.Length + read > options.MaxFileBytes)
            {
                return LoadResult.Skipped(fullPath, $"{fullPath}: skipped, it is {FileKind.Describe(kind)} that gave more than the limit of {options.MaxFileBytes:N0} bytes.", format);
            }

            bytes.Write(chunk, 0, read);
        }

        if (IsPackaged(format))
        {
            bytes.Position = 0;
            return BuildPackaged(fullPath, format, bytes, DateTimeOffset.UtcNow, options, cancellationToken);
        }

        bytes.Position = 0;
        var source = SourceReader.Read(bytes, asLines: format == DocumentFormat.PlainText, cancellationToken);
        return Build(fullPath, format, source, DateTimeOffset.UtcNow, options);
    }

    /// <summary>
    /// Checks that <paramref name="path"/> is an existing file and runs <paramref name="read"/> on its
    /// full path; a file that cannot be read becomes <paramref name="skipped"/> with a reason naming it.
    /// </summary>
    /// <exception cref="InvalidInputException">The path does not exist or is a folder.</exception>
    private static T ReadFile<T>(string path, Func<string, T> read, Func<string, string, T> skipped)
    {
        var fullPath = FullPath(path);
        if (Directory.Exists(fullPath))
        {
            throw new InvalidInputException(
                $"'{path}' is a folder, not a file.",
                "Name a file, or give the folder to ingest to load every .txt, .md, .html, .pdf, .docx and .epub file in it.");
        }

        if (!File.Exists(fullPath))
        {
            throw new InvalidInputException($"File not found: '{path}'.", "Check the path and its spelling.");
        }

        try
        {
            return read(fullPath);
        }
        catch (UnauthorizedAccessException)
        {
            return skipped(fullPath, $"{fullPath}: skipped, it cannot be read (permission denied).");
        }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
        {
            return skipped(fullPath, $"{fullPath}: skipped, it cannot be read ({ex.Message}).");
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidInputException($"File not found: '{path}'.", "Check the path and its spelling.", ex);
        }
    }

    /// <summary>
    /// Reads a plain-text file or a PDF a section at a time (see <see cref="LoadOptions.SectionChars"/>),
    /// cleaning each and handing it to <paramref name="onSection"/>, so that a file of any size needs
    /// the memory of a few sections. Cleaning rules see one section at a time. A PDF's pages are read
    /// as its sections need them (its running headers and footers found among neighbouring pages), and
    /// each section says where its pages start; any other file is read as plain text.
    /// </summary>
    /// <exception cref="InvalidInputException">The path does not exist or is a folder.</exception>
    public static SectionedLoad LoadSections(string path, Action<DocumentSection> onSection, LoadOptions? options = null, CancellationToken cancellationToken = default) =>
        LoadSectionsWithPageHook(path, onSection, options, pdfPageRead: null, cancellationToken);

    /// <summary><see cref="LoadSections"/>, telling <paramref name="pdfPageRead"/> of each PDF page as it is read.</summary>
    /// <param name="path">The file.</param>
    /// <param name="onSection">Called with each section, in order, on the calling thread.</param>
    /// <param name="options">Cleaning and section size.</param>
    /// <param name="pdfPageRead">Called with each PDF page's number as it is read from the file: lets a test see that pages are streamed.</param>
    /// <param name="cancellationToken">Checked between sections and pages.</param>
    internal static SectionedLoad LoadSectionsWithPageHook(string path, Action<DocumentSection> onSection, LoadOptions? options, Action<int>? pdfPageRead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onSection);
        options ??= LoadOptions.Default;
        return ReadFile(
            path,
            fullPath =>
            {
                if (FileKind.Special(fullPath) is { } kind)
                {
                    return new SectionedLoad { Path = fullPath, SkipReason = $"{fullPath}: skipped, it is {FileKind.Describe(kind)}, not a regular file." };
                }

                return FormatOf(fullPath) == DocumentFormat.Pdf
                    ? LoadPdfSections(fullPath, onSection, options, pdfPageRead, cancellationToken)
                    : LoadTextSections(fullPath, onSection, options, cancellationToken);
            },
            (fullPath, reason) => new SectionedLoad { Path = fullPath, SkipReason = reason });
    }

    private static SectionedLoad LoadTextSections(string fullPath, Action<DocumentSection> onSection, LoadOptions options, CancellationToken cancellationToken)
    {
        var info = FileTarget.Of(fullPath);
        var sections = new Sections(fullPath, DocumentFormat.PlainText, null, options, onSection);
        using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        var source = SourceReader.ReadSections(stream, options.SectionChars, Math.Max(2, options.SectionChars / 2), lines =>
            sections.Add(PlainTextParser.Parse(lines), stream.Position), cancellationToken);

        if (source.BinaryKind is not null)
        {
            return new SectionedLoad { Path = fullPath, SkipReason = $"{fullPath}: skipped, it is {source.BinaryKind}, not text.", SizeBytes = source.ByteCount };
        }

        return new SectionedLoad
        {
            Path = fullPath,
            Title = sections.Title,
            ContentHash = source.ContentHash,
            SizeBytes = source.ByteCount,
            ModifiedUtc = info.LastWriteTimeUtc,
            SkipReason = sections.Count > 0 ? null : $"{fullPath}: skipped, {sections.WhyEmpty}.",
            Warnings = LoadResult.InvalidBytesWarnings(fullPath, source.InvalidBytes, source.EncodingName),
        };
    }

    /// <summary>
    /// A PDF a section at a time: blocks gathered as its pages are read, a section handed on once
    /// it holds <see cref="LoadOptions.SectionChars"/> characters. A file PdfPig cannot read, at its
    /// start or on a page deep inside, is skipped as <see cref="Load"/> skips it; what was handed on
    /// before then is for the caller to drop (ingest rolls the document back).
    /// </summary>
    private static SectionedLoad LoadPdfSections(string fullPath, Action<DocumentSection> onSection, LoadOptions options, Action<int>? pageRead, CancellationToken cancellationToken)
    {
        var info = FileTarget.Of(fullPath);
        using var file = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024, FileOptions.RandomAccess);
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file));
        var size = file.Length;
        file.Position = 0;
        SectionedLoad Skipped(string reason) => new() { Path = fullPath, SkipReason = $"{fullPath}: skipped, {reason}.", SizeBytes = size };
        string Unreadable(Exception ex) => $"it is not a readable {Describe(DocumentFormat.Pdf)} ({ex.GetType().Name}: {ex.Message})";

        PdfParser.Reader? reader;
        string? skipReason;
        try
        {
            reader = PdfParser.Reader.Open(file, out skipReason, pageRead);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            return Skipped(Unreadable(ex));
        }

        if (reader is null)
        {
            return Skipped(skipReason!);
        }

        using (reader)
        {
            var sections = new Sections(fullPath, DocumentFormat.Pdf, reader.Title, options, onSection);
            var blocks = new List<TextBlock>();
            long chars = 0;
            using var enumerator = reader.Blocks(cancellationToken).GetEnumerator();
            while (true)
            {
                bool more;
                try
                {
                    more = enumerator.MoveNext();
                }
                catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
                {
                    // Only the parser is inside this catch: a failure in onSection (a cancelled ingest,
                    // a full disk) is the caller's and goes on up.
                    return Skipped(Unreadable(ex));
                }

                if (more)
                {
                    blocks.Add(enumerator.Current);
                    chars += enumerator.Current.Text.Length + 2;
                    if (chars < options.SectionChars)
                    {
                        continue;
                    }
                }

                if (blocks.Count > 0)
                {
                    // Progress through the file by pages read: a PDF's objects are read where they lie, not in order.
                    sections.Add(blocks, reader.PageCount == 0 ? size : size * reader.PagesRead / reader.PageCount);
                    blocks = [];
                    chars = 0;
                }

                if (!more)
                {
                    break;
                }
            }

            if (!reader.HasText)
            {
                return Skipped(PdfParser.NoTextLayer);
            }

            return new SectionedLoad
            {
                Path = fullPath,
                Title = sections.Title,
                ContentHash = hash,
                SizeBytes = size,
                ModifiedUtc = info.LastWriteTimeUtc,
                SkipReason = sections.Count > 0 ? null : $"{fullPath}: skipped, {sections.WhyEmpty}.",
            };
        }
    }

    /// <summary>Cleans and composes a file's blocks a section at a time and hands each section on with its place in the whole text.</summary>
    private sealed class Sections(string path, DocumentFormat format, string? knownTitle, LoadOptions options, Action<DocumentSection> onSection)
    {
        private long _offset;
        private int _removed;

        /// <summary>Sections handed on so far.</summary>
        public int Count { get; private set; }

        /// <summary>The document's title, chosen from the first section with text.</summary>
        public string? Title { get; private set; }

        /// <summary>Why no section was handed on, as a clause for "skipped, …".</summary>
        public string WhyEmpty => _removed > 0 ? "no text is left after removing boilerplate" : "it contains no text";

        public void Add(List<TextBlock> blocks, long bytesRead)
        {
            var cleaned = options.Cleaner.Clean(blocks);
            _removed += cleaned.Removed.Count;
            var (text, headings, _, pages) = DocumentText.Compose(cleaned.Blocks);
            if (text.Length == 0)
            {
                return;
            }

            Title ??= ChooseTitle(format, knownTitle, cleaned, path);
            var start = Count == 0 ? 0 : _offset + 2;
            if (start + text.Length > int.MaxValue)
            {
                throw new InvalidInputException(
                    $"'{path}' holds more than {int.MaxValue:N0} characters of text, more than one document can.",
                    "Split the file into smaller ones and ingest their folder.");
            }

            onSection(new DocumentSection(Count, start, text, headings, bytesRead, Title) { Pages = pages });
            Count++;
            _offset = start + text.Length;
        }
    }

    /// <summary>
    /// Loads text that did not come from a file (stdin, a paste). <paramref name="name"/> becomes the
    /// document's path; its extension picks the format (plain text when it has none).
    /// </summary>
    public static LoadResult LoadText(string text, string name, LoadOptions? options = null, DateTimeOffset? modifiedUtc = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(name);
        options ??= LoadOptions.Default;
        var format = FormatOf(name);
        if (IsPackaged(format))
        {
            // Text already decoded cannot be a PDF, Word or EPUB file: it is read as what it is.
            format = DocumentFormat.PlainText;
        }

        if (text.Contains('\0', StringComparison.Ordinal))
        {
            return LoadResult.Skipped(name, $"{name}: skipped, it contains NUL characters and is not text.", format);
        }

        var source = new DecodedSource
        {
            Text = format == DocumentFormat.PlainText ? null : text,
            Lines = format == DocumentFormat.PlainText ? SplitLines(text) : null,
            ContentHash = SourceReader.HashText(text),
            ByteCount = System.Text.Encoding.UTF8.GetByteCount(text),
            EncodingName = "UTF-16 string",
        };
        return Build(name, format, source, modifiedUtc ?? DateTimeOffset.UtcNow, options);
    }

    /// <summary>
    /// Expands <paramref name="paths"/>: a file is taken whatever its extension; a folder is searched
    /// recursively for the <see cref="SupportedExtensions"/>, skipping hidden entries (names starting
    /// with a dot). Folders and files that cannot be read become warnings instead of errors.
    /// </summary>
    /// <exception cref="InvalidInputException">A path does not exist.</exception>
    public static FileEnumeration EnumerateFiles(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var files = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var warnings = new List<PathWarning>();
        var visitedFolders = new HashSet<string>(StringComparer.Ordinal);
        var unreadable = 0;
        foreach (var path in paths)
        {
            var fullPath = FullPath(path);
            if (File.Exists(fullPath))
            {
                if (seen.Add(fullPath) && !AddIfReadable(fullPath, files, warnings))
                {
                    unreadable++;
                }
            }
            else if (Directory.Exists(fullPath))
            {
                unreadable += CollectFolder(fullPath, files, seen, warnings, visitedFolders);
            }
            else
            {
                throw new InvalidInputException($"Path not found: '{path}'.", "Check the path and its spelling.");
            }
        }

        return new FileEnumeration(files, warnings, unreadable);
    }

    /// <summary>
    /// Loads every file under <paramref name="paths"/> (see <see cref="EnumerateFiles"/>), one result
    /// per file in order, plus a skipped result per folder that could not be read.
    /// </summary>
    /// <exception cref="InvalidInputException">A path does not exist (thrown before anything loads).</exception>
    public static IEnumerable<LoadResult> LoadMany(IEnumerable<string> paths, LoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        var enumeration = EnumerateFiles(paths);
        return LoadAll(enumeration, options, cancellationToken);
    }

    private static IEnumerable<LoadResult> LoadAll(FileEnumeration enumeration, LoadOptions? options, CancellationToken cancellationToken)
    {
        foreach (var warning in enumeration.Warnings)
        {
            yield return LoadResult.Skipped(warning.Path, warning.Message);
        }

        foreach (var file in enumeration.Files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            LoadResult result;
            try
            {
                result = Load(file, options, cancellationToken);
            }
            catch (InvalidInputException ex)
            {
                // Deleted or replaced by a folder since it was found.
                result = LoadResult.Skipped(file, $"{file}: skipped, {ex.Message}");
            }

            yield return result;
        }
    }

    private static LoadResult Build(string path, DocumentFormat format, DecodedSource source, DateTimeOffset modifiedUtc, LoadOptions options)
    {
        if (source.BinaryKind is not null)
        {
            return LoadResult.Skipped(path, $"{path}: skipped, it is {source.BinaryKind}, not text.", format);
        }

        string? htmlTitle = null;
        List<TextBlock> blocks;
        var parseWarnings = new List<string>();
        switch (format)
        {
            case DocumentFormat.Markdown:
                var nesting = MarkdownParser.NestingEstimate(source.Text!);
                if (nesting > MarkdownParser.MaxNesting)
                {
                    // Its text is still worth having; only the markup is beyond reading.
                    blocks = PlainTextParser.Parse(SplitLines(source.Text!));
                    parseWarnings.Add($"{path}: its Markdown nests about {nesting} levels deep, more than the {MarkdownParser.MaxNesting} LocalQa parses; it was read as plain text.");
                }
                else if (MarkdownParser.TryParse(source.Text!, out var refusal) is { } parsed)
                {
                    blocks = parsed;
                }
                else
                {
                    return LoadResult.Skipped(path, $"{path}: skipped, its Markdown cannot be parsed ({refusal}).", format);
                }

                break;
            case DocumentFormat.Html:
                var page = HtmlPageParser.Parse(source.Text!);
                htmlTitle = page.Title;
                blocks = page.Blocks;
                if (page.DroppedTags > 0)
                {
                    parseWarnings.Add($"{path}: {page.DroppedTags:N0} HTML tags nested deeper than {HtmlNesting.MaxDepth} levels were ignored; their text was kept.");
                }

                break;
            default:
                blocks = PlainTextParser.Parse(source.Lines!);
                break;
        }

        return Finish(path, format, blocks, htmlTitle, source, modifiedUtc, options, parseWarnings);
    }

    private static bool IsPackaged(DocumentFormat format) => format is DocumentFormat.Pdf or DocumentFormat.Docx or DocumentFormat.Epub;

    /// <summary>
    /// PDF, Word and EPUB: binary containers whose text a parser extracts. Whatever the bytes hold,
    /// the result is a document or a skip that names the file: a damaged file must not end an ingest.
    /// </summary>
    /// <param name="path">The file's full path, named in every skip.</param>
    /// <param name="format">Which of the three it is, by its extension.</param>
    /// <param name="file">The file's bytes, seekable and at its start.</param>
    /// <param name="modifiedUtc">The file's last write time, kept with the document.</param>
    /// <param name="options">Cleaning and size limits.</param>
    /// <param name="cancellationToken">Stops a long parse between pages.</param>
    private static LoadResult BuildPackaged(string path, DocumentFormat format, Stream file, DateTimeOffset modifiedUtc, LoadOptions options, CancellationToken cancellationToken)
    {
        var source = new DecodedSource
        {
            ContentHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file)),
            ByteCount = file.Length,
            EncodingName = format.ToString(),
        };
        file.Position = 0;
        PackagedText parsed;
        try
        {
            parsed = format switch
            {
                DocumentFormat.Pdf => PdfParser.Parse(file, cancellationToken),
                DocumentFormat.Docx => DocxParser.Parse(ReadAll(file), cancellationToken),
                _ => EpubParser.Parse(ReadAll(file), cancellationToken),
            };
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            // The parsers throw their own exception types (and plain ones on damaged input); none of
            // them is a reason to stop loading the other files.
            return LoadResult.Skipped(path, $"{path}: skipped, it is not a readable {Describe(format)} ({ex.GetType().Name}: {ex.Message}).", format);
        }

        if (parsed.SkipReason is not null)
        {
            return LoadResult.Skipped(path, $"{path}: skipped, {parsed.SkipReason}.", format);
        }

        return Finish(path, format, parsed.Blocks, parsed.Title, source, modifiedUtc, options, [.. parsed.Warnings.Select(w => $"{path}: {w}")]);
    }

    private static byte[] ReadAll(Stream file)
    {
        var bytes = new byte[file.Length];
        file.ReadExactly(bytes);
        return bytes;
    }

    private static string Describe(DocumentFormat format) => format switch
    {
        DocumentFormat.Pdf => "PDF",
        DocumentFormat.Docx => "Word document",
        DocumentFormat.Epub => "EPUB book",
        _ => format.ToString(),
    };

    private static LoadResult Finish(string path, DocumentFormat format, List<TextBlock> blocks, string? knownTitle, DecodedSource source, DateTimeOffset modifiedUtc, LoadOptions options, List<string> parseWarnings)
    {
        var cleaned = options.Cleaner.Clean(blocks);
        var (text, headings, spans, pages) = DocumentText.Compose(cleaned.Blocks);
        if (text.Length == 0)
        {
            var why = cleaned.Removed.Count > 0 ? "no text is left after removing boilerplate" : "it contains no text";
            return LoadResult.Skipped(path, $"{path}: skipped, {why}.", format);
        }

        var title = ChooseTitle(format, knownTitle, cleaned, path);
        var document = new Document(path, title, text, source.ContentHash, source.ByteCount, modifiedUtc)
        {
            Headings = headings,
            Blocks = spans,
            Pages = pages,
        };
        return LoadResult.Loaded(path, document, format, source.EncodingName, source.InvalidBytes, cleaned.Removed, parseWarnings);
    }

    /// <summary>
    /// HTML: the &lt;title&gt;; Markdown: the first heading; plain text: the first line when it is a
    /// heading. Then a rule's hint (a breadcrumb's last step), then the first line (its first sentence
    /// when the line is long), then the file name.
    /// </summary>
    private static string ChooseTitle(DocumentFormat format, string? htmlTitle, CleaningResult cleaned, string path)
    {
        var blocks = cleaned.Blocks;
        var title = htmlTitle;
        if (string.IsNullOrWhiteSpace(title))
        {
            title = format == DocumentFormat.PlainText
                ? blocks.Count > 0 && blocks[0].IsHeading ? blocks[0].Text : null
                : blocks.FirstOrDefault(b => b.IsHeading)?.Text;
        }

        if (string.IsNullOrWhiteSpace(title))
        {
            title = cleaned.TitleHint;
        }

        if (string.IsNullOrWhiteSpace(title) && blocks.Count > 0)
        {
            title = blocks[0].Text.Split('\n')[0];
            if (title.Length > MaxTitleLength / 2)
            {
                foreach (var sentence in SentenceSplitter.Enumerate(title))
                {
                    title = title.Substring(sentence.Start, sentence.Length);
                    break;
                }
            }
        }

        if (string.IsNullOrWhiteSpace(title))
        {
            return Path.GetFileNameWithoutExtension(path);
        }

        if (title.Length <= MaxTitleLength)
        {
            return title;
        }

        var cut = title.LastIndexOf(' ', MaxTitleLength - 1);
        return string.Concat(title.AsSpan(0, cut > MaxTitleLength / 2 ? cut : MaxTitleLength - 1), "\u2026");
    }

    /// <returns>How many files were found but could not be read.</returns>
    private static int CollectFolder(string root, List<string> files, HashSet<string> seen, List<PathWarning> warnings, HashSet<string> visited)
    {
        var unreadable = 0;
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var folder = pending.Pop();
            if (!visited.Add(RealPath(folder)))
            {
                continue;
            }

            string[] entries;
            try
            {
                entries = Directory.GetFileSystemEntries(folder);
            }
            catch (UnauthorizedAccessException)
            {
                warnings.Add(new PathWarning(folder, $"{folder}: folder skipped, it cannot be read (permission denied)."));
                continue;
            }
            catch (IOException ex)
            {
                warnings.Add(new PathWarning(folder, $"{folder}: folder skipped, it cannot be read ({ex.Message})."));
                continue;
            }

            Array.Sort(entries, StringComparer.Ordinal);
            var subfolders = new List<string>();
            foreach (var entry in entries)
            {
                if (Path.GetFileName(entry).StartsWith('.'))
                {
                    continue;
                }

                if (Directory.Exists(entry))
                {
                    subfolders.Add(entry);
                }
                else if (SupportedExtensions.ContainsKey(Path.GetExtension(entry)) && File.Exists(entry) && seen.Add(entry)
                         && !AddIfReadable(entry, files, warnings))
                {
                    unreadable++;
                }
            }

            for (var i = subfolders.Count - 1; i >= 0; i--)
            {
                pending.Push(subfolders[i]);
            }
        }

        return unreadable;
    }

    /// <returns>False when the file cannot be opened (a warning says why).</returns>
    private static bool AddIfReadable(string file, List<string> files, List<PathWarning> warnings)
    {
        // Before opening: opening a named pipe waits for a writer that may never come.
        if (FileKind.Special(file) is { } kind)
        {
            warnings.Add(new PathWarning(file, $"{file}: skipped, it is {FileKind.Describe(kind)}, not a regular file."));
            return false;
        }

        try
        {
            using var handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            files.Add(file);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            warnings.Add(new PathWarning(file, $"{file}: skipped, it cannot be read (permission denied)."));
        }
        catch (IOException ex)
        {
            warnings.Add(new PathWarning(file, $"{file}: skipped, it cannot be read ({ex.Message})."));
        }

        return false;
    }

    // A folder reached through a symbolic link is visited once, so link cycles end.
    private static string RealPath(string folder)
    {
        try
        {
            var target = new DirectoryInfo(folder).ResolveLinkTarget(returnFinalTarget: true);
            return target?.FullName ?? folder;
        }
        catch (IOException)
        {
            return folder;
        }
    }

    internal static string FullPath(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new InvalidInputException("An empty path was given.", "Name a file or a folder.");
        }

        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new InvalidInputException($"'{path}' is not a valid path.", "Check the path and its spelling.", ex);
        }
    }

    private static List<string> SplitLines(string text)
    {
        return [.. text.ReplaceLineEndings("\n").Split('\n')];
    }
}
