using System.Buffers.Binary;
using System.Runtime.Intrinsics;

namespace LocalQa.Core.Index;

/// <summary>
/// MinHash over word 5-gram shingles: finds copies of one article (a syndicated story published
/// by two outlets, the same page saved twice with different site chrome). Rewrites of a story in
/// other words share almost no 5-grams and are, by design, not duplicates.
/// </summary>
/// <remarks>
/// Signatures are stored in the index, so the shingle size, hash functions and seeds below are
/// part of the file format: changing any of them needs a schema migration that recomputes them.
/// </remarks>
internal static class NearDuplicateDetector
{
    public const int WordsPerShingle = 5;
    public const int SignatureLength = 128;

    /// <summary>
    /// Estimated Jaccard similarity of shingle sets at or above which two documents are one story.
    /// Measured: a story republished with site chrome added and a paragraph dropped scores about
    /// 0.62, a page saved again with a menu and footer 0.98; independently written articles about the
    /// same event (seeds 000 and 001) score 0.0003, like unrelated ones.
    /// </summary>
    public const double Threshold = 0.5;

    /// <summary>
    /// LSH banding: 42 bands of 3 rows make a pair with similarity 0.5 a candidate with probability
    /// 1-(1-0.5^3)^42 ≈ 0.996, while unrelated articles (similarity near 0) almost never are.
    /// </summary>
    public const int Bands = 42;

    public const int RowsPerBand = 3;

    /// <summary>One seed per signature slot; internal so tests can check the vector path against the scalar definition.</summary>
    internal static readonly ulong[] Seeds = CreateSeeds();

    /// <summary>The MinHash signature of a text; null when the text has no words.</summary>
    public static ulong[]? ComputeSignature(ReadOnlySpan<char> text)
    {
        var signature = new ulong[SignatureLength];
        signature.AsSpan().Fill(ulong.MaxValue);
        var state = new SignatureState(signature);
        TextShingles.ForEachShingle(text, WordsPerShingle, ref state, static (ref SignatureState s, ulong shingle) => s.Add(shingle));
        return state.Any ? signature : null;
    }

    /// <summary>Folds <paramref name="other"/> into <paramref name="into"/>: the signature of the union of the two texts' shingles.</summary>
    public static void Merge(Span<ulong> into, ReadOnlySpan<ulong> other)
    {
        for (var i = 0; i < into.Length && i < other.Length; i++)
        {
            into[i] = Math.Min(into[i], other[i]);
        }
    }

    /// <summary>Fraction of equal signature slots: an unbiased estimate of the shingle sets' Jaccard similarity.</summary>
    public static double EstimateSimilarity(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        if (a.Length != SignatureLength || b.Length != SignatureLength)
        {
            return 0;
        }

        var equal = 0;
        for (var i = 0; i < SignatureLength; i++)
        {
            if (a[i] == b[i])
            {
                equal++;
            }
        }

        return (double)equal / SignatureLength;
    }

    /// <summary>One hash per LSH band; two documents sharing any band hash are compared in full.</summary>
    public static long[] BandHashes(ReadOnlySpan<ulong> signature)
    {
        var bands = new long[Bands];
        for (var band = 0; band < Bands; band++)
        {
            var hash = (ulong)band * 0x9E3779B97F4A7C15UL;
            for (var row = 0; row < RowsPerBand; row++)
            {
                hash = TextShingles.Mix(hash ^ signature[band * RowsPerBand + row]);
            }

            bands[band] = unchecked((long)hash);
        }

        return bands;
    }

    public static byte[] ToBlob(ReadOnlySpan<ulong> signature)
    {
        var blob = new byte[signature.Length * sizeof(ulong)];
        for (var i = 0; i < signature.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(blob.AsSpan(i * sizeof(ulong)), signature[i]);
        }

        return blob;
    }

    public static ulong[]? FromBlob(byte[]? blob)
    {
        if (blob is null || blob.Length != SignatureLength * sizeof(ulong))
        {
            return null;
        }

        var signature = new ulong[SignatureLength];
        for (var i = 0; i < signature.Length; i++)
        {
            signature[i] = BinaryPrimitives.ReadUInt64LittleEndian(blob.AsSpan(i * sizeof(ulong)));
        }

        return signature;
    }

    private static ulong[] CreateSeeds()
    {
        // Fixed, not random: signatures written by one run must match those computed by the next.
        var seeds = new ulong[SignatureLength];
        var state = 0x4C6F63616C5161UL;
        for (var i = 0; i < seeds.Length; i++)
        {
            state += 0x9E3779B97F4A7C15UL;
            seeds[i] = TextShingles.Mix(state);
        }

        return seeds;
    }

    private ref struct SignatureState(Span<ulong> signature)
    {
        private readonly Span<ulong> _signature = signature;

        public bool Any { get; private set; }

        public void Add(ulong shingle)
        {
            Any = true;
            Update(_signature, shingle);
        }
    }

    /// <summary>
    /// Takes the slot-wise minimum of the signature and the shingle's 128 hashes. This loop was a
    /// tenth of the time of ingesting a large file; four slots at a time compute exactly the scalar
    /// values, so signatures already stored stay comparable.
    /// </summary>
    internal static void Update(Span<ulong> signature, ulong shingle)
    {
        var seeds = Seeds.AsSpan();
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var s = Vector256.Create(shingle);
            for (; i <= signature.Length - Vector256<ulong>.Count; i += Vector256<ulong>.Count)
            {
                var x = s ^ Vector256.Create<ulong>(seeds[i..]);
                x ^= Vector256.ShiftRightLogical(x, 30);
                x *= 0xBF58476D1CE4E5B9UL;
                x ^= Vector256.ShiftRightLogical(x, 27);
                x *= 0x94D049BB133111EBUL;
                x ^= Vector256.ShiftRightLogical(x, 31);
                Vector256.Min(x, Vector256.Create<ulong>(signature[i..])).CopyTo(signature[i..]);
            }
        }

        for (; i < signature.Length; i++)
        {
            signature[i] = Math.Min(signature[i], TextShingles.Mix(shingle ^ seeds[i]));
        }
    }
}
