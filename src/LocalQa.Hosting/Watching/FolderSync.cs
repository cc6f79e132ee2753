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
    private readonly Ingestor _ingestor;

    /// <param name="library">The open library whose index is kept in step.</param>
    /// <param name="roots">The watched paths, absolute (<see cref="FolderWatcher.Paths"/>).</param>
    public FolderSync(LocalQaLibrary library, IReadOnlyList<string> roots)
    {
        ArgumentNullException.ThrowIfNull(library);
        ArgumentNullException.ThrowIfNull(roots);
        _library = library;
        _roots = roots;
        _ingestor = library.CreateIngestor();
    }

    /// <summary>Brings the index in step with <paramref name="changes"/>; the report counts what this sync did.</summary>
    public IngestReport Sync(FolderChanges changes, IProgress<IngestProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var sw = Stopwatch.StartNew();
        var targets = changes.Rescan ? _roots : changes.Paths;
        var removed = 0;
        while (true)
        {
            var present = new List<string>();
            var gone = new HashSet<string>(StringComparer.Ordinal);
            foreach (var path in targets)
            {
                if (Exists(path)) present.Add(path);
                else gone.Add(path);
            }

            // Removals first: a file renamed with its content unchanged is then ingested as itself,
            // not recorded as a near-copy of its old name.
            removed += RemoveUnder(gone);
            if (present.Count == 0) return Summary(removed, sw.Elapsed);
            try
            {
                var report = _ingestor.Ingest(present, new IngestOptions { Prune = true }, progress, cancellationToken);
                return report with { Removed = report.Removed + removed, Seconds = sw.Elapsed.TotalSeconds };
            }
            catch (InvalidInputException) when (present.Any(p => !Exists(p)))
            {
                // A path vanished between the look above and the ingest, which refuses a missing
                // path before it writes anything: sort the paths again, that one among the gone.
            }
        }
    }

    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

    /// <summary>Removes the documents whose path is one of <paramref name="gone"/> or lies in a folder among them.</summary>
    private int RemoveUnder(HashSet<string> gone)
    {
        if (gone.Count == 0) return 0;
        var index = _library.Index;
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

    private IngestReport Summary(int removed, TimeSpan elapsed)
    {
        var stats = _library.Index.Stats();
        return new IngestReport
        {
            Removed = removed,
            Documents = stats.Documents,
            Chunks = stats.Chunks,
            Seconds = elapsed.TotalSeconds,
            LexicalOnly = _library.Embedder is null && stats.Embeddings.Count == 0,
        };
    }
}
