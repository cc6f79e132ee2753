using System.Security.Cryptography;
using System.Text.Json;

namespace LocalQa.Core.Ingest;

/// <summary>
/// A model's identity is the SHA-256 of its file, so vectors are never mixed across models even
/// when a file is renamed or replaced. Hashing a large model takes seconds, so the digest is
/// remembered per (path, size, modification time) in the cache folder.
/// </summary>
public static class ModelIdentity
{
    private static readonly Lock Gate = new();

    /// <summary>The lower-case hex SHA-256 of the model file, from the cache when the file has not changed.</summary>
    /// <param name="modelPath">The model file; a link is followed to its target.</param>
    /// <param name="cacheDirectory">Where the digests are remembered (the data folder's cache/).</param>
    public static string Of(string modelPath, string cacheDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(cacheDirectory);
        // The target's size and time: a link re-pointed at another model must not reuse the old hash.
        var info = FileTarget.Of(modelPath);
        if (!info.Exists) throw new InvalidInputException($"Model file '{modelPath}' does not exist.");
        var key = $"{info.FullName}|{info.Length}|{info.LastWriteTimeUtc.Ticks}";
        var cacheFile = Path.Combine(cacheDirectory, "model-hashes.json");
        lock (Gate)
        {
            var cache = Read(cacheFile);
            if (cache.TryGetValue(key, out var known)) return known;
            string digest;
            using (var fs = new FileStream(info.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan))
                digest = Convert.ToHexStringLower(SHA256.HashData(fs));
            cache[key] = digest;
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(cacheFile)!);
                var tmp = cacheFile + "." + Environment.ProcessId + ".tmp";
                File.WriteAllText(tmp, JsonSerializer.Serialize(cache));
                File.Move(tmp, cacheFile, overwrite: true);
            }
            catch (IOException)
            {
                // A read-only cache only costs re-hashing next time.
            }
            catch (UnauthorizedAccessException)
            {
                // Same: the digest is still correct for this run.
            }
            return digest;
        }
    }

    private static Dictionary<string, string> Read(string file)
    {
        try
        {
            return File.Exists(file) ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(file)) ?? [] : [];
        }
        catch (JsonException)
        {
            return [];
        }
        catch (IOException)
        {
            return [];
        }
    }
}
