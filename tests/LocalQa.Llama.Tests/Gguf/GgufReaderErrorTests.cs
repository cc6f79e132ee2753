using LocalQa.Core;
using LocalQa.Core.Gguf;
using LocalQa.Testing;
using Xunit;

namespace LocalQa.Llama.Tests.Gguf;

/// <summary>Every kind of bad file is reported as a GgufFormatException that names the file and the problem.</summary>
public sealed class GgufReaderErrorTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private GgufFormatException ReadFails(RawGguf raw, string name, string expectedProblem)
    {
        var path = raw.WriteTo(_folder, name);
        return ReadFails(path, expectedProblem);
    }

    private static GgufFormatException ReadFails(string path, string expectedProblem)
    {
        var e = Assert.Throws<GgufFormatException>(() => GgufReader.Read(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(expectedProblem, e.Message, StringComparison.Ordinal);
        Assert.Equal(path, e.FilePath);
        // A user's file, not LocalQa's bug: the command line gives exit code 2 and the fix.
        Assert.IsType<InvalidInputException>(e, exactMatch: false);
        return e;
    }

    [Fact]
    public void Missing_file_says_it_is_not_found()
    {
        var path = _folder.File("nope.gguf");
        var e = ReadFails(path, "not found");
        Assert.NotNull(e.Fix);
    }

    [Fact]
    public void Directory_is_rejected()
    {
        ReadFails(_folder.Path, "directory");
    }

    [Fact]
    public void Empty_file_says_it_is_empty()
    {
        var path = _folder.File("empty.gguf");
        File.WriteAllBytes(path, []);
        ReadFails(path, "is empty");
    }

    [Fact]
    public void Random_bytes_fail_on_the_magic()
    {
        var bytes = new byte[4096];
        new Random(1).NextBytes(bytes);
        bytes[0] = 0x01; // not 'G', so the magic certainly differs
        var path = _folder.File("random.gguf");
        File.WriteAllBytes(path, bytes);
        ReadFails(path, "instead of the magic \"GGUF\"");
    }

    [Fact]
    public void Wrong_magic_is_quoted()
    {
        var e = ReadFails(new RawGguf().Bytes("GGML"u8).U32(3).U64(0).U64(0), "ggml.bin", "starts with \"GGML\"");
        Assert.Equal(0, e.Offset);
    }

    [Fact]
    public void File_shorter_than_the_magic_is_too_short()
    {
        ReadFails(new RawGguf().Bytes("GG"u8), "short.gguf", "only 2 bytes long");
    }

    [Theory]
    [InlineData(0u, "unsupported GGUF version 0")]
    [InlineData(1u, "version 1 is no longer supported")]
    [InlineData(4u, "unsupported GGUF version 4")]
    [InlineData(0x03000000u, "byte-swapped")]
    public void Unsupported_versions_are_named(uint version, string problem)
    {
        ReadFails(new RawGguf().Header(0, 0, version), "version.gguf", problem);
    }

    [Fact]
    public void Version_2_is_accepted()
    {
        var path = new RawGguf().Header(0, 1, version: 2).KvString("general.architecture", "llama").WriteTo(_folder, "v2.gguf");
        var file = GgufReader.Read(path);
        Assert.Equal(2u, file.Version);
        Assert.Equal("llama", file.Architecture);
    }

    [Fact]
    public void Absurd_tensor_count_is_rejected_before_allocating()
    {
        ReadFails(new RawGguf().Header(1UL << 60, 0).Zeros(64), "tensors.gguf", "claims 1152921504606846976 tensors");
    }

    [Fact]
    public void Absurd_metadata_count_is_rejected_before_allocating()
    {
        ReadFails(new RawGguf().Header(0, 1UL << 60).Zeros(64), "kvs.gguf", "1152921504606846976 metadata entries");
    }

    [Fact]
    public void Counts_that_need_more_bytes_than_the_file_has_are_rejected()
    {
        // 10 entries need at least 140 bytes; 100 are there.
        ReadFails(new RawGguf().Header(0, 10).Zeros(100), "kvs10.gguf", "10 metadata entries");
    }

    [Theory]
    [InlineData(3)]   // in the magic
    [InlineData(6)]   // in the version
    [InlineData(12)]  // in the tensor count
    [InlineData(30)]  // in the first key's length
    [InlineData(45)]  // in the first key
    [InlineData(60)]  // in a value
    public void Truncated_header_says_truncated(int keep)
    {
        var full = TinyHeaderWithTensor();
        var path = _folder.File($"cut{keep}.gguf");
        File.WriteAllBytes(path, full.ToArray().AsSpan(0, keep).ToArray());
        ReadFails(path, "truncated");
    }

    [Fact]
    public void Truncated_tensor_data_says_truncated()
    {
        var full = TinyHeaderWithTensor().ToArray();
        var path = _folder.File("cutdata.gguf");
        File.WriteAllBytes(path, full.AsSpan(0, full.Length - 1).ToArray());
        ReadFails(path, "runs past the end of the file");
    }

    [Fact]
    public void String_length_past_the_end_is_rejected()
    {
        var raw = new RawGguf().Header(0, 1).Str("general.name").U32(8).U64(1000).Bytes("short"u8).Zeros(16);
        ReadFails(raw, "strlen.gguf", "claims 1000 bytes");
    }

    [Fact]
    public void Huge_array_length_is_rejected_before_allocating()
    {
        var raw = new RawGguf().Header(0, 1).Str("tokenizer.ggml.scores").U32(9).U32(6).U64(1UL << 62).Zeros(64);
        ReadFails(raw, "array.gguf", "claims 4611686018427387904 elements");
    }

    [Fact]
    public void Huge_string_array_length_is_rejected_before_allocating()
    {
        var raw = new RawGguf().Header(0, 1).Str("tokenizer.ggml.tokens").U32(9).U32(8).U64(1UL << 40).Zeros(64);
        ReadFails(raw, "strarray.gguf", "elements of string");
    }

    [Fact]
    public void Unknown_value_type_is_named()
    {
        var raw = new RawGguf().Header(0, 1).Str("general.name").U32(13).Zeros(16);
        ReadFails(raw, "type.gguf", "'general.name' has unknown value type 13");
    }

    [Fact]
    public void Array_of_arrays_is_rejected()
    {
        var raw = new RawGguf().Header(0, 1).Str("x.nested").U32(9).U32(9).U64(1).Zeros(16);
        ReadFails(raw, "nested.gguf", "array of arrays");
    }

    [Fact]
    public void Duplicate_and_empty_keys_are_rejected()
    {
        ReadFails(new RawGguf().Header(0, 2).KvU32("a.b", 1).KvU32("a.b", 2), "dup.gguf", "'a.b' appears twice");
        ReadFails(new RawGguf().Header(0, 1).Str("").U32(4).U32(1).Zeros(8), "emptykey.gguf", "empty key");
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(5u)]
    [InlineData(9u)]
    public void Tensor_with_bad_dimension_count_is_rejected(uint dims)
    {
        var raw = new RawGguf().Header(1, 0).Str("t").U32(dims).Zeros(128);
        ReadFails(raw, $"ndims{dims}.gguf", $"has {dims} dimensions");
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-5L)]
    public void Tensor_with_empty_or_negative_dimension_is_rejected(long dim)
    {
        var raw = new RawGguf().Header(1, 0).Tensor("t", 0, 0, 4, dim).Pad().Zeros(64);
        ReadFails(raw, "dim.gguf", $"dimension 1 of size {dim}");
    }

    [Fact]
    public void Tensor_whose_dimensions_overflow_is_rejected()
    {
        var raw = new RawGguf().Header(1, 0).Tensor("t", 0, 0, 1L << 32, 1L << 32).Pad().Zeros(64);
        ReadFails(raw, "overflow.gguf", "more elements than a 64-bit count can hold");
    }

    [Fact]
    public void Tensor_whose_byte_size_overflows_is_rejected()
    {
        var raw = new RawGguf().Header(1, 0).Tensor("t", 0, 0, 1L << 31, 1L << 31).Pad().Zeros(64);
        ReadFails(raw, "bytes.gguf", "larger than 2^63 bytes");
    }

    [Theory]
    [InlineData(4u)]
    [InlineData(31u)]
    [InlineData(43u)]
    [InlineData(0xFFFFFFFFu)]
    public void Unknown_ggml_type_is_named(uint type)
    {
        var raw = new RawGguf().Header(1, 0).Tensor("t", type, 0, 32).Pad().Zeros(64);
        ReadFails(raw, "ggmltype.gguf", $"unknown ggml type {type}");
    }

    [Fact]
    public void Row_not_a_multiple_of_the_block_size_is_rejected()
    {
        var raw = new RawGguf().Header(1, 0).Tensor("t", 2, 0, 33).Pad().Zeros(64); // Q4_0 needs 32 per block
        ReadFails(raw, "block.gguf", "not a multiple of its block size 32");
    }

    [Fact]
    public void Misaligned_tensor_offset_is_rejected()
    {
        var raw = new RawGguf().Header(1, 0).Tensor("t", 0, 4, 8).Pad().Zeros(64);
        ReadFails(raw, "align.gguf", "not a multiple of the alignment 32");
    }

    [Fact]
    public void Tensor_data_past_the_end_is_rejected()
    {
        var raw = new RawGguf().Header(1, 0).Tensor("t", 0, 0, 1000).Pad().Zeros(64);
        ReadFails(raw, "past.gguf", "runs past the end of the file");
    }

    [Fact]
    public void Tensor_offset_past_the_end_is_rejected()
    {
        var raw = new RawGguf().Header(1, 0).Tensor("t", 0, 1UL << 62, 8).Pad().Zeros(64);
        ReadFails(raw, "offset.gguf", "beyond the end of the file");
    }

    [Fact]
    public void Overlapping_tensors_are_rejected()
    {
        var raw = new RawGguf().Header(2, 0).Tensor("a", 0, 0, 16).Tensor("b", 0, 32, 16).Pad().Zeros(128);
        ReadFails(raw, "overlap.gguf", "'a' and 'b' overlap");
    }

    [Fact]
    public void Duplicate_tensor_names_are_rejected()
    {
        var raw = new RawGguf().Header(2, 0).Tensor("a", 0, 0, 8).Tensor("a", 0, 32, 8).Pad().Zeros(128);
        ReadFails(raw, "duptensor.gguf", "'a' appears twice");
    }

    [Fact]
    public void Tensor_name_longer_than_ggml_allows_is_rejected()
    {
        var raw = new RawGguf().Header(1, 0).Tensor(new string('x', 64), 0, 0, 8).Pad().Zeros(64);
        ReadFails(raw, "longname.gguf", "name longer than 63 bytes");
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(48u)]
    public void Alignment_must_be_a_power_of_two(uint alignment)
    {
        var raw = new RawGguf().Header(0, 1).KvU32("general.alignment", alignment);
        ReadFails(raw, "alignment.gguf", $"general.alignment {alignment} is not a power of two");
    }

    [Fact]
    public void Alignment_must_be_a_u32()
    {
        var raw = new RawGguf().Header(0, 1).Str("general.alignment").U32(10).U64(32);
        ReadFails(raw, "alignment64.gguf", "general.alignment is a u64");
    }

    [Fact]
    public void Custom_alignment_is_honoured()
    {
        var raw = new RawGguf().Header(2, 1).KvU32("general.alignment", 64)
            .Tensor("a", 0, 0, 8).Tensor("b", 0, 64, 8).Pad(64).Zeros(128);
        var file = GgufReader.Read(raw.WriteTo(_folder, "align64.gguf"));
        Assert.Equal(64, file.Alignment);
        Assert.Equal(0, file.DataOffset % 64);
        Assert.Equal(file.DataOffset + 64, file.Tensors[1].FilePosition);
    }

    [Fact]
    public void Stream_overload_names_the_stream()
    {
        using var stream = new MemoryStream("GGMLxxxxxxxxxxxxxxxxxxxx"u8.ToArray());
        var e = Assert.Throws<GgufFormatException>(() => GgufReader.Read(stream, "upload #3"));
        Assert.Contains("'upload #3'", e.Message, StringComparison.Ordinal);
    }

    // A header with one string KV and one F32 tensor of 8 values (32 bytes of data).
    private static RawGguf TinyHeaderWithTensor() =>
        new RawGguf().Header(1, 1).KvString("general.architecture", "llama").Tensor("t", 0, 0, 8).Pad().Zeros(32);
}
