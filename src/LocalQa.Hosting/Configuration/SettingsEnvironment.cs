using LocalQa.Core;
using LocalQa.Hosting.Models;

namespace LocalQa.Hosting.Configuration;

/// <summary>
/// Everything outside the command line that settings depend on: environment variables, the current
/// folder, the user's config folder, the built-in defaults and the catalog. Tests build one by hand,
/// so they never read the real environment.
/// </summary>
public sealed record SettingsEnvironment
{
    /// <summary>Reads an environment variable; null when unset.</summary>
    public required Func<string, string?> GetVariable { get; init; }

    /// <summary>The folder a localqa.json is looked for first, and relative flag and variable paths start from.</summary>
    public required string CurrentDirectory { get; init; }

    /// <summary>The user's LocalQa config folder (holding a localqa.json), or null for none.</summary>
    public string? UserConfigDirectory { get; init; }

    /// <summary>The data folder when nothing sets <c>home</c>.</summary>
    public required string DefaultHome { get; init; }

    /// <summary>The prompts folder shipped with LocalQa, or null.</summary>
    public string? DefaultPromptsDirectory { get; init; }

    /// <summary>Folders shipped with LocalQa that may hold models (the checkout's models/), searched last.</summary>
    public IReadOnlyList<string> BundledModelFolders { get; init; } = [];

    /// <summary>The model catalog, whose defaults are used when no model is configured; null without one.</summary>
    public ModelCatalog? Catalog { get; init; }

    /// <summary>The real process: its environment, current folder, the platform's config and data folders.</summary>
    public static SettingsEnvironment ForCurrentProcess() => new()
    {
        GetVariable = Environment.GetEnvironmentVariable,
        CurrentDirectory = Environment.CurrentDirectory,
        UserConfigDirectory = DefaultUserConfigDirectory(Environment.GetEnvironmentVariable),
        DefaultHome = DefaultDataHome(Environment.GetEnvironmentVariable),
        DefaultPromptsDirectory = LocalQaPaths.PromptsDirectory,
        BundledModelFolders = ModelCatalog.BundledModelFolders(),
        Catalog = ModelCatalog.TryLoadDefault(),
    };

    /// <summary>
    /// The user's config folder: $XDG_CONFIG_HOME/localqa or ~/.config/localqa on Linux and macOS,
    /// %APPDATA%\localqa on Windows.
    /// </summary>
    public static string? DefaultUserConfigDirectory(Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        if (OperatingSystem.IsWindows())
        {
            var appData = getVariable("APPDATA");
            if (string.IsNullOrWhiteSpace(appData)) appData = Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData);
            return string.IsNullOrEmpty(appData) ? null : Path.Combine(appData, "localqa");
        }
        var xdg = getVariable("XDG_CONFIG_HOME");
        if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)) return Path.Combine(xdg, "localqa");
        var home = getVariable("HOME");
        if (string.IsNullOrWhiteSpace(home)) home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".config", "localqa");
    }

    /// <summary>
    /// The data folder when LOCALQA_HOME is not set (<see cref="LocalQaPaths.Home"/> uses it too):
    /// $XDG_DATA_HOME/localqa on Linux, else the local application data folder.
    /// </summary>
    public static string DefaultDataHome(Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        var xdg = getVariable("XDG_DATA_HOME");
        var baseDir = !string.IsNullOrWhiteSpace(xdg) && OperatingSystem.IsLinux()
            ? xdg
            : Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create);
        if (string.IsNullOrEmpty(baseDir)) baseDir = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(baseDir, "localqa");
    }
}
