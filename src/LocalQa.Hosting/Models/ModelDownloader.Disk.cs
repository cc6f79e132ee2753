using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using LocalQa.Core;

namespace LocalQa.Hosting.Models;

public sealed partial class ModelDownloader
{
    private static FileStream OpenPartial(DownloadRequest request)
    {
        try
        {
            // FileShare.None: a second download of the same file waits its turn instead of interleaving bytes.
            return new FileStream(request.PartialPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, BufferSize, FileOptions.Asynchronous);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InvalidInputException($"Cannot write '{request.PartialPath}': {e.Message}", "Download to a folder you may write to.", e)
            { Setting = nameof(DownloadRequest.Directory) };
        }
        catch (IOException e) when (!IsDiskFull(e))
        {
            throw new InvalidInputException($"'{request.PartialPath}' cannot be opened for writing: {e.Message}",
                "If another download of the same model is running, wait for it to finish; otherwise check the folder, or download to another one.", e)
            { Setting = nameof(DownloadRequest.Directory) };
        }
        catch (IOException e)
        {
            throw WriteFailed(request, e);
        }
    }

    private static void Truncate(FileStream file, IncrementalHash hash)
    {
        file.SetLength(0);
        file.Position = 0;
        hash.GetHashAndReset();
    }

    private static async Task<long> HashExistingAsync(FileStream file, IncrementalHash hash, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long total = 0;
            int n;
            while ((n = await file.ReadAsync(buffer.AsMemory(0, BufferSize), ct).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                total += n;
            }
            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void CreateDirectory(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"Cannot create the folder '{directory}': {e.Message}", "Download to a folder you may write to.", e)
            { Setting = nameof(DownloadRequest.Directory) };
        }
    }

    private static void CheckFreeSpace(DownloadRequest request, long needed)
    {
        if (FreeBytes(request.Directory) is { } free && free < needed)
        {
            throw new InvalidInputException(
                string.Create(CultureInfo.InvariantCulture, $"Not enough disk space for {request.DisplayName}: {needed:N0} more bytes are needed in '{request.Directory}', {free:N0} are free."),
                "Free some space, or download to a folder on another disk.")
            { Setting = nameof(DownloadRequest.Directory) };
        }
    }

    /// <summary>Free bytes on the file system holding <paramref name="directory"/>, or null when unknown.</summary>
    internal static long? FreeBytes(string directory)
    {
        try
        {
            var full = Path.GetFullPath(directory);
            var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            // The longest mount point that contains the folder is its file system.
            var drive = DriveInfo.GetDrives()
                .Where(d => d.IsReady && IsUnder(full, d.RootDirectory.FullName, comparison))
                .MaxBy(d => d.RootDirectory.FullName.Length);
            return drive?.AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    private static bool IsUnder(string path, string root, StringComparison comparison)
    {
        if (!path.StartsWith(root, comparison)) return false;
        return path.Length == root.Length || root.EndsWith(Path.DirectorySeparatorChar) || path[root.Length] == Path.DirectorySeparatorChar;
    }

    /// <summary>
    /// True when <paramref name="e"/> says the disk is full: ENOSPC on Linux and macOS (.NET keeps the
    /// errno as the HResult there), ERROR_DISK_FULL or ERROR_HANDLE_DISK_FULL on Windows.
    /// </summary>
    public static bool IsDiskFull(IOException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        const int ENOSPC = 28;
        const int ERROR_HANDLE_DISK_FULL = 39;
        const int ERROR_DISK_FULL = 112;
        var hr = e.HResult;
        if (OperatingSystem.IsWindows())
        {
            var code = (hr & 0xFFFF0000) == 0x80070000 ? hr & 0xFFFF : hr;
            return code is ERROR_DISK_FULL or ERROR_HANDLE_DISK_FULL;
        }
        return hr == ENOSPC;
    }

    private static InvalidInputException WriteFailed(DownloadRequest request, IOException e) => IsDiskFull(e)
        ? new InvalidInputException($"The disk is full: '{request.PartialPath}' could not be written ({e.Message}). The bytes written so far are kept.",
            "Free some space and run the same command again to resume, or download to a folder on another disk.", e)
        { Setting = nameof(DownloadRequest.Directory) }
        : new InvalidInputException($"'{request.PartialPath}' could not be written: {e.Message}",
            "Check the folder (permissions, a removed drive) and run the same command again to resume.", e);

    private static DownloadException NoNetwork(DownloadRequest request, Exception inner)
    {
        var kept = File.Exists(request.PartialPath) && new FileInfo(request.PartialPath).Length > 0
            ? $" The bytes received so far are kept in '{request.PartialPath}'."
            : "";
        return new DownloadException($"Cannot download {request.DisplayName}: {NoNetworkMessage} (could not reach {request.Url.Host}: {inner.Message}).{kept}",
            "Connect to the internet and run the same command again; or copy the .gguf file into a models folder by hand.", inner);
    }

    private static DownloadException GaveUp(DownloadRequest request, int failures, int requests, int maxRequests, TransientException e) => new(
        string.Create(CultureInfo.InvariantCulture,
            $"The download of {request.DisplayName} from {request.Url.Host} {(requests >= maxRequests ? $"was broken off {requests} times" : $"failed {failures} times in a row")}, so it gave up: {e.InnerException?.Message}. The bytes received so far are kept in '{request.PartialPath}'."),
        "Run the same command again later to resume.", e.InnerException);

    private static DownloadException HttpError(DownloadRequest request, HttpResponseMessage response)
    {
        var code = (int)response.StatusCode;
        var reason = response.ReasonPhrase is { Length: > 0 } r ? r : response.StatusCode.ToString();
        var fix = code switch
        {
            404 or 410 => "Check the model name or the address; the file may have moved: download it from its new address, with its SHA-256.",
            401 or 403 => "The server refused access; some models need their licence accepted on the website first. Download it there and copy the .gguf into a models folder.",
            429 => "The server is limiting requests; wait a few minutes and run the same command again.",
            >= 500 => "The server has a problem; run the same command again later (it resumes where it stopped).",
            _ => "Check the URL.",
        };
        return new DownloadException(
            string.Create(CultureInfo.InvariantCulture, $"Cannot download {request.DisplayName}: the server answered HTTP {code} ({reason}) for {request.Url}."), fix)
        {
            Setting = code is 404 or 410 ? nameof(DownloadRequest.Url) : null,
        };
    }

    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The next run finds the bad partial, and the digest check deletes it then.
        }
    }
}
