using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using LocalQa.Core.Gguf;
using LocalQa.Core.Index;
using LocalQa.Testing;

namespace LocalQa.Cli.Tests;

/// <summary>
/// The catalogue of bad inputs, each through the real command line in a child process: exit code 2
/// (or 130 when interrupted), a short message naming the file or value, no stack trace, and the
/// index left as it was.
/// </summary>
public sealed class BadInputCliTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    private string File(string name, byte[] bytes)
    {
        var path = Path.Combine(_cli.Home, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    private string TinyModel(string name, TinyModelOptions? options = null)
    {
        var path = Path.Combine(_cli.Home, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        SyntheticModel.WriteTiny(path, options);
        return path;
    }

    private static void AssertUserError(CliRunner.Result r, string mustName)
    {
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}\n{r.Err}\n{r.Out}");
        Assert.Contains(mustName, r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Err, StringComparison.Ordinal);
        Assert.True(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length <= 3, r.Err);
    }

    [Fact]
    public void An_empty_model_file() =>
        AssertUserError(_cli.Run("ask", "Who is LeCun?", "--model", File("empty.gguf", [])), "empty.gguf");

    [Fact]
    public void Random_bytes_named_gguf()
    {
        var bytes = new byte[10_000];
        new Random(3).NextBytes(bytes);
        AssertUserError(_cli.Run("ask", "Who is LeCun?", "--model", File("random.gguf", bytes)), "random.gguf");
    }

    [Fact]
    public void A_truncated_model()
    {
        var full = System.IO.File.ReadAllBytes(TinyModel("whole.gguf"));
        AssertUserError(_cli.Run("ask", "Who is LeCun?", "--model", File("truncated.gguf", full[..(full.Length / 2)])), "truncated.gguf");
    }

    [Fact]
    public void A_header_claiming_absurd_counts()
    {
        var bytes = System.IO.File.ReadAllBytes(TinyModel("whole2.gguf"));
        BitConverter.TryWriteBytes(bytes.AsSpan(16, 8), long.MaxValue);
        AssertUserError(_cli.Run("ask", "Who is LeCun?", "--model", File("absurd.gguf", bytes)), "absurd.gguf");
    }

    [Fact]
    public void A_vocabulary_only_file_used_to_generate()
    {
        // Tokenizer metadata and no weights, like the vocab-only files llama.cpp ships for tests.
        var source = GgufReader.Read(TinyModel("source.gguf"));
        var path = Path.Combine(_cli.Home, "vocab-only.gguf");
        using (var w = new GgufWriter(path))
        {
            foreach (var (key, value) in source.Metadata)
            {
                if (key != "general.alignment") w.AddMetadata(key, value);
            }
            w.Complete();
        }
        AssertUserError(_cli.Run("ask", "Who is LeCun?", "--model", path), "vocab-only.gguf");
    }

    [Fact]
    public void A_model_path_with_spaces_and_non_ascii_characters_works()
    {
        var path = TinyModel(Path.Combine("mödèls dir", "tiny chat ✓.gguf"));
        var r = _cli.Run(["ask", "When was LLaMA 3 released?", "--model", path, "--max-tokens", "4", "--json"], null);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("\"mode\": \"generative\"", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void An_embedding_model_used_for_chat_is_refused()
    {
        var embed = TinyModel("embedder.gguf", TinyModelOptions.Embedding);
        AssertUserError(_cli.Run("ask", "Who is LeCun?", "--model", embed), "embedding model");
    }

    [Fact]
    public void A_chat_model_used_for_embeddings_still_indexes()
    {
        var chat = TinyModel("chat-as-embedder.gguf");
        var r = _cli.Run("ingest", Path.Combine(CliRunner.RepoRoot, "seeds"), "--embed-model", chat, "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("\"lexical_only\": false", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void A_context_larger_than_the_model_allows()
    {
        var model = TinyModel("small-context.gguf");
        AssertUserError(_cli.Run("ask", "Who is LeCun?", "--model", model, "--context", "1000000"), "trained for");
    }

    [Fact]
    public void A_folder_where_a_file_is_expected()
    {
        AssertUserError(_cli.Run("summarize", _cli.Home), "folder");
        AssertUserError(_cli.Run("ask", "x?", "--model", _cli.Home), "folder");
    }

    [Fact]
    public void A_file_where_a_folder_is_expected()
    {
        var file = File("not-a-folder.txt", "hello"u8.ToArray());
        AssertUserError(_cli.Run("ask", "Who is LeCun?", "--prompts", file), "not-a-folder.txt");
        AssertUserError(_cli.Run("ingest", Path.Combine(CliRunner.RepoRoot, "seeds"), "--index", _cli.Home), "folder");
    }

    [Fact]
    public void A_prompt_file_in_the_old_placeholder_form()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(CliRunner.RepoRoot, "prompts")))
            File(Path.Combine("old-prompts", Path.GetFileName(file)), System.IO.File.ReadAllBytes(file));
        var answer = File(Path.Combine("old-prompts", "answer.txt"), "Passages:\n{{passages}}\n\nQuestion: {{question}}\n"u8.ToArray());
        var r = _cli.Run("ask", "Who is LeCun?", "--prompts", Path.GetDirectoryName(answer)!);
        AssertUserError(r, answer);
        Assert.Contains("{{$passages}}", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_article_to_summarize()
    {
        AssertUserError(_cli.Run("summarize", File("empty.txt", [])), "empty.txt");
        AssertUserError(_cli.Run(["summarize", "-"], ""), "standard input");
    }

    [Fact]
    public void A_binary_file_to_summarize() =>
        AssertUserError(_cli.Run("summarize", File("image.txt", [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 0, 0])), "image.txt");

    [Fact]
    public void Invalid_utf8_on_stdin_is_replaced_not_fatal()
    {
        var r = _cli.Run(["summarize", "-", "--json"], "Caf\uFFFD ol\u00e9. The harbour has forty boats. The keeper counts them every night.\n");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("\"summary\"", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void An_index_that_is_not_sqlite_is_refused_and_left_unchanged()
    {
        var bytes = "this is a text file, not an index\n"u8.ToArray();
        var index = File("notes.db", bytes);
        AssertUserError(_cli.Run("ask", "Who is LeCun?", "--index", index), "notes.db");
        Assert.Equal(bytes, System.IO.File.ReadAllBytes(index));
    }

    [Fact]
    public void An_index_from_a_newer_localqa_is_refused_and_left_unchanged()
    {
        var index = Path.Combine(_cli.Home, "newer.db");
        var ok = _cli.Run("ingest", Path.Combine(CliRunner.RepoRoot, "seeds"), "--index", index);
        Assert.True(ok.ExitCode == 0, ok.Err);
        using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={index};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"PRAGMA user_version = {LocalQaIndex.SchemaVersion + 5};";
            cmd.ExecuteNonQuery();
        }
        var before = System.IO.File.ReadAllBytes(index);
        AssertUserError(_cli.Run("ask", "Who is LeCun?", "--index", index), "newer.db");
        Assert.Equal(before, System.IO.File.ReadAllBytes(index));
    }

    [Fact]
    public void A_folder_without_read_permission_is_a_warning_naming_it()
    {
        if (OperatingSystem.IsWindows()) Assert.Skip("Unix permissions only.");
        if (Environment.UserName == "root" || geteuid() == 0)
            Assert.Skip("Running as root, which reads any folder: the permission case cannot be produced here (it is covered for non-root users).");
        var dir = Path.Combine(_cli.Home, "locked");
        Directory.CreateDirectory(dir);
        System.IO.File.WriteAllText(Path.Combine(dir, "a.txt"), "An article about boats.");
#pragma warning disable CA1416 // Windows returned above.
        System.IO.File.SetUnixFileMode(dir, UnixFileMode.None);
        try
        {
            var r = _cli.Run("ingest", dir, Path.Combine(CliRunner.RepoRoot, "seeds"));
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("locked", r.Err, StringComparison.Ordinal);
        }
        finally
        {
            System.IO.File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
#pragma warning restore CA1416
    }

    [DllImport("libc", SetLastError = true)]
    private static extern uint geteuid();

    [Fact]
    public async Task Ctrl_c_during_generation_exits_130()
    {
        using var run = await BlockedGeneration.InterruptAsync(this);
        // Drained only now: the child's token is cancelled before it says it is stopping.
        var rest = await run.Process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken).WaitAsync(CliRunner.HangGuard, TestContext.Current.CancellationToken);
        var stderr = await run.ExitAsync();

        Assert.True(run.Process.ExitCode == 130, $"exit {run.Process.ExitCode}\n{stderr}");
        Assert.Contains(Interrupts.Stopping, stderr, StringComparison.Ordinal);
        Assert.True(Encoding.UTF8.GetByteCount(rest) < 30_000, "the answer stopped early");
    }

    [Fact]
    public async Task A_second_ctrl_c_quits_at_once_while_the_first_waits_on_a_blocked_step()
    {
        using var run = await BlockedGeneration.InterruptAsync(this);
        // Stdout is never drained: the first Ctrl+C cannot finish its step, only the second ends it.
        Interrupt(run.Process);
        var stderr = await run.ExitAsync();

        Assert.True(run.Process.ExitCode == 130, $"exit {run.Process.ExitCode}\n{stderr}");
    }

    /// <summary>
    /// A generation that cannot end before the interrupt on a machine of any speed: the model never
    /// picks an end token, its 8,192-token limit writes ~30 KB, and nobody reads stdout past the first
    /// character, so the child blocks once a 4 KiB pipe is full — the case of output piped to a pager
    /// nobody reads. Interrupted when the pipe is full; returned once the child has said it is stopping.
    /// </summary>
    private sealed class BlockedGeneration : IDisposable
    {
        private readonly StringBuilder _err = new();
        private readonly TaskCompletionSource _stopping = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Task _errDone = Task.CompletedTask;

        private BlockedGeneration(Process process) => Process = process;

        public Process Process { get; }

        public static async Task<BlockedGeneration> InterruptAsync(BadInputCliTests test)
        {
            if (!OperatingSystem.IsLinux()) Assert.Skip("Shrinking a pipe (F_SETPIPE_SZ) is Linux's.");
            var model = test.TinyModel("ctrlc.gguf", new TinyModelOptions { EndsGeneration = false, Shape = ModelShape.Tiny with { ContextLength = 16384 } });
            var run = new BlockedGeneration(test._cli.Start(["ask", "When was LLaMA 3 released?", "--model", model, "--max-tokens", "8192", "--context", "16384"], interruptible: true));
            var p = run.Process;
            ShrinkPipe(p.StandardOutput.BaseStream);
            run._errDone = Task.Run(async () =>
            {
                while (await p.StandardError.ReadLineAsync() is { } line)
                {
                    lock (run._err) run._err.AppendLine(line);
                    if (line == Interrupts.Stopping) run._stopping.TrySetResult();
                }
                run._stopping.TrySetResult();
            });

            Assert.True(p.StandardOutput.Read() >= 0, "the answer began");
            var pipe = ((System.IO.Pipes.PipeStream)p.StandardOutput.BaseStream).SafePipeHandle.DangerousGetHandle();
            // Within one token's text of full: a write that does not fit waits whole (pipe writes up to a
            // page are atomic), so the pipe may stop a few bytes short of its size.
            while (!p.WaitForExit(IndexProbe.PollMilliseconds) && BytesWaiting(pipe) < PipeBytes - 256)
            {
            }
            Interrupt(p);
            // A guard against a hang, not a measure of speed.
            await run._stopping.Task.WaitAsync(CliRunner.HangGuard, TestContext.Current.CancellationToken);
            return run;
        }

        /// <summary>Waits for the child to end and returns what it wrote on stderr.</summary>
        public async Task<string> ExitAsync()
        {
            await Process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(CliRunner.HangGuard, TestContext.Current.CancellationToken);
            await _errDone;
            lock (_err) return _err.ToString();
        }

        public void Dispose()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.Dispose();
        }
    }

    private const int PipeBytes = 4096;

    [DllImport("libc", SetLastError = true)]
    private static extern int fcntl(nint fd, int cmd, int arg);

    [DllImport("libc", SetLastError = true)]
    private static extern int ioctl(nint fd, ulong request, out int value);

    private static void ShrinkPipe(Stream stdout)
    {
        const int F_SETPIPE_SZ = 1031;
        // Before the child has written anything to stdout: it writes only the answer, after loading a model.
        var fd = ((System.IO.Pipes.PipeStream)stdout).SafePipeHandle.DangerousGetHandle();
        Assert.True(fcntl(fd, F_SETPIPE_SZ, PipeBytes) == PipeBytes, $"F_SETPIPE_SZ failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Bytes written to the pipe and not yet read (FIONREAD): at the pipe's size, the writer is blocked.</summary>
    private static int BytesWaiting(nint fd)
    {
        const ulong FIONREAD = 0x541B;
        Assert.True(ioctl(fd, FIONREAD, out var n) == 0, $"FIONREAD failed: errno {Marshal.GetLastPInvokeError()}");
        return n;
    }

    [Fact]
    public void Ctrl_c_during_ingest_exits_130_and_leaves_a_consistent_index()
    {
        var dir = Path.Combine(_cli.Home, "many");
        Directory.CreateDirectory(dir);
        for (var i = 0; i < 400; i++)
            System.IO.File.WriteAllText(Path.Combine(dir, $"a{i:D4}.txt"), string.Concat(Enumerable.Repeat($"Article {i} talks about boats and the harbour at length. ", 200)));
        var index = Path.Combine(_cli.Home, "ctrlc.db");
        using var p = _cli.Start(["ingest", dir, "--index", index], interruptible: true);
        // Interrupted once the first documents are committed, so under way on a machine of any
        // speed: a fixed delay could end before the runtime had even installed its Ctrl+C handler.
        while (!p.WaitForExit(IndexProbe.PollMilliseconds) && IndexProbe.Documents(index).Count == 0)
        {
        }
        Interrupt(p);
        // A guard against a hang, not a measure of speed.
        Assert.True(p.WaitForExit(CliRunner.HangGuard), "exited after Ctrl+C");
        // 0 when this machine finished the 400 files between the first commit and the signal:
        // the index must be consistent either way.
        Assert.True(p.ExitCode is 130 or 0, $"exit {p.ExitCode}");
        using var idx = LocalQaIndex.Open(index);
        Assert.True(idx.IntegrityCheck().IsOk);
    }

    private static void Interrupt(Process p)
    {
        using var kill = Process.Start("kill", ["-INT", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }
}
