using LocalQa.Core.Gguf;
using LocalQa.Testing;

namespace LocalQa.Llama.Tests.Reliability;

/// <summary>
/// A GGUF model as editable lists (metadata in file order, tensors with their bytes), written back
/// with <see cref="GgufWriter"/>: how the fuzz and the crash regressions make a model that differs
/// from a real one in exactly the way they are about.
/// </summary>
internal sealed class GgufDraft
{
    public List<KeyValuePair<string, GgufValue>> Metadata { get; } = [];

    public List<Tensor> Tensors { get; } = [];

    public int Alignment { get; private set; }

    public string? Architecture => Get("general.architecture")?.Value as string;

    public int VocabSize => Get("tokenizer.ggml.tokens") is { IsArray: true } v ? v.ArrayLength : 0;

    public static GgufDraft Of(string path) => Of(GgufReader.Read(path), File.ReadAllBytes(path));

    public static GgufDraft Of(GgufFile file, byte[] bytes)
    {
        var d = new GgufDraft { Alignment = file.Alignment };
        d.Metadata.AddRange(file.Metadata.Where(kv => kv.Key != "general.alignment"));
        foreach (var t in file.Tensors)
        {
            d.Tensors.Add(new Tensor(t.Name, t.Type, [.. t.Dimensions], bytes.AsSpan((int)t.FilePosition, (int)t.ByteSize).ToArray()));
        }
        return d;
    }

    public GgufValue? Get(string key) => Metadata.FirstOrDefault(kv => kv.Key == key).Value;

    public long? Int(string key) => Get(key)?.AsInt64OrNull();

    public void Set(string key, GgufValue value)
    {
        var i = Metadata.FindIndex(kv => kv.Key == key);
        if (i >= 0)
        {
            Metadata[i] = new(key, value);
        }
        else
        {
            Metadata.Add(new(key, value));
        }
    }

    public void Remove(string key) => Metadata.RemoveAll(kv => kv.Key == key);

    public Tensor GetTensor(string name) => Tensors.Single(t => t.Name == name);

    /// <summary>Writes the model; tensors whose shape or type changed get new small random values.</summary>
    public byte[] Serialize(string path)
    {
        using (var w = new GgufWriter(path, Alignment))
        {
            foreach (var (key, value) in Metadata)
            {
                w.AddMetadata(key, value);
            }
            foreach (var t in Tensors)
            {
                w.AddTensor(t.Name, t.Type, t.Dims);
            }
            var random = new Random(Tensors.Count);
            foreach (var t in Tensors)
            {
                if (t.Data is { } data)
                {
                    w.WriteTensorBytes(data);
                    continue;
                }
                var values = new float[t.Dims.Aggregate(1L, (a, b) => a * b)];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = (float)(random.NextDouble() - 0.5) * 0.1f;
                }
                w.WriteTensorData(values);
            }
            w.Complete();
        }
        return File.ReadAllBytes(path);
    }

    internal sealed class Tensor(string name, GgufTensorType type, long[] dims, byte[]? data)
    {
        public string Name { get; set; } = name;

        public GgufTensorType Type { get; set; } = type;

        public long[] Dims { get; set; } = dims;

        /// <summary>The original bytes, or null when the shape or type changed and new data is needed.</summary>
        public byte[]? Data { get; set; } = data;

        /// <summary>Changes the type, keeping the shape; the data is regenerated.</summary>
        public void Retype(GgufTensorType type)
        {
            Type = type;
            Data = null;
        }

        public override string ToString() => $"{Name} {Type} [{string.Join(", ", Dims)}]";
    }
}
