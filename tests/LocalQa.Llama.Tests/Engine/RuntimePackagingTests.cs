using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace LocalQa.Llama.Tests.Engine;

/// <summary>How the build brings in llama.cpp: LLamaSharp's backend package, one platform's natives,
/// and the GPU switch.</summary>
public sealed class RuntimePackagingTests
{
    [Fact]
    public void The_runtime_loads_from_the_LLamaSharp_backend_package_next_to_the_binaries()
    {
        var info = LlamaRuntime.Load();
        Assert.True(info.IsBundled);
        Assert.Equal("LLamaSharp 0.30.0", info.Binding);
        Assert.Equal(LlamaRuntime.ExpectedVersion, info.Version);
        Assert.StartsWith(LlamaRuntime.ExpectedCommit, info.Commit, StringComparison.Ordinal);
        Assert.StartsWith(Path.Combine(AppContext.BaseDirectory, "runtimes"), info.LibraryPath, StringComparison.Ordinal);
        Assert.Contains(info.Devices, d => d.Kind == "cpu");
    }

    [Fact]
    public void Once_loaded_the_runtime_refuses_to_switch_to_another_folder_and_accepts_the_same_choice()
    {
        var info = LlamaRuntime.Load();
        LlamaRuntime.UseNativeDirectory(info.IsBundled ? null : info.Directory);
        var other = Path.Combine(Path.GetTempPath(), "localqa-other-runtime");
        var e = Assert.Throws<LlamaRuntimeException>(() => LlamaRuntime.UseNativeDirectory(other));
        Assert.Contains(other, e.Message, StringComparison.Ordinal);
        Assert.Contains("already loaded", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_framework_dependent_build_carries_the_natives_of_this_platform_only()
    {
        var runtimes = Path.Combine(AppContext.BaseDirectory, "runtimes");
        var rid = RuntimeInformation.RuntimeIdentifier;
        var llamas = Directory.GetFiles(runtimes, "*llama*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(runtimes, f).Replace('\\', '/'))
            .ToList();
        Assert.NotEmpty(llamas);
        // LLamaSharp.Backend.Cpu carries seven platforms (109 MB); a user runs only this one.
        Assert.All(llamas, f => Assert.StartsWith(rid + "/", f, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", "LLamaSharp.Backend.Cpu")]
    [InlineData("cuda12", "LLamaSharp.Backend.Cuda12")]
    [InlineData("vulkan", "LLamaSharp.Backend.Vulkan")]
    public void The_LocalQaGpu_switch_selects_the_backend_package(string gpu, string expected)
    {
        // Evaluation only: the GPU packages need not be restorable here to see which one is chosen.
        var (code, output) = Dotnet("msbuild", Path.Combine(TestPaths.RepoRoot, "src", "LocalQa.Llama", "LocalQa.Llama.csproj"),
            "-getItem:PackageReference", $"-p:LocalQaGpu={gpu}", "-nologo");
        Assert.True(code == 0, output);
        using var doc = JsonDocument.Parse(output);
        var packages = doc.RootElement.GetProperty("Items").GetProperty("PackageReference").EnumerateArray()
            .Select(p => p.GetProperty("Identity").GetString()).ToList();
        var backends = packages.Where(p => p!.StartsWith("LLamaSharp.Backend.", StringComparison.Ordinal)).ToList();
        Assert.Equal([expected], backends);
        Assert.Contains("LLamaSharp", packages);
    }

    private static (int Code, string Output) Dotnet(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout + stderr.Result);
    }
}
