namespace LocalQa.Core.Tests;

/// <summary>A fresh folder under the system temp folder, deleted with everything in it on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "localqa-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Where a test's index file goes.</summary>
    public string IndexPath => this["index.db"];

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    /// <summary>Creates a subfolder and returns its path.</summary>
    public string Sub(string relative) => Directory.CreateDirectory(this[relative]).FullName;

    public string Write(string relativePath, byte[] bytes)
    {
        var full = this[relativePath];
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, bytes);
        return full;
    }

    public string Write(string relativePath, string text) => Write(relativePath, System.Text.Encoding.UTF8.GetBytes(text));

    public void Dispose()
    {
        try
        {
            // Permission tests leave folders the owner cannot list; give them back before deleting.
            if (!OperatingSystem.IsWindows())
            {
                foreach (var directory in Directory.EnumerateDirectories(Path, "*", SearchOption.AllDirectories))
                    File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file still open on some platform only leaks a temp folder; the test result stands.
        }
    }
}
