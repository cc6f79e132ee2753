using System.Buffers.Binary;
using System.Text;

namespace LocalQa.Core.Tokenization;

/// <summary>
/// Writes a SentencePiece model (the protobuf ModelProto of sentencepiece_model.proto) from a GGUF
/// "llama" vocabulary, because Microsoft.ML.Tokenizers builds its SentencePiece BPE tokenizer only
/// from such a file. Only what the BPE model reads is written: the pieces with scores and types,
/// model_type BPE with byte fallback, and the special ids. Normalization is left off: LocalQa
/// escapes spaces itself, as llama.cpp does.
/// </summary>
internal static class SentencePieceModelWriter
{
    // sentencepiece_model.proto SentencePiece.Type.
    private const int Normal = 1;
    private const int Byte = 6;

    /// <param name="vocab">The GGUF vocabulary: scores, token types and special ids.</param>
    /// <param name="pieces">The text of each piece, in id order (the vocabulary's own, or a transformed copy).</param>
    public static byte[] Write(GgufVocabulary vocab, IReadOnlyList<string> pieces)
    {
        using var model = new MemoryStream();
        var piece = new MemoryStream();
        for (var i = 0; i < vocab.Tokens.Length; i++)
        {
            piece.SetLength(0);
            String(piece, 1, pieces[i]);
            Fixed32(piece, 2, vocab.Scores[i]);
            // llama.cpp merges and looks up every piece alike; only byte pieces are special to it.
            Varint(piece, 3, vocab.Types[i] == GgufVocabulary.TypeByte ? Byte : Normal);
            Bytes(model, 1, piece.ToArray());
        }

        var trainer = new MemoryStream();
        Varint(trainer, 3, 2); // model_type = BPE
        Varint(trainer, 24, 0); // treat_whitespace_as_suffix
        Varint(trainer, 35, 1); // byte_fallback
        Varint(trainer, 40, vocab.Unk);
        Varint(trainer, 41, vocab.Bos);
        Varint(trainer, 42, vocab.Eos);
        Varint(trainer, 43, -1); // pad_id
        Bytes(model, 2, trainer.ToArray());

        var normalizer = new MemoryStream();
        String(normalizer, 1, "identity");
        Varint(normalizer, 3, 0); // add_dummy_prefix
        Varint(normalizer, 4, 0); // remove_extra_whitespaces
        Varint(normalizer, 5, 0); // escape_whitespaces
        Bytes(model, 3, normalizer.ToArray());
        return model.ToArray();
    }

    private static void Tag(Stream s, int field, int wireType) => RawVarint(s, (ulong)((field << 3) | wireType));

    private static void Varint(Stream s, int field, long value)
    {
        Tag(s, field, 0);
        RawVarint(s, (ulong)value);
    }

    private static void Fixed32(Stream s, int field, float value)
    {
        Tag(s, field, 5);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, value);
        s.Write(b);
    }

    private static void String(Stream s, int field, string value) => Bytes(s, field, Encoding.UTF8.GetBytes(value));

    private static void Bytes(Stream s, int field, byte[] value)
    {
        Tag(s, field, 2);
        RawVarint(s, (ulong)value.Length);
        s.Write(value);
    }

    private static void RawVarint(Stream s, ulong v)
    {
        while (v >= 0x80)
        {
            s.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }
        s.WriteByte((byte)v);
    }
}
