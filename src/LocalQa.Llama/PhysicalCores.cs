namespace LocalQa.Llama;

/// <summary>Counts physical cores on Linux (distinct core ids per package), else logical processors.</summary>
internal static class PhysicalCores
{
    private static readonly Lazy<int> Value = new(Compute);

    internal static int Count => Value.Value;

    private static int Compute()
    {
        try
        {
            if (OperatingSystem.IsLinux() && File.Exists("/proc/cpuinfo"))
            {
                var cores = new HashSet<(string, string)>();
                string phys = "0", core = "";
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                {
                    if (line.StartsWith("physical id", StringComparison.Ordinal)) phys = line[(line.IndexOf(':') + 1)..].Trim();
                    else if (line.StartsWith("core id", StringComparison.Ordinal)) core = line[(line.IndexOf(':') + 1)..].Trim();
                    else if (line.Length == 0 && core.Length > 0) { cores.Add((phys, core)); core = ""; }
                }
                if (core.Length > 0) cores.Add((phys, core));
                if (cores.Count > 0) return Math.Min(cores.Count, Environment.ProcessorCount);
            }
        }
        catch (IOException)
        {
            // Unreadable cpuinfo: fall back to logical processors.
        }
        return Environment.ProcessorCount;
    }
}
