using LocalQa.Core.Answering;

namespace LocalQa.Core.Tests.Answering;

/// <summary>
/// Extractive answers over reference pages, which state their subject in structure: a definition
/// term over the sentence that describes it, the page's title over "This module …". What a user
/// sees is the quote with its subject named, cited as any other.
/// </summary>
public sealed class ReferenceStructureTests : IDisposable
{
    private readonly TempFolder folder = new();

    private const string ReferencePage = """
        <!DOCTYPE html>
        <html><head><title>tidal — Tide tables for small harbours — Harbour Tools 2.1 documentation</title></head>
        <body><div role="main">
        <h1>tidal — Tide tables for small harbours<a class="headerlink" href="#module-tidal">¶</a></h1>
        <p>This module reads the tide tables that harbour offices publish each season.</p>
        <p>The tables come as plain text files, one station a file, with a line per high or low water.</p>
        <h2>Functions<a class="headerlink" href="#functions">¶</a></h2>
        <dl class="py function">
        <dt class="sig sig-object py" id="tidal.height"><span class="sig-prename descclassname">tidal.</span><span class="sig-name descname">height</span>(<em>station</em>)<a class="headerlink" href="#tidal.height">¶</a></dt>
        <dd><p>Return the height of the water at the station in metres above chart datum.</p></dd>
        </dl>
        <dl class="py function">
        <dt class="sig sig-object py" id="tidal.slack"><span class="sig-prename descclassname">tidal.</span><span class="sig-name descname">slack</span>(<em>station</em>, <em>day</em>)<a class="headerlink" href="#tidal.slack">¶</a></dt>
        <dd><p>Return the minutes of slack water between the tides on the given day.</p></dd>
        </dl>
        <h2>Exceptions<a class="headerlink" href="#exceptions">¶</a></h2>
        <dl class="py exception">
        <dt class="sig sig-object py" id="tidal.GaugeError"><em class="property">exception </em><span class="sig-prename descclassname">tidal.</span><span class="sig-name descname">GaugeError</span></dt>
        <dd><p>Raised when a tide gauge does not report within its reading window.</p></dd>
        </dl>
        </div></body></html>
        """;

    [Fact]
    public async Task A_sentence_under_a_definition_term_is_quoted_with_the_term_as_its_subject()
    {
        using var qa = await IngestedAsync(("tidal.html", ReferencePage));

        var answer = await qa.AskAsync("Which tidal function returns the height of the water at a station?", cancellationToken: TestContext.Current.CancellationToken);

        Assert.False(answer.Abstained, answer.Answer);
        Assert.StartsWith("tidal.height(station): Return the height of the water", answer.Answer, StringComparison.Ordinal);
        Assert.Contains("[1]", answer.Answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_exception_term_is_the_subject_of_its_raised_when_sentence()
    {
        using var qa = await IngestedAsync(("tidal.html", ReferencePage));

        var answer = await qa.AskAsync("Which exception is raised when a tide gauge does not report within its reading window?", cancellationToken: TestContext.Current.CancellationToken);

        Assert.False(answer.Abstained, answer.Answer);
        Assert.StartsWith("tidal.GaugeError: Raised when a tide gauge", answer.Answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task This_module_takes_the_name_the_page_title_gives()
    {
        using var qa = await IngestedAsync(("tidal.html", ReferencePage));

        var answer = await qa.AskAsync("Which module reads the tide tables that harbour offices publish?", cancellationToken: TestContext.Current.CancellationToken);

        Assert.False(answer.Abstained, answer.Answer);
        Assert.StartsWith("tidal: This module reads the tide tables", answer.Answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_markdown_signature_heading_is_the_subject_of_the_sentences_under_it()
    {
        const string Markdown = """
            # gauge — Tidal streams

            The module lists what the survey boat measures on each trip.

            ## Functions

            ### gauge.speed(station)

            Return the speed of the flood stream at the station in knots.

            ### gauge.bearing(station)

            Return the compass bearing the ebb stream sets towards.
            """;
        using var qa = await IngestedAsync(("gauge.md", Markdown));

        var answer = await qa.AskAsync("Which function returns the speed of the flood stream?", cancellationToken: TestContext.Current.CancellationToken);

        Assert.False(answer.Abstained, answer.Answer);
        Assert.StartsWith("gauge.speed(station): Return the speed of the flood stream", answer.Answer, StringComparison.Ordinal);
    }

    private const string TablePage = """
        <!DOCTYPE html>
        <html><head><title>moorings — Berths and their boats — Harbour Tools 2.1 documentation</title></head>
        <body><div role="main">
        <h1>moorings — Berths and their boats</h1>
        <p>The harbour office keeps one register of moorings for the inner basin and one for the outer basin.</p>
        <table>
        <thead><tr><th>Name</th><th>Description</th></tr></thead>
        <tbody>
        <tr><td>swingberth</td><td>circular mooring where a boat turns freely with the wind and the tide</td></tr>
        <tr><td>pileberth</td><td>mooring held between wooden piles driven into the harbour mud</td></tr>
        <tr><td>drybay</td><td>mooring that dries out at low water so the hull rests on the sand</td></tr>
        </tbody></table>
        <p>Owners pay for a season at the office before the first of April.</p>
        </div></body></html>
        """;

    [Fact]
    public async Task A_table_row_that_answers_is_quoted_as_a_row_under_its_column_header()
    {
        using var qa = await IngestedAsync(("moorings.html", TablePage));

        var answer = await qa.AskAsync("Which mooring dries out at low water so the hull rests on the sand?", cancellationToken: TestContext.Current.CancellationToken);

        Assert.False(answer.Abstained, answer.Answer);
        Assert.StartsWith("(table row; columns: Name | Description) drybay | mooring that dries out at low water", answer.Answer, StringComparison.Ordinal);
        Assert.Contains("[1]", answer.Answer, StringComparison.Ordinal);
        // The header row is no evidence, and no other row is run together with this one as prose.
        Assert.DoesNotContain("swingberth", answer.Answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_row_of_a_table_without_a_header_is_still_marked_as_a_row()
    {
        var page = TablePage.Replace("<thead><tr><th>Name</th><th>Description</th></tr></thead>", "", StringComparison.Ordinal);
        using var qa = await IngestedAsync(("moorings.html", page));

        var answer = await qa.AskAsync("Which mooring is held between wooden piles driven into the harbour mud?", cancellationToken: TestContext.Current.CancellationToken);

        Assert.False(answer.Abstained, answer.Answer);
        Assert.StartsWith("(table row) pileberth | mooring held between wooden piles", answer.Answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_question_no_row_or_sentence_covers_still_abstains()
    {
        using var qa = await IngestedAsync(("moorings.html", TablePage));

        var answer = await qa.AskAsync("Who built the lighthouse on the northern breakwater?", cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(answer.Abstained, answer.Answer);
    }

    [Fact]
    public async Task Current_in_a_name_the_page_uses_is_no_question_about_now()
    {
        const string Page = """
            <!DOCTYPE html>
            <html><head><title>berths — Where the boats lie — Harbour Tools 2.1 documentation</title></head>
            <body><div role="main">
            <h1>berths — Where the boats lie</h1>
            <p>This module keeps track of which boat lies at which berth of the inner basin.</p>
            <dl><dt>berths.where(boat)</dt><dd><p>Return the current berth of the boat as a pontoon letter and a number.</p></dd></dl>
            <dl><dt>berths.move(boat, berth)</dt><dd><p>Record that the boat has been moved to another berth by the harbour crew.</p></dd></dl>
            </div></body></html>
            """;
        using var qa = await IngestedAsync(("berths.html", Page));

        var named = await qa.AskAsync("What returns the current berth of a boat?", cancellationToken: TestContext.Current.CancellationToken);
        var now = await qa.AskAsync("Which boat lies at the inner basin today?", cancellationToken: TestContext.Current.CancellationToken);

        Assert.False(named.Abstained, named.Answer);
        Assert.StartsWith("berths.where(boat): Return the current berth of the boat", named.Answer, StringComparison.Ordinal);
        Assert.True(now.Abstained, now.Answer);
    }

    [Fact]
    public async Task A_markdown_definition_term_is_the_subject_of_its_definition()
    {
        const string Markdown = """
            # pontoon — Floating berths

            The module describes the floating berths of the marina and what each one holds.

            pontoon.capacity(letter)
            :   Return the number of boats the pontoon can hold at spring tides.

            pontoon.length(letter)
            :   Return the length of the pontoon walkway from the gate to its far end.
            """;
        using var qa = await IngestedAsync(("pontoon.md", Markdown));

        var answer = await qa.AskAsync("What returns the number of boats a pontoon can hold at spring tides?", cancellationToken: TestContext.Current.CancellationToken);

        Assert.False(answer.Abstained, answer.Answer);
        Assert.StartsWith("pontoon.capacity(letter): Return the number of boats", answer.Answer, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("os.getcwd()", "os.getcwd()")]
    [InlineData("exception KeyError", "KeyError")]
    [InlineData("class collections.deque([iterable[, maxlen]])", "collections.deque([iterable[, maxlen]])")]
    [InlineData("@dataclasses.dataclass", "dataclasses.dataclass")]
    [InlineData("harbour.open(station, day, tide=None, wind=None, crew=None, boat=None)", "harbour.open()")]
    public void A_signature_term_is_quoted_as_written_or_by_its_name_when_long(string term, string quoted)
    {
        Assert.Equal(quoted, ExtractiveSubject.Signature(term)?.Text);
    }

    [Theory]
    [InlineData("Files and Directories")]
    [InlineData("Introduction")]
    [InlineData("What the survey found.")]
    public void A_prose_heading_is_no_subject(string heading)
    {
        Assert.Null(ExtractiveSubject.Signature(heading));
        Assert.Null(ExtractiveSubject.For("Return the height of the water.", heading, null));
    }

    [Fact]
    public void A_sentence_that_names_its_subject_is_quoted_as_it_stands()
    {
        Assert.Null(ExtractiveSubject.For("The height() function returns the height of the water.", "tidal.height(station)", null));
        Assert.Null(ExtractiveSubject.For("Raised when a KeyError is caught twice.", "exception KeyError", null));
        Assert.Equal("tidal.height(station)", ExtractiveSubject.For("Return the height of the water.", "tidal.height(station)", null));
        Assert.Null(ExtractiveSubject.For("This module provides the abc helpers.", null, "abc — Abstract Base Classes"));
        Assert.Equal("abc", ExtractiveSubject.For("This module provides the infrastructure for defining ABCs.", null, "abc — Abstract Base Classes"));
        // Only a title that names a module (an identifier) lends its name to "This module".
        Assert.Null(ExtractiveSubject.For("This module contains a UUID class.", null, "What's New in Python 2.5"));
        // "This function" speaks of a term, never of the page.
        Assert.Null(ExtractiveSubject.For("This function is a decorator.", null, "dataclasses — Data Classes"));
    }

    public void Dispose() => folder.Dispose();

    private async Task<ILocalQa> IngestedAsync(params (string Name, string Text)[] files)
    {
        var docs = folder.Sub("docs");
        foreach (var (name, text) in files)
        {
            File.WriteAllText(Path.Combine(docs, name), text);
        }

        var qa = new LocalQaBuilder().WithIndex(folder.IndexPath).WithPrompts(IndexTestData.Prompts()).Build();
        await qa.IngestAsync([docs], cancellationToken: TestContext.Current.CancellationToken);
        return qa;
    }
}
