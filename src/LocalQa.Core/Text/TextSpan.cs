namespace LocalQa.Core.Text;

/// <summary>A range of characters <c>[Start, Start + Length)</c> in a text that the caller holds.</summary>
/// <param name="Start">Offset of the first character.</param>
/// <param name="Length">Number of characters.</param>
public readonly record struct TextSpan(int Start, int Length)
{
    /// <summary>Offset just past the last character.</summary>
    public int End => Start + Length;

    /// <summary>The characters of this span in <paramref name="text"/>, without copying.</summary>
    public ReadOnlySpan<char> In(ReadOnlySpan<char> text) => text.Slice(Start, Length);
}
