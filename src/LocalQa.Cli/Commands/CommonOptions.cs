using System.CommandLine;
using LocalQa.Core;
using LocalQa.Core.Configuration;

namespace LocalQa.Cli.Commands;

/// <summary>The settings flags every library verb shares, resolved with localqa.json and LOCALQA_*
/// variables (flags win) into the <see cref="LibraryOptions"/> the verb opens its library with.</summary>
internal sealed class CommonOptions
{
    private readonly SettingsOptions _settings = SettingsOptions.All();

    public void AddTo(Command command) => _settings.AddTo(command);

    public LibraryOptions Resolve(ParseResult parse)
    {
        var resolved = SettingsResolver.ForCurrentProcess().Resolve(_settings.Read(parse));
        return LibraryOptions.From(resolved.Settings);
    }
}
