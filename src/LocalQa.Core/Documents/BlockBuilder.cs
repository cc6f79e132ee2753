using System.Text;

namespace LocalQa.Core.Documents;

/// <summary>Collects inline text, collapsing whitespace, and emits it as blocks of one line each.</summary>
internal sealed class BlockBuilder
{
    private readonly StringBuilder _line = new();
    private bool _pendingSpace;

    internal List<TextBlock> Blocks { get; } = [];

    /// <summary>Whether the next block emitted starts a paragraph; set false for list items after the first.</summary>
    internal bool NextStartsParagraph { get; set; } = true;

    internal bool IsEmpty => _line.Length == 0;

    internal void AppendInline(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || c == '\u00A0')
            {
                _pendingSpace = _line.Length > 0;
                continue;
            }

            if (c < ' ' || c is '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF' or '\u00AD')
            {
                continue;
            }

            if (_pendingSpace)
            {
                _line.Append(' ');
                _pendingSpace = false;
            }

            _line.Append(c);
        }
    }

    internal void AppendSpace() => _pendingSpace = _line.Length > 0;

    /// <summary>Emits the collected text as a block; a line break inside a paragraph continues it.</summary>
    internal void Flush(BlockKind kind, int headingLevel = 0)
    {
        _pendingSpace = false;
        if (_line.Length == 0)
        {
            return;
        }

        Add(new TextBlock(_line.ToString(), kind, headingLevel, NextStartsParagraph));
        _line.Clear();
    }

    /// <summary>Adds a block built elsewhere (code, table rows), after flushing pending text.</summary>
    internal void Add(TextBlock block)
    {
        if (block.Text.Length == 0)
        {
            return;
        }

        Blocks.Add(block);
        NextStartsParagraph = true;
    }
}
