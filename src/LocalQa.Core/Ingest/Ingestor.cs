using System.Diagnostics;
using System.Security.Cryptography;
using System.Threading.Channels;
using LocalQa.Core.Ai;
using LocalQa.Core.Chunking;
using LocalQa.Core.Documents;
using LocalQa.Core.Index;
using Microsoft.Extensions.AI;

namespace LocalQa.Core.Ingest;

/// <summary>How files are brought into the index.</summary>
public sealed record IngestOptions
{
    /// <summary>Remove indexed documents under the given folders whose files are gone.</summary>
    public bool Prune { get; init; }

    /// <summary>How each file is read: boilerplate cleaning, size limits, large files read a section at a time.</summary>
    public LoadOptions Load { get; init; } = LoadOptions.Default;

    /// <summary>Chunks embedded per call to the embedder (one batch of sequences).</summary>
    public int EmbedBatch { get; init; } = 32;
}

/// <summary>Progress for a terminal: files done of total, chunks so far, embedding speed.</summary>
public sealed record IngestProgress(int FilesDone, int FilesTotal, long Chunks, long EmbeddedTokens, double EmbedTokensPerSecond, string? Current)
{
    /// <summary>Bytes read of the current file, for a file ingested a section at a time (0 otherwise).</summary>
    public long CurrentBytesDone { get; init; }

    /// <summary>Size of the current file when <see cref="CurrentBytesDone"/> is reported.</summary>
    public long CurrentBytes { get; init; }
}

/// <summary>What one ingest did: files counted by outcome, and the index's size after it.</summary>
public sealed record IngestReport
{
    /// <summary>Files indexed for the first time.</summary>
    public int Added { get; init; }

    /// <summary>Files already indexed whose content changed: re-indexed, replacing the old version.</summary>
    public int Updated { get; init; }

    /// <summary>Files already indexed with the same content, left as they were without being parsed.</summary>
    public int Unchanged { get; init; }

    /// <summary>Documents removed because their files are gone; 0 unless <see cref="IngestOptions.Prune"/> was set.</summary>
    public int Removed { get; init; }

    /// <summary>Files not indexed (binary, empty, unreadable, vanished); <see cref="Warnings"/> says why.</summary>
    public int Skipped { get; init; }

    /// <summary>Documents in the whole index after the ingest, not only this one's.</summary>
    public long Documents { get; init; }

    /// <summary>Chunks in the whole index after the ingest, not only this one's.</summary>
    public long Chunks { get; init; }

    /// <summary>Wall-clock seconds the ingest took.</summary>
    public double Seconds { get; init; }

    /// <summary>
    /// Chunks given a vector, older chunks that lacked one for the embedding model included; 0
    /// without an embedding model.
    /// </summary>
    public int Embedded { get; init; }

    /// <summary>True when no embedding model was given: retrieval is BM25 alone.</summary>
    public bool LexicalOnly { get; init; }

    /// <summary>Why files were skipped, and problems that did not stop a file (bytes that were not valid text, say), each with its path.</summary>
    public IReadOnlyList<PathWarning> Warnings { get; init; } = [];

    /// <summary>Documents added or changed in this run that nearly duplicate one already indexed: grouped, both kept.</summary>
    public IReadOnlyList<NearDuplicate> NearDuplicates { get; init; } = [];
}

/// <param name="Path">The document just ingested.</param>
/// <param name="CopyOf">The earliest indexed document of its near-duplicate group.</param>
public sealed record NearDuplicate(string Path, string CopyOf);

/// <summary>
/// Brings files into the index: unchanged ones (same content hash) are skipped without parsing,
/// changed ones re-chunked and replaced in one transaction each, so a crash leaves every document
/// wholly old or wholly new. With an embedder, new chunks are embedded in batches and chunks that
/// lack a vector for this model (a model change) get one, without touching their text.
/// </summary>
/// <remarks>
/// The embedder is any <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>: LocalQa's own runs each
/// batch as parallel sequences of one decode; another (a server, a test double) gets the same batches.
/// </remarks>
internal sealed class Ingestor(LocalQaIndex index, Chunker chunker, IEmbeddingGenerator<string, Embedding<float>>? embedder = null, string? embedModelId = null)
{
    public async Task<IngestReport> IngestAsync(IEnumerable<string> paths, IngestOptions? options = null, IProgress<IngestProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        options ??= new IngestOptions();
        if (embedder is not null && embedModelId is null) throw new InvalidOperationException("An embedder needs its model id.");
        var sw = Stopwatch.StartNew();
        var roots = paths.Select(DocumentLoader.FullPath).ToArray();
        foreach (var r in roots)
        {
            if (!File.Exists(r) && !Directory.Exists(r))
                throw new InvalidInputException($"'{r}' does not exist.", "Pass existing files or folders to ingest.");
        }
        var found = DocumentLoader.EnumerateFiles(roots);
        var warnings = new List<PathWarning>(found.Warnings);
        var nearDuplicates = new List<NearDuplicate>();
        void NoteNearDuplicate(string file)
        {
            if (index.NearDuplicateOf(file) is { } copyOf) nearDuplicates.Add(new NearDuplicate(file, copyOf));
        }
        int added = 0, updated = 0, unchanged = 0, removed = 0, embedded = 0;
        var skipped = found.UnreadableFiles;
        long chunks = 0, embedTokens = 0;
        var embedSeconds = 0.0;
        var done = 0;

        // Small files share transactions (each still atomic): committing every note alone made a
        // folder of 100,000 of them rewrite the same index pages 100,000 times.
        using (var batch = index.BeginBatch())
        {
            foreach (var file in found.Files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report(new IngestProgress(done, found.Files.Count, chunks, embedTokens, embedSeconds > 0 ? embedTokens / embedSeconds : 0, file));
                done++;
                var size = SizeOf(file);
                var known = index.TryGetDocumentHash(file, out var oldHash, out var oldSize);
                if (known && size == oldSize && HashMatches(file, oldHash!))
                {
                    unchanged++;
                    continue;
                }
                if (IsSectioned(file, size, options.Load))
                {
                    var large = await IngestSectionsAsync(file, size, options, p => progress?.Report(p with { FilesDone = done - 1, FilesTotal = found.Files.Count, Chunks = chunks + p.Chunks }), cancellationToken).ConfigureAwait(false);
                    foreach (var w in large.Warnings) warnings.Add(new PathWarning(file, w));
                    if (large.SkipReason is not null)
                    {
                        warnings.Add(new PathWarning(file, large.SkipReason));
                        skipped++;
                        continue;
                    }
                    chunks += large.Chunks;
                    embedded += large.Embedded;
                    embedTokens += large.EmbeddedTokens;
                    embedSeconds += large.EmbedSeconds;
                    if (known) updated++;
                    else added++;
                    NoteNearDuplicate(file);
                    continue;
                }
                LoadResult loaded;
                try
                {
                    loaded = DocumentLoader.Load(file, options.Load, cancellationToken);
                }
                catch (InvalidInputException ex)
                {
                    // Vanished or replaced by a folder between listing and loading: a warning, not the end of the ingest.
                    warnings.Add(new PathWarning(file, ex.Message));
                    skipped++;
                    continue;
                }
                foreach (var w in loaded.Warnings) warnings.Add(new PathWarning(file, w));
                if (loaded.Document is not { } doc)
                {
                    warnings.Add(new PathWarning(file, loaded.SkipReason ?? "not loaded"));
                    skipped++;
                    continue;
                }
                var pieces = chunker.Split(doc);
                ChunkEmbeddings? vectors = null;
                if (embedder is not null && pieces.Count > 0)
                {
                    var t0 = Stopwatch.GetTimestamp();
                    var list = await EmbedAsync(pieces.Select(c => c.Text).ToArray(), options.EmbedBatch, cancellationToken).ConfigureAwait(false);
                    embedSeconds += Stopwatch.GetElapsedTime(t0).TotalSeconds;
                    embedTokens += pieces.Sum(c => (long)c.TokenCount);
                    vectors = new ChunkEmbeddings(embedModelId!, list[0].Length, list);
                    embedded += list.Count;
                }
                index.UpsertDocument(doc, pieces, vectors);
                chunks += pieces.Count;
                if (known) updated++;
                else added++;
                NoteNearDuplicate(file);
            }

            batch.Commit();
        }

        if (options.Prune) removed = PruneUnder(roots, found.Files);
        if (embedder is not null) embedded += await EmbedMissingAsync(options, cancellationToken).ConfigureAwait(false);
        progress?.Report(new IngestProgress(done, found.Files.Count, chunks, embedTokens, embedSeconds > 0 ? embedTokens / embedSeconds : 0, null));
        var stats = index.Stats();
        return new IngestReport
        {
            Added = added,
            Updated = updated,
            Unchanged = unchanged,
            Removed = removed,
            Skipped = skipped,
            Documents = stats.Documents,
            Chunks = stats.Chunks,
            Embedded = embedded,
            Seconds = sw.Elapsed.TotalSeconds,
            LexicalOnly = embedder is null && stats.Embeddings.Count == 0,
            Warnings = warnings,
            NearDuplicates = nearDuplicates,
        };
    }

    /// <summary>
    /// Read, chunked, embedded and stored a section at a time: plain text past the streaming threshold,
    /// and every PDF. A PDF's pages are streamed whatever its size, because a PDF's size on disk says
    /// little about its text (a 2 MB file can hold 1,000 pages, a 200 MB one a dozen scans), and one
    /// path for all PDFs is the path every PDF test runs. It costs a PDF its own commit instead of a
    /// share of a batched one: a folder of 300 small PDFs showed no difference in time beyond the
    /// noise of the measurement (docs/performance.md), parsing being most of it.
    /// </summary>
    private static bool IsSectioned(string file, long size, LoadOptions load) => DocumentLoader.FormatOf(file) switch
    {
        Documents.DocumentFormat.Pdf => true,
        Documents.DocumentFormat.PlainText => size > load.StreamingThresholdBytes,
        _ => false,
    };

    /// <summary>The file's length, or -1 when it cannot be read.</summary>
    private static long SizeOf(string file)
    {
        try
        {
            return FileTarget.Of(file).Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone or unreadable since it was listed: the ordinary load reports it.
            return -1;
        }
    }

    private sealed record SectionedIngest(string? SkipReason, IReadOnlyList<string> Warnings, long Chunks, int Embedded, long EmbeddedTokens, double EmbedSeconds);

    /// <summary>
    /// Ingests a file too large to hold whole (or a PDF): each section is chunked (and embedded) and written
    /// before the next is read, inside one transaction, so memory stays that of a few sections and
    /// the document is still wholly old or wholly new whatever stops the process.
    /// </summary>
    private async Task<SectionedIngest> IngestSectionsAsync(string file, long size, IngestOptions options, Action<IngestProgress> progress, CancellationToken ct)
    {
        long chunks = 0, embedTokens = 0;
        var embedded = 0;
        var embedSeconds = 0.0;
        string? lastHeading = null;
        SectionedLoad loaded;
        using (var writer = index.BeginDocument(file))
        {
            // The reader is a synchronous streaming decoder that pushes sections; embedding is async.
            // The reader runs on a thread of its own and hands over one section at a time, waiting
            // (on a semaphore, not a task) until the previous one is stored: memory stays that of
            // two sections, and no thread waits on the embedder.
            var sections = Channel.CreateUnbounded<DocumentSection>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            using var room = new SemaphoreSlim(1, 1);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var reader = Task.Factory.StartNew(() =>
            {
                try
                {
                    return DocumentLoader.LoadSections(file, section =>
                    {
                        room.Wait(stop.Token);
                        sections.Writer.TryWrite(section);
                    }, options.Load, stop.Token);
                }
                finally
                {
                    sections.Writer.TryComplete();
                }
            }, stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            try
            {
                await foreach (var section in sections.Reader.ReadAllAsync(ct).ConfigureAwait(false))
                {
                    var pieces = chunker.Split(new Document(file, "", section.Text, "", 0, default) { Headings = section.Headings, Pages = section.Pages });
                    ChunkEmbeddings? vectors = null;
                    if (embedder is not null && pieces.Count > 0)
                    {
                        var t0 = Stopwatch.GetTimestamp();
                        var list = await EmbedAsync(pieces.Select(c => c.Text).ToArray(), options.EmbedBatch, ct).ConfigureAwait(false);
                        vectors = new ChunkEmbeddings(embedModelId!, list[0].Length, list);
                        embedSeconds += Stopwatch.GetElapsedTime(t0).TotalSeconds;
                        embedTokens += pieces.Sum(c => (long)c.TokenCount);
                        embedded += pieces.Count;
                    }
                    writer.Add(section, pieces, vectors, lastHeading);
                    if (section.Headings.Count > 0)
                    {
                        var h = section.Headings[^1];
                        lastHeading = section.Text.Substring(h.Start, h.Length);
                    }
                    chunks += pieces.Count;
                    progress(new IngestProgress(0, 0, chunks, embedTokens, embedSeconds > 0 ? embedTokens / embedSeconds : 0, file) { CurrentBytesDone = section.BytesRead, CurrentBytes = size });
                    room.Release();
                }
                loaded = await reader.ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // The reader must be finished before its semaphore and the document's writer go.
                await stop.CancelAsync().ConfigureAwait(false);
                await ((Task)reader).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                // The document, or the embedder on one of its sections (engines report input they cannot
                // take as InvalidInputException): one bad file must not end the ingest.
                if (ex is InvalidInputException) return new SectionedIngest(ex.Message, [], 0, 0, 0, 0);
                throw;
            }
            if (loaded.SkipReason is not null) return new SectionedIngest(loaded.SkipReason, loaded.Warnings, 0, 0, 0, 0);
            writer.Commit(loaded.Title ?? Path.GetFileNameWithoutExtension(file), loaded.ContentHash, loaded.SizeBytes, loaded.ModifiedUtc);
        }
        return new SectionedIngest(null, loaded.Warnings, chunks, embedded, embedTokens, embedSeconds);
    }

    /// <summary>Vectors for <paramref name="texts"/>, <paramref name="batch"/> texts per call to the generator.</summary>
    private async Task<List<float[]>> EmbedAsync(string[] texts, int batch, CancellationToken ct)
    {
        var list = new List<float[]>(texts.Length);
        for (var i = 0; i < texts.Length; i += batch)
        {
            var vectors = await embedder!.EmbedAsync(texts[i..Math.Min(texts.Length, i + batch)], ct).ConfigureAwait(false);
            if (list.Count > 0 && vectors.Length > 0 && vectors[0].Length != list[0].Length)
                throw new InvalidOperationException($"The embedding generator returned vectors of {list[0].Length} and {vectors[0].Length} dimensions.");
            list.AddRange(vectors);
        }
        return list;
    }

    /// <summary>Vectors for chunks stored without one for this model (ingested lexically, or under another model).</summary>
    private async Task<int> EmbedMissingAsync(IngestOptions options, CancellationToken ct)
    {
        var missing = index.ChunksWithoutEmbeddings(embedModelId!);
        var count = 0;
        for (var i = 0; i < missing.Count; i += options.EmbedBatch)
        {
            var slice = missing.Skip(i).Take(options.EmbedBatch).ToArray();
            var vectors = await EmbedAsync(slice.Select(c => c.Text).ToArray(), options.EmbedBatch, ct).ConfigureAwait(false);
            index.StoreEmbeddings(embedModelId!, vectors[0].Length, slice.Select((c, k) => (c.Id, vectors[k])).ToArray());
            count += slice.Length;
        }
        return count;
    }

    private int PruneUnder(string[] roots, IReadOnlyList<string> present)
    {
        var keep = new HashSet<string>(present, StringComparer.Ordinal);
        var removed = 0;
        foreach (var doc in index.ListDocuments())
        {
            var under = roots.Any(r => doc.Path == r || doc.Path.StartsWith(r.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal));
            if (under && !keep.Contains(doc.Path) && index.RemoveDocument(doc.Path)) removed++;
        }
        return removed;
    }

    private static bool HashMatches(string file, string expected)
    {
        try
        {
            using var fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            return string.Equals(Convert.ToHexStringLower(SHA256.HashData(fs)), expected, StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
