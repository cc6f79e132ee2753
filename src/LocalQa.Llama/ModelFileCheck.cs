namespace LocalQa.Llama;

/// <summary>Checks a model path before llama.cpp opens it: llama.cpp aborts on some malformed files.</summary>
internal static class ModelFileCheck
{
    internal static void Validate(string fullPath)
    {
        if (Directory.Exists(fullPath))
            throw new InvalidInputException($"Model path '{fullPath}' is a folder, not a .gguf file.", "Pass the path of the .gguf file inside it.");
        if (!File.Exists(fullPath))
            throw new InvalidInputException($"Model file '{fullPath}' does not exist.", "Check the path, or run `localqa models download` to get one.");
        var length = new FileInfo(fullPath).Length;
        if (length == 0)
            throw new InvalidInputException($"Model file '{fullPath}' is empty.", "Download it again.");
        Span<byte> magic = stackalloc byte[4];
        try
        {
            using var fs = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
            if (fs.ReadAtLeast(magic, 4, throwOnEndOfStream: false) < 4 || !magic.SequenceEqual("GGUF"u8))
                throw new InvalidInputException($"'{fullPath}' is not a GGUF model file (it does not start with 'GGUF').", "Use a .gguf model file.");
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new InvalidInputException($"Model file '{fullPath}' cannot be read: permission denied.", "Fix the file's permissions.", ex);
        }
    }
}
