namespace LocalQa.Core.Index;

/// <summary>The result of <see cref="LocalQaIndex.IntegrityCheck"/>; <see cref="Problems"/> is empty when all is well.</summary>
public sealed record IndexIntegrityReport(IReadOnlyList<string> Problems)
{
    public bool IsOk => Problems.Count == 0;
}
