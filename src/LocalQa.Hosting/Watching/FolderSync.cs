using System.Diagnostics;
using LocalQa.Core;
using LocalQa.Core.Ingest;

namespace LocalQa.Hosting.Watching;

/// <summary>
/// Applies a <see cref="FolderWatcher"/>'s changes to the library's index, as an ingest with prune
/// of the changed paths would: files that exist are ingested (unchanged ones skipped by their
/// hash), and documents whose file or folder is gone are removed. A rescan is that ingest over
/// every watched path, which is also how watching catches up with what changed while it was not
/// running. Every document is written in a transaction of its own (the ingestor's), so stopping
/// at any point leaves each document wholly old or wholly new.
/// </summary>
public sealed class FolderSync
{
    private readonly LocalQaLibrary _library;
    private readonly IReadOnlyList<string> _roots;

    /// <param name="library">The open library whose index is kept in step.</param>
    /// <param name="roots">The watched paths, absolute (<see cref="FolderWatcher.Paths"/>).</param>
    public FolderSync(LocalQaLibrary library, IReadOnlyList<string> roots)
    {
        ArgumentNullException.ThrowIfNull(library);
        ArgumentNullException.ThrowIfNull(roots);
        _library = library;
        _roots = roots;
    }

    /// <summary>Brings the index in step with <paramref name="changes"/>; the report counts what this sync did.</summary>
    /// <remarks>
    /// Removals, like ingests, take the face's library turn, so a sync never meets a server's
    /// search or another ingest on the index.
    /// </remarks>
    public async Task<IngestReport> SyncAsync(FolderChanges changes, IProgress<IngestProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var sw = Stopwatch.StartNew();
        var targets = changes.Rescan ? _roots : changes.Paths;
        // Removals first: a file renamed with its content unchanged is then ingested as itself,
        // not recorded as a near-copy of its old name.
        var removed = await RemoveUnderAsync([.. targets.Where(p => !Exists(p))], cancellationToken).ConfigureAwait(false);
        var reports = new List<IngestReport>();
        // Files without prune, folders with it: prune compares every indexed document with every
        // path given, and a checkout's thousand changed files need no comparing (each is there).
        foreach (var (paths, prune) in new[] { (targets.Where(File.Exists).ToList(), false), (targets.Where(Directory.Exists).ToList(), true) })
        {
            var (report, vanished) = await IngestAsync(paths, prune, progress, cancellationToken).ConfigureAwait(false);
            if (report is not null) reports.Add(report);
            removed += await RemoveUnderAsync(vanished, cancellationToken).ConfigureAwait(false);
        }

        var stats = await _library.Qa.UseIndexAsync(index => index.Stats(), cancellationToken: cancellationToken).ConfigureAwait(false);
        return new IngestReport
        {
            Added = reports.Sum(r => r.Added),
            Updated = reports.Sum(r => r.Updated),
            Unchanged = reports.Sum(r => r.Unchanged),
            Removed = removed + reports.Sum(r => r.Removed),
            Skipped = reports.Sum(r => r.Skipped),
            Embedded = reports.Sum(r => r.Embedded),
            Documents = stats.Documents,
            Chunks = stats.Chunks,
            Seconds = sw.Elapsed.TotalSeconds,
            LexicalOnly = _library.EmbeddingGenerator is null && stats.Embeddings.Count == 0,
            Warnings = [.. reports.SelectMany(r => r.Warnings)],
            NearDuplicates = [.. reports.SelectMany(r => r.NearDuplicates)],
        };
    }

    /// <summary>
    /// Ingests those of <paramref name="paths"/> that still exist (a null report when none does), and
    /// says which disappeared before they could be ingested.
    /// </summary>
    private async Task<(IngestReport? Report, HashSet<string> Vanished)> IngestAsync(List<string> paths, bool prune, IProgress<IngestProgress>? progress, CancellationToken ct)
    {
        var vanished = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var existing = paths.Where(Exists).ToList();
            vanished.UnionWith(paths.Where(p => !Exists(p)));
            if (existing.Count == 0) return (null, vanished);
            try
            {
                return (await _library.Qa.IngestAsync(existing, new IngestOptions { Prune = prune }, progress, ct).ConfigureAwait(false), vanished);
            }
            catch (InvalidInputException) when (existing.Any(p => !Exists(p)))
            {
                // A path vanished between the look above and the ingest, which refuses a missing
                // path before it writes anything: look again, that one among the vanished.
                paths = existing;
            }
        }
    }

    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

    /// <summary>Removes the documents whose path is one of <paramref name="gone"/> or lies in a folder among them.</summary>
    private async Task<int> RemoveUnderAsync(HashSet<string> gone, CancellationToken ct)
    {
        if (gone.Count == 0) return 0;
        return await _library.Qa.UseIndexAsync(index => RemoveUnder(index, gone), changes: true, ct).ConfigureAwait(false);
    }

    private static int RemoveUnder(Core.Index.LocalQaIndex index, HashSet<string> gone)
    {
        var removed = 0;
        foreach (var document in index.ListDocuments())
        {
            for (var path = document.Path; !string.IsNullOrEmpty(path); path = Path.GetDirectoryName(path))
            {
                if (!gone.Contains(path)) continue;
                // Only if its file is really gone: a folder renamed away and back again, or a file re-created.
                if (!File.Exists(document.Path) && index.RemoveDocument(document.Path)) removed++;
                break;
            }
        }

        return removed;
    }
}
