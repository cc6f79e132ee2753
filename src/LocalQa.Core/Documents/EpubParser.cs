using System.IO.Compression;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace LocalQa.Core.Documents;

/// <summary>
/// Reads an EPUB book: <c>META-INF/container.xml</c> names the package document, whose spine lists
/// the chapters in reading order; each chapter goes through <see cref="HtmlPageParser"/> and opens
/// with its title from the book's table of contents (or its own first heading) as a heading.
/// </summary>
internal static class EpubParser
{
    // An entry that inflates past this is not a chapter of prose: a zip bomb stops here.
    private const int MaxEntryBytes = 64 * 1024 * 1024;

    private sealed record Item(string Path, string MediaType, string Properties);

    internal static PackagedText Parse(byte[] bytes, CancellationToken cancellationToken)
    {
        using var zip = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
        var container = ReadXml(zip, "META-INF/container.xml") ?? throw new InvalidDataException("it has no META-INF/container.xml");
        var packagePath = container.Descendants().FirstOrDefault(e => e.Name.LocalName == "rootfile")?.Attribute("full-path")?.Value
            ?? throw new InvalidDataException("META-INF/container.xml names no package document");
        var package = ReadXml(zip, packagePath) ?? throw new InvalidDataException($"its package document {packagePath} is missing");
        var folder = packagePath.Contains('/', StringComparison.Ordinal) ? packagePath[..(packagePath.LastIndexOf('/') + 1)] : "";

        var manifest = new Dictionary<string, Item>(StringComparer.Ordinal);
        foreach (var item in package.Descendants().Where(e => e.Name.LocalName == "item"))
        {
            if (item.Attribute("id")?.Value is { } id && item.Attribute("href")?.Value is { } href)
            {
                manifest.TryAdd(id, new Item(Resolve(folder, href), item.Attribute("media-type")?.Value ?? "", item.Attribute("properties")?.Value ?? ""));
            }
        }

        var spine = package.Descendants().FirstOrDefault(e => e.Name.LocalName == "spine");
        var labels = TocLabels(zip, manifest, spine?.Attribute("toc")?.Value);
        var blocks = new List<TextBlock>();
        var warnings = new List<string>();
        foreach (var reference in spine?.Elements().Where(e => e.Name.LocalName == "itemref") ?? [])
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (reference.Attribute("idref")?.Value is not { } idref || !manifest.TryGetValue(idref, out var item)
                || item.Properties.Split(' ').Contains("nav", StringComparer.Ordinal) || !item.MediaType.Contains("html", StringComparison.OrdinalIgnoreCase))
            {
                // The table of contents repeats the chapter titles; images and styles carry no text.
                continue;
            }

            var html = ReadText(zip, item.Path);
            if (html is null)
            {
                warnings.Add($"the chapter {item.Path} that its spine lists is missing or too large; the rest was read.");
                continue;
            }

            var chapter = HtmlPageParser.Parse(html, insertTitle: false).Blocks;
            var title = labels.GetValueOrDefault(item.Path) ?? chapter.FirstOrDefault(b => b.IsHeading)?.Text;
            if (!string.IsNullOrWhiteSpace(title) && !(chapter.Count > 0 && chapter[0].IsHeading && chapter[0].Text == title))
            {
                blocks.Add(new TextBlock(title, BlockKind.Heading, 1));
            }

            blocks.AddRange(chapter);
        }

        var bookTitle = package.Descendants().FirstOrDefault(e => e.Name.LocalName == "title")?.Value.Trim();
        return new PackagedText(blocks, string.IsNullOrEmpty(bookTitle) ? null : bookTitle) { Warnings = warnings };
    }

    /// <summary>Chapter titles by file: the EPUB 3 navigation document, else the EPUB 2 NCX; the first entry for a file wins.</summary>
    private static Dictionary<string, string> TocLabels(ZipArchive zip, Dictionary<string, Item> manifest, string? ncxId)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var nav = manifest.Values.FirstOrDefault(i => i.Properties.Split(' ').Contains("nav", StringComparer.Ordinal));
        if (nav is not null && ReadText(zip, nav.Path) is { } navHtml)
        {
            using var document = new HtmlParser().ParseDocument(navHtml);
            var toc = document.QuerySelectorAll("nav").FirstOrDefault(n => n.GetAttribute("epub:type") == "toc") ?? document.QuerySelector("nav");
            foreach (var anchor in (IEnumerable<IElement>?)toc?.QuerySelectorAll("a[href]") ?? [])
            {
                Add(nav.Path, anchor.GetAttribute("href")!, anchor.TextContent);
            }
        }
        else if (ncxId is not null && manifest.TryGetValue(ncxId, out var ncx) && ReadXml(zip, ncx.Path) is { } ncxDocument)
        {
            foreach (var point in ncxDocument.Descendants().Where(e => e.Name.LocalName == "navPoint"))
            {
                var label = point.Elements().FirstOrDefault(e => e.Name.LocalName == "navLabel")?.Value;
                var source = point.Elements().FirstOrDefault(e => e.Name.LocalName == "content")?.Attribute("src")?.Value;
                if (label is not null && source is not null)
                {
                    Add(ncx.Path, source, label);
                }
            }
        }

        return labels;

        void Add(string from, string href, string label)
        {
            var text = string.Join(' ', label.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            var target = href.Split('#')[0];
            if (text.Length > 0 && target.Length > 0)
            {
                labels.TryAdd(Resolve(from[..(from.LastIndexOf('/') + 1)], target), text);
            }
        }
    }

    /// <summary>A path inside the archive from a reference relative to <paramref name="folder"/>.</summary>
    private static string Resolve(string folder, string href)
    {
        var parts = new List<string>();
        foreach (var part in (folder + Uri.UnescapeDataString(href)).Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(part);
        }

        return string.Join('/', parts);
    }

    private static string? ReadText(ZipArchive zip, string path)
    {
        var entry = zip.GetEntry(path);
        if (entry is null || entry.Length > MaxEntryBytes)
        {
            return null;
        }

        using var stream = entry.Open();
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            // The declared length can lie; the inflated bytes cannot.
            if (buffer.Length + read > MaxEntryBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        buffer.Position = 0;
        using var reader = new StreamReader(buffer, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    private static XDocument? ReadXml(ZipArchive zip, string path)
    {
        if (ReadText(zip, path) is not { } text)
        {
            return null;
        }

        // No DTDs: an entity that expands a billion times is a way to stop an ingest.
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null };
        using var reader = XmlReader.Create(new StringReader(text), settings);
        return XDocument.Load(reader);
    }
}
