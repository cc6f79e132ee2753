using System.Text.RegularExpressions;

namespace LocalQa.Core.Answering;

/// <summary>
/// The subject that reference documentation states in its structure rather than in its sentences:
/// a definition term (<c>os.getcwd()</c>, <c>class collections.deque([iterable])</c>) over the
/// sentences that describe it ("Return a string …"), or the page's title over "This module …".
/// A quoted sentence that does not name its subject is quoted with it ("os.getcwd(): Return …").
/// </summary>
internal static partial class ExtractiveSubject
{
    // Beyond this many characters a signature is quoted by its name alone.
    private const int MaxSignature = 40;

    /// <summary>
    /// The subject to quote <paramref name="sentence"/> with, or null when it names its own.
    /// </summary>
    /// <param name="sentence">The quoted sentence.</param>
    /// <param name="sectionHeading">The heading or definition term the sentence stands under in its passage, if any.</param>
    /// <param name="pageTitle">The title of the sentence's document.</param>
    public static string? For(string sentence, string? sectionHeading, string? pageTitle)
    {
        var term = sectionHeading is null ? null : Signature(sectionHeading);
        if (SelfReference().Match(sentence) is { Success: true } self)
        {
            // "This module …" speaks of the page; "This class/function/method …" of the term it is under.
            var subject = self.Groups["what"].Value.ToLowerInvariant() is "module" or "package" or "library" ? TitleName(pageTitle) ?? term?.Text : term?.Text;
            return subject is null || Names(sentence, subject) ? null : subject;
        }

        return term is not null && !NamesTerm(sentence, term.Value) ? term.Value.Text : null;
    }

    /// <summary>The sentence quoted with its subject, or as it stands.</summary>
    public static string Quote(string sentence, string? subject) => subject is null ? sentence : subject + ": " + sentence;

    /// <summary>
    /// A definition term shaped like an API signature: a dotted or called name (<c>os.getcwd()</c>,
    /// <c>random.choice(seq)</c>, <c>uuid.uuid4()</c>), or a name after a kind keyword
    /// (<c>exception KeyError</c>, <c>class Fraction(numerator=0)</c>). Prose headings never match:
    /// they hold spaces outside parentheses.
    /// </summary>
    internal static (string Text, string Name)? Signature(string heading)
    {
        var match = SignatureShape().Match(heading.Trim());
        if (!match.Success)
        {
            return null;
        }

        var name = match.Groups["name"].Value;
        var keyword = match.Groups["kind"].Success;
        var called = match.Groups["args"].Success;
        if (!keyword && !called && !name.Contains('.', StringComparison.Ordinal))
        {
            return null;
        }

        var last = name[(name.LastIndexOf('.') + 1)..];

        // A long parameter list says nothing the quote needs: "shutil.rmtree()" rather than every default.
        var text = called && match.Groups["sig"].Value.Length > MaxSignature ? name + "()" : match.Groups["sig"].Value;
        return (text, last);
    }

    /// <summary>The name a title gives its page: what comes before its first dash or colon ("tempfile — Generate temporary files …").</summary>
    internal static string? TitleName(string? title)
    {
        if (string.IsNullOrWhiteSpace(title))
        {
            return null;
        }

        // A module's name is an identifier ("tempfile", "os.path"); "What's New in Python 2.5" is no module.
        var head = TitleSeparator().Split(title, 2)[0].Trim();
        return head.Length == title.Trim().Length || !ModuleName().IsMatch(head) ? null : head;
    }

    /// <summary>
    /// Whether a sentence names a term: by its qualified name, as a call ("height()"), or by a name
    /// no English word could be ("KeyError", "bisect_left", "uuid4"); "height" in "Return the height
    /// of the water" is a word, not the name of <c>tidal.height()</c>.
    /// </summary>
    private static bool NamesTerm(string sentence, (string Text, string Name) term)
    {
        var qualified = term.Text.Split('(')[0];
        return Names(sentence, qualified)
            || sentence.Contains(term.Name + "(", StringComparison.Ordinal)
            || (term.Name.Any(c => char.IsUpper(c) || char.IsDigit(c) || c == '_') && Names(sentence, term.Name));
    }

    private static bool Names(string sentence, string name)
    {
        var bare = name.TrimEnd(')').TrimEnd('(');
        for (var at = sentence.IndexOf(bare, StringComparison.OrdinalIgnoreCase); at >= 0; at = sentence.IndexOf(bare, at + 1, StringComparison.OrdinalIgnoreCase))
        {
            // A whole word: "abc" is not named by "ABCs".
            var end = at + bare.Length;
            if ((at == 0 || !IsNameChar(sentence[at - 1])) && (end == sentence.Length || !IsNameChar(sentence[end])))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsNameChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    [GeneratedRegex(@"^@?(?:(?<kind>class|exception|function|method|classmethod|staticmethod|abstractmethod|attribute|data|property|decorator|coroutine|async|await)\s+)*(?<sig>(?<name>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)(?<args>\s*\(.*\))?(?:\s*->\s*\S+)?)$", RegexOptions.CultureInvariant)]
    private static partial Regex SignatureShape();

    [GeneratedRegex(@"^(?:This|The present)\s+(?<what>module|package|library|class|function|method|decorator|exception|type|object)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SelfReference();

    [GeneratedRegex(@"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex ModuleName();

    [GeneratedRegex(@"\s+[—–-]\s+|:\s+", RegexOptions.CultureInvariant)]
    private static partial Regex TitleSeparator();
}
