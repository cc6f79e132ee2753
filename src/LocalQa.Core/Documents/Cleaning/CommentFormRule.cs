using LocalQa.Core.Text;

namespace LocalQa.Core.Documents.Cleaning;

/// <summary>
/// Removes comment forms: a "Leave a Reply" style heading with the form fields after it, and the
/// form's fine print ("Your email address will not be published") wherever it appears.
/// </summary>
internal sealed class CommentFormRule : ICleaningRule
{
    private const int MaxHeadingWords = 6;
    private const int MaxFinePrintWords = 40;

    /// <inheritdoc/>
    public string Name => "comment-form";

    /// <inheritdoc/>
    public void Apply(CleaningContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var blocks = context.Blocks;
        for (var i = 0; i < blocks.Count; i++)
        {
            var text = blocks[i].Text;
            var words = Words.Count(text, MaxFinePrintWords);
            if (words <= MaxFinePrintWords && BoilerplatePatterns.CommentFinePrint().IsMatch(text))
            {
                context.Remove(i, Name);
                continue;
            }

            if (words > MaxHeadingWords || !BoilerplatePatterns.CommentHeading().IsMatch(PhraseRule.NormalizeLine(text)))
            {
                continue;
            }

            context.Remove(i, Name);
            for (var j = i + 1; j < blocks.Count; j++)
            {
                var field = blocks[j].Text;
                var fieldWords = Words.Count(field, MaxFinePrintWords);
                var isFormPart = (fieldWords <= MaxFinePrintWords && BoilerplatePatterns.CommentFinePrint().IsMatch(field))
                    || (fieldWords <= 3 && BoilerplatePatterns.CommentField().IsMatch(PhraseRule.NormalizeLine(field)));
                if (!isFormPart)
                {
                    break;
                }

                context.Remove(j, Name);
                i = j;
            }
        }
    }
}
