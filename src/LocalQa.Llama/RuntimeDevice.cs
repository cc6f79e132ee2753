namespace LocalQa.Llama;

public sealed record RuntimeDevice(string Name, string Description, string Kind, long TotalMemory, long FreeMemory);
