using System.Text;

namespace LocalQa.Cli;

/// <summary>
/// A small line editor for the interactive chat: arrows move and recall earlier questions
/// (kept across sessions in the data folder), Home/End, Backspace/Delete, Ctrl+D on an empty line
/// ends the chat. Used only on a real terminal; piped input is read plainly.
/// </summary>
internal sealed class LineEditor
{
    private readonly List<string> _history;
    private readonly string? _file;
    private const int Keep = 500;

    public LineEditor(string? historyFile)
    {
        _file = historyFile;
        _history = [];
        try
        {
            if (_file is not null && File.Exists(_file)) _history.AddRange(File.ReadLines(_file).TakeLast(Keep));
        }
        catch (IOException)
        {
            // History is a convenience: without it the chat still works.
        }
    }

    public IReadOnlyList<string> History => _history;

    /// <summary>Reads one line after <paramref name="prompt"/>; null at end of input (Ctrl+D).</summary>
    public string? ReadLine(string prompt)
    {
        Console.Write(prompt);
        var buffer = new StringBuilder();
        var cursor = 0;
        var recall = _history.Count;
        var startLeft = prompt.Length;
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    Console.WriteLine();
                    var line = buffer.ToString();
                    Remember(line);
                    return line;
                case ConsoleKey.Backspace when cursor > 0:
                    buffer.Remove(--cursor, 1);
                    break;
                case ConsoleKey.Delete when cursor < buffer.Length:
                    buffer.Remove(cursor, 1);
                    break;
                case ConsoleKey.LeftArrow when cursor > 0:
                    cursor--;
                    break;
                case ConsoleKey.RightArrow when cursor < buffer.Length:
                    cursor++;
                    break;
                case ConsoleKey.Home:
                    cursor = 0;
                    break;
                case ConsoleKey.End:
                    cursor = buffer.Length;
                    break;
                case ConsoleKey.UpArrow when recall > 0:
                    buffer.Clear().Append(_history[--recall]);
                    cursor = buffer.Length;
                    break;
                case ConsoleKey.DownArrow when recall < _history.Count:
                    recall++;
                    buffer.Clear().Append(recall < _history.Count ? _history[recall] : "");
                    cursor = buffer.Length;
                    break;
                case ConsoleKey.D when key.Modifiers.HasFlag(ConsoleModifiers.Control) && buffer.Length == 0:
                    Console.WriteLine();
                    return null;
                default:
                    if (!char.IsControl(key.KeyChar))
                    {
                        buffer.Insert(cursor++, key.KeyChar);
                    }
                    break;
            }
            Redraw(prompt, buffer, cursor, startLeft);
        }
    }

    private static void Redraw(string prompt, StringBuilder buffer, int cursor, int startLeft)
    {
        var width = Math.Max(1, Console.WindowWidth);
        // The trailing space and backspace erase a character left over after a deletion.
        Console.Write('\r' + prompt + buffer + " \b");
        // Lines longer than the terminal wrap; the cursor is then left at the end.
        var target = startLeft + cursor;
        if (target < width) Console.CursorLeft = target;
    }

    private void Remember(string line)
    {
        if (string.IsNullOrWhiteSpace(line) || (_history.Count > 0 && _history[^1] == line)) return;
        _history.Add(line);
        if (_file is null) return;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
            File.AppendAllText(_file, line.ReplaceLineEndings(" ") + "\n");
        }
        catch (IOException)
        {
            // Not remembering across sessions is acceptable.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
