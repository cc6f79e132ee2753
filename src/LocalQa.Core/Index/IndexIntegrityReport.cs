namespace LocalQa.Core.Index;

/// <summary>The result of <see cref="LocalQaIndex.IntegrityCheck"/>; <see cref="Problems"/> is empty when all is well.</summary>
public sealed record IndexIntegrityReport(IReadOnlyList<string> Problems)
{
    /// <summary>Whether the check found no problem.</summary>
    public bool IsOk => Problems.Count == 0;
}
