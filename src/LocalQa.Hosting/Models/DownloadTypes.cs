using LocalQa.Core;
using LocalQa.Llama;

namespace LocalQa.Hosting.Models;

/// <summary>What to fetch, where to put it, and the digest it must have.</summary>
public sealed record DownloadRequest
{
    /// <summary>The address (http or https; https for catalog models). Redirects are followed.</summary>
    public required Uri Url { get; init; }

    /// <summary>The SHA-256 the complete file must have, 64 hex digits.</summary>
    public required string Sha256 { get; init; }

    /// <summary>The folder the file goes to; created when missing.</summary>
    public required string Directory { get; init; }

    /// <summary>The file name in <see cref="Directory"/>: a plain name, no folder part.</summary>
    public required string FileName { get; init; }

    /// <summary>The exact size when known (catalog models): a server offering another size is refused early.</summary>
    public long? ExpectedBytes { get; init; }

    /// <summary>What messages call the download (a catalog name); the file name when null.</summary>
    public string? Name { get; init; }

    public string TargetPath => Path.Combine(Directory, FileName);

    /// <summary>Where bytes go until the digest is verified; kept after an interruption for resuming.</summary>
    public string PartialPath => TargetPath + ".partial";

    public string DisplayName => Name ?? FileName;

    /// <summary>The request for a catalog model into <paramref name="directory"/>.</summary>
    public static DownloadRequest For(CatalogModel model, string directory)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return new DownloadRequest
        {
            Url = model.Url,
            Sha256 = model.Sha256,
            Directory = directory,
            FileName = model.File,
            ExpectedBytes = model.Bytes,
            Name = model.Name,
        };
    }

    /// <summary>
    /// The request for an arbitrary address: the file is named after the last segment of the URL's
    /// path. A URL that names no file, or a malformed digest, is the user's to fix.
    /// </summary>
    public static DownloadRequest ForUrl(string url, string sha256, string directory)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(sha256);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            throw new InvalidInputException($"'{url}' is not an http or https address.", "Pass the full address of the .gguf file, such as https://host/path/model.gguf.");
        var fileName = Uri.UnescapeDataString(uri.AbsolutePath.Split('/').LastOrDefault() ?? "");
        if (!IsPlainFileName(fileName))
            throw new InvalidInputException($"The address '{url}' does not end with a file name.", "Pass the address of the .gguf file itself (the part after the last '/' becomes the file name).");
        return new DownloadRequest { Url = uri, Sha256 = NormalizeSha256(sha256), Directory = directory, FileName = fileName };
    }

    /// <summary>The digest in lowercase; anything but 64 hex digits is the user's to fix.</summary>
    public static string NormalizeSha256(string sha256)
    {
        ArgumentNullException.ThrowIfNull(sha256);
        var trimmed = sha256.Trim();
        return ModelCatalog.IsSha256(trimmed)
            ? trimmed.ToLowerInvariant()
            : throw new InvalidInputException($"'{sha256}' is not a SHA-256 digest (64 hex digits).", "Copy the file's SHA-256 from the page you got the address from.");
    }

    internal static bool IsPlainFileName(string name) =>
        name.Length > 0 && name is not ("." or "..") && name.IndexOfAny(['/', '\\']) < 0
        && name.IndexOfAny(Path.GetInvalidFileNameChars()) < 0;
}

/// <summary>Where a download stands: reported about ten times a second, and once at the end.</summary>
/// <param name="BytesReceived">Bytes in the file so far, including those kept from an earlier run.</param>
/// <param name="TotalBytes">The file's size, when the server or the catalog says it.</param>
/// <param name="BytesPerSecond">Average speed of this run (resumed bytes excluded).</param>
/// <param name="Remaining">Estimated time left at that speed; null until it can be estimated.</param>
/// <param name="Elapsed">Time since this run started.</param>
/// <param name="ResumedFrom">Bytes that were already there when this run started.</param>
public readonly record struct DownloadProgress(long BytesReceived, long? TotalBytes, double BytesPerSecond, TimeSpan? Remaining, TimeSpan Elapsed, long ResumedFrom)
{
    /// <summary>0..1 when the total is known.</summary>
    public double? Fraction => TotalBytes is { } total && total > 0 ? Math.Clamp((double)BytesReceived / total, 0, 1) : null;
}

public enum DownloadOutcome
{
    /// <summary>Fetched from the first byte.</summary>
    Downloaded,

    /// <summary>Continued from a partial file an earlier run left.</summary>
    Resumed,

    /// <summary>The file was already there, complete, with the right digest: nothing was fetched.</summary>
    AlreadyPresent,
}

/// <summary>A verified file in place.</summary>
/// <param name="Requests">HTTP requests made (more than one after an interruption was resumed).</param>
public sealed record DownloadResult(string Path, long Bytes, string Sha256, DownloadOutcome Outcome, long ResumedFrom, int Requests, TimeSpan Elapsed);

/// <summary>
/// A download failed for a reason outside the user's input: no network, a server error, a file at
/// the address that is not the one expected. The bytes already verified are kept where they can be.
/// </summary>
public class DownloadException : Exception
{
    public DownloadException() { }

    public DownloadException(string message) : base(message) { }

    public DownloadException(string message, Exception? innerException) : base(message, innerException) { }

    public DownloadException(string message, string? fix, Exception? innerException = null)
        : base(message, innerException) => Fix = fix;

    /// <summary>What the user can do about it, as one sentence.</summary>
    public string? Fix { get; }

    /// <summary>
    /// The option the fix concerns, as for <see cref="InvalidInputException.Setting"/>: here the name of a
    /// <see cref="DownloadRequest"/> property (its <see cref="DownloadRequest.Url"/> for "download another
    /// file by its address and digest"). Null when the fix concerns no option.
    /// </summary>
    public string? Setting { get; init; }
}

/// <summary>
/// The downloaded bytes do not have the expected SHA-256. The partial file is deleted: the next
/// run starts from scratch.
/// </summary>
public sealed class ChecksumMismatchException : DownloadException
{
    public ChecksumMismatchException() { }

    public ChecksumMismatchException(string message) : base(message) { }

    public ChecksumMismatchException(string message, Exception? innerException) : base(message, innerException) { }

    internal ChecksumMismatchException(string message, string fix, string expected, string actual)
        : base(message, fix)
    {
        Expected = expected;
        Actual = actual;
    }

    public string? Expected { get; }

    public string? Actual { get; }
}
