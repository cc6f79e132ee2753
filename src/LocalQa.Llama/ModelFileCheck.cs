using LocalQa.Llama.Gguf;

namespace LocalQa.Llama;

/// <summary>Checks a model file in managed code before llama.cpp opens it: llama.cpp trusts header
/// counts and sizes and can abort the process on a malformed file.</summary>
internal static class ModelFileCheck
{
    internal static GgufFile Validate(string fullPath)
    {
        if (Directory.Exists(fullPath))
            throw new InvalidInputException($"Model path '{fullPath}' is a folder, not a .gguf file.", "Pass the path of the .gguf file inside it.");
        if (!File.Exists(fullPath))
            throw new InvalidInputException($"Model file '{fullPath}' does not exist.", "Check the path, or run `localqa models download` to get one.");
        return GgufReader.Read(fullPath);
    }
}
