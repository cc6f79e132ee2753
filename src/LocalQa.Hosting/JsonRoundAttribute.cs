using System.Text.Json;
using System.Text.Json.Serialization;

namespace LocalQa.Hosting;

/// <summary>
/// Writes a <see cref="double"/> rounded to <see cref="Decimals"/> decimals. Timings and scores carry
/// digits past the first few that are noise (a millisecond's millionths), which only make --json
/// longer and runs harder to compare. Reading takes the number as written.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class JsonRoundAttribute(int decimals) : JsonConverterAttribute
{
    public int Decimals { get; } = decimals;

    public override JsonConverter CreateConverter(Type typeToConvert) =>
        typeToConvert == typeof(double)
            ? new RoundingConverter(Decimals)
            : throw new InvalidOperationException($"[JsonRound] applies to double members, not {typeToConvert}.");

    private sealed class RoundingConverter(int decimals) : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options) =>
            writer.WriteNumberValue(Math.Round(value, decimals));
    }
}
